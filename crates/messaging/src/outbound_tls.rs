//! TLS for outbound HTTP senders (SMS webhooks, SNS): rustls with the workspace's aws-lc-rs
//! provider, trusting the system's roots plus an optional extra CA bundle.
//!
//! reqwest is built without a crypto provider of its own (no `ring` alongside aws-lc-rs), so
//! it gets this finished `ClientConfig` through `use_preconfigured_tls`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// How long one outbound request may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The trust every outbound HTTP sender uses.
#[derive(Clone)]
pub struct OutboundTls {
    config: Arc<rustls::ClientConfig>,
}

impl OutboundTls {
    /// The system's roots, plus every certificate in the PEM file `extra_ca_file`.
    pub fn new(extra_ca_file: Option<&Path>) -> Result<Self, String> {
        let extra = match extra_ca_file {
            Some(path) => read_pem_certificates(path)?,
            None => Vec::new(),
        };
        Self::with_roots(system_roots(), extra)
    }

    /// Only the given roots (no system ones): for tests and closed networks.
    pub fn with_roots(
        base: RootCertStore,
        extra: Vec<CertificateDer<'static>>,
    ) -> Result<Self, String> {
        let mut roots = base;
        for cert in extra {
            roots
                .add(cert)
                .map_err(|e| format!("unusable CA certificate: {e}"))?;
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            config: Arc::new(config),
        })
    }

    /// An HTTP client over this trust, with the senders' timeout. Redirects are not followed:
    /// a signed or JSON POST must reach the configured URL itself.
    pub fn http_client(&self) -> Result<reqwest::Client, String> {
        reqwest::Client::builder()
            .use_preconfigured_tls((*self.config).clone())
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))
    }
}

/// The platform's trusted roots; unreadable ones are skipped with a warning.
fn system_roots() -> RootCertStore {
    let found = rustls_native_certs::load_native_certs();
    for err in &found.errors {
        tracing::warn!(error = %err, "reading the system's CA certificates");
    }
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::debug!(ignored, "system CA certificates rustls cannot use");
    }
    if added == 0 {
        tracing::warn!(
            "no system CA certificates found: https senders trust only --outbound-ca-file"
        );
    }
    roots
}

fn read_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("parsing {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(certs)
}

/// A request error with its causes: reqwest's own text names only the URL, the reason (a
/// refused connection, an unknown certificate issuer) is in the chain.
pub(crate) fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Checks that `url` is an absolute http(s) URL.
pub(crate) fn http_url(url: &str, what: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid {what} URL: {e}"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(parsed),
        _ => Err(format!(
            "the {what} URL must be http:// or https:// with a host, not {url:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = OutboundTls::new(Some(&empty)).err().unwrap();
        assert!(err.contains("holds no PEM certificate"), "{err}");
        let err = OutboundTls::new(Some(&dir.path().join("missing.pem")))
            .err()
            .unwrap();
        assert!(err.contains("reading"), "{err}");
    }

    #[test]
    fn only_http_urls() {
        assert!(http_url("https://example.com/sms", "webhook").is_ok());
        assert!(http_url("http://127.0.0.1:4566", "SNS").is_ok());
        assert!(http_url("ftp://example.com", "webhook").is_err());
        assert!(http_url("example.com", "webhook").is_err());
    }
}
