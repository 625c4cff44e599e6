//! Real delivery behind the outbox: email over SMTP, SMS through an HTTP webhook (SNS is in
//! `sns`).
//!
//! A message is recorded in the outbox before any sender sees it, so a sender that fails or
//! hangs never loses the user or the code: the failure is logged and the outbox keeps it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::outbound_tls::{OutboundTls, describe, http_url};
use crate::{Medium, Message};

/// Delivers one message to its recipient.
#[async_trait]
pub trait Sender: Send + Sync {
    async fn deliver(&self, message: &Message) -> Result<(), String>;
}

/// The senders a server has, by medium; a medium without one is outbox-only.
#[derive(Clone, Default)]
pub struct Senders {
    pub email: Option<Arc<dyn Sender>>,
    pub sms: Option<Arc<dyn Sender>>,
}

impl Senders {
    pub(crate) fn for_medium(&self, medium: Medium) -> Option<Arc<dyn Sender>> {
        match medium {
            Medium::Email => self.email.clone(),
            Medium::Sms => self.sms.clone(),
        }
    }
}

/// Email over SMTP. The URL is lettre's: `smtp://host:port` (plain; `?tls=required` for
/// STARTTLS), `smtps://host:465` (implicit TLS), with optional `user:password@` credentials.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    default_from: Mailbox,
}

impl SmtpSender {
    pub fn new(url: &str, default_from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("invalid SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let default_from = default_from
            .parse()
            .map_err(|e| format!("invalid sender address {default_from:?}: {e}"))?;
        Ok(Self {
            transport,
            default_from,
        })
    }
}

#[async_trait]
impl Sender for SmtpSender {
    async fn deliver(&self, message: &Message) -> Result<(), String> {
        let from = match &message.from {
            Some(from) => from
                .parse()
                .map_err(|e| format!("invalid From {from:?}: {e}"))?,
            None => self.default_from.clone(),
        };
        let to: Mailbox = message
            .destination
            .parse()
            .map_err(|e| format!("invalid recipient: {e}"))?;
        let email = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(message.subject.clone().unwrap_or_default())
            .body(message.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// SMS through an HTTP(S) webhook: a POST of
/// `{"phoneNumber", "message", "userPoolId", "username", "kind"}` as JSON; any 2xx is success.
pub struct WebhookSender {
    url: reqwest::Url,
    http: reqwest::Client,
}

impl WebhookSender {
    pub fn new(url: &str, tls: &OutboundTls) -> Result<Self, String> {
        Ok(Self {
            url: http_url(url, "webhook")?,
            http: tls.http_client()?,
        })
    }
}

#[async_trait]
impl Sender for WebhookSender {
    async fn deliver(&self, message: &Message) -> Result<(), String> {
        let body = serde_json::json!({
            "phoneNumber": message.destination,
            "message": message.body,
            "userPoolId": message.pool_id,
            "username": message.username,
            "kind": message.kind,
        });
        let response = self
            .http
            .post(self.url.clone())
            .json(&body)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("the webhook answered {}", response.status()))
        }
    }
}
