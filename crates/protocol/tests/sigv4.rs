//! SigV4 verification against signatures made by `aws-sigv4`, the AWS SDKs' own signer.

use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use cognitod_model::{Error, ErrorCode};
use cognitod_protocol::sigv4::{self, SignedRequest, Verified};
use http::HeaderMap;

const ID: &str = "AKIAEXAMPLEEXAMPLE12";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// 2023-11-14T22:13:20Z.
const T0: u64 = 1_700_000_000;
const MISMATCH: &str = "The request signature we calculated does not match the signature you \
                        provided. Check your AWS Secret Access Key and signing method. Consult \
                        the service documentation for details.";

/// The headers of a request as the SDK sends it, signed at `T0`.
fn signed_headers(method: &str, url: &str, body: &[u8], service: &str) -> HeaderMap {
    let identity = Credentials::new(ID, SECRET, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(UNIX_EPOCH + Duration::from_secs(T0))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let base = [
        ("host", "127.0.0.1:9229"),
        ("content-type", "application/x-amz-json-1.1"),
        (
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUsers",
        ),
    ];
    let signable =
        SignableRequest::new(method, url, base.iter().copied(), SignableBody::Bytes(body)).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut headers = HeaderMap::new();
    for (k, v) in base {
        headers.insert(k, v.parse().unwrap());
    }
    let (new_headers, _) = instructions.into_parts();
    for h in new_headers {
        headers.insert(
            http::HeaderName::from_bytes(h.name().as_bytes()).unwrap(),
            h.value().parse().unwrap(),
        );
    }
    headers
}

struct Req<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    body: &'a [u8],
}

const POST: Req<'static> = Req {
    method: "POST",
    path: "/",
    query: None,
    body: br#"{"UserPoolId":"us-east-1_abc"}"#,
};

fn check(
    headers: &HeaderMap,
    req: &Req<'_>,
    secret: &str,
    now_secs: u64,
) -> Result<Verified, Error> {
    let auth = sigv4::parse(headers)?;
    let request = SignedRequest {
        method: req.method,
        path: req.path,
        query: req.query,
        headers,
        authority: None,
        body: req.body,
    };
    sigv4::verify(
        &request,
        &auth,
        secret,
        (now_secs * 1000) as i64,
        "cognito-idp",
    )
}

fn post_headers() -> HeaderMap {
    signed_headers("POST", "http://127.0.0.1:9229/", POST.body, "cognito-idp")
}

#[test]
fn a_real_sdk_signature_verifies() {
    let ok = check(&post_headers(), &POST, SECRET, T0 + 60).unwrap();
    assert_eq!(
        ok,
        Verified {
            access_key_id: ID.into(),
            region: "us-east-1".into(),
            service: "cognito-idp".into(),
        }
    );
}

#[test]
fn tampering_and_wrong_secrets_fail() {
    let headers = post_headers();
    let tampered = Req {
        body: br#"{"UserPoolId":"us-east-1_xyz"}"#,
        ..POST
    };
    let err = check(&headers, &tampered, SECRET, T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSignatureException);
    assert_eq!(err.message, MISMATCH);

    let err = check(&headers, &POST, "wrong-secret", T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSignatureException);
    assert_eq!(err.message, MISMATCH);

    let mut changed = headers.clone();
    changed.insert(
        "x-amz-target",
        "AWSCognitoIdentityProviderService.AdminDeleteUser"
            .parse()
            .unwrap(),
    );
    let err = check(&changed, &POST, SECRET, T0).unwrap_err();
    assert_eq!(err.message, MISMATCH);

    let mut unsigned_host = headers.clone();
    unsigned_host.remove("host");
    let err = check(&unsigned_host, &POST, SECRET, T0).unwrap_err();
    assert_eq!(err.message, MISMATCH);
}

#[test]
fn clock_skew_beyond_fifteen_minutes_fails() {
    let headers = post_headers();
    check(&headers, &POST, SECRET, T0 + 15 * 60).unwrap();
    check(&headers, &POST, SECRET, T0 - 15 * 60).unwrap();
    let err = check(&headers, &POST, SECRET, T0 + 16 * 60).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSignatureException);
    assert_eq!(
        err.message,
        "Signature expired: 20231114T221320Z is now earlier than 20231114T221420Z \
         (20231114T222920Z - 15 min.)"
    );
    let err = check(&headers, &POST, SECRET, T0 - 16 * 60).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSignatureException);
    assert_eq!(
        err.message,
        "Signature not yet current: 20231114T221320Z is still later than 20231114T221220Z \
         (20231114T215720Z + 15 min.)"
    );
}

#[test]
fn the_scope_must_name_the_service() {
    let other = signed_headers(
        "POST",
        "http://127.0.0.1:9229/",
        POST.body,
        "cognito-identity",
    );
    let err = check(&other, &POST, SECRET, T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSignatureException);
    assert_eq!(
        err.message,
        "Credential should be scoped to correct service: 'cognito-idp'. "
    );
}

#[test]
fn a_signed_get_covers_its_query_string() {
    let url = "http://127.0.0.1:9229/admin/outbox?username=ana%20b&poolId=us-east-1_abc";
    let headers = signed_headers("GET", url, b"", "cognito-idp");
    let get = Req {
        method: "GET",
        path: "/admin/outbox",
        query: Some("username=ana%20b&poolId=us-east-1_abc"),
        body: b"",
    };
    check(&headers, &get, SECRET, T0).unwrap();
    let reordered = Req {
        query: Some("poolId=us-east-1_abc&username=ana+b"),
        ..get
    };
    check(&headers, &reordered, SECRET, T0).unwrap();
    let err = check(
        &headers,
        &Req {
            query: Some("username=eve&poolId=us-east-1_abc"),
            ..get
        },
        SECRET,
        T0,
    )
    .unwrap_err();
    assert_eq!(err.message, MISMATCH);
    let err = check(&headers, &Req { query: None, ..get }, SECRET, T0).unwrap_err();
    assert_eq!(err.message, MISMATCH);
    let err = check(
        &headers,
        &Req {
            path: "/admin/outbox2",
            ..get
        },
        SECRET,
        T0,
    )
    .unwrap_err();
    assert_eq!(err.message, MISMATCH);
}

#[test]
fn an_encoded_path_is_signed_double_encoded() {
    let url = "http://127.0.0.1:9229/a%20b/c%3Ad";
    let headers = signed_headers("GET", url, b"", "cognito-idp");
    let get = Req {
        method: "GET",
        path: "/a%20b/c%3Ad",
        query: None,
        body: b"",
    };
    check(&headers, &get, SECRET, T0).unwrap();
}

fn with_authorization(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("authorization", value.parse().unwrap());
    headers
}

#[test]
fn malformed_authorization_headers() {
    let err = sigv4::parse(&HeaderMap::new()).unwrap_err();
    assert_eq!(err.code, ErrorCode::MissingAuthenticationTokenException);
    assert_eq!(err.message, "Missing Authentication Token");

    let value = "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/cognito-idp/aws4_request, \
                 SignedHeaders=host";
    let mut headers = with_authorization(value);
    headers.insert("x-amz-date", "20240101T000000Z".parse().unwrap());
    let err = sigv4::parse(&headers).unwrap_err();
    assert_eq!(err.code, ErrorCode::IncompleteSignatureException);
    assert_eq!(
        err.message,
        format!("Authorization header requires 'Signature' parameter. Authorization={value}")
    );

    let err = sigv4::parse(&with_authorization("Bearer eyJraWQ")).unwrap_err();
    assert_eq!(err.code, ErrorCode::IncompleteSignatureException);
    assert_eq!(
        err.message,
        "Authorization header requires 'Credential' parameter. Authorization header requires \
         'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
         Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
         Authorization=Bearer eyJraWQ"
    );

    let mut headers = post_headers();
    headers.remove("x-amz-date");
    let err = sigv4::parse(&headers).unwrap_err();
    assert_eq!(err.code, ErrorCode::IncompleteSignatureException);
    assert!(
        err.message.starts_with(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' \
             header. Authorization=AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE12/20231114/"
        ),
        "{}",
        err.message
    );

    let mut headers = post_headers();
    headers.insert("x-amz-date", "2023-11-14T22:13:20Z".parse().unwrap());
    let err = sigv4::parse(&headers).unwrap_err();
    assert_eq!(err.code, ErrorCode::IncompleteSignatureException);
    assert!(
        err.message
            .starts_with("Date must be in ISO-8601 'basic format'. Got '2023-11-14T22:13:20Z'."),
        "{}",
        err.message
    );

    let mut headers = with_authorization(
        "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/cognito-idp/x, SignedHeaders=host, Signature=00",
    );
    headers.insert("x-amz-date", "20240101T000000Z".parse().unwrap());
    let err = sigv4::parse(&headers).unwrap_err();
    assert_eq!(err.code, ErrorCode::IncompleteSignatureException);
    assert_eq!(
        err.message,
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'x'. "
    );
}

#[test]
fn the_scope_date_must_match_the_request_date() {
    let mut headers = post_headers();
    headers.insert("x-amz-date", "20231115T000000Z".parse().unwrap());
    let err = check(&headers, &POST, SECRET, T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSignatureException);
    assert_eq!(
        err.message,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from \
         HTTP: '20231114' != '20231115', from '20231115T000000Z'."
    );
}
