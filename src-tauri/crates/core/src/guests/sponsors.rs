//! A guest's sponsors (issue 14, point 3, set after the invitation): adding one is an action of
//! the one runner, refused past Microsoft's five or for a sponsor who is a guest; undo removes it.

use crate::action::{recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::models::User;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};

/// At most this many sponsors per user (Microsoft's limit).
pub(crate) const MAX_SPONSORS: usize = 5;

/// Who sponsors whom, as the change log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sponsorship {
    guest_id: String,
    sponsor_id: String,
    sponsor: String,
    /// Whether the sponsor is set.
    present: bool,
}

/// Adds (or, as an undo, removes) one sponsor.
struct SetSponsor {
    guest_email: String,
    from: Sponsorship,
    to: Sponsorship,
    undoes: Option<i64>,
}

impl Action for SetSponsor {
    type State = Sponsorship;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(ActionKind::AddSponsor, self.undoes)
    }

    fn target(&self) -> String {
        self.guest_email.clone()
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<Sponsorship, ()>, Problem> {
        let (guest, sponsor) = (&self.guest_email, &self.to.sponsor);
        if self.from.present == self.to.present && self.undoes.is_none() {
            return Ok(Plan::AlreadySo {
                state: self.to.clone(),
                summary: format!("{sponsor} already sponsors {guest}."),
            });
        }
        let (would, done, failure) = match (self.to.present, self.undoes) {
            (true, _) => (
                format!("Would make {sponsor} a sponsor of {guest}."),
                format!("{sponsor} now sponsors {guest}."),
                format!("Adding {sponsor} as {guest}'s sponsor"),
            ),
            (false, seq) => (
                format!("Would remove {sponsor} as {guest}'s sponsor."),
                format!(
                    "{sponsor} no longer sponsors {guest}{}.",
                    seq.map(|s| format!(" (undid change #{s})")).unwrap_or_default()
                ),
                format!("Removing {sponsor} as {guest}'s sponsor"),
            ),
        };
        Ok(Plan::Change(Change {
            before: self.from.clone(),
            after: self.to.clone(),
            would,
            done,
            failure,
            blocked: None,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<Sponsorship, ()>) -> Result<Applied<()>, Failure> {
        let s = &change.after;
        let request_id = match s.present {
            true => engine.graph.add_sponsor(&s.guest_id, &s.sponsor_id).await?,
            false => engine.graph.remove_sponsor(&s.guest_id, &s.sponsor_id).await?,
        };
        Ok(Applied::id(request_id))
    }
}

/// Someone of the directory offered when a person is to be named (a sponsor, an approver).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonOption {
    pub display_name: String,
    pub address: String,
    pub guest: bool,
}

impl Engine {
    /// Up to 20 people whose name or address matches `term` (members first), for pickers.
    pub async fn search_people(&self, term: &str) -> Result<Vec<PersonOption>, Problem> {
        let term = term.trim();
        if term.is_empty() {
            return Ok(vec![]);
        }
        let mut found: Vec<PersonOption> = self
            .graph
            .search_users(term, 20)
            .await
            .map_err(|e| Problem::from_graph("Searching the directory", &e))?
            .into_iter()
            .filter_map(|u| {
                let address = u.mail.clone().or(u.user_principal_name.clone())?;
                Some(PersonOption {
                    display_name: u.display_name.clone().unwrap_or_else(|| address.clone()),
                    guest: u.is_guest(),
                    address,
                })
            })
            .collect();
        found.sort_by_key(|p| (p.guest, p.display_name.to_lowercase()));
        Ok(found)
    }

    /// The user (member or guest) at `address`, or a field error naming `field` with `hint`.
    pub(crate) async fn find_person(&self, address: &str, field: &str, hint: &str) -> Result<User, Problem> {
        let address = address.trim().to_lowercase();
        self.graph
            .find_users_by_email(&address)
            .await
            .map_err(|e| Problem::from_graph("Looking the person up", &e))?
            .into_iter()
            .next()
            .ok_or_else(|| Problem::field(field, format!("Nobody in this tenant is at {address}."), hint))
    }

    /// The person of this organisation at `address`, refusing nobody-there and guests (a
    /// sponsor answers for the guest); `field` names the form field for the refusal.
    pub(crate) async fn find_sponsor(&self, address: &str, field: &str) -> Result<User, Problem> {
        let address = address.trim().to_lowercase();
        let s = self
            .find_person(
                &address,
                field,
                "A sponsor is someone of your organisation who answers for the guest.",
            )
            .await?;
        if s.is_guest() {
            return Err(Problem::field(
                field,
                format!("{address} is a guest too."),
                "Choose someone of your own organisation as the sponsor.",
            ));
        }
        Ok(s)
    }

    /// Makes `sponsor` (someone of this organisation) a sponsor of guest `guest`.
    pub async fn add_sponsor(&self, guest: &str, sponsor: &str) -> Result<StepOutcome, Problem> {
        let guest = guest.trim().to_lowercase();
        let sponsor = sponsor.trim().to_lowercase();
        let find = |what: &'static str| move |e: guestpass_graph::GraphError| Problem::from_graph(what, &e);
        let g = self
            .graph
            .find_users_by_email(&guest)
            .await
            .map_err(find("Looking the guest up"))?
            .into_iter()
            .find(|u| u.is_guest())
            .ok_or_else(|| {
                Problem::field(
                    "email",
                    format!("{guest} is not a guest of this tenant."),
                    "Check the address.",
                )
            })?;
        let s = self.find_sponsor(&sponsor, "sponsor").await?;
        let current = self
            .graph
            .sponsors(&g.id)
            .await
            .map_err(find("Reading the guest's sponsors"))?;
        let present = current.iter().any(|c| c["id"] == s.id.as_str());
        if !present && current.len() >= MAX_SPONSORS {
            return Err(refuse(
                format!("{guest} already has {MAX_SPONSORS} sponsors, Microsoft's limit."),
                "Remove one in Entra first.",
            ));
        }
        let state = |present| Sponsorship {
            guest_id: g.id.clone(),
            sponsor_id: s.id.clone(),
            sponsor: sponsor.clone(),
            present,
        };
        self.run_step(&SetSponsor {
            guest_email: guest.clone(),
            from: state(present),
            to: state(true),
            undoes: None,
        })
        .await
    }

    /// Undoes adding a sponsor, unless they were removed since.
    pub(crate) async fn undo_sponsor(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let Some(made) = recorded::<Sponsorship>(row.after.as_ref()) else {
            return Err(refuse(
                format!("Change #{} does not record the sponsor.", row.seq),
                "Remove the sponsor by hand in Entra.",
            ));
        };
        let current = self
            .graph
            .sponsors(&made.guest_id)
            .await
            .map_err(|e| Problem::from_graph("Reading the guest's sponsors", &e))?;
        if !current.iter().any(|c| c["id"] == made.sponsor_id.as_str()) {
            return Err(refuse(
                format!("{} no longer sponsors {}.", made.sponsor, row.target),
                "Nothing left to undo.",
            ));
        }
        let mut gone = made.clone();
        gone.present = false;
        self.run_step(&SetSponsor {
            guest_email: row.target.clone(),
            from: made,
            to: gone,
            undoes: Some(row.seq),
        })
        .await
    }
}
