//! A partner extranet end to end against the sandbox tenant: refused without P2 and for a
//! personal-mail domain, previewed, created in Microsoft's order (each piece recorded), run
//! again without creating anything twice, the partner's people asking and being approved,
//! the overview with the link, requests and assignments, and removal in reverse — refused
//! while someone holds the package.

mod common;

use common::{invited, setup};
use guestpass_core::extranet::{ExternalLifecycle, ExtranetRequest};
use guestpass_core::{ChangeFilter, StepStatus};
use guestpass_sandbox::SandboxConfig;

fn request() -> ExtranetRequest {
    ExtranetRequest {
        partner_domain: "Fabrikam.example".into(),
        name: "Falcon partner access".into(),
        groups: vec!["Partner portal users".into()],
        approver: Some("alex.wilber@northwind.example".into()),
        fallback_approver: Some("megan.bowen@northwind.example".into()),
        sponsors: vec!["megan.bowen@northwind.example".into()],
        review_every_months: Some(3),
        ..ExtranetRequest::default()
    }
}

#[tokio::test]
async fn a_partner_extranet_is_refused_previewed_made_once_used_and_removed_in_reverse() {
    let s = setup(SandboxConfig::default()).await;
    let req = request();

    // Licence first: nothing is sent without P2 / ID Governance.
    s.sb.remove_subscription("AAD_PREMIUM_P2").unwrap();
    let refused = s.engine.create_extranet(&req).await.unwrap_err();
    assert!(refused.message.contains("Entra ID P2"), "{}", refused.message);
    assert!(refused.hint.contains("sponsors approving"), "{}", refused.hint);
    assert!(!s.engine.extranet_overview().await.unwrap().licensed);
    s.sb.add_subscription("AAD_PREMIUM_P2", "AAD_PREMIUM_P2").unwrap();

    let gmail = ExtranetRequest {
        partner_domain: "gmail.com".into(),
        ..req.clone()
    };
    let p = s.engine.create_extranet(&gmail).await.unwrap_err();
    assert_eq!(p.fields[0].field, "partnerDomain");
    assert!(p.message.contains("personal-mail"), "{}", p.message);
    let nobody = ExtranetRequest {
        approver: None,
        sponsors: vec![],
        ..req.clone()
    };
    assert_eq!(
        s.engine.create_extranet(&nobody).await.unwrap_err().fields[0].field,
        "approver"
    );
    assert!(s.engine.recent_changes(50).unwrap().is_empty(), "nothing recorded");

    // Preview: every piece in order, nothing sent.
    let preview = s.engine.clone().with_dry_run(true).create_extranet(&req).await.unwrap();
    let words: Vec<&str> = preview.steps.iter().map(|o| o.summary.as_str()).collect();
    assert!(
        preview.steps.iter().all(|o| o.status == StepStatus::WouldChange),
        "{words:?}"
    );
    assert_eq!(preview.steps.len(), 6, "{words:?}");
    assert!(words[0].contains("connected organisation Fabrikam"), "{words:?}");
    assert!(words[4].contains("hidden"), "{words:?}");
    assert!(words[5].contains("alex.wilber@northwind.example"), "{words:?}");
    assert!(preview.my_access_link.is_none());
    assert!(
        s.engine.recent_changes(50).unwrap().is_empty(),
        "a dry run records nothing"
    );

    let made = s.engine.create_extranet(&req).await.unwrap();
    assert!(
        made.steps.iter().all(|o| o.status == StepStatus::Changed),
        "{:?}",
        made.steps
    );
    assert!(made.steps.iter().all(|o| o.request_id.is_some()), "{:?}", made.steps);
    let package = made.package_id.clone().unwrap();
    let link = made.my_access_link.clone().unwrap();
    assert!(link.starts_with("https://myaccess.microsoft.com/@"), "{link}");
    assert!(link.ends_with(&format!("#/access-packages/{package}")), "{link}");
    assert!(made.message_for_partner.contains(&link));
    assert_eq!(made.billing.len(), 1, "a named approver bills no guest");

    // Again: everything is found, nothing made twice.
    let again = s.engine.create_extranet(&req).await.unwrap();
    assert!(
        again.steps.iter().all(|o| o.status == StepStatus::Unchanged),
        "{:?}",
        again.steps
    );
    assert_eq!(again.package_id.as_deref(), Some(package.as_str()));

    // The partner's people ask; a personal account is not covered.
    assert!(s.sb.request_access_package("someone@gmail.com", &package).is_err());
    let asked = s.sb.request_access_package("pat@fabrikam.example", &package).unwrap();
    assert_eq!(asked["state"], "pendingApproval");
    let view = s.engine.extranet_overview().await.unwrap();
    let fabrikam = view.partners.iter().find(|p| p.name == "Fabrikam, Inc.").unwrap();
    assert_eq!(fabrikam.state, "configured");
    assert_eq!(fabrikam.internal_sponsors, ["megan.bowen@northwind.example"]);
    assert_eq!(fabrikam.packages[0].my_access_link, link);
    assert_eq!(fabrikam.packages[0].pending[0].who, "pat@fabrikam.example");
    assert!(
        fabrikam.packages[0].policy.contains("180 days"),
        "{}",
        fabrikam.packages[0].policy
    );
    s.sb.approve_access_request(asked["id"].as_str().unwrap()).unwrap();
    let view = s.engine.extranet_overview().await.unwrap();
    let held = &view.partners[0].packages[0];
    assert!(held.pending.is_empty());
    assert_eq!(held.assignments[0].who, "pat@fabrikam.example");
    assert!(held.assignments[0].expires.is_some());

    // Removal is refused while Pat holds it; after the assignment ends it goes, newest first.
    let refused = s.engine.remove_extranet(&package).await.unwrap_err();
    assert!(refused.message.contains("1 person still has"), "{}", refused.message);
    let ended = s
        .engine
        .remove_extranet_assignment(&package, &held.assignments[0].id)
        .await
        .unwrap();
    assert_eq!(ended.status, StepStatus::Changed);
    let preview = s
        .engine
        .clone()
        .with_dry_run(true)
        .remove_extranet(&package)
        .await
        .unwrap();
    assert!(
        preview.iter().all(|o| o.status == StepStatus::WouldChange),
        "{preview:?}"
    );
    let removed = s.engine.remove_extranet(&package).await.unwrap();
    let words: Vec<&str> = removed.iter().map(|o| o.summary.as_str()).collect();
    assert_eq!(removed.len(), 6, "{words:?}");
    assert!(words[0].contains("Deleted the policy"), "{words:?}");
    assert!(words[1].contains("Deleted the access package"), "{words:?}");
    assert!(words[5].contains("Deleted the connected organisation"), "{words:?}");
    let view = s.engine.extranet_overview().await.unwrap();
    assert!(view.partners.iter().all(|p| p.name != "Fabrikam, Inc."), "{view:?}");
    assert!(
        s.engine.remove_extranet(&package).await.is_err(),
        "nothing left to remove"
    );
    let undos = s
        .engine
        .store()
        .query_changes(&ChangeFilter {
            text: None,
            ..Default::default()
        })
        .unwrap()
        .iter()
        .filter(|r| r.action.starts_with("undo_"))
        .count();
    assert_eq!(undos, 6, "each removal recorded as the undo of its creation");
}

#[tokio::test]
async fn sponsors_approving_bill_the_meter_and_the_lifecycle_setting_is_undone() {
    let s = setup(SandboxConfig::default()).await;
    let lee = invited(&s, "lee@fabrikam.example").await;
    let req = ExtranetRequest {
        approver: None,
        sponsors: vec![lee.email.clone()],
        review_every_months: None,
        hidden: false,
        ..request()
    };
    let made = s.engine.create_extranet(&req).await.unwrap();
    assert_eq!(made.billing.len(), 2, "{:?}", made.billing);
    assert!(made.billing[1].contains("Governance meter"));
    let view = s.engine.extranet_overview().await.unwrap();
    assert_eq!(view.partners[0].external_sponsors, ["lee@fabrikam.example"]);
    assert!(view.partners[0].packages[0].policy.contains("external sponsors"));

    // A second package for the same partner and catalog: removing it keeps what the first uses.
    let second = ExtranetRequest {
        name: "Falcon reports".into(),
        ..req.clone()
    };
    let two = s.engine.create_extranet(&second).await.unwrap();
    let statuses: Vec<StepStatus> = two.steps.iter().map(|o| o.status).collect();
    assert_eq!(statuses[0], StepStatus::Unchanged, "the organisation is reused");
    let removed = s
        .engine
        .remove_extranet(two.package_id.as_deref().unwrap())
        .await
        .unwrap();
    let kept: Vec<&str> = removed
        .iter()
        .filter(|o| o.status == StepStatus::Unchanged)
        .map(|o| o.summary.as_str())
        .collect();
    assert!(
        removed.len() == 2,
        "only the second package and its policy: {removed:?} {kept:?}"
    );
    assert!(s.engine.extranet_overview().await.unwrap().partners[0].packages.len() == 1);

    let before = s.engine.external_lifecycle().await.unwrap();
    assert_eq!(before.action, "none");
    let to = ExternalLifecycle {
        action: "blockSignInAndDelete".into(),
        delete_after_days: 45,
    };
    let set = s.engine.set_external_lifecycle(&to).await.unwrap();
    assert_eq!(set.status, StepStatus::Changed);
    assert_eq!(s.engine.external_lifecycle().await.unwrap(), to);
    s.engine.undo_change(set.change_seq).await.unwrap();
    assert_eq!(s.engine.external_lifecycle().await.unwrap().action, "none");
    let bad = ExternalLifecycle {
        action: "delete".into(),
        delete_after_days: 30,
    };
    assert_eq!(
        s.engine.set_external_lifecycle(&bad).await.unwrap_err().fields[0].field,
        "action"
    );
}

#[tokio::test]
async fn a_proposed_organisation_is_configured_and_set_back_when_the_extranet_goes() {
    let s = setup(SandboxConfig::default()).await;
    let proposed = s.sb.propose_organization("fabrikam.example").unwrap();
    let preview = s
        .engine
        .clone()
        .with_dry_run(true)
        .create_extranet(&request())
        .await
        .unwrap();
    assert!(
        preview.steps[0].summary.contains("from proposed to configured"),
        "{}",
        preview.steps[0].summary
    );
    let made = s.engine.create_extranet(&request()).await.unwrap();
    let view = s.engine.extranet_overview().await.unwrap();
    assert_eq!(
        view.partners.len(),
        1,
        "the proposed organisation is used, not a second one"
    );
    assert_eq!(view.partners[0].id, proposed["id"].as_str().unwrap());
    assert_eq!(view.partners[0].state, "configured");
    let removed = s
        .engine
        .remove_extranet(made.package_id.as_deref().unwrap())
        .await
        .unwrap();
    let last = &removed.last().unwrap().summary;
    assert!(last.contains("to proposed"), "{last}");
    let view = s.engine.extranet_overview().await.unwrap();
    assert_eq!(view.partners[0].state, "proposed", "as it was before");
}

#[tokio::test]
async fn people_are_found_by_name_or_address_members_first() {
    let s = setup(SandboxConfig::default()).await;
    invited(&s, "megan.b@fabrikam.example").await;
    let found = s.engine.search_people("megan").await.unwrap();
    let addresses: Vec<&str> = found.iter().map(|p| p.address.as_str()).collect();
    assert_eq!(addresses[0], "megan.bowen@northwind.example", "{addresses:?}");
    assert!(!found[0].guest);
    assert!(
        found.iter().any(|p| p.guest && p.address == "megan.b@fabrikam.example"),
        "{addresses:?}"
    );
    assert!(s.engine.search_people("  ").await.unwrap().is_empty());
}
