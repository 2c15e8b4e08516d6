//! A typed client for the parts of Microsoft Graph that Guestpass uses.
//!
//! The same code talks to Microsoft and to the sandbox tenant: only [`Endpoints`] differ.
//! Every call carries a fresh `client-request-id`, honours `Retry-After` (exponential
//! backoff when it is absent) up to a cap, refreshes an expired token once, and fails with
//! a [`GraphError`] that keeps Microsoft's `code`, message and `request-id`.

mod api;
pub mod audit_logs;
mod auth;
pub mod azure_cli;
pub mod azure_identity;
mod batch;
pub mod certificate;
mod client;
mod conditional_access;
mod endpoints;
pub mod entitlement;
mod error;
mod governance;
mod guests;
mod loopback;
pub mod models;
mod pacer;
mod partners;
pub mod power;
pub mod signin;

pub use api::odata_string;
pub use auth::{
    granted_permissions, AccessToken, AppOnlyCredential, AppProof, TokenSource, CLIENT_ASSERTION_TYPE, GRAPH_SCOPE,
    POWER_PLATFORM_SCOPE,
};
pub use batch::{BatchCall, MAX_BATCH};
pub use client::{standard_http_client, Answer, Backoff, GraphClient, Page, RetryPolicy, CONDITIONAL_ACCESS_SPACING};
pub use endpoints::{EndpointError, Endpoints};
pub use error::{GraphError, ServiceError};
