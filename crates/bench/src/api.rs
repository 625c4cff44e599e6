//! AWS JSON 1.1 calls to the cognito-idp API over a [`Conn`]: signed for administrative
//! operations, unsigned for the ones the SDKs send without credentials.

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use serde_json::Value;

use crate::http::{Conn, Reply};
use crate::sign::Signer;

const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A failed operation, named by its kind for the error tally.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

/// Builds the request for `operation` with `body`; signs it when `signer` is given.
pub fn json_request(
    conn: &Conn,
    signer: Option<&Signer>,
    operation: &str,
    body: &Value,
) -> anyhow::Result<Request<Full<Bytes>>> {
    let body = serde_json::to_vec(body)?;
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    let mut builder = Request::post("/")
        .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
        .header("x-amz-target", &target);
    if let Some(signer) = signer {
        let base = [
            ("host", conn.target().authority.as_str()),
            ("content-type", CONTENT_TYPE),
            ("x-amz-target", target.as_str()),
        ];
        let url = format!("{}/", conn.target().base);
        for (name, value) in signer.headers("POST", &url, &base, &body)? {
            builder = builder.header(name, value);
        }
    }
    Ok(builder.body(Full::new(Bytes::from(body)))?)
}

/// Calls `operation` and returns the response JSON of a 200, or the failure's kind.
pub async fn call(
    conn: &mut Conn,
    signer: Option<&Signer>,
    operation: &str,
    body: &Value,
) -> Result<Value, Failure> {
    let request = json_request(conn, signer, operation, body)
        .map_err(|e| Failure(format!("request: {e}")))?;
    let reply = send(conn, request).await?;
    if reply.status == 200 {
        Ok(reply.json())
    } else {
        Err(Failure(reply.error_kind()))
    }
}

/// Sends any request; transport errors become `io` failures.
pub async fn send(conn: &mut Conn, request: Request<Full<Bytes>>) -> Result<Reply, Failure> {
    conn.send(request).await.map_err(|e| {
        let text = format!("{e:#}");
        // Keep the tally short: the first clause names the kind of transport error.
        Failure(format!(
            "io: {}",
            text.split(':').next().unwrap_or_default().trim()
        ))
    })
}

/// Calls `operation` during set-up, where any failure stops the run with its message.
pub async fn setup_call(
    conn: &mut Conn,
    signer: Option<&Signer>,
    operation: &str,
    body: &Value,
) -> anyhow::Result<Value> {
    let request = json_request(conn, signer, operation, body)?;
    let reply = conn.send(request).await?;
    if reply.status == 200 {
        Ok(reply.json())
    } else {
        anyhow::bail!(
            "{operation}: {} {}",
            reply.error_kind(),
            String::from_utf8_lossy(&reply.body)
        )
    }
}
