//! The service type every family works with: the store, the clock, the master key, the
//! messenger, the server's settings and the per-node key cache. At the bottom: it imports no
//! family (its public entry points beyond the operations live in `lib.rs`).

use std::sync::Arc;

use cognitod_crypto::{Clock, MasterKey};
use cognitod_messaging::Messenger;
use cognitod_store::Store;

/// Server-wide settings the service needs to build identifiers and URLs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// AWS-style region of this server, e.g. `us-east-1`; pool ids start with it.
    pub region: String,
    /// Account id used in ARNs.
    pub account_id: String,
    /// Public base URL (issuer prefix), without a trailing slash.
    pub public_url: String,
}

/// The cognito-idp service over a store.
pub struct UserPools {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) master_key: Arc<MasterKey>,
    pub(crate) messenger: Arc<Messenger>,
    pub(crate) settings: Settings,
    pub(crate) keys: crate::auth::key_cache::KeyCache,
}

impl UserPools {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        master_key: Arc<MasterKey>,
        messenger: Arc<Messenger>,
        settings: Settings,
    ) -> Self {
        Self {
            store,
            clock,
            master_key,
            messenger,
            settings,
            keys: Default::default(),
        }
    }

    /// Where the service records the messages it sends.
    pub fn messenger(&self) -> &Arc<Messenger> {
        &self.messenger
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_millis()
    }
}
