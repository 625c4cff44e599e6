//! SigV4 and access scoping: every refusal leaves the store unchanged.

use cognitod_testkit::TestServer;
use serde_json::json;

use crate::{create_pool, error_of};

async fn pool_count(server: &TestServer) -> usize {
    let pools = server
        .idp()
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    pools.user_pools().len()
}

#[tokio::test]
async fn wrong_secret_is_an_invalid_signature_and_changes_nothing() {
    let server = TestServer::start().await;
    let bad = server.idp_with_key(
        &server.root.access_key_id,
        "not-the-secret-at-all-0000000000000000",
    );
    let (code, message) = error_of(bad.create_user_pool().pool_name("p").send().await);
    assert_eq!(code, "InvalidSignatureException");
    assert!(
        message.starts_with("The request signature we calculated does not match"),
        "{message}"
    );
    assert_eq!(pool_count(&server).await, 0);
}

#[tokio::test]
async fn unknown_key_is_unrecognized() {
    let server = TestServer::start().await;
    let stranger = server.idp_with_key("AKIAUNKNOWNUNKNOWN00", "whatever-secret");
    let (code, message) = error_of(stranger.create_user_pool().pool_name("p").send().await);
    assert_eq!(code, "UnrecognizedClientException");
    assert_eq!(
        message,
        "The security token included in the request is invalid."
    );
    assert_eq!(pool_count(&server).await, 0);
}

#[tokio::test]
async fn tampered_body_is_refused_and_changes_nothing() {
    let server = TestServer::start().await;
    let signed_body = serde_json::to_vec(&json!({"PoolName": "honest"})).unwrap();
    let sent_body = serde_json::to_vec(&json!({"PoolName": "tampered"})).unwrap();
    let url = format!("{}/", server.url);
    let mut headers = vec![
        (
            "content-type".to_string(),
            "application/x-amz-json-1.1".to_string(),
        ),
        (
            "x-amz-target".to_string(),
            "AWSCognitoIdentityProviderService.CreateUserPool".to_string(),
        ),
    ];
    headers.extend(cognitod_testkit::sign(
        "POST",
        &url,
        &headers,
        &signed_body,
        &server.root.access_key_id,
        &server.root.secret_access_key,
    ));
    let client = reqwest::Client::new();
    let mut request = client.post(&url).body(sent_body);
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let error_type = response.headers()["x-amzn-errortype"]
        .to_str()
        .unwrap()
        .to_string();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "InvalidSignatureException");
    assert_eq!(error_type, "InvalidSignatureException:");
    assert_eq!(pool_count(&server).await, 0);
}

#[tokio::test]
async fn scoped_key_out_of_scope_is_denied_and_changes_nothing() {
    let server = TestServer::start().await;
    let root = server.idp();
    let allowed_pool = create_pool(&root, "allowed").await;
    let other_pool = create_pool(&root, "other").await;
    let (id, secret) = server
        .create_scoped_key(&["Admin*", "ListUsers"], &[&allowed_pool])
        .await;
    let scoped = server.idp_with_key(&id, &secret);

    scoped
        .admin_create_user()
        .user_pool_id(&allowed_pool)
        .username("inside")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("in scope");

    let (code, message) = error_of(
        scoped
            .admin_create_user()
            .user_pool_id(&other_pool)
            .username("outside")
            .send()
            .await,
    );
    assert_eq!(code, "AccessDeniedException");
    assert!(
        message.contains("is not authorized to perform: cognito-idp:AdminCreateUser"),
        "{message}"
    );
    assert!(message.contains(&other_pool), "{message}");

    let (code, _) = error_of(
        scoped
            .delete_user_pool()
            .user_pool_id(&allowed_pool)
            .send()
            .await,
    );
    assert_eq!(code, "AccessDeniedException");
    let (code, _) = error_of(scoped.create_user_pool().pool_name("new").send().await);
    assert_eq!(code, "AccessDeniedException");

    let users = root
        .list_users()
        .user_pool_id(&other_pool)
        .send()
        .await
        .unwrap();
    assert!(users.users().is_empty());
    assert_eq!(pool_count(&server).await, 2);
}

#[tokio::test]
async fn unsigned_call_to_a_signed_operation_is_refused() {
    let server = TestServer::start().await;
    let response = server
        .call_bytes("CreateUserPool", br#"{"PoolName":"p"}"#.to_vec(), None)
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.error_type().as_deref(),
        Some("MissingAuthenticationTokenException")
    );
    assert_eq!(pool_count(&server).await, 0);
}

#[tokio::test]
async fn protocol_errors_are_aws_shaped() {
    let server = TestServer::start().await;

    let response = server.call("NoSuchOperation", &json!({})).await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.error_type().as_deref(),
        Some("UnknownOperationException")
    );

    let response = server
        .call_bytes(
            "ListUserPools",
            b"{not json".to_vec(),
            Some((&server.root.access_key_id, &server.root.secret_access_key)),
        )
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.error_type().as_deref(),
        Some("SerializationException")
    );
    assert!(response.headers.contains_key("x-amzn-requestid"));

    let response = server
        .call("ListUserPools", &json!({"MaxResults": "ten"}))
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.error_type().as_deref(),
        Some("SerializationException")
    );

    let response = server
        .call(
            "AdminLinkProviderForUser",
            &json!({"UserPoolId": "us-east-1_abc", "DestinationUser": {}, "SourceUser": {}}),
        )
        .await;
    assert_eq!(response.status, 501);
    assert_eq!(
        response.error_type().as_deref(),
        Some("NotImplementedException")
    );
    assert!(
        response
            .message()
            .unwrap()
            .contains("AdminLinkProviderForUser")
    );
}

#[tokio::test]
async fn operations_not_built_answer_not_implemented_on_every_protocol() {
    let server = TestServer::start().await;
    // A newer cognito-idp operation (AWS JSON).
    let response = server
        .call(
            "DescribePointInTimeRecovery",
            &json!({"UserPoolId": "us-east-1_abc", "RestoreId": "0a1b2c3d-0000-4000-8000-00000000abcd"}),
        )
        .await;
    assert_eq!(response.status, 501, "{}", response.body);
    assert_eq!(
        response.error_type().as_deref(),
        Some("NotImplementedException")
    );
    // Cognito Sync (REST JSON): the operation named, not a bare 404.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let http = reqwest::Client::new();
    for (method, path, operation) in [
        (
            reqwest::Method::GET,
            "/identitypools/us-east-1:p/identities/us-east-1:i/datasets/prefs",
            "DescribeDataset",
        ),
        (
            reqwest::Method::GET,
            "/identitypools",
            "ListIdentityPoolUsage",
        ),
        (
            reqwest::Method::POST,
            "/identitypools/us-east-1:p/bulkpublish",
            "BulkPublish",
        ),
    ] {
        let response = http
            .request(method, format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 501, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["__type"], "NotImplementedException", "{path}");
        assert!(
            body["message"].as_str().unwrap().contains(operation),
            "{body}"
        );
    }
    let response = http
        .get(format!("{}/no/such/route", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let server = TestServer::start().await;
    let name = "x".repeat(2 * 1024 * 1024);
    let response = server
        .call("CreateUserPool", &json!({ "PoolName": name }))
        .await;
    assert_eq!(response.status, 413);
    assert_eq!(
        response.error_type().as_deref(),
        Some("RequestEntityTooLargeException")
    );
    assert_eq!(pool_count(&server).await, 0);
}

#[tokio::test]
async fn health_endpoints_answer_without_authentication() {
    let server = TestServer::start().await;
    for path in ["/health/live", "/health/ready"] {
        let response = reqwest::get(format!("{}{path}", server.url)).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
}
