//! The domain-owned `credentials` JSON of a user record: password bookkeeping, one-time code
//! digests and MFA settings. Keys this module does not know are kept as they are, so other
//! families can add their own.

use cognitod_model::Error;
use cognitod_model::idp::MFAOptionType;
use serde::{Deserialize, Serialize};

use crate::shared::errors;

/// A one-time code, kept only as its SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CodeDigest {
    /// Lowercase hex SHA-256 of the code.
    pub digest: String,
    /// Epoch milliseconds after which the code is refused.
    pub expires_at: i64,
}

impl CodeDigest {
    pub(crate) fn new(code: &str, expires_at: i64) -> Self {
        Self {
            digest: digest(code),
            expires_at,
        }
    }

    /// Whether `code` is this code and still valid at `now`.
    pub(crate) fn matches(&self, code: &str, now: i64) -> bool {
        now <= self.expires_at
            && cognitod_crypto::constant_time_eq(digest(code).as_bytes(), self.digest.as_bytes())
    }
}

pub(crate) fn digest(code: &str) -> String {
    cognitod_crypto::sha256_hex(code.as_bytes())
}

/// The SRP verifier of the current password (hex of the salt and of v = g^x mod N).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SrpVerifier {
    pub salt: String,
    pub verifier: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Credentials {
    /// When the current temporary password was set (epoch ms); sign-in expires it after the
    /// pool's TemporaryPasswordValidityDays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password_set_at: Option<i64>,
    /// The pending password-reset code (AdminResetUserPassword, ForgotPassword).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reset_code: Option<CodeDigest>,
    /// Pending verification codes of changed attributes, by attribute name.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub attribute_verification_codes: serde_json::Map<String, serde_json::Value>,
    /// Hashes of earlier passwords, newest first, kept for the pool's PasswordHistorySize.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub password_history: Vec<String>,
    /// Legacy SMS MFA options (AdminSetUserSettings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_options: Option<Vec<MFAOptionType>>,
    /// The user's preferred MFA method, e.g. `SOFTWARE_TOKEN_MFA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
    /// The MFA methods the user has enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_mfa_setting_list: Option<Vec<String>>,
    /// SRP salt and verifier (hex), kept while the pool's clients may use SRP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srp: Option<SrpVerifier>,
    /// The last GlobalSignOut (epoch ms): access tokens issued before it are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_out_at: Option<i64>,
    /// The pending sign-up confirmation code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_code: Option<CodeDigest>,
    /// New email / phone values waiting for verification before they replace the current
    /// ones (AttributesRequireVerificationBeforeUpdate).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub pending_attributes: std::collections::BTreeMap<String, String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Credentials {
    pub(crate) fn from_json(value: &serde_json::Value) -> Result<Self, Error> {
        if value.is_null() {
            return Ok(Self::default());
        }
        serde_json::from_value(value.clone()).map_err(errors::internal)
    }

    pub(crate) fn to_json(&self) -> Result<serde_json::Value, Error> {
        serde_json::to_value(self).map_err(errors::internal)
    }

    pub(crate) fn set_attribute_code(
        &mut self,
        attribute: &str,
        code: &CodeDigest,
    ) -> Result<(), Error> {
        let value = serde_json::to_value(code).map_err(errors::internal)?;
        self.attribute_verification_codes
            .insert(attribute.to_string(), value);
        Ok(())
    }

    /// Remembers a replaced password's hash, keeping at most `keep` of them.
    pub(crate) fn remember_password(&mut self, old_hash: Option<String>, keep: usize) {
        if let Some(hash) = old_hash {
            self.password_history.insert(0, hash);
        }
        self.password_history.truncate(keep);
    }

    /// A fresh password replaces every pending reset.
    pub(crate) fn password_changed(&mut self, temporary_at: Option<i64>) {
        self.temporary_password_set_at = temporary_at;
        self.password_reset_code = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_keys_survive_a_round_trip() {
        let stored = json!({"temporary_password_set_at": 5, "future": {"salt": "ab"}});
        let mut c = Credentials::from_json(&stored).unwrap();
        assert_eq!(c.temporary_password_set_at, Some(5));
        c.password_reset_code = Some(CodeDigest::new("123456", 10));
        let out = c.to_json().unwrap();
        assert_eq!(out["future"], json!({"salt": "ab"}));
        assert_eq!(out["password_reset_code"]["expires_at"], json!(10));
        assert_eq!(
            out["password_reset_code"]["digest"],
            json!("8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92")
        );
    }

    #[test]
    fn empty_and_null_are_defaults() {
        assert_eq!(
            Credentials::from_json(&serde_json::Value::Null).unwrap(),
            Credentials::default()
        );
        assert_eq!(Credentials::default().to_json().unwrap(), json!({}));
    }

    #[test]
    fn codes_match_only_until_expiry() {
        let code = CodeDigest::new("654321", 1_000);
        assert!(code.matches("654321", 1_000));
        assert!(!code.matches("654321", 1_001));
        assert!(!code.matches("654320", 10));
    }

    #[test]
    fn password_history_is_bounded() {
        let mut c = Credentials::default();
        for hash in ["h1", "h2", "h3"] {
            c.remember_password(Some(hash.to_string()), 2);
        }
        assert_eq!(c.password_history, ["h3", "h2"]);
        c.remember_password(None, 1);
        assert_eq!(c.password_history, ["h3"]);
    }

    #[test]
    fn a_new_password_clears_the_reset() {
        let mut c = Credentials {
            password_reset_code: Some(CodeDigest::new("1", 2)),
            ..Default::default()
        };
        c.password_changed(Some(7));
        assert_eq!(c.password_reset_code, None);
        assert_eq!(c.temporary_password_set_at, Some(7));
    }
}
