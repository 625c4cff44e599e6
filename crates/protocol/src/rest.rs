//! REST JSON routing (Cognito Sync): which operation a method and path name, by the URI
//! templates of the model (`/identitypools/{IdentityPoolId}/identities/{IdentityId}/...`).

use cognitod_model::sync;

/// Whether `path` fits `template`: literal segments equal, `{Label}` any one non-empty
/// segment, `{Label+}` the rest of the path.
fn fits(template: &str, path: &str) -> bool {
    let template = template.split('?').next().unwrap_or(template);
    let mut wanted = template.trim_start_matches('/').split('/');
    let mut given = path.trim_start_matches('/').split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(label), Some(segment)) if label.starts_with('{') => {
                if label.ends_with("+}") {
                    return !segment.is_empty();
                }
                if segment.is_empty() {
                    return false;
                }
            }
            (Some(literal), Some(segment)) if literal == segment => {}
            _ => return false,
        }
    }
}

/// The Cognito Sync operation `method` and `path` name, if any.
pub fn sync_operation(method: &str, path: &str) -> Option<sync::ApiOperation> {
    sync::ApiOperation::ALL.iter().copied().find(|op| {
        let (op_method, template) = op.http();
        op_method.eq_ignore_ascii_case(method) && fits(template, path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_operations_by_method_and_path() {
        use sync::ApiOperation as Op;
        let dataset = "/identitypools/us-east-1:pool/identities/us-east-1:id/datasets/prefs";
        assert_eq!(sync_operation("GET", dataset), Some(Op::DescribeDataset));
        assert_eq!(sync_operation("DELETE", dataset), Some(Op::DeleteDataset));
        assert_eq!(
            sync_operation("GET", "/identitypools/us-east-1:pool"),
            Some(Op::DescribeIdentityPoolUsage)
        );
        assert_eq!(
            sync_operation("POST", "/identitypools/p/bulkpublish"),
            Some(Op::BulkPublish)
        );
        assert_eq!(sync_operation("GET", "/identitypools//identities"), None);
        assert_eq!(sync_operation("GET", "/nothing/here"), None);
        assert_eq!(sync_operation("PATCH", dataset), None);
    }
}
