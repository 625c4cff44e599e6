//! App clients: secrets, defaults, update, list, delete; secrets sealed at rest.

use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
use cognitod_testkit::TestServer;

use crate::{create_pool, error_of};

#[tokio::test]
async fn client_with_secret_is_described_with_it_and_sealed_at_rest() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "clients").await;
    let created = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .generate_secret(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let client_id = created.client_id().unwrap().to_string();
    let secret = created
        .client_secret()
        .expect("a generated secret")
        .to_string();
    assert_eq!(client_id.len(), 26);
    assert!(
        client_id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    assert!(secret.len() >= 24);

    let described = idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(described.client_secret(), Some(secret.as_str()));
    assert_eq!(described.client_name(), Some("web"));

    if let Some(path) = server.sqlite_path() {
        let mut stored = std::fs::read(&path).unwrap();
        if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
            stored.extend(wal);
        }
        let needle = secret.as_bytes();
        assert!(
            !stored.windows(needle.len()).any(|w| w == needle),
            "the client secret is stored in plaintext"
        );
    }
}

#[tokio::test]
async fn client_lifecycle() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "clients").await;
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let c = idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name(name)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .unwrap()
            .user_pool_client
            .unwrap();
        assert!(c.client_secret().is_none());
        ids.push(c.client_id().unwrap().to_string());
    }
    let listed = idp
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.user_pool_clients().len(), 2);
    assert!(listed.next_token().is_some());

    idp.update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&ids[0])
        .client_name("renamed")
        .send()
        .await
        .unwrap();
    let described = idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&ids[0])
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(described.client_name(), Some("renamed"));

    idp.delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&ids[1])
        .send()
        .await
        .unwrap();
    let (code, _) = error_of(
        idp.describe_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&ids[1])
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn mixing_legacy_and_allow_flows_is_refused() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "flows").await;
    let (code, _) = error_of(
        idp.create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("mixed")
            .explicit_auth_flows(ExplicitAuthFlowsType::AdminNoSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    let listed = idp
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert!(listed.user_pool_clients().is_empty());
}
