//! Test support: an in-process cognitod on port 0 with a fresh store and a controllable clock,
//! AWS SDK clients configured for it, and raw signed calls for wire-level assertions.
//!
//! The backend is SQLite in a temporary directory, or PostgreSQL (a fresh database per server)
//! when `COGNITOD_TEST_BACKEND=postgres`; `COGNITOD_TEST_DATABASE_URL` names the server to use.

use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider as idp;
use cognitod_crypto::{Clock, ManualClock};
use cognitod_server::config::StoreArgs;
use cognitod_server::secrets::RootKey;
use cognitod_server::{Backend, RunningServer, ServerOptions, open_backend, start};
use cognitod_store::Store;

pub const REGION: &str = "us-east-1";

/// Which database a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl BackendKind {
    pub fn from_env() -> Self {
        match std::env::var("COGNITOD_TEST_BACKEND").as_deref() {
            Ok("postgres") => BackendKind::Postgres,
            _ => BackendKind::Sqlite,
        }
    }
}

pub struct TestServer {
    pub url: String,
    pub root: RootKey,
    pub clock: Arc<ManualClock>,
    pub backend_kind: BackendKind,
    /// One HTTP client, so raw calls reuse keep-alive connections.
    http: reqwest::Client,
    store_args: StoreArgs,
    backend: Backend,
    server: Option<RunningServer>,
    _dir: tempfile::TempDir,
}

fn postgres_admin_url() -> String {
    std::env::var("COGNITOD_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Creates an empty database for one test server and returns its URL.
async fn fresh_postgres_database() -> anyhow::Result<String> {
    use sqlx::Connection;
    let admin = postgres_admin_url();
    let name = format!("cognitod_it_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin);
    Ok(format!("{base}/{name}"))
}

impl TestServer {
    /// Starts a server on the backend named by `COGNITOD_TEST_BACKEND`.
    pub async fn start() -> Self {
        Self::start_on(BackendKind::from_env()).await
    }

    pub async fn start_on(kind: BackendKind) -> Self {
        // Tests' HTTP clients use the same TLS provider as the server (the outbound senders
        // pick theirs explicitly; reqwest's own default needs a process-wide one).
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = match kind {
            BackendKind::Sqlite => None,
            BackendKind::Postgres => Some(
                fresh_postgres_database()
                    .await
                    .expect("creating a test database"),
            ),
        };
        let store_args = StoreArgs {
            data_dir: dir.path().join("data"),
            database_url,
        };
        let backend = open_backend(&store_args).await.expect("opening the store");
        let root = RootKey {
            access_key_id: cognitod_crypto::access_key_id(),
            secret_access_key: cognitod_crypto::secret_access_key(),
        };
        let clock = Arc::new(ManualClock::new(wall_clock_millis()));
        let server = start(
            &backend,
            root.clone(),
            ServerOptions {
                listen: "127.0.0.1:0".parse().unwrap(),
                region: REGION.to_string(),
                public_url: None,
                insecure_dev: false,
                clock: clock.clone() as Arc<dyn Clock>,
                tls: None,
                senders: Default::default(),
                connections: Default::default(),
            },
        )
        .await
        .expect("starting the server");
        TestServer {
            url: server.public_url.clone(),
            root,
            clock,
            backend_kind: kind,
            http: reqwest::Client::new(),
            store_args,
            backend,
            server: Some(server),
            _dir: dir,
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.backend.store.clone()
    }

    /// An SDK client signed with the root key.
    pub fn idp(&self) -> idp::Client {
        self.idp_with_key(&self.root.access_key_id, &self.root.secret_access_key)
    }

    /// An SDK client signed with the given key; retries are off so every error is seen.
    pub fn idp_with_key(&self, access_key_id: &str, secret: &str) -> idp::Client {
        let config = idp::Config::builder()
            .behavior_version(idp::config::BehaviorVersion::latest())
            .region(idp::config::Region::new(REGION))
            .endpoint_url(&self.url)
            .credentials_provider(Credentials::new(access_key_id, secret, None, None, "test"))
            .retry_config(idp::config::retry::RetryConfig::disabled())
            .build();
        idp::Client::from_conf(config)
    }

    /// Sends a raw AWS JSON 1.1 request for `operation`, signed with the root key.
    pub async fn call(&self, operation: &str, body: &serde_json::Value) -> RawResponse {
        let bytes = serde_json::to_vec(body).unwrap();
        self.call_bytes(
            operation,
            bytes,
            Some((&self.root.access_key_id, &self.root.secret_access_key)),
        )
        .await
    }

    /// Sends raw bytes, signed with `key` (id, secret) when given.
    pub async fn call_bytes(
        &self,
        operation: &str,
        body: Vec<u8>,
        key: Option<(&str, &str)>,
    ) -> RawResponse {
        let target = format!("AWSCognitoIdentityProviderService.{operation}");
        let mut headers = vec![
            (
                "content-type".to_string(),
                "application/x-amz-json-1.1".to_string(),
            ),
            ("x-amz-target".to_string(), target),
        ];
        if let Some((id, secret)) = key {
            headers.extend(sign(
                "POST",
                &format!("{}/", self.url),
                &headers,
                &body,
                id,
                secret,
            ));
        }
        let mut request = self.http.post(format!("{}/", self.url)).body(body);
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("request reaches the server");
        RawResponse::read(response).await
    }

    /// Creates a scoped access key in the store; returns (id, secret).
    pub async fn create_scoped_key(&self, actions: &[&str], pools: &[&str]) -> (String, String) {
        let id = cognitod_crypto::access_key_id();
        let secret = cognitod_crypto::secret_access_key();
        let sealed = self
            .backend
            .master_key
            .seal_to_string(secret.as_bytes(), &cognitod_server::keys::secret_aad(&id));
        self.backend
            .store
            .create_access_key(&cognitod_store::AccessKeyRecord {
                access_key_id: id.clone(),
                sealed_secret: sealed,
                allowed_actions: actions.iter().map(|s| s.to_string()).collect(),
                pool_ids: pools.iter().map(|s| s.to_string()).collect(),
                description: None,
                created_at: self.clock.now_millis(),
            })
            .await
            .expect("storing a scoped key");
        (id, secret)
    }

    /// Stops the server and starts a new one on the same store (same data dir or database);
    /// the URL changes, so build new clients afterwards.
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("clean shutdown");
        }
        let args = self.store_args.clone();
        // Drop the old backend first so nothing of the previous process's state is reused.
        self.backend = open_backend(&args).await.expect("reopening the store");
        let server = start(&self.backend, self.root.clone(), self.options())
            .await
            .expect("restarting the server");
        self.url = server.public_url.clone();
        self.server = Some(server);
    }

    fn options(&self) -> ServerOptions {
        ServerOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            region: REGION.to_string(),
            public_url: None,
            insecure_dev: false,
            clock: self.clock.clone() as Arc<dyn Clock>,
            tls: None,
            senders: Default::default(),
            connections: Default::default(),
        }
    }

    /// The messages recorded for a pool (and user), oldest first, bodies opened.
    pub async fn outbox(
        &self,
        pool_id: &str,
        username: Option<&str>,
    ) -> Vec<cognitod_store::OutboxMessage> {
        let messages = self
            .backend
            .store
            .list(Some(pool_id), username, None, 1000)
            .await
            .expect("listing the outbox");
        cognitod_messaging::open_messages(&self.backend.master_key, messages)
    }

    /// Rotates a pool's signing keys the way `cognitod keys rotate` does.
    pub async fn rotate_signing_keys(&self, pool_id: &str) -> Vec<String> {
        cognitod_server::signing::rotate(&self.backend, pool_id)
            .await
            .expect("rotating the signing keys")
    }

    /// Moves the server's clock forward (codes, sessions and tokens expire; signatures are
    /// checked against the real clock).
    pub fn advance(&self, by: std::time::Duration) {
        self.clock.advance(by);
    }

    /// Everything the database holds, as text: the SQLite files' bytes (database and WAL),
    /// or every PostgreSQL table's rows as JSON. For tests that look for plaintext secrets.
    pub async fn database_text(&self) -> String {
        match &self.store_args.database_url {
            None => {
                let path = self.store_args.data_dir.join("cognitod.db");
                let mut text = String::new();
                for suffix in ["", "-wal"] {
                    let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
                    if let Ok(bytes) = std::fs::read(&file) {
                        text.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
                text
            }
            Some(url) => {
                use sqlx::{Connection, Row};
                let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
                let tables: Vec<String> =
                    sqlx::query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                        .fetch_all(&mut conn)
                        .await
                        .expect("list tables")
                        .iter()
                        .map(|r| r.get::<String, _>(0))
                        .collect();
                let mut text = String::new();
                for table in tables {
                    let rows =
                        sqlx::query(&format!("SELECT row_to_json(t)::text FROM \"{table}\" t"))
                            .fetch_all(&mut conn)
                            .await
                            .expect("read table");
                    for row in rows {
                        text.push_str(&row.get::<String, _>(0));
                        text.push('\n');
                    }
                }
                text
            }
        }
    }

    /// The SQLite database file, for tests that scan what is stored.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        (self.backend_kind == BackendKind::Sqlite)
            .then(|| self.store_args.data_dir.join("cognitod.db"))
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("clean shutdown");
        }
    }
}

#[allow(clippy::disallowed_methods)]
fn wall_clock_millis() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// SigV4 headers for a request, as the AWS SDKs compute them.
pub fn sign(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    access_key_id: &str,
    secret: &str,
) -> Vec<(String, String)> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    let identity = Credentials::new(access_key_id, secret, None, None, "test").into();
    #[allow(clippy::disallowed_methods)]
    let now = SystemTime::now();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("cognito-idp")
        .time(now)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let (new_headers, _) = instructions.into_parts();
    new_headers
        .into_iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect()
}

/// A response read whole, for exact assertions.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl RawResponse {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        RawResponse {
            status,
            headers,
            body,
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The `__type` of an error response.
    pub fn error_type(&self) -> Option<String> {
        self.json()
            .get("__type")
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    pub fn message(&self) -> Option<String> {
        self.json()
            .get("message")
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }
}
