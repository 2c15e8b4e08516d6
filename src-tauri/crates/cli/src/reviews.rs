//! `guestpass-cli reviews`: recurring access reviews of the guests in chosen groups (Entra ID P2
//! or ID Governance), and the reviews with their latest decisions.

use crate::{connect, fail, print_steps, print_view};
use clap::Subcommand;
use guestpass_core::guests::{ReviewRequest, ReviewSummary};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ReviewsAction {
    /// One recurring review of the guests of each group: unanswered means deny, decisions are
    /// applied, denied guests are blocked then removed after 30 days. Undo from History.
    Create {
        /// A group by name or id (repeat for several; one review each).
        #[arg(long = "group", value_name = "G", required = true)]
        groups: Vec<String>,
        /// How often, in months (3 is quarterly).
        #[arg(long, default_value_t = 3, value_name = "N")]
        every_months: u32,
        /// `owners` (the group's owners) or a person's address.
        #[arg(long, default_value = "owners", value_name = "owners|USER_EMAIL")]
        reviewers: String,
        /// Who decides for a group without an owner (needed with owners reviewing).
        #[arg(long, value_name = "E")]
        fallback_reviewer: Option<String>,
        /// Print what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// The tenant's access reviews with their latest decisions.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub async fn reviews(action: ReviewsAction) -> ExitCode {
    match action {
        ReviewsAction::Create {
            groups,
            every_months,
            reviewers,
            fallback_reviewer,
            dry_run,
            json,
        } => {
            let engine = match connect(dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            let req = ReviewRequest {
                groups,
                every_months,
                reviewer: (!reviewers.eq_ignore_ascii_case("owners")).then_some(reviewers),
                fallback_reviewer,
            };
            match engine.create_guest_reviews(&req).await {
                Ok(steps) => print_steps(&steps, json, None),
                Err(p) => fail(&p, json),
            }
        }
        ReviewsAction::List { json } => {
            let found = match connect(false).await {
                Ok(e) => e.guest_reviews().await,
                Err(p) => Err(p),
            };
            print_view(
                found.map(|reviews| serde_json::json!({ "reviews": reviews })),
                json,
                |v| {
                    let reviews: Vec<ReviewSummary> = serde_json::from_value(v["reviews"].clone()).unwrap_or_default();
                    list_text(&reviews)
                },
            )
        }
    }
}

fn list_text(reviews: &[ReviewSummary]) -> String {
    if reviews.is_empty() {
        return "No access reviews yet. Create one with `reviews create --group G --fallback-reviewer E`.\n".into();
    }
    let mut out = String::new();
    for r in reviews {
        out += &format!(
            "{} — {}, {}, reviewed by {} ({})\n",
            r.display_name, r.scope, r.recurrence, r.reviewers, r.status
        );
        if let (Some(start), Some(end)) = (&r.latest_start, &r.latest_end) {
            out += &format!("  latest review open {start} to {end}\n");
        }
        for d in &r.decisions {
            out += &format!(
                "  {:<48} {:<12} {}\n",
                d.guest,
                d.decision,
                d.reviewed_by.as_deref().map(|b| format!("by {b}")).unwrap_or_default()
            );
        }
    }
    out
}
