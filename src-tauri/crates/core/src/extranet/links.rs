//! Two links between entitlement-management objects and the directory, each one recorded,
//! undoable action: a group added to a catalog as a resource (`adminAdd`; undo `adminRemove`,
//! which Microsoft refuses while someone holds the group through a package), and a person made
//! a sponsor of a connected organisation (undo removes the reference).

use crate::action::{Action, ActionKind, Applied, Change, Failure, Logged, Plan};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::entitlement::SponsorSide;
use serde::{Deserialize, Serialize};

/// A link as the change log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Link {
    /// The catalog's or the connected organisation's id.
    pub holder: String,
    pub holder_name: String,
    /// The group's or the sponsor's object id.
    pub member: String,
    pub member_name: String,
    /// For a sponsor: `internal` (of this organisation) or `external` (of the partner).
    #[serde(default)]
    pub side: Option<String>,
    pub present: bool,
    #[serde(default)]
    pub run: Option<String>,
}

impl Link {
    fn sponsor_side(&self) -> SponsorSide {
        match self.side.as_deref() {
            Some("external") => SponsorSide::External,
            _ => SponsorSide::Internal,
        }
    }
}

/// Adds (or, as an undo, removes) a group in a catalog or a sponsor of a connected organisation.
pub(crate) struct SetLink {
    /// `AddCatalogResource` or `AddOrganizationSponsor`.
    pub kind: ActionKind,
    pub to: Link,
    pub undoes: Option<i64>,
}

impl SetLink {
    async fn is_present(&self, engine: &Engine) -> Result<bool, Problem> {
        let l = &self.to;
        let read = |e| Problem::from_graph("Reading entitlement management", &e);
        Ok(match self.kind {
            ActionKind::AddCatalogResource => engine
                .graph
                .catalog_resources(&l.holder)
                .await
                .map_err(read)?
                .iter()
                .any(|r| r["originId"] == l.member.as_str()),
            _ => engine
                .graph
                .organization_sponsors(&l.holder, l.sponsor_side())
                .await
                .map_err(read)?
                .iter()
                .any(|u| u["id"] == l.member.as_str()),
        })
    }

    fn words(&self) -> (String, String, String, String) {
        let l = &self.to;
        let undid = self.undoes.map(|s| format!(" (undid change #{s})")).unwrap_or_default();
        match self.kind {
            ActionKind::AddCatalogResource => (
                format!("the group {} in the catalog {}", l.member_name, l.holder_name),
                format!(
                    "Would add the group {} to the catalog {}.",
                    l.member_name, l.holder_name
                ),
                format!("Added the group {} to the catalog {}.", l.member_name, l.holder_name),
                format!(
                    "Took the group {} out of the catalog {}{undid}.",
                    l.member_name, l.holder_name
                ),
            ),
            _ => {
                let side = l.side.as_deref().unwrap_or("internal");
                (
                    format!("{} as {side} sponsor of {}", l.member_name, l.holder_name),
                    format!("Would make {} an {side} sponsor of {}.", l.member_name, l.holder_name),
                    format!("Made {} an {side} sponsor of {}.", l.member_name, l.holder_name),
                    format!("{} is no longer a sponsor of {}{undid}.", l.member_name, l.holder_name),
                )
            }
        }
    }
}

impl Action for SetLink {
    type State = Link;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(self.kind, self.undoes)
    }

    fn target(&self) -> String {
        format!("{} in {}", self.to.member_name, self.to.holder_name)
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<Link, ()>, Problem> {
        // A dry run of a new catalog or organisation has no id yet: nothing to read.
        let present = if self.to.holder.is_empty() {
            false
        } else {
            self.is_present(engine).await?
        };
        let (what, would_add, added, removed) = self.words();
        let mut before = self.to.clone();
        before.present = present;
        if present == self.to.present {
            return Ok(Plan::AlreadySo {
                state: before,
                summary: match present {
                    true => format!("{} is already so.", crate::extranet::objects::capital(&what)),
                    false => format!("{} is already gone.", crate::extranet::objects::capital(&what)),
                },
            });
        }
        let (would, done, failure) = match self.to.present {
            true => (would_add, added, format!("Adding {what}")),
            false => (format!("Would remove {what}."), removed, format!("Removing {what}")),
        };
        Ok(Plan::Change(Change {
            before,
            after: self.to.clone(),
            would,
            done,
            failure,
            blocked: None,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<Link, ()>) -> Result<Applied<()>, Failure> {
        let l = &change.after;
        let request_id = match self.kind {
            ActionKind::AddCatalogResource => {
                engine
                    .graph
                    .catalog_group_request(&l.holder, &l.member, l.present)
                    .await?
                    .request_id
            }
            _ if l.present => {
                engine
                    .graph
                    .add_organization_sponsor(&l.holder, l.sponsor_side(), &l.member)
                    .await?
            }
            _ => {
                engine
                    .graph
                    .remove_organization_sponsor(&l.holder, l.sponsor_side(), &l.member)
                    .await?
            }
        };
        Ok(Applied::id(request_id))
    }
}
