//! Real `cognitod serve` processes for the crash and cluster tests: a free port, a data dir,
//! a store (SQLite in the data dir, or a fresh PostgreSQL database), readiness, SIGKILL, the
//! admin CLI, and AWS SDK clients pointed at a node.

// Each test binary uses its own part of these helpers.
#![allow(dead_code)]

pub mod cluster;
pub mod postgres;

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider as idp;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognitod_server::secrets::RootKey;
use idp::types::ExplicitAuthFlowsType as Flow;
use serde_json::Value;

pub const REGION: &str = "us-east-1";
/// A password every default pool policy accepts.
pub const PASSWORD: &str = "Correct-Horse-1";

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const BINARY: &str = env!("CARGO_BIN_EXE_cognitod");

/// What every node of one deployment shares, passed through the environment: the master key,
/// the root key, and the public URL (the load balancer's; it prefixes the tokens' issuer).
#[derive(Clone)]
pub struct SharedConfig {
    pub master_key: String,
    pub root: RootKey,
    pub public_url: String,
}

impl SharedConfig {
    pub fn generate(public_url: &str) -> Self {
        SharedConfig {
            master_key: cognitod_crypto::MasterKey::generate().to_base64(),
            root: RootKey {
                access_key_id: cognitod_crypto::access_key_id(),
                secret_access_key: cognitod_crypto::secret_access_key(),
            },
            public_url: public_url.to_string(),
        }
    }

    fn apply(&self, command: &mut Command) {
        command
            .env("COGNITOD_PUBLIC_URL", &self.public_url)
            .env("COGNITOD_MASTER_KEY", &self.master_key)
            .env("COGNITOD_ROOT_ACCESS_KEY_ID", &self.root.access_key_id)
            .env(
                "COGNITOD_ROOT_SECRET_ACCESS_KEY",
                &self.root.secret_access_key,
            );
    }
}

/// Where a node keeps its state: the data dir, and PostgreSQL when a URL is given.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

impl StoreConfig {
    pub fn sqlite(data_dir: PathBuf) -> Self {
        StoreConfig {
            data_dir,
            database_url: None,
        }
    }

    pub fn postgres(data_dir: PathBuf, url: &str) -> Self {
        StoreConfig {
            data_dir,
            database_url: Some(url.to_string()),
        }
    }

    fn args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["--data-dir".into(), self.data_dir.clone().into()];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".into(), url.into()]);
        }
        args
    }

    /// The server's output goes beside the data dir, appended across restarts.
    fn log_path(&self) -> PathBuf {
        self.data_dir.with_extension("log")
    }
}

/// A command for the `cognitod` binary with nothing inherited from the caller's environment.
fn cognitod(shared: Option<&SharedConfig>) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .env("COGNITOD_LOG", "warn")
        .env("RUST_BACKTRACE", "1");
    if let Some(shared) = shared {
        shared.apply(&mut command);
    }
    command
}

/// Runs an admin subcommand (`keys rotate ...`) against a store and returns its output.
pub async fn run_cli(args: &[&str], store: &StoreConfig, shared: Option<&SharedConfig>) -> Output {
    let mut command = cognitod(shared);
    command.args(args).args(store.args());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("running cognitod");
    assert!(
        output.status.success(),
        "cognitod {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A running `cognitod serve` process; killed (SIGKILL) when dropped.
pub struct Node {
    child: Option<Child>,
    pub url: String,
    pub root: RootKey,
    log: PathBuf,
}

impl Node {
    /// Starts `cognitod serve` on a free port and waits until `/health/ready` answers. Without
    /// a shared configuration the node uses (or generates) the master and root keys of its
    /// data dir, and its own address as public URL.
    pub async fn start(store: &StoreConfig, shared: Option<&SharedConfig>) -> Node {
        Node::start_with(store, shared, &[]).await
    }

    /// [`Node::start`] with more `serve` flags.
    pub async fn start_with(
        store: &StoreConfig,
        shared: Option<&SharedConfig>,
        flags: &[&str],
    ) -> Node {
        for _ in 0..5 {
            let port = free_port();
            let log = store.log_path();
            let mut child = spawn_serve(store, shared, port, &log, flags);
            let url = format!("http://127.0.0.1:{port}");
            match wait_ready(&mut child, &url).await {
                Ok(()) => {
                    let root = match shared {
                        Some(shared) => shared.root.clone(),
                        None => read_root_key(&store.data_dir),
                    };
                    return Node {
                        child: Some(child),
                        url,
                        root,
                        log,
                    };
                }
                // Someone else took the port between our probe and the server's bind.
                Err(_) if log_tail(&log).contains("Address already in use") => continue,
                Err(reason) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "cognitod serve did not become ready ({reason}); its log:\n{}",
                        log_tail(&log)
                    );
                }
            }
        }
        panic!("no free port for cognitod serve after 5 attempts");
    }

    /// Kills the process with SIGKILL: no shutdown, no flush, nothing in flight completes.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The end of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }

    /// The server's whole log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("a node URL is http://ip:port")
    }

    /// Sends SIGTERM: the server shuts down gracefully.
    pub fn terminate(&self) {
        let child = self.child.as_ref().expect("a running node");
        let pid = i32::try_from(child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw)
            .expect("a process id");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    }

    /// The exit status once the process ended, if it did within `timeout`.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            let child = self.child.as_mut()?;
            if let Some(status) = child.try_wait().expect("polling the process") {
                self.child = None;
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// An SDK client for this node signed with the root key; retries are off so every error
    /// is seen, and a call that hangs fails instead of holding the test.
    pub fn idp(&self) -> idp::Client {
        let credentials = Credentials::new(
            &self.root.access_key_id,
            &self.root.secret_access_key,
            None,
            None,
            "test",
        );
        let timeouts = idp::config::timeout::TimeoutConfig::builder()
            .operation_timeout(Duration::from_secs(30))
            .build();
        let config = idp::Config::builder()
            .behavior_version(idp::config::BehaviorVersion::latest())
            .region(idp::config::Region::new(REGION))
            .endpoint_url(&self.url)
            .credentials_provider(credentials)
            .retry_config(idp::config::retry::RetryConfig::disabled())
            .timeout_config(timeouts)
            .build();
        idp::Client::from_conf(config)
    }

    /// The pool's published keys, as this node serves them.
    pub async fn jwks(&self, pool_id: &str) -> Vec<Value> {
        let url = format!("{}/{pool_id}/.well-known/jwks.json", self.url);
        let document: Value = http()
            .get(&url)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        document["keys"].as_array().expect("a JWKS").clone()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_serve(
    store: &StoreConfig,
    shared: Option<&SharedConfig>,
    port: u16,
    log: &Path,
    flags: &[&str],
) -> Child {
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("opening the server log");
    let err = out.try_clone().unwrap();
    cognitod(shared)
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(store.args())
        .args(flags)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("spawning cognitod serve")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A plain HTTP client (reqwest needs a process-wide TLS provider even for http URLs).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::new()
}

async fn wait_ready(child: &mut Child, url: &str) -> Result<(), String> {
    let http = http();
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("it exited with {status}"));
        }
        let ready = http
            .get(format!("{url}/health/ready"))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err(format!("no answer within {READY_TIMEOUT:?}"))
}

fn read_root_key(data_dir: &Path) -> RootKey {
    let path = data_dir.join("root-key.json");
    let bytes = std::fs::read(&path).expect("the generated root key");
    serde_json::from_slice(&bytes).expect("root-key.json")
}

fn log_tail(path: &Path) -> String {
    const TAIL: u64 = 8 * 1024;
    let Ok(mut file) = File::open(path) else {
        return "(no log)".into();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(TAIL)));
    let mut tail = String::new();
    let _ = file.read_to_string(&mut tail);
    tail
}

/// Creates a pool with default settings and an app client without a secret that allows the
/// password and refresh flows, and SRP if asked (then passwords also leave an SRP verifier);
/// returns (pool id, client id).
pub async fn pool_and_client(idp: &idp::Client, name: &str, srp: bool) -> (String, String) {
    let mut flows = vec![Flow::AllowUserPasswordAuth, Flow::AllowRefreshTokenAuth];
    if srp {
        flows.push(Flow::AllowUserSrpAuth);
    }
    let pool = idp
        .create_user_pool()
        .pool_name(name)
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool
        .and_then(|p| p.id)
        .expect("a pool id");
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .set_explicit_auth_flows(Some(flows))
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client
        .and_then(|c| c.client_id)
        .expect("a client id");
    (pool, client)
}

/// A confirmed user with [`PASSWORD`] as permanent password.
pub async fn confirmed_user(idp: &idp::Client, pool: &str, username: &str) {
    idp.admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .message_action(idp::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    idp.admin_set_user_password()
        .user_pool_id(pool)
        .username(username)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
}

/// USER_PASSWORD_AUTH sign-in.
pub async fn password_sign_in(
    idp: &idp::Client,
    client: &str,
    username: &str,
    password: &str,
) -> Result<idp::types::AuthenticationResultType, (String, String)> {
    idp.initiate_auth()
        .client_id(client)
        .auth_flow(idp::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|e| error_of(&e))
        .map(|out| out.authentication_result.expect("tokens, not a challenge"))
}

pub fn attr(name: &str, value: &str) -> idp::types::AttributeType {
    idp::types::AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// (code, message) of a failed call.
pub fn error_of(err: &impl ProvideErrorMetadata) -> (String, String) {
    (
        err.code().unwrap_or("<no code>").to_string(),
        err.message().unwrap_or("<no message>").to_string(),
    )
}

/// A JWT's claims, unverified.
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// A JWT's key id.
pub fn kid(token: &str) -> String {
    cognitod_crypto::jwt::decode_header(token)
        .expect("a JWT header")
        .0
        .expect("a kid")
}
