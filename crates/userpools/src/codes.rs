//! One-time codes of the self-service flows: checking them with Cognito's errors and attempt
//! limit, and describing where they went (CodeDeliveryDetails with a masked destination).

use cognitod_messaging::Medium;
use cognitod_model::idp::{CodeDeliveryDetailsType, DeliveryMediumType};
use cognitod_model::{Error, ErrorCode};

use crate::credentials::{CodeDigest, Credentials};
use crate::notify::Destination;

/// Wrong answers allowed before LimitExceededException (a new code starts over).
const MAX_CODE_FAILURES: u32 = 5;

pub(crate) fn mismatch() -> Error {
    Error::new(
        ErrorCode::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    )
}

pub(crate) fn expired() -> Error {
    Error::new(
        ErrorCode::ExpiredCodeException,
        "Invalid code provided, please request a code again.",
    )
}

pub(crate) fn limit_exceeded() -> Error {
    Error::new(
        ErrorCode::LimitExceededException,
        "Attempt limit exceeded, please try after some time.",
    )
}

/// Checks `given` against a pending code. On a mismatch the failure is counted in
/// `credentials` (the caller saves it) and the error returned.
pub(crate) fn check(
    pending: Option<&CodeDigest>,
    credentials: &mut Credentials,
    given: &str,
    now: i64,
) -> Result<(), Error> {
    let Some(pending) = pending else {
        return Err(expired());
    };
    if credentials.code_failures >= MAX_CODE_FAILURES {
        return Err(limit_exceeded());
    }
    if now > pending.expires_at {
        return Err(expired());
    }
    if !pending.matches(given, now) {
        credentials.code_failures += 1;
        return Err(mismatch());
    }
    credentials.code_failures = 0;
    Ok(())
}

/// `j***@e***` for emails, `+*******1234` for phone numbers, as Cognito shows them.
pub(crate) fn mask(to: &Destination) -> String {
    match to.medium {
        Medium::Email => {
            let (local, domain) = to.address.split_once('@').unwrap_or((&to.address, ""));
            let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
            format!("{}***@{}***", first(local), first(domain))
        }
        Medium::Sms => {
            let digits: Vec<char> = to.address.chars().collect();
            let keep = digits.len().saturating_sub(4);
            let tail: String = digits[keep..].iter().collect();
            format!("+{}{tail}", "*".repeat(keep.saturating_sub(1)))
        }
    }
}

pub(crate) fn delivery_details(to: &Destination) -> CodeDeliveryDetailsType {
    let (medium, attribute) = match to.medium {
        Medium::Email => (DeliveryMediumType::Email, "email"),
        Medium::Sms => (DeliveryMediumType::Sms, "phone_number"),
    };
    CodeDeliveryDetailsType {
        attribute_name: Some(attribute.to_string()),
        delivery_medium: Some(medium),
        destination: Some(mask(to)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_cognito() {
        let email = Destination {
            medium: Medium::Email,
            address: "jane@example.com".into(),
        };
        assert_eq!(mask(&email), "j***@e***");
        let phone = Destination {
            medium: Medium::Sms,
            address: "+15555551234".into(),
        };
        assert_eq!(mask(&phone), "+*******1234");
    }

    #[test]
    fn counts_failures_up_to_the_limit() {
        let pending = CodeDigest::new("123456", 100);
        let mut credentials = Credentials::default();
        for _ in 0..MAX_CODE_FAILURES {
            let err = check(Some(&pending), &mut credentials, "000000", 50).unwrap_err();
            assert_eq!(err.code, ErrorCode::CodeMismatchException);
        }
        let err = check(Some(&pending), &mut credentials, "123456", 50).unwrap_err();
        assert_eq!(err.code, ErrorCode::LimitExceededException);
        let mut fresh = Credentials::default();
        assert!(check(Some(&pending), &mut fresh, "123456", 50).is_ok());
        let err = check(Some(&pending), &mut fresh, "123456", 101).unwrap_err();
        assert_eq!(err.code, ErrorCode::ExpiredCodeException);
        assert_eq!(
            check(None, &mut fresh, "1", 0).unwrap_err().code,
            ErrorCode::ExpiredCodeException
        );
    }
}
