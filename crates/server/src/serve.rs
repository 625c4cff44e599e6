//! Starting the HTTP(S) server over an opened backend.

use std::net::SocketAddr;
use std::sync::Arc;

use cognitod_crypto::Clock;
use cognitod_messaging::Messenger;
use cognitod_protocol::json::JsonEndpoint;
use cognitod_userpools::{Settings, UserPools};
use rustls::ServerConfig;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::{AppState, app};
use crate::connections::{self, ConnectionLimits, Limits};
use crate::keys::KeyRing;
use crate::secrets::RootKey;
use crate::state::Backend;

/// Account id shown in ARNs; cognitod has no AWS accounts.
pub const ACCOUNT_ID: &str = "000000000000";

pub struct ServerOptions {
    pub listen: SocketAddr,
    pub region: String,
    pub public_url: Option<String>,
    pub insecure_dev: bool,
    pub clock: Arc<dyn Clock>,
    /// Serve HTTPS with this configuration (see [`crate::tls`]); plain HTTP when `None`.
    pub tls: Option<Arc<ServerConfig>>,
    /// Email and SMS delivery besides the outbox.
    pub senders: cognitod_messaging::Senders,
    /// Timeouts for slow clients, the connection cap and the shutdown deadline.
    pub connections: ConnectionLimits,
}

/// A server accepting connections in the background.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub public_url: String,
    /// The connection limits in force, the cap decided.
    pub limits: Limits,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    sweeper: JoinHandle<()>,
}

impl RunningServer {
    /// Stops accepting, lets in-flight requests finish (closing idle connections), and waits;
    /// connections still open after the shutdown timeout are dropped.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.sweeper.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.await.unwrap_or(Ok(()))
    }

    /// Waits until the server ends by itself (it does not, unless it fails).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.unwrap_or(Ok(()))
    }
}

pub async fn start(
    backend: &Backend,
    root: RootKey,
    options: ServerOptions,
) -> anyhow::Result<RunningServer> {
    let limits = options
        .connections
        .resolve(connections::limits::open_file_limit())?;
    let listener = connections::bind(options.listen)?;
    let addr = listener.local_addr()?;
    let public_url = match &options.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let scheme = if options.tls.is_some() {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{addr}")
        }
    };
    let settings = Settings {
        region: options.region.clone(),
        account_id: ACCOUNT_ID.to_string(),
        public_url: public_url.clone(),
    };
    let messenger = Arc::new(Messenger::with_senders(
        backend.store.clone(),
        backend.master_key.clone(),
        options.senders.clone(),
    ));
    let userpools = Arc::new(UserPools::new(
        backend.store.clone(),
        options.clock.clone(),
        backend.master_key.clone(),
        messenger,
        settings,
    ));
    let keys = Arc::new(KeyRing::new(
        root,
        backend.store.clone(),
        backend.master_key.clone(),
    ));
    // Signatures are checked against the wall clock: SigV4's skew window is about the
    // caller's clock, while the domain clock (codes, sessions, tokens) may be a test's.
    let json = JsonEndpoint::new(
        userpools,
        keys,
        Arc::new(cognitod_crypto::SystemClock),
        options.region.clone(),
        options.insecure_dev,
    );
    let state = Arc::new(AppState {
        json,
        store: backend.store.clone(),
    });
    let router = app(state);
    let (tx, rx) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = rx.await;
    };
    let task = tokio::spawn(connections::serve(
        listener,
        options.tls,
        router,
        limits,
        shutdown,
    ));
    Ok(RunningServer {
        addr,
        public_url,
        limits,
        shutdown: Some(tx),
        task,
        sweeper: tokio::spawn(sweep_expired(backend.store.clone(), options.clock.clone())),
    })
}

/// Refresh tokens are kept a day past their expiry (access tokens of their family may live
/// that long and are checked against it), then deleted, and stale failure counters with them.
/// Every node may run this: the deletes are idempotent.
async fn sweep_expired(store: std::sync::Arc<dyn cognitod_store::Store>, clock: Arc<dyn Clock>) {
    const MARGIN_MILLIS: i64 = 24 * 60 * 60 * 1000;
    const FAILURE_MEMORY_MILLIS: i64 = 15 * 60 * 1000;
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        every.tick().await;
        match store
            .delete_expired_refresh_tokens(clock.now_millis() - MARGIN_MILLIS)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "expired refresh tokens deleted"),
            Err(err) => tracing::warn!(error = %err, "sweeping expired refresh tokens failed"),
        }
        // Failure counters forget after a quiet quarter of an hour; names nobody has (counted
        // under PreventUserExistenceErrors) would otherwise pile up.
        match store
            .delete_stale_sign_in_failures(clock.now_millis() - FAILURE_MEMORY_MILLIS)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "stale sign-in failure counters deleted"),
            Err(err) => tracing::warn!(error = %err, "sweeping failure counters failed"),
        }
    }
}
