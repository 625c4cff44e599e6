//! Test fixtures for the user families: a service over a fresh SQLite store (in a temporary
//! directory removed on drop) with a manual clock, and pools written straight into the store.

use std::sync::Arc;

use cognitod_crypto::{ManualClock, MasterKey};
use cognitod_messaging::Messenger;
use cognitod_model::idp::{AdminCreateUserRequest, AttributeType, MessageActionType, UserPoolType};
use cognitod_model::{Error, RequestContext, Timestamp};
use cognitod_store::{OutboxMessage, PoolRecord, Store, UserRecord};
use cognitod_store_sqlite::SqliteStore;

use crate::service::Settings;
use crate::service::UserPools;

pub(crate) const START: i64 = 1_700_000_000_000;
pub(crate) const REGION: &str = "us-east-1";

pub(crate) struct Fixture {
    pub svc: UserPools,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub ctx: RequestContext,
    _dir: tempfile::TempDir,
}

pub(crate) async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&dir.path().join("store.db"))
            .await
            .expect("sqlite store"),
    );
    let clock = Arc::new(ManualClock::new(START));
    let master_key = Arc::new(MasterKey::generate());
    let svc = UserPools::new(
        store.clone(),
        clock.clone(),
        master_key.clone(),
        Arc::new(Messenger::new(store.clone(), master_key)),
        Settings {
            region: REGION.to_string(),
            account_id: "123456789012".to_string(),
            public_url: "http://localhost:9229".to_string(),
        },
    );
    let ctx = RequestContext {
        request_id: "test".to_string(),
        caller: None,
        source_ip: None,
        region: REGION.to_string(),
        now_millis: START,
    };
    Fixture {
        svc,
        store,
        clock,
        ctx,
        _dir: dir,
    }
}

impl Fixture {
    /// Stores a pool with the given configuration (Id and Name filled in) and returns its id.
    pub(crate) async fn pool(&self, mut config: UserPoolType) -> String {
        let id = cognitod_crypto::user_pool_id(REGION);
        config.id = Some(id.clone());
        config.name.get_or_insert_with(|| "test".to_string());
        config.creation_date = Some(Timestamp::from_millis(START));
        config.last_modified_date = Some(Timestamp::from_millis(START));
        let record = PoolRecord {
            id: id.clone(),
            name: config.name.clone().unwrap_or_default(),
            config: serde_json::to_value(&config).unwrap(),
            created_at: START,
            updated_at: START,
        };
        self.store.create_pool(&record).await.unwrap();
        id
    }

    pub(crate) async fn user(&self, pool: &str, username_key: &str) -> UserRecord {
        self.store
            .get_user(pool, username_key)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no user {username_key}"))
    }

    pub(crate) async fn outbox(&self, pool: &str) -> Vec<OutboxMessage> {
        self.svc
            .messenger
            .list(Some(pool), None, None, 100)
            .await
            .unwrap()
    }

    /// AdminCreateUser with SUPPRESS and the given attributes.
    pub(crate) async fn create(
        &self,
        pool: &str,
        username: &str,
        attributes: &[(&str, &str)],
    ) -> Result<(), Error> {
        let input = AdminCreateUserRequest {
            user_pool_id: pool.to_string(),
            username: username.to_string(),
            user_attributes: Some(attrs(attributes)),
            message_action: Some(MessageActionType::Suppress),
            temporary_password: Some("Temp-Pass-1".to_string()),
            ..Default::default()
        };
        crate::users::admin::admin_create_user(&self.svc, &self.ctx, input)
            .await
            .map(|_| ())
    }
}

pub(crate) fn attrs(pairs: &[(&str, &str)]) -> Vec<AttributeType> {
    pairs
        .iter()
        .map(|(n, v)| AttributeType {
            name: n.to_string(),
            value: Some(v.to_string()),
        })
        .collect()
}

/// The value of an attribute of a stored user.
pub(crate) fn attr<'a>(user: &'a UserRecord, name: &str) -> Option<&'a str> {
    crate::shared::attributes::value_of(&user.attributes, name)
}
