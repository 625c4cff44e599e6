//! Requests no route takes: a Cognito Sync operation (REST JSON) answers
//! NotImplementedException naming it until Sync is served; anything else
//! UnknownOperationException. Never a bare 404.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use cognitod_model::{Error, ErrorCode};
use cognitod_protocol::json::error_response;
use cognitod_protocol::rest::sync_operation;

pub async fn unrouted(request: Request) -> Response {
    let err = match sync_operation(request.method().as_str(), request.uri().path()) {
        Some(op) => Error::not_implemented(op.name()),
        None => Error::new(
            ErrorCode::UnknownOperationException,
            format!(
                "No operation is served at {} {}.",
                request.method(),
                request.uri().path()
            ),
        ),
    };
    let mut response = error_response(&err, &cognitod_crypto::request_id()).map(Body::from);
    if err.code == ErrorCode::UnknownOperationException {
        *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    response
}
