//! One-time codes of the self-service flows: checking them with Cognito's errors and attempt
//! limit, and describing where they went (CodeDeliveryDetails with a masked destination).

use cognitod_messaging::Medium;
use cognitod_model::idp::{CodeDeliveryDetailsType, DeliveryMediumType};
use cognitod_model::{Error, ErrorCode};

use cognitod_store::UserRecord;

use crate::UserPools;
use crate::credentials::CodeDigest;
use crate::errors;
use crate::notify::Destination;

/// Answers allowed per code before LimitExceededException (a new code starts over).
const MAX_CODE_ATTEMPTS: u32 = 5;
/// A quiet quarter of an hour gives the attempts back.
const ATTEMPT_MEMORY_MILLIS: i64 = 15 * 60 * 1000;

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

/// The store counter of a user's code attempts. It shares the sign-in failure table; the
/// space keeps it apart from every username key (usernames have no whitespace).
fn attempts_key(username_key: &str) -> String {
    format!("code attempts {username_key}")
}

/// Checks `given` against a pending code of `user`. Every answer is counted in the store
/// before it is compared, atomically, so parallel guesses cannot outrun the limit; a right
/// answer clears the count.
pub(crate) async fn check(
    svc: &UserPools,
    user: &UserRecord,
    pending: Option<&CodeDigest>,
    given: &str,
) -> Result<(), Error> {
    let Some(pending) = pending else {
        return Err(expired());
    };
    let key = attempts_key(&user.username_key);
    let now = svc.now();
    let attempts = svc
        .store
        .record_sign_in_failure(&user.pool_id, &key, now, ATTEMPT_MEMORY_MILLIS)
        .await
        .map_err(errors::store)?;
    if attempts.count > MAX_CODE_ATTEMPTS {
        return Err(limit_exceeded());
    }
    if now > pending.expires_at {
        return Err(expired());
    }
    if !pending.matches(given, now) {
        return Err(mismatch());
    }
    reset_attempts(svc, user).await
}

/// A new code starts with all its attempts.
pub(crate) async fn reset_attempts(svc: &UserPools, user: &UserRecord) -> Result<(), Error> {
    svc.store
        .clear_sign_in_failures(&user.pool_id, &attempts_key(&user.username_key))
        .await
        .map_err(errors::store)
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
}
