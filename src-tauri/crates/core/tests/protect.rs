//! Protect against the sandbox tenant: the guest MFA policy created report-only with its
//! emergency-access group left out, refused early when Microsoft would refuse, tried on every
//! guest with What-If, switched on only after that, and each change undone. The sandbox's clock
//! runs 20× faster here, so Microsoft's one Conditional Access call per second is 50 ms.

mod common;

use common::{setup, Setup};
use guestpass_core::action::StepStatus;
use guestpass_core::bulk::RunControl;
use guestpass_core::protect::{PolicyApps, PolicyState, PreflightScope, Verdict, GUEST_MFA_POLICY};
use guestpass_core::ProblemKind;
use guestpass_sandbox::{SandboxConfig, ThrottleConfig};
use std::time::Duration;

const EMERGENCY: &str = "Emergency access accounts";

async fn fast_tenant() -> Setup {
    let mut s = setup(SandboxConfig {
        throttle: ThrottleConfig {
            time_scale: 20.0,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    s.engine = s.engine.with_conditional_access_spacing(Duration::from_millis(55));
    s
}

async fn policy_state(s: &Setup) -> Option<String> {
    let view = s.engine.guest_protection().await.unwrap();
    view.policies
        .iter()
        .find(|p| p.display_name == GUEST_MFA_POLICY)
        .map(|p| p.state.clone())
}

#[tokio::test]
async fn the_mfa_policy_needs_an_emergency_group_with_someone_who_is_not_a_guest() {
    let s = fast_tenant().await;
    for (group, says) in [
        ("", "Pick the emergency-access"),
        ("No such group", "No group is named"),
        ("Partner portal users", "has no member who is not a guest"),
    ] {
        let p = s
            .engine
            .create_guest_mfa_policy(PolicyApps::All, group)
            .await
            .unwrap_err();
        assert_eq!(p.kind, ProblemKind::Invalid, "{group}");
        assert!(p.message.contains(says), "{group}: {}", p.message);
        assert_eq!(p.fields[0].field, "excludeGroup");
    }
    assert_eq!(policy_state(&s).await, None, "nothing was sent");

    // A dry run previews; the real run creates it report-only; a second run finds it there.
    let preview = s
        .engine
        .clone()
        .with_dry_run(true)
        .create_guest_mfa_policy(PolicyApps::PowerPlatform, EMERGENCY)
        .await
        .unwrap();
    assert_eq!(preview.status, StepStatus::WouldChange);
    assert_eq!(policy_state(&s).await, None);
    let made = s
        .engine
        .create_guest_mfa_policy(PolicyApps::PowerPlatform, EMERGENCY)
        .await
        .unwrap();
    assert_eq!(made.status, StepStatus::Changed, "{}", made.summary);
    assert!(made.summary.contains("report-only"), "{}", made.summary);
    assert!(made.request_id.is_some());
    assert_eq!(
        policy_state(&s).await.as_deref(),
        Some("enabledForReportingButNotEnforced")
    );
    let again = s
        .engine
        .create_guest_mfa_policy(PolicyApps::PowerPlatform, EMERGENCY)
        .await
        .unwrap();
    assert_eq!(again.status, StepStatus::Unchanged);
    let other = s
        .engine
        .create_guest_mfa_policy(PolicyApps::All, EMERGENCY)
        .await
        .unwrap_err();
    assert!(
        other.message.contains("already exists with other apps"),
        "{}",
        other.message
    );

    // Undo deletes it.
    let undone = s.engine.undo_change(made.change_seq).await.unwrap();
    assert_eq!(undone.status, StepStatus::Changed, "{}", undone.summary);
    assert_eq!(policy_state(&s).await, None);
}

#[tokio::test]
async fn switching_on_waits_for_a_pre_flight_of_every_guest_and_undo_puts_it_back_to_report_only() {
    let s = fast_tenant().await;
    let made = s
        .engine
        .create_guest_mfa_policy(PolicyApps::All, EMERGENCY)
        .await
        .unwrap();
    let id = s.engine.guest_mfa_policy_id().await.unwrap().unwrap();

    let refused = s.engine.switch_policy(&id, PolicyState::On, false).await.unwrap_err();
    assert_eq!(refused.kind, ProblemKind::Invalid);
    assert!(
        refused.message.contains("has not been tried on the guests"),
        "{}",
        refused.message
    );

    // Ana signed in while the policy was report-only: the log recorded what it would have done.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    s.sb.record_sign_in(
        "2f0e1d2c-0000-4000-8000-000000000001",
        "00000007-0000-0000-c000-000000000000",
        "DE",
        &now,
    )
    .unwrap();

    // One guest's pre-flight does not count as trying it on every guest.
    let control = RunControl::new();
    let one = PreflightScope {
        emails: vec!["ana.souza@fabrikam.example".into()],
        domain: None,
    };
    let ana = s.engine.preflight(&one, &|_| {}, &control).await.unwrap();
    assert_eq!(ana.guests.len(), 1);
    assert_eq!(ana.guests[0].verdict, Verdict::Mfa);
    let reasons = &ana.guests[0]
        .policies
        .iter()
        .find(|p| p.display_name == GUEST_MFA_POLICY)
        .unwrap()
        .reasons;
    assert!(reasons[0].contains("no MFA trust for Fabrikam"), "{reasons:?}");
    assert_eq!(
        reasons[1],
        "report-only, last 30 days: would have asked for more at 1 of their 1 sign-ins"
    );
    assert!(
        ana.assumptions.iter().any(|a| a.contains("(1 sign-ins)")),
        "{:?}",
        ana.assumptions
    );
    assert!(s.engine.switch_policy(&id, PolicyState::On, false).await.is_err());
    let unknown = PreflightScope {
        emails: vec!["nobody@nowhere.example".into()],
        domain: None,
    };
    let p = s.engine.preflight(&unknown, &|_| {}, &control).await.unwrap_err();
    assert!(p.message.contains("is not a guest of this tenant"), "{}", p.message);

    // Every guest, with progress; then it may be switched on.
    let seen = std::sync::Mutex::new(Vec::new());
    let all = s
        .engine
        .preflight(
            &PreflightScope::default(),
            &|p| seen.lock().unwrap().push(p.done),
            &control,
        )
        .await
        .unwrap();
    assert!(all.complete);
    assert_eq!(all.guests.len(), 2);
    assert!(all.guests.iter().all(|g| g.verdict == Verdict::Mfa), "{all:?}");
    assert_eq!(*seen.lock().unwrap(), vec![0, 1, 2]);
    let on = s.engine.switch_policy(&id, PolicyState::On, false).await.unwrap();
    assert_eq!(on.status, StepStatus::Changed, "{}", on.summary);
    assert!(on.summary.contains("from report-only to on"), "{}", on.summary);
    assert_eq!(policy_state(&s).await.as_deref(), Some("enabled"));

    // Its creation cannot be undone while it is on; undoing the switch puts it back.
    let p = s.engine.undo_change(made.change_seq).await.unwrap_err();
    assert!(p.message.contains("was changed since"), "{}", p.message);
    s.engine.undo_change(on.change_seq).await.unwrap();
    assert_eq!(
        policy_state(&s).await.as_deref(),
        Some("enabledForReportingButNotEnforced")
    );
    s.engine.undo_change(made.change_seq).await.unwrap();
    assert_eq!(policy_state(&s).await, None);
}

#[tokio::test]
async fn a_cancelled_pre_flight_keeps_the_guests_so_far_and_counts_for_nothing() {
    let s = fast_tenant().await;
    s.engine
        .create_guest_mfa_policy(PolicyApps::All, EMERGENCY)
        .await
        .unwrap();
    let id = s.engine.guest_mfa_policy_id().await.unwrap().unwrap();
    let control = RunControl::new();
    let stop = control.clone();
    let partial = s
        .engine
        .preflight(
            &PreflightScope::default(),
            &move |p| {
                if p.done == 1 {
                    stop.cancel()
                }
            },
            &control,
        )
        .await
        .unwrap();
    assert!(!partial.complete);
    assert_eq!(partial.guests.len(), 1);
    assert!(s.engine.switch_policy(&id, PolicyState::On, false).await.is_err());
    // The explicit override switches it on without one.
    let on = s.engine.switch_policy(&id, PolicyState::On, true).await.unwrap();
    assert_eq!(on.status, StepStatus::Changed);
}

#[tokio::test]
async fn a_location_and_a_report_only_block_outside_it_warn_about_redemption_and_undo_in_order() {
    let s = fast_tenant().await;
    let request = guestpass_core::protect::LocationRequest {
        name: "UK and Ireland".into(),
        countries: vec!["gb".into(), "IE".into()],
        block_guests_outside: true,
        apps: Some(PolicyApps::All),
        ..Default::default()
    };
    // Checked here before anything is sent.
    let wide = guestpass_core::protect::LocationRequest {
        name: "Everywhere".into(),
        ip_ranges: vec!["8.0.0.0/8".into()],
        ..Default::default()
    };
    let p = s.engine.create_named_location(&wide).await.unwrap_err();
    assert_eq!(p.fields[0].field, "ipRanges");
    assert!(p.message.contains("too wide"), "{}", p.message);

    let preview = s
        .engine
        .clone()
        .with_dry_run(true)
        .create_named_location(&request)
        .await
        .unwrap();
    assert_eq!(preview.len(), 2);
    assert!(
        preview[0].summary.contains("countries GB, IE"),
        "{}",
        preview[0].summary
    );
    assert!(
        preview[1].summary.contains("cannot accept invitations"),
        "{}",
        preview[1].summary
    );

    let made = s.engine.create_named_location(&request).await.unwrap();
    assert_eq!(made[0].status, StepStatus::Changed);
    assert_eq!(made[1].status, StepStatus::Changed, "{}", made[1].summary);
    let view = s.engine.guest_protection().await.unwrap();
    assert_eq!(view.named_locations[0].what, "countries: GB, IE");
    let block = view
        .policies
        .iter()
        .find(|p| p.display_name == "Guestpass: block guests outside UK and Ireland")
        .unwrap();
    assert_eq!(block.state, "enabledForReportingButNotEnforced");
    assert_eq!(block.requires, vec!["block".to_string()]);

    // The pre-flight cannot tell where guests sign in from, and says so.
    let control = RunControl::new();
    let one = PreflightScope {
        emails: vec!["ana.souza@fabrikam.example".into()],
        domain: None,
    };
    let ana = s.engine.preflight(&one, &|_| {}, &control).await.unwrap();
    let reasons = &ana.guests[0].policies[0].reasons;
    assert!(reasons[0].contains("sign-in location"), "{reasons:?}");

    // Microsoft keeps a location a policy uses: the policy is undone first.
    let p = s.engine.undo_change(made[0].change_seq).await.unwrap_err();
    assert_eq!(p.kind, ProblemKind::Microsoft, "{p:?}");
    s.engine.undo_change(made[1].change_seq).await.unwrap();
    s.engine.undo_change(made[0].change_seq).await.unwrap();
    assert!(s.engine.guest_protection().await.unwrap().named_locations.is_empty());
}

#[tokio::test]
async fn guest_makers_are_switched_in_the_whole_settings_object_undone_and_granted_the_role() {
    let s = fast_tenant().await;
    let view = s.engine.makers().await.unwrap();
    assert!(!view.guests_can_make);
    assert!(view.notes[0].contains("not “same as members”"), "{:?}", view.notes);
    assert!(view.notes.iter().any(|n| n.contains("fails common security baselines")));

    let preview = s
        .engine
        .clone()
        .with_dry_run(true)
        .set_guest_makers(true)
        .await
        .unwrap();
    assert_eq!(preview.status, StepStatus::WouldChange);
    assert!(!s.engine.makers().await.unwrap().guests_can_make);
    let on = s.engine.set_guest_makers(true).await.unwrap();
    assert_eq!(on.status, StepStatus::Changed, "{}", on.summary);
    assert!(s.engine.makers().await.unwrap().guests_can_make);
    assert_eq!(
        s.engine.set_guest_makers(true).await.unwrap().status,
        StepStatus::Unchanged
    );
    s.engine.undo_change(on.change_seq).await.unwrap();
    assert!(!s.engine.makers().await.unwrap().guests_can_make);

    // The role goes through the Access step's path (licence first, then Dataverse).
    let g = common::invited(&s, "maker@partner.example").await;
    s.engine
        .set_profile(&guestpass_core::ProfileRequest {
            guest: g.clone(),
            usage_location: Some("GB".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    s.engine.assign_license(&g, "POWERAPPS_PER_USER").await.unwrap();
    let granted = s
        .engine
        .grant_environment_maker(&g, "https://northwindsales.crm4.dynamics.com")
        .await
        .unwrap();
    assert_eq!(granted.status, StepStatus::Changed, "{}", granted.summary);
    assert!(granted.summary.contains("Environment Maker"), "{}", granted.summary);

    // The readiness card says what else a maker needs.
    let card = |s: &Setup| {
        let request = guestpass_core::ReadinessRequest {
            email: "maker@partner.example".into(),
            environment: Some("Northwind Sales".into()),
            role: Some("Environment Maker".into()),
            ..Default::default()
        };
        let engine = s.engine.clone();
        async move {
            let r = engine.check_guest(&request).await.unwrap();
            r.items.into_iter().find(|i| i.label == "Can make apps").unwrap()
        }
    };
    let item = card(&s).await;
    assert!(!item.ok);
    assert!(
        item.detail.contains("does not let guests make Power Apps"),
        "{}",
        item.detail
    );
    assert!(item.detail.contains("same as members"), "{}", item.detail);
    s.engine.set_guest_makers(true).await.unwrap();
    let item = card(&s).await;
    assert!(!item.detail.contains("does not let guests"), "{}", item.detail);
}
