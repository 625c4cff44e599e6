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
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

/// Where messages go besides the outbox (which always records them).
#[derive(Debug, Clone, Default, Args)]
pub struct DeliveryArgs {
    /// Send email through this SMTP server: `smtp://host:port` (add `?tls=required` for
    /// STARTTLS) or `smtps://host:465`, optionally with `user:password@`.
    #[arg(long, env = "COGNITOD_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,
    /// Sender address when a pool's EmailConfiguration names none.
    #[arg(
        long,
        env = "COGNITOD_SMTP_FROM",
        default_value = "cognitod <no-reply@localhost>"
    )]
    pub smtp_from: String,
    /// Send SMS by POSTing JSON (phoneNumber, message, userPoolId, username, kind) here.
    #[arg(long, env = "COGNITOD_SMS_WEBHOOK_URL", value_name = "URL")]
    pub sms_webhook_url: Option<String>,
}

impl DeliveryArgs {
    /// The senders these flags ask for.
    pub fn senders(&self) -> anyhow::Result<cognitod_messaging::Senders> {
        let mut senders = cognitod_messaging::Senders::default();
        if let Some(url) = &self.smtp_url {
            let smtp = cognitod_messaging::SmtpSender::new(url, &self.smtp_from)
                .map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?;
            senders.email = Some(std::sync::Arc::new(smtp));
        }
        if let Some(url) = &self.sms_webhook_url {
            let webhook = cognitod_messaging::WebhookSender::new(url)
                .map_err(|e| anyhow::anyhow!("--sms-webhook-url: {e}"))?;
            senders.sms = Some(std::sync::Arc::new(webhook));
        }
        Ok(senders)
    }
}

/// HTTPS options of `cognitod serve`; plain HTTP when none is given.
#[derive(Debug, Clone, Default, Args)]
pub struct TlsArgs {
    /// Serve HTTPS with this PEM certificate chain (server certificate first); needs --tls-key.
    #[arg(long, env = "COGNITOD_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1, unencrypted).
    #[arg(long, env = "COGNITOD_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a development certificate for localhost, signed by a CA that cognitod
    /// creates in the data dir (ca.pem) and reuses; trust ca.pem in your clients.
    #[arg(long, env = "COGNITOD_TLS_SELF_SIGNED")]
    pub tls_self_signed: bool,
}

/// How `serve` does TLS, once the flags are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    Off,
    Files { cert: PathBuf, key: PathBuf },
    SelfSigned,
}

impl TlsArgs {
    /// Checks that the flags go together.
    pub fn mode(&self) -> anyhow::Result<TlsMode> {
        let files = self.tls_cert.is_some() || self.tls_key.is_some();
        if self.tls_self_signed && files {
            anyhow::bail!(
                "--tls-self-signed makes its own certificate: give either --tls-self-signed or \
                 --tls-cert with --tls-key, not both (check COGNITOD_TLS_SELF_SIGNED, \
                 COGNITOD_TLS_CERT and COGNITOD_TLS_KEY too)"
            );
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(TlsMode::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (Some(_), None) => anyhow::bail!(
                "--tls-cert needs --tls-key FILE (or COGNITOD_TLS_KEY): the certificate's \
                 private key, PEM"
            ),
            (None, Some(_)) => anyhow::bail!(
                "--tls-key needs --tls-cert FILE (or COGNITOD_TLS_CERT): the PEM certificate \
                 chain for that key"
            ),
            (None, None) if self.tls_self_signed => Ok(TlsMode::SelfSigned),
            (None, None) => Ok(TlsMode::Off),
        }
    }
}

impl ServeArgs {
    /// The public URL without a trailing slash; defaults to the listen address, with
    /// `https` when TLS is on.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => {
                let tls = !matches!(self.tls.mode(), Ok(TlsMode::Off));
                let scheme = if tls { "https" } else { "http" };
                format!("{scheme}://{bound}")
            }
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }

    fn parse(args: &[&str]) -> ServeArgs {
        Serve::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .unwrap()
            .args
    }

    #[test]
    fn tls_flags() {
        let plain = parse(&[]);
        assert_eq!(plain.tls.mode().unwrap(), TlsMode::Off);
        let bound: SocketAddr = "127.0.0.1:9229".parse().unwrap();
        assert_eq!(plain.public_url(bound), "http://127.0.0.1:9229");

        let dev = parse(&["--tls-self-signed"]);
        assert_eq!(dev.tls.mode().unwrap(), TlsMode::SelfSigned);
        assert_eq!(dev.public_url(bound), "https://127.0.0.1:9229");

        let files = parse(&["--tls-cert", "c.pem", "--tls-key", "k.pem"]);
        assert_eq!(
            files.tls.mode().unwrap(),
            TlsMode::Files {
                cert: "c.pem".into(),
                key: "k.pem".into()
            }
        );

        let err = parse(&["--tls-cert", "c.pem"]).tls.mode().unwrap_err();
        assert!(
            err.to_string().contains("--tls-cert needs --tls-key"),
            "{err}"
        );
        let err = parse(&["--tls-key", "k.pem"]).tls.mode().unwrap_err();
        assert!(
            err.to_string().contains("--tls-key needs --tls-cert"),
            "{err}"
        );
        let err = parse(&[
            "--tls-self-signed",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
        ])
        .tls
        .mode()
        .unwrap_err();
        assert!(err.to_string().contains("not both"), "{err}");
    }
}
