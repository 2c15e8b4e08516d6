//! A partner's project ends: its guests listed with what they hold, then off-boarded as a
//! resumable run (groups and licences taken, sign-in blocked, accounts removed when due), each
//! step recorded and undoable, and the run exported as evidence.

mod common;

use common::{invited, reconnect, setup};
use guestpass_core::bulk::RunControl;
use guestpass_core::{ProfileRequest, StepState};
use guestpass_sandbox::SandboxConfig;

#[tokio::test]
async fn a_partners_guests_lose_their_access_in_a_resumable_run_recorded_as_evidence() {
    let s = setup(SandboxConfig::default()).await;
    let pat = invited(&s, "pat@fabrikam.example").await;
    s.engine.add_to_group(&pat, "Partner portal users").await.unwrap();
    s.engine
        .set_profile(&ProfileRequest {
            guest: pat.clone(),
            given_name: None,
            surname: None,
            usage_location: Some("DE".into()),
        })
        .await
        .unwrap();
    s.engine.assign_license(&pat, "POWERAPPS_PER_USER").await.unwrap();
    s.engine
        .assign_dataverse_role(&pat, "Northwind Sales", "Basic User")
        .await
        .unwrap();
    s.sb.add_access_package_assignment(pat.user_id.as_deref().unwrap(), "Fabrikam project")
        .unwrap();
    invited(&s, "kim@contoso.example").await;

    let plan = s.engine.offboarding_plan("@Fabrikam.example", Some(30)).await.unwrap();
    let emails: Vec<&str> = plan.guests.iter().map(|g| g.email.as_str()).collect();
    assert_eq!(
        emails,
        ["ana.souza@fabrikam.example", "pat@fabrikam.example"],
        "only that partner's guests"
    );
    let p = plan.guests.iter().find(|g| g.email == "pat@fabrikam.example").unwrap();
    assert_eq!(
        p.groups.iter().map(|g| g.1.as_str()).collect::<Vec<_>>(),
        ["Partner portal users"]
    );
    assert_eq!(
        p.licenses.iter().map(|l| l.1.as_str()).collect::<Vec<_>>(),
        ["POWERAPPS_PER_USER"]
    );
    assert_eq!(
        p.dataverse_roles.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["Basic User in Northwind Sales"]
    );
    assert_eq!(
        p.access_packages.iter().map(|a| a.1.as_str()).collect::<Vec<_>>(),
        ["Fabrikam project"]
    );
    assert!(s.engine.offboarding_plan("not a domain", None).await.is_err());

    let run = s.engine.start_offboarding(&plan).unwrap();
    // Stopped at once: nothing done, every step still waiting.
    let control = RunControl::new();
    control.cancel();
    s.engine.run_import(run, control, &|_| {}).await.unwrap();
    assert!(s
        .engine
        .run_rows(run)
        .unwrap()
        .iter()
        .all(|r| r.steps.iter().all(|st| st.state == StepState::Pending)));
    // A restart resumes it.
    let engine = reconnect(&s).await;
    assert_eq!(engine.unfinished_offboarding("fabrikam.example").unwrap(), Some(run));
    engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    let rows = engine.run_rows(run).unwrap();
    let pat_row = rows.iter().find(|r| r.email == "pat@fabrikam.example").unwrap();
    let states: Vec<(&str, StepState)> = pat_row.steps.iter().map(|st| (st.kind.as_str(), st.state)).collect();
    assert_eq!(
        states,
        [
            ("leave-group", StepState::Done),
            ("drop-package", StepState::Done),
            ("drop-role", StepState::Done),
            ("drop-license", StepState::Done),
            ("block", StepState::Done),
            ("remove-account", StepState::Pending)
        ],
        "{pat_row:?}"
    );
    assert!(pat_row.steps[5].summary.as_deref().unwrap().contains("Removal due on"));
    let after = engine.offboarding_plan("fabrikam.example", None).await.unwrap();
    let p = after.guests.iter().find(|g| g.email == "pat@fabrikam.example").unwrap();
    assert!(
        p.groups.is_empty()
            && p.licenses.is_empty()
            && p.dataverse_roles.is_empty()
            && p.access_packages.is_empty()
            && !p.enabled,
        "{p:?}"
    );
    assert_eq!(
        engine.unfinished_offboarding("fabrikam.example").unwrap(),
        Some(run),
        "the removal is still due"
    );

    // The evidence: every step with Microsoft's request-id and the change's hashes.
    let evidence = engine.offboarding_evidence(run).unwrap();
    assert_eq!(evidence["chain"]["firstBreak"], serde_json::Value::Null);
    let steps = evidence["guests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["email"] == "pat@fabrikam.example")
        .unwrap()["steps"]
        .clone();
    assert_eq!(steps[0]["change"]["action"], "remove_from_group");
    assert_eq!(steps[0]["change"]["hash"].as_str().unwrap().len(), 64);
    assert_eq!(steps[1]["change"]["action"], "remove_package_assignment");
    assert!(steps[2]["requestId"].is_string());
    assert_eq!(steps[2]["change"]["action"], "remove_dataverse_role");
    // An access package is not given back by an undo (its policy decides who gets it).
    let package_seq = steps[1]["change"]["seq"].as_i64().unwrap();
    assert!(engine.undo_change(package_seq).await.is_err());

    // Taking the group away is undone like any change.
    let seq = steps[0]["change"]["seq"].as_i64().unwrap();
    let back = engine.undo_change(seq).await.unwrap();
    assert!(back.summary.contains("back"), "{}", back.summary);
    // So is taking the Dataverse role.
    let role_seq = steps[2]["change"]["seq"].as_i64().unwrap();
    engine.undo_change(role_seq).await.unwrap();
    let again = engine.offboarding_plan("fabrikam.example", None).await.unwrap();
    let p = again.guests.iter().find(|g| g.email == "pat@fabrikam.example").unwrap();
    assert_eq!((p.groups.len(), p.dataverse_roles.len()), (1, 1), "{p:?}");
}

#[tokio::test]
async fn with_no_delay_the_accounts_are_removed_in_the_same_run() {
    let s = setup(SandboxConfig::default()).await;
    invited(&s, "lee@northwind-partners.example").await;
    let plan = s
        .engine
        .offboarding_plan("northwind-partners.example", Some(0))
        .await
        .unwrap();
    let run = s.engine.start_offboarding(&plan).unwrap();
    s.engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    let rows = s.engine.run_rows(run).unwrap();
    assert!(rows[0].steps.iter().all(|st| st.state == StepState::Done), "{rows:?}");
    assert!(!s.sb.user_mails().iter().any(|m| m == "lee@northwind-partners.example"));
    assert_eq!(
        s.engine.unfinished_offboarding("northwind-partners.example").unwrap(),
        None
    );
    let nobody = s.engine.offboarding_plan("nobody.example", None).await.unwrap();
    assert!(s.engine.start_offboarding(&nobody).is_err());
}
