//! The Profile step: first and last name and usage location (needed before any licence),
//! the country list, and the tenant's default usage location.

use super::guest::GuestRef;
use crate::action::{refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, CHANGED_SINCE};
use crate::engine::Engine;
use crate::problem::{FieldError, Problem};
use crate::validate;
use guestpass_graph::models::UserPatch;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRequest {
    pub guest: GuestRef,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `GB`. Needed before any licence.
    pub usage_location: Option<String>,
}

/// A country for the usage-location picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Country {
    pub code: String,
    pub name: String,
}

/// Every ISO 3166-1 country, by name.
pub fn countries() -> Vec<Country> {
    let mut all: Vec<Country> = isocountry::CountryCode::iter()
        .map(|c| Country {
            code: c.alpha2().to_string(),
            name: c.name().to_string(),
        })
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

/// The part of a guest's profile this step sets, as the change log records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileState {
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub usage_location: Option<String>,
}

impl ProfileState {
    fn of(p: &guestpass_graph::models::UserProfile) -> ProfileState {
        ProfileState {
            given_name: p.given_name.clone(),
            surname: p.surname.clone(),
            usage_location: p.usage_location.clone(),
        }
    }

    /// The PATCH that turns `self` into `want`, field by field (`None` in `want` keeps a field).
    fn patch_to(&self, want: &ProfileState) -> UserPatch {
        let differs = |w: &Option<String>, h: &Option<String>| w.as_ref().filter(|w| Some(*w) != h.as_ref()).cloned();
        UserPatch {
            given_name: differs(&want.given_name, &self.given_name),
            surname: differs(&want.surname, &self.surname),
            usage_location: differs(&want.usage_location, &self.usage_location),
            display_name: None,
        }
    }
}

/// "name and usage location GB", for summaries.
fn describe_patch(patch: &UserPatch) -> String {
    let mut parts = Vec::new();
    if patch.given_name.is_some() || patch.surname.is_some() {
        parts.push("name".to_string());
    }
    if let Some(l) = &patch.usage_location {
        parts.push(format!("usage location {l}"));
    }
    parts.join(" and ")
}

/// Sets the fields given, only where they differ.
struct SetProfile {
    guest: GuestRef,
    want: ProfileState,
}

impl Action for SetProfile {
    type State = ProfileState;
    /// The guest's object id.
    type Context = String;
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Did(ActionKind::SetProfile)
    }

    fn target(&self) -> String {
        self.guest.email.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<ProfileState>, Problem> {
        let current = engine.guest_profile(&self.guest).await?;
        let before = ProfileState::of(&current);
        let patch = before.patch_to(&self.want);
        let email = &self.guest.email;
        if patch.is_empty() {
            return Ok(Plan::AlreadySo {
                state: before,
                summary: format!("{email}'s profile is already as asked."),
            });
        }
        let after = ProfileState {
            given_name: patch.given_name.clone().or(before.given_name.clone()),
            surname: patch.surname.clone().or(before.surname.clone()),
            usage_location: patch.usage_location.clone().or(before.usage_location.clone()),
        };
        Ok(Plan::Change(Change {
            would: format!("Would set {} for {email}.", describe_patch(&patch)),
            done: format!("Set {} for {email}.", describe_patch(&patch)),
            failure: format!("Updating {email}'s profile"),
            before,
            after,
            blocked: None,
            undoes: None,
            context: current.id,
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<ProfileState>) -> Result<Applied<()>, Failure> {
        let patch = change.before.patch_to(&change.after);
        Ok(Applied::id(engine.graph.update_user(&change.context, &patch).await?))
    }
}

/// Undo: puts back the fields the change set, if nobody changed them since.
struct RestoreProfile {
    row: ChangeRecord,
}

impl Action for RestoreProfile {
    type State = ProfileState;
    type Context = String;
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Undid(ActionKind::SetProfile)
    }

    fn target(&self) -> String {
        self.row.target.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<ProfileState>, Problem> {
        let (who, seq) = (&self.row.target, self.row.seq);
        let (Some(was), Some(made)) = (
            crate::action::recorded::<ProfileState>(self.row.before.as_ref()),
            crate::action::recorded::<ProfileState>(self.row.after.as_ref()),
        ) else {
            return Err(refuse(
                format!("Change #{seq} does not record the profile."),
                "Change it by hand.",
            ));
        };
        let guest = engine.guest_profile(&GuestRef::email(who)).await?;
        let now = ProfileState::of(&guest);
        if now != made {
            return Err(refuse(
                format!("{who}'s name or usage location was changed again since."),
                CHANGED_SINCE,
            ));
        }
        if was.usage_location.is_none() && !guest.assigned_licenses.is_empty() {
            return Err(refuse(
                format!("{who} has a licence now, and Microsoft needs a usage location for it."),
                "Remove the licence first (undo it in History), then undo this change.",
            ));
        }
        Ok(Plan::Change(Change {
            would: format!("Would restore {who}'s profile as before change #{seq}."),
            done: format!("Restored {who}'s profile (undid change #{seq})."),
            failure: format!("Restoring {who}'s profile"),
            before: now,
            after: was,
            blocked: None,
            undoes: Some(seq),
            context: guest.id,
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<ProfileState>) -> Result<Applied<()>, Failure> {
        // Fields back to what they were, `null` included (a PATCH of only those that differ).
        let (was, now) = (
            serde_json::to_value(&change.after).unwrap_or_default(),
            serde_json::to_value(&change.before).unwrap_or_default(),
        );
        let patch: serde_json::Map<String, serde_json::Value> = was
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| now.get(k.as_str()) != Some(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let request_id = engine
            .graph
            .update_user_json(&change.context, &serde_json::Value::Object(patch))
            .await?;
        Ok(Applied::id(request_id))
    }
}

const USAGE_LOCATION_PREF: &str = "defaultUsageLocation";

impl Engine {
    /// Sets first name, last name and usage location (only those given, only if different).
    pub async fn set_profile(&self, req: &ProfileRequest) -> Result<StepOutcome, Problem> {
        let mut fields = Vec::new();
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let given = clean(&req.given_name);
        let surname = clean(&req.surname);
        for (name, v) in [("givenName", &given), ("surname", &surname)] {
            if v.as_ref().is_some_and(|s| s.chars().count() > 64) {
                fields.push(FieldError {
                    field: name.into(),
                    message: format!("{name} is longer than Microsoft's limit of 64 characters."),
                });
            }
        }
        let location = match clean(&req.usage_location) {
            Some(l) => validate::usage_location("usageLocation", &l)
                .map_err(|e| fields.push(e))
                .ok(),
            None => None,
        };
        if !fields.is_empty() {
            return Err(Problem::invalid(fields));
        }
        let action = SetProfile {
            guest: req.guest.checked()?,
            want: ProfileState {
                given_name: given,
                surname,
                usage_location: location,
            },
        };
        self.run_step(&action).await
    }

    pub(crate) async fn undo_profile(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        self.run_step(&RestoreProfile { row }).await
    }

    /// The usage location this tenant's admin chose as the default for new guests.
    pub fn default_usage_location(&self) -> Result<Option<String>, Problem> {
        self.store
            .preference(&self.info.tenant_id, USAGE_LOCATION_PREF)
            .map_err(Problem::local)
    }

    pub fn set_default_usage_location(&self, code: &str) -> Result<String, Problem> {
        let code = validate::usage_location("usageLocation", code).map_err(|e| Problem::invalid(vec![e]))?;
        self.store
            .set_preference(&self.info.tenant_id, USAGE_LOCATION_PREF, &code)
            .map_err(Problem::local)?;
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_sorted_by_name_and_complete() {
        let all = countries();
        assert!(all.len() >= 249);
        assert!(all.windows(2).all(|w| w[0].name <= w[1].name));
        assert!(all.iter().any(|c| c.code == "IE"));
    }
}
