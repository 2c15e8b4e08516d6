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

#[tokio::test]
async fn stale_guests_are_blocked_removed_restored_and_each_undone() {
    use guestpass_core::guests::GuestVerb;
    use guestpass_core::StepStatus;
    let s = setup(SandboxConfig::default()).await;
    let ana = "ana.souza@fabrikam.example".to_string();
    let guest =
        |list: &guestpass_core::guests::GuestList, email: &str| list.guests.iter().find(|g| g.email == email).cloned();

    // Block: previewed, made, listed, undone.
    let preview = s
        .engine
        .clone()
        .with_dry_run(true)
        .act_on_guests(GuestVerb::Block, std::slice::from_ref(&ana))
        .await
        .unwrap();
    assert_eq!(preview[0].outcome.as_ref().unwrap().status, StepStatus::WouldChange);
    let blocked = s
        .engine
        .act_on_guests(GuestVerb::Block, std::slice::from_ref(&ana))
        .await
        .unwrap();
    let seq = blocked[0].outcome.as_ref().unwrap().change_seq;
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    assert!(!guest(&list, &ana).unwrap().enabled);
    s.engine.undo_change(seq).await.unwrap();
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    assert!(guest(&list, &ana).unwrap().enabled);

    // Remove (with an unknown address beside it: it fails alone), then undo restores her groups.
    s.engine
        .add_to_group(&guestpass_core::GuestRef::email(&ana), "Partner portal users")
        .await
        .unwrap();
    let removed = s
        .engine
        .act_on_guests(GuestVerb::Remove, &[ana.clone(), "nobody@nowhere.example".into()])
        .await
        .unwrap();
    assert!(removed[0]
        .outcome
        .as_ref()
        .unwrap()
        .summary
        .contains("restorable for 30 days"));
    assert!(removed[1].problem.as_ref().unwrap().message.contains("is not a guest"));
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    assert!(guest(&list, &ana).is_none());
    s.engine
        .undo_change(removed[0].outcome.as_ref().unwrap().change_seq)
        .await
        .unwrap();
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    assert_eq!(
        guest(&list, &ana).unwrap().groups,
        vec!["Partner portal users".to_string()]
    );

    // Remove and restore as two changes; resend only to someone who has not accepted.
    s.engine
        .act_on_guests(GuestVerb::Remove, std::slice::from_ref(&ana))
        .await
        .unwrap();
    let restored = s
        .engine
        .act_on_guests(GuestVerb::Restore, std::slice::from_ref(&ana))
        .await
        .unwrap();
    assert!(restored[0].outcome.as_ref().unwrap().summary.starts_with("Restored"));
    let resent = s
        .engine
        .act_on_guests(
            GuestVerb::Resend,
            &[ana.clone(), "li.wei@contoso-partners.example".into()],
        )
        .await
        .unwrap();
    assert!(resent[0].problem.as_ref().unwrap().message.contains("already accepted"));
    assert_eq!(resent[1].outcome.as_ref().unwrap().status, StepStatus::Changed);
}

#[tokio::test]
async fn a_sponsor_is_added_listed_refused_when_a_guest_and_undone() {
    let s = setup(SandboxConfig::default()).await;
    let ana = "ana.souza@fabrikam.example";
    let p = s
        .engine
        .add_sponsor(ana, "li.wei@contoso-partners.example")
        .await
        .unwrap_err();
    assert!(p.message.contains("is a guest too"), "{}", p.message);
    let added = s
        .engine
        .add_sponsor(ana, "diego.siciliani@northwind.example")
        .await
        .unwrap();
    assert!(added.summary.contains("now sponsors"), "{}", added.summary);
    let again = s
        .engine
        .add_sponsor(ana, "Diego.Siciliani@northwind.example")
        .await
        .unwrap();
    assert_eq!(again.status, guestpass_core::StepStatus::Unchanged);
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    let row = list.guests.iter().find(|g| g.email == ana).unwrap();
    assert_eq!(row.sponsors, vec!["diego.siciliani@northwind.example".to_string()]);
    s.engine.undo_change(added.change_seq).await.unwrap();
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    assert!(list.guests.iter().find(|g| g.email == ana).unwrap().sponsors.is_empty());
}

#[tokio::test]
async fn microsoft_logs_are_pulled_once_each_and_a_guest_enabled_again_is_not_stale() {
    use guestpass_core::bulk::run::RunControl;
    use guestpass_core::guests::GuestVerb;
    let s = setup(SandboxConfig::default()).await;
    let ana = "ana.souza@fabrikam.example".to_string();
    let pat = invited(&s, "pat@fabrikam.example").await;
    s.sb.redeem_invitation(pat.user_id.as_deref().unwrap(), &chrono::Utc::now().to_rfc3339())
        .unwrap();
    // An admin blocks Ana and enables her again: the audit log says so, and she is not stale.
    s.engine
        .act_on_guests(GuestVerb::Block, std::slice::from_ref(&ana))
        .await
        .unwrap();
    s.engine
        .act_on_guests(GuestVerb::Unblock, std::slice::from_ref(&ana))
        .await
        .unwrap();
    let list = s.engine.guest_list(GuestRules::default()).await.unwrap();
    let row = list.guests.iter().find(|g| g.email == ana).unwrap().clone();
    assert!(!row.stale, "enabled again within the stale window: {row:?}");
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    s.sb.record_sign_in(&row.id, "00000007-0000-0000-c000-000000000000", "DE", &yesterday)
        .unwrap();
    // A member's change is not a guest's event.
    s.sb.record_audit("Update user", "1a2b3c4d-0000-4000-8000-000000000001", &yesterday)
        .unwrap();

    let control = RunControl::new();
    let progress = std::sync::Mutex::new(Vec::new());
    let report = s
        .engine
        .pull_audit_events(None, &|p| progress.lock().unwrap().push(p), &control)
        .await
        .unwrap();
    assert_eq!(report.sign_ins, "available");
    assert_eq!(report.sign_ins_new, 1, "{report:?}");
    // Pat: invited, redeemed; Ana: disabled, her sessions revoked, enabled.
    let pats: Vec<String> = s
        .engine
        .guest_microsoft_events("pat@fabrikam.example", 50)
        .unwrap()
        .into_iter()
        .map(|e| e.activity)
        .collect();
    assert_eq!(pats, ["Redeem external user invite", "Invite external user"]);
    assert_eq!(report.directory_audits_new, 5, "{report:?}");
    assert_eq!(report.kept, 6);
    assert!(!progress.lock().unwrap().is_empty());
    let events = s.engine.guest_microsoft_events(&ana, 50).unwrap();
    let names: Vec<&str> = events.iter().map(|e| e.activity.as_str()).collect();
    assert_eq!(
        names,
        [
            "Enable account",
            "Invalidate all refresh tokens for user",
            "Disable account",
            "Sign-in to 00000007-0000-0000-c000-000000000000"
        ]
    );
    assert!(events[0].audit_id.starts_with("Directory_"));

    // Again: nothing new is kept twice; a later change is.
    s.engine
        .act_on_guests(GuestVerb::Block, std::slice::from_ref(&ana))
        .await
        .unwrap();
    let again = s.engine.pull_audit_events(None, &|_| {}, &control).await.unwrap();
    assert_eq!(
        (again.directory_audits_new, again.sign_ins_new, again.kept),
        (2, 0, 8),
        "{again:?}"
    );
    // A stopped pull keeps nothing half-done and says so.
    control.cancel();
    let stopped = s.engine.pull_audit_events(None, &|_| {}, &control).await.unwrap();
    assert!(stopped.stopped);
    assert!(s
        .engine
        .pull_audit_events(Some("last week"), &|_| {}, &RunControl::new())
        .await
        .is_err());
}

#[tokio::test]
async fn a_quarterly_review_of_a_groups_guests_needs_p2_lists_decisions_and_is_undone() {
    use guestpass_core::guests::ReviewRequest;
    use guestpass_core::StepStatus;
    let s = setup(SandboxConfig::default()).await;
    let pat = invited(&s, "pat@fabrikam.example").await;
    s.engine.add_to_group(&pat, "Partner portal users").await.unwrap();
    let req = ReviewRequest {
        groups: vec!["Partner portal users".into()],
        every_months: 3,
        reviewer: None,
        fallback_reviewer: Some("megan.bowen@northwind.example".into()),
    };
    s.sb.remove_subscription("AAD_PREMIUM_P2").unwrap();
    let refused = s.engine.create_guest_reviews(&req).await.unwrap_err();
    assert!(refused.message.contains("Entra ID P2"), "{}", refused.message);
    assert!(
        s.engine
            .recent_changes(10)
            .unwrap()
            .iter()
            .all(|r| r.action != "create_guest_review"),
        "nothing sent"
    );
    let no_fallback = ReviewRequest {
        fallback_reviewer: None,
        ..req.clone()
    };
    assert_eq!(
        s.engine.create_guest_reviews(&no_fallback).await.unwrap_err().fields[0].field,
        "fallbackReviewer"
    );

    s.sb.add_subscription("AAD_PREMIUM_P2", "AAD_PREMIUM_P2").unwrap();
    let preview = s
        .engine
        .clone()
        .with_dry_run(true)
        .create_guest_reviews(&req)
        .await
        .unwrap();
    assert_eq!(preview[0].status, StepStatus::WouldChange);
    assert!(
        preview[0]
            .summary
            .contains("every 3 month(s) by the group's owners (or megan.bowen@northwind.example"),
        "{}",
        preview[0].summary
    );
    let made = s.engine.create_guest_reviews(&req).await.unwrap();
    assert_eq!(made[0].status, StepStatus::Changed);
    assert!(made[0].request_id.is_some());
    let again = s.engine.create_guest_reviews(&req).await.unwrap();
    assert_eq!(again[0].status, StepStatus::Unchanged, "one review per group");

    let reviews = s.engine.guest_reviews().await.unwrap();
    assert_eq!(reviews.len(), 1);
    let r = &reviews[0];
    assert_eq!(
        (r.scope.as_str(), r.recurrence.as_str()),
        ("guests of Partner portal users", "every 3 months")
    );
    let mine = r
        .decisions
        .iter()
        .find(|d| d.guest.starts_with("pat_fabrikam.example"))
        .unwrap();
    assert_eq!(mine.decision, "NotReviewed");
    s.sb.decide_review(
        &r.id,
        pat.user_id.as_deref().unwrap(),
        "Deny",
        "1a2b3c4d-0000-4000-8000-000000000001",
    )
    .unwrap();
    let r = &s.engine.guest_reviews().await.unwrap()[0];
    let mine = r
        .decisions
        .iter()
        .find(|d| d.guest.starts_with("pat_fabrikam.example"))
        .unwrap();
    assert_eq!(
        (mine.decision.as_str(), mine.reviewed_by.as_deref()),
        ("Deny", Some("megan.bowen@northwind.example"))
    );

    let undone = s.engine.undo_change(made[0].change_seq).await.unwrap();
    assert!(
        undone.summary.contains("Deleted \"Guests of Partner portal users\""),
        "{}",
        undone.summary
    );
    assert!(s.engine.guest_reviews().await.unwrap().is_empty());
    assert!(
        s.engine.undo_change(made[0].change_seq).await.is_err(),
        "undone once only"
    );
}
