//! The per-pool discovery documents under the issuer: `<iss>/.well-known/jwks.json` and
//! `<iss>/.well-known/openid-configuration`. Public, like Cognito's.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use cognitod_model::Error;

use crate::app::{AppState, json_ok};

pub async fn jwks(State(state): State<Arc<AppState>>, Path(pool_id): Path<String>) -> Response {
    let document = state.json.service().jwks(&pool_id).await;
    respond(document, &pool_id)
}

pub async fn openid_configuration(
    State(state): State<Arc<AppState>>,
    Path(pool_id): Path<String>,
) -> Response {
    let document = state.json.service().openid_configuration(&pool_id).await;
    respond(document, &pool_id)
}

fn respond(document: Result<Option<serde_json::Value>, Error>, pool_id: &str) -> Response {
    let (status, body) = match document {
        Ok(Some(document)) => (StatusCode::OK, document.to_string()),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            serde_json::json!({ "message": format!("User pool {pool_id} does not exist.") })
                .to_string(),
        ),
        Err(err) => {
            tracing::error!(error = %err.message, "discovery document failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"message":"Internal server error."}"#.to_string(),
            )
        }
    };
    let mut response = json_ok(body);
    *response.status_mut() = status;
    if status == StatusCode::OK {
        response.headers_mut().insert(
            http::header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
    }
    response
}
