//! AWS Signature Version 4 verification, header form. Pure: the caller supplies the request,
//! the body, the time and the secret.
//!
//! Verification is two steps, because the secret lives in a store: [`parse`] reads the
//! `Authorization` header and names the key; [`verify`] checks scope, clock skew and the
//! signature with that key's secret. Errors carry AWS's codes and wording.

mod canonical;
mod date;

use cognitod_crypto::constant_time_eq;
use cognitod_model::{Error, ErrorCode};
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};

pub use canonical::{canonical_headers, canonical_query, canonical_uri};
pub use date::{format_amz_date, parse_amz_date, parse_http_date};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Largest accepted difference between the signer's clock and ours.
const MAX_SKEW_MILLIS: i64 = 15 * 60 * 1000;

/// The parts of a request that are signed.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The path as received (already percent-encoded).
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    /// The URI authority, standing in for a missing `Host` header (HTTP/2).
    pub authority: Option<&'a str>,
    pub body: &'a [u8],
}

/// The `Authorization` header and the request date, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth {
    pub access_key_id: String,
    /// `YYYYMMDD` of the credential scope.
    pub scope_date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
    /// The request time in ISO-8601 basic form, as it enters the string to sign.
    pub request_date: String,
    pub signed_at_millis: i64,
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub access_key_id: String,
    pub region: String,
    pub service: String,
}

fn incomplete(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::IncompleteSignatureException, message)
}

fn invalid_signature(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidSignatureException, message)
}

pub fn signature_mismatch() -> Error {
    invalid_signature(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service \
         documentation for details.",
    )
}

pub fn unrecognized_key() -> Error {
    Error::new(
        ErrorCode::UnrecognizedClientException,
        "The security token included in the request is invalid.",
    )
}

pub fn missing_token() -> Error {
    Error::new(
        ErrorCode::MissingAuthenticationTokenException,
        "Missing Authentication Token",
    )
}

/// The request time: `X-Amz-Date`, else `Date`. `Err` carries the complaint.
fn request_date(headers: &HeaderMap) -> Result<(String, i64), String> {
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("").trim());
    if let Some(amz) = text("x-amz-date") {
        return parse_amz_date(amz)
            .map(|millis| (amz.to_string(), millis))
            .ok_or_else(|| {
                format!(
                    "Date must be in ISO-8601 'basic format'. Got '{amz}'. See \
                     http://en.wikipedia.org/wiki/ISO_8601"
                )
            });
    }
    let missing = "Authorization header requires existence of either a 'X-Amz-Date' or a \
                   'Date' header."
        .to_string();
    let http = text("date").ok_or_else(|| missing.clone())?;
    let millis = parse_http_date(http).ok_or(missing)?;
    Ok((format_amz_date(millis), millis))
}

/// Reads the `Authorization` header and the request date. Like AWS, every missing piece is
/// named in one message that ends with the header as received.
pub fn parse(headers: &HeaderMap) -> Result<ParsedAuth, Error> {
    let raw = headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(missing_token)?;
    let raw = String::from_utf8_lossy(raw.as_bytes()).into_owned();
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    if let Some(rest) = raw.trim_start().strip_prefix(ALGORITHM) {
        for part in rest.split(',') {
            let Some((name, value)) = part.trim().split_once('=') else {
                continue;
            };
            let value = Some(value.trim()).filter(|v| !v.is_empty());
            match name.trim() {
                "Credential" => credential = value,
                "SignedHeaders" => signed_headers = value,
                "Signature" => signature = value,
                _ => {}
            }
        }
    }
    let mut problems = Vec::new();
    for (value, name) in [
        (credential, "Credential"),
        (signature, "Signature"),
        (signed_headers, "SignedHeaders"),
    ] {
        if value.is_none() {
            problems.push(format!("Authorization header requires '{name}' parameter."));
        }
    }
    let date = request_date(headers);
    if let Err(problem) = &date {
        problems.push(problem.clone());
    }
    let (Some(credential), Some(signature), Some(signed_headers), Ok((request_date, millis))) =
        (credential, signature, signed_headers, date)
    else {
        return Err(incomplete(format!(
            "{} Authorization={raw}",
            problems.join(" ")
        )));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [key, scope_date, region, service, terminator] = scope.as_slice() else {
        return Err(incomplete(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            scope.get(2).unwrap_or(&"")
        )));
    };
    if *terminator != "aws4_request" {
        return Err(incomplete(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not \
             '{terminator}'. "
        )));
    }
    Ok(ParsedAuth {
        access_key_id: key.to_string(),
        scope_date: scope_date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: signed_headers
            .split(';')
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        signature: signature.to_string(),
        request_date,
        signed_at_millis: millis,
    })
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The canonical request the signer must have hashed.
pub fn canonical_request(request: &SignedRequest<'_>, auth: &ParsedAuth) -> Result<String, Error> {
    let body_hash = hex::encode(Sha256::digest(request.body));
    if let Some(claimed) = request.headers.get("x-amz-content-sha256")
        && !claimed
            .as_bytes()
            .eq_ignore_ascii_case(body_hash.as_bytes())
    {
        return Err(invalid_signature(
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ));
    }
    let headers = canonical_headers(&auth.signed_headers, request.headers, request.authority)
        .ok_or_else(signature_mismatch)?;
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_uri(request.path),
        canonical_query(request.query),
        headers,
        auth.signed_headers.join(";"),
        body_hash
    ))
}

/// The signature of `canonical_request` under `secret` for the scope in `auth`.
pub fn signature(canonical_request: &str, auth: &ParsedAuth, secret: &str) -> String {
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.scope_date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{scope}\n{}",
        auth.request_date,
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac(
        format!("AWS4{secret}").as_bytes(),
        auth.scope_date.as_bytes(),
    );
    let k_region = hmac(&k_date, auth.region.as_bytes());
    let k_service = hmac(&k_region, auth.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    hex::encode(hmac(&k_signing, string_to_sign.as_bytes()))
}

/// Checks the scope, the request's age and its signature with `secret`.
pub fn verify(
    request: &SignedRequest<'_>,
    auth: &ParsedAuth,
    secret: &str,
    now_millis: i64,
    expected_service: &str,
) -> Result<Verified, Error> {
    if auth.service != expected_service {
        return Err(invalid_signature(format!(
            "Credential should be scoped to correct service: '{expected_service}'. "
        )));
    }
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(invalid_signature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    let day = auth.request_date.get(..8).unwrap_or_default();
    if auth.scope_date != day {
        return Err(invalid_signature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date \
             from HTTP: '{}' != '{day}', from '{}'.",
            auth.scope_date, auth.request_date
        )));
    }
    if auth.signed_at_millis < now_millis - MAX_SKEW_MILLIS {
        return Err(invalid_signature(format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            auth.request_date,
            format_amz_date(now_millis - MAX_SKEW_MILLIS),
            format_amz_date(now_millis)
        )));
    }
    if auth.signed_at_millis > now_millis + MAX_SKEW_MILLIS {
        return Err(invalid_signature(format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            auth.request_date,
            format_amz_date(now_millis + MAX_SKEW_MILLIS),
            format_amz_date(now_millis)
        )));
    }
    let expected = signature(&canonical_request(request, auth)?, auth, secret);
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(signature_mismatch());
    }
    Ok(Verified {
        access_key_id: auth.access_key_id.clone(),
        region: auth.region.clone(),
        service: auth.service.clone(),
    })
}
