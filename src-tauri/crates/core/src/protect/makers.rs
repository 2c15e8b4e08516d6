//! Power Apps guest makers (issue 12, point 7): the Power Platform tenant setting
//! `powerPlatform.powerApps.enableGuestsToMake`, switched as an action of the one runner (the
//! whole settings object is read, that one key changed, the whole object sent back), what else
//! Microsoft requires (guest access "same as members", the Environment Maker role, a licence in
//! this tenant, a work account) said honestly, and the role granted through the Access step's path.

use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::onboarding::collaboration::GuestAccess;
use crate::onboarding::guest::GuestRef;
use crate::problem::Problem;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// The Dataverse security role Microsoft names for makers.
pub const ENVIRONMENT_MAKER: &str = "Environment Maker";

/// Whether guests may make Power Apps, and what else that takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MakersView {
    /// `powerPlatform.powerApps.enableGuestsToMake`.
    pub guests_can_make: bool,
    /// What guests can see in the directory now.
    pub guest_access: Option<GuestAccess>,
    /// What Microsoft requires besides the setting, and what it costs, in words.
    pub notes: Vec<String>,
}

/// What the change log keeps: the one key Guestpass changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MakersState {
    pub enable_guests_to_make: bool,
}

fn guests_can_make(settings: &Value) -> bool {
    settings["powerPlatform"]["powerApps"]["enableGuestsToMake"] == true
}

/// Switches the setting (as an undo, `undoes` names the row).
struct SetGuestMakers {
    from: bool,
    to: bool,
    undoes: Option<i64>,
}

impl Action for SetGuestMakers {
    type State = MakersState;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(ActionKind::SetGuestMakers, self.undoes)
    }

    fn target(&self) -> String {
        "Power Platform tenant settings".into()
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<MakersState, ()>, Problem> {
        let state = |on| MakersState {
            enable_guests_to_make: on,
        };
        let words = |on: bool| if on { "may make" } else { "may not make" };
        if self.from == self.to && self.undoes.is_none() {
            return Ok(Plan::AlreadySo {
                state: state(self.from),
                summary: format!("Guests already {} Power Apps.", words(self.to)),
            });
        }
        let undid = self.undoes.map(|s| format!(" (undid change #{s})")).unwrap_or_default();
        Ok(Plan::Change(Change {
            before: state(self.from),
            after: state(self.to),
            would: format!("Would set: guests {} Power Apps.", words(self.to)),
            done: format!("Guests now {} Power Apps{undid}.", words(self.to)),
            failure: "Changing the Power Platform setting for guest makers".into(),
            blocked: None,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<MakersState, ()>) -> Result<Applied<()>, Failure> {
        // Read again just before writing: the whole object goes back, so it must be current.
        let mut settings = engine.graph.power_tenant_settings().await?;
        if !settings["powerPlatform"]["powerApps"].is_object() {
            settings["powerPlatform"]["powerApps"] = json!({});
        }
        settings["powerPlatform"]["powerApps"]["enableGuestsToMake"] = json!(change.after.enable_guests_to_make);
        let request_id = engine.graph.update_power_tenant_settings(&settings).await?;
        Ok(Applied::id(request_id))
    }
}

impl Engine {
    async fn read_guests_can_make(&self) -> Result<bool, Problem> {
        let settings = self
            .graph
            .power_tenant_settings()
            .await
            .map_err(|e| Problem::from_graph("Reading the Power Platform tenant settings", &e))?;
        Ok(guests_can_make(&settings))
    }

    /// Whether guests may make Power Apps, and what else that takes.
    pub async fn makers(&self) -> Result<MakersView, Problem> {
        let guests_can_make = self.read_guests_can_make().await?;
        let guest_access = self.read_settings().await.ok().map(|s| s.guest_access);
        let mut notes = vec![
            "Microsoft also requires guest access “same as members” (External collaboration settings). That lets guests read the whole directory and fails common security baselines (CIS, EIDSCA AP07): choose it knowingly.".to_string(),
            format!("Each guest maker needs the {ENVIRONMENT_MAKER} role in the environment, and a Power Apps licence assigned in this tenant (per-app plans from their home tenant do not count)."),
            "Guests with personal Microsoft accounts (outlook.com, hotmail.com, live.com) cannot sign in to make.powerapps.com: they need a work account.".to_string(),
        ];
        if guest_access != Some(GuestAccess::SameAsMembers) {
            notes.insert(
                0,
                "Guest access is not “same as members” now, so guests cannot make apps even with the setting on."
                    .into(),
            );
        }
        Ok(MakersView {
            guests_can_make,
            guest_access,
            notes,
        })
    }

    /// Lets guests make Power Apps, or stops them (the whole settings object is sent back).
    pub async fn set_guest_makers(&self, enable: bool) -> Result<StepOutcome, Problem> {
        let from = self.read_guests_can_make().await?;
        self.run_step(&SetGuestMakers {
            from,
            to: enable,
            undoes: None,
        })
        .await
    }

    /// Gives a guest the Environment Maker role in an environment (the Access step's path).
    pub async fn grant_environment_maker(&self, guest: &GuestRef, environment: &str) -> Result<StepOutcome, Problem> {
        self.assign_dataverse_role(guest, environment, ENVIRONMENT_MAKER).await
    }

    pub(crate) async fn undo_guest_makers(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let (Some(was), Some(made)) = (
            recorded::<MakersState>(row.before.as_ref()),
            recorded::<MakersState>(row.after.as_ref()),
        ) else {
            return Err(refuse(
                format!("Change #{} does not record the setting.", row.seq),
                "Change it back by hand in the Power Platform admin center.",
            ));
        };
        let now = self.read_guests_can_make().await?;
        if now != made.enable_guests_to_make {
            return Err(refuse(
                "The guest-maker setting was changed again since.".into(),
                CHANGED_SINCE,
            ));
        }
        self.run_step(&SetGuestMakers {
            from: now,
            to: was.enable_guests_to_make,
            undoes: Some(row.seq),
        })
        .await
    }
}
