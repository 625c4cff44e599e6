//! Which resource a request names: the members an operation's input really has, and user-pool
//! ARNs. Authorization reads a request's pool only through these, so a member that the
//! operation ignores can never choose what a key is checked against.

use crate::idp;
use crate::validate::Kind;

impl idp::ApiOperation {
    /// Whether the operation's input shape has a member named `name` (exact case).
    pub fn takes_member(self, name: &str) -> bool {
        let Some(index) = self.input_shape() else {
            return false;
        };
        match &idp::SHAPES[index].kind {
            Kind::Structure { members, .. } => members.iter().any(|m| m.name == name),
            _ => false,
        }
    }
}

/// The pool id in `arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>`, for exactly
/// this region and account; `None` for anything else.
pub fn user_pool_of_arn<'a>(arn: &'a str, region: &str, account: &str) -> Option<&'a str> {
    let rest = arn.strip_prefix("arn:aws:cognito-idp:")?;
    let rest = rest.strip_prefix(region)?.strip_prefix(':')?;
    let rest = rest.strip_prefix(account)?.strip_prefix(":userpool/")?;
    let valid = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    valid.then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_of_operations() {
        use idp::ApiOperation as Op;
        assert!(Op::AdminCreateUser.takes_member("UserPoolId"));
        assert!(!Op::AdminCreateUser.takes_member("userpoolid"));
        assert!(!Op::ListUserPools.takes_member("UserPoolId"));
        assert!(!Op::TagResource.takes_member("UserPoolId"));
        assert!(Op::TagResource.takes_member("ResourceArn"));
        assert!(!Op::CreateUserPool.takes_member("UserPoolId"));
    }

    #[test]
    fn pool_arns() {
        let arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_AbC";
        assert_eq!(
            user_pool_of_arn(arn, "us-east-1", "000000000000"),
            Some("us-east-1_AbC")
        );
        assert_eq!(user_pool_of_arn(arn, "eu-west-1", "000000000000"), None);
        assert_eq!(user_pool_of_arn(arn, "us-east-1", "111111111111"), None);
        for bad in [
            "arn:aws:cognito-idp:us-east-1:000000000000:userpool/",
            "arn:aws:cognito-idp:us-east-1:000000000000:userpool/a/b",
            "arn:aws:cognito-idp:us-east-1:000000000000:userpool/A:userpool/B",
            "arn:aws:cognito-idp:us-east-1:000000000000:identitypool/x",
            "xarn:aws:cognito-idp:us-east-1:000000000000:userpool/a",
        ] {
            assert_eq!(
                user_pool_of_arn(bad, "us-east-1", "000000000000"),
                None,
                "{bad}"
            );
        }
    }
}
