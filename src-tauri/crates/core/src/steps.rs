//! Onboarding steps after the invitation: profile (name, usage location), licence, groups.
//! Each reads the guest first, makes no change when the tenant is already as asked, refuses
//! early what Microsoft would refuse (no usage location before a licence, no free seat),
//! applies, reads back, and logs.

use crate::connect::Engine;
use crate::problem::{FieldError, Problem};
use crate::validate;
use guestpass_graph::models::{Group, SubscribedSku, UserPatch, UserProfile};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// Which guest a step acts on: their address, and their object id when already known
/// (right after an invitation the directory may not find them by address yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestRef {
    pub email: String,
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRequest {
    pub guest: GuestRef,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `GB`. Needed before any licence.
    pub usage_location: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StepStatus {
    /// The change was made.
    Changed,
    /// The tenant was already as asked; nothing was sent.
    Unchanged,
    /// A dry run: this change would be made.
    WouldChange,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepOutcome {
    /// `profile`, `license`, `group`.
    pub step: String,
    pub status: StepStatus,
    pub summary: String,
    pub request_id: Option<String>,
    #[ts(type = "number")]
    pub change_seq: i64,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupOption {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub security_enabled: bool,
}

impl From<Group> for GroupOption {
    fn from(g: Group) -> Self {
        GroupOption {
            display_name: g.display_name.unwrap_or_else(|| g.id.clone()),
            id: g.id,
            description: g.description,
            security_enabled: g.security_enabled,
        }
    }
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

/// `GB`, `gb` or ` GB ` -> `GB`; anything else names the fix.
pub fn usage_location(field: &str, value: &str) -> Result<String, FieldError> {
    let code = value.trim().to_ascii_uppercase();
    match isocountry::CountryCode::for_alpha2(&code) {
        Ok(_) => Ok(code),
        Err(_) => Err(FieldError {
            field: field.into(),
            message: format!(
                "'{}' is not a two-letter country code (ISO 3166-1), e.g. GB, US, DE.",
                value.trim()
            ),
        }),
    }
}

impl Engine {
    /// The guest's current profile, riding out replication right after an invitation.
    pub(crate) async fn guest_profile(&self, guest: &GuestRef) -> Result<UserProfile, Problem> {
        let id = match &guest.user_id {
            Some(id) => id.clone(),
            None => {
                let found = self
                    .graph
                    .find_users_by_email(&guest.email)
                    .await
                    .map_err(|e| Problem::from_graph(&format!("Looking up {}", guest.email), &e))?;
                match found.into_iter().next() {
                    Some(u) => u.id,
                    None => {
                        return Err(Problem::field(
                            "email",
                            format!("{} is not in this tenant yet.", guest.email),
                            "Invite them first (give a redirect URL), then run this step again.",
                        ))
                    }
                }
            }
        };
        let mut delay = self.verify.first_delay;
        let mut attempt = 0;
        loop {
            match self.graph.user_profile(&id).await {
                Ok(a) => return Ok(a.body),
                Err(e) if e.is_not_found() && attempt + 1 < self.verify.attempts => {
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(self.verify.max_delay);
                }
                Err(e) => return Err(Problem::from_graph(&format!("Reading {}", guest.email), &e)),
            }
        }
    }

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
            Some(l) => usage_location("usageLocation", &l).map_err(|e| fields.push(e)).ok(),
            None => None,
        };
        if !fields.is_empty() {
            return Err(Problem::invalid(fields));
        }
        let email = validate::email("email", &req.guest.email).map_err(|e| Problem::invalid(vec![e]))?;
        let current = self
            .guest_profile(&GuestRef {
                email: email.clone(),
                user_id: req.guest.user_id.clone(),
            })
            .await?;

        let differs =
            |want: &Option<String>, have: &Option<String>| want.as_ref().filter(|w| Some(*w) != have.as_ref()).cloned();
        let patch = UserPatch {
            given_name: differs(&given, &current.given_name),
            surname: differs(&surname, &current.surname),
            usage_location: differs(&location, &current.usage_location),
            display_name: None,
        };
        let before = json!({"givenName": current.given_name, "surname": current.surname, "usageLocation": current.usage_location});
        if patch.is_empty() {
            return self.log_unchanged(
                "profile",
                "set_profile",
                &email,
                before,
                format!("{email}'s profile is already as asked."),
            );
        }
        if self.dry_run {
            return Ok(StepOutcome::would(
                "profile",
                format!("Would set {} for {email}.", describe_patch(&patch)),
            ));
        }
        self.intend("set_profile", &email, &serde_json::to_value(&patch).unwrap_or_default())?;
        let request_id = self.graph.update_user(&current.id, &patch).await.map_err(|e| {
            self.log_failed(
                "set_profile",
                &email,
                &format!("Updating {email}'s profile"),
                &e,
                serde_json::to_value(&patch).unwrap_or_default(),
            )
        })?;
        let after = json!({
            "givenName": patch.given_name.clone().or(current.given_name.clone()),
            "surname": patch.surname.clone().or(current.surname.clone()),
            "usageLocation": patch.usage_location.clone().or(current.usage_location.clone()),
        });
        self.log_changed(
            "profile",
            "set_profile",
            &email,
            before,
            after,
            format!("Set {} for {email}.", describe_patch(&patch)),
            request_id,
        )
    }

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
        let email = validate::email("email", &guest.email).map_err(|e| Problem::invalid(vec![e]))?;
        let skus = self.tenant_skus().await?;
        let wanted = sku.trim();
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
        let current = self
            .guest_profile(&GuestRef {
                email: email.clone(),
                user_id: guest.user_id.clone(),
            })
            .await?;
        let before = json!({"assignedLicenses": current.assigned_licenses.iter().map(|l| &l.sku_id).collect::<Vec<_>>(), "usageLocation": current.usage_location});
        if current
            .assigned_licenses
            .iter()
            .any(|l| l.sku_id.eq_ignore_ascii_case(&chosen.sku_id))
        {
            return self.log_unchanged(
                "license",
                "assign_license",
                &email,
                before,
                format!("{email} already has {}.", chosen.sku_part_number),
            );
        }
        // Refuse here what Microsoft would refuse, with the fix.
        let no_location = current.usage_location.as_deref().is_none_or(str::is_empty);
        if no_location && self.dry_run {
            let summary = format!(
                "Would assign {} to {email}, once a usage location is set (Microsoft refuses licences without one).",
                chosen.sku_part_number
            );
            return Ok(StepOutcome::would("license", summary));
        }
        if no_location {
            return Err(Problem::field(
                "usageLocation",
                format!("{email} has no usage location, and Microsoft assigns licences only to users that have one."),
                "Set the usage location (the country where they use the service) in the profile step first.",
            ));
        }
        if chosen.free_seats() <= 0 {
            return Err(Problem::field(
                "license",
                format!(
                    "All {} seats of {} are in use.",
                    chosen.prepaid_units.enabled, chosen.sku_part_number
                ),
                "Buy more seats, free one up, or pick another licence.",
            ));
        }
        if self.dry_run {
            let summary = format!(
                "Would assign {} to {email} ({} seats free).",
                chosen.sku_part_number,
                chosen.free_seats()
            );
            return Ok(StepOutcome::would("license", summary));
        }
        self.intend("assign_license", &email, &json!({"addLicenses": [chosen.sku_id]}))?;
        let answer = self
            .graph
            .assign_license(&current.id, &chosen.sku_id)
            .await
            .map_err(|e| {
                self.log_failed(
                    "assign_license",
                    &email,
                    &format!("Assigning {} to {email}", chosen.sku_part_number),
                    &e,
                    json!({"addLicenses": [chosen.sku_id]}),
                )
            })?;
        let mut after_ids: Vec<&String> = current.assigned_licenses.iter().map(|l| &l.sku_id).collect();
        after_ids.push(&chosen.sku_id);
        let after = json!({"assignedLicenses": after_ids, "skuPartNumber": chosen.sku_part_number});
        self.log_changed(
            "license",
            "assign_license",
            &email,
            before,
            after,
            format!("Assigned {} to {email}.", chosen.sku_part_number),
            answer.request_id,
        )
    }

    /// Security groups and others whose name has a word starting with `term`.
    pub async fn search_groups(&self, term: &str) -> Result<Vec<GroupOption>, Problem> {
        let term = term.trim();
        if term.is_empty() {
            return Ok(vec![]);
        }
        let groups = self
            .graph
            .search_groups(term, 25)
            .await
            .map_err(|e| Problem::from_graph("Searching groups", &e))?;
        Ok(groups.into_iter().map(GroupOption::from).collect())
    }

    /// Finds a group by id or exact name; a name shared by several groups is refused.
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

    /// A group by id or exact name, remembered for the rest of a bulk run.
    pub(crate) async fn resolve_group(&self, group: &str) -> Result<Group, Problem> {
        let key = group.trim().to_lowercase();
        if let Some(cache) = &self.run_cache {
            if let Some(g) = cache.groups.lock().await.get(&key) {
                return Ok(g.clone());
            }
        }
        let g = self.find_group(group).await?;
        if let Some(cache) = &self.run_cache {
            cache.groups.lock().await.insert(key, g.clone());
        }
        Ok(g)
    }

    async fn find_group(&self, group: &str) -> Result<Group, Problem> {
        let g = group.trim();
        let is_guid = g.len() == 36 && g.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if is_guid {
            return match self.graph.get_group(g).await {
                Ok(a) => Ok(a.body),
                Err(e) if e.is_not_found() => Err(Problem::field(
                    "group",
                    format!("No group has the id {g}."),
                    "Check the id, or give the group's name.",
                )),
                Err(e) => Err(Problem::from_graph("Reading the group", &e)),
            };
        }
        let mut found = self
            .graph
            .groups_named(g)
            .await
            .map_err(|e| Problem::from_graph("Finding the group", &e))?;
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(Problem::field(
                "group",
                format!("No group is called '{g}'."),
                "Check the spelling, or search for the group and use its id.",
            )),
            n => Err(Problem::field(
                "group",
                format!("{n} groups are called '{g}'."),
                "Use the group's id instead of its name.",
            )),
        }
    }

    /// Adds the guest to a group (by id or exact name). Already a member is a success.
    pub async fn add_to_group(&self, guest: &GuestRef, group: &str) -> Result<StepOutcome, Problem> {
        let email = validate::email("email", &guest.email).map_err(|e| Problem::invalid(vec![e]))?;
        let g = self.resolve_group(group).await?;
        let name = g.display_name.clone().unwrap_or_else(|| g.id.clone());
        let current = self
            .guest_profile(&GuestRef {
                email: email.clone(),
                user_id: guest.user_id.clone(),
            })
            .await?;
        let before = json!({"groupId": g.id, "groupName": name, "member": false});
        let already = self
            .graph
            .member_of(&current.id)
            .await
            .map_err(|e| Problem::from_graph("Reading group memberships", &e))?;
        if already.iter().any(|m| m.id == g.id) {
            let state = json!({"groupId": g.id, "groupName": name, "member": true});
            return self.log_unchanged(
                "group",
                "add_to_group",
                &email,
                state,
                format!("{email} is already in {name}."),
            );
        }
        if self.dry_run {
            return Ok(StepOutcome::would("group", format!("Would add {email} to {name}.")));
        }
        // Right after an invitation Graph may not know the user yet: retry its 404s a while.
        let mut delay = self.verify.first_delay;
        let mut attempt = 0;
        self.intend("add_to_group", &email, &json!({"groupId": g.id, "groupName": name}))?;
        let outcome = loop {
            match self.graph.add_group_member(&g.id, &current.id).await {
                Ok(request_id) => break Ok(request_id),
                Err(e) if e.is_not_found() && attempt + 1 < self.verify.attempts => {
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(self.verify.max_delay);
                }
                // Someone (or a lost answer) added them meanwhile: that is the goal reached.
                Err(e)
                    if e.status() == Some(400) && e.service().is_some_and(|s| s.message.contains("already exist")) =>
                {
                    break Ok(e.request_id().map(str::to_string))
                }
                Err(e) => break Err(e),
            }
        };
        let request_id = outcome.map_err(|e| {
            self.log_failed(
                "add_to_group",
                &email,
                &format!("Adding {email} to {name}"),
                &e,
                json!({"groupId": g.id, "groupName": name}),
            )
        })?;
        let after = json!({"groupId": g.id, "groupName": name, "member": true});
        self.log_changed(
            "group",
            "add_to_group",
            &email,
            before,
            after,
            format!("Added {email} to {name}."),
            request_id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_location_is_normalised_or_explained() {
        assert_eq!(usage_location("u", " gb ").unwrap(), "GB");
        assert!(usage_location("u", "UK").unwrap_err().message.contains("GB"));
        assert!(usage_location("u", "Germany").is_err());
    }

    #[test]
    fn countries_are_sorted_by_name_and_complete() {
        let all = countries();
        assert!(all.len() >= 249);
        assert!(all.windows(2).all(|w| w[0].name <= w[1].name));
        assert!(all.iter().any(|c| c.code == "IE"));
    }
}

/// What the wizard shows about a guest before changing them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestSummary {
    pub email: String,
    pub user_id: String,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub usage_location: Option<String>,
    /// `PendingAcceptance` or `Accepted`.
    pub state: Option<String>,
    /// Licence part numbers.
    pub licenses: Vec<String>,
    pub groups: Vec<GroupOption>,
}

const USAGE_LOCATION_PREF: &str = "defaultUsageLocation";

impl Engine {
    pub async fn guest_summary(&self, guest: &GuestRef) -> Result<GuestSummary, Problem> {
        let email = validate::email("email", &guest.email).map_err(|e| Problem::invalid(vec![e]))?;
        let p = self
            .guest_profile(&GuestRef {
                email: email.clone(),
                user_id: guest.user_id.clone(),
            })
            .await?;
        let skus = self
            .graph
            .subscribed_skus()
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's licences", &e))?;
        let groups = self
            .graph
            .member_of(&p.id)
            .await
            .map_err(|e| Problem::from_graph("Reading group memberships", &e))?;
        let licenses = p
            .assigned_licenses
            .iter()
            .map(|l| {
                skus.iter()
                    .find(|s| s.sku_id.eq_ignore_ascii_case(&l.sku_id))
                    .map(|s| s.sku_part_number.clone())
                    .unwrap_or_else(|| l.sku_id.clone())
            })
            .collect();
        Ok(GuestSummary {
            email,
            user_id: p.id,
            display_name: p.display_name,
            given_name: p.given_name,
            surname: p.surname,
            usage_location: p.usage_location,
            state: p.external_user_state,
            licenses,
            groups: groups.into_iter().map(GroupOption::from).collect(),
        })
    }

    /// The usage location this tenant's admin chose as the default for new guests.
    pub fn default_usage_location(&self) -> Result<Option<String>, Problem> {
        self.store
            .preference(&self.info.tenant_id, USAGE_LOCATION_PREF)
            .map_err(Problem::local)
    }

    pub fn set_default_usage_location(&self, code: &str) -> Result<String, Problem> {
        let code = usage_location("usageLocation", code).map_err(|e| Problem::invalid(vec![e]))?;
        self.store
            .set_preference(&self.info.tenant_id, USAGE_LOCATION_PREF, &code)
            .map_err(Problem::local)?;
        Ok(code)
    }
}
