//! AWS Signature V4 for the administrative calls, as the AWS SDKs sign them.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

/// An access key and the scope requests are signed for.
#[derive(Clone)]
pub struct Signer {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub region: String,
    pub service: String,
}

impl Signer {
    /// The headers to add to a request with these `headers` (which must include `host`),
    /// signed at `time`.
    pub fn headers_at(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        time: SystemTime,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let identity = Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            None,
            None,
            "cognitod-bench",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(time)
            .settings(SigningSettings::default())
            .build()?
            .into();
        let signable = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )?;
        let (instructions, _) = sign(signable, &params)?.into_parts();
        let (new_headers, _) = instructions.into_parts();
        Ok(new_headers
            .into_iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect())
    }

    /// [`Self::headers_at`] now.
    pub fn headers(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> anyhow::Result<Vec<(String, String)>> {
        // The signature must carry the wall-clock time: the server checks it within 15 min.
        #[allow(clippy::disallowed_methods)]
        let now = SystemTime::now();
        self.headers_at(method, url, headers, body, now)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use cognitod_protocol::sigv4;
    use http::{HeaderMap, HeaderName, HeaderValue};

    use super::*;

    fn signer() -> Signer {
        Signer {
            access_key_id: "AKIDBENCHEXAMPLE0001".into(),
            secret_access_key: "bench/secret/key/0123456789abcdefghijklm".into(),
            region: "us-east-1".into(),
            service: "cognito-idp".into(),
        }
    }

    /// Signs an AdminCreateUser request as the load generator sends it and checks it with
    /// the server's own verifier, which shares no code with aws-sigv4.
    #[test]
    fn the_servers_verifier_accepts_the_signature() {
        let body = br#"{"UserPoolId":"us-east-1_abc","Username":"u1","MessageAction":"SUPPRESS"}"#;
        let at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let base = [
            ("host", "127.0.0.1:9229"),
            ("content-type", "application/x-amz-json-1.1"),
            (
                "x-amz-target",
                "AWSCognitoIdentityProviderService.AdminCreateUser",
            ),
        ];
        let added = signer()
            .headers_at("POST", "http://127.0.0.1:9229/", &base, body, at)
            .unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in base
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .chain(added)
        {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(&value).unwrap(),
            );
        }
        let auth = sigv4::parse(&headers).unwrap();
        assert_eq!(auth.access_key_id, "AKIDBENCHEXAMPLE0001");
        assert_eq!(auth.region, "us-east-1");
        assert!(auth.signed_headers.iter().any(|h| h == "host"));
        assert!(auth.signed_headers.iter().any(|h| h == "x-amz-target"));
        let request = sigv4::SignedRequest {
            method: "POST",
            path: "/",
            query: None,
            headers: &headers,
            authority: None,
            body,
        };
        let now = 1_800_000_000_000 + 60_000;
        let verified = sigv4::verify(
            &request,
            &auth,
            &signer().secret_access_key,
            now,
            "cognito-idp",
        )
        .unwrap();
        assert_eq!(verified.service, "cognito-idp");

        // A changed secret or body no longer verifies.
        assert!(sigv4::verify(&request, &auth, "wrong", now, "cognito-idp").is_err());
        let tampered = sigv4::SignedRequest {
            body: b"{}",
            ..request
        };
        assert!(
            sigv4::verify(
                &tampered,
                &auth,
                &signer().secret_access_key,
                now,
                "cognito-idp"
            )
            .is_err()
        );
    }
}
