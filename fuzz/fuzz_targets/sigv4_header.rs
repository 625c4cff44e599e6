//! SigV4 verification on arbitrary `Authorization`, `X-Amz-Date` and `Date` headers.
//!
//! Input: newline-separated fields `authorization`, `x-amz-date`, `date`, `path`, `query`,
//! `x-amz-content-sha256`, then the body (everything after the sixth newline). An empty
//! field leaves that header out. The request also carries a fixed `Host`, `Content-Type`
//! and `X-Amz-Target`, as the SDKs sign them.
//!
//! Properties: `parse` never panics and refuses only with MissingAuthenticationToken or
//! IncompleteSignature; on whatever parses, `canonical_request` and `verify` (with a fixed
//! secret, at the request's own time and at a fixed time) never panic, and `verify` accepts
//! exactly when the signature is the one the secret produces — which random input never is.

#![no_main]

use cognitod_model::ErrorCode;
use cognitod_protocol::sigv4::{self, SignedRequest};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SERVICE: &str = "cognito-idp";
/// 2024-01-01T00:00:00Z
const FIXED_NOW: i64 = 1_704_067_200_000;

fn put(headers: &mut HeaderMap, name: &'static str, value: &[u8]) {
    if value.is_empty() {
        return;
    }
    if let Ok(value) = HeaderValue::from_bytes(value) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut fields = data.splitn(7, |&b| b == b'\n');
    let mut next = || fields.next().unwrap_or_default();
    let (authorization, amz_date, date) = (next(), next(), next());
    let (path, query, content_sha) = (next(), next(), next());
    let body = next();

    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("localhost:9229"));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("AWSCognitoIdentityProviderService.ListUsers"),
    );
    put(&mut headers, "authorization", authorization);
    put(&mut headers, "x-amz-date", amz_date);
    put(&mut headers, "date", date);
    put(&mut headers, "x-amz-content-sha256", content_sha);

    let auth = match sigv4::parse(&headers) {
        Ok(auth) => auth,
        Err(e) => {
            assert!(
                matches!(
                    e.code,
                    ErrorCode::MissingAuthenticationTokenException
                        | ErrorCode::IncompleteSignatureException
                ),
                "parse answered {e}"
            );
            return;
        }
    };

    let path = String::from_utf8_lossy(path);
    let path = if path.is_empty() { "/".into() } else { path };
    let query = String::from_utf8_lossy(query);
    let request = SignedRequest {
        method: "POST",
        path: &path,
        query: (!query.is_empty()).then_some(&*query),
        headers: &headers,
        authority: None,
        body,
    };
    let canonical = sigv4::canonical_request(&request, &auth);
    let expected = canonical
        .as_ref()
        .ok()
        .map(|c| sigv4::signature(c, &auth, SECRET));
    let correctly_signed = expected.as_deref() == Some(auth.signature.as_str());

    for now in [auth.signed_at_millis, FIXED_NOW] {
        let Err(e) = sigv4::verify(&request, &auth, SECRET, now, SERVICE) else {
            assert!(correctly_signed, "accepted a wrong signature: {auth:?}");
            continue;
        };
        assert_eq!(e.code, ErrorCode::InvalidSignatureException, "{e}");
        if correctly_signed && now == auth.signed_at_millis {
            // Then only the scope or the signed headers can be wrong.
            assert!(
                auth.service != SERVICE
                    || !auth.signed_headers.iter().any(|h| h == "host")
                    || auth.request_date.get(..8) != Some(auth.scope_date.as_str()),
                "refused a correctly signed request: {e}"
            );
        }
    }
});
