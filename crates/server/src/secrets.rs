//! The server's own secrets: the master key and the root access key.
//!
//! Each comes from the environment or from a file in the data dir (mode 0600), generated on
//! first start. The root key's secret is printed once, when it is generated.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context, bail};
use cognitod_crypto::MasterKey;
use serde::{Deserialize, Serialize};

const MASTER_KEY_FILE: &str = "master.key";
const ROOT_KEY_FILE: &str = "root-key.json";

/// The root access key: allowed every action on every pool.
#[derive(Clone, Serialize, Deserialize)]
pub struct RootKey {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for RootKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .finish()
    }
}

/// How the root key was obtained, so start-up can say whether to print the secret.
pub enum RootKeySource {
    Environment,
    File,
    Generated,
}

pub fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating data dir {}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("restricting data dir {}", dir.display()))
}

/// Writes a new file readable only by its owner; fails if it already exists.
fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

pub fn load_master_key(data_dir: &Path) -> anyhow::Result<MasterKey> {
    if let Ok(encoded) = std::env::var("COGNITOD_MASTER_KEY") {
        return MasterKey::from_base64(encoded.trim())
            .map_err(|e| anyhow::anyhow!("COGNITOD_MASTER_KEY: {e}"));
    }
    let path = data_dir.join(MASTER_KEY_FILE);
    if path.exists() {
        let encoded = fs::read_to_string(&path)?;
        return MasterKey::from_base64(encoded.trim())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    let key = MasterKey::generate();
    write_private(&path, key.to_base64().as_bytes())?;
    Ok(key)
}

pub fn load_root_key(data_dir: &Path) -> anyhow::Result<(RootKey, RootKeySource)> {
    let id = std::env::var("COGNITOD_ROOT_ACCESS_KEY_ID").ok();
    let secret = std::env::var("COGNITOD_ROOT_SECRET_ACCESS_KEY").ok();
    match (id, secret) {
        (Some(access_key_id), Some(secret_access_key)) => {
            return Ok((
                RootKey {
                    access_key_id,
                    secret_access_key,
                },
                RootKeySource::Environment,
            ));
        }
        (None, None) => {}
        _ => bail!(
            "set both COGNITOD_ROOT_ACCESS_KEY_ID and COGNITOD_ROOT_SECRET_ACCESS_KEY, or neither"
        ),
    }
    let path = data_dir.join(ROOT_KEY_FILE);
    if path.exists() {
        let key = serde_json::from_slice(&fs::read(&path)?)
            .with_context(|| format!("reading {}", path.display()))?;
        return Ok((key, RootKeySource::File));
    }
    let key = RootKey {
        access_key_id: cognitod_crypto::access_key_id(),
        secret_access_key: cognitod_crypto::secret_access_key(),
    };
    write_private(&path, &serde_json::to_vec_pretty(&key)?)?;
    Ok((key, RootKeySource::Generated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_are_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let (first, source) = load_root_key(dir.path()).unwrap();
        assert!(matches!(source, RootKeySource::Generated));
        let mode = fs::metadata(dir.path().join(ROOT_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let (again, source) = load_root_key(dir.path()).unwrap();
        assert!(matches!(source, RootKeySource::File));
        assert_eq!(first.access_key_id, again.access_key_id);
        assert_eq!(first.secret_access_key, again.secret_access_key);

        let key = load_master_key(dir.path()).unwrap();
        let again = load_master_key(dir.path()).unwrap();
        assert_eq!(key.to_base64(), again.to_base64());
        let mode = fs::metadata(dir.path().join(MASTER_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
