//! The HTTP surface: `app(state) -> Router`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cognitod_model::{Error, ErrorCode};
use cognitod_protocol::json::{JsonEndpoint, error_response};
use cognitod_store::Store;
use cognitod_userpools::UserPools;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::connections::BodyTimeout;
use crate::{fallback, outbox, wellknown};

/// Largest request body accepted; Cognito's JSON requests are far smaller.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub struct AppState {
    pub json: JsonEndpoint<UserPools>,
    pub store: Arc<dyn Store>,
}

pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", post(aws_json))
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/admin/outbox", get(outbox::list_outbox))
        .route("/{pool_id}/.well-known/jwks.json", get(wellknown::jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(wellknown::openid_configuration),
        )
        .fallback(fallback::unrouted)
        .layer(cors())
        .with_state(state)
}

/// Browser clients (amazon-cognito-identity-js, Amplify) call the API cross-origin.
fn cors() -> CorsLayer {
    let allowed = [
        "content-type",
        "authorization",
        "x-amz-target",
        "x-amz-date",
        "x-amz-user-agent",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "cache-control",
    ]
    .map(HeaderName::from_static);
    let exposed = [
        "x-amzn-requestid",
        "x-amzn-errortype",
        "x-amzn-errormessage",
        "date",
    ]
    .map(HeaderName::from_static);
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(allowed)
        .expose_headers(exposed)
        .max_age(std::time::Duration::from_secs(600))
}

/// Reads a body up to the limit, or answers AWS-style: 413 when it is larger (at once when its
/// declared length is), 408 when it did not arrive in time.
pub async fn read_body(body: Body) -> Result<bytes::Bytes, Response> {
    // A declared length over the limit is refused before any of it is read, rather than
    // after a megabyte of it, or never if the client sends none.
    if body.size_hint().lower() > MAX_BODY_BYTES as u64 {
        return Err(too_large());
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|err| {
            if BodyTimeout::is_cause_of(&err) {
                body_timeout()
            } else {
                too_large()
            }
        })
}

fn too_large() -> Response {
    let err = Error::new(
        ErrorCode::RequestEntityTooLargeException,
        format!("Request body is larger than the {MAX_BODY_BYTES} bytes allowed."),
    );
    error_response(&err, &cognitod_crypto::request_id()).map(Body::from)
}

/// 408 in the AWS JSON error shape; the connection closes after it (the rest of the body is
/// never read).
fn body_timeout() -> Response {
    let body = r#"{"__type":"RequestTimeoutException","message":"The request body did not arrive in time."}"#;
    let mut response = json_ok(body);
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    headers.insert(
        "x-amzn-errortype",
        HeaderValue::from_static("RequestTimeoutException:"),
    );
    headers.insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    if let Ok(id) = HeaderValue::from_str(&cognitod_crypto::request_id()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

async fn aws_json(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    state
        .json
        .handle(&parts, body, Some(peer.ip()))
        .await
        .map(Body::from)
}

async fn live() -> impl IntoResponse {
    json_ok(r#"{"status":"ok"}"#)
}

async fn ready(State(state): State<Arc<AppState>>) -> Response {
    match state.store.ping().await {
        Ok(()) => json_ok(r#"{"status":"ok"}"#),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            let mut response = json_ok(r#"{"status":"unavailable"}"#);
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            response
        }
    }
}

pub fn json_ok(body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
