//! The keychain API against the in-memory mock store.

#[tokio::test]
async fn set_get_replace_delete() {
    guestpass_keychain::use_mock_for_tests();
    assert_eq!(guestpass_keychain::get("t1:refresh").await.unwrap(), None);
    guestpass_keychain::set("t1:refresh", "first").await.unwrap();
    guestpass_keychain::set("t1:refresh", "second").await.unwrap();
    assert_eq!(
        guestpass_keychain::get("t1:refresh").await.unwrap().as_deref(),
        Some("second")
    );
    guestpass_keychain::delete("t1:refresh").await.unwrap();
    guestpass_keychain::delete("t1:refresh").await.unwrap();
    assert_eq!(guestpass_keychain::get("t1:refresh").await.unwrap(), None);
}

/// What Windows' Credential Manager holds in one entry (the mock keychain keeps its rule).
fn fits_one_entry(secret: &str) -> bool {
    secret.encode_utf16().count() * 2 <= guestpass_keychain::WINDOWS_MAX_SECRET_BYTES
}

#[tokio::test]
async fn a_long_refresh_token_and_a_4096_bit_key_fit_despite_windows_limit() {
    guestpass_keychain::use_mock_for_tests();
    let token: String = (0..2_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let key = std::fs::read_to_string(format!(
        "{}/../../../tests/certificates/rsa-4096.pem",
        std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo")
    ))
    .unwrap();
    for (account, secret) in [("t2:refresh", &token), ("t2:certificate", &key)] {
        assert!(!fits_one_entry(secret), "{account} is longer than one Windows entry");
        guestpass_keychain::set(account, secret).await.unwrap();
        assert_eq!(
            guestpass_keychain::get(account).await.unwrap().as_deref(),
            Some(secret.as_str())
        );
    }
    // A shorter secret replaces a split one whole, and delete removes every piece.
    guestpass_keychain::set("t2:refresh", "short").await.unwrap();
    assert_eq!(
        guestpass_keychain::get("t2:refresh").await.unwrap().as_deref(),
        Some("short")
    );
    guestpass_keychain::set("t2:refresh", &token).await.unwrap();
    guestpass_keychain::delete("t2:refresh").await.unwrap();
    assert_eq!(guestpass_keychain::get("t2:refresh").await.unwrap(), None);
    let piece = keyring_core::Entry::new(guestpass_keychain::SERVICE, "t2:refresh#2").unwrap();
    assert!(
        matches!(piece.get_password(), Err(keyring_core::Error::NoEntry)),
        "no piece left behind"
    );
}

#[tokio::test]
async fn the_test_keychain_refuses_what_windows_refuses() {
    guestpass_keychain::use_mock_for_tests();
    let entry = keyring_core::Entry::new(guestpass_keychain::SERVICE, "t3:raw").unwrap();
    assert!(matches!(
        entry.set_password(&"x".repeat(1_281)),
        Err(keyring_core::Error::TooLong(..))
    ));
    entry.set_password(&"x".repeat(1_280)).unwrap();
}
