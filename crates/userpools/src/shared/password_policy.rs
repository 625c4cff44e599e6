//! A pool's password policy: checking passwords against it, generating temporary passwords,
//! and hashing (argon2id, off the async threads).

use cognitod_model::idp::{PasswordPolicyType, UserPoolType};
use cognitod_model::{Error, ErrorCode};

use crate::shared::credentials::Credentials;
use crate::shared::errors;

/// Cognito's symbol set for the RequireSymbols rule (space counts too).
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// The effective policy of a pool: Cognito's defaults where the pool states nothing.
pub(crate) fn of_pool(pool: &UserPoolType) -> PasswordPolicyType {
    pool.policies
        .as_ref()
        .and_then(|p| p.password_policy.clone())
        .unwrap_or_else(|| PasswordPolicyType {
            minimum_length: Some(8),
            require_uppercase: Some(true),
            require_lowercase: Some(true),
            require_numbers: Some(true),
            require_symbols: Some(true),
            temporary_password_validity_days: Some(7),
            ..Default::default()
        })
}

/// A character-class rule: whether the pool requires it, the test, and Cognito's reason.
type Rule = (Option<bool>, fn(char) -> bool, &'static str);

/// The first rule the password breaks, in Cognito's words, or None.
pub(crate) fn violation(policy: &PasswordPolicyType, password: &str) -> Option<&'static str> {
    let min = policy.minimum_length.unwrap_or(8).max(0) as usize;
    if password.chars().count() < min {
        return Some("Password not long enough");
    }
    let rules: [Rule; 4] = [
        (
            policy.require_uppercase,
            char::is_uppercase,
            "Password must have uppercase characters",
        ),
        (
            policy.require_lowercase,
            char::is_lowercase,
            "Password must have lowercase characters",
        ),
        (
            policy.require_numbers,
            |c| c.is_ascii_digit(),
            "Password must have numeric characters",
        ),
        (
            policy.require_symbols,
            |c| SYMBOLS.contains(c),
            "Password must have symbol characters",
        ),
    ];
    rules
        .into_iter()
        .find(|(required, test, _)| required.unwrap_or(false) && !password.chars().any(*test))
        .map(|(_, _, reason)| reason)
}

/// Checks a password set by an administrator (AdminCreateUser, AdminSetUserPassword).
pub(crate) fn check_admin(policy: &PasswordPolicyType, password: &str) -> Result<(), Error> {
    match violation(policy, password) {
        None => Ok(()),
        Some(reason) => Err(Error::new(
            ErrorCode::InvalidPasswordException,
            format!("Password does not conform to policy: {reason}"),
        )),
    }
}

/// How many earlier passwords a user may not reuse.
pub(crate) fn history_size(policy: &PasswordPolicyType) -> usize {
    policy.password_history_size.unwrap_or(0).max(0) as usize
}

/// Fails when `password` is the current password or one of the earlier ones the policy's
/// PasswordHistorySize remembers.
pub(crate) async fn check_history(
    policy: &PasswordPolicyType,
    current_hash: Option<&str>,
    credentials: &Credentials,
    password: &str,
) -> Result<(), Error> {
    let size = history_size(policy);
    if size == 0 {
        return Ok(());
    }
    let hashes: Vec<String> = current_hash
        .map(str::to_string)
        .into_iter()
        .chain(credentials.password_history.iter().cloned())
        .take(size)
        .collect();
    let password = password.to_string();
    let reused = tokio::task::spawn_blocking(move || {
        hashes
            .iter()
            .any(|hash| cognitod_crypto::password::verify_password(&password, hash))
    })
    .await
    .map_err(errors::internal)?;
    if reused {
        return Err(Error::new(
            ErrorCode::PasswordHistoryPolicyViolationException,
            "The password you entered has been used recently. Please choose a different password.",
        ));
    }
    Ok(())
}

/// A fresh temporary password that satisfies the policy.
pub(crate) fn generate_temporary(policy: &PasswordPolicyType) -> String {
    let min = policy.minimum_length.unwrap_or(8).max(8) as usize;
    cognitod_crypto::generate_temporary_password(
        min,
        policy.require_uppercase.unwrap_or(false),
        policy.require_lowercase.unwrap_or(false),
        policy.require_numbers.unwrap_or(false),
        policy.require_symbols.unwrap_or(false),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> PasswordPolicyType {
        of_pool(&UserPoolType::default())
    }

    #[test]
    fn defaults_when_the_pool_states_nothing() {
        let p = strict();
        assert_eq!(p.minimum_length, Some(8));
        assert_eq!(p.temporary_password_validity_days, Some(7));
    }

    #[test]
    fn each_rule_in_order() {
        let p = strict();
        assert_eq!(violation(&p, "Aa1!"), Some("Password not long enough"));
        assert_eq!(
            violation(&p, "aaaa11!!"),
            Some("Password must have uppercase characters")
        );
        assert_eq!(
            violation(&p, "AAAA11!!"),
            Some("Password must have lowercase characters")
        );
        assert_eq!(
            violation(&p, "AAaa!!!!"),
            Some("Password must have numeric characters")
        );
        assert_eq!(
            violation(&p, "AAaa1111"),
            Some("Password must have symbol characters")
        );
        assert_eq!(violation(&p, "AAaa11 x"), None, "space is a symbol");
        assert_eq!(violation(&p, "Temp-Pass-123"), None);
    }

    #[test]
    fn relaxed_policy() {
        let p = PasswordPolicyType {
            minimum_length: Some(6),
            ..Default::default()
        };
        assert_eq!(violation(&p, "abcdef"), None);
        assert_eq!(violation(&p, "abcde"), Some("Password not long enough"));
    }

    #[test]
    fn admin_message() {
        let e = check_admin(&strict(), "short").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidPasswordException);
        assert_eq!(
            e.message,
            "Password does not conform to policy: Password not long enough"
        );
    }

    #[test]
    fn generated_passwords_satisfy_the_policy() {
        let p = strict();
        for _ in 0..50 {
            let password = generate_temporary(&p);
            assert_eq!(violation(&p, &password), None, "{password}");
        }
    }
}
