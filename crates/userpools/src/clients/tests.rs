//! App clients and their secrets over a real SQLite store.

use std::time::Duration;

use cognitod_model::idp::*;
use cognitod_model::{Error, ErrorCode, Timestamp};

use crate::clients;
use crate::user_fixtures::{Fixture, START, fixture};

impl Fixture {
    async fn new_pool(&self) -> String {
        self.pool(UserPoolType {
            schema_attributes: Some(crate::shared::schema::build(&[]).unwrap()),
            ..Default::default()
        })
        .await
    }

    async fn create_client(
        &self,
        input: CreateUserPoolClientRequest,
    ) -> Result<UserPoolClientType, Error> {
        clients::create_user_pool_client(&self.svc, &self.ctx, input)
            .await
            .map(|r| r.user_pool_client.unwrap())
    }

    async fn describe_client(&self, pool: &str, client: &str) -> Result<UserPoolClientType, Error> {
        let input = DescribeUserPoolClientRequest {
            user_pool_id: pool.into(),
            client_id: client.into(),
        };
        clients::describe_user_pool_client(&self.svc, &self.ctx, input)
            .await
            .map(|r| r.user_pool_client.unwrap())
    }

    async fn add_secret(
        &self,
        pool: &str,
        client: &str,
        secret: Option<&str>,
    ) -> Result<ClientSecretDescriptorType, Error> {
        let input = AddUserPoolClientSecretRequest {
            user_pool_id: pool.into(),
            client_id: client.into(),
            client_secret: secret.map(str::to_string),
        };
        clients::secrets::add_user_pool_client_secret(&self.svc, &self.ctx, input)
            .await
            .map(|r| r.client_secret_descriptor.unwrap())
    }

    async fn list_secrets(&self, pool: &str, client: &str) -> Vec<ClientSecretDescriptorType> {
        let input = ListUserPoolClientSecretsRequest {
            user_pool_id: pool.into(),
            client_id: client.into(),
            next_token: None,
        };
        clients::secrets::list_user_pool_client_secrets(&self.svc, &self.ctx, input)
            .await
            .unwrap()
            .client_secrets
            .unwrap()
    }

    async fn delete_secret(&self, pool: &str, client: &str, secret_id: &str) -> Result<(), Error> {
        let input = DeleteUserPoolClientSecretRequest {
            user_pool_id: pool.into(),
            client_id: client.into(),
            client_secret_id: secret_id.into(),
        };
        clients::secrets::delete_user_pool_client_secret(&self.svc, &self.ctx, input)
            .await
            .map(|_| ())
    }
}

fn app(pool: &str) -> CreateUserPoolClientRequest {
    CreateUserPoolClientRequest {
        user_pool_id: pool.into(),
        client_name: "app".into(),
        ..Default::default()
    }
}

fn assert_error(result: Result<impl std::fmt::Debug, Error>, code: ErrorCode, message: &str) {
    let err = result.unwrap_err();
    assert_eq!((err.code, err.message.as_str()), (code, message));
}

#[tokio::test]
async fn create_fills_defaults_and_describe_matches() {
    let f = fixture().await;
    let pool = f.new_pool().await;
    let created = f.create_client(app(&pool)).await.unwrap();
    let id = created.client_id.clone().unwrap();
    assert_eq!(id.len(), 26);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    let expected = UserPoolClientType {
        user_pool_id: Some(pool.clone()),
        client_name: Some("app".into()),
        client_id: Some(id.clone()),
        client_type: Some(ClientTypeType::Regular),
        creation_date: Some(Timestamp::from_millis(START)),
        last_modified_date: Some(Timestamp::from_millis(START)),
        refresh_token_validity: Some(30),
        token_validity_units: Some(TokenValidityUnitsType::default()),
        allowed_o_auth_flows_user_pool_client: Some(false),
        enable_token_revocation: Some(true),
        enable_propagate_additional_user_context_data: Some(false),
        auth_session_validity: Some(3),
        ..Default::default()
    };
    assert_eq!(created, expected);
    assert_eq!(f.describe_client(&pool, &id).await.unwrap(), expected);
    assert!(f.list_secrets(&pool, &id).await.is_empty());
}

#[tokio::test]
async fn generated_secret_is_sealed_at_rest() {
    let f = fixture().await;
    let pool = f.new_pool().await;
    let created = f
        .create_client(CreateUserPoolClientRequest {
            generate_secret: Some(true),
            ..app(&pool)
        })
        .await
        .unwrap();
    let id = created.client_id.unwrap();
    let secret = created.client_secret.unwrap();
    assert_eq!(secret.len(), 51);
    assert_eq!(
        f.describe_client(&pool, &id).await.unwrap().client_secret,
        Some(secret.clone())
    );
    let records = f.store.list_client_secrets(&pool, &id).await.unwrap();
    assert_eq!(records.len(), 1);
    assert!(!records[0].sealed_secret.contains(&secret));
    assert_ne!(records[0].sealed_secret, secret);
    let client = f.store.get_client(&pool, &id).await.unwrap().unwrap();
    assert!(!client.config.to_string().contains(&secret));
    assert_eq!(client.config.get("ClientSecret"), None);
}

#[tokio::test]
async fn a_given_secret_is_used_and_both_at_once_are_refused() {
    let f = fixture().await;
    let pool = f.new_pool().await;
    let given = "my-own-secret-value-of-enough-length".replace('-', "_");
    let created = f
        .create_client(CreateUserPoolClientRequest {
            client_secret: Some(given.clone()),
            ..app(&pool)
        })
        .await
        .unwrap();
    assert_eq!(created.client_secret, Some(given.clone()));
    let id = created.client_id.unwrap();
    assert_eq!(
        f.describe_client(&pool, &id).await.unwrap().client_secret,
        Some(given)
    );
    assert_error(
        f.create_client(CreateUserPoolClientRequest {
            generate_secret: Some(true),
            client_secret: Some("x".repeat(30)),
            ..app(&pool)
        })
        .await,
        ErrorCode::InvalidParameterException,
        "You cannot specify both GenerateSecret as true and a ClientSecret.",
    );
    assert_eq!(f.store.count_clients(&pool).await.unwrap(), 1);
}

#[tokio::test]
async fn invalid_settings_create_nothing() {
    let f = fixture().await;
    let pool = f.new_pool().await;
    assert_error(
        f.create_client(CreateUserPoolClientRequest {
            access_token_validity: Some(2),
            token_validity_units: Some(TokenValidityUnitsType {
                access_token: Some(TimeUnitsType::Days),
                ..Default::default()
            }),
            ..app(&pool)
        })
        .await,
        ErrorCode::InvalidParameterException,
        "Invalid range for token validity.",
    );
    assert_error(
        f.create_client(CreateUserPoolClientRequest {
            allowed_o_auth_flows: Some(vec![OAuthFlowType::ClientCredentials]),
            allowed_o_auth_scopes: Some(vec!["api/read".into()]),
            allowed_o_auth_flows_user_pool_client: Some(true),
            ..app(&pool)
        })
        .await,
        ErrorCode::InvalidOAuthFlowException,
        "client_credentials flow can not be selected if client does not have a client secret.",
    );
    assert_error(
        f.create_client(CreateUserPoolClientRequest {
            generate_secret: Some(true),
            allowed_o_auth_flows: Some(vec![OAuthFlowType::ClientCredentials]),
            allowed_o_auth_scopes: Some(vec!["api/read".into()]),
            allowed_o_auth_flows_user_pool_client: Some(true),
            ..app(&pool)
        })
        .await,
        ErrorCode::ScopeDoesNotExistException,
        "Invalid scope requested: api/read",
    );
    assert_eq!(f.store.count_clients(&pool).await.unwrap(), 0);
    assert_error(
        f.create_client(app("us-east-1_missing")).await,
        ErrorCode::ResourceNotFoundException,
        "User pool us-east-1_missing does not exist.",
    );
}

#[tokio::test]
async fn update_returns_absent_settings_to_defaults() {
    let f = fixture().await;
    let pool = f.new_pool().await;
    let created = f
        .create_client(CreateUserPoolClientRequest {
            generate_secret: Some(true),
            explicit_auth_flows: Some(vec![
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ]),
            access_token_validity: Some(10),
            token_validity_units: Some(TokenValidityUnitsType {
                access_token: Some(TimeUnitsType::Minutes),
                ..Default::default()
            }),
            prevent_user_existence_errors: Some(PreventUserExistenceErrorTypes::Enabled),
            enable_token_revocation: Some(false),
            auth_session_validity: Some(10),
            ..app(&pool)
        })
        .await
        .unwrap();
    let id = created.client_id.clone().unwrap();
    assert_eq!(created.access_token_validity, Some(10));
    f.clock.advance(Duration::from_secs(5));
    let updated = clients::update_user_pool_client(
        &f.svc,
        &f.ctx,
        UpdateUserPoolClientRequest {
            user_pool_id: pool.clone(),
            client_id: id.clone(),
            client_name: Some("renamed".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .user_pool_client
    .unwrap();
    let expected = UserPoolClientType {
        user_pool_id: Some(pool.clone()),
        client_name: Some("renamed".into()),
        client_id: Some(id.clone()),
        client_secret: created.client_secret.clone(),
        client_type: Some(ClientTypeType::Regular),
        creation_date: Some(Timestamp::from_millis(START)),
        last_modified_date: Some(Timestamp::from_millis(START + 5_000)),
        refresh_token_validity: Some(30),
        token_validity_units: Some(TokenValidityUnitsType::default()),
        allowed_o_auth_flows_user_pool_client: Some(false),
        enable_token_revocation: Some(true),
        enable_propagate_additional_user_context_data: Some(false),
        auth_session_validity: Some(3),
        ..Default::default()
    };
    assert_eq!(updated, expected);
    assert_eq!(f.describe_client(&pool, &id).await.unwrap(), expected);

    // Without a name the old one stays; a failed update changes nothing.
    let failed = clients::update_user_pool_client(
        &f.svc,
        &f.ctx,
        UpdateUserPoolClientRequest {
            user_pool_id: pool.clone(),
            client_id: id.clone(),
            explicit_auth_flows: Some(vec![
                ExplicitAuthFlowsType::AdminNoSrpAuth,
                ExplicitAuthFlowsType::AllowUserSrpAuth,
            ]),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        failed.unwrap_err().code,
        ErrorCode::InvalidParameterException
    );
    assert_eq!(f.describe_client(&pool, &id).await.unwrap(), expected);
}

#[tokio::test]
async fn list_and_delete_clients() {
    let f = fixture().await;
    let pool = f.new_pool().await;
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let client = f
            .create_client(CreateUserPoolClientRequest {
                client_name: name.into(),
                ..app(&pool)
            })
            .await
            .unwrap();
        ids.push(client.client_id.unwrap());
    }
    let list = |token: Option<String>| {
        clients::list_user_pool_clients(
            &f.svc,
            &f.ctx,
            ListUserPoolClientsRequest {
                user_pool_id: pool.clone(),
                max_results: Some(2),
                next_token: token,
                client_type: None,
            },
        )
    };
    let first = list(None).await.unwrap();
    assert_eq!(first.user_pool_clients.as_ref().unwrap().len(), 2);
    let second = list(first.next_token.clone()).await.unwrap();
    assert_eq!(second.next_token, None);
    let mut seen: Vec<String> = first
        .user_pool_clients
        .unwrap()
        .into_iter()
        .chain(second.user_pool_clients.unwrap())
        .map(|c| {
            assert_eq!(c.user_pool_id.as_deref(), Some(pool.as_str()));
            c.client_id.unwrap()
        })
        .collect();
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids);
    let dcr = clients::list_user_pool_clients(
        &f.svc,
        &f.ctx,
        ListUserPoolClientsRequest {
            user_pool_id: pool.clone(),
            max_results: None,
            next_token: None,
            client_type: Some(ClientTypeType::Dcr),
        },
    )
    .await
    .unwrap();
    assert_eq!(dcr.user_pool_clients, Some(vec![]));

    let delete = || {
        clients::delete_user_pool_client(
            &f.svc,
            &f.ctx,
            DeleteUserPoolClientRequest {
                user_pool_id: pool.clone(),
                client_id: ids[0].clone(),
            },
        )
    };
    delete().await.unwrap();
    let gone = format!("User pool client {} does not exist.", ids[0]);
    assert_error(delete().await, ErrorCode::ResourceNotFoundException, &gone);
    assert_error(
        f.describe_client(&pool, &ids[0]).await,
        ErrorCode::ResourceNotFoundException,
        &gone,
    );
}

#[tokio::test]
async fn secrets_rotate_two_at_a_time() {
    let f = fixture().await;
    let pool = f.new_pool().await;
    let public = f
        .create_client(app(&pool))
        .await
        .unwrap()
        .client_id
        .unwrap();
    assert_eq!(
        f.add_secret(&pool, &public, None).await.unwrap_err().code,
        ErrorCode::InvalidParameterException
    );

    let created = f
        .create_client(CreateUserPoolClientRequest {
            generate_secret: Some(true),
            ..app(&pool)
        })
        .await
        .unwrap();
    let id = created.client_id.unwrap();
    let first = created.client_secret.unwrap();
    let listed = f.list_secrets(&pool, &id).await;
    assert_eq!(listed.len(), 1);
    let first_id = listed[0].client_secret_id.clone().unwrap();
    assert_eq!(first_id, format!("{id}--{START:013}"));
    assert_eq!(listed[0].client_secret_value, None);
    assert_eq!(
        listed[0].client_secret_create_date,
        Some(Timestamp::from_millis(START))
    );

    let added = f.add_secret(&pool, &id, None).await.unwrap();
    let second = added.client_secret_value.clone().unwrap();
    assert_eq!(second.len(), 51);
    assert_ne!(second, first);
    let second_id = added.client_secret_id.unwrap();
    assert_ne!(second_id, first_id);
    assert_error(
        f.add_secret(&pool, &id, Some(&"z".repeat(40))).await,
        ErrorCode::LimitExceededException,
        "An app client can have at most 2 client secrets.",
    );
    assert!(
        f.list_secrets(&pool, &id)
            .await
            .iter()
            .all(|s| s.client_secret_value.is_none())
    );
    // DescribeUserPoolClient shows the oldest secret.
    assert_eq!(
        f.describe_client(&pool, &id).await.unwrap().client_secret,
        Some(first)
    );

    assert_error(
        f.delete_secret(&pool, &id, "nope").await,
        ErrorCode::ResourceNotFoundException,
        "Client secret nope does not exist.",
    );
    f.delete_secret(&pool, &id, &first_id).await.unwrap();
    assert_eq!(
        f.describe_client(&pool, &id).await.unwrap().client_secret,
        Some(second)
    );
    assert_error(
        f.delete_secret(&pool, &id, &second_id).await,
        ErrorCode::InvalidParameterException,
        "The last client secret of an app client cannot be deleted.",
    );

    // A secret the caller supplies is not echoed back.
    let custom = "c".repeat(40);
    let added = f.add_secret(&pool, &id, Some(&custom)).await.unwrap();
    assert_eq!(added.client_secret_value, None);
    assert_eq!(f.list_secrets(&pool, &id).await.len(), 2);
}

#[tokio::test]
async fn a_pool_holds_at_most_a_thousand_clients() {
    let f = fixture().await;
    let pool = f.new_pool().await;
    for i in 0..1_000 {
        let record = cognitod_store::ClientRecord {
            pool_id: pool.clone(),
            client_id: format!("client{i:04}"),
            name: "bulk".into(),
            config: serde_json::json!({}),
            created_at: START,
            updated_at: START,
        };
        f.store.create_client(&record).await.unwrap();
    }
    assert_error(
        f.create_client(app(&pool)).await,
        ErrorCode::LimitExceededException,
        "A user pool can have at most 1000 app clients.",
    );
    assert_eq!(f.store.count_clients(&pool).await.unwrap(), 1_000);
}
