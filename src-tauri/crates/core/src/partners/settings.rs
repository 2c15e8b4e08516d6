//! A partner's settings as Guestpass offers them, and how they map onto Microsoft's partner
//! configuration: each one null when it inherits the cross-tenant default. Settings Guestpass
//! does not offer (tenant restrictions, outbound B2B collaboration, group or app targets made
//! in the portal) are kept as they are.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// Per-partner settings; `None` inherits the tenant's cross-tenant default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PartnerSettings {
    /// Their MFA satisfies this tenant's MFA requirements.
    pub trust_mfa: Option<bool>,
    /// Their compliant devices count as compliant here.
    pub trust_compliant_devices: Option<bool>,
    /// Their hybrid-joined devices count as hybrid-joined here.
    pub trust_hybrid_joined_devices: Option<bool>,
    /// Their people may be invited as B2B collaboration guests.
    pub collaboration_inbound: Option<bool>,
    /// With collaboration allowed: only the people in these groups of theirs (object ids in
    /// their tenant); empty for everyone.
    #[serde(default)]
    pub collaboration_groups: Vec<String>,
    /// Their people may reach Teams shared channels here without a guest account.
    pub direct_connect_inbound: Option<bool>,
    /// This tenant's people may do the same in theirs.
    pub direct_connect_outbound: Option<bool>,
    /// Their people redeem invitations without the consent prompt (they must allow it outbound).
    pub auto_redeem: Option<bool>,
}

/// The configuration properties a partner's settings live in (and what undo restores).
pub(crate) const SETTINGS: &[&str] = &[
    "inboundTrust",
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
    "automaticUserConsentSettings",
    "tenantRestrictions",
];

fn flag(v: &Value) -> Option<bool> {
    v.as_bool()
}

/// Whether a B2B setting lets people through: null (inherited), or its users' access type.
fn access(v: &Value) -> Option<bool> {
    match v["usersAndGroups"]["accessType"].as_str() {
        Some("allowed") => Some(true),
        Some("blocked") => Some(false),
        _ => None,
    }
}

/// The groups of theirs a B2B setting names (empty when it names all users).
fn groups(v: &Value) -> Vec<String> {
    v["usersAndGroups"]["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["targetType"] == "group")
        .filter_map(|t| t["target"].as_str().map(str::to_lowercase))
        .collect()
}

/// Their people in these groups (or all of them) allowed, with every application.
fn allowed_for(groups: &[String]) -> Value {
    let targets: Vec<Value> = match groups.is_empty() {
        true => vec![json!({"target": "AllUsers", "targetType": "user"})],
        false => groups
            .iter()
            .map(|g| json!({"target": g, "targetType": "group"}))
            .collect(),
    };
    json!({
        "usersAndGroups": {"accessType": "allowed", "targets": targets},
        "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}
    })
}

/// Everyone and every application allowed or blocked.
fn everyone(allowed: bool) -> Value {
    let access = if allowed { "allowed" } else { "blocked" };
    json!({
        "usersAndGroups": {"accessType": access, "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": access, "targets": [{"target": "AllApplications", "targetType": "application"}]}
    })
}

impl PartnerSettings {
    /// Reads a partner configuration (or the default, whose settings are never null).
    pub fn of(config: &Value) -> PartnerSettings {
        let trust = &config["inboundTrust"];
        PartnerSettings {
            trust_mfa: flag(&trust["isMfaAccepted"]),
            trust_compliant_devices: flag(&trust["isCompliantDeviceAccepted"]),
            trust_hybrid_joined_devices: flag(&trust["isHybridAzureADJoinedDeviceAccepted"]),
            collaboration_inbound: access(&config["b2bCollaborationInbound"]),
            collaboration_groups: groups(&config["b2bCollaborationInbound"]),
            direct_connect_inbound: access(&config["b2bDirectConnectInbound"]),
            direct_connect_outbound: access(&config["b2bDirectConnectOutbound"]),
            auto_redeem: flag(&config["automaticUserConsentSettings"]["inboundAllowed"]),
        }
    }

    /// `config` with these settings: a setting Guestpass offers is replaced only when it
    /// differs from what `config` already says, so targets set in the portal survive.
    pub(crate) fn applied_to(&self, config: &Value) -> Value {
        let mut out = json!({});
        for key in SETTINGS {
            out[*key] = config.get(*key).cloned().unwrap_or(Value::Null);
        }
        let was = PartnerSettings::of(config);
        let trust = [
            self.trust_mfa,
            self.trust_compliant_devices,
            self.trust_hybrid_joined_devices,
        ];
        if trust
            != [
                was.trust_mfa,
                was.trust_compliant_devices,
                was.trust_hybrid_joined_devices,
            ]
        {
            out["inboundTrust"] = match trust.iter().all(Option::is_none) {
                true => Value::Null,
                false => json!({
                    "isMfaAccepted": self.trust_mfa,
                    "isCompliantDeviceAccepted": self.trust_compliant_devices,
                    "isHybridAzureADJoinedDeviceAccepted": self.trust_hybrid_joined_devices,
                }),
            };
        }
        let collaboration = (self.collaboration_inbound, &self.collaboration_groups);
        if collaboration != (was.collaboration_inbound, &was.collaboration_groups) {
            out["b2bCollaborationInbound"] = match self.collaboration_inbound {
                None => Value::Null,
                Some(true) => allowed_for(&self.collaboration_groups),
                Some(false) => everyone(false),
            };
        }
        for (key, want, had) in [
            (
                "b2bDirectConnectInbound",
                self.direct_connect_inbound,
                was.direct_connect_inbound,
            ),
            (
                "b2bDirectConnectOutbound",
                self.direct_connect_outbound,
                was.direct_connect_outbound,
            ),
        ] {
            if want != had {
                out[key] = want.map(everyone).unwrap_or(Value::Null);
            }
        }
        if self.auto_redeem != was.auto_redeem {
            let outbound = config["automaticUserConsentSettings"]["outboundAllowed"].clone();
            out["automaticUserConsentSettings"] =
                json!({"inboundAllowed": self.auto_redeem, "outboundAllowed": outbound});
        }
        out
    }

    /// Each setting, with what it resolves to where it inherits `default`.
    pub fn effective(&self, default: &PartnerSettings) -> PartnerSettings {
        let pick = |own: Option<bool>, inherited: Option<bool>| own.or(inherited);
        PartnerSettings {
            trust_mfa: pick(self.trust_mfa, default.trust_mfa),
            trust_compliant_devices: pick(self.trust_compliant_devices, default.trust_compliant_devices),
            trust_hybrid_joined_devices: pick(self.trust_hybrid_joined_devices, default.trust_hybrid_joined_devices),
            collaboration_inbound: pick(self.collaboration_inbound, default.collaboration_inbound),
            collaboration_groups: self.collaboration_groups.clone(),
            direct_connect_inbound: pick(self.direct_connect_inbound, default.direct_connect_inbound),
            direct_connect_outbound: pick(self.direct_connect_outbound, default.direct_connect_outbound),
            auto_redeem: pick(self.auto_redeem, default.auto_redeem),
        }
    }

    /// What differs from `other`, in words ("trust their MFA: inherited → yes").
    pub fn differences(&self, other: &PartnerSettings) -> Vec<String> {
        let word = |v: Option<bool>| match v {
            None => "inherited",
            Some(true) => "yes",
            Some(false) => "no",
        };
        let mut out = Vec::new();
        if self.collaboration_groups != other.collaboration_groups {
            let who = |g: &[String]| match g.len() {
                0 => "everyone".to_string(),
                n => format!("{n} group(s) of theirs"),
            };
            out.push(format!(
                "B2B collaboration for: {} → {}",
                who(&other.collaboration_groups),
                who(&self.collaboration_groups)
            ));
        }
        for (label, from, to) in [
            ("trust their MFA", other.trust_mfa, self.trust_mfa),
            (
                "trust their compliant devices",
                other.trust_compliant_devices,
                self.trust_compliant_devices,
            ),
            (
                "trust their hybrid-joined devices",
                other.trust_hybrid_joined_devices,
                self.trust_hybrid_joined_devices,
            ),
            (
                "B2B collaboration in",
                other.collaboration_inbound,
                self.collaboration_inbound,
            ),
            (
                "B2B direct connect in",
                other.direct_connect_inbound,
                self.direct_connect_inbound,
            ),
            (
                "B2B direct connect out",
                other.direct_connect_outbound,
                self.direct_connect_outbound,
            ),
            ("redeem without consent prompt", other.auto_redeem, self.auto_redeem),
        ] {
            if from != to {
                out.push(format!("{label}: {} → {}", word(from), word(to)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_untouched_ones_keep_their_portal_targets() {
        let portal = json!({
            "tenantId": "t",
            "inboundTrust": null,
            "b2bCollaborationInbound": {"usersAndGroups": {"accessType": "allowed",
                "targets": [{"target": "g1", "targetType": "group"}]}},
            "automaticUserConsentSettings": {"inboundAllowed": null, "outboundAllowed": true},
            "tenantRestrictions": {"usersAndGroups": {"accessType": "blocked"}}
        });
        let read = PartnerSettings::of(&portal);
        assert_eq!(read.collaboration_inbound, Some(true));
        assert_eq!(read.collaboration_groups, ["g1"]);
        assert_eq!(read.trust_mfa, None);
        let want = PartnerSettings {
            trust_mfa: Some(true),
            auto_redeem: Some(true),
            ..read.clone()
        };
        let config = want.applied_to(&portal);
        assert_eq!(config["inboundTrust"]["isMfaAccepted"], true);
        assert_eq!(
            config["inboundTrust"]["isCompliantDeviceAccepted"],
            Value::Null,
            "still inherited"
        );
        assert_eq!(
            config["b2bCollaborationInbound"], portal["b2bCollaborationInbound"],
            "group target kept"
        );
        assert_eq!(config["automaticUserConsentSettings"]["outboundAllowed"], true, "kept");
        assert_eq!(config["tenantRestrictions"], portal["tenantRestrictions"]);
        assert_eq!(PartnerSettings::of(&config), want);
        let back = PartnerSettings::default().applied_to(&config);
        assert_eq!(back["inboundTrust"], Value::Null, "all inherited again");
        let two = PartnerSettings {
            collaboration_groups: vec!["g1".into(), "g2".into()],
            ..want.clone()
        };
        let config = two.applied_to(&config);
        assert_eq!(
            config["b2bCollaborationInbound"]["usersAndGroups"]["targets"][1]["target"],
            "g2"
        );
        assert_eq!(PartnerSettings::of(&config), two);
        assert_eq!(
            two.differences(&want),
            ["B2B collaboration for: 1 group(s) of theirs → 2 group(s) of theirs"]
        );
        assert_eq!(
            want.differences(&read),
            [
                "trust their MFA: inherited → yes",
                "redeem without consent prompt: inherited → yes"
            ]
        );
    }
}
