//! Forged pagination tokens: every token is sealed by the server and bound to its listing, so
//! an altered, truncated, made-up or transplanted token is an InvalidParameterException,
//! never a server error and never a page of something else.

use cognitod_testkit::TestServer;
use idp::types::PreventUserExistenceErrorTypes;
use serde_json::{Value, json};

use aws_sdk_cognitoidentityprovider as idp;

use crate::create_pool;
use crate::signin::{confirmed_user, create_client};

/// One listing: its operation, its request, and the member its token travels in.
struct Listing {
    operation: &'static str,
    request: Value,
    token_member: &'static str,
    next_member: &'static str,
}

impl Listing {
    fn with_token(&self, token: &str) -> Value {
        let mut request = self.request.clone();
        request[self.token_member] = json!(token);
        request
    }
}

async fn two_of_everything(server: &TestServer) -> String {
    let idp = server.idp();
    let pool = create_pool(&idp, "paged").await;
    for _ in 0..2 {
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    }
    for user in ["pat", "pip"] {
        confirmed_user(&idp, &pool, user).await;
    }
    for group in ["one", "two"] {
        idp.create_group()
            .user_pool_id(&pool)
            .group_name(group)
            .send()
            .await
            .unwrap();
        for user in ["pat", "pip"] {
            idp.admin_add_user_to_group()
                .user_pool_id(&pool)
                .username(user)
                .group_name(group)
                .send()
                .await
                .unwrap();
        }
    }
    pool
}

fn listings(pool: &str) -> Vec<Listing> {
    vec![
        Listing {
            operation: "ListUsers",
            request: json!({ "UserPoolId": pool, "Limit": 1 }),
            token_member: "PaginationToken",
            next_member: "PaginationToken",
        },
        Listing {
            operation: "ListGroups",
            request: json!({ "UserPoolId": pool, "Limit": 1 }),
            token_member: "NextToken",
            next_member: "NextToken",
        },
        Listing {
            operation: "ListUsersInGroup",
            request: json!({ "UserPoolId": pool, "GroupName": "one", "Limit": 1 }),
            token_member: "NextToken",
            next_member: "NextToken",
        },
        Listing {
            operation: "AdminListGroupsForUser",
            request: json!({ "UserPoolId": pool, "Username": "pat", "Limit": 1 }),
            token_member: "NextToken",
            next_member: "NextToken",
        },
        Listing {
            operation: "ListUserPoolClients",
            request: json!({ "UserPoolId": pool, "MaxResults": 1 }),
            token_member: "NextToken",
            next_member: "NextToken",
        },
        Listing {
            operation: "ListUserPools",
            request: json!({ "MaxResults": 1 }),
            token_member: "NextToken",
            next_member: "NextToken",
        },
    ]
}

/// Variations of a real token that the server never issued.
fn forgeries(token: &str) -> Vec<String> {
    let mut forged = vec![
        token[..token.len() - 1].to_string(),
        format!("{token}A"),
        token.chars().rev().collect(),
        "eyJzIjoidXNlcnN8eCIsInQiOiJrOjAifQ".into(),
        "not-a-token".into(),
        "AAAA".into(),
    ];
    // Every position changed once (a sample of them for long tokens).
    let step = (token.len() / 24).max(1);
    for i in (0..token.len()).step_by(step) {
        let mut bytes = token.as_bytes().to_vec();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        forged.push(String::from_utf8(bytes).unwrap());
    }
    forged.retain(|f| f != token);
    forged
}

#[tokio::test]
async fn altered_and_transplanted_pagination_tokens_are_refused() {
    let server = TestServer::start().await;
    let pool = two_of_everything(&server).await;
    let other_pool = two_of_everything(&server).await;
    let listings = listings(&pool);
    let mut tokens = Vec::new();
    for listing in &listings {
        let first = server.call(listing.operation, &listing.request).await;
        assert_eq!(first.status, 200, "{}: {}", listing.operation, first.body);
        let token = first.json()[listing.next_member]
            .as_str()
            .unwrap_or_else(|| panic!("{} has a second page", listing.operation))
            .to_string();
        // The real token gives the second page.
        let second = server
            .call(listing.operation, &listing.with_token(&token))
            .await;
        assert_eq!(second.status, 200, "{}: {}", listing.operation, second.body);
        tokens.push(token);
    }

    let refused = |response: &cognitod_testkit::RawResponse, what: &str| {
        assert_eq!(response.status, 400, "{what}: {}", response.body);
        assert_eq!(
            response.json(),
            json!({
                "__type": "InvalidParameterException",
                "message": "Invalid pagination token."
            }),
            "{what}"
        );
    };
    for (listing, token) in listings.iter().zip(&tokens) {
        for forged in forgeries(token) {
            let response = server
                .call(listing.operation, &listing.with_token(&forged))
                .await;
            refused(&response, &format!("{} {forged}", listing.operation));
        }
        // Another listing's token, and the same listing's token of another scope.
        for (other, other_token) in listings.iter().zip(&tokens) {
            if other.operation != listing.operation {
                let response = server
                    .call(listing.operation, &listing.with_token(other_token))
                    .await;
                refused(
                    &response,
                    &format!("{} with {}'s token", listing.operation, other.operation),
                );
            }
        }
        if listing.request.get("UserPoolId").is_some() {
            let mut elsewhere = listing.with_token(token);
            elsewhere["UserPoolId"] = json!(other_pool);
            let response = server.call(listing.operation, &elsewhere).await;
            refused(&response, &format!("{} in another pool", listing.operation));
        }
    }
    // A ListUsers token is bound to its filter too.
    let filtered = json!({ "UserPoolId": pool, "Limit": 1, "Filter": "username ^= \"p\"",
        "PaginationToken": tokens[0] });
    refused(
        &server.call("ListUsers", &filtered).await,
        "ListUsers with another filter",
    );
}
