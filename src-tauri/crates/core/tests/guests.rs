//! The Guests list against the sandbox tenant: every guest with state, last sign-in of any
//! kind, licences and groups, and who is stale or stuck.

mod common;

use common::{invited, setup};
use guestpass_core::guests::GuestRules;
use guestpass_sandbox::SandboxConfig;

#[tokio::test]
async fn every_guest_is_listed_with_last_sign_in_and_who_is_stale_or_stuck() {
    let s = setup(SandboxConfig::default()).await;
    let jane = invited(&s, "jane@partner.example").await;
    s.engine
        .add_to_group(&jane, "7d1c0b5e-0000-4000-8000-000000000003")
        .await
        .unwrap();
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    assert_eq!(list.sign_in_activity, "available");
    let by = |email: &str| list.guests.iter().find(|g| g.email == email).unwrap().clone();
    let ana = by("ana.souza@fabrikam.example");
    assert!(ana.stale, "{ana:?}");
    assert_eq!(
        ana.last_sign_in.as_deref(),
        Some("2026-02-10T08:00:00Z"),
        "the latest of any kind"
    );
    assert_eq!(ana.home_domain, "fabrikam.example");
    let li = by("li.wei@contoso-partners.example");
    assert!(li.pending_too_long && !li.stale);
    let jane = by("jane@partner.example");
    assert!(!jane.stale && !jane.pending_too_long, "invited just now");
    assert_eq!(jane.groups, vec!["Partner portal users".to_string()]);
    assert_eq!(jane.last_sign_in, None);

    // A sign-in today makes Ana active again.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    s.sb.record_sign_in(&ana.id, "00000007-0000-0000-c000-000000000000", "DE", &now)
        .unwrap();
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    let ana = list
        .guests
        .iter()
        .find(|g| g.email == "ana.souza@fabrikam.example")
        .unwrap();
    assert!(!ana.stale);
    assert_eq!(ana.last_sign_in.as_deref(), Some(now.as_str()));
}
