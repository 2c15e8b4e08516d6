//! The readiness card: can this guest get in, and if not, why and what fixes it.

use super::google::is_gmail;
use crate::engine::Engine;
use crate::problem::Problem;
use crate::validate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The wizard step that fixes an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum FixStep {
    Invite,
    Profile,
    License,
    Groups,
    /// The Dataverse role (assigned in the Access step).
    Access,
    Settings,
    Google,
    /// The guest's organisation's own cross-tenant settings (the Partners page).
    Partners,
    /// Nothing Guestpass can do: the guest has to act (e.g. accept the invitation).
    Guest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessItem {
    pub label: String,
    pub ok: bool,
    /// Why, in plain words.
    pub detail: String,
    pub fix: Option<FixStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    pub email: String,
    pub user_id: Option<String>,
    pub display_name: Option<String>,
    pub items: Vec<ReadinessItem>,
    /// Every item is green.
    pub ready: bool,
    /// The tenant-specific sign-in link to send the guest.
    pub sign_in_link: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessRequest {
    pub email: String,
    /// A licence (part number or id) the guest should have; otherwise any licence counts.
    pub license: Option<String>,
    /// Groups (names or ids) the guest should be in.
    #[serde(default)]
    pub groups: Vec<String>,
    /// A Dataverse environment (URL, name or id) and the security role the guest should have there.
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
}

/// Domains of personal Microsoft accounts.
const PERSONAL_MICROSOFT: &[&str] = &["outlook.com", "hotmail.com", "live.com", "msn.com"];

fn item(label: &str, ok: bool, detail: String, fix: Option<FixStep>) -> ReadinessItem {
    ReadinessItem {
        label: label.into(),
        ok,
        detail,
        fix: if ok { None } else { fix },
    }
}

impl Engine {
    /// Whether the guest has `role` in the environment's Dataverse.
    async fn role_item(&self, environment: &str, role: &str, object_id: &str) -> Result<ReadinessItem, Problem> {
        let env = match self.resolve_environment(environment).await {
            Ok(env) => env,
            Err(p) => return Ok(item(&format!("Role: {role}"), false, p.message, Some(FixStep::Access))),
        };
        let Some(dataverse) = env.dataverse.clone() else {
            return Ok(item(
                &format!("Role: {role}"),
                false,
                format!("{} has no Dataverse.", env.display_name),
                Some(FixStep::Access),
            ));
        };
        let user = self
            .graph
            .dataverse_user(&dataverse, object_id)
            .await
            .map_err(|e| Problem::from_graph("Looking the guest up in Dataverse", &e))?;
        let label = format!("Role in {}", env.display_name);
        Ok(match user {
            None => item(
                &label,
                false,
                format!(
                    "Not in {}'s Dataverse yet (needs a licence, then a sync).",
                    env.display_name
                ),
                Some(FixStep::Access),
            ),
            Some(u)
                if u.systemuserroles_association
                    .iter()
                    .any(|r| r.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(role))) =>
            {
                item(&label, true, format!("Has {role}."), None)
            }
            Some(_) => item(&label, false, format!("Does not have {role}."), Some(FixStep::Access)),
        })
    }

    /// Whether a guest maker can make apps: the tenant setting, guest access "same as members",
    /// a licence here, and a work account (personal Microsoft accounts cannot use the maker portal).
    async fn can_make_apps(
        &self,
        settings: &super::collaboration::ExternalSettings,
        licensed: bool,
        domain: &str,
    ) -> Result<ReadinessItem, Problem> {
        let view = self.makers().await?;
        let mut missing: Vec<(&str, FixStep)> = Vec::new();
        if !view.guests_can_make {
            missing.push((
                "the tenant does not let guests make Power Apps (switch it on the Protect page)",
                FixStep::Settings,
            ));
        }
        if settings.guest_access != super::collaboration::GuestAccess::SameAsMembers {
            missing.push((
                "guest access is not “same as members”, which Microsoft requires for makers",
                FixStep::Settings,
            ));
        }
        if !licensed {
            missing.push(("no Power Apps licence in this tenant", FixStep::License));
        }
        if PERSONAL_MICROSOFT.contains(&domain) {
            missing.push((
                "a personal Microsoft account cannot sign in to make.powerapps.com: invite their work address",
                FixStep::Guest,
            ));
        }
        Ok(match missing.first() {
            None => item(
                "Can make apps",
                true,
                "Guest makers are on, guest access allows it, and they hold a licence here.".into(),
                None,
            ),
            Some((_, fix)) => item(
                "Can make apps",
                false,
                format!(
                    "Not yet: {}.",
                    missing.iter().map(|(w, _)| *w).collect::<Vec<_>>().join("; ")
                ),
                Some(*fix),
            ),
        })
    }

    pub async fn check_guest(&self, req: &ReadinessRequest) -> Result<Readiness, Problem> {
        let email = validate::email("email", &req.email).map_err(|e| Problem::invalid(vec![e]))?;
        let domain = email.rsplit('@').next().unwrap_or_default().to_ascii_lowercase();
        let sign_in_link = format!("https://myapps.microsoft.com/?tenantid={}", self.info.tenant_id);
        let mut items = Vec::new();

        let settings = self.read_settings().await?;
        items.push(item(
            "Domain allowed",
            settings.domains.permits(&domain),
            if settings.domains.permits(&domain) {
                format!("Invitations to {domain} are allowed.")
            } else {
                format!("The tenant's external collaboration settings do not allow invitations to {domain}.")
            },
            Some(FixStep::Settings),
        ));
        if let Some(org) = self.home_organisation(&domain).await {
            let whose = if org.own {
                format!("{}'s own settings", org.name)
            } else {
                "the default settings".to_string()
            };
            let allowed = org.effective.collaboration_inbound != Some(false);
            let mfa = match org.effective.trust_mfa {
                Some(true) => "their MFA at home counts here",
                _ => "they register MFA here too if a policy asks for it",
            };
            items.push(item(
                "Their organisation",
                allowed,
                if allowed {
                    format!("{} ({whose}): B2B collaboration allowed; {mfa}.", org.name)
                } else {
                    format!("{} ({whose}) blocks B2B collaboration: they cannot be invited or sign in. Change it on the Partners page.", org.name)
                },
                Some(FixStep::Partners),
            ));
        }
        if is_gmail(&email) {
            let google = self.google_federation().await?;
            items.push(item(
                "Google sign-in",
                google.configured,
                if google.configured {
                    "Google federation is set up, so they can use their Gmail account.".into()
                } else {
                    "Google federation is not set up: they will be asked for a one-time passcode instead.".into()
                },
                Some(FixStep::Google),
            ));
        }

        let found = self
            .graph
            .find_users_by_email(&email)
            .await
            .map_err(|e| Problem::from_graph(&format!("Looking up {email}"), &e))?;
        let Some(user) = found.into_iter().find(|u| u.is_guest()) else {
            items.insert(
                0,
                item(
                    "Invited",
                    false,
                    format!("{email} is not a guest in this tenant."),
                    Some(FixStep::Invite),
                ),
            );
            return Ok(Readiness {
                email,
                user_id: None,
                display_name: None,
                ready: false,
                items,
                sign_in_link,
            });
        };
        let profile = self
            .graph
            .user_profile(&user.id)
            .await
            .map_err(|e| Problem::from_graph(&format!("Reading {email}"), &e))?
            .body;
        let accepted = profile.external_user_state.as_deref() == Some("Accepted");
        let mut head = vec![
            item("Invited", true, "They are a guest in this tenant.".into(), None),
            item(
                "Invitation accepted",
                accepted,
                if accepted {
                    "They have accepted the invitation.".into()
                } else {
                    "They have not accepted the invitation yet: send them the invitation or sign-in link.".into()
                },
                Some(FixStep::Guest),
            ),
        ];
        let location = profile.usage_location.clone().filter(|l| !l.is_empty());
        head.push(item(
            "Usage location",
            location.is_some(),
            match &location {
                Some(l) => format!("Set to {l}."),
                None => "Not set; Microsoft assigns no licence without it.".into(),
            },
            Some(FixStep::Profile),
        ));

        let skus = self
            .graph
            .subscribed_skus()
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's licences", &e))?;
        let name_of = |id: &str| {
            skus.iter()
                .find(|s| s.sku_id.eq_ignore_ascii_case(id))
                .map(|s| s.sku_part_number.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let held: Vec<String> = profile.assigned_licenses.iter().map(|l| name_of(&l.sku_id)).collect();
        let license_item = match &req.license {
            Some(want) => {
                let want_name = skus
                    .iter()
                    .find(|s| s.sku_id.eq_ignore_ascii_case(want) || s.sku_part_number.eq_ignore_ascii_case(want))
                    .map(|s| s.sku_part_number.clone())
                    .unwrap_or_else(|| want.clone());
                let ok = held.iter().any(|h| h.eq_ignore_ascii_case(&want_name));
                item(
                    "Licence",
                    ok,
                    if ok {
                        format!("Has {want_name}.")
                    } else {
                        format!("Does not have {want_name}.")
                    },
                    Some(FixStep::License),
                )
            }
            None if held.is_empty() => item("Licence", false, "No licence assigned.".into(), Some(FixStep::License)),
            None => item("Licence", true, format!("Has {}.", held.join(", ")), None),
        };
        head.push(license_item);

        let groups = self
            .graph
            .member_of(&user.id)
            .await
            .map_err(|e| Problem::from_graph("Reading group memberships", &e))?;
        let names: Vec<String> = groups
            .iter()
            .map(|g| g.display_name.clone().unwrap_or_else(|| g.id.clone()))
            .collect();
        if req.groups.is_empty() {
            head.push(item(
                "Groups",
                !groups.is_empty(),
                if groups.is_empty() {
                    "In no group.".into()
                } else {
                    format!("In {}.", names.join(", "))
                },
                Some(FixStep::Groups),
            ));
        } else {
            for want in &req.groups {
                let ok = groups.iter().any(|g| {
                    g.id.eq_ignore_ascii_case(want)
                        || g.display_name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(want))
                });
                head.push(item(
                    &format!("Group: {want}"),
                    ok,
                    if ok { "A member.".into() } else { "Not a member.".into() },
                    Some(FixStep::Groups),
                ));
            }
        }
        if let (Some(env), Some(role)) = (&req.environment, &req.role) {
            head.push(self.role_item(env, role, &user.id).await?);
            if role.trim().eq_ignore_ascii_case(crate::protect::ENVIRONMENT_MAKER) {
                head.push(self.can_make_apps(&settings, !held.is_empty(), &domain).await?);
            }
        }
        head.extend(items);
        let ready = head.iter().all(|i| i.ok);
        Ok(Readiness {
            email,
            user_id: Some(user.id),
            display_name: profile.display_name,
            items: head,
            ready,
            sign_in_link,
        })
    }
}
