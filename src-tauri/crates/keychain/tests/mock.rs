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
