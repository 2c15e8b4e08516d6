//! The Graph calls Guestpass makes, one typed method each.

use crate::client::{Answer, GraphClient};
use crate::error::GraphError;
use crate::models::*;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use reqwest::Method;

/// Characters escaped in an OData query value. `$`, `(`, `)`, `/`, `:` and `,` stay readable.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'\'')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'\\')
    .add(b'^');

/// Builds `path?$a=b&$c=d` with each value percent-encoded.
pub(crate) fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let q: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE)))
        .collect();
    format!("{path}?{}", q.join("&"))
}

/// An OData string literal: single quotes doubled.
pub fn odata_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Everything but RFC 3986 unreserved characters, escaped in a path segment.
const PATH_SEGMENT: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment (guest UPNs carry `#`, which must travel as `%23`).
pub(crate) fn segment(s: &str) -> String {
    utf8_percent_encode(s, PATH_SEGMENT).to_string()
}

const GROUP_FIELDS: &str = "id,displayName,description,securityEnabled,mailEnabled,groupTypes";

const USER_FIELDS: &str = "id,displayName,mail,userPrincipalName,userType,externalUserState,\
externalUserStateChangeDateTime,otherMails,createdDateTime,accountEnabled";

/// The users query for everyone reachable at an address (relative to `v1.0/`).
fn users_at(email: &str) -> String {
    let lit = odata_string(email);
    let smtp = odata_string(&format!("smtp:{email}"));
    let filter = format!("mail eq {lit} or otherMails/any(x:x eq {lit}) or proxyAddresses/any(x:x eq {smtp})");
    with_query("users", &[("$filter", &filter), ("$select", USER_FIELDS)])
}

impl GraphClient {
    pub async fn organization(&self) -> Result<Answer<Organization>, GraphError> {
        let url = self.graph_url("v1.0/organization?$select=id,displayName,verifiedDomains");
        let page: Answer<crate::client::Page<Organization>> =
            self.send::<(), _>(Method::GET, url.clone(), None).await?;
        let org = page.body.value.into_iter().next().ok_or_else(|| GraphError::Decode {
            url: url.to_string(),
            reason: "no organization in the answer".into(),
        })?;
        Ok(Answer {
            body: org,
            request_id: page.request_id,
        })
    }

    /// Everyone in the tenant reachable at this address: as `mail`, as another address, or as a proxy address.
    pub async fn find_users_by_email(&self, email: &str) -> Result<Vec<User>, GraphError> {
        self.list_all(self.graph_url(&format!("v1.0/{}", users_at(email))), None)
            .await
    }

    /// [`Self::find_users_by_email`] for many addresses, 20 per `$batch`: one result per address.
    pub async fn find_users_by_emails(
        &self,
        emails: &[String],
    ) -> Result<Vec<Result<Vec<User>, GraphError>>, GraphError> {
        let calls: Vec<_> = emails.iter().map(|e| crate::BatchCall::get(users_at(e))).collect();
        let answers = self.batch(&calls).await?;
        Ok(answers
            .into_iter()
            .map(|a| {
                a.and_then(|v| {
                    serde_json::from_value::<crate::client::Page<User>>(v)
                        .map(|p| p.value)
                        .map_err(|e| GraphError::Decode {
                            url: "users".into(),
                            reason: e.to_string(),
                        })
                })
            })
            .collect())
    }

    /// One page of the directory's users, with only what matching addresses needs, 999 at a time
    /// (the most Graph gives). Start with `None`, then pass the page's `next`. The first page
    /// also says how many users the directory holds (`$count`, an advanced query: Graph counts
    /// from an index that can lag a new user by a little).
    pub async fn directory_page(&self, next: Option<&str>) -> Result<DirectoryPage, GraphError> {
        let url = match next {
            Some(link) => self.checked_next_link(link)?,
            None => self.graph_url(&with_query(
                "v1.0/users",
                &[
                    (
                        "$select",
                        "id,mail,otherMails,proxyAddresses,userPrincipalName,userType,externalUserState",
                    ),
                    ("$top", "999"),
                    ("$count", "true"),
                ],
            )),
        };
        let (bytes, _) = self
            .send_raw::<()>(Method::GET, url.clone(), None, &[("ConsistencyLevel", "eventual")])
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| GraphError::Decode {
            url: url.to_string(),
            reason: e.to_string(),
        })
    }

    /// Guests of the tenant, following every page (or stopping at `limit`).
    pub async fn list_guests(&self, limit: Option<usize>) -> Result<Vec<User>, GraphError> {
        let url = self.graph_url(&with_query(
            "v1.0/users",
            &[
                ("$filter", "userType eq 'Guest'"),
                ("$select", USER_FIELDS),
                ("$top", "999"),
            ],
        ));
        self.list_all(url, limit).await
    }

    pub async fn get_user(&self, id_or_upn: &str) -> Result<Answer<User>, GraphError> {
        let path = with_query(
            &format!("v1.0/users/{}", segment(id_or_upn)),
            &[("$select", USER_FIELDS)],
        );
        self.send::<(), _>(Method::GET, self.graph_url(&path), None).await
    }

    pub async fn invite(&self, request: &InvitationRequest) -> Result<Answer<Invitation>, GraphError> {
        self.send(Method::POST, self.graph_url("v1.0/invitations"), Some(request))
            .await
    }

    /// The profile and licence fields of one user.
    pub async fn user_profile(&self, id: &str) -> Result<Answer<UserProfile>, GraphError> {
        let path = with_query(
            &format!("v1.0/users/{}", segment(id)),
            &[(
                "$select",
                "id,displayName,givenName,surname,usageLocation,mail,userType,externalUserState,assignedLicenses",
            )],
        );
        self.send::<(), _>(Method::GET, self.graph_url(&path), None).await
    }

    /// PATCH only the given profile fields. Returns Graph's request-id.
    pub async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("v1.0/users/{}", segment(id)));
        self.send_no_content(Method::PATCH, url, Some(patch)).await
    }

    /// PATCH a user with an arbitrary body (e.g. `null` to clear a field, which [`UserPatch`] cannot say).
    pub async fn update_user_json(&self, id: &str, patch: &serde_json::Value) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("v1.0/users/{}", segment(id)));
        self.send_no_content(Method::PATCH, url, Some(patch)).await
    }

    /// Blocks sign-in (`accountEnabled: false`) and ends current sessions. Returns the PATCH's request-id.
    pub async fn block_user(&self, id: &str) -> Result<Option<String>, GraphError> {
        let request_id = self
            .update_user_json(id, &serde_json::json!({"accountEnabled": false}))
            .await?;
        let url = self.graph_url(&format!("v1.0/users/{}/revokeSignInSessions", segment(id)));
        let _: Answer<serde_json::Value> = self.send::<(), _>(Method::POST, url, None).await?;
        Ok(request_id)
    }

    pub async fn subscribed_skus(&self) -> Result<Vec<SubscribedSku>, GraphError> {
        self.list_all(self.graph_url("v1.0/subscribedSkus"), None).await
    }

    /// Adds one licence (no plans disabled) and removes none.
    pub async fn assign_license(&self, user_id: &str, sku_id: &str) -> Result<Answer<serde_json::Value>, GraphError> {
        let body = serde_json::json!({"addLicenses": [{"skuId": sku_id, "disabledPlans": []}], "removeLicenses": []});
        let url = self.graph_url(&format!("v1.0/users/{}/assignLicense", segment(user_id)));
        self.send(Method::POST, url, Some(&body)).await
    }

    /// People whose name or address matches `term` (Graph's `$search`, an advanced query).
    pub async fn search_users(&self, term: &str, limit: usize) -> Result<Vec<User>, GraphError> {
        let term = term.replace('"', "");
        let search = format!("\"displayName:{term}\" OR \"mail:{term}\"");
        let url = self.graph_url(&with_query(
            "v1.0/users",
            &[
                ("$search", &search),
                ("$select", "id,displayName,mail,userPrincipalName,userType"),
                ("$top", "25"),
                ("$count", "true"),
            ],
        ));
        self.list_all_eventual(url, Some(limit)).await
    }

    /// Groups whose name has a word starting with `term` (Graph's `$search`, an advanced query).
    pub async fn search_groups(&self, term: &str, limit: usize) -> Result<Vec<Group>, GraphError> {
        let search = format!("\"displayName:{}\"", term.replace('"', ""));
        let url = self.graph_url(&with_query(
            "v1.0/groups",
            &[
                ("$search", &search),
                ("$select", GROUP_FIELDS),
                ("$top", "50"),
                ("$count", "true"),
            ],
        ));
        self.list_all_eventual(url, Some(limit)).await
    }

    /// Every group of the tenant (999 per page).
    pub async fn all_groups(&self) -> Result<Vec<Group>, GraphError> {
        let url = self.graph_url(&with_query(
            "v1.0/groups",
            &[("$select", GROUP_FIELDS), ("$top", "999")],
        ));
        self.list_all(url, None).await
    }

    pub async fn get_group(&self, id: &str) -> Result<Answer<Group>, GraphError> {
        let path = with_query(&format!("v1.0/groups/{}", segment(id)), &[("$select", GROUP_FIELDS)]);
        self.send::<(), _>(Method::GET, self.graph_url(&path), None).await
    }

    /// Groups with exactly this display name (names are not unique in Entra).
    pub async fn groups_named(&self, name: &str) -> Result<Vec<Group>, GraphError> {
        let filter = format!("displayName eq {}", odata_string(name));
        let url = self.graph_url(&with_query(
            "v1.0/groups",
            &[("$filter", &filter), ("$select", GROUP_FIELDS)],
        ));
        self.list_all(url, None).await
    }

    /// A group's direct members (users carry `userType`; devices and other objects do not).
    pub async fn group_members(&self, group_id: &str) -> Result<Vec<User>, GraphError> {
        let url = self.graph_url(&with_query(
            &format!("v1.0/groups/{}/members", segment(group_id)),
            &[("$select", "id,displayName,mail,userPrincipalName,userType")],
        ));
        self.list_all(url, None).await
    }

    /// `POST /groups/{id}/members/$ref`. Returns Graph's request-id.
    pub async fn add_group_member(&self, group_id: &str, user_id: &str) -> Result<Option<String>, GraphError> {
        let body =
            serde_json::json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user_id}")});
        let url = self.graph_url(&format!("v1.0/groups/{}/members/$ref", segment(group_id)));
        self.send_no_content(Method::POST, url, Some(&body)).await
    }

    /// `DELETE /groups/{id}/members/{uid}/$ref`. Returns Graph's request-id.
    pub async fn remove_group_member(&self, group_id: &str, user_id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!(
            "v1.0/groups/{}/members/{}/$ref",
            segment(group_id),
            segment(user_id)
        ));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }

    /// Removes one licence (adds none).
    pub async fn remove_license(&self, user_id: &str, sku_id: &str) -> Result<Answer<serde_json::Value>, GraphError> {
        let body = serde_json::json!({"addLicenses": [], "removeLicenses": [sku_id]});
        let url = self.graph_url(&format!("v1.0/users/{}/assignLicense", segment(user_id)));
        self.send(Method::POST, url, Some(&body)).await
    }

    /// The groups a user is a direct member of.
    pub async fn member_of(&self, user_id: &str) -> Result<Vec<Group>, GraphError> {
        let url = self.graph_url(&with_query(
            &format!("v1.0/users/{}/memberOf", segment(user_id)),
            &[("$select", GROUP_FIELDS)],
        ));
        self.list_all(url, None).await
    }

    /// Beta: the B2B management policies (the organisation default holds the domain list).
    pub async fn b2b_management_policies(&self) -> Result<Vec<B2bManagementPolicy>, GraphError> {
        self.list_all(self.graph_url("beta/policies/b2bManagementPolicies"), None)
            .await
    }

    /// Beta: PATCH the policy's `definition`. Returns Graph's request-id.
    pub async fn update_b2b_management_policy(
        &self,
        id: &str,
        definition: &[String],
    ) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("beta/policies/b2bManagementPolicies/{}", segment(id)));
        self.send_no_content(Method::PATCH, url, Some(&serde_json::json!({"definition": definition})))
            .await
    }

    /// Beta: create the organisation default policy when the tenant has none.
    pub async fn create_b2b_management_policy(
        &self,
        policy: &B2bManagementPolicy,
    ) -> Result<Answer<B2bManagementPolicy>, GraphError> {
        self.send(
            Method::POST,
            self.graph_url("beta/policies/b2bManagementPolicies"),
            Some(policy),
        )
        .await
    }

    /// The cross-tenant access default, kept whole as JSON (PATCH sends only what changes).
    pub async fn cross_tenant_default(&self) -> Result<Answer<serde_json::Value>, GraphError> {
        self.send::<(), _>(
            Method::GET,
            self.graph_url("v1.0/policies/crossTenantAccessPolicy/default"),
            None,
        )
        .await
    }

    pub async fn update_cross_tenant_default(&self, patch: &serde_json::Value) -> Result<Option<String>, GraphError> {
        self.send_no_content(
            Method::PATCH,
            self.graph_url("v1.0/policies/crossTenantAccessPolicy/default"),
            Some(patch),
        )
        .await
    }

    pub async fn identity_providers(&self) -> Result<Vec<IdentityProvider>, GraphError> {
        self.list_all(self.graph_url("v1.0/identity/identityProviders"), None)
            .await
    }

    /// Creates the Google provider. The secret goes in this body and nowhere else.
    pub async fn create_google_provider(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Answer<IdentityProvider>, GraphError> {
        let body = serde_json::json!({
            "@odata.type": "microsoft.graph.socialIdentityProvider",
            "displayName": "Google",
            "identityProviderType": "Google",
            "clientId": client_id,
            "clientSecret": client_secret,
        });
        self.send(
            Method::POST,
            self.graph_url("v1.0/identity/identityProviders"),
            Some(&body),
        )
        .await
    }

    pub async fn delete_identity_provider(&self, id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("v1.0/identity/identityProviders/{}", segment(id)));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }

    pub async fn authorization_policy(&self) -> Result<Answer<AuthorizationPolicy>, GraphError> {
        self.send::<(), _>(Method::GET, self.graph_url("v1.0/policies/authorizationPolicy"), None)
            .await
    }

    /// PATCH with only the changed fields. Returns Graph's request-id.
    pub async fn update_authorization_policy(
        &self,
        patch: &AuthorizationPolicyPatch,
    ) -> Result<Option<String>, GraphError> {
        self.send_no_content(
            Method::PATCH,
            self.graph_url("v1.0/policies/authorizationPolicy"),
            Some(patch),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_literals_double_quotes() {
        assert_eq!(odata_string("o'brien@x.ie"), "'o''brien@x.ie'");
    }

    #[test]
    fn query_values_are_encoded() {
        let q = with_query("v1.0/users", &[("$filter", "mail eq 'a+b@x.com'"), ("$top", "5")]);
        assert_eq!(q, "v1.0/users?$filter=mail%20eq%20%27a%2Bb@x.com%27&$top=5");
    }

    #[test]
    fn guest_upn_hash_is_escaped_in_paths() {
        assert_eq!(
            segment("jane_partner.com#EXT#@contoso.onmicrosoft.com"),
            "jane_partner.com%23EXT%23%40contoso.onmicrosoft.com"
        );
    }
}
