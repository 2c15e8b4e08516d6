//! Tenant profiles: how Guestpass reaches each tenant (no secrets: those are in the keychain).

use crate::{Result, Store};
use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TenantProfile {
    #[ts(type = "number")]
    pub id: i64,
    /// The tenant's id (GUID) once signed in.
    pub tenant: String,
    pub tenant_name: Option<String>,
    /// The tenant's initial domain (e.g. `contoso.onmicrosoft.com`).
    pub domain: Option<String>,
    /// `browser`, `deviceCode`, `clientSecret`, `clientCertificate`, `azureCli`,
    /// `managedIdentity` or `workloadIdentity`.
    pub sign_in: String,
    pub client_id: String,
    /// Who signed in (delegated sign-in).
    pub username: Option<String>,
    /// The permissions granted at sign-in, space-separated.
    pub scopes: Option<String>,
    pub login_url: String,
    pub graph_url: String,
    pub bap_url: String,
    pub last_used: String,
    /// The app's certificate (public part, PEM) for `clientCertificate` profiles.
    pub certificate: Option<String>,
}

fn profile(r: &rusqlite::Row) -> rusqlite::Result<TenantProfile> {
    Ok(TenantProfile {
        id: r.get(0)?,
        tenant: r.get(1)?,
        tenant_name: r.get(2)?,
        domain: r.get(3)?,
        sign_in: r.get(4)?,
        client_id: r.get(5)?,
        username: r.get(6)?,
        scopes: r.get(7)?,
        login_url: r.get(8)?,
        graph_url: r.get(9)?,
        bap_url: r.get(10)?,
        last_used: r.get(11)?,
        certificate: r.get(12)?,
    })
}

const COLUMNS: &str =
    "id, tenant, tenant_name, domain, sign_in, client_id, username, scopes, login_url, graph_url, bap_url, last_used, certificate";

impl Store {
    /// Saves (or updates) the profile for this tenant, app and way of signing in; returns it.
    pub fn save_profile(&self, p: &TenantProfile) -> Result<TenantProfile> {
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let conn = self.conn();
        conn.execute(
            "INSERT INTO tenant_profiles (tenant, tenant_name, sign_in, client_id, username, scopes, login_url, graph_url, bap_url, last_used, domain, certificate)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (tenant, client_id, sign_in) DO UPDATE SET tenant_name = excluded.tenant_name, domain = excluded.domain,
               username = excluded.username, scopes = excluded.scopes, login_url = excluded.login_url,
               graph_url = excluded.graph_url, bap_url = excluded.bap_url, last_used = excluded.last_used,
               certificate = excluded.certificate",
            params![p.tenant, p.tenant_name, p.sign_in, p.client_id, p.username, p.scopes, p.login_url, p.graph_url, p.bap_url, now, p.domain, p.certificate],
        )?;
        Ok(conn.query_row(
            &format!("SELECT {COLUMNS} FROM tenant_profiles WHERE tenant = ?1 AND client_id = ?2 AND sign_in = ?3"),
            params![p.tenant, p.client_id, p.sign_in],
            profile,
        )?)
    }

    /// Every profile, the most recently used first.
    pub fn profiles(&self) -> Result<Vec<TenantProfile>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM tenant_profiles ORDER BY last_used DESC, id DESC"
        ))?;
        let rows = stmt.query_map([], profile)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn profile(&self, id: i64) -> Result<Option<TenantProfile>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM tenant_profiles WHERE id = ?1"),
                [id],
                profile,
            )
            .optional()?)
    }

    /// Marks a profile as the one in use (the next start connects to it).
    pub fn touch_profile(&self, id: i64) -> Result<()> {
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        self.conn().execute(
            "UPDATE tenant_profiles SET last_used = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    }

    pub fn delete_profile(&self, id: i64) -> Result<()> {
        self.conn().execute("DELETE FROM tenant_profiles WHERE id = ?1", [id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_saved_once_per_tenant_app_and_way_and_listed_newest_first() {
        let s = Store::open_in_memory().unwrap();
        let p = TenantProfile {
            id: 0,
            tenant: "t1".into(),
            tenant_name: Some("Contoso".into()),
            domain: Some("contoso.onmicrosoft.com".into()),
            sign_in: "browser".into(),
            client_id: "app".into(),
            username: Some("admin@contoso.example".into()),
            scopes: Some("User.Invite.All".into()),
            login_url: "https://login.microsoftonline.com/".into(),
            graph_url: "https://graph.microsoft.com/".into(),
            bap_url: "https://api.bap.microsoft.com/".into(),
            last_used: String::new(),
            certificate: None,
        };
        let a = s.save_profile(&p).unwrap();
        let again = s
            .save_profile(&TenantProfile {
                username: Some("other@contoso.example".into()),
                ..p.clone()
            })
            .unwrap();
        assert_eq!(a.id, again.id);
        let b = s
            .save_profile(&TenantProfile {
                tenant: "t2".into(),
                ..p
            })
            .unwrap();
        assert_eq!(s.profiles().unwrap()[0].id, b.id);
        std::thread::sleep(std::time::Duration::from_millis(5));
        s.touch_profile(a.id).unwrap();
        assert_eq!(s.profiles().unwrap()[0].id, a.id);
        assert_eq!(
            s.profile(a.id).unwrap().unwrap().username.as_deref(),
            Some("other@contoso.example")
        );
        s.delete_profile(a.id).unwrap();
        assert_eq!(s.profiles().unwrap().len(), 1);
    }
}
