//! The canonical request, built as the AWS signers build it for every service but S3: the
//! path normalised (RFC 3986 dot segments, empty segments dropped) and encoded once more, the
//! query decoded, re-encoded and sorted, the signed headers lowercased with trimmed values.

use std::borrow::Cow;

use http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const AWS_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// The same, keeping `/` for paths.
const AWS_ENCODE_PATH: &AsciiSet = &AWS_ENCODE.remove(b'/');

/// Removes `.` and `..` segments and empty segments, keeping a trailing slash.
fn normalize_path(path: &str) -> Cow<'_, str> {
    if path.is_empty() {
        return Cow::Borrowed("/");
    }
    if !path.contains('.') && !path.contains("//") && path.starts_with('/') {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    let trailing = ["/", "/.", "/..", "/./", "/../"]
        .iter()
        .any(|end| path.ends_with(end));
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    Cow::Owned(out)
}

/// The path as the signer saw it (already percent-encoded once), normalised and encoded again.
pub fn canonical_uri(path: &str) -> String {
    utf8_percent_encode(&normalize_path(path), AWS_ENCODE_PATH).to_string()
}

/// Query parameters decoded (`+` is a space), re-encoded, sorted by encoded key then value.
pub fn canonical_query(query: Option<&str>) -> String {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', "%20"))
            .decode_utf8_lossy()
            .into_owned()
    };
    let encode = |s: String| utf8_percent_encode(&s, AWS_ENCODE).to_string();
    let mut pairs: Vec<(String, String)> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (encode(decode(k)), encode(decode(v)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `name:value\n` for each signed header, in the order the signer listed them; repeated
/// headers are joined with `,`. `None` when a signed header is absent.
pub fn canonical_headers(
    signed: &[String],
    headers: &HeaderMap,
    authority: Option<&str>,
) -> Option<String> {
    let mut out = String::new();
    for name in signed {
        let mut values: Vec<String> = headers
            .get_all(name.as_str())
            .iter()
            .map(|v| collapse(&String::from_utf8_lossy(v.as_bytes())))
            .collect();
        if values.is_empty() && name == "host" {
            // HTTP/2 carries the host in the `:authority` pseudo-header, i.e. the URI.
            values.extend(authority.map(collapse));
        }
        if values.is_empty() {
            return None;
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Some(out)
}

/// Trims and collapses runs of whitespace to one space.
fn collapse(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_then_encoded_again() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("//"), "/");
        assert_eq!(canonical_uri("/./"), "/");
        assert_eq!(canonical_uri("/example/.."), "/");
        assert_eq!(canonical_uri("/a/b/../.."), "/");
        assert_eq!(canonical_uri("//example//"), "/example/");
        assert_eq!(canonical_uri("/./example"), "/example");
        assert_eq!(canonical_uri("/admin/outbox"), "/admin/outbox");
        assert_eq!(canonical_uri("/example%20space/"), "/example%2520space/");
        assert_eq!(
            canonical_uri("/test/@connections/JBDvjfGEIAMCERw%3D"),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
        assert_eq!(canonical_uri("/\u{1234}"), "/%E1%88%B4");
    }

    #[test]
    fn queries_are_sorted_and_encoded() {
        assert_eq!(canonical_query(Some("b=2&a=x%20y&c")), "a=x%20y&b=2&c=");
        assert_eq!(canonical_query(Some("a=x+y&a=w")), "a=w&a=x%20y");
        assert_eq!(
            canonical_query(Some("Param-3=Value3&Param=Value2&%E1%88%B4=Value1")),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(canonical_query(Some("k=a/b*c")), "k=a%2Fb%2Ac");
        assert_eq!(canonical_query(None), "");
        assert_eq!(canonical_query(Some("&&")), "");
    }

    #[test]
    fn headers_are_lowercase_trimmed_and_joined() {
        let mut headers = HeaderMap::new();
        headers.insert("X-Amz-Date", "20150830T123600Z".parse().unwrap());
        headers.append("my-header1", "  value2 ".parse().unwrap());
        headers.append("my-header1", "a   b\tc".parse().unwrap());
        let signed = ["host", "my-header1", "x-amz-date"].map(String::from);
        assert_eq!(
            canonical_headers(&signed, &headers, Some("example.com")).as_deref(),
            Some("host:example.com\nmy-header1:value2,a b c\nx-amz-date:20150830T123600Z\n")
        );
        assert_eq!(canonical_headers(&signed, &headers, None), None);
    }
}
