//! HTTPS: the rustls server configuration (aws-lc-rs provider), from PEM files or from a
//! development CA that cognitod creates in its data dir, and the handshake of one connection
//! (the accept loop in [`crate::connections`] runs it in the connection's task).
//!
//! The development CA (`ca.pem`, key `ca-key.pem`, mode 0600) is created once and reused, so
//! clients that trust it keep working across restarts. It signs a server certificate
//! (`server.pem`, key `server-key.pem`) for `localhost`, `127.0.0.1`, `::1` and any other names
//! asked for; that certificate is issued again when it is missing, no longer covers the names,
//! or expires within [`RENEW_BEFORE`].

use std::fs;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use cognitod_crypto::Clock;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::RootCertStore;
use rustls::ServerConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The development CA's certificate, the file clients are told to trust.
pub const CA_CERT_FILE: &str = "ca.pem";
/// The development CA's private key (mode 0600).
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// The server certificate the development CA issued.
pub const SERVER_CERT_FILE: &str = "server.pem";
/// The server certificate's private key (mode 0600).
pub const SERVER_KEY_FILE: &str = "server-key.pem";

/// A server certificate that expires sooner than this is issued again at start-up.
pub const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long an issued server certificate is valid.
const SERVER_CERT_VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);
/// How long the development CA is valid.
const CA_VALIDITY: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
/// Certificates start being valid this long before they were made, for clients whose clock
/// is a little behind.
const BACKDATE: Duration = Duration::from_secs(3600);

/// A client that has not finished its handshake by then is dropped. Handshakes run in the
/// connections' own tasks and count against the connection cap, so there is no separate
/// bound on how many run at once (one would let silent clients hold up everyone else's).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The names a development certificate always covers.
pub const DEFAULT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// What `serve` runs HTTPS with.
pub struct Tls {
    pub config: Arc<ServerConfig>,
    /// Set when the certificate comes from the development CA.
    pub dev_ca: Option<DevCa>,
}

/// The development CA as start-up reports it.
#[derive(Debug, Clone)]
pub struct DevCa {
    /// Absolute path of `ca.pem`, the certificate clients must trust.
    pub ca_cert: PathBuf,
    /// The CA was created by this start (clients have not trusted it yet).
    pub ca_created: bool,
    /// A new server certificate was issued by this start.
    pub server_cert_issued: bool,
    /// The names the server certificate covers.
    pub names: Vec<String>,
}

/// The crypto provider for everything TLS in cognitod: aws-lc-rs, whatever other providers
/// the dependency tree compiles in.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// HTTPS from a PEM certificate chain (leaf first) and its PEM private key (PKCS#8, PKCS#1
/// or SEC1).
pub fn from_pem_files(cert: &Path, key: &Path) -> anyhow::Result<Tls> {
    let chain = read_certificates(cert)?;
    let key_der = read_private_key(key)?;
    let config = server_config(chain, key_der).with_context(|| {
        format!(
            "using certificate {} with key {}",
            cert.display(),
            key.display()
        )
    })?;
    Ok(Tls {
        config,
        dev_ca: None,
    })
}

/// HTTPS with a certificate from the development CA in `data_dir`, covering
/// [`DEFAULT_NAMES`] and `extra_names`; creates the CA and the certificate when needed.
/// Clients check certificates against their own clocks, so `clock` is the real one outside
/// tests.
pub fn self_signed(
    data_dir: &Path,
    extra_names: &[String],
    clock: &dyn Clock,
) -> anyhow::Result<Tls> {
    self_signed_at(data_dir, extra_names, system_time(clock))
}

/// The clock's time as a [`SystemTime`].
pub fn system_time(clock: &dyn Clock) -> SystemTime {
    let millis = u64::try_from(clock.now_millis()).unwrap_or(0);
    UNIX_EPOCH + Duration::from_millis(millis)
}

/// [`self_signed`] as if the time were `now`.
pub fn self_signed_at(
    data_dir: &Path,
    extra_names: &[String],
    now: SystemTime,
) -> anyhow::Result<Tls> {
    let names = dev_names(extra_names)?;
    fs::create_dir_all(data_dir)
        .with_context(|| format!("creating data dir {}", data_dir.display()))?;
    let ca = load_or_create_ca(data_dir, now)?;
    let cert_path = data_dir.join(SERVER_CERT_FILE);
    let key_path = data_dir.join(SERVER_KEY_FILE);

    let reused = if cert_path.exists() && key_path.exists() {
        reuse_server_cert(&ca.cert, &cert_path, &key_path, &names, now)
    } else {
        None
    };
    let (config, server_cert_issued) = match reused {
        Some(config) => (config, false),
        None => {
            let (cert, key) = issue_server_cert(&ca, &names, now)?;
            let chain = vec![cert.der().clone()];
            verify_names(&ca.cert, &chain, &names, now).with_context(|| {
                format!(
                    "the development CA {} does not match its key {}; remove both to \
                     create a new CA",
                    data_dir.join(CA_CERT_FILE).display(),
                    data_dir.join(CA_KEY_FILE).display()
                )
            })?;
            write_file(&key_path, key.serialize_pem().as_bytes(), 0o600, true)?;
            write_file(&cert_path, cert.pem().as_bytes(), 0o644, true)?;
            let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
            (server_config(chain, key_der)?, true)
        }
    };
    let ca_cert = data_dir.join(CA_CERT_FILE);
    let ca_cert = fs::canonicalize(&ca_cert).unwrap_or(ca_cert);
    Ok(Tls {
        config,
        dev_ca: Some(DevCa {
            ca_cert,
            ca_created: ca.created,
            server_cert_issued,
            names,
        }),
    })
}

/// The names for a development certificate: [`DEFAULT_NAMES`], then `extra` (host names or
/// IP addresses), without duplicates.
pub fn dev_names(extra: &[String]) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = DEFAULT_NAMES.iter().map(|s| s.to_string()).collect();
    for name in extra {
        let name = normalize_name(name)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

fn normalize_name(name: &str) -> anyhow::Result<String> {
    let trimmed = name.trim().trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = trimmed.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    let lower = trimmed.trim_end_matches('.').to_ascii_lowercase();
    match ServerName::try_from(lower.as_str()) {
        Ok(ServerName::DnsName(_)) => Ok(lower),
        _ => bail!("{name:?} is not a host name or IP address a certificate can name"),
    }
}

/// The host of an `http(s)://host[:port]/...` URL, for the development certificate.
pub fn url_host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']')?.0,
        None => authority.split(':').next()?,
    };
    (!host.is_empty()).then(|| host.to_string())
}

/// A rustls server configuration (aws-lc-rs, TLS 1.2 and 1.3, HTTP/1.1 over ALPN) serving one
/// certificate chain. Fails when the key does not belong to the first certificate.
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> anyhow::Result<Arc<ServerConfig>> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    // The router speaks HTTP/1.1 only; saying so keeps h2-capable clients on HTTP/1.1.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Every certificate in a PEM file, in order.
pub fn read_certificates(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing {}", path.display()))?;
    if chain.is_empty() {
        bail!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        );
    }
    Ok(chain)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn read_private_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    let pem = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|err| match err {
        rustls::pki_types::pem::Error::NoItemsFound => anyhow::anyhow!(
            "{} holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY; \
             encrypted keys are not supported)",
            path.display()
        ),
        other => anyhow::anyhow!("parsing {}: {other}", path.display()),
    })
}

/// Checks that `chain` leads to the root `ca` and that its leaf is valid for every name at
/// `at` and still [`RENEW_BEFORE`] later.
pub fn verify_names(
    ca: &CertificateDer<'static>,
    chain: &[CertificateDer<'static>],
    names: &[String],
    at: SystemTime,
) -> anyhow::Result<()> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone())?;
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .context("building a certificate verifier")?;
    let (leaf, intermediates) = chain.split_first().context("empty certificate chain")?;
    for when in [at, at + RENEW_BEFORE] {
        let since_epoch = when.duration_since(UNIX_EPOCH).unwrap_or_default();
        for name in names {
            let server_name = ServerName::try_from(name.clone())
                .with_context(|| format!("{name:?} is not a valid server name"))?;
            verifier
                .verify_server_cert(
                    leaf,
                    intermediates,
                    &server_name,
                    &[],
                    UnixTime::since_unix_epoch(since_epoch),
                )
                .with_context(|| format!("certificate for {name}"))?;
        }
    }
    Ok(())
}

struct DevAuthority {
    issuer: Issuer<'static, KeyPair>,
    cert: CertificateDer<'static>,
    created: bool,
}

/// The CA's distinguished name is derived from its key, so the issuer of the server
/// certificates can be rebuilt from `ca-key.pem` alone and two installations' CAs have
/// different names.
fn ca_params(key: &KeyPair, now: SystemTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    let key_id = params.key_identifier(key);
    let short: String = key_id.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "cognitod");
    dn.push(
        DnType::CommonName,
        format!("cognitod development CA {short}"),
    );
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = (now - BACKDATE).into();
    params.not_after = (now + CA_VALIDITY).into();
    params
}

fn load_or_create_ca(dir: &Path, now: SystemTime) -> anyhow::Result<DevAuthority> {
    let cert_path = dir.join(CA_CERT_FILE);
    let key_path = dir.join(CA_KEY_FILE);
    let (key, mut created) = if key_path.exists() {
        let pem = fs::read_to_string(&key_path)
            .with_context(|| format!("reading {}", key_path.display()))?;
        let key = KeyPair::from_pem(&pem)
            .with_context(|| format!("parsing the CA key {}", key_path.display()))?;
        (key, false)
    } else {
        if cert_path.exists() {
            bail!(
                "{} exists but its key {} does not: restore the key, or remove {} so that \
                 cognitod creates a new development CA (which clients must then trust again)",
                cert_path.display(),
                key_path.display(),
                cert_path.display()
            );
        }
        let key = KeyPair::generate().context("generating the CA key")?;
        write_file(&key_path, key.serialize_pem().as_bytes(), 0o600, false)?;
        (key, true)
    };
    let params = ca_params(&key, now);
    let cert = if cert_path.exists() {
        read_certificates(&cert_path)?.swap_remove(0)
    } else {
        // A lost ca.pem is made again from its key: same name and key, so copies of the old
        // one that clients trust still verify the server certificates.
        let cert = params
            .self_signed(&key)
            .context("signing the CA certificate")?;
        write_file(&cert_path, cert.pem().as_bytes(), 0o644, false)?;
        created = true;
        cert.der().clone()
    };
    Ok(DevAuthority {
        issuer: Issuer::new(params, key),
        cert,
        created,
    })
}

fn reuse_server_cert(
    ca: &CertificateDer<'static>,
    cert_path: &Path,
    key_path: &Path,
    names: &[String],
    now: SystemTime,
) -> Option<Arc<ServerConfig>> {
    let attempt = || -> anyhow::Result<Arc<ServerConfig>> {
        let chain = read_certificates(cert_path)?;
        verify_names(ca, &chain, names, now)?;
        server_config(chain, read_private_key(key_path)?)
    };
    match attempt() {
        Ok(config) => Some(config),
        Err(err) => {
            tracing::info!(reason = %format!("{err:#}"), "issuing a new development server certificate");
            None
        }
    }
}

fn issue_server_cert(
    ca: &DevAuthority,
    names: &[String],
    now: SystemTime,
) -> anyhow::Result<(rcgen::Certificate, KeyPair)> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "cognitod");
    dn.push(DnType::CommonName, names[0].clone());
    params.distinguished_name = dn;
    params.subject_alt_names = names
        .iter()
        .map(|name| match name.parse::<IpAddr>() {
            Ok(ip) => Ok(SanType::IpAddress(ip)),
            Err(_) => Ok(SanType::DnsName(name.clone().try_into()?)),
        })
        .collect::<Result<_, rcgen::Error>>()?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = (now - BACKDATE).into();
    params.not_after = (now + SERVER_CERT_VALIDITY).into();
    let key = KeyPair::generate().context("generating the server key")?;
    let cert = params
        .signed_by(&key, &ca.issuer)
        .context("signing the server certificate")?;
    Ok((cert, key))
}

/// Writes `contents` to `path` with `mode`: through a temporary file renamed into place when
/// `replace`, else only if `path` does not exist yet.
fn write_file(path: &Path, contents: &[u8], mode: u32, replace: bool) -> anyhow::Result<()> {
    let write = |target: &Path, create_new: bool| -> io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).mode(mode);
        if create_new {
            options.create_new(true);
        } else {
            options.create(true).truncate(true);
        }
        let mut file = options.open(target)?;
        file.write_all(contents)?;
        file.sync_all()
    };
    if replace {
        let tmp = path.with_extension("pem.tmp");
        let _ = fs::remove_file(&tmp);
        write(&tmp, true).with_context(|| format!("writing {}", tmp.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    } else {
        write(path, true).with_context(|| format!("creating {}", path.display()))?;
    }
    Ok(())
}

/// Completes the TLS handshake of one accepted connection, within `timeout`; `None` when it
/// fails or stalls (the client is dropped alone, logged at debug level only: these are the
/// client's doing).
pub async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    timeout: Duration,
) -> Option<TlsStream<TcpStream>> {
    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Some(tls),
        Ok(Err(err)) => {
            tracing::debug!(%peer, error = %err, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, "TLS handshake timed out");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use cognitod_crypto::SystemClock;

    use super::*;

    fn names_of(tls: &Tls) -> Vec<String> {
        tls.dev_ca.as_ref().unwrap().names.clone()
    }

    #[test]
    fn self_signed_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let now = system_time(&SystemClock);
        let first = self_signed_at(dir.path(), &[], now).unwrap();
        let dev = first.dev_ca.as_ref().unwrap();
        assert!(dev.ca_created && dev.server_cert_issued);
        assert!(dev.ca_cert.is_absolute());
        let ca1 = fs::read(dir.path().join(CA_CERT_FILE)).unwrap();
        let ca_key1 = fs::read(dir.path().join(CA_KEY_FILE)).unwrap();
        let server1 = fs::read(dir.path().join(SERVER_CERT_FILE)).unwrap();

        let second = self_signed_at(dir.path(), &[], now + Duration::from_secs(60)).unwrap();
        let dev = second.dev_ca.as_ref().unwrap();
        assert!(!dev.ca_created && !dev.server_cert_issued);
        assert_eq!(fs::read(dir.path().join(CA_CERT_FILE)).unwrap(), ca1);
        assert_eq!(fs::read(dir.path().join(CA_KEY_FILE)).unwrap(), ca_key1);
        assert_eq!(
            fs::read(dir.path().join(SERVER_CERT_FILE)).unwrap(),
            server1
        );
    }

    #[test]
    fn key_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        self_signed(dir.path(), &[], &SystemClock).unwrap();
        for file in [CA_KEY_FILE, SERVER_KEY_FILE] {
            let mode = fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        // Issuing again replaces the server key with another private file.
        fs::remove_file(dir.path().join(SERVER_CERT_FILE)).unwrap();
        self_signed(dir.path(), &[], &SystemClock).unwrap();
        let mode = fs::metadata(dir.path().join(SERVER_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn certificate_covers_the_names_and_only_those() {
        let dir = tempfile::tempdir().unwrap();
        let now = system_time(&SystemClock);
        let tls = self_signed_at(dir.path(), &["Auth.Example.test".to_string()], now).unwrap();
        let names = names_of(&tls);
        assert_eq!(
            names,
            ["localhost", "127.0.0.1", "::1", "auth.example.test"]
        );
        let ca = read_certificates(&dir.path().join(CA_CERT_FILE))
            .unwrap()
            .remove(0);
        let chain = read_certificates(&dir.path().join(SERVER_CERT_FILE)).unwrap();
        verify_names(&ca, &chain, &names, now).unwrap();
        for other in ["example.com", "10.0.0.1", "localhost.localdomain"] {
            assert!(
                verify_names(&ca, &chain, &[other.to_string()], now).is_err(),
                "{other} must not be covered"
            );
        }
    }

    #[test]
    fn new_names_or_near_expiry_issue_a_new_server_certificate_from_the_same_ca() {
        let dir = tempfile::tempdir().unwrap();
        let now = system_time(&SystemClock);
        self_signed_at(dir.path(), &[], now).unwrap();
        let ca = fs::read(dir.path().join(CA_CERT_FILE)).unwrap();

        let renamed = self_signed_at(dir.path(), &["192.0.2.7".to_string()], now).unwrap();
        let dev = renamed.dev_ca.unwrap();
        assert!(dev.server_cert_issued && !dev.ca_created);
        assert!(dev.names.contains(&"192.0.2.7".to_string()));

        // 340 days on, the certificate has less than 30 days left.
        let later = now + Duration::from_secs(340 * 24 * 3600);
        let renewed = self_signed_at(dir.path(), &["192.0.2.7".to_string()], later).unwrap();
        assert!(renewed.dev_ca.unwrap().server_cert_issued);
        let again = self_signed_at(dir.path(), &["192.0.2.7".to_string()], later).unwrap();
        assert!(!again.dev_ca.unwrap().server_cert_issued);
        assert_eq!(fs::read(dir.path().join(CA_CERT_FILE)).unwrap(), ca);
    }

    #[test]
    fn a_lost_ca_certificate_is_made_again_from_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let now = system_time(&SystemClock);
        self_signed_at(dir.path(), &[], now).unwrap();
        let old_ca = read_certificates(&dir.path().join(CA_CERT_FILE))
            .unwrap()
            .remove(0);
        fs::remove_file(dir.path().join(CA_CERT_FILE)).unwrap();
        let tls = self_signed_at(dir.path(), &[], now).unwrap();
        assert!(tls.dev_ca.unwrap().ca_created);
        // The server certificate issued before still chains to the old copy of the CA.
        let chain = read_certificates(&dir.path().join(SERVER_CERT_FILE)).unwrap();
        verify_names(&old_ca, &chain, &dev_names(&[]).unwrap(), now).unwrap();
    }

    #[test]
    fn a_ca_certificate_without_its_key_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        self_signed(dir.path(), &[], &SystemClock).unwrap();
        fs::remove_file(dir.path().join(CA_KEY_FILE)).unwrap();
        let err = self_signed(dir.path(), &[], &SystemClock).err().unwrap();
        assert!(format!("{err:#}").contains("ca-key.pem"), "{err:#}");
    }

    #[test]
    fn pem_files_load_and_mismatches_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        self_signed(dir.path(), &[], &SystemClock).unwrap();
        let cert = dir.path().join(SERVER_CERT_FILE);
        let key = dir.path().join(SERVER_KEY_FILE);
        let tls = from_pem_files(&cert, &key).unwrap();
        assert!(tls.dev_ca.is_none());

        // The CA's key does not belong to the server certificate.
        let err = from_pem_files(&cert, &dir.path().join(CA_KEY_FILE))
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("using certificate"), "{err:#}");
        // A certificate file given as the key.
        let err = from_pem_files(&cert, &cert).err().unwrap();
        assert!(format!("{err:#}").contains("no PEM private key"), "{err:#}");
        let err = from_pem_files(&key, &key).err().unwrap();
        assert!(format!("{err:#}").contains("no PEM certificate"), "{err:#}");
        let err = from_pem_files(&dir.path().join("missing.pem"), &key)
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("missing.pem"), "{err:#}");
    }

    #[tokio::test]
    async fn a_silent_client_is_dropped_at_the_handshake_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let tls = self_signed(dir.path(), &[], &SystemClock).unwrap();
        let acceptor = TlsAcceptor::from(tls.config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let _silent = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (stream, peer) = listener.accept().await.unwrap();
        let started = std::time::Instant::now();
        let timeout = Duration::from_millis(200);
        assert!(handshake(&acceptor, stream, peer, timeout).await.is_none());
        let took = started.elapsed();
        assert!(took >= timeout && took < timeout * 10, "{took:?}");
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://auth.example.com").unwrap(),
            "auth.example.com"
        );
        assert_eq!(url_host("https://h.test:8443/x?y#z").unwrap(), "h.test");
        assert_eq!(url_host("http://u:p@10.1.2.3:9229").unwrap(), "10.1.2.3");
        assert_eq!(url_host("https://[::1]:9229/").unwrap(), "::1");
        assert_eq!(url_host("auth.example.com"), None);
        assert_eq!(url_host("https://:9229"), None);
        assert!(dev_names(&["bad name!".to_string()]).is_err());
        assert_eq!(
            dev_names(&["LOCALHOST".to_string(), "[::1]".to_string()]).unwrap(),
            DEFAULT_NAMES
        );
    }
}
