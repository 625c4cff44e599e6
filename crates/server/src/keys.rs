//! Access keys known to the server: the root key plus the scoped keys in the store.

use std::sync::Arc;

use async_trait::async_trait;
use cognitod_crypto::MasterKey;
use cognitod_model::{Error, ErrorCode};
use cognitod_protocol::access::{AccessKey, AccessKeys};
use cognitod_store::{AccessKeyRecord, Store};

use crate::secrets::RootKey;

/// Associated data binding a sealed access-key secret to its key id.
pub fn secret_aad(access_key_id: &str) -> Vec<u8> {
    format!("access-key:{access_key_id}").into_bytes()
}

pub struct KeyRing {
    root: RootKey,
    store: Arc<dyn Store>,
    master_key: Arc<MasterKey>,
}

impl KeyRing {
    pub fn new(root: RootKey, store: Arc<dyn Store>, master_key: Arc<MasterKey>) -> Self {
        Self {
            root,
            store,
            master_key,
        }
    }
}

/// Opens a stored scoped key into the form the SigV4 layer checks.
pub fn open_record(record: AccessKeyRecord, master_key: &MasterKey) -> Result<AccessKey, Error> {
    let secret = master_key
        .open_str(&record.sealed_secret, &secret_aad(&record.access_key_id))
        .map_err(|_| Error::new(ErrorCode::InternalErrorException, "Internal server error."))?;
    Ok(AccessKey {
        id: record.access_key_id,
        secret: String::from_utf8_lossy(&secret).into_owned(),
        allowed_actions: record.allowed_actions,
        pool_ids: record.pool_ids,
        is_root: false,
    })
}

#[async_trait]
impl AccessKeys for KeyRing {
    async fn find(&self, access_key_id: &str) -> Result<Option<AccessKey>, Error> {
        if access_key_id == self.root.access_key_id {
            return Ok(Some(AccessKey {
                id: self.root.access_key_id.clone(),
                secret: self.root.secret_access_key.clone(),
                allowed_actions: vec!["*".into()],
                pool_ids: vec!["*".into()],
                is_root: true,
            }));
        }
        let record = self
            .store
            .get_access_key(access_key_id)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "access key lookup failed");
                Error::new(ErrorCode::InternalErrorException, "Internal server error.")
            })?;
        record.map(|r| open_record(r, &self.master_key)).transpose()
    }
}
