//! SigV4 verification against the AWS signing test suite.

mod vectors;

use cognitod_model::ErrorCode;
use cognitod_protocol::sigv4::{self, SignedRequest};
use http::{HeaderMap, HeaderName, HeaderValue};

/// A request of the suite: `METHOD path[ HTTP/1.1]`, `Name:value` lines (continuation lines
/// fold into the value, as a server's header parser would), a blank line, the body.
struct Raw {
    method: String,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Vec<u8>,
}

fn parse(text: &str) -> Raw {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let (method, rest) = request_line.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap_or(rest);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (target, None),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with(char::is_whitespace) {
            let last = fields.last_mut().unwrap();
            last.1 = format!("{} {}", last.1, line.trim());
        } else {
            let (name, value) = line.split_once(':').unwrap();
            fields.push((name.to_string(), value.to_string()));
        }
    }
    let mut headers = HeaderMap::new();
    for (name, value) in fields {
        headers.append(
            HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).unwrap(),
            HeaderValue::from_str(&value).unwrap(),
        );
    }
    Raw {
        method: method.to_string(),
        path: path.to_string(),
        query,
        headers,
        body: body.as_bytes().to_vec(),
    }
}

fn request(raw: &Raw) -> SignedRequest<'_> {
    SignedRequest {
        method: &raw.method,
        path: &raw.path,
        query: raw.query.as_deref(),
        headers: &raw.headers,
        authority: None,
        body: &raw.body,
    }
}

#[test]
fn every_suite_request_verifies() {
    assert_eq!(vectors::VECTORS.len(), 33);
    for v in vectors::VECTORS {
        let raw = parse(v.signed_request);
        let auth = sigv4::parse(&raw.headers).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        if let Some(expected) = v.canonical_request {
            let canonical = sigv4::canonical_request(&request(&raw), &auth).unwrap();
            assert_eq!(canonical, expected, "{}", v.name);
        }
        let verified = sigv4::verify(
            &request(&raw),
            &auth,
            v.secret,
            auth.signed_at_millis,
            &auth.service,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(verified.access_key_id, auth.access_key_id);
    }
}

#[test]
fn any_change_to_a_suite_request_breaks_its_signature() {
    for v in vectors::VECTORS {
        let raw = parse(v.signed_request);
        let auth = sigv4::parse(&raw.headers).unwrap();
        let now = auth.signed_at_millis;
        let check = |raw: &Raw, secret: &str| {
            sigv4::verify(&request(raw), &auth, secret, now, &auth.service)
                .map(|_| ())
                .map_err(|e| e.code)
        };
        let mismatch = Err(ErrorCode::InvalidSignatureException);
        assert_eq!(check(&raw, "another secret"), mismatch, "{}", v.name);

        let mut other = parse(v.signed_request);
        other.method = if raw.method == "GET" { "POST" } else { "GET" }.into();
        assert_eq!(check(&other, v.secret), mismatch, "{}", v.name);

        let mut other = parse(v.signed_request);
        other.path = format!("{}x", raw.path);
        assert_eq!(check(&other, v.secret), mismatch, "{}", v.name);

        let mut other = parse(v.signed_request);
        other.query = Some(format!("{}&extra=1", raw.query.clone().unwrap_or_default()));
        assert_eq!(check(&other, v.secret), mismatch, "{}", v.name);

        let mut other = parse(v.signed_request);
        other
            .headers
            .insert("host", "attacker.example".parse().unwrap());
        assert_eq!(check(&other, v.secret), mismatch, "{}", v.name);

        if !raw.headers.contains_key("x-amz-content-sha256") {
            let mut other = parse(v.signed_request);
            other.body.extend_from_slice(b"!");
            assert_eq!(check(&other, v.secret), mismatch, "{}", v.name);
        }
    }
}

#[test]
fn a_body_that_does_not_match_its_declared_hash_is_refused() {
    let v = vectors::VECTORS
        .iter()
        .find(|v| v.name == "post-x-www-form-urlencoded")
        .unwrap();
    let mut raw = parse(v.signed_request);
    raw.body = b"Param1=value2".to_vec();
    let auth = sigv4::parse(&raw.headers).unwrap();
    let err = sigv4::verify(
        &request(&raw),
        &auth,
        v.secret,
        auth.signed_at_millis,
        "service",
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSignatureException);
    assert_eq!(
        err.message,
        "The provided 'x-amz-content-sha256' header does not match what was computed."
    );
}

#[test]
fn the_date_header_stands_in_for_x_amz_date() {
    // get-vanilla with the time in an RFC 1123 `Date` header. The signature was computed
    // independently (Python's hmac/hashlib over the canonical request below).
    let text = "GET / HTTP/1.1\n\
                Host:example.amazonaws.com\n\
                Date:Sun, 30 Aug 2015 12:36:00 GMT\n\
                Authorization:AWS4-HMAC-SHA256 \
                Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                SignedHeaders=date;host, \
                Signature=1262aceaf1a79c7f0b69fda81cd744572fcbe2e4c23b647b4de183cd5a0f1075\n\n";
    let raw = parse(text);
    let auth = sigv4::parse(&raw.headers).unwrap();
    assert_eq!(auth.request_date, "20150830T123600Z");
    assert_eq!(
        sigv4::canonical_request(&request(&raw), &auth).unwrap(),
        "GET\n/\n\ndate:Sun, 30 Aug 2015 12:36:00 GMT\nhost:example.amazonaws.com\n\n\
         date;host\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    sigv4::verify(
        &request(&raw),
        &auth,
        secret,
        auth.signed_at_millis,
        "service",
    )
    .unwrap();
    let err = sigv4::verify(
        &request(&raw),
        &auth,
        secret,
        auth.signed_at_millis + 16 * 60 * 1000,
        "service",
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z \
         (20150830T125200Z - 15 min.)"
    );
}
