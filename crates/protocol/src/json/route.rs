//! Which operation a request names: `X-Amz-Target: <service prefix>.<operation>`, with a
//! JSON content type.

use cognitod_model::{Error, ErrorCode, identity, idp};
use http::HeaderMap;

pub const IDP_TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";
pub const IDENTITY_TARGET_PREFIX: &str = "AWSCognitoIdentityService";

/// An operation of one of the services served on `POST /`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Idp(idp::ApiOperation),
    Identity(identity::ApiOperation),
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Idp(op) => op.name(),
            Target::Identity(op) => op.name(),
        }
    }

    pub fn is_signed(self) -> bool {
        match self {
            Target::Idp(op) => op.is_signed(),
            Target::Identity(op) => op.is_signed(),
        }
    }

    /// The SigV4 signing name, which is also the IAM action prefix.
    pub fn signing_name(self) -> &'static str {
        match self {
            Target::Idp(_) => "cognito-idp",
            Target::Identity(_) => "cognito-identity",
        }
    }
}

fn unknown_operation(message: String) -> Error {
    Error::new(ErrorCode::UnknownOperationException, message)
}

/// Reads the target; an absent, unknown or non-JSON request is an `UnknownOperationException`.
pub fn route(headers: &HeaderMap) -> Result<Target, Error> {
    let target = match headers.get("x-amz-target") {
        None => return Err(unknown_operation("Missing X-Amz-Target header.".into())),
        Some(v) => String::from_utf8_lossy(v.as_bytes()).trim().to_string(),
    };
    let (prefix, name) = target.split_once('.').unwrap_or((target.as_str(), ""));
    let op = match prefix {
        IDP_TARGET_PREFIX => idp::ApiOperation::from_name(name).map(Target::Idp),
        IDENTITY_TARGET_PREFIX => identity::ApiOperation::from_name(name).map(Target::Identity),
        _ => None,
    };
    let op = op.ok_or_else(|| unknown_operation(format!("Unknown operation: {target}")))?;
    if let Some(content_type) = headers.get(http::header::CONTENT_TYPE) {
        let raw = String::from_utf8_lossy(content_type.as_bytes());
        let media = raw
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let accepted = [
            "application/x-amz-json-1.1",
            "application/x-amz-json-1.0",
            "application/json",
        ];
        if !accepted.contains(&media.as_str()) {
            return Err(unknown_operation(format!(
                "Unsupported Content-Type '{raw}' for {target}; send application/x-amz-json-1.1."
            )));
        }
    }
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (http::HeaderName::from_static(k), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn targets() {
        let t = route(&headers(&[(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUsers",
        )]))
        .unwrap();
        assert_eq!(t, Target::Idp(idp::ApiOperation::ListUsers));
        assert!(t.is_signed());
        assert_eq!((t.name(), t.signing_name()), ("ListUsers", "cognito-idp"));
        let t = route(&headers(&[
            ("x-amz-target", "AWSCognitoIdentityService.GetId"),
            ("content-type", "application/x-amz-json-1.0; charset=utf-8"),
        ]))
        .unwrap();
        assert_eq!(t, Target::Identity(identity::ApiOperation::GetId));
        assert!(!t.is_signed());
        assert_eq!(t.signing_name(), "cognito-identity");
    }

    #[test]
    fn unknown_targets_and_content_types() {
        let err = route(&headers(&[])).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownOperationException);
        assert_eq!(err.message, "Missing X-Amz-Target header.");
        for (target, message) in [
            (
                "AWSCognitoIdentityProviderService.Nope",
                "Unknown operation: AWSCognitoIdentityProviderService.Nope",
            ),
            (
                "DynamoDB_20120810.ListTables",
                "Unknown operation: DynamoDB_20120810.ListTables",
            ),
            ("ListUsers", "Unknown operation: ListUsers"),
        ] {
            let err = route(&headers(&[("x-amz-target", target)])).unwrap_err();
            assert_eq!(err.message, message);
        }
        let err = route(&headers(&[
            ("x-amz-target", "AWSCognitoIdentityProviderService.SignUp"),
            ("content-type", "text/plain"),
        ]))
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownOperationException);
        assert_eq!(
            err.message,
            "Unsupported Content-Type 'text/plain' for AWSCognitoIdentityProviderService.SignUp; \
             send application/x-amz-json-1.1."
        );
        route(&headers(&[
            ("x-amz-target", "AWSCognitoIdentityProviderService.SignUp"),
            ("content-type", "Application/JSON"),
        ]))
        .unwrap();
    }
}
