//! ListUsers: a filter on one searchable attribute, keyset pagination and AttributesToGet.

use cognitod_model::idp::{ListUsersRequest, ListUsersResponse};
use cognitod_model::{Error, RequestContext};
use cognitod_store::{FilterOp, SearchField, StoreError, UserFilter, UserQuery};

use crate::service::UserPools;
use crate::shared::attributes::Schema;
use crate::shared::errors::{self, invalid_parameter};
use crate::shared::identity::{EMAIL, PREFERRED_USERNAME, PoolIdentity};
use crate::shared::page_token::{self, page_limit};
use crate::shared::stored::load_pool;
use crate::shared::user_view;
use crate::users::filter::{self, Filter, Op};

/// What a parsed filter selects.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Selection {
    All,
    Nothing,
    Where(UserFilter),
}

fn matches(op: Op, candidate: &str, value: &str) -> bool {
    match op {
        Op::Equals => candidate == value,
        Op::Prefix => candidate.starts_with(value),
    }
}

/// Maps a parsed filter onto the store's search, with Cognito's comparison rules.
pub(crate) fn selection(identity: &PoolIdentity, filter: Filter) -> Selection {
    let op = match filter.op {
        Op::Equals => FilterOp::Equals,
        Op::Prefix => FilterOp::Prefix,
    };
    let exact = |field, value| {
        Selection::Where(UserFilter {
            field,
            op,
            value,
            case_insensitive: false,
        })
    };
    match filter.attribute.as_str() {
        // Usernames compare as the pool stores them.
        "username" => exact(SearchField::Username, identity.username_key(&filter.value)),
        "sub" => exact(SearchField::Sub, filter.value),
        // Statuses are upper case; the search ignores case.
        "cognito:user_status" => exact(SearchField::Status, filter.value.to_uppercase()),
        // "Enabled" / "Disabled", case-sensitive: resolve the comparison here.
        "status" => {
            let hits: Vec<&str> = ["Enabled", "Disabled"]
                .into_iter()
                .filter(|s| matches(filter.op, s, &filter.value))
                .collect();
            match hits.as_slice() {
                [] => Selection::Nothing,
                [one] => Selection::Where(UserFilter {
                    field: SearchField::Enabled,
                    op: FilterOp::Equals,
                    value: (*one).to_string(),
                    case_insensitive: false,
                }),
                _ => Selection::All,
            }
        }
        name => Selection::Where(UserFilter {
            field: SearchField::Attribute(name.to_string()),
            op,
            case_insensitive: name == EMAIL
                || (name == PREFERRED_USERNAME && identity.case_insensitive),
            value: filter.value,
        }),
    }
}

pub(crate) async fn list_users(
    svc: &UserPools,
    _ctx: &RequestContext,
    input: ListUsersRequest,
) -> Result<ListUsersResponse, Error> {
    let pool_id = input.user_pool_id.as_str();
    let (_, pool) = load_pool(svc, pool_id).await?;
    let identity = PoolIdentity::of(&pool);
    let schema = Schema::of(&pool);
    if let Some(names) = &input.attributes_to_get
        && let Some(unknown) = names.iter().find(|n| !schema.contains(n))
    {
        return Err(invalid_parameter(format!(
            "Attribute {unknown} does not exist in the schema."
        )));
    }
    let text = input
        .filter
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty());
    let selection = match text {
        None => Selection::All,
        Some(text) => selection(&identity, filter::parse(text)?),
    };
    let scope = format!("users|{pool_id}|{}", text.unwrap_or_default());
    let after = page_token::decode(svc, &scope, input.pagination_token.as_deref())?;
    let filter = match selection {
        Selection::Nothing => {
            return Ok(ListUsersResponse {
                users: Some(Vec::new()),
                pagination_token: None,
            });
        }
        Selection::All => None,
        Selection::Where(filter) => Some(filter),
    };
    let query = UserQuery {
        filter,
        limit: page_limit(input.limit),
        after,
    };
    let (records, next) = match svc.store.list_users(pool_id, &query).await {
        Ok(page) => page,
        Err(StoreError::InvalidToken) => {
            return Err(invalid_parameter("Invalid pagination token."));
        }
        Err(other) => return Err(errors::store(other)),
    };
    let users = records
        .iter()
        .map(|record| user_view::user_type(record, input.attributes_to_get.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ListUsersResponse {
        users: Some(users),
        pagination_token: next.map(|t| page_token::encode(svc, &scope, &t)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognitod_model::idp::{UserPoolType, UsernameConfigurationType};

    fn parsed(text: &str) -> Filter {
        filter::parse(text).unwrap()
    }

    fn insensitive() -> PoolIdentity {
        PoolIdentity::of(&UserPoolType {
            username_configuration: Some(UsernameConfigurationType {
                case_sensitive: false,
            }),
            ..Default::default()
        })
    }

    fn filter(field: SearchField, op: FilterOp, value: &str, case_insensitive: bool) -> Selection {
        Selection::Where(UserFilter {
            field,
            op,
            value: value.to_string(),
            case_insensitive,
        })
    }

    #[test]
    fn limits() {
        assert_eq!(page_limit(None), 60);
        assert_eq!(page_limit(Some(0)), 60);
        assert_eq!(page_limit(Some(7)), 7);
        assert_eq!(page_limit(Some(60)), 60);
    }

    #[test]
    fn username_follows_pool_case_sensitivity() {
        let sensitive = PoolIdentity::default();
        assert_eq!(
            selection(&sensitive, parsed(r#"username = "Ana""#)),
            filter(SearchField::Username, FilterOp::Equals, "Ana", false)
        );
        assert_eq!(
            selection(&insensitive(), parsed(r#"username ^= "An""#)),
            filter(SearchField::Username, FilterOp::Prefix, "an", false)
        );
    }

    #[test]
    fn user_status_is_case_insensitive() {
        assert_eq!(
            selection(
                &PoolIdentity::default(),
                parsed(r#"cognito:user_status = "force_change_password""#)
            ),
            filter(
                SearchField::Status,
                FilterOp::Equals,
                "FORCE_CHANGE_PASSWORD",
                false
            )
        );
    }

    #[test]
    fn enabled_status() {
        let id = PoolIdentity::default();
        assert_eq!(
            selection(&id, parsed(r#"status = "Disabled""#)),
            filter(SearchField::Enabled, FilterOp::Equals, "Disabled", false)
        );
        assert_eq!(
            selection(&id, parsed(r#"status ^= "En""#)),
            filter(SearchField::Enabled, FilterOp::Equals, "Enabled", false)
        );
        assert_eq!(
            selection(&id, parsed(r#"status = "disabled""#)),
            Selection::Nothing
        );
        assert_eq!(selection(&id, parsed(r#"status ^= """#)), Selection::All);
    }

    #[test]
    fn attributes() {
        let id = PoolIdentity::default();
        assert_eq!(
            selection(&id, parsed(r#"email ^= "A""#)),
            filter(
                SearchField::Attribute("email".into()),
                FilterOp::Prefix,
                "A",
                true
            )
        );
        assert_eq!(
            selection(&id, parsed(r#"family_name = "Reddy""#)),
            filter(
                SearchField::Attribute("family_name".into()),
                FilterOp::Equals,
                "Reddy",
                false
            )
        );
        assert_eq!(
            selection(&id, parsed(r#"preferred_username = "Nick""#)),
            filter(
                SearchField::Attribute("preferred_username".into()),
                FilterOp::Equals,
                "Nick",
                false
            )
        );
        assert_eq!(
            selection(&insensitive(), parsed(r#"preferred_username = "Nick""#)),
            filter(
                SearchField::Attribute("preferred_username".into()),
                FilterOp::Equals,
                "Nick",
                true
            )
        );
        assert_eq!(
            selection(&id, parsed(r#"sub = "abc""#)),
            filter(SearchField::Sub, FilterOp::Equals, "abc", false)
        );
    }
}
