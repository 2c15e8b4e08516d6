//! Partner extranets (issue 13): a partner's people ask for access themselves in My Access,
//! someone approves, and access ends on its own. Built on entitlement management — a connected
//! organisation for the partner's domain (with its sponsors), a catalog enabled for external
//! users holding the chosen groups, an access package with each group's Member role, and an
//! assignment policy for that organisation's people — each piece one recorded action of the
//! one runner, created in Microsoft's order, and removed in reverse.
//! Entra ID P2 or ID Governance is checked (and explained) before anything is sent.

mod lifecycle;
mod links;
mod objects;
mod overview;
mod policy;
mod remove;

pub use lifecycle::{ExternalLifecycle, LIFECYCLE_CAVEAT};
pub use overview::{ExtranetOverview, ExtranetPackage, ExtranetPartner, PackageAssignment, PendingRequest};

use crate::action::{refuse, ActionKind, StepOutcome};
use crate::engine::Engine;
use crate::partners::partner_domain;
use crate::problem::Problem;
use links::{Link, SetLink};
use objects::{EmObject, GroupRole, SetEmObject};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// The catalog Guestpass makes (and reuses) when the admin picks none.
pub const DEFAULT_CATALOG: &str = "Guestpass partners";
/// Microsoft's longest wait before a request nobody answered is denied.
const MAX_AUTO_DENY_DAYS: u32 = 14;

/// What the admin asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtranetRequest {
    pub partner_domain: String,
    /// The access package's name.
    pub name: String,
    /// Groups by name or id; the package gives their Member role.
    pub groups: Vec<String>,
    /// Who approves (someone of this organisation); `None`: the partner's sponsors.
    pub approver: Option<String>,
    /// Who decides when the approvers cannot (needed with sponsors approving).
    pub fallback_approver: Option<String>,
    /// The connected organisation's sponsors: people of this organisation (internal) or
    /// the partner's guests here (external).
    pub sponsors: Vec<String>,
    /// Access ends this many days after approval (Microsoft's and our default: 180).
    pub expire_days: u32,
    /// A request nobody answers is denied after this many days (at most 14).
    pub auto_deny_days: u32,
    /// A recurring review of who has the package, every N months.
    pub review_every_months: Option<u32>,
    /// Hidden packages are reachable only by the link.
    pub hidden: bool,
    /// An existing catalog (enabled for external users) by name; `None`: Guestpass's own.
    pub catalog: Option<String>,
}

impl Default for ExtranetRequest {
    fn default() -> Self {
        ExtranetRequest {
            partner_domain: String::new(),
            name: String::new(),
            groups: vec![],
            approver: None,
            fallback_approver: None,
            sponsors: vec![],
            expire_days: 180,
            auto_deny_days: MAX_AUTO_DENY_DAYS,
            review_every_months: None,
            hidden: true,
            catalog: None,
        }
    }
}

/// What creating an extranet did (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtranetCreated {
    pub steps: Vec<StepOutcome>,
    pub package_id: Option<String>,
    /// The My Access link to send to the partner (once the package exists).
    pub my_access_link: Option<String>,
    /// A short text for the partner contact, with the link.
    pub message_for_partner: String,
    /// Which chosen options bill the ID Governance meter per guest.
    pub billing: Vec<String>,
}

/// A person named in the request, found in the directory.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub id: String,
    pub address: String,
    pub guest: bool,
}

/// Who approves requests, in Microsoft's terms and in words.
#[derive(Debug, Clone)]
pub(crate) enum Approvers {
    Named(Person),
    ExternalSponsors,
    InternalSponsors,
}

/// The My Access link that lands the partner's people in this directory at the package.
pub fn my_access_link(domain_hint: &str, package_id: &str) -> String {
    format!("https://myaccess.microsoft.com/@{domain_hint}#/access-packages/{package_id}")
}

/// What the options chosen cost beyond the admins' own P2 / ID Governance licences.
fn billing(approvers: &Approvers) -> Vec<String> {
    let mut notes = vec![
        "Entitlement management needs Entra ID P2 or ID Governance for the admins who set it up; guests using a package approved by a named person are not billed per guest.".to_string(),
    ];
    if matches!(approvers, Approvers::ExternalSponsors | Approvers::InternalSponsors) {
        notes.push("Sponsors approving requests bills Microsoft's ID Governance meter for each guest, every month they are governed (no free tier; the tenant must be linked to an Azure subscription). Name an approver instead to avoid it.".into());
    }
    notes
}

impl Engine {
    /// Entra ID P2 or ID Governance, or a refusal that says why and what it costs.
    pub(crate) async fn require_entitlement_licence(&self) -> Result<(), Problem> {
        if self.has_governance().await? {
            return Ok(());
        }
        Err(refuse(
            "Partner extranets use entitlement management, which needs Microsoft Entra ID P2 or Microsoft Entra ID Governance, and this tenant has neither. Nothing was sent.".into(),
            "Buy or start a trial of Entra ID P2 (or ID Governance) for the admins who set it up. Guests themselves are billed only for the options that say so: sponsors approving, and reviews of inactive guests.",
        ))
    }

    /// The person at `address`, member or guest, or a field error naming `field`.
    async fn person(&self, address: &str, field: &str) -> Result<Person, Problem> {
        let user = self
            .find_person(
                address,
                field,
                "Choose someone from the directory (a partner's contact must be a guest here first).",
            )
            .await?;
        Ok(Person {
            guest: user.is_guest(),
            id: user.id,
            address: address.trim().to_lowercase(),
        })
    }

    /// The partner's name and whether Microsoft knows a tenant behind the (checked) domain
    /// (looked up where allowed; a domain without one still works, its people use one-time
    /// passcodes).
    async fn partner_behind(&self, domain: &str) -> Result<(String, Option<String>), Problem> {
        let field = |message: String, hint: &str| Problem::field("partnerDomain", message, hint);
        match self.graph.find_tenant_by_domain(domain).await {
            Ok(found) if found.body.tenant_id.eq_ignore_ascii_case(&self.info.tenant_id) => Err(field(
                format!("{domain} belongs to this tenant ({}).", self.info.tenant_name),
                "A partner is another organisation.",
            )),
            Ok(found) => Ok((
                found.body.display_name.unwrap_or_else(|| domain.to_string()),
                Some(found.body.tenant_id),
            )),
            // No tenant, or the lookup is not granted: the domain alone identifies them.
            Err(e) if matches!(e.status(), Some(404 | 403)) => Ok((domain.to_string(), None)),
            Err(e) => Err(Problem::from_graph("Looking up the partner's tenant", &e)),
        }
    }

    fn checked(req: &ExtranetRequest) -> Result<(), Problem> {
        if req.name.trim().is_empty() {
            return Err(Problem::field(
                "name",
                "The access package needs a name.".into(),
                "The partner's people see it in My Access, e.g. 'Falcon project – partner access'.",
            ));
        }
        if req.groups.iter().all(|g| g.trim().is_empty()) {
            return Err(Problem::field(
                "groups",
                "Choose at least one group.".into(),
                "The package gives its Member role, e.g. the group that opens a Dynamics environment.",
            ));
        }
        if !(1..=3650).contains(&req.expire_days) {
            return Err(Problem::field(
                "expireDays",
                format!("{} days is not an expiry Guestpass offers.", req.expire_days),
                "Choose 1 to 3650 days (180 is usual).",
            ));
        }
        if !(1..=MAX_AUTO_DENY_DAYS).contains(&req.auto_deny_days) {
            return Err(Problem::field(
                "autoDenyDays",
                format!("{} days is not a wait Microsoft allows.", req.auto_deny_days),
                "Choose 1 to 14 days before an unanswered request is denied.",
            ));
        }
        if req.review_every_months.is_some_and(|m| !(1..=12).contains(&m)) {
            return Err(Problem::field(
                "reviewEveryMonths",
                "Reviews recur every 1 to 12 months.".into(),
                "Choose 3 for quarterly, or no review.",
            ));
        }
        if req.approver.is_none() && req.sponsors.is_empty() {
            return Err(Problem::field(
                "approver",
                "Nobody would approve requests.".into(),
                "Name an approver, or sponsors of the partner who approve (with a fallback approver).",
            ));
        }
        if req.approver.is_none() && req.fallback_approver.is_none() {
            return Err(Problem::field(
                "fallbackApprover",
                "With sponsors approving, a fallback approver is needed.".into(),
                "Name someone of your organisation who decides when no sponsor can.",
            ));
        }
        Ok(())
    }

    /// Connects the partner, puts the groups in a catalog open to external users, and makes an
    /// access package with a policy for the partner's people — each piece previewed on a dry run
    /// and recorded. Answers the My Access link to send them.
    pub async fn create_extranet(&self, req: &ExtranetRequest) -> Result<ExtranetCreated, Problem> {
        Self::checked(req)?;
        self.require_entitlement_licence().await?;
        let domain = partner_domain(
            &req.partner_domain,
            "partnerDomain",
            "entitlement management cannot connect it as an organisation, since anyone can have an address there",
            "Use the partner company's own domain. People with personal addresses can be invited one by one instead.",
        )?;
        let (partner, tenant_id) = self.partner_behind(&domain).await?;
        let mut groups = Vec::new();
        for g in req.groups.iter().filter(|g| !g.trim().is_empty()) {
            groups.push(self.resolve_group(g).await?);
        }
        let own = |p: Person, field: &str| {
            if p.guest {
                Err(Problem::field(
                    field,
                    format!("{} is a guest.", p.address),
                    "Approvers decide for your organisation: choose one of its own people.",
                ))
            } else {
                Ok(p)
            }
        };
        let approver = match &req.approver {
            Some(a) => Some(own(self.person(a, "approver").await?, "approver")?),
            None => None,
        };
        let fallback = match &req.fallback_approver {
            Some(a) => Some(own(self.person(a, "fallbackApprover").await?, "fallbackApprover")?),
            None => None,
        };
        let mut sponsors = Vec::new();
        for s in &req.sponsors {
            sponsors.push(self.person(s, "sponsors").await?);
        }
        let approvers = match (&approver, sponsors.iter().any(|s| s.guest)) {
            (Some(a), _) => Approvers::Named(a.clone()),
            (None, true) => Approvers::ExternalSponsors,
            (None, false) => Approvers::InternalSponsors,
        };
        let run = uuid::Uuid::new_v4().to_string();
        let mut steps = Vec::new();

        let org = self
            .run(&SetEmObject {
                kind: ActionKind::ConnectOrganization,
                to: EmObject {
                    id: None,
                    name: partner.clone(),
                    within: None,
                    domain: Some(domain.clone()),
                    present: true,
                    state: Some("configured".into()),
                    run: Some(run.clone()),
                },
                body: policy::organization(&partner, &domain, tenant_id.as_deref()),
                roles: vec![],
                noun: format!("the connected organisation {partner} ({domain})"),
                undoes: None,
            })
            .await?;
        steps.push(org.outcome);
        let org_id = org.state.id.clone();

        for s in &sponsors {
            steps.push(
                self.run_step(&SetLink {
                    kind: ActionKind::AddOrganizationSponsor,
                    to: Link {
                        holder: org_id.clone().unwrap_or_default(),
                        holder_name: partner.clone(),
                        member: s.id.clone(),
                        member_name: s.address.clone(),
                        side: Some(if s.guest { "external" } else { "internal" }.into()),
                        present: true,
                        run: Some(run.clone()),
                    },
                    undoes: None,
                })
                .await?,
            );
        }

        let catalog_name = req
            .catalog
            .clone()
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_CATALOG.into());
        let catalog = self
            .run(&SetEmObject {
                kind: ActionKind::CreateCatalog,
                to: EmObject {
                    id: None,
                    name: catalog_name.clone(),
                    within: None,
                    domain: None,
                    present: true,
                    state: None,
                    run: Some(run.clone()),
                },
                body: json!({
                    "displayName": catalog_name,
                    "description": "Made by Guestpass: what partners' people can ask for.",
                    "state": "published",
                    "isExternallyVisible": true,
                }),
                roles: vec![],
                noun: format!("the catalog {catalog_name} (enabled for external users)"),
                undoes: None,
            })
            .await?;
        steps.push(catalog.outcome);
        let catalog_id = catalog.state.id.clone();

        for g in &groups {
            steps.push(
                self.run_step(&SetLink {
                    kind: ActionKind::AddCatalogResource,
                    to: Link {
                        holder: catalog_id.clone().unwrap_or_default(),
                        holder_name: catalog_name.clone(),
                        member: g.id.clone(),
                        member_name: g.display_name.clone().unwrap_or_else(|| g.id.clone()),
                        side: None,
                        present: true,
                        run: Some(run.clone()),
                    },
                    undoes: None,
                })
                .await?,
            );
        }

        let group_names: Vec<String> = groups
            .iter()
            .map(|g| g.display_name.clone().unwrap_or_else(|| g.id.clone()))
            .collect();
        let package = self
            .run(&SetEmObject {
                kind: ActionKind::CreateAccessPackage,
                to: EmObject {
                    id: None,
                    name: req.name.trim().to_string(),
                    within: catalog_id.clone(),
                    domain: None,
                    present: true,
                    state: None,
                    run: Some(run.clone()),
                },
                body: json!({
                    "displayName": req.name.trim(),
                    "description": format!("{partner}'s people ask for this in My Access. Made by Guestpass."),
                    "isHidden": req.hidden,
                }),
                roles: groups.iter().map(|g| GroupRole { group_id: g.id.clone() }).collect(),
                noun: format!(
                    "the access package \"{}\"{} giving Member of {}",
                    req.name.trim(),
                    if req.hidden {
                        " (hidden: only the link reaches it)"
                    } else {
                        ""
                    },
                    group_names.join(", ")
                ),
                undoes: None,
            })
            .await?;
        steps.push(package.outcome);
        let package_id = package.state.id.clone();

        let policy_name = format!("{partner}'s people");
        steps.push(
            self.run_step(&SetEmObject {
                kind: ActionKind::CreateAssignmentPolicy,
                to: EmObject {
                    id: None,
                    name: policy_name.clone(),
                    within: package_id.clone(),
                    domain: None,
                    present: true,
                    state: None,
                    run: Some(run.clone()),
                },
                body: policy::assignment_policy(
                    &policy_name,
                    org_id.as_deref().unwrap_or_default(),
                    req,
                    &approvers,
                    fallback.as_ref(),
                ),
                roles: vec![],
                noun: format!(
                    "the policy \"{policy_name}\": {}",
                    policy::in_words(req, &approvers, fallback.as_ref())
                ),
                undoes: None,
            })
            .await?,
        );

        let link = package_id
            .as_deref()
            .map(|id| my_access_link(&self.info.initial_domain, id));
        Ok(ExtranetCreated {
            message_for_partner: policy::message_for_partner(
                &partner,
                &domain,
                &self.info.tenant_name,
                req,
                &approvers,
                link.as_deref(),
            ),
            my_access_link: link,
            package_id,
            billing: billing(&approvers),
            steps,
        })
    }
}
