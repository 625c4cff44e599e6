//! The `cognitod` command line.

use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use cognitod_crypto::{Clock, SystemClock};
use cognitod_store::AccessKeyRecord;
use tracing_subscriber::EnvFilter;

#[path = "fixtures.rs"]
pub mod fixtures;

use crate::config::{ServeArgs, StoreArgs, TlsMode, validate_region};
use crate::connections::Limits;
use crate::connections::limits::{open_file_limit, raise_open_file_limit};
use crate::keys::secret_aad;
use crate::outbox::OutboxEntry;
use crate::secrets::{self, RootKeySource};
use crate::serve::{ServerOptions, start};
use crate::state::open_backend;
use crate::tls::{self, Tls};

#[derive(Debug, Parser)]
#[command(
    name = "cognitod",
    version,
    about = "An identity server that speaks the AWS Cognito APIs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(Box<ServeArgs>),
    /// Manage scoped access keys and rotate token-signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Read the messages the server has sent (invitations, codes).
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Bulk test data straight into the store (load tests).
    Fixtures {
        #[command(subcommand)]
        command: fixtures::FixturesCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key allowed some actions on some pools; prints its secret once.
    Create {
        #[command(flatten)]
        store: StoreArgs,
        /// Allowed actions, comma separated; wildcards like `Admin*` or `*`.
        #[arg(long, value_delimiter = ',', required = true)]
        actions: Vec<String>,
        /// Allowed user pool ids, comma separated, or `*`.
        #[arg(long, value_delimiter = ',', required = true)]
        pools: Vec<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// List scoped keys (never their secrets).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Delete a scoped key.
    Delete {
        #[command(flatten)]
        store: StoreArgs,
        access_key_id: String,
    },
    /// Rotate a user pool's token-signing keys; tokens already issued keep verifying.
    Rotate {
        #[command(flatten)]
        store: StoreArgs,
        /// The user pool id.
        #[arg(long)]
        pool: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List recorded messages, oldest first.
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        pool: Option<String>,
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(*args).await,
        Command::Keys { command } => keys(command).await,
        Command::Outbox { command } => outbox(command).await,
        Command::Fixtures { command } => fixtures::run(command).await,
    }
}

fn init_tracing() {
    let filter = EnvFilter::try_from_env("COGNITOD_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing();
    validate_region(&args.region)?;
    let tls_mode = args.tls.mode()?;
    // More descriptors, more connections: the default cap follows the soft limit.
    match raise_open_file_limit() {
        Ok(Some((from, to))) => tracing::info!(from, to, "raised the open-file limit"),
        Ok(None) => {}
        Err(err) => tracing::warn!(error = %err, "could not raise the open-file limit"),
    }
    let connections = args.connections.limits();
    // Checked before anything is opened, so a bad value is reported as itself.
    connections.resolve(open_file_limit())?;
    let backend = open_backend(&args.store).await?;
    let tls = match tls_mode {
        TlsMode::Off => None,
        TlsMode::Files { cert, key } => Some(tls::from_pem_files(&cert, &key)?),
        TlsMode::SelfSigned => {
            let mut names = Vec::new();
            if !args.listen.ip().is_unspecified() {
                names.push(args.listen.ip().to_string());
            }
            if let Some(url) = &args.public_url {
                let host = tls::url_host(url).with_context(|| {
                    format!("--public-url {url:?}: expected a URL like https://host:port")
                })?;
                names.push(host);
            }
            Some(
                tls::self_signed(&args.store.data_dir, &names, &SystemClock)
                    .context("preparing the development certificate (--tls-self-signed)")?,
            )
        }
    };
    let (root, source) = secrets::load_root_key(&args.store.data_dir)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let server = start(
        &backend,
        root.clone(),
        ServerOptions {
            listen: args.listen,
            region: args.region.clone(),
            public_url: args.public_url.clone(),
            insecure_dev: args.insecure_dev,
            clock,
            tls: tls.as_ref().map(|tls| tls.config.clone()),
            senders: args.delivery.senders()?,
            connections,
        },
    )
    .await
    .with_context(|| format!("listening on {}", args.listen))?;
    print_banner(
        &args,
        &server.public_url,
        &backend.description,
        &root,
        source,
        tls.as_ref(),
        &server.limits,
    );
    tokio::select! {
        result = shutdown_signal() => {
            result?;
            eprintln!("cognitod: shutting down");
            server.stop().await?;
        }
    }
    Ok(())
}

async fn shutdown_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}

fn print_banner(
    args: &ServeArgs,
    url: &str,
    store: &str,
    root: &secrets::RootKey,
    source: RootKeySource,
    tls: Option<&Tls>,
    limits: &Limits,
) {
    let region = &args.region;
    println!("cognitod {} listening on {url}", env!("CARGO_PKG_VERSION"));
    println!("  region:   {region}");
    println!("  store:    {store}");
    println!(
        "  clients:  up to {} connections; timeouts: head {:?}, body {:?} (or {} bytes/s), \
         idle {:?}, shutdown {:?}",
        limits.max_connections,
        limits.header_timeout,
        limits.body_timeout,
        limits.body_min_rate,
        limits.idle_timeout,
        limits.shutdown_timeout
    );
    println!("  root key: {}", root.access_key_id);
    match source {
        RootKeySource::Generated => {
            println!(
                "  secret:   {}  (generated now and shown only once;",
                root.secret_access_key
            );
            println!(
                "             kept in {}/root-key.json)",
                args.store.data_dir.display()
            );
        }
        RootKeySource::File => println!(
            "  secret:   in {}/root-key.json",
            args.store.data_dir.display()
        ),
        RootKeySource::Environment => {
            println!("  secret:   from COGNITOD_ROOT_SECRET_ACCESS_KEY")
        }
    }
    let ca_bundle = tls
        .and_then(|tls| tls.dev_ca.as_ref())
        .map(|dev| dev.ca_cert.display().to_string());
    match (tls, &ca_bundle) {
        (None, _) => {}
        (Some(tls), Some(ca)) => {
            let dev = tls.dev_ca.as_ref().expect("dev CA");
            let state = match (dev.ca_created, dev.server_cert_issued) {
                (true, _) => "CA created now",
                (false, true) => "new certificate from the existing CA",
                (false, false) => "reused",
            };
            println!(
                "  tls:      development certificate for {} ({state})",
                dev.names.join(", ")
            );
            println!("  dev CA:   {ca}");
        }
        (Some(_), None) => {
            let cert = args
                .tls
                .tls_cert
                .as_deref()
                .unwrap_or(std::path::Path::new("?"));
            println!("  tls:      certificate from {}", cert.display());
        }
    }
    if let Some(ca) = &ca_bundle {
        println!();
        println!("Trust the development CA (HTTPS):");
        println!("  export AWS_CA_BUNDLE={ca}          # AWS CLI, boto3 and other AWS SDKs");
        println!("  export NODE_EXTRA_CA_CERTS={ca}    # Node.js (Amplify, aws-jwt-verify)");
        println!("  export REQUESTS_CA_BUNDLE={ca}     # Python requests");
    }
    if args.insecure_dev {
        println!();
        println!("  !!! --insecure-dev: ANY signature and ANY access key are accepted.");
        println!("  !!! Never expose this server to anyone you do not trust.");
    }
    println!();
    println!("Point the AWS CLI at it:");
    println!("  export AWS_ACCESS_KEY_ID={}", root.access_key_id);
    println!("  export AWS_SECRET_ACCESS_KEY=<the root secret>");
    println!("  export AWS_DEFAULT_REGION={region}");
    match &ca_bundle {
        Some(ca) => println!(
            "  aws cognito-idp list-user-pools --max-results 10 --endpoint-url {url} \\\n      --ca-bundle {ca}   # or export AWS_CA_BUNDLE={ca}"
        ),
        None => println!("  aws cognito-idp list-user-pools --max-results 10 --endpoint-url {url}"),
    }
    if tls.is_some() && ca_bundle.is_none() {
        println!(
            "  (add --ca-bundle FILE if your certificate's CA is not in the system trust store)"
        );
    }
}

async fn keys(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create {
            store,
            actions,
            pools,
            description,
        } => {
            let backend = open_backend(&store).await?;
            let access_key_id = cognitod_crypto::access_key_id();
            let secret = cognitod_crypto::secret_access_key();
            let sealed = backend
                .master_key
                .seal_to_string(secret.as_bytes(), &secret_aad(&access_key_id));
            let now = SystemClock.now_millis();
            backend
                .store
                .create_access_key(&AccessKeyRecord {
                    access_key_id: access_key_id.clone(),
                    sealed_secret: sealed,
                    allowed_actions: actions,
                    pool_ids: pools,
                    description,
                    created_at: now,
                })
                .await?;
            println!("access key id:     {access_key_id}");
            println!("secret access key: {secret}  (shown only once)");
        }
        KeysCommand::List { store } => {
            let backend = open_backend(&store).await?;
            for key in backend.store.list_access_keys().await? {
                println!(
                    "{}  actions={}  pools={}  {}",
                    key.access_key_id,
                    key.allowed_actions.join(","),
                    key.pool_ids.join(","),
                    key.description.unwrap_or_default()
                );
            }
        }
        KeysCommand::Delete {
            store,
            access_key_id,
        } => {
            let backend = open_backend(&store).await?;
            backend.store.delete_access_key(&access_key_id).await?;
            println!("deleted {access_key_id}");
        }
        KeysCommand::Rotate { store, pool } => {
            let backend = open_backend(&store).await?;
            let kids = crate::signing::rotate(&backend, &pool).await?;
            println!(
                "rotated the signing keys of {pool}; new kids: {}",
                kids.join(" ")
            );
        }
    }
    Ok(())
}

async fn outbox(command: OutboxCommand) -> anyhow::Result<()> {
    let OutboxCommand::List {
        store,
        pool,
        user,
        limit,
        json,
    } = command;
    let backend = open_backend(&store).await?;
    let messages = backend
        .store
        .list(pool.as_deref(), user.as_deref(), None, limit)
        .await?;
    let messages = cognitod_messaging::open_messages(&backend.master_key, messages);
    for message in messages {
        let entry = OutboxEntry::from(message);
        if json {
            println!("{}", serde_json::to_string(&entry)?);
        } else {
            println!(
                "#{} {} {} -> {} [{}] {}: {}",
                entry.id,
                entry.pool_id,
                entry.username,
                entry.destination,
                entry.medium,
                entry.kind,
                entry.body.replace('\n', " ")
            );
        }
    }
    Ok(())
}
