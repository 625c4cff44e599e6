//! Access keys and what each may do.

use async_trait::async_trait;
use cognitod_model::{Error, ErrorCode};

/// The account id in the ARNs of access errors.
pub(crate) const ACCOUNT: &str = "000000000000";

/// A key that can sign requests: the root key or a scoped one.
#[derive(Clone)]
pub struct AccessKey {
    pub id: String,
    pub secret: String,
    /// Actions like `AdminCreateUser`, `Admin*`, `cognito-idp:List*` or `*`.
    pub allowed_actions: Vec<String>,
    /// User pool ids, or `*`.
    pub pool_ids: Vec<String>,
    pub is_root: bool,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &"***")
            .field("allowed_actions", &self.allowed_actions)
            .field("pool_ids", &self.pool_ids)
            .field("is_root", &self.is_root)
            .finish()
    }
}

/// `*` matches any run of characters; everything else matches itself, ignoring ASCII case
/// as IAM does for action names. Linear backtracking on the last `*` only.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

impl AccessKey {
    /// A key allowed everything.
    pub fn root(id: String, secret: String) -> Self {
        Self {
            id,
            secret,
            allowed_actions: vec!["*".into()],
            pool_ids: vec!["*".into()],
            is_root: true,
        }
    }

    /// Whether this key may call `action` of `service` (e.g. `cognito-idp`) on `pool_id`.
    /// A pattern with a `:` names the service too. A request that names no pool needs a key
    /// allowed on every pool (`*`).
    pub fn allows(&self, service: &str, action: &str, pool_id: Option<&str>) -> bool {
        let qualified = format!("{service}:{action}");
        let action_ok = self.allowed_actions.iter().any(|pattern| {
            if pattern.contains(':') {
                glob(pattern, &qualified)
            } else {
                glob(pattern, action)
            }
        });
        let pool_ok = match pool_id {
            Some(pool) => self.pool_ids.iter().any(|p| p == "*" || p == pool),
            None => self.pool_ids.iter().any(|p| p == "*"),
        };
        action_ok && pool_ok
    }

    /// The `AccessDeniedException` for a call [`allows`](Self::allows) refused.
    pub fn denied(
        &self,
        service: &str,
        action: &str,
        region: &str,
        pool_id: Option<&str>,
    ) -> Error {
        let kind = if service == "cognito-identity" {
            "identitypool"
        } else {
            "userpool"
        };
        let resource = match pool_id {
            Some(pool) => format!("arn:aws:{service}:{region}:{ACCOUNT}:{kind}/{pool}"),
            None => "*".to_string(),
        };
        Error::new(
            ErrorCode::AccessDeniedException,
            format!(
                "User: arn:aws:iam::{ACCOUNT}:user/{} is not authorized to perform: \
                 {service}:{action} on resource: {resource}",
                self.id
            ),
        )
    }
}

/// Where keys are looked up.
#[async_trait]
pub trait AccessKeys: Send + Sync {
    async fn find(&self, access_key_id: &str) -> Result<Option<AccessKey>, Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(actions: &[&str], pools: &[&str]) -> AccessKey {
        AccessKey {
            id: "AKIAEXAMPLE".into(),
            secret: "top-secret".into(),
            allowed_actions: actions.iter().map(|s| s.to_string()).collect(),
            pool_ids: pools.iter().map(|s| s.to_string()).collect(),
            is_root: false,
        }
    }

    #[test]
    fn globs() {
        assert!(glob("*", ""));
        assert!(glob("*", "anything"));
        assert!(glob("Admin*", "AdminCreateUser"));
        assert!(glob("Admin*", "Admin"));
        assert!(!glob("Admin*", "ListUsers"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(glob("*User", "AdminCreateUser"));
        assert!(!glob("*User", "AdminCreateUsers"));
        assert!(glob("*Create*", "AdminCreateUser"));
        assert!(!glob("a*b", "ab c"));
        assert!(glob("adminCREATEuser", "AdminCreateUser"));
        assert!(!glob("AdminCreateUser", "AdminCreateUserX"));
        assert!(glob("**a**", "xxaxx"));
    }

    #[test]
    fn actions_and_pools() {
        let k = key(&["Admin*", "cognito-idp:List*"], &["us-east-1_a"]);
        assert!(k.allows("cognito-idp", "AdminCreateUser", Some("us-east-1_a")));
        assert!(k.allows("cognito-idp", "ListUsers", Some("us-east-1_a")));
        assert!(!k.allows("cognito-idp", "AdminCreateUser", Some("us-east-1_b")));
        assert!(!k.allows("cognito-idp", "DeleteUserPool", Some("us-east-1_a")));
        assert!(!k.allows("cognito-idp", "ListUserPools", None));
        assert!(!k.allows("cognito-identity", "ListIdentities", Some("us-east-1_a")));
        let exact = key(&["ListUsers"], &["us-east-1_a", "us-east-1_b"]);
        assert!(exact.allows("cognito-idp", "ListUsers", Some("us-east-1_b")));
        assert!(!exact.allows("cognito-idp", "ListUsersInGroup", Some("us-east-1_b")));
        assert!(!exact.allows("cognito-idp", "ListUsers", Some("us-east-1_A")));
        let any_pool = key(&["cognito-idp:*"], &["*"]);
        assert!(any_pool.allows("cognito-idp", "CreateUserPool", None));
        assert!(any_pool.allows("cognito-idp", "ListUsers", Some("eu-west-1_x")));
        assert!(!any_pool.allows("cognito-identity", "ListIdentityPools", None));
        let root = AccessKey::root("AKIAROOT".into(), "s".into());
        assert!(root.is_root);
        assert!(root.allows("cognito-idp", "CreateUserPool", None));
        assert!(!key(&[], &["*"]).allows("cognito-idp", "ListUsers", None));
        assert!(!key(&["*"], &[]).allows("cognito-idp", "ListUsers", Some("us-east-1_a")));
    }

    #[test]
    fn denial_message_and_redacted_debug() {
        let k = key(&["ListUsers"], &["us-east-1_a"]);
        let err = k.denied(
            "cognito-idp",
            "AdminCreateUser",
            "us-east-1",
            Some("us-east-1_b"),
        );
        assert_eq!(err.code, ErrorCode::AccessDeniedException);
        assert_eq!(
            err.message,
            "User: arn:aws:iam::000000000000:user/AKIAEXAMPLE is not authorized to perform: \
             cognito-idp:AdminCreateUser on resource: \
             arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_b"
        );
        let err = k.denied("cognito-idp", "CreateUserPool", "us-east-1", None);
        assert_eq!(
            err.message,
            "User: arn:aws:iam::000000000000:user/AKIAEXAMPLE is not authorized to perform: \
             cognito-idp:CreateUserPool on resource: *"
        );
        let debug = format!("{k:?}");
        assert!(!debug.contains("top-secret"), "{debug}");
        assert!(debug.contains("\"***\""), "{debug}");
    }
}
