//! Response encoding: success bodies and AWS-shaped errors.

use cognitod_model::{Error, ErrorCode};
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};

pub const CONTENT_TYPE_JSON: &str = "application/x-amz-json-1.1";

/// The most of a message `x-amzn-ErrorMessage` carries.
const MAX_HEADER_MESSAGE_CHARS: usize = 1024;

/// An error response as AWS sends it: `__type` and `message` in the body, the type in
/// `x-amzn-ErrorType` (with AWS's trailing colon), the message in `x-amzn-ErrorMessage`, and
/// the request id.
pub fn error_response(err: &Error, request_id: &str) -> Response<Vec<u8>> {
    let body = serde_json::json!({ "__type": err.code.as_str(), "message": err.message });
    let mut response = Response::new(body.to_string().into_bytes());
    *response.status_mut() =
        StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
    if let Ok(v) = HeaderValue::from_str(&format!("{}:", err.code.as_str())) {
        headers.insert("x-amzn-errortype", v);
    }
    // Header values must be visible ASCII and short enough for every client's header limit
    // (a message may quote a huge input value); the body keeps the full message.
    let message: String = err
        .message
        .chars()
        .take(MAX_HEADER_MESSAGE_CHARS)
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                ' '
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(message.trim()) {
        headers.insert("x-amzn-errormessage", v);
    }
    insert_request_id(&mut response, request_id);
    response
}

pub fn success_response(body: Vec<u8>, request_id: &str) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
    insert_request_id(&mut response, request_id);
    response
}

fn insert_request_id(response: &mut Response<Vec<u8>>, request_id: &str) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
}

/// The answer to a request the server failed on, whatever the cause.
pub fn internal_error() -> Error {
    Error::new(ErrorCode::InternalErrorException, "Internal server error.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_encoded_as_aws_does() {
        let err = Error::new(
            ErrorCode::NotAuthorizedException,
            "Incorrect username or password.",
        );
        let response = error_response(&err, "req-1");
        assert_eq!(response.status(), 400);
        assert_eq!(
            response.body().as_slice(),
            br#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#
        );
        let h = response.headers();
        assert_eq!(h["content-type"], "application/x-amz-json-1.1");
        assert_eq!(h["x-amzn-errortype"], "NotAuthorizedException:");
        assert_eq!(h["x-amzn-errormessage"], "Incorrect username or password.");
        assert_eq!(h["x-amzn-requestid"], "req-1");
    }

    #[test]
    fn status_and_unprintable_messages() {
        let response = error_response(&internal_error(), "r");
        assert_eq!(response.status(), 500);
        let err = Error::new(ErrorCode::InvalidParameterException, "caf\u{e9}\nnext");
        let response = error_response(&err, "r");
        assert_eq!(response.headers()["x-amzn-errormessage"], "caf  next");
        assert_eq!(
            response.body().as_slice(),
            "{\"__type\":\"InvalidParameterException\",\"message\":\"caf\u{e9}\\nnext\"}"
                .as_bytes()
        );
    }

    #[test]
    fn long_messages_are_cut_in_the_header_only() {
        let message = format!("Value '{}' at 'username' failed", "a".repeat(200_000));
        let err = Error::new(ErrorCode::InvalidParameterException, message.clone());
        let response = error_response(&err, "r");
        assert_eq!(
            response.headers()["x-amzn-errormessage"].len(),
            MAX_HEADER_MESSAGE_CHARS
        );
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["message"], message);
    }
}
