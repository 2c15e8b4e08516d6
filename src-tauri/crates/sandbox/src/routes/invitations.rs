//! `POST /v1.0/invitations`: creates the guest (or finds the existing one) and answers 201.

use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared, TENANT_DOMAIN, TENANT_ID};
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use rand::Rng;
use serde_json::{json, Value};
use std::sync::Arc;

/// Characters Microsoft refuses in an invited address.
pub(crate) const FORBIDDEN: &[char] = &[
    '~', '!', '#', '$', '%', '^', '&', '*', '(', ')', '+', '=', '[', ']', '{', '}', '\\', '/', '|', ';', ':', '"', '<',
    '>', '?', ',',
];

/// A new guest user, as Entra creates it when an invitation is sent.
pub(crate) fn new_guest_doc(id: &str, email: &str, display_name: Option<&str>, state: &str, created: &str) -> Value {
    let local = email.split('@').next().unwrap_or(email);
    json!({
        "id": id,
        "displayName": display_name.filter(|d| !d.trim().is_empty()).unwrap_or(local),
        "givenName": null,
        "surname": null,
        "jobTitle": null,
        "mail": email,
        "userPrincipalName": format!("{}#EXT#@{TENANT_DOMAIN}", email.replace('@', "_")),
        "userType": "Guest",
        "externalUserState": state,
        "externalUserStateChangeDateTime": created,
        "otherMails": [email],
        "proxyAddresses": [format!("SMTP:{email}")],
        "accountEnabled": true,
        "usageLocation": null,
        "creationType": "Invitation",
        "createdDateTime": created,
        "businessPhones": [],
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "assignedLicenses": []
    })
}

fn str_field<'a>(body: &'a Value, name: &str) -> Result<Option<&'a str>, ApiError> {
    match &body[name] {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.as_str())),
        _ => Err(ApiError::new(
            400,
            "BadRequest",
            format!("Cannot convert the literal to the expected type 'Edm.String' for property '{name}'."),
        )),
    }
}

fn valid_email(e: &str) -> bool {
    let mut parts = e.splitn(2, '@');
    let (local, domain) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !e.contains(char::is_whitespace)
}

fn valid_absolute_url(u: &str) -> bool {
    let Some((scheme, rest)) = u.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !rest.starts_with('/')
}

/// Most sponsors a guest can have (Microsoft's b2b-sponsors doc).
const MAX_SPONSORS: usize = 5;

/// The sponsors a new guest gets: those in `invitedUserSponsors` (users that exist, at most
/// five), or else the signed-in inviter — an app inviting on its own stamps nobody.
fn sponsors_of(shared: &Shared, caller: &Caller, body: &Value) -> Result<Vec<String>, ApiError> {
    let asked = match &body["invitedUserSponsors"] {
        Value::Null => return Ok(caller.user.iter().cloned().collect()),
        Value::Array(items) => items,
        _ => {
            return Err(ApiError::new(
                400,
                "BadRequest",
                "Invalid value for property 'invitedUserSponsors': a collection of directory objects is expected.",
            ))
        }
    };
    if asked.len() > MAX_SPONSORS {
        return Err(ApiError::new(
            400,
            "BadRequest",
            format!("A user can have at most {MAX_SPONSORS} sponsors."),
        ));
    }
    let dir = lock(&shared.dir);
    let mut ids = Vec::new();
    for item in asked {
        let id = item["id"].as_str().unwrap_or_default();
        match dir.user_by_key(id)? {
            Some(u) => ids.push(u.doc["id"].as_str().unwrap_or(id).to_string()),
            None => return Err(ApiError::bad_request(format!("Invalid object identifier '{id}'."))),
        }
    }
    Ok(ids)
}

pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(&["User.Invite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"])?;
    let Json(body) = body.map_err(|_| ApiError::new(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."))?;

    let email = str_field(&body, "invitedUserEmailAddress")?
        .map(str::trim)
        .unwrap_or("");
    if email.is_empty() {
        return Err(ApiError::new(
            400,
            "BadRequest",
            "The invitedUserEmailAddress property is required.",
        ));
    }
    let redirect = str_field(&body, "inviteRedirectUrl")?.map(str::trim).unwrap_or("");
    if redirect.is_empty() {
        return Err(ApiError::new(
            400,
            "BadRequest",
            "The inviteRedirectUrl property is required.",
        ));
    }
    if email.contains(FORBIDDEN) || !valid_email(email) {
        return Err(ApiError::new(
            400,
            "BadRequest",
            "The specified invitedUserEmailAddress is invalid.",
        ));
    }
    if !valid_absolute_url(redirect) {
        return Err(ApiError::new(
            400,
            "BadRequest",
            "The specified inviteRedirectUrl is not a valid absolute URI.",
        ));
    }
    let display_name = str_field(&body, "invitedUserDisplayName")?;
    let user_type = str_field(&body, "invitedUserType")?.unwrap_or("Guest");
    if !user_type.eq_ignore_ascii_case("Guest") && !user_type.eq_ignore_ascii_case("Member") {
        return Err(ApiError::new(
            400,
            "BadRequest",
            format!("Invalid value '{user_type}' for property 'invitedUserType'."),
        ));
    }
    let send =
        match &body["sendInvitationMessage"] {
            Value::Null => false,
            Value::Bool(b) => *b,
            _ => return Err(ApiError::new(
                400,
                "BadRequest",
                "Cannot convert the literal to the expected type 'Edm.Boolean' for property 'sendInvitationMessage'.",
            )),
        };
    let message_info = body.get("invitedUserMessageInfo").cloned().unwrap_or(Value::Null);
    if message_info["ccRecipients"].as_array().is_some_and(|cc| cc.len() > 1) {
        return Err(ApiError::new(400, "BadRequest", "Only one ccRecipient is supported."));
    }

    let sponsors = sponsors_of(&shared, &caller, &body)?;
    let domain = email.rsplit('@').next().unwrap_or_default().to_ascii_lowercase();
    {
        let dir = lock(&shared.dir);
        let policies = dir.document("b2bManagementPolicies")?.unwrap_or(json!([]));
        if !crate::routes::domain_rule(&policies).permits(&domain) {
            return Err(ApiError::new(
                400,
                "BadRequest",
                format!("The invitation to {email} was blocked because the domain '{domain}' is not allowed by your organization's external collaboration settings."),
            ));
        }
        let cta = dir.document("crossTenantAccessDefault")?;
        if cta.is_some_and(|c| c["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] == "blocked") {
            return Err(ApiError::new(400, "BadRequest", "This invitation is blocked by cross-tenant access settings. Admins in your organization can modify these settings."));
        }
    }
    let replication_delay = lock(&shared.config).replication_delay_ms as i64;
    let created = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // Look up and create in one transaction: two invitations racing for one address make one guest.
    let outcome = lock(&shared.dir).transaction(|d| match d.user_by_email(email)? {
        Some(existing) => {
            let id = existing.doc["id"].as_str().unwrap_or_default().to_string();
            if existing.doc["userType"] == "Member" {
                return Ok(Err(ApiError::new(
                    400,
                    "BadRequest",
                    "The invited user already exists in the directory as a member.",
                )));
            }
            let status = if existing.doc["externalUserState"] == "Accepted" {
                "Completed"
            } else {
                "PendingAcceptance"
            };
            Ok(Ok((id, status, false)))
        }
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            let mut doc = new_guest_doc(&id, email, display_name, "PendingAcceptance", &created);
            if !sponsors.is_empty() {
                doc[super::users::SPONSORS] = json!(sponsors);
            }
            d.insert_user(&doc, replication_delay)?;
            Ok(Ok((id, "PendingAcceptance", true)))
        }
    })?;
    let (user_id, status, created_new) = outcome?;
    {
        let mut stats = lock(&shared.stats);
        stats.invitations_created += 1;
        stats.guests_created += u64::from(created_new);
    }

    let invitation_id = uuid::Uuid::new_v4().to_string();
    let ticket: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    let redeem = format!(
        "https://login.microsoftonline.com/redeem?rd=https%3a%2f%2finvitations.microsoft.com%2fredeem%2f%3ftenant%3d{TENANT_ID}%26user%3d{invitation_id}%26ticket%3d{ticket}%26ver%3d2.0"
    );
    let cc = message_info["ccRecipients"].clone();
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "@odata.context": format!("{}/v1.0/$metadata#invitations/$entity", shared.base_url),
            "id": invitation_id,
            "inviteRedeemUrl": redeem,
            "invitedUserDisplayName": display_name,
            "invitedUserType": if user_type.eq_ignore_ascii_case("Member") { "Member" } else { "Guest" },
            "invitedUserEmailAddress": email,
            "sendInvitationMessage": send,
            "resetRedemption": body["resetRedemption"].as_bool().unwrap_or(false),
            "inviteRedirectUrl": redirect,
            "status": status,
            "invitedUserMessageInfo": {
                "messageLanguage": message_info["messageLanguage"].clone(),
                "customizedMessageBody": message_info["customizedMessageBody"].clone(),
                "ccRecipients": if cc.is_array() { cc } else { json!([{"emailAddress": {"name": null, "address": null}}]) }
            },
            "invitedUser": { "id": user_id },
            "invitedUserSponsors": sponsors.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()
        })),
    ))
}
