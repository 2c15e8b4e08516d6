//! Who on a guest list is already in the tenant, found the cheaper way for this list and this
//! directory: each address looked up (20 per `$batch`), or the directory's users read once
//! (999 per page) and matched here. A list of 10,000 addresses against 2,000 users takes 500
//! batches one way and 3 pages the other; a list of 30 takes 2 batches.

use super::run::RunControl;
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::models::User;
use guestpass_graph::MAX_BATCH;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// Addresses looked up per progress report: a few batches in flight at once.
const LOOKUP_CHUNK: usize = MAX_BATCH * 4;

/// What a long check against the tenant is doing, streamed while it works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewProgress {
    pub stage: PreviewStage,
    /// Addresses looked up, or directory users read, so far.
    pub done: u32,
    /// Of how many (the directory's size once its first page says it).
    pub total: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum PreviewStage {
    /// Looking each address up.
    LookingUp,
    /// Reading the directory's users once to match the list here.
    ReadingDirectory,
}

/// For each address (in order): the users Graph finds at it, or `None` when its lookup failed.
pub(crate) type Found = Vec<Option<Vec<User>>>;

impl Engine {
    /// Who is at each address. Stops with a `Cancelled` problem when `control` is cancelled.
    pub(crate) async fn who_is_here(
        &self,
        emails: &[String],
        on_progress: &(dyn Fn(PreviewProgress) + Send + Sync),
        control: &RunControl,
    ) -> Result<Found, Problem> {
        // One batch answers a short list; reading even one page of the directory costs as much.
        if emails.len().div_ceil(MAX_BATCH) > 1 {
            if let Some(found) = self.match_in_directory(emails, on_progress, control).await? {
                return Ok(found);
            }
        }
        self.look_each_up(emails, on_progress, control).await
    }

    async fn look_each_up(
        &self,
        emails: &[String],
        on_progress: &(dyn Fn(PreviewProgress) + Send + Sync),
        control: &RunControl,
    ) -> Result<Found, Problem> {
        let total = emails.len() as u32;
        let mut found = Vec::with_capacity(emails.len());
        for chunk in emails.chunks(LOOKUP_CHUNK) {
            stop_if_cancelled(control)?;
            let answers = self
                .graph
                .find_users_by_emails(chunk)
                .await
                .map_err(|e| Problem::from_graph("Looking up the list's addresses", &e))?;
            found.extend(answers.into_iter().map(Result::ok));
            on_progress(PreviewProgress {
                stage: PreviewStage::LookingUp,
                done: found.len() as u32,
                total,
            });
        }
        Ok(found)
    }

    /// Reads the directory when that takes fewer requests than looking each address up; `None`
    /// when its first page shows the directory is too big for that to pay.
    async fn match_in_directory(
        &self,
        emails: &[String],
        on_progress: &(dyn Fn(PreviewProgress) + Send + Sync),
        control: &RunControl,
    ) -> Result<Option<Found>, Problem> {
        let read = |e| Problem::from_graph("Reading the directory's users", &e);
        stop_if_cancelled(control)?;
        let first = self.graph.directory_page(None).await.map_err(read)?;
        let total = first.total.unwrap_or(first.users.len());
        let pages_left = total
            .saturating_sub(first.users.len())
            .div_ceil(first.users.len().max(1));
        if first.next.is_some() && pages_left >= emails.len().div_ceil(MAX_BATCH) {
            return Ok(None);
        }
        let mut users = first.users;
        let mut next = first.next;
        let report = |read: usize| {
            on_progress(PreviewProgress {
                stage: PreviewStage::ReadingDirectory,
                done: read as u32,
                total: total.max(read) as u32,
            })
        };
        report(users.len());
        while let Some(link) = next {
            stop_if_cancelled(control)?;
            let page = self.graph.directory_page(Some(&link)).await.map_err(read)?;
            users.extend(page.users);
            next = page.next;
            report(users.len());
        }
        Ok(Some(match_addresses(emails, &users)))
    }
}

/// The users at each address, as Graph's lookup would find them: by `mail`, another address or
/// an SMTP proxy address, ignoring case.
fn match_addresses(emails: &[String], users: &[User]) -> Found {
    let mut at: HashMap<String, Vec<&User>> = HashMap::new();
    for user in users {
        for address in user.addresses() {
            at.entry(address).or_default().push(user);
        }
    }
    emails
        .iter()
        .map(|e| {
            let users = at.get(&e.to_lowercase()).map(Vec::as_slice).unwrap_or_default();
            Some(users.iter().map(|u| (*u).clone()).collect())
        })
        .collect()
}

/// Ends a long read between requests once the admin has stopped it.
pub(crate) fn stop_if_cancelled(control: &RunControl) -> Result<(), Problem> {
    match control.is_cancelled() {
        true => Err(Problem::cancelled(
            "The check against the tenant",
            "Check the list again when you are ready (in the CLI: run the import again).",
        )),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, mail: Option<&str>, other: &[&str], proxies: &[&str]) -> User {
        User {
            id: id.into(),
            mail: mail.map(Into::into),
            other_mails: other.iter().map(|s| s.to_string()).collect(),
            proxy_addresses: proxies.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn addresses_match_as_graphs_lookup_does() {
        let users = [
            user("a", Some("Ann@Partner.example"), &[], &["SMTP:ann@partner.example"]),
            user("b", None, &["bo@other.example"], &[]),
            user(
                "c",
                Some("cy@x.example"),
                &[],
                &["smtp:cy.alias@x.example", "x500:/o=cy@x.example"],
            ),
        ];
        let emails: Vec<String> = [
            "ann@partner.example",
            "BO@other.example",
            "cy.alias@x.example",
            "/o=cy@x.example",
            "nobody@x.example",
        ]
        .map(String::from)
        .to_vec();
        let ids: Vec<Vec<String>> = match_addresses(&emails, &users)
            .into_iter()
            .map(|f| f.unwrap().into_iter().map(|u| u.id).collect())
            .collect();
        assert_eq!(ids, vec![vec!["a"], vec!["b"], vec!["c"], vec![], vec![]]);
    }
}
