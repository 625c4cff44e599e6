//! The real senders against local stand-ins: a minimal SMTP server, HTTP and HTTPS webhooks,
//! a fake SNS that checks signatures with our own SigV4 verifier, and the Messenger's promise
//! that the outbox keeps every message whatever the sender does.

use std::sync::Arc;
use std::time::Duration;

use cognitod_crypto::MasterKey;
use cognitod_messaging::{
    Medium, Message, Messenger, OutboundTls, Sender, Senders, SmtpSender, WebhookSender,
};
use cognitod_store::Store;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

fn message(medium: Medium, destination: &str) -> Message {
    Message {
        pool_id: "us-east-1_pool".into(),
        username: "ana".into(),
        medium,
        destination: destination.into(),
        kind: "SignUp".into(),
        subject: Some("Your verification code".into()),
        body: "Your verification code is 123456. ".into(),
        from: None,
    }
}

/// Accepts SMTP sessions and sends each transcript (commands and data) down the channel.
async fn fake_smtp() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                let mut transcript = String::new();
                write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut in_data = false;
                loop {
                    let mut line = String::new();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        break;
                    }
                    transcript.push_str(&line);
                    let reply: &[u8] = if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            b"250 queued\r\n"
                        } else {
                            continue;
                        }
                    } else {
                        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                        match verb.as_str() {
                            "EHLO" | "HELO" => b"250-fake\r\n250 8BITMIME\r\n",
                            "DATA" => {
                                in_data = true;
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.unwrap();
                                break;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    write.write_all(reply).await.unwrap();
                }
                let _ = tx.send(transcript);
            });
        }
    });
    (port, rx)
}

/// Accepts HTTP requests, answers `status`, and sends each request's body down the channel.
async fn fake_webhook(status: u16) -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let n = stream.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break String::new();
                }
                buffer.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buffer).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break body.to_string();
                    }
                }
            };
            let reply =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = tx.send(body);
        }
    });
    (url, rx)
}

/// Outbound TLS that trusts nothing: enough for plain-http stand-ins.
fn no_roots() -> OutboundTls {
    OutboundTls::with_roots(rustls::RootCertStore::empty(), Vec::new()).unwrap()
}

async fn next(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("the stand-in received something in time")
        .expect("a transcript")
}

#[tokio::test]
async fn smtp_delivers_the_message_with_the_pool_or_default_sender() {
    let (port, mut rx) = fake_smtp().await;
    let smtp = SmtpSender::new(
        &format!("smtp://127.0.0.1:{port}"),
        "cognitod <no-reply@localhost>",
    )
    .unwrap();
    smtp.deliver(&message(Medium::Email, "ana@example.com"))
        .await
        .unwrap();
    let transcript = next(&mut rx).await;
    assert!(
        transcript.contains("MAIL FROM:<no-reply@localhost>"),
        "{transcript}"
    );
    assert!(
        transcript.contains("RCPT TO:<ana@example.com>"),
        "{transcript}"
    );
    assert!(
        transcript.contains("Subject: Your verification code"),
        "{transcript}"
    );
    assert!(
        transcript.contains("Your verification code is 123456."),
        "{transcript}"
    );

    let mut from_pool = message(Medium::Email, "ana@example.com");
    from_pool.from = Some("Pool <pool@example.org>".into());
    smtp.deliver(&from_pool).await.unwrap();
    assert!(next(&mut rx).await.contains("MAIL FROM:<pool@example.org>"));

    assert!(SmtpSender::new("ftp://nowhere", "a@b.c").is_err());
    assert!(SmtpSender::new("smtp://127.0.0.1:25", "not an address").is_err());
}

#[tokio::test]
async fn the_webhook_gets_the_sms_as_json() {
    let (url, mut rx) = fake_webhook(200).await;
    let webhook = WebhookSender::new(&url, &no_roots()).unwrap();
    webhook
        .deliver(&message(Medium::Sms, "+15555550100"))
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&next(&mut rx).await).unwrap();
    assert_eq!(body["phoneNumber"], "+15555550100");
    assert_eq!(body["message"], "Your verification code is 123456. ");
    assert_eq!(body["userPoolId"], "us-east-1_pool");
    assert_eq!(body["kind"], "SignUp");

    let (failing, _rx) = fake_webhook(500).await;
    let err = WebhookSender::new(&failing, &no_roots())
        .unwrap()
        .deliver(&message(Medium::Sms, "+1"))
        .await;
    assert!(err.unwrap_err().contains("500"));
    assert!(WebhookSender::new("ftp://example.com/sms", &no_roots()).is_err());
}

#[tokio::test]
async fn the_outbox_keeps_messages_whatever_the_sender_does() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(
        cognitod_store_sqlite::SqliteStore::open(&dir.path().join("s.db"))
            .await
            .unwrap(),
    );
    let key = Arc::new(MasterKey::generate());
    let (port, mut rx) = fake_smtp().await;
    // SMS goes to a port nobody listens on: delivery fails, the outbox still has it.
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}/sms", dead.local_addr().unwrap());
    drop(dead);
    let senders = Senders {
        email: Some(Arc::new(
            SmtpSender::new(&format!("smtp://127.0.0.1:{port}"), "x <x@localhost>").unwrap(),
        )),
        sms: Some(Arc::new(
            WebhookSender::new(&dead_url, &no_roots()).unwrap(),
        )),
    };
    let messenger = Messenger::with_senders(store.clone(), key.clone(), senders);
    messenger
        .send(message(Medium::Email, "ana@example.com"), 1)
        .await
        .unwrap();
    messenger
        .send(message(Medium::Sms, "+15555550100"), 2)
        .await
        .unwrap();
    assert!(next(&mut rx).await.contains("123456"));
    let listed = messenger
        .list(Some("us-east-1_pool"), None, None, 10)
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|m| m.body.contains("123456")));
    // At rest the bodies are sealed.
    let raw = store
        .list(Some("us-east-1_pool"), None, None, 10)
        .await
        .unwrap();
    assert!(raw.iter().all(|m| !m.body.contains("123456")));
}

/// A fresh CA and a rustls server configuration for `127.0.0.1` with a certificate it signed;
/// returns the CA's PEM and the configuration.
fn tls_server_signed_by_a_new_ca() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SanType};

    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let ca_pem = ca_params.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.subject_alt_names = vec![SanType::IpAddress([127, 0, 0, 1].into())];
    let cert = params.signed_by(&key, &issuer).unwrap();
    let key_der = rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.der().clone()], key_der.into())
    .unwrap();
    (ca_pem, Arc::new(config))
}

/// TLS over TCP for axum; connections whose handshake fails are dropped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, peer)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, peer);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// An https webhook on 127.0.0.1 whose certificate a new CA signed; returns its URL, the CA
/// (PEM) and the request bodies it receives.
async fn https_webhook() -> (String, String, mpsc::UnboundedReceiver<String>) {
    let (ca_pem, config) = tls_server_signed_by_a_new_ca();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/sms", tcp.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |body: String| async move {
            let _ = tx.send(body);
            http::StatusCode::NO_CONTENT
        }),
    );
    let listener = TlsListener {
        tcp,
        acceptor: tokio_rustls::TlsAcceptor::from(config),
    };
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, ca_pem, rx)
}

#[tokio::test]
async fn an_https_webhook_is_reached_when_its_ca_is_trusted_and_refused_otherwise() {
    let (url, ca_pem, mut rx) = https_webhook().await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();

    let trusting = OutboundTls::new(Some(&ca_file)).unwrap();
    WebhookSender::new(&url, &trusting)
        .unwrap()
        .deliver(&message(Medium::Sms, "+15555550100"))
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&next(&mut rx).await).unwrap();
    assert_eq!(body["phoneNumber"], "+15555550100");
    assert_eq!(body["message"], "Your verification code is 123456. ");
    assert_eq!(body["username"], "ana");

    // The system's roots alone do not know this CA.
    let err = WebhookSender::new(&url, &OutboundTls::new(None).unwrap())
        .unwrap()
        .deliver(&message(Medium::Sms, "+15555550100"))
        .await
        .unwrap_err();
    assert!(err.contains("UnknownIssuer"), "{err}");
    assert!(rx.try_recv().is_err(), "nothing arrived without trust");
}

mod sns {
    use std::collections::HashMap;

    use axum::body::Bytes;
    use axum::extract::State;
    use cognitod_crypto::{Clock, ManualClock, SystemClock};
    use cognitod_messaging::{SnsCredentials, SnsSender};
    use cognitod_protocol::sigv4::{self, SignedRequest};
    use http::{HeaderMap, Method, StatusCode, Uri};

    use super::*;

    const KEY_ID: &str = "AKIAFAKESNSKEY000001";
    const SECRET: &str = "fakeSnsSecretKeyfakeSnsSecretKey00000001";
    const REGION: &str = "eu-west-1";

    /// What the fake SNS accepted: the form fields and the request headers.
    type Published = (HashMap<String, String>, HeaderMap);

    fn error_response(
        status: StatusCode,
        kind: &str,
        code: &str,
        message: &str,
    ) -> (StatusCode, String) {
        (
            status,
            format!(
                "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n  \
                 <Error>\n    <Type>{kind}</Type>\n    <Code>{code}</Code>\n    \
                 <Message>{message}</Message>\n  </Error>\n  \
                 <RequestId>b3f5d5e2-0b6f-5d1b-9c7a-1f6a8e2b7c4d</RequestId>\n</ErrorResponse>\n"
            ),
        )
    }

    /// SNS `Publish` as AWS answers it, after checking the signature with our verifier.
    async fn publish(
        State(tx): State<mpsc::UnboundedSender<Published>>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, String) {
        let now = SystemClock.now_millis();
        let request = SignedRequest {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query(),
            headers: &headers,
            authority: None,
            body: &body,
        };
        let checked = sigv4::parse(&headers).and_then(|auth| {
            if auth.access_key_id != KEY_ID || auth.region != REGION {
                return Err(sigv4::unrecognized_key());
            }
            sigv4::verify(&request, &auth, SECRET, now, "sns")
        });
        if let Err(err) = checked {
            return error_response(
                StatusCode::FORBIDDEN,
                "Sender",
                "SignatureDoesNotMatch",
                &err.message,
            );
        }
        let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
        let phone = form.get("PhoneNumber").cloned().unwrap_or_default();
        if !phone.starts_with('+') {
            return error_response(
                StatusCode::BAD_REQUEST,
                "Sender",
                "InvalidParameter",
                &format!(
                    "Invalid parameter: PhoneNumber Reason: {phone} is not valid to publish to"
                ),
            );
        }
        let _ = tx.send((form, headers));
        (
            StatusCode::OK,
            "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n  \
             <PublishResult>\n    <MessageId>5b8a3f6e-2c1d-5e4f-9a8b-7c6d5e4f3a2b</MessageId>\n  \
             </PublishResult>\n  <ResponseMetadata>\n    \
             <RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId>\n  \
             </ResponseMetadata>\n</PublishResponse>\n"
                .to_string(),
        )
    }

    async fn fake_sns() -> (String, mpsc::UnboundedReceiver<Published>) {
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", tcp.local_addr().unwrap());
        let (tx, rx) = mpsc::unbounded_channel();
        let app = axum::Router::new()
            .route("/", axum::routing::post(publish))
            .with_state(tx);
        tokio::spawn(async move { axum::serve(tcp, app).await });
        (endpoint, rx)
    }

    fn sender(endpoint: &str, secret: &str, session_token: Option<&str>) -> SnsSender {
        let credentials = SnsCredentials {
            access_key_id: KEY_ID.into(),
            secret_access_key: secret.into(),
            session_token: session_token.map(str::to_string),
        };
        SnsSender::new(endpoint, REGION, credentials, &no_roots()).unwrap()
    }

    async fn published(rx: &mut mpsc::UnboundedReceiver<Published>) -> Published {
        tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn sns_publish_is_signed_and_carries_a_transactional_sms() {
        let (endpoint, mut rx) = fake_sns().await;
        let mut sms = message(Medium::Sms, "+15555550100");
        sms.body = "Code: 123456 & welcome, ana!".into();
        sender(&endpoint, SECRET, None).deliver(&sms).await.unwrap();
        let (form, headers) = published(&mut rx).await;
        assert_eq!(form["Action"], "Publish");
        assert_eq!(form["Version"], "2010-03-31");
        assert_eq!(form["PhoneNumber"], "+15555550100");
        assert_eq!(form["Message"], "Code: 123456 & welcome, ana!");
        assert_eq!(
            form["MessageAttributes.entry.1.Name"],
            "AWS.SNS.SMS.SMSType"
        );
        assert_eq!(form["MessageAttributes.entry.1.Value.DataType"], "String");
        assert_eq!(
            form["MessageAttributes.entry.1.Value.StringValue"],
            "Transactional"
        );
        assert_eq!(
            headers["content-type"],
            "application/x-www-form-urlencoded; charset=utf-8"
        );

        // Temporary credentials: the session token travels, signed.
        sender(&endpoint, SECRET, Some("session-token-1"))
            .deliver(&message(Medium::Sms, "+15555550101"))
            .await
            .unwrap();
        let (form, headers) = published(&mut rx).await;
        assert_eq!(form["PhoneNumber"], "+15555550101");
        assert_eq!(headers["x-amz-security-token"], "session-token-1");
        let auth = sigv4::parse(&headers).unwrap();
        assert!(
            auth.signed_headers
                .iter()
                .any(|h| h == "x-amz-security-token")
        );
    }

    #[tokio::test]
    async fn sns_errors_carry_the_code_and_message() {
        let (endpoint, mut rx) = fake_sns().await;
        let err = sender(&endpoint, SECRET, None)
            .deliver(&message(Medium::Sms, "555-0100"))
            .await
            .unwrap_err();
        assert!(err.contains("400"), "{err}");
        assert!(err.contains("InvalidParameter"), "{err}");
        assert!(
            err.contains("Invalid parameter: PhoneNumber Reason: 555-0100 is not valid"),
            "{err}"
        );

        let err = sender(&endpoint, "not-the-secret", None)
            .deliver(&message(Medium::Sms, "+15555550100"))
            .await
            .unwrap_err();
        assert!(err.contains("403"), "{err}");
        assert!(err.contains("SignatureDoesNotMatch"), "{err}");

        // A signer whose clock is an hour slow is refused by the verifier's skew check.
        let slow = Arc::new(ManualClock::new(SystemClock.now_millis() - 3_600_000));
        let err = sender(&endpoint, SECRET, None)
            .with_clock(slow)
            .deliver(&message(Medium::Sms, "+15555550100"))
            .await
            .unwrap_err();
        assert!(err.contains("Signature expired"), "{err}");
        assert!(rx.try_recv().is_err(), "nothing was published");

        // Nobody listening is an error too, not a hang.
        let dead = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let dead_endpoint = format!("http://{}", dead.local_addr().unwrap());
        drop(dead);
        assert!(
            sender(&dead_endpoint, SECRET, None)
                .deliver(&message(Medium::Sms, "+15555550100"))
                .await
                .is_err()
        );
        let credentials = SnsCredentials {
            access_key_id: KEY_ID.into(),
            secret_access_key: SECRET.into(),
            session_token: None,
        };
        assert!(SnsSender::new("sns.amazonaws.com", REGION, credentials, &no_roots()).is_err());
    }
}
