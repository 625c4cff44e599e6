//! Several `cognitod serve` nodes on one fresh PostgreSQL database, sharing the master key,
//! the root key and the public URL (each node has its own data dir, as separate machines
//! would).

use aws_sdk_cognitoidentityprovider as idp;

use super::postgres::{Database, admin_url_or_skip};
use super::{Node, SharedConfig, StoreConfig, run_cli};

/// The address clients would use, in front of every node; it needs no DNS, since tests reach
/// the nodes by their own addresses and the URL only names the tokens' issuer.
pub const PUBLIC_URL: &str = "http://cognitod.cluster.test:9229";

pub struct Cluster {
    pub nodes: Vec<Node>,
    pub shared: SharedConfig,
    /// The shared database with a data dir of no node's, for admin commands.
    pub admin_store: StoreConfig,
    database: Option<Database>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts `size` nodes at once (they race to migrate the new database), or returns `None`
    /// when PostgreSQL is not available.
    pub async fn start(test: &str, size: usize) -> Option<Cluster> {
        let admin_url = admin_url_or_skip(test)?;
        let database = Database::create(&admin_url, "cluster").await;
        let dir = tempfile::tempdir().expect("temp dir");
        let shared = SharedConfig::generate(PUBLIC_URL);
        let stores: Vec<StoreConfig> = (0..size)
            .map(|i| StoreConfig::postgres(dir.path().join(format!("node-{i}")), &database.url))
            .collect();
        let nodes =
            futures::future::join_all(stores.iter().map(|store| Node::start(store, Some(&shared))))
                .await;
        Some(Cluster {
            nodes,
            admin_store: StoreConfig::postgres(dir.path().join("admin"), &database.url),
            shared,
            database: Some(database),
            _dir: dir,
        })
    }

    /// An SDK client for node `i`.
    pub fn idp(&self, i: usize) -> idp::Client {
        self.nodes[i].idp()
    }

    /// Clients for every node, in node order.
    pub fn clients(&self) -> Vec<idp::Client> {
        self.nodes.iter().map(Node::idp).collect()
    }

    /// Runs an admin subcommand against the cluster's database; returns its stdout.
    pub async fn cli(&self, args: &[&str]) -> String {
        let output = run_cli(args, &self.admin_store, Some(&self.shared)).await;
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Kills the nodes and drops the database.
    pub async fn stop(mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
        if let Some(database) = self.database.take() {
            database.drop().await;
        }
    }
}
