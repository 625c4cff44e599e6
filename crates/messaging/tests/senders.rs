//! The real senders against local stand-ins: a minimal SMTP server and an HTTP webhook, and
//! the Messenger's promise that the outbox keeps every message whatever the sender does.

use std::sync::Arc;
use std::time::Duration;

use cognitod_crypto::MasterKey;
use cognitod_messaging::{Medium, Message, Messenger, Sender, Senders, SmtpSender, WebhookSender};
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
    let webhook = WebhookSender::new(&url).unwrap();
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
    let err = WebhookSender::new(&failing)
        .unwrap()
        .deliver(&message(Medium::Sms, "+1"))
        .await;
    assert!(err.unwrap_err().contains("500"));
    assert!(WebhookSender::new("https://example.com/sms").is_err());
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
        sms: Some(Arc::new(WebhookSender::new(&dead_url).unwrap())),
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
