//! The signed admin endpoint that lists the outbox: `GET /admin/outbox?poolId=&username=`.
//!
//! Signed with SigV4 for service `cognito-idp`, so `curl --aws-sigv4` and the AWS SDKs'
//! signers work; only keys allowed `ListOutbox` on the pool (or `*`) may read it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::response::Response;
use cognitod_model::{Error, ErrorCode};
use cognitod_protocol::json::error_response;
use cognitod_store::OutboxMessage;
use serde::{Deserialize, Serialize};

use crate::app::{AppState, json_ok, read_body};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxQuery {
    pub pool_id: Option<String>,
    pub username: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<u32>,
}

/// The JSON form of an outbox message, shared with `cognitod outbox list --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: i64,
    pub pool_id: String,
    pub username: String,
    pub medium: String,
    pub destination: String,
    pub kind: String,
    pub subject: Option<String>,
    pub body: String,
    pub created_at: i64,
}

impl From<OutboxMessage> for OutboxEntry {
    fn from(m: OutboxMessage) -> Self {
        Self {
            id: m.id,
            pool_id: m.pool_id,
            username: m.username,
            medium: m.medium,
            destination: m.destination,
            kind: m.kind,
            subject: m.subject,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

pub async fn list_outbox(
    State(state): State<Arc<AppState>>,
    Query(query): Query<OutboxQuery>,
    request: Request,
) -> Response {
    let request_id = cognitod_crypto::request_id();
    let (parts, body) = request.into_parts();
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let fail = |err: Error| error_response(&err, &request_id).map(Body::from);
    let key = match state.json.authenticate(&parts, &body).await {
        Ok(key) => key,
        Err(err) => return fail(err),
    };
    if !key.allows("cognito-idp", "ListOutbox", query.pool_id.as_deref()) {
        return fail(Error::new(
            ErrorCode::AccessDeniedException,
            format!(
                "User: {} is not authorized to perform: cognito-idp:ListOutbox",
                key.id
            ),
        ));
    }
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let messages = match state
        .json
        .service()
        .messenger()
        .list(
            query.pool_id.as_deref(),
            query.username.as_deref(),
            query.after,
            limit,
        )
        .await
    {
        Ok(messages) => messages,
        Err(err) => {
            tracing::error!(error = %err, "outbox listing failed");
            return fail(Error::new(
                ErrorCode::InternalErrorException,
                "Internal server error.",
            ));
        }
    };
    let entries: Vec<OutboxEntry> = messages.into_iter().map(Into::into).collect();
    json_ok(serde_json::json!({ "messages": entries }).to_string())
}
