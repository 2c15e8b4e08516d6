//! The licence half of the Access step: the tenant's licences with free seats, assigning one
//! (refused early, with the fix, where Microsoft would refuse), and removing it on undo.

use super::guest::GuestRef;
use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::models::SubscribedSku;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A licence the tenant has, with the seats left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LicenseOption {
    pub sku_id: String,
    pub sku_part_number: String,
    #[ts(type = "number")]
    pub free_seats: i64,
    #[ts(type = "number")]
    pub total_seats: i64,
}

/// A guest's licences as the change log records them: before (with the usage location
/// Microsoft requires) and after (with the part number added).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LicenseState {
    pub assigned_licenses: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_part_number: Option<String>,
}

/// One licence held or not, as an undo records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LicenseHeld {
    pub sku_id: String,
    pub sku_part_number: String,
    pub assigned: bool,
}

struct AssignLicense {
    guest: GuestRef,
    sku: String,
}

/// The guest and the licence, found by the plan.
struct Chosen {
    user_id: String,
    sku_id: String,
}

impl Action for AssignLicense {
    type State = LicenseState;
    type Context = Chosen;
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Did(ActionKind::AssignLicense)
    }

    fn target(&self) -> String {
        self.guest.email.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<LicenseState, Chosen>, Problem> {
        let email = &self.guest.email;
        let skus = engine.tenant_skus().await?;
        let wanted = self.sku.trim();
        let Some(chosen): Option<&SubscribedSku> = skus
            .iter()
            .find(|s| s.sku_id.eq_ignore_ascii_case(wanted) || s.sku_part_number.eq_ignore_ascii_case(wanted))
        else {
            let have: Vec<_> = skus.iter().map(|s| s.sku_part_number.as_str()).collect();
            return Err(Problem::field(
                "license",
                format!("This tenant has no licence '{wanted}'."),
                &format!("Pick one of: {}.", have.join(", ")),
            ));
        };
        let name = chosen.sku_part_number.clone();
        let current = engine.guest_profile(&self.guest).await?;
        let held: Vec<String> = current.assigned_licenses.iter().map(|l| l.sku_id.clone()).collect();
        let before = LicenseState {
            assigned_licenses: held.clone(),
            usage_location: current.usage_location.clone(),
            sku_part_number: None,
        };
        if held.iter().any(|id| id.eq_ignore_ascii_case(&chosen.sku_id)) {
            return Ok(Plan::AlreadySo {
                state: before,
                summary: format!("{email} already has {name}."),
            });
        }
        // Refuse here what Microsoft would refuse, with the fix. Without a usage location a
        // dry run still previews it: an earlier step of the same run may set one.
        let no_location = current.usage_location.as_deref().is_none_or(str::is_empty);
        if !no_location && chosen.free_seats() <= 0 {
            return Err(Problem::field(
                "license",
                format!("All {} seats of {name} are in use.", chosen.prepaid_units.enabled),
                "Buy more seats, free one up, or pick another licence.",
            ));
        }
        let (would, blocked) = if no_location {
            (
                format!("Would assign {name} to {email}, once a usage location is set (Microsoft refuses licences without one)."),
                Some(Problem::field(
                    "usageLocation",
                    format!("{email} has no usage location, and Microsoft assigns licences only to users that have one."),
                    "Set the usage location (the country where they use the service) in the profile step first.",
                )),
            )
        } else {
            (
                format!("Would assign {name} to {email} ({} seats free).", chosen.free_seats()),
                None,
            )
        };
        let mut after_ids = held;
        after_ids.push(chosen.sku_id.clone());
        Ok(Plan::Change(Change {
            before,
            after: LicenseState {
                assigned_licenses: after_ids,
                usage_location: None,
                sku_part_number: Some(name.clone()),
            },
            would,
            done: format!("Assigned {name} to {email}."),
            failure: format!("Assigning {name} to {email}"),
            blocked,
            undoes: None,
            context: Chosen {
                user_id: current.id,
                sku_id: chosen.sku_id.clone(),
            },
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<LicenseState, Chosen>) -> Result<Applied<()>, Failure> {
        let c = &change.context;
        let answer = engine.graph.assign_license(&c.user_id, &c.sku_id).await?;
        Ok(Applied::id(answer.request_id))
    }
}

/// Undo: removes the licence the change added, if the guest still has it.
struct RemoveLicense {
    row: ChangeRecord,
}

impl Action for RemoveLicense {
    type State = LicenseHeld;
    type Context = String;
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Undid(ActionKind::AssignLicense)
    }

    fn target(&self) -> String {
        self.row.target.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<LicenseHeld>, Problem> {
        let (who, seq) = (&self.row.target, self.row.seq);
        let before = recorded::<LicenseState>(self.row.before.as_ref()).unwrap_or_default();
        let after = recorded::<LicenseState>(self.row.after.as_ref()).unwrap_or_default();
        let Some(sku) = after
            .assigned_licenses
            .into_iter()
            .find(|s| !before.assigned_licenses.contains(s))
        else {
            return Err(refuse(
                format!("Change #{seq} does not say which licence it added."),
                "Remove the licence by hand.",
            ));
        };
        let name = after.sku_part_number.unwrap_or_else(|| sku.clone());
        let guest = engine.guest_profile(&GuestRef::email(who)).await?;
        if !guest
            .assigned_licenses
            .iter()
            .any(|l| l.sku_id.eq_ignore_ascii_case(&sku))
        {
            return Err(refuse(format!("{who} no longer has {name}."), CHANGED_SINCE));
        }
        let held = |assigned| LicenseHeld {
            sku_id: sku.clone(),
            sku_part_number: name.clone(),
            assigned,
        };
        Ok(Plan::Change(Change {
            before: held(true),
            after: held(false),
            would: format!("Would remove {name} from {who} (undoing change #{seq})."),
            done: format!("Removed {name} from {who} (undid change #{seq})."),
            failure: format!("Removing {name} from {who}"),
            blocked: None,
            undoes: Some(seq),
            context: guest.id,
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<LicenseHeld>) -> Result<Applied<()>, Failure> {
        let answer = engine
            .graph
            .remove_license(&change.context, &change.after.sku_id)
            .await?;
        Ok(Applied::id(answer.request_id))
    }
}

impl Engine {
    /// The tenant's licences with free seats, for the picker.
    pub async fn license_options(&self) -> Result<Vec<LicenseOption>, Problem> {
        let skus = self
            .graph
            .subscribed_skus()
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's licences", &e))?;
        Ok(skus
            .into_iter()
            .filter(|s| s.applies_to.as_deref().is_none_or(|a| a == "User"))
            .map(|s| LicenseOption {
                free_seats: s.free_seats(),
                total_seats: s.prepaid_units.enabled,
                sku_id: s.sku_id,
                sku_part_number: s.sku_part_number,
            })
            .collect())
    }

    /// Assigns a licence (by part number such as `O365_BUSINESS_ESSENTIALS`, or by SKU id).
    pub async fn assign_license(&self, guest: &GuestRef, sku: &str) -> Result<StepOutcome, Problem> {
        let action = AssignLicense {
            guest: guest.checked()?,
            sku: sku.to_string(),
        };
        self.run_step(&action).await
    }

    pub(crate) async fn undo_license(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        self.run_step(&RemoveLicense { row }).await
    }

    /// The tenant's licences. During a bulk run they are read once per run: Microsoft still
    /// refuses an assignment when the seats run out, with its own reason.
    async fn tenant_skus(&self) -> Result<Vec<SubscribedSku>, Problem> {
        if let Some(cache) = &self.run_cache {
            if let Some(skus) = cache.skus.lock().await.clone() {
                return Ok(skus);
            }
        }
        let skus = self
            .graph
            .subscribed_skus()
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's licences", &e))?;
        if let Some(cache) = &self.run_cache {
            *cache.skus.lock().await = Some(skus.clone());
        }
        Ok(skus)
    }
}
