//! Against a real Secret Service (gnome-keyring). `make test` runs this inside
//! `dbus-run-session` with an unlocked keyring; elsewhere it is skipped (`--ignored`).

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a D-Bus session with an unlocked Secret Service (run by `make test`)"]
async fn secrets_round_trip_through_the_os_keychain() {
    let name = guestpass_keychain::init()
        .await
        .expect("a Secret Service in this session");
    assert_eq!(name, "Secret Service");
    let account = format!("test:{}", std::process::id());
    guestpass_keychain::set(&account, "refresh-token-value").await.unwrap();
    assert_eq!(
        guestpass_keychain::get(&account).await.unwrap().as_deref(),
        Some("refresh-token-value")
    );
    // A secret longer than one Windows entry is split the same way everywhere.
    let long: String = "0123456789".repeat(400);
    guestpass_keychain::set(&account, &long).await.unwrap();
    assert_eq!(
        guestpass_keychain::get(&account).await.unwrap().as_deref(),
        Some(long.as_str())
    );
    guestpass_keychain::delete(&account).await.unwrap();
    assert_eq!(guestpass_keychain::get(&account).await.unwrap(), None);
}

#[tokio::test]
async fn without_a_session_bus_the_keychain_says_it_is_unavailable() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return; // a session exists here: the case under test cannot happen
    }
    match guestpass_keychain::init().await {
        Err(guestpass_keychain::KeychainError::Unavailable(why)) => assert!(!why.is_empty()),
        other => panic!("expected no keychain, got {other:?}"),
    }
    assert!(
        guestpass_keychain::set("x", "y").await.is_err(),
        "never a silent fallback"
    );
}
