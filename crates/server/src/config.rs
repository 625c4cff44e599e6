//! Configuration shared by `serve` and the admin subcommands: flags, each also an env var.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::connections::ConnectionLimits;

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
    #[command(flatten)]
    pub connections: ConnectionArgs,
}

/// How long clients may take and how many may be connected; durations in seconds (fractions
/// allowed). Checked at start-up.
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// Seconds a client has to send a complete request head, from connecting (after the TLS
    /// handshake) or from the first byte of a later request; then the connection is closed.
    #[arg(
        long,
        env = "COGNITOD_HEADER_TIMEOUT",
        value_name = "SECS",
        default_value = "10",
        value_parser = parse_secs
    )]
    pub header_timeout: Duration,
    /// Seconds a request body may take (longer bodies get their length at --body-min-rate);
    /// a late body is answered 408 and not processed. Also bounds sending a response.
    #[arg(
        long,
        env = "COGNITOD_BODY_TIMEOUT",
        value_name = "SECS",
        default_value = "10",
        value_parser = parse_secs
    )]
    pub body_timeout: Duration,
    /// Bytes per second a long body must arrive at, at least.
    #[arg(
        long,
        env = "COGNITOD_BODY_MIN_RATE",
        value_name = "BYTES_PER_SEC",
        default_value_t = crate::connections::limits::DEFAULT_BODY_MIN_RATE
    )]
    pub body_min_rate: u64,
    /// Seconds a kept-alive connection may wait for its next request.
    #[arg(
        long,
        env = "COGNITOD_IDLE_TIMEOUT",
        value_name = "SECS",
        default_value = "60",
        value_parser = parse_secs
    )]
    pub idle_timeout: Duration,
    /// Connections open at once; more are answered 503 and closed. Default: the open-file
    /// limit less max(256, a tenth of it), at most 65536.
    #[arg(long, env = "COGNITOD_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Seconds a shutdown (SIGTERM, Ctrl-C) waits for requests in flight before dropping the
    /// connections still open.
    #[arg(
        long,
        env = "COGNITOD_SHUTDOWN_TIMEOUT",
        value_name = "SECS",
        default_value = "10",
        value_parser = parse_secs
    )]
    pub shutdown_timeout: Duration,
}

impl ConnectionArgs {
    /// The limits these flags ask for (checked by [`ConnectionLimits::resolve`]).
    pub fn limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            body_min_rate: self.body_min_rate,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections,
            shutdown_timeout: self.shutdown_timeout,
        }
    }
}

/// Seconds, like `10` or `2.5` (a trailing `s` is allowed).
fn parse_secs(value: &str) -> Result<Duration, String> {
    let number = value.trim().trim_end_matches('s');
    let secs: f64 = number
        .parse()
        .map_err(|_| format!("expected seconds, like 10 or 2.5, not {value:?}"))?;
    Duration::try_from_secs_f64(secs).map_err(|_| format!("{value:?} is not a usable duration"))
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
    /// Send SMS by POSTing JSON (phoneNumber, message, userPoolId, username, kind) here
    /// (http or https).
    #[arg(long, env = "COGNITOD_SMS_WEBHOOK_URL", value_name = "URL")]
    pub sms_webhook_url: Option<String>,
    /// Send SMS through Amazon SNS (`https://sns.us-east-1.amazonaws.com`) or a compatible
    /// endpoint (LocalStack: `http://localhost:4566`); not together with --sms-webhook-url.
    #[arg(long, env = "COGNITOD_SMS_SNS_ENDPOINT", value_name = "URL")]
    pub sms_sns_endpoint: Option<String>,
    /// Region the SNS requests are signed for.
    #[arg(
        long,
        env = "COGNITOD_SMS_SNS_REGION",
        value_name = "REGION",
        default_value = "us-east-1"
    )]
    pub sms_sns_region: String,
    /// Access key id for SNS.
    #[arg(long, env = "AWS_ACCESS_KEY_ID", value_name = "ID")]
    pub sms_sns_access_key_id: Option<String>,
    /// Secret access key for SNS.
    #[arg(
        long,
        env = "AWS_SECRET_ACCESS_KEY",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub sms_sns_secret_access_key: Option<Secret>,
    /// Session token for temporary SNS credentials.
    #[arg(
        long,
        env = "AWS_SESSION_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub sms_sns_session_token: Option<Secret>,
    /// Trust the CA certificates in this PEM file, besides the system's, for https webhooks
    /// and SNS.
    #[arg(long, env = "COGNITOD_OUTBOUND_CA_FILE", value_name = "FILE")]
    pub outbound_ca_file: Option<PathBuf>,
}

/// A secret flag value, kept out of `Debug` output.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Secret(value.to_string()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl DeliveryArgs {
    /// The senders these flags ask for.
    pub fn senders(&self) -> anyhow::Result<cognitod_messaging::Senders> {
        use std::sync::Arc;

        if self.sms_webhook_url.is_some() && self.sms_sns_endpoint.is_some() {
            anyhow::bail!(
                "SMS goes either to a webhook or to SNS: give --sms-webhook-url or \
                 --sms-sns-endpoint, not both (check COGNITOD_SMS_WEBHOOK_URL and \
                 COGNITOD_SMS_SNS_ENDPOINT too)"
            );
        }
        let mut senders = cognitod_messaging::Senders::default();
        if let Some(url) = &self.smtp_url {
            let smtp = cognitod_messaging::SmtpSender::new(url, &self.smtp_from)
                .map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?;
            senders.email = Some(Arc::new(smtp));
        }
        let http_senders = self.sms_webhook_url.is_some() || self.sms_sns_endpoint.is_some();
        if !http_senders && self.outbound_ca_file.is_none() {
            return Ok(senders);
        }
        let tls = cognitod_messaging::OutboundTls::new(self.outbound_ca_file.as_deref())
            .map_err(|e| anyhow::anyhow!("--outbound-ca-file: {e}"))?;
        if let Some(url) = &self.sms_webhook_url {
            let webhook = cognitod_messaging::WebhookSender::new(url, &tls)
                .map_err(|e| anyhow::anyhow!("--sms-webhook-url: {e}"))?;
            senders.sms = Some(Arc::new(webhook));
        }
        if let Some(endpoint) = &self.sms_sns_endpoint {
            validate_region(&self.sms_sns_region)
                .map_err(|e| anyhow::anyhow!("--sms-sns-region: {e}"))?;
            let (Some(id), Some(secret)) =
                (&self.sms_sns_access_key_id, &self.sms_sns_secret_access_key)
            else {
                anyhow::bail!(
                    "--sms-sns-endpoint needs --sms-sns-access-key-id and \
                     --sms-sns-secret-access-key (or AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY)"
                );
            };
            let credentials = cognitod_messaging::SnsCredentials {
                access_key_id: id.clone(),
                secret_access_key: secret.0.clone(),
                session_token: self.sms_sns_session_token.as_ref().map(|t| t.0.clone()),
            };
            let sns = cognitod_messaging::SnsSender::new(
                endpoint,
                &self.sms_sns_region,
                credentials,
                &tls,
            )
            .map_err(|e| anyhow::anyhow!("--sms-sns-endpoint: {e}"))?;
            senders.sms = Some(Arc::new(sns));
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
    fn sms_goes_to_a_webhook_or_to_sns_not_both() {
        let both = parse(&[
            "--sms-webhook-url",
            "http://127.0.0.1:1/sms",
            "--sms-sns-endpoint",
            "http://127.0.0.1:4566",
        ]);
        let err = both.delivery.senders().err().unwrap();
        assert!(err.to_string().contains("not both"), "{err}");

        let sns = parse(&[
            "--sms-sns-endpoint",
            "http://127.0.0.1:4566",
            "--sms-sns-access-key-id",
            "AKIDEXAMPLE",
            "--sms-sns-secret-access-key",
            "never-printed",
        ]);
        assert!(sns.delivery.senders().unwrap().sms.is_some());
        assert!(!format!("{sns:?}").contains("never-printed"));

        let bad_region = parse(&[
            "--sms-sns-endpoint",
            "http://127.0.0.1:4566",
            "--sms-sns-region",
            "nowhere",
            "--sms-sns-access-key-id",
            "AKIDEXAMPLE",
            "--sms-sns-secret-access-key",
            "secret",
        ]);
        let err = bad_region.delivery.senders().err().unwrap();
        assert!(err.to_string().contains("--sms-sns-region"), "{err}");

        let webhook = parse(&["--sms-webhook-url", "https://example.com/sms"]);
        assert!(webhook.delivery.senders().unwrap().sms.is_some());
        assert!(parse(&[]).delivery.senders().unwrap().sms.is_none());
    }

    #[test]
    fn connection_flags() {
        assert_eq!(parse(&[]).connections.limits(), ConnectionLimits::default());
        let args = parse(&[
            "--header-timeout",
            "2.5",
            "--body-timeout",
            "3s",
            "--body-min-rate",
            "2048",
            "--idle-timeout",
            "4",
            "--max-connections",
            "100",
            "--shutdown-timeout",
            "0.5",
        ]);
        let limits = args.connections.limits();
        assert_eq!(limits.header_timeout, Duration::from_millis(2500));
        assert_eq!(limits.body_timeout, Duration::from_secs(3));
        assert_eq!(limits.body_min_rate, 2048);
        assert_eq!(limits.idle_timeout, Duration::from_secs(4));
        assert_eq!(limits.max_connections, Some(100));
        assert_eq!(limits.shutdown_timeout, Duration::from_millis(500));
        for bad in ["-1", "soon", "1e30", "NaN"] {
            let parsed = Serve::try_parse_from(["serve", "--idle-timeout", bad]);
            assert!(parsed.is_err(), "{bad} accepted");
        }
        // Zero parses, and is refused with the flag's name when checked.
        let zero = parse(&["--header-timeout", "0"]).connections.limits();
        let err = zero.resolve(Some(20_000)).unwrap_err().to_string();
        assert!(err.contains("--header-timeout"), "{err}");
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
