//! Per-partner cross-tenant settings against the sandbox tenant: finding the partner's tenant,
//! adding, changing and removing its settings, every change recorded and undoable.

mod common;

use common::setup;
use guestpass_core::action::StepStatus;
use guestpass_core::partners::PartnerSettings;
use guestpass_core::ProblemKind;
use guestpass_sandbox::SandboxConfig;

const FABRIKAM: &str = "8e3b1d6a-2f4c-4a7e-9b1d-3c5e7f9a1b2c";

#[tokio::test]
async fn a_partner_is_found_from_its_domain_and_odd_domains_are_refused_with_the_reason() {
    let s = setup(SandboxConfig::default()).await;
    let t = s.engine.find_partner_tenant(" @Fabrikam.example ").await.unwrap();
    assert_eq!((t.tenant_id.as_str(), t.name.as_str()), (FABRIKAM, "Fabrikam, Inc."));
    for (domain, says) in [
        ("gmail.com", "personal-mail domain"),
        ("nobody-uses-this.example", "No Microsoft Entra tenant uses"),
        ("northwind.example", "belongs to this tenant"),
        ("not a domain", "is not a domain"),
    ] {
        let p = s.engine.find_partner_tenant(domain).await.unwrap_err();
        assert_eq!(p.kind, ProblemKind::Invalid, "{domain}");
        assert!(p.message.contains(says), "{domain}: {}", p.message);
        assert_eq!(p.fields[0].field, "domain");
    }
}

#[tokio::test]
async fn settings_are_added_changed_removed_and_each_change_undone() {
    let s = setup(SandboxConfig::default()).await;
    let overview = s.engine.partners_overview().await.unwrap();
    assert!(overview.partners.is_empty());
    assert_eq!(overview.default.trust_mfa, Some(false));

    // Add: trust Fabrikam's MFA; the rest inherits.
    let trust = PartnerSettings {
        trust_mfa: Some(true),
        ..Default::default()
    };
    let added = s.engine.set_partner("fabrikam.example", &trust).await.unwrap();
    assert_eq!(added.status, StepStatus::Changed);
    assert!(
        added.summary.contains("trust their MFA: inherited → yes"),
        "{}",
        added.summary
    );
    let again = s.engine.set_partner("fabrikam.example", &trust).await.unwrap();
    assert_eq!(again.status, StepStatus::Unchanged);

    let overview = s.engine.partners_overview().await.unwrap();
    let fabrikam = &overview.partners[0];
    assert_eq!(fabrikam.tenant.name, "Fabrikam, Inc.");
    assert_eq!(fabrikam.settings, trust);
    assert_eq!(fabrikam.effective.trust_mfa, Some(true));
    assert_eq!(
        fabrikam.effective.collaboration_inbound,
        Some(true),
        "inherited from the default"
    );
    assert_eq!(fabrikam.guests, ["ana.souza@fabrikam.example"]);

    // Change: also let them in through B2B direct connect.
    let more = PartnerSettings {
        direct_connect_inbound: Some(true),
        direct_connect_outbound: Some(true),
        ..trust.clone()
    };
    let changed = s.engine.set_partner("fabrikam.example", &more).await.unwrap();
    assert!(
        changed.summary.contains("B2B direct connect in: inherited → yes"),
        "{}",
        changed.summary
    );
    assert_eq!(
        s.engine.partner("fabrikam.example").await.unwrap().settings,
        Some(more.clone())
    );

    // Undo the change: back to MFA trust only.
    let undone = s.engine.undo_change(changed.change_seq).await.unwrap();
    assert_eq!(undone.status, StepStatus::Changed);
    assert_eq!(
        s.engine.partner("fabrikam.example").await.unwrap().settings,
        Some(trust.clone())
    );

    // Remove, then undo the removal: the configuration comes back as it was.
    let removed = s.engine.remove_partner("fabrikam.example").await.unwrap();
    assert_eq!(s.engine.partner("fabrikam.example").await.unwrap().settings, None);
    let refused = s.engine.remove_partner("fabrikam.example").await.unwrap_err();
    assert!(
        refused.message.contains("has no partner settings"),
        "{}",
        refused.message
    );
    s.engine.undo_change(removed.change_seq).await.unwrap();
    assert_eq!(
        s.engine.partner("fabrikam.example").await.unwrap().settings,
        Some(trust.clone())
    );

    // The settings are again what the first change made, so it can be undone: no configuration.
    s.engine.undo_change(added.change_seq).await.unwrap();
    assert_eq!(s.engine.partner("fabrikam.example").await.unwrap().settings, None);
    // The change undone earlier cannot be undone twice, and after other changes it refuses.
    let p = s.engine.undo_change(changed.change_seq).await.unwrap_err();
    assert!(p.message.contains("already undone"), "{}", p.message);
    let readded = s.engine.set_partner("fabrikam.example", &more).await.unwrap();
    s.engine.set_partner("fabrikam.example", &trust).await.unwrap();
    let p = s.engine.undo_change(readded.change_seq).await.unwrap_err();
    assert!(p.message.contains("changed again since"), "{}", p.message);
    let history = s.engine.recent_changes(20).unwrap();
    assert!(history.iter().all(|r| r.action.contains("partner_settings")));
    assert_eq!(
        history.len(),
        9,
        "add, unchanged, change, undo, remove, undo, undo, add, change"
    );
}

#[tokio::test]
async fn undoing_the_addition_removes_the_configuration_and_a_dry_run_changes_nothing() {
    let s = setup(SandboxConfig::default()).await;
    let direct = PartnerSettings {
        direct_connect_inbound: Some(true),
        ..Default::default()
    };
    let dry = s.engine.clone().with_dry_run(true);
    let would = dry.set_partner("contoso-partners.example", &direct).await.unwrap();
    assert_eq!(would.status, StepStatus::WouldChange);
    assert!(
        would.summary.starts_with("Would add settings for Contoso Partners Ltd"),
        "{}",
        would.summary
    );
    assert_eq!(
        s.engine.partner("contoso-partners.example").await.unwrap().settings,
        None
    );
    assert!(s.engine.recent_changes(10).unwrap().is_empty());

    let added = s.engine.set_partner("contoso-partners.example", &direct).await.unwrap();
    let undone = s.engine.undo_change(added.change_seq).await.unwrap();
    assert!(undone.summary.contains("back"), "{}", undone.summary);
    assert_eq!(
        s.engine.partner("contoso-partners.example").await.unwrap().settings,
        None
    );

    // Asking for nothing but inheritance where there is no configuration adds nothing.
    let nothing = s
        .engine
        .set_partner("contoso-partners.example", &PartnerSettings::default())
        .await
        .unwrap();
    assert_eq!(nothing.status, StepStatus::Unchanged);
    assert_eq!(
        s.engine.partner("contoso-partners.example").await.unwrap().settings,
        None
    );
}

#[tokio::test]
async fn the_readiness_card_names_the_guests_organisation_and_what_its_settings_do() {
    let s = setup(SandboxConfig::default()).await;
    let check = |email: &str| guestpass_core::ReadinessRequest {
        email: email.into(),
        license: None,
        groups: vec![],
        environment: None,
        role: None,
    };
    let org = |r: &guestpass_core::Readiness| r.items.iter().find(|i| i.label == "Their organisation").cloned();
    let card = s
        .engine
        .check_guest(&check("ana.souza@fabrikam.example"))
        .await
        .unwrap();
    let item = org(&card).unwrap();
    assert!(
        item.ok && item.detail.contains("the default settings"),
        "{}",
        item.detail
    );

    let block = PartnerSettings {
        collaboration_inbound: Some(false),
        trust_mfa: Some(true),
        ..Default::default()
    };
    s.engine.set_partner("fabrikam.example", &block).await.unwrap();
    let item = org(&s
        .engine
        .check_guest(&check("ana.souza@fabrikam.example"))
        .await
        .unwrap())
    .unwrap();
    assert!(!item.ok, "{}", item.detail);
    assert!(
        item.detail.contains("Fabrikam, Inc.'s own settings") && item.detail.contains("blocks"),
        "{}",
        item.detail
    );

    // A domain with no tenant behind it (or a personal one) names no organisation.
    let card = s.engine.check_guest(&check("someone@gmail.com")).await.unwrap();
    assert!(org(&card).is_none());
}

#[tokio::test]
async fn collaboration_can_be_limited_to_groups_of_theirs_given_as_object_ids() {
    let s = setup(SandboxConfig::default()).await;
    let group = "6F546279-4DA5-4B53-A095-09EA0CEF9971";
    let limited = PartnerSettings {
        collaboration_inbound: Some(true),
        collaboration_groups: vec![group.into(), " ".into()],
        ..Default::default()
    };
    s.engine.set_partner("litware.example", &limited).await.unwrap();
    let now = s.engine.partner("litware.example").await.unwrap().settings.unwrap();
    assert_eq!(now.collaboration_groups, [group.to_lowercase()]);

    let bad = PartnerSettings {
        collaboration_groups: vec!["Sales team".into()],
        ..limited.clone()
    };
    let p = s.engine.set_partner("litware.example", &bad).await.unwrap_err();
    assert_eq!(p.fields[0].field, "collaborationGroups");
    assert!(p.message.contains("not a group's object id"), "{}", p.message);
    let blocked = PartnerSettings {
        collaboration_inbound: Some(false),
        ..limited
    };
    let p = s.engine.set_partner("litware.example", &blocked).await.unwrap_err();
    assert!(p.message.contains("only when it is allowed"), "{}", p.message);
}
