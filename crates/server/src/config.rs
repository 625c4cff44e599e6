//! Configuration shared by `serve` and the admin subcommands: flags, each also an env var.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// Where the server keeps its state.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Directory for the embedded database and the key files.
    #[arg(long, env = "COGNITOD_DATA_DIR", default_value = "./cognitod-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (postgres://...); the embedded SQLite database is used when absent.
    #[arg(long, env = "COGNITOD_DATABASE_URL")]
    pub database_url: Option<String>,
}

/// `cognitod serve` options.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "COGNITOD_LISTEN", default_value = "127.0.0.1:9229")]
    pub listen: SocketAddr,
    /// Public base URL clients use to reach this server (token issuer prefix).
    #[arg(long, env = "COGNITOD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// AWS region this server pretends to be; pool ids start with it.
    #[arg(long, env = "COGNITOD_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Accept any SigV4 signature and any key. For throwaway local development only.
    #[arg(long, env = "COGNITOD_INSECURE_DEV")]
    pub insecure_dev: bool,
}

impl ServeArgs {
    /// The public URL without a trailing slash; defaults to the listen address.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{bound}"),
        }
    }
}

/// Validates a region name the way clients parse pool ids (`us-east-1`, `eu-central-1`).
pub fn validate_region(region: &str) -> anyhow::Result<()> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && region.ends_with(|c: char| c.is_ascii_digit())
        && region.contains('-');
    anyhow::ensure!(
        ok,
        "invalid region {region:?}: expected a name like us-east-1"
    );
    Ok(())
}
