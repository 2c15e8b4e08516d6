//! Access reviews of guests (issue 14, point 4): a recurring review of the guests in each chosen
//! group — quarterly by default, the group's owners or a named person reviewing with a fallback,
//! "deny" when nobody answers, decisions applied automatically and denied guests blocked then
//! removed — and the reviews with their latest decisions. Entra ID P2 or ID Governance is
//! checked (and explained) before anything is sent. Creating one is an action of the one
//! runner; undoing it deletes the review.

use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, Verified,
};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// Service plans that carry access reviews: Entra ID P2 (also in Microsoft 365 E5) and
/// Entra ID Governance (its plan name as seen in tenants — unverified against a primary source).
const GOVERNANCE_PLANS: &[&str] = &["AAD_PREMIUM_P2", "Entra_Identity_Governance"];
/// How long each review stays open for the reviewers.
const OPEN_DAYS: u32 = 14;

/// What the admin asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRequest {
    /// Groups by name or id; one review each.
    pub groups: Vec<String>,
    /// How often (months; 3 is quarterly).
    pub every_months: u32,
    /// Who reviews: `None` for the group's owners, or a person's address.
    pub reviewer: Option<String>,
    /// Who decides when the group has no owner (needed with owners reviewing).
    pub fallback_reviewer: Option<String>,
}

/// A review as recorded in the change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    definition_id: Option<String>,
    display_name: String,
    group_id: String,
    group_name: String,
    present: bool,
}

/// A review in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSummary {
    pub id: String,
    pub display_name: String,
    /// What is reviewed, in words ("guests of Partner portal users").
    pub scope: String,
    /// Who reviews, in words.
    pub reviewers: String,
    /// "every 3 months", "once".
    pub recurrence: String,
    pub status: String,
    /// The latest instance's window (RFC 3339), if one started.
    pub latest_start: Option<String>,
    pub latest_end: Option<String>,
    pub decisions: Vec<ReviewDecision>,
}

/// One guest's decision in the latest instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDecision {
    pub guest: String,
    /// `Approve`, `Deny`, `NotReviewed` or `DontKnow`.
    pub decision: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    /// Whether Microsoft applied it (`New`, `AppliedSuccessfully`…).
    pub apply_result: Option<String>,
}

/// The review Microsoft is sent for one group.
fn definition(
    name: &str,
    group_id: &str,
    req: &ReviewRequest,
    reviewer_id: Option<&str>,
    fallback_id: Option<&str>,
) -> Value {
    let reviewers = match reviewer_id {
        Some(id) => json!([{"query": format!("/users/{id}"), "queryType": "MicrosoftGraph"}]),
        None => json!([{"query": format!("/groups/{group_id}/owners"), "queryType": "MicrosoftGraph"}]),
    };
    let fallback = match fallback_id {
        Some(id) => json!([{"query": format!("/users/{id}"), "queryType": "MicrosoftGraph"}]),
        None => json!([]),
    };
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    json!({
        "displayName": name,
        "descriptionForAdmins": "Made by Guestpass: the guests of this group, reviewed on a schedule.",
        "descriptionForReviewers": "Confirm each guest still needs this access. Guests you deny (or do not answer for) lose it.",
        "scope": {
            "@odata.type": "#microsoft.graph.accessReviewQueryScope",
            "query": format!("/groups/{group_id}/transitiveMembers/microsoft.graph.user/?$filter=(userType eq 'Guest')"),
            "queryType": "MicrosoftGraph"
        },
        "reviewers": reviewers,
        "fallbackReviewers": fallback,
        "settings": {
            "mailNotificationsEnabled": true,
            "reminderNotificationsEnabled": true,
            "justificationRequiredOnApproval": true,
            "defaultDecisionEnabled": true,
            "defaultDecision": "Deny",
            "autoApplyDecisionsEnabled": true,
            // Recommendations on guest reviews bill the Governance meter: left off.
            "recommendationsEnabled": false,
            "instanceDurationInDays": OPEN_DAYS,
            "recurrence": {
                "pattern": {"type": "absoluteMonthly", "interval": req.every_months},
                "range": {"type": "noEnd", "startDate": today}
            },
            "applyActions": [{"@odata.type": "#microsoft.graph.disableAndDeleteUserApplyAction"}]
        }
    })
}

/// Creates (or, as an undo, deletes) one review.
struct SetReview {
    state: ReviewState,
    body: Value,
    undoes: Option<i64>,
    who_reviews: String,
}

impl Action for SetReview {
    type State = ReviewState;
    type Context = ();
    type Answer = Option<String>;

    fn logged(&self) -> Logged {
        Logged::of(ActionKind::CreateGuestReview, self.undoes)
    }

    fn target(&self) -> String {
        self.state.group_name.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<ReviewState, ()>, Problem> {
        let s = &self.state;
        let existing = engine
            .graph
            .reviews()
            .await
            .map_err(|e| Problem::from_graph("Reading the access reviews", &e))?;
        let found = existing.iter().find(|d| match &s.definition_id {
            Some(id) => d["id"] == id.as_str(),
            None => d["displayName"] == s.display_name.as_str(),
        });
        let mut before = s.clone();
        before.present = found.is_some();
        before.definition_id = found.and_then(|d| d["id"].as_str()).map(str::to_string);
        if before.present == s.present {
            return Ok(Plan::AlreadySo {
                summary: match s.present {
                    true => format!("\"{}\" already exists; nothing was changed.", s.display_name),
                    false => format!("\"{}\" is already gone.", s.display_name),
                },
                state: before,
            });
        }
        let mut after = s.clone();
        after.definition_id = before.definition_id.clone().or(after.definition_id);
        let (would, done, failure) = match (s.present, self.undoes) {
            (true, _) => (
                format!(
                    "Would create \"{}\": the guests of {} reviewed every {} month(s) by {}, open {OPEN_DAYS} days; unanswered means deny; denied guests are blocked, then removed after 30 days.",
                    s.display_name, s.group_name, self.body["settings"]["recurrence"]["pattern"]["interval"], self.who_reviews
                ),
                format!("Created \"{}\"; the first review is open now.", s.display_name),
                format!("Creating the access review of {}", s.group_name),
            ),
            (false, seq) => (
                format!("Would delete \"{}\" and its open review.", s.display_name),
                format!(
                    "Deleted \"{}\"{}.",
                    s.display_name,
                    seq.map(|q| format!(" (undid change #{q})")).unwrap_or_default()
                ),
                format!("Deleting the access review of {}", s.group_name),
            ),
        };
        Ok(Plan::Change(Change {
            before,
            after,
            would,
            done,
            failure,
            blocked: None,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(
        &self,
        engine: &Engine,
        change: &Change<ReviewState, ()>,
    ) -> Result<Applied<Option<String>>, Failure> {
        if change.after.present {
            let made = engine.graph.create_review(&self.body).await?;
            let id = made.body["id"].as_str().map(str::to_string);
            Ok(Applied {
                answer: id,
                request_id: made.request_id,
            })
        } else {
            let id = change.before.definition_id.clone().unwrap_or_default();
            let request_id = engine.graph.delete_review(&id).await?;
            Ok(Applied {
                answer: None,
                request_id,
            })
        }
    }

    async fn verify(&self, _: &Engine, change: Change<ReviewState, ()>, id: &Option<String>) -> Verified<ReviewState> {
        let mut after = change.after;
        if id.is_some() {
            after.definition_id = id.clone();
        }
        Verified {
            after,
            summary: change.done,
        }
    }
}

fn in_words_every(months: &Value) -> String {
    match months.as_u64() {
        Some(1) => "every month".into(),
        Some(n) => format!("every {n} months"),
        None => "once".into(),
    }
}

impl Engine {
    /// Whether the tenant has Entra ID P2 or ID Governance (access reviews, entitlement management).
    pub(crate) async fn has_governance(&self) -> Result<bool, Problem> {
        self.has_service_plan(GOVERNANCE_PLANS).await
    }

    async fn require_governance(&self) -> Result<(), Problem> {
        if self.has_governance().await? {
            return Ok(());
        }
        Err(refuse(
            "Access reviews need Microsoft Entra ID P2 or Microsoft Entra ID Governance, and this tenant has neither. Nothing was sent.".into(),
            "Buy or start a trial of Entra ID P2 (or ID Governance) for at least the admins who create reviews. Reviewing guests of a group this way does not bill the Governance meter per guest; reviews of inactive guests and review recommendations would.",
        ))
    }

    /// One recurring review of the guests of each group in `req`, each a recorded change.
    pub async fn create_guest_reviews(&self, req: &ReviewRequest) -> Result<Vec<StepOutcome>, Problem> {
        if req.groups.iter().all(|g| g.trim().is_empty()) {
            return Err(Problem::field(
                "groups",
                "Name at least one group.".into(),
                "Its guests are reviewed.",
            ));
        }
        if !(1..=12).contains(&req.every_months) {
            return Err(Problem::field(
                "everyMonths",
                format!("Every {} months is not a schedule Guestpass offers.", req.every_months),
                "Choose 1 to 12 months (3 is quarterly).",
            ));
        }
        if req.reviewer.is_none() && req.fallback_reviewer.is_none() {
            return Err(Problem::field(
                "fallbackReviewer",
                "With the group owners reviewing, a fallback reviewer is needed.".into(),
                "Name someone who decides for a group without an owner (or name one reviewer instead).",
            ));
        }
        self.require_governance().await?;
        let person = |address: &Option<String>, field: &'static str| {
            let address = address.clone();
            async move {
                match address {
                    Some(a) => self
                        .find_sponsor(&a, field)
                        .await
                        .map(|u| Some((a.trim().to_lowercase(), u.id))),
                    None => Ok(None),
                }
            }
        };
        let reviewer = person(&req.reviewer, "reviewer").await?;
        let fallback = person(&req.fallback_reviewer, "fallbackReviewer").await?;
        let who_reviews = match (&reviewer, &fallback) {
            (Some((a, _)), _) => a.clone(),
            (None, Some((f, _))) => format!("the group's owners (or {f} when it has none)"),
            (None, None) => "the group's owners".into(),
        };
        let mut out = Vec::new();
        for g in req.groups.iter().filter(|g| !g.trim().is_empty()) {
            let group = self.resolve_group(g).await?;
            let group_name = group.display_name.clone().unwrap_or_else(|| group.id.clone());
            let display_name = format!("Guests of {group_name}");
            let body = definition(
                &display_name,
                &group.id,
                req,
                reviewer.as_ref().map(|(_, id)| id.as_str()),
                fallback.as_ref().map(|(_, id)| id.as_str()),
            );
            out.push(
                self.run_step(&SetReview {
                    state: ReviewState {
                        definition_id: None,
                        display_name,
                        group_id: group.id.clone(),
                        group_name,
                        present: true,
                    },
                    body,
                    undoes: None,
                    who_reviews: who_reviews.clone(),
                })
                .await?,
            );
        }
        Ok(out)
    }

    /// Undoes creating a review: deletes it, unless it is gone already.
    pub(crate) async fn undo_review(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let Some(made) = recorded::<ReviewState>(row.after.as_ref()).filter(|s| s.definition_id.is_some()) else {
            return Err(refuse(
                format!("Change #{} does not record the review's id.", row.seq),
                "Delete the review in Entra (Identity Governance > Access reviews).",
            ));
        };
        let mut gone = made.clone();
        gone.present = false;
        self.run_step(&SetReview {
            state: gone,
            body: Value::Null,
            undoes: Some(row.seq),
            who_reviews: String::new(),
        })
        .await
    }

    /// The tenant's access reviews, each with its latest instance's decisions.
    pub async fn guest_reviews(&self) -> Result<Vec<ReviewSummary>, Problem> {
        self.require_governance().await?;
        let read = |e: guestpass_graph::GraphError| Problem::from_graph("Reading the access reviews", &e);
        let groups = self.graph.all_groups().await.map_err(read)?;
        let group_name = |id: &str| {
            groups
                .iter()
                .find(|g| g.id == id)
                .and_then(|g| g.display_name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let mut out = Vec::new();
        for d in self.graph.reviews().await.map_err(read)? {
            let id = d["id"].as_str().unwrap_or_default().to_string();
            let scope_query = d["scope"]["query"].as_str().unwrap_or_default();
            let scope = match scope_query.strip_prefix("/groups/").and_then(|r| r.split('/').next()) {
                Some(g) if scope_query.contains("Guest") => format!("guests of {}", group_name(g)),
                Some(g) => format!("members of {}", group_name(g)),
                None => scope_query.to_string(),
            };
            let reviewers = d["reviewers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["query"].as_str())
                .map(|q| {
                    if q.ends_with("/owners") {
                        "the group's owners".to_string()
                    } else {
                        q.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let instances = self.graph.review_instances(&id).await.map_err(read)?;
            let latest = instances
                .iter()
                .max_by_key(|i| i["startDateTime"].as_str().unwrap_or_default().to_string());
            let decisions = match latest.and_then(|i| i["id"].as_str()) {
                Some(instance) => self
                    .graph
                    .review_decisions(&id, instance)
                    .await
                    .map_err(read)?
                    .iter()
                    .map(|x| ReviewDecision {
                        guest: x["principal"]["userPrincipalName"]
                            .as_str()
                            .or(x["principal"]["displayName"].as_str())
                            .unwrap_or_default()
                            .to_string(),
                        decision: x["decision"].as_str().unwrap_or("NotReviewed").to_string(),
                        reviewed_by: x["reviewedBy"]["userPrincipalName"]
                            .as_str()
                            .or(x["reviewedBy"]["displayName"].as_str())
                            .map(str::to_string),
                        reviewed_at: x["reviewedDateTime"].as_str().map(str::to_string),
                        apply_result: x["applyResult"].as_str().map(str::to_string),
                    })
                    .collect(),
                None => Vec::new(),
            };
            out.push(ReviewSummary {
                id,
                display_name: d["displayName"].as_str().unwrap_or_default().to_string(),
                scope,
                reviewers,
                recurrence: in_words_every(&d["settings"]["recurrence"]["pattern"]["interval"]),
                status: d["status"].as_str().unwrap_or_default().to_string(),
                latest_start: latest.and_then(|i| i["startDateTime"].as_str()).map(str::to_string),
                latest_end: latest.and_then(|i| i["endDateTime"].as_str()).map(str::to_string),
                decisions,
            });
        }
        Ok(out)
    }
}
