//! The bodies Microsoft is sent for a partner's connected organisation and for the assignment
//! policy of its package (v1.0 shape: `allowedTargetScope` + `specificAllowedTargets`, not the
//! beta `requestorSettings.scopeType`), and the same choices in words for the preview and the
//! partner's contact.

use super::{Approvers, ExtranetRequest, Person};
use serde_json::{json, Value};

/// A configured connected organisation found by its domain (and its tenant, when Microsoft knows one).
pub(crate) fn organization(name: &str, domain: &str, tenant_id: Option<&str>) -> Value {
    let mut sources = vec![json!({
        "@odata.type": "#microsoft.graph.domainIdentitySource",
        "domainName": domain,
        "displayName": domain,
    })];
    if let Some(t) = tenant_id {
        sources.push(json!({
            "@odata.type": "#microsoft.graph.azureActiveDirectoryTenant",
            "tenantId": t,
            "displayName": name,
        }));
    }
    json!({
        "displayName": name,
        "description": format!("{domain}, connected by Guestpass."),
        "identitySources": sources,
        "state": "configured",
    })
}

fn single_user(p: &Person) -> Value {
    json!({"@odata.type": "#microsoft.graph.singleUser", "userId": p.id, "description": p.address})
}

/// The policy: the partner's people may ask (and ask again before expiry), the approvers decide
/// within `auto_deny_days`, access ends after `expire_days`, optionally reviewed every N months.
pub(crate) fn assignment_policy(
    name: &str,
    org_id: &str,
    req: &ExtranetRequest,
    approvers: &Approvers,
    fallback: Option<&Person>,
) -> Value {
    let primary = match approvers {
        Approvers::Named(p) => single_user(p),
        Approvers::ExternalSponsors => json!({"@odata.type": "#microsoft.graph.externalSponsors"}),
        Approvers::InternalSponsors => json!({"@odata.type": "#microsoft.graph.internalSponsors"}),
    };
    let fallbacks: Vec<Value> = fallback.map(single_user).into_iter().collect();
    let review = match req.review_every_months {
        Some(months) => {
            let reviewer = match approvers {
                Approvers::Named(p) => Some(p),
                _ => fallback,
            };
            json!({
                "isEnabled": true,
                "expirationBehavior": "removeAccess",
                // Recommendations and inactive-user reviews of guests bill the Governance meter.
                "isRecommendationEnabled": false,
                "isReviewerJustificationRequired": true,
                "isSelfReview": false,
                "schedule": {
                    "startDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "expiration": {"type": "afterDuration", "duration": "P14D"},
                    "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": months}, "range": {"type": "noEnd"}}
                },
                "primaryReviewers": reviewer.map(single_user).into_iter().collect::<Vec<_>>(),
                "fallbackReviewers": []
            })
        }
        None => json!({"isEnabled": false}),
    };
    json!({
        "displayName": name,
        "description": "Made by Guestpass: who may ask, who approves, when it ends.",
        "allowedTargetScope": "specificConnectedOrganizationUsers",
        "specificAllowedTargets": [{
            "@odata.type": "#microsoft.graph.connectedOrganizationMembers",
            "connectedOrganizationId": org_id,
        }],
        "expiration": {"type": "afterDuration", "duration": format!("P{}D", req.expire_days)},
        "requestorSettings": {
            "enableTargetsToSelfAddAccess": true,
            "enableTargetsToSelfUpdateAccess": true,
            "enableTargetsToSelfRemoveAccess": true,
            "allowCustomAssignmentSchedule": false,
            "enableOnBehalfRequestorsToAddAccess": false,
            "enableOnBehalfRequestorsToUpdateAccess": false,
            "enableOnBehalfRequestorsToRemoveAccess": false,
        },
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": true,
            "isApprovalRequiredForUpdate": true,
            "stages": [{
                "durationBeforeAutomaticDenial": format!("P{}D", req.auto_deny_days),
                "isApproverJustificationRequired": false,
                "isEscalationEnabled": false,
                "durationBeforeEscalation": "PT0S",
                "primaryApprovers": [primary],
                "fallbackPrimaryApprovers": fallbacks,
                "escalationApprovers": [],
                "fallbackEscalationApprovers": [],
            }],
        },
        "reviewSettings": review,
    })
}

/// Who approves, in words.
pub(crate) fn approved_by(approvers: &Approvers, fallback: Option<&Person>) -> String {
    let main = match approvers {
        Approvers::Named(p) => p.address.clone(),
        Approvers::ExternalSponsors => "the partner's external sponsors".into(),
        Approvers::InternalSponsors => "the partner's internal sponsors".into(),
    };
    match fallback {
        Some(f) => format!("{main} (or {} when they cannot)", f.address),
        None => main,
    }
}

/// The policy in words, for the preview.
pub(crate) fn in_words(req: &ExtranetRequest, approvers: &Approvers, fallback: Option<&Person>) -> String {
    let review = match req.review_every_months {
        Some(1) => ", reviewed every month".to_string(),
        Some(m) => format!(", reviewed every {m} months"),
        None => String::new(),
    };
    format!(
        "the partner's people may ask; {} approves within {} days or the request is denied; access ends after {} days unless renewed{review}",
        approved_by(approvers, fallback),
        req.auto_deny_days,
        req.expire_days
    )
}

/// A short text the admin sends to the partner's contact.
pub(crate) fn message_for_partner(
    partner: &str,
    domain: &str,
    host: &str,
    req: &ExtranetRequest,
    approvers: &Approvers,
    link: Option<&str>,
) -> String {
    let who = match approvers {
        Approvers::Named(p) => p.address.clone(),
        _ => "your sponsor".into(),
    };
    format!(
        "Hello {partner} team,\n\nTo work with {host} on \"{}\", open this link and sign in with your {domain} work account:\n{}\n\nAsk for access there; {who} approves it. Access lasts {} days, and you can ask to extend it in the same place before it ends.",
        req.name.trim(),
        link.unwrap_or("(the link appears once the access package is created)"),
        req.expire_days
    )
}
