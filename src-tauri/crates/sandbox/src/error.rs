//! Graph's OData error answers. Handlers return an [`ApiError`]; the middleware fills in
//! `innerError` (date, request-id, client-request-id) since only it knows them.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.into(),
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "Request_BadRequest", message)
    }

    pub fn not_found(id: &str) -> ApiError {
        ApiError::new(
            404,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    pub fn unsupported_query(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "Request_UnsupportedQuery", message)
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!("sandbox internal error: {e}");
        ApiError::new(500, "InternalServerError", "An internal server error occurred.")
    }

    /// The response body, once the request's ids are known.
    pub fn body(&self, request_id: &str, client_request_id: &str) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                }
            }
        })
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body("", ""))).into_response();
        if let Some(s) = self.retry_after {
            resp.headers_mut().insert("Retry-After", HeaderValue::from(s));
        }
        // The middleware re-renders the body with the real ids.
        resp.extensions_mut().insert(self);
        resp
    }
}
