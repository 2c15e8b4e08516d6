//! Sign-in without any secret for scripts running in Azure: the machine's managed identity,
//! or workload identity federation (AKS, GitHub Actions, Azure Pipelines). The identity comes
//! from the environment each time; the profile remembers only which one, and nothing goes in
//! the keychain.

use super::{endpoints_of, SignedIn, MANAGED_IDENTITY, WORKLOAD_IDENTITY};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::azure_identity::{AzureIdentityCredential, AzureIdentityKind};
use guestpass_graph::Endpoints;
use guestpass_store::TenantProfile;
use std::sync::Arc;

/// The profile's `client_id` for a system-assigned managed identity (its id is the machine's).
pub const SYSTEM_ASSIGNED: &str = "system-assigned";

fn credential(kind: AzureIdentityKind, endpoints: &Endpoints) -> Result<AzureIdentityCredential, Problem> {
    let http = guestpass_graph::standard_http_client();
    AzureIdentityCredential::new(kind, endpoints, &http)
        .map_err(|e| Problem::from_graph("Finding the Azure identity", &e))
}

/// Signs in with an Azure identity, reads the tenant, and saves a profile naming the identity.
pub async fn save_azure_identity(
    data_dir: &std::path::Path,
    endpoints: Endpoints,
    kind: AzureIdentityKind,
) -> Result<(SignedIn, Engine), Problem> {
    let credential = credential(kind.clone(), &endpoints)?;
    let (way, client_id) = match &kind {
        AzureIdentityKind::ManagedIdentity { client_id } => (
            MANAGED_IDENTITY,
            client_id.clone().unwrap_or_else(|| SYSTEM_ASSIGNED.into()),
        ),
        AzureIdentityKind::WorkloadIdentity { .. } => (WORKLOAD_IDENTITY, credential.client_id().unwrap_or_default()),
    };
    let engine = Engine::connect_with(data_dir, endpoints.clone(), Arc::new(credential), false).await?;
    let profile = super::save_app_profile(data_dir, &engine, &endpoints, way, &client_id, None)?;
    let keychain = Ok("environment (Azure gives the identity; Guestpass keeps no secret)".into());
    Ok((SignedIn { profile, keychain }, engine))
}

/// Connects a saved managed-identity or workload-identity profile, asking Azure again.
pub(super) async fn connect_azure_identity(
    data_dir: &std::path::Path,
    store: &guestpass_store::Store,
    profile: &TenantProfile,
) -> Result<Engine, Problem> {
    let kind = if profile.sign_in == MANAGED_IDENTITY {
        AzureIdentityKind::ManagedIdentity {
            client_id: Some(profile.client_id.clone()).filter(|c| c != SYSTEM_ASSIGNED),
        }
    } else {
        AzureIdentityKind::WorkloadIdentity {
            tenant_id: Some(profile.tenant.clone()),
            client_id: Some(profile.client_id.clone()),
        }
    };
    let endpoints = endpoints_of(profile)?;
    let credential = credential(kind, &endpoints)?;
    store.touch_profile(profile.id).map_err(Problem::local)?;
    Engine::connect_with(data_dir, endpoints, Arc::new(credential), false).await
}
