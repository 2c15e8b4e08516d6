//! Country and network limits (issue 12, point 4): a named location — countries by ISO code,
//! or public IP ranges in CIDR, checked here as Microsoft checks them — created as an action of
//! the one runner, and optionally a report-only policy blocking guests outside it. Blocking
//! guests on all resources also blocks Microsoft's invitation-acceptance and security-info
//! pages, which cannot be left out: the preview says what that does to redemption.

use super::mfa::{PolicyApps, ALL_GUEST_TYPES};
use super::policy::{PolicySnapshot, PolicyState, SetPolicy};
use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, Verified,
};
use crate::engine::Engine;
use crate::problem::{FieldError, Problem};
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::net::IpAddr;
use ts_rs::TS;

/// Microsoft's limit on IP ranges in one named location.
const MAX_RANGES: usize = 2000;

/// A named location to create, and whether to block guests outside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocationRequest {
    pub name: String,
    /// ISO 3166-1 alpha-2 codes (GB, IE…); or
    #[serde(default)]
    pub countries: Vec<String>,
    /// public IPv4 or IPv6 ranges in CIDR notation.
    #[serde(default)]
    pub ip_ranges: Vec<String>,
    /// Also create a report-only policy blocking guests who sign in from anywhere else.
    #[serde(default)]
    pub block_guests_outside: bool,
    /// What that policy covers (all resources also blocks redemption from outside).
    pub apps: Option<PolicyApps>,
    /// An emergency-access group that policy leaves out (optional: it reaches guests only).
    #[serde(default)]
    pub exclude_group: Option<String>,
}

/// Why a CIDR range cannot be a named location's, as Microsoft's rules say.
fn range_problem(cidr: &str) -> Option<String> {
    let Ok(net) = cidr.parse::<ipnet::IpNet>() else {
        return Some(format!(
            "'{cidr}' is not an IP range in CIDR notation (e.g. 203.0.113.0/24)"
        ));
    };
    if net.prefix_len() <= 8 {
        return Some(format!("'{cidr}' is too wide: Microsoft takes masks longer than /8"));
    }
    let private = match net.network() {
        IpAddr::V4(a) => a.is_private() || a.is_loopback() || a.is_link_local(),
        IpAddr::V6(a) => {
            a.is_loopback() || (a.segments()[0] & 0xfe00) == 0xfc00 || (a.segments()[0] & 0xffc0) == 0xfe80
        }
    };
    private.then(|| format!("'{cidr}' is a private range, which never reaches Microsoft"))
}

/// The location body Microsoft expects, after the checks it would make.
fn checked(req: &LocationRequest) -> Result<Value, Problem> {
    let mut fields = Vec::new();
    let mut fail = |field: &str, message: String, hint: &str| {
        fields.push(FieldError {
            field: field.into(),
            message: format!("{message} {hint}"),
        })
    };
    let name = req.name.trim();
    if name.is_empty() {
        fail(
            "locationName",
            "Give the location a name.".into(),
            "E.g. \"UK and Ireland\" or \"Fabrikam office\".",
        );
    }
    let countries: Vec<String> = req
        .countries
        .iter()
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    let ranges: Vec<String> = req
        .ip_ranges
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    match (countries.is_empty(), ranges.is_empty()) {
        (true, true) => fail(
            "countries",
            "Name the countries, or the IP ranges, the location stands for.".into(),
            "Countries as ISO codes (GB, IE), or your offices' public IP ranges in CIDR (203.0.113.0/24).",
        ),
        (false, false) => fail(
            "countries",
            "A location is either countries or IP ranges, not both.".into(),
            "Create two locations.",
        ),
        _ => {}
    }
    if let Some(bad) = countries
        .iter()
        .find(|c| c.len() != 2 || isocountry::CountryCode::for_alpha2(c).is_err())
    {
        fail(
            "countries",
            format!("'{bad}' is not an ISO country code."),
            "Use two-letter codes: GB, IE, DE, US…",
        );
    }
    if ranges.len() > MAX_RANGES {
        fail(
            "ipRanges",
            format!(
                "{} ranges: Microsoft takes at most {MAX_RANGES} in one location.",
                ranges.len()
            ),
            "Split them over several locations.",
        );
    }
    if let Some(why) = ranges.iter().find_map(|r| range_problem(r)) {
        fail(
            "ipRanges",
            format!("{why}."),
            "Give your offices' public ranges, as your internet provider or firewall shows them.",
        );
    }
    if !fields.is_empty() {
        return Err(Problem::invalid(fields));
    }
    Ok(if ranges.is_empty() {
        json!({
            "@odata.type": "#microsoft.graph.countryNamedLocation",
            "displayName": name,
            "countriesAndRegions": countries,
            "includeUnknownCountriesAndRegions": false,
            "countryLookupMethod": "clientIpAddress"
        })
    } else {
        let kind = |r: &str| match r.contains(':') {
            true => "#microsoft.graph.iPv6CidrRange",
            false => "#microsoft.graph.iPv4CidrRange",
        };
        json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation",
            "displayName": name,
            "isTrusted": false,
            "ipRanges": ranges.iter().map(|r| json!({"@odata.type": kind(r), "cidrAddress": r})).collect::<Vec<_>>()
        })
    })
}

/// The part of a location undo compares: what it holds.
fn same_location(a: &Value, b: &Value) -> bool {
    a["displayName"] == b["displayName"]
        && a["countriesAndRegions"] == b["countriesAndRegions"]
        && a["ipRanges"] == b["ipRanges"]
}

/// Creates (`to`) or deletes (`from`, as an undo) a named location.
struct SetLocation {
    from: Option<Value>,
    to: Option<Value>,
    undoes: Option<i64>,
}

impl SetLocation {
    fn name(&self) -> String {
        let l = self.to.as_ref().or(self.from.as_ref());
        l.and_then(|l| l["displayName"].as_str())
            .unwrap_or_default()
            .to_string()
    }
}

impl Action for SetLocation {
    type State = Option<Value>;
    type Context = ();
    type Answer = Option<String>;

    fn logged(&self) -> Logged {
        Logged::of(ActionKind::CreateNamedLocation, self.undoes)
    }

    fn target(&self) -> String {
        format!("named location \"{}\"", self.name())
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<Option<Value>, ()>, Problem> {
        let name = self.name();
        if self.from.is_some() && self.undoes.is_none() {
            return Ok(Plan::AlreadySo {
                state: self.from.clone(),
                summary: format!("The named location \"{name}\" is already there."),
            });
        }
        let what = match &self.to {
            Some(l) if l["countriesAndRegions"].is_array() => format!(
                "countries {}",
                l["countriesAndRegions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(l) => format!("{} IP range(s)", l["ipRanges"].as_array().map_or(0, Vec::len)),
            None => String::new(),
        };
        let (would, done, failure) = match self.undoes {
            Some(seq) => (
                format!("Would delete the named location \"{name}\"."),
                format!("Deleted the named location \"{name}\" (undid change #{seq})."),
                format!("Deleting the named location \"{name}\""),
            ),
            None => (
                format!("Would create the named location \"{name}\" ({what})."),
                format!("Created the named location \"{name}\" ({what})."),
                format!("Creating the named location \"{name}\""),
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

    async fn apply(
        &self,
        engine: &Engine,
        change: &Change<Option<Value>, ()>,
    ) -> Result<Applied<Option<String>>, Failure> {
        match (&change.before, &change.after) {
            (None, Some(body)) => {
                let made = engine.graph.create_named_location(body).await?;
                Ok(Applied {
                    answer: made.body["id"].as_str().map(str::to_string),
                    request_id: made.request_id,
                })
            }
            (Some(l), None) => {
                let id = l["id"].as_str().unwrap_or_default();
                let request_id = engine.graph.delete_named_location(id).await?;
                Ok(Applied {
                    answer: None,
                    request_id,
                })
            }
            _ => Ok(Applied {
                answer: None,
                request_id: None,
            }),
        }
    }

    async fn verify(
        &self,
        _: &Engine,
        change: Change<Option<Value>, ()>,
        id: &Option<String>,
    ) -> Verified<Option<Value>> {
        let mut after = change.after;
        if let (Some(l), Some(id)) = (after.as_mut(), id) {
            l["id"] = json!(id);
        }
        Verified {
            after,
            summary: change.done,
        }
    }
}

/// "Block guests outside <location>": every guest type, report-only, granting `block`.
fn block_outside(
    location_name: &str,
    location_id: &str,
    apps: PolicyApps,
    exclude_group: Option<&str>,
) -> PolicySnapshot {
    let mut users = json!({
        "includeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": ALL_GUEST_TYPES,
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}
        }
    });
    if let Some(g) = exclude_group {
        users["excludeGroups"] = json!([g]);
    }
    PolicySnapshot {
        id: None,
        display_name: format!("Guestpass: block guests outside {location_name}"),
        state: PolicyState::ReportOnly.graph().into(),
        conditions: json!({
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": apps.ids()},
            "users": users,
            "locations": {"includeLocations": ["All"], "excludeLocations": [location_id]}
        }),
        grant_controls: json!({"operator": "OR", "builtInControls": ["block"]}),
    }
}

/// What blocking guests on all resources also blocks.
const REDEMPTION_WARNING: &str = " Guests outside it also cannot accept invitations or register MFA: Microsoft's invitation-acceptance and My Sign-ins pages count as all resources and cannot be left out. Choose the Power Platform apps instead to keep those open.";

impl Engine {
    /// Creates the named location, and (asked) the report-only policy blocking guests outside
    /// it. Refuses before anything is sent what Microsoft would refuse.
    pub async fn create_named_location(&self, req: &LocationRequest) -> Result<Vec<StepOutcome>, Problem> {
        let body = checked(req)?;
        self.conditional_access_ready().await?;
        let exclude = match req.exclude_group.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
            Some(name) => Some(self.emergency_group(name).await?),
            None => None,
        };
        let existing = self
            .graph
            .named_locations()
            .await
            .map_err(|e| Problem::from_graph("Reading the named locations", &e))?
            .into_iter()
            .find(|l| l["displayName"] == body["displayName"]);
        if let Some(l) = &existing {
            if !same_location(l, &body) {
                return Err(Problem::field(
                    "locationName",
                    format!(
                        "A named location called \"{}\" already holds something else.",
                        req.name.trim()
                    ),
                    "Pick another name, or change that location in Entra.",
                ));
            }
        }
        let action = SetLocation {
            to: existing.clone().or(Some(body)),
            from: existing,
            undoes: None,
        };
        let made = self.run(&action).await?;
        let mut steps = vec![made.outcome];
        if !req.block_guests_outside {
            return Ok(steps);
        }
        let apps = req.apps.unwrap_or(PolicyApps::All);
        let warning = if apps == PolicyApps::All {
            REDEMPTION_WARNING
        } else {
            ""
        };
        let name = req.name.trim();
        let Some(location_id) = made.state.as_ref().and_then(|l| l["id"].as_str()) else {
            // A dry run: the location does not exist yet, so neither can the policy's preview.
            steps.push(StepOutcome::would(
                "protect",
                format!("Would then create \"Guestpass: block guests outside {name}\" (report-only).{warning}"),
            ));
            return Ok(steps);
        };
        let policy = block_outside(name, location_id, apps, exclude.as_deref());
        let existing = self
            .graph
            .conditional_access_policies()
            .await
            .map_err(|e| Problem::from_graph("Reading the Conditional Access policies", &e))?
            .iter()
            .find(|p| p["displayName"] == policy.display_name.as_str())
            .map(PolicySnapshot::of);
        let action = SetPolicy {
            kind: ActionKind::CreateGuestPolicy,
            to: existing.clone().or(Some(policy)),
            from: existing,
            undoes: None,
        };
        let mut outcome = self.run_step(&action).await?;
        outcome.summary.push_str(warning);
        steps.push(outcome);
        Ok(steps)
    }

    /// Undoes a location's creation: deletes it, unless it changed since (Microsoft refuses
    /// while a policy still uses it: undo that policy first).
    pub(crate) async fn undo_location(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let Some(made) = recorded::<Option<Value>>(row.after.as_ref()).flatten() else {
            return Err(refuse(
                format!("Change #{} does not record the location.", row.seq),
                "Delete it by hand in Entra.",
            ));
        };
        let id = made["id"].as_str().unwrap_or_default();
        let now = self
            .graph
            .named_locations()
            .await
            .map_err(|e| Problem::from_graph("Reading the named locations", &e))?
            .into_iter()
            .find(|l| l["id"] == id);
        let Some(now) = now else {
            return Err(refuse(
                format!(
                    "The named location \"{}\" no longer exists.",
                    made["displayName"].as_str().unwrap_or_default()
                ),
                "Nothing left to undo.",
            ));
        };
        if !same_location(&now, &made) {
            return Err(refuse(
                "The named location was changed since.".into(),
                crate::action::CHANGED_SINCE,
            ));
        }
        self.run_step(&SetLocation {
            from: Some(now),
            to: None,
            undoes: Some(row.seq),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(countries: &[&str], ranges: &[&str]) -> LocationRequest {
        LocationRequest {
            name: "Offices".into(),
            countries: countries.iter().map(|c| c.to_string()).collect(),
            ip_ranges: ranges.iter().map(|c| c.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn ranges_and_countries_are_checked_as_microsoft_checks_them() {
        let ok = checked(&req(&["gb", " ie"], &[])).unwrap();
        assert_eq!(ok["countriesAndRegions"], json!(["GB", "IE"]));
        let ok = checked(&req(&[], &["203.0.113.0/24", "2001:db8:1::/48"])).unwrap();
        assert_eq!(ok["ipRanges"][1]["@odata.type"], "#microsoft.graph.iPv6CidrRange");
        for (countries, ranges, says) in [
            (&["XX"][..], &[][..], "not an ISO country code"),
            (&[], &["10.1.0.0/16"], "private range"),
            (&[], &["192.168.1.0/24"], "private range"),
            (&[], &["8.0.0.0/8"], "too wide"),
            (&[], &["203.0.113.300/24"], "CIDR notation"),
            (&[], &[], "Name the countries"),
            (&["GB"], &["203.0.113.0/24"], "not both"),
        ] {
            let p = checked(&req(countries, ranges)).unwrap_err();
            assert!(
                p.fields[0].message.contains(says),
                "{countries:?} {ranges:?}: {:?}",
                p.fields
            );
        }
    }
}
