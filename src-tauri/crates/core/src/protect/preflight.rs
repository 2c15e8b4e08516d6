//! The pre-flight (issue 12, point 3): for each guest, Microsoft's What-If evaluation of every
//! Conditional Access policy — report-only ones included — for the apps guests use here, turned
//! into a verdict (unaffected / asked for MFA / blocked) with the reasons in words. One call per
//! guest, at Microsoft's pace of one Conditional Access call per second (the client spaces them).
//! A pre-flight of every guest is remembered per report-only policy: switching one on needs it.

use super::mfa::POWER_PLATFORM_APPS;
use super::policy::{preflight_key, state_words, PolicyState};
use crate::bulk::lookup::stop_if_cancelled;
use crate::bulk::RunControl;
use crate::engine::Engine;
use crate::partners::HomeOrganisation;
use crate::problem::Problem;
use guestpass_graph::models::User;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use ts_rs::TS;

/// What a policy would do to one guest's sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    Unaffected,
    /// Asked for MFA (at home when their tenant's MFA is trusted, else registered here).
    Mfa,
    Blocked,
}

/// One policy's answer for one guest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PolicyVerdict {
    pub id: String,
    pub display_name: String,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    pub state: String,
    pub applies: bool,
    /// Why, in words: what it asks of this guest, or what kept it out.
    pub reasons: Vec<String>,
}

/// One guest's verdict: the strictest of the policies that apply (report-only ones counted as
/// if switched on, since that is the question).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestVerdict {
    pub email: String,
    pub verdict: Verdict,
    pub policies: Vec<PolicyVerdict>,
}

/// A pre-flight's answers, guest by guest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Preflight {
    pub guests: Vec<GuestVerdict>,
    /// False when it was cancelled part-way (the guests so far are kept).
    pub complete: bool,
    /// What the evaluation assumed, in words (the apps, the sign-in's details).
    pub assumptions: Vec<String>,
}

/// Progress of a pre-flight, streamed while it works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreflightProgress {
    pub done: u32,
    pub total: u32,
}

/// Which guests to try.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreflightScope {
    /// These addresses only (empty: every guest).
    #[serde(default)]
    pub emails: Vec<String>,
    /// Only guests whose address is at this domain (one partner's people).
    #[serde(default)]
    pub domain: Option<String>,
}

/// The Microsoft 365 app group Conditional Access knows as `Office365`.
const OFFICE_365: &str = "Office365";

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn email_of(u: &User) -> String {
    u.mail
        .clone()
        .or_else(|| u.other_mails.first().cloned())
        .or_else(|| u.user_principal_name.clone())
        .unwrap_or_default()
        .to_lowercase()
}

fn domain_of(email: &str) -> String {
    email.rsplit_once('@').map(|(_, d)| d.to_string()).unwrap_or_default()
}

/// Why Microsoft says a policy does not apply, in words.
fn not_applied(reason: &str) -> String {
    match reason {
        "users" => "not for this guest (not included, or left out)".into(),
        "application" => "not for the apps guests use here".into(),
        "location" => "not for where they sign in from".into(),
        "devicePlatform" | "devices" => "not for their device".into(),
        "clientApps" => "not for the browser and apps they use".into(),
        "policyNotEnabled" => "switched off".into(),
        "notEnoughInformation" => {
            "cannot be told without their sign-in location or device (Microsoft's What-If needs them)".into()
        }
        other => format!("does not apply ({other})"),
    }
}

/// What an applying policy asks of this guest, and the verdict that makes.
fn applied(policy: &Value, home: Option<&HomeOrganisation>) -> (Verdict, Vec<String>) {
    let grant = &policy["grantControls"];
    let controls = strings(&grant["builtInControls"]);
    let trust = home.map(|h| &h.effective);
    let trusts_mfa = trust.and_then(|t| t.trust_mfa) == Some(true);
    let trusts_devices = trust.and_then(|t| t.trust_compliant_devices) == Some(true);
    let mut reasons = Vec::new();
    if controls.contains(&"block") {
        return (Verdict::Blocked, vec!["blocks the sign-in".into()]);
    }
    let any_of = grant["operator"] == "OR";
    let mut blocked = Vec::new();
    let mut satisfiable = 0;
    if controls.contains(&"mfa") {
        satisfiable += 1;
        reasons.push(match (home, trusts_mfa) {
            (Some(h), true) => format!("asks for MFA: {}'s own MFA counts here (MFA trust)", h.name),
            (Some(h), false) => format!(
                "asks for MFA: no MFA trust for {}, so they register MFA here at their first sign-in",
                h.name
            ),
            (None, _) => {
                "asks for MFA: no home tenant to trust, so they register MFA here at their first sign-in".into()
            }
        });
    }
    if !grant["authenticationStrength"].is_null() {
        if home.is_none() {
            blocked.push(
                "asks for an authentication strength, which a Google or one-time-passcode guest can never satisfy"
                    .to_string(),
            );
        } else {
            satisfiable += 1;
            reasons.push("asks for an authentication strength".into());
        }
    }
    for device in ["compliantDevice", "domainJoinedDevice"] {
        if !controls.contains(&device) {
            continue;
        }
        if trusts_devices {
            satisfiable += 1;
            reasons.push("asks for a managed device: their home tenant's device claims are trusted".into());
        } else {
            blocked.push("asks for a managed device, but devices from their home tenant are not trusted here".into());
        }
    }
    let other = controls
        .iter()
        .filter(|c| !["mfa", "compliantDevice", "domainJoinedDevice"].contains(c))
        .count();
    satisfiable += other;
    // With OR, one control they can meet is enough; with AND, one they cannot blocks them.
    let can_meet_one = any_of && satisfiable > 0;
    let verdict = if !blocked.is_empty() && !can_meet_one {
        Verdict::Blocked
    } else if satisfiable > 0 {
        Verdict::Mfa
    } else {
        Verdict::Unaffected
    };
    reasons.extend(blocked);
    (verdict, reasons)
}

/// One guest's verdict from Microsoft's What-If answer.
fn judge(email: String, results: &[Value], home: Option<&HomeOrganisation>, sign_ins: &[&Value]) -> GuestVerdict {
    let mut verdict = Verdict::Unaffected;
    let mut policies = Vec::new();
    for r in results {
        let applies = r["policyApplies"] == true;
        let mut reasons = if applies {
            let (v, reasons) = applied(r, home);
            verdict = verdict.max(v);
            reasons
        } else {
            vec![not_applied(r["analysisReasons"].as_str().unwrap_or_default())]
        };
        reasons.extend(recorded(r["id"].as_str().unwrap_or_default(), sign_ins));
        policies.push(PolicyVerdict {
            id: r["id"].as_str().unwrap_or_default().into(),
            display_name: r["displayName"].as_str().unwrap_or_default().into(),
            state: r["state"].as_str().unwrap_or_default().into(),
            applies,
            reasons,
        });
    }
    GuestVerdict {
        email,
        verdict,
        policies,
    }
}

/// What report-only mode recorded for policy `id` at the guest's sign-ins, in words.
fn recorded(id: &str, sign_ins: &[&Value]) -> Option<String> {
    let results: Vec<&str> = sign_ins
        .iter()
        .flat_map(|s| s["appliedConditionalAccessPolicies"].as_array().into_iter().flatten())
        .filter(|p| p["id"] == id)
        .filter_map(|p| p["result"].as_str())
        .collect();
    let count = |r: &str| results.iter().filter(|x| **x == r).count();
    let of = sign_ins.len();
    let (failure, interrupted) = (count("reportOnlyFailure"), count("reportOnlyInterrupted"));
    let said = match (failure, interrupted) {
        (0, 0) if count("reportOnlySuccess") > 0 => {
            format!("met at {} of their {of} sign-ins", count("reportOnlySuccess"))
        }
        (0, 0) => return None,
        (0, n) => format!("would have asked for more at {n} of their {of} sign-ins"),
        (n, 0) => format!("would have blocked {n} of their {of} sign-ins"),
        (f, i) => format!("would have blocked {f} and asked for more at {i} of their {of} sign-ins"),
    };
    Some(format!("report-only, last 30 days: {said}"))
}

impl Preflight {
    /// One line per guest and policy that applies to them (a guest nothing applies to gets one
    /// line without a policy), for a spreadsheet.
    pub fn to_csv(&self) -> Result<String, Problem> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| Problem::internal(e);
        w.write_record(["email", "verdict", "policy", "policy state", "reasons"])
            .map_err(failed)?;
        for g in &self.guests {
            let verdict = match g.verdict {
                Verdict::Unaffected => "unaffected",
                Verdict::Mfa => "mfa",
                Verdict::Blocked => "blocked",
            };
            let applying: Vec<&PolicyVerdict> = g.policies.iter().filter(|p| p.applies).collect();
            if applying.is_empty() {
                w.write_record([g.email.as_str(), verdict, "", "", ""])
                    .map_err(failed)?;
            }
            for p in applying {
                let state = state_words(&p.state);
                w.write_record([g.email.as_str(), verdict, &p.display_name, state, &p.reasons.join("; ")])
                    .map_err(failed)?;
            }
        }
        let bytes = w.into_inner().map_err(|e| Problem::internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(Problem::internal)
    }
}

impl PartialOrd for Verdict {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Verdict {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let rank = |v: &Verdict| match v {
            Verdict::Unaffected => 0,
            Verdict::Mfa => 1,
            Verdict::Blocked => 2,
        };
        rank(self).cmp(&rank(other))
    }
}

impl Engine {
    /// Asks Microsoft's What-If, guest by guest, what the tenant's policies would do. Reads only.
    pub async fn preflight(
        &self,
        scope: &PreflightScope,
        progress: &(dyn Fn(PreflightProgress) + Sync),
        control: &RunControl,
    ) -> Result<Preflight, Problem> {
        let view = self.guest_protection().await?;
        if !view.has_p1 {
            return Err(crate::action::refuse(
                "The tenant has no Microsoft Entra ID P1 licence, so it has no Conditional Access policies to try."
                    .into(),
                "Nothing to pre-flight: security defaults are what asks for MFA without P1.",
            ));
        }
        let guests = self.guests_in(scope).await?;
        // One read of the last 30 days (five reads per ten seconds allow no more), matched here.
        let since = (chrono::Utc::now() - chrono::Duration::days(30))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let (log, log_note) = match self.graph.sign_ins_since(&since).await {
            Ok(all) => {
                let note = format!("The sign-in log of the last 30 days was read ({} sign-ins): what report-only mode recorded is shown with each policy.", all.len());
                (all, note)
            }
            Err(e) => (
                vec![],
                format!(
                    "The sign-in log could not be read ({e}; {}): only Microsoft's What-If answers are shown.",
                    e.hint()
                ),
            ),
        };
        let total = guests.len() as u32;
        progress(PreflightProgress { done: 0, total });
        let mut homes: HashMap<String, Option<HomeOrganisation>> = HashMap::new();
        let mut out = Vec::new();
        let mut usual: Vec<&str> = POWER_PLATFORM_APPS.to_vec();
        usual.push(OFFICE_365);
        let mut complete = true;
        for guest in &guests {
            if stop_if_cancelled(control).is_err() {
                complete = false;
                break;
            }
            let email = email_of(guest);
            let domain = domain_of(&email);
            if !homes.contains_key(&domain) {
                let home = self.home_organisation(&domain).await;
                homes.insert(domain.clone(), home);
            }
            let home = homes[&domain].as_ref();
            let mut identity = json!({
                "@odata.type": "#microsoft.graph.userSignIn",
                "userId": guest.id,
                "externalUserType": if guest.user_type.as_deref() == Some("Member") { "b2bCollaborationMember" } else { "b2bCollaborationGuest" },
            });
            if let Some(h) = home {
                identity["externalTenantId"] = json!(h.tenant_id);
            }
            let theirs: Vec<&Value> = log.iter().filter(|s| s["userId"] == guest.id.as_str()).collect();
            // The apps guests use here, and any other app this guest signed in to lately.
            let mut apps = usual.clone();
            for app in theirs.iter().filter_map(|s| s["appId"].as_str()) {
                if !apps.iter().any(|a| a.eq_ignore_ascii_case(app)) {
                    apps.push(app);
                }
            }
            let body = json!({
                "signInIdentity": identity,
                "signInContext": {"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": apps},
                "signInConditions": {"clientAppType": "browser"},
                "appliedPoliciesOnly": false
            });
            let results = self
                .graph
                .evaluate_conditional_access(&body)
                .await
                .map_err(|e| Problem::from_graph(&format!("Asking Microsoft's What-If about {email}"), &e))?;
            out.push(judge(email, &results, home, &theirs));
            progress(PreflightProgress {
                done: out.len() as u32,
                total,
            });
        }
        let everyone = scope.emails.is_empty() && scope.domain.is_none();
        if complete && everyone {
            self.remember_preflight(&view.policies, &out)?;
        }
        Ok(Preflight {
            guests: out,
            complete,
            assumptions: vec![
                "Each guest signs in with a browser to Power Apps, Dataverse, Power Automate, the Power Platform API, Azure management and Microsoft 365, and to any other app the sign-in log shows them using in the last 30 days.".into(),
                "Their country, IP address and device are not known here: a policy that depends on them says it cannot be told.".into(),
                log_note,
            ],
        })
    }

    /// The guests a scope names; unknown addresses are refused by name.
    async fn guests_in(&self, scope: &PreflightScope) -> Result<Vec<User>, Problem> {
        let all = self
            .graph
            .list_guests(None)
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's guests", &e))?;
        let mut chosen: Vec<User> = all;
        if let Some(domain) = &scope.domain {
            let domain = domain.trim().trim_start_matches('@').to_lowercase();
            chosen.retain(|g| domain_of(&email_of(g)) == domain);
        }
        if !scope.emails.is_empty() {
            let wanted: Vec<String> = scope.emails.iter().map(|e| e.trim().to_lowercase()).collect();
            if let Some(missing) = wanted
                .iter()
                .find(|w| !chosen.iter().any(|g| g.addresses().contains(w) || &email_of(g) == *w))
            {
                return Err(Problem::field(
                    "email",
                    format!("{missing} is not a guest of this tenant."),
                    "Check the address, or invite them first.",
                ));
            }
            chosen.retain(|g| wanted.iter().any(|w| g.addresses().contains(w) || &email_of(g) == w));
        }
        Ok(chosen)
    }

    /// Notes, for each report-only policy, that every guest was tried and what it found.
    fn remember_preflight(&self, policies: &[super::GuestPolicy], guests: &[GuestVerdict]) -> Result<(), Problem> {
        let at = chrono::Utc::now().to_rfc3339();
        for p in policies.iter().filter(|p| p.state == PolicyState::ReportOnly.graph()) {
            let count = |v: Verdict| {
                guests
                    .iter()
                    .filter(|g| g.policies.iter().any(|x| x.id == p.id && x.applies) && g.verdict == v)
                    .count()
            };
            let note = json!({"at": at, "guests": guests.len(), "mfa": count(Verdict::Mfa), "blocked": count(Verdict::Blocked)});
            self.store
                .set_preference(&self.info.tenant_id, &preflight_key(&p.id), &note.to_string())
                .map_err(Problem::local)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partners::PartnerSettings;

    fn policy(applies: bool, reason: &str, grant: Value) -> Value {
        json!({"id": "p1", "displayName": "Guests MFA", "state": "enabledForReportingButNotEnforced",
               "policyApplies": applies, "analysisReasons": reason, "grantControls": grant})
    }

    fn home(trust_mfa: bool) -> HomeOrganisation {
        HomeOrganisation {
            tenant_id: "t".into(),
            name: "Fabrikam".into(),
            own: true,
            effective: PartnerSettings {
                trust_mfa: Some(trust_mfa),
                ..Default::default()
            },
        }
    }

    #[test]
    fn verdicts_say_why() {
        let mfa = json!({"operator": "OR", "builtInControls": ["mfa"]});
        let untrusted = judge(
            "a@f.example".into(),
            &[policy(true, "notSet", mfa.clone())],
            Some(&home(false)),
            &[],
        );
        assert_eq!(untrusted.verdict, Verdict::Mfa);
        assert!(untrusted.policies[0].reasons[0].contains("no MFA trust for Fabrikam"));
        let trusted = judge(
            "a@f.example".into(),
            &[policy(true, "notSet", mfa.clone())],
            Some(&home(true)),
            &[],
        );
        assert!(trusted.policies[0].reasons[0].contains("MFA counts here"));
        let left_out = judge("a@f.example".into(), &[policy(false, "users", mfa)], None, &[]);
        assert_eq!(left_out.verdict, Verdict::Unaffected);
        assert!(left_out.policies[0].reasons[0].starts_with("not for this guest"));
        let block = judge(
            "a@f.example".into(),
            &[policy(
                true,
                "notSet",
                json!({"operator": "OR", "builtInControls": ["block"]}),
            )],
            None,
            &[],
        );
        assert_eq!(block.verdict, Verdict::Blocked);
        let device = json!({"operator": "AND", "builtInControls": ["compliantDevice"]});
        let untrusted_device = judge(
            "a@f.example".into(),
            &[policy(true, "notSet", device)],
            Some(&home(true)),
            &[],
        );
        assert_eq!(untrusted_device.verdict, Verdict::Blocked);
        assert!(untrusted_device.policies[0].reasons[0].contains("not trusted"));
        let strength = json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "x"}});
        let google = judge("a@gmail.com".into(), &[policy(true, "notSet", strength)], None, &[]);
        assert_eq!(google.verdict, Verdict::Blocked);
    }

    #[test]
    fn what_report_only_recorded_is_said_per_policy() {
        let s1 = json!({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "reportOnlyInterrupted"}]});
        let s2 = json!({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "reportOnlyNotApplied"}]});
        assert_eq!(
            recorded("p1", &[&s1, &s2]).unwrap(),
            "report-only, last 30 days: would have asked for more at 1 of their 2 sign-ins"
        );
        assert_eq!(recorded("p2", &[&s1]), None);
        let mfa = json!({"operator": "OR", "builtInControls": ["mfa"]});
        let g = judge("a@f.example".into(), &[policy(true, "notSet", mfa)], None, &[&s1]);
        assert_eq!(g.policies[0].reasons.len(), 2);
    }
}
