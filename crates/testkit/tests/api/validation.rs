//! Model constraints: one test per constraint kind, exact Cognito messages, nothing stored.

use cognitod_testkit::{RawResponse, TestServer};
use serde_json::json;

fn assert_invalid(response: &RawResponse, message: &str) {
    assert_eq!(response.status, 400, "{}", response.body);
    assert_eq!(
        response.error_type().as_deref(),
        Some("InvalidParameterException"),
        "{}",
        response.body
    );
    assert_eq!(response.message().as_deref(), Some(message));
}

async fn no_pools(server: &TestServer) {
    let response = server
        .call("ListUserPools", &json!({"MaxResults": 60}))
        .await;
    assert_eq!(response.json()["UserPools"], json!([]), "{}", response.body);
}

#[tokio::test]
async fn required_member() {
    let server = TestServer::start().await;
    let response = server.call("CreateUserPool", &json!({})).await;
    assert_invalid(
        &response,
        "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: Member must not be null",
    );
    no_pools(&server).await;
}

#[tokio::test]
async fn length_constraint() {
    let server = TestServer::start().await;
    let name = "p".repeat(129);
    let response = server
        .call("CreateUserPool", &json!({ "PoolName": name }))
        .await;
    assert_invalid(
        &response,
        &format!(
            "1 validation error detected: Value '{name}' at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128"
        ),
    );
    no_pools(&server).await;
}

#[tokio::test]
async fn pattern_constraint() {
    let server = TestServer::start().await;
    let response = server
        .call(
            "DescribeUserPool",
            &json!({ "UserPoolId": "no-underscore" }),
        )
        .await;
    assert_invalid(
        &response,
        "1 validation error detected: Value 'no-underscore' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
    );
}

#[tokio::test]
async fn range_constraint() {
    let server = TestServer::start().await;
    let response = server
        .call("ListUserPools", &json!({ "MaxResults": 61 }))
        .await;
    assert_invalid(
        &response,
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
    );
}

#[tokio::test]
async fn enum_constraint() {
    let server = TestServer::start().await;
    let response = server
        .call(
            "CreateUserPool",
            &json!({ "PoolName": "p", "MfaConfiguration": "MAYBE" }),
        )
        .await;
    assert_invalid(
        &response,
        "1 validation error detected: Value 'MAYBE' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
    );
    no_pools(&server).await;
}

#[tokio::test]
async fn several_violations_are_counted_and_sensitive_values_hidden() {
    let server = TestServer::start().await;
    let response = server
        .call(
            "AdminGetUser",
            &json!({ "UserPoolId": "bad", "Username": "has space" }),
        )
        .await;
    assert_eq!(
        response.error_type().as_deref(),
        Some("InvalidParameterException")
    );
    let message = response.message().unwrap();
    assert!(
        message.starts_with("2 validation errors detected: "),
        "{message}"
    );
    assert!(message.contains("Value 'bad' at 'userPoolId'"), "{message}");
    assert!(
        message.contains("Value at 'username' failed to satisfy constraint"),
        "{message}"
    );
    assert!(
        !message.contains("has space"),
        "a sensitive value was echoed: {message}"
    );
}
