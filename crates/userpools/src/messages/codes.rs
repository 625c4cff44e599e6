//! One-time codes of the self-service flows: checking them with Cognito's errors and attempt
//! limit, and describing where they went (CodeDeliveryDetails with a masked destination).

use cognitod_messaging::Medium;
use cognitod_model::idp::{CodeDeliveryDetailsType, DeliveryMediumType};
use cognitod_model::{Error, ErrorCode};

use cognitod_store::UserRecord;

use crate::messages::notify::Destination;
use crate::service::UserPools;
use crate::shared::credentials::CodeDigest;
use crate::shared::errors;

/// Answers allowed per user and purpose, across all the codes sent meanwhile, before
/// LimitExceededException. A new code does not give attempts back: only a right answer or a
/// quiet period does, so asking for fresh codes cannot buy fresh guesses.
const MAX_CODE_ATTEMPTS: u32 = 5;
/// Codes sent to one user (all purposes together) before LimitExceededException.
const MAX_CODE_SENDS: u32 = 5;
/// A quiet quarter of an hour gives the attempts and the sends back (the sweeper forgets
/// counters after the same time).
const COUNTER_MEMORY_MILLIS: i64 = 15 * 60 * 1000;

/// What a code is for; each purpose counts its wrong answers apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// SignUp / ResendConfirmationCode -> ConfirmSignUp.
    SignUp,
    /// ForgotPassword / AdminResetUserPassword -> ConfirmForgotPassword.
    PasswordReset,
    /// GetUserAttributeVerificationCode / attribute updates -> VerifyUserAttribute.
    AttributeVerification,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::SignUp => "sign-up",
            Purpose::PasswordReset => "password-reset",
            Purpose::AttributeVerification => "attribute",
        }
    }
}

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

/// The store counter of a user's answers for one purpose. Counters share the sign-in
/// failure table; the spaces keep them apart from every username key (usernames have no
/// whitespace).
fn attempts_key(purpose: Purpose, username_key: &str) -> String {
    format!("code attempts {} {username_key}", purpose.label())
}

fn sends_key(username_key: &str) -> String {
    format!("code sends {username_key}")
}

/// Counts one answer of `username_key` for `purpose` in the store, atomically and before
/// anything is compared, so parallel guesses cannot outrun the limit.
async fn count_attempt(
    svc: &UserPools,
    pool_id: &str,
    purpose: Purpose,
    username_key: &str,
) -> Result<(), Error> {
    let attempts = svc
        .store
        .record_sign_in_failure(
            pool_id,
            &attempts_key(purpose, username_key),
            svc.now(),
            COUNTER_MEMORY_MILLIS,
        )
        .await
        .map_err(errors::store)?;
    if attempts.count > MAX_CODE_ATTEMPTS {
        return Err(limit_exceeded());
    }
    Ok(())
}

/// Checks `given` against a pending `purpose` code of `user`. A right answer clears the
/// count of wrong ones.
pub(crate) async fn check(
    svc: &UserPools,
    user: &UserRecord,
    purpose: Purpose,
    pending: Option<&CodeDigest>,
    given: &str,
) -> Result<(), Error> {
    count_attempt(svc, &user.pool_id, purpose, &user.username_key).await?;
    let Some(pending) = pending else {
        return Err(expired());
    };
    if svc.now() > pending.expires_at {
        return Err(expired());
    }
    if !pending.matches(given, svc.now()) {
        return Err(mismatch());
    }
    svc.store
        .clear_sign_in_failures(&user.pool_id, &attempts_key(purpose, &user.username_key))
        .await
        .map_err(errors::store)
}

/// An answer for a name nobody has, when the client hides users: counted as a known user's
/// answer is (keyed by the name as given), so the limit tells nothing, then refused as a
/// known user's wrong answer would be: CodeMismatchException, or ExpiredCodeException for a
/// password reset nobody asked for (a pretended send leaves its counter, as a real one does).
pub(crate) async fn refuse_unknown(
    svc: &UserPools,
    pool_id: &str,
    purpose: Purpose,
    username_key: &str,
) -> Error {
    if let Err(err) = count_attempt(svc, pool_id, purpose, username_key).await {
        return err;
    }
    if purpose != Purpose::PasswordReset {
        return mismatch();
    }
    match svc
        .store
        .get_sign_in_failures(pool_id, &sends_key(username_key))
        .await
    {
        Ok(Some(_)) => mismatch(),
        Ok(None) => expired(),
        Err(err) => errors::store(err),
    }
}

/// Counts one code about to be sent to `username_key` (or, under PreventUserExistenceErrors,
/// pretended to be sent to a name nobody has), refusing it past the limit.
pub(crate) async fn count_send(
    svc: &UserPools,
    pool_id: &str,
    username_key: &str,
) -> Result<(), Error> {
    let sends = svc
        .store
        .record_sign_in_failure(
            pool_id,
            &sends_key(username_key),
            svc.now(),
            COUNTER_MEMORY_MILLIS,
        )
        .await
        .map_err(errors::store)?;
    if sends.count > MAX_CODE_SENDS {
        return Err(limit_exceeded());
    }
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
}
