//! Partners you trust: per-partner cross-tenant settings (their MFA and devices, B2B
//! collaboration, B2B direct connect, redemption without the consent prompt), found from a
//! domain, each change one recorded, undoable action.

mod settings;

pub use settings::PartnerSettings;

use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::GraphError;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use ts_rs::TS;

/// Personal-mail domains: no organisation's tenant stands behind them, so there is nobody to
/// trust (their people sign in as guests with a one-time passcode or a personal account).
const CONSUMER_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "mail.com",
];

/// A partner's tenant, as Microsoft names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PartnerTenant {
    pub tenant_id: String,
    pub name: String,
    pub default_domain: String,
}

/// One configured partner: its own settings, what they resolve to, and its guests here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PartnerView {
    pub tenant: PartnerTenant,
    pub settings: PartnerSettings,
    /// Each setting after inheritance from the default.
    pub effective: PartnerSettings,
    /// The tenant's guests whose address is at the partner's default domain.
    pub guests: Vec<String>,
}

/// The cross-tenant default and every partner configuration (also those made in the portal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PartnersOverview {
    pub default: PartnerSettings,
    pub partners: Vec<PartnerView>,
}

/// A partner found from a domain, and its own settings (`None`: it has none, all inherited).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PartnerLookup {
    pub tenant: PartnerTenant,
    pub settings: Option<PartnerSettings>,
}

/// What a partner's configuration is: absent, or its settings properties as Microsoft keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PartnerState {
    pub tenant_id: String,
    /// `None`: no configuration (everything inherits the default).
    pub configuration: Option<Value>,
}

impl PartnerState {
    fn settings(&self) -> Option<PartnerSettings> {
        self.configuration.as_ref().map(PartnerSettings::of)
    }
}

/// Adds, changes or removes one partner's configuration (as an undo, `undoes` names the row).
struct SetPartner {
    name: String,
    from: PartnerState,
    to: PartnerState,
    undoes: Option<i64>,
}

impl SetPartner {
    fn words(&self) -> (String, String, String) {
        let name = &self.name;
        if let Some(seq) = self.undoes {
            return (
                format!("Would put {name}'s cross-tenant settings back as before change #{seq}."),
                format!("Put {name}'s cross-tenant settings back (undid change #{seq})."),
                format!("Restoring {name}'s cross-tenant settings"),
            );
        }
        let (from, to) = (self.from.settings(), self.to.settings());
        let Some(to) = to else {
            return (
                format!("Would remove {name}'s settings: its people get the default's again."),
                format!("Removed {name}'s settings: its people get the default's again."),
                format!("Removing {name}'s settings"),
            );
        };
        let listed = |from: &PartnerSettings| {
            let d = to.differences(from);
            if d.is_empty() {
                "every setting inherited".to_string()
            } else {
                d.join("; ")
            }
        };
        let notes = their_side(name, from.clone().unwrap_or_default(), &to);
        match from {
            None => (
                format!(
                    "Would add settings for {name}: {}.{notes}",
                    listed(&PartnerSettings::default())
                ),
                format!(
                    "Added settings for {name}: {}.{notes}",
                    listed(&PartnerSettings::default())
                ),
                format!("Adding settings for {name}"),
            ),
            Some(from) => (
                format!("Would change {name}'s settings: {}.{notes}", listed(&from)),
                format!("Changed {name}'s settings: {}.{notes}", listed(&from)),
                format!("Changing {name}'s settings"),
            ),
        }
    }
}

/// What the partner's admin must do too: B2B direct connect and redemption without the consent
/// prompt work only when both tenants allow them.
fn their_side(name: &str, from: PartnerSettings, to: &PartnerSettings) -> String {
    let on = |was: Option<bool>, now: Option<bool>| now == Some(true) && was != Some(true);
    let mut notes = String::new();
    if on(from.direct_connect_inbound, to.direct_connect_inbound)
        || on(from.direct_connect_outbound, to.direct_connect_outbound)
    {
        notes.push_str(&format!(
            " {name}'s admin must allow B2B direct connect with this tenant on their side too."
        ));
    }
    if on(from.auto_redeem, to.auto_redeem) {
        notes.push_str(&format!(
            " {name}'s admin must allow automatic redemption outbound on their side too."
        ));
    }
    notes
}

impl Action for SetPartner {
    type State = PartnerState;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(ActionKind::SetPartnerSettings, self.undoes)
    }

    fn target(&self) -> String {
        format!("partner {} ({})", self.name, self.from.tenant_id)
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<PartnerState, ()>, Problem> {
        if self.from.settings() == self.to.settings() && self.undoes.is_none() {
            return Ok(Plan::AlreadySo {
                state: self.from.clone(),
                summary: format!("{}'s settings are already as asked.", self.name),
            });
        }
        let (would, done, failure) = self.words();
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

    async fn apply(&self, engine: &Engine, change: &Change<PartnerState, ()>) -> Result<Applied<()>, Failure> {
        let tenant = &change.after.tenant_id;
        let request_id = match (&change.before.configuration, &change.after.configuration) {
            (None, Some(config)) => {
                let mut body = config.clone();
                body["tenantId"] = json!(tenant);
                engine.graph.create_partner_configuration(&body).await?.request_id
            }
            (Some(_), Some(config)) => engine.graph.update_partner_configuration(tenant, config).await?,
            (Some(_), None) => engine.graph.delete_partner_configuration(tenant).await?,
            (None, None) => None,
        };
        Ok(Applied::id(request_id))
    }
}

/// The groups of theirs B2B collaboration is limited to: object ids (in their tenant), only
/// with collaboration allowed.
fn checked_groups(settings: &PartnerSettings) -> Result<Vec<String>, Problem> {
    let field = |message: String| {
        Problem::field(
            "collaborationGroups",
            message,
            "Give the object ids of groups in the partner's tenant (their admin can copy them from Entra), or leave it empty for everyone.",
        )
    };
    let mut out = Vec::new();
    for g in &settings.collaboration_groups {
        let g = g.trim().to_lowercase();
        if g.is_empty() || out.contains(&g) {
            continue;
        }
        if uuid::Uuid::parse_str(&g).is_err() {
            return Err(field(format!("'{g}' is not a group's object id.")));
        }
        out.push(g);
    }
    if !out.is_empty() && settings.collaboration_inbound != Some(true) {
        return Err(field(
            "Groups limit B2B collaboration only when it is allowed for this partner.".into(),
        ));
    }
    Ok(out)
}

/// A guest's home organisation, as the readiness card shows it.
pub(crate) struct HomeOrganisation {
    pub tenant_id: String,
    pub name: String,
    /// Whether it has settings of its own (otherwise the default's apply).
    pub own: bool,
    pub effective: PartnerSettings,
}

/// A partner's domain as typed (trimmed, without a leading @, lower-case), refused under `field`
/// when it is not a domain or is a personal-mail one (`why` it cannot be used there, and `hint`).
pub(crate) fn partner_domain(typed: &str, field: &str, why: &str, hint: &str) -> Result<String, Problem> {
    let domain = typed.trim().trim_start_matches('@').to_lowercase();
    if domain.is_empty() || !domain.contains('.') || domain.contains(['@', ' ', '/']) {
        return Err(Problem::field(
            field,
            format!("'{domain}' is not a domain."),
            "Type the partner's e-mail domain, e.g. contoso.com.",
        ));
    }
    if CONSUMER_DOMAINS.contains(&domain.as_str()) {
        return Err(Problem::field(
            field,
            format!("{domain} is a personal-mail domain: {why}."),
            hint,
        ));
    }
    Ok(domain)
}

impl Engine {
    /// The partner's tenant behind a domain. Personal-mail domains, this tenant's own domains and
    /// domains no tenant uses are refused with the reason; nothing is changed.
    pub async fn find_partner_tenant(&self, domain: &str) -> Result<PartnerTenant, Problem> {
        let domain = partner_domain(
            domain,
            "domain",
            "no organisation's tenant stands behind it, so there are no partner settings to make",
            "Use the partner company's own domain. Guests with personal addresses follow the default settings.",
        )?;
        let field = |message: String, hint: &str| Problem::field("domain", message, hint);
        let found = match self.graph.find_tenant_by_domain(&domain).await {
            Ok(answer) => answer.body,
            Err(e) if e.status() == Some(404) => {
                return Err(field(
                    format!("No Microsoft Entra tenant uses {domain}."),
                    "Check the spelling, or ask the partner which domain their Microsoft 365 uses. A company without Microsoft 365 has no tenant to configure.",
                ))
            }
            Err(e) => return Err(Problem::from_graph("Looking up the partner's tenant", &e)),
        };
        if found.tenant_id.eq_ignore_ascii_case(&self.info.tenant_id) {
            return Err(field(
                format!("{domain} belongs to this tenant ({}).", self.info.tenant_name),
                "Partner settings are for other organisations' tenants.",
            ));
        }
        Ok(PartnerTenant {
            name: found.display_name.unwrap_or_else(|| domain.clone()),
            default_domain: found.default_domain_name.unwrap_or(domain),
            tenant_id: found.tenant_id,
        })
    }

    /// The organisation behind a guest's domain and the settings its people get here; `None`
    /// when there is none to name (a personal-mail or unknown domain, or a lookup not allowed).
    pub(crate) async fn home_organisation(&self, domain: &str) -> Option<HomeOrganisation> {
        let tenant = self.find_partner_tenant(domain).await.ok()?;
        let own = self.partner_state(&tenant.tenant_id).await.ok()?.settings();
        let default = PartnerSettings::of(&self.graph.cross_tenant_default().await.ok()?.body);
        Some(HomeOrganisation {
            tenant_id: tenant.tenant_id,
            name: tenant.name,
            own: own.is_some(),
            effective: own.unwrap_or_default().effective(&default),
        })
    }

    /// The partner's tenant and its current settings (`None`: none, everything inherited).
    pub async fn partner(&self, domain: &str) -> Result<PartnerLookup, Problem> {
        let tenant = self.find_partner_tenant(domain).await?;
        let config = self.partner_state(&tenant.tenant_id).await?;
        Ok(PartnerLookup {
            tenant,
            settings: config.settings(),
        })
    }

    async fn partner_state(&self, tenant_id: &str) -> Result<PartnerState, Problem> {
        let configuration = self
            .graph
            .partner_configuration(tenant_id)
            .await
            .map_err(|e| Problem::from_graph("Reading the partner's cross-tenant settings", &e))?;
        // Only the settings: what undo restores and a PATCH may carry.
        let configuration = configuration.map(|c| {
            let mut only = json!({});
            for key in settings::SETTINGS {
                only[*key] = c.get(*key).cloned().unwrap_or(Value::Null);
            }
            only
        });
        Ok(PartnerState {
            tenant_id: tenant_id.to_string(),
            configuration,
        })
    }

    /// The default's settings, every partner's, and the guests from each.
    pub async fn partners_overview(&self) -> Result<PartnersOverview, Problem> {
        let read = |e: GraphError| Problem::from_graph("Reading the cross-tenant settings", &e);
        let default = PartnerSettings::of(&self.graph.cross_tenant_default().await.map_err(read)?.body);
        let configs = self.graph.partner_configurations().await.map_err(read)?;
        let guests = self
            .graph
            .list_guests(None)
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's guests", &e))?;
        let mut by_domain: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for g in guests {
            if let Some(mail) = g.mail {
                let domain = mail.rsplit('@').next().unwrap_or_default().to_lowercase();
                by_domain.entry(domain).or_default().push(mail);
            }
        }
        let mut partners = Vec::new();
        for config in configs {
            let tenant_id = config["tenantId"].as_str().unwrap_or_default().to_string();
            // A configuration made in the portal names only the tenant: ask who it is.
            let tenant = match self.graph.find_tenant_by_id(&tenant_id).await {
                Ok(info) => PartnerTenant {
                    name: info.body.display_name.unwrap_or_else(|| tenant_id.clone()),
                    default_domain: info.body.default_domain_name.unwrap_or_default(),
                    tenant_id: tenant_id.clone(),
                },
                Err(_) => PartnerTenant {
                    name: tenant_id.clone(),
                    default_domain: String::new(),
                    tenant_id: tenant_id.clone(),
                },
            };
            let settings = PartnerSettings::of(&config);
            partners.push(PartnerView {
                guests: by_domain
                    .get(&tenant.default_domain.to_lowercase())
                    .cloned()
                    .unwrap_or_default(),
                effective: settings.effective(&default),
                settings,
                tenant,
            });
        }
        partners.sort_by_key(|p| p.tenant.name.to_lowercase());
        Ok(PartnersOverview { default, partners })
    }

    /// Gives the partner behind `domain` these settings (`None` each: inherit the default),
    /// adding its configuration if it has none.
    pub async fn set_partner(&self, domain: &str, settings: &PartnerSettings) -> Result<StepOutcome, Problem> {
        let mut settings = settings.clone();
        settings.collaboration_groups = checked_groups(&settings)?;
        let settings = &settings;
        let tenant = self.find_partner_tenant(domain).await?;
        let from = self.partner_state(&tenant.tenant_id).await?;
        let base = from.configuration.clone().unwrap_or_else(|| json!({}));
        let to = PartnerState {
            tenant_id: tenant.tenant_id.clone(),
            configuration: Some(settings.applied_to(&base)),
        };
        let to = match from.configuration {
            // Adding a configuration that says nothing would change nothing.
            None if settings == &PartnerSettings::default() => from.clone(),
            _ => to,
        };
        let action = SetPartner {
            name: tenant.name,
            from,
            to,
            undoes: None,
        };
        self.run_step(&action).await
    }

    /// Removes the partner's configuration: its people get the default's settings again.
    pub async fn remove_partner(&self, domain: &str) -> Result<StepOutcome, Problem> {
        let tenant = self.find_partner_tenant(domain).await?;
        let from = self.partner_state(&tenant.tenant_id).await?;
        if from.configuration.is_none() {
            return Err(refuse(
                format!("{} has no partner settings here.", tenant.name),
                "Nothing to remove: its people already get the default settings.",
            ));
        }
        let action = SetPartner {
            name: tenant.name,
            to: PartnerState {
                tenant_id: from.tenant_id.clone(),
                configuration: None,
            },
            from,
            undoes: None,
        };
        self.run_step(&action).await
    }

    pub(crate) async fn undo_partner(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let (Some(was), Some(made)) = (
            recorded::<PartnerState>(row.before.as_ref()),
            recorded::<PartnerState>(row.after.as_ref()),
        ) else {
            return Err(refuse(
                format!("Change #{} does not record the partner's settings.", row.seq),
                "Change them back by hand.",
            ));
        };
        let now = self.partner_state(&made.tenant_id).await?;
        if now.settings() != made.settings() {
            return Err(refuse(
                "The partner's cross-tenant settings were changed again since.".into(),
                CHANGED_SINCE,
            ));
        }
        let name = row
            .target
            .strip_prefix("partner ")
            .and_then(|t| t.rsplit_once(" (").map(|(n, _)| n.to_string()))
            .unwrap_or_else(|| made.tenant_id.clone());
        let action = SetPartner {
            name,
            from: now,
            to: was,
            undoes: Some(row.seq),
        };
        self.run_step(&action).await
    }
}
