//! Message rendering and delivery.
//!
//! Every message the server would send (invitations, verification codes) is recorded in the
//! outbox first, so it is never lost when a sender fails and so that developers can read codes
//! without a mail server. Real senders (SMTP, SMS webhooks, SNS) plug in behind the outbox.
//!
//! Bodies hold codes and temporary passwords, so they are sealed with the master key at rest
//! and opened only for an administrator's listing.

mod outbound_tls;
mod senders;
mod sns;

use std::sync::Arc;

pub use outbound_tls::OutboundTls;
pub use senders::{Sender, Senders, SmtpSender, WebhookSender};
pub use sns::{SnsCredentials, SnsSender};

use cognitod_crypto::MasterKey;
use cognitod_store::{OutboxMessage, Store, StoreError};

/// Marks a sealed body in the store.
const SEALED_PREFIX: &str = "sealed:";

fn body_aad(pool_id: &str, username: &str) -> Vec<u8> {
    format!("outbox-body:{pool_id}:{username}").into_bytes()
}

/// Seals a message body for the store.
pub fn seal_body(key: &MasterKey, pool_id: &str, username: &str, body: &str) -> String {
    let sealed = key.seal_to_string(body.as_bytes(), &body_aad(pool_id, username));
    format!("{SEALED_PREFIX}{sealed}")
}

/// Opens the bodies of stored messages (a body sealed under another key shows as such).
pub fn open_messages(key: &MasterKey, messages: Vec<OutboxMessage>) -> Vec<OutboxMessage> {
    messages
        .into_iter()
        .map(|mut message| {
            if let Some(sealed) = message.body.strip_prefix(SEALED_PREFIX) {
                message.body = key
                    .open_str(sealed, &body_aad(&message.pool_id, &message.username))
                    .ok()
                    .and_then(|plain| String::from_utf8(plain).ok())
                    .unwrap_or_else(|| "<sealed with another master key>".to_string());
            }
            message
        })
        .collect()
}

/// How a message reaches its recipient, as Cognito's `DeliveryMediumType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    Email,
    Sms,
}

impl Medium {
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Email => "EMAIL",
            Medium::Sms => "SMS",
        }
    }
}

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Message {
    pub pool_id: String,
    pub username: String,
    pub medium: Medium,
    pub destination: String,
    /// What the message is for, e.g. `Invitation` or `SignUpCode`.
    pub kind: String,
    pub subject: Option<String>,
    pub body: String,
    /// The sender address (the pool's EmailConfiguration.From); the server's default if None.
    pub from: Option<String>,
}

/// Records messages in the outbox (and, later, hands them to real senders).
pub struct Messenger {
    store: Arc<dyn Store>,
    master_key: Arc<MasterKey>,
    senders: Senders,
}

impl Messenger {
    /// A messenger that only records (the outbox is the delivery).
    pub fn new(store: Arc<dyn Store>, master_key: Arc<MasterKey>) -> Self {
        Self::with_senders(store, master_key, Senders::default())
    }

    pub fn with_senders(
        store: Arc<dyn Store>,
        master_key: Arc<MasterKey>,
        senders: Senders,
    ) -> Self {
        Self {
            store,
            master_key,
            senders,
        }
    }

    /// Recorded messages, oldest first, with their bodies opened.
    pub async fn list(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
        after_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let messages = self.store.list(pool_id, username, after_id, limit).await?;
        Ok(open_messages(&self.master_key, messages))
    }

    /// Records the message, then hands it to the medium's sender in the background (the
    /// caller never waits for a mail server); returns its outbox id.
    pub async fn send(&self, message: Message, now_millis: i64) -> Result<i64, StoreError> {
        let delivery = self
            .senders
            .for_medium(message.medium)
            .map(|sender| (sender, message.clone()));
        let id = self
            .store
            .push(&OutboxMessage {
                id: 0,
                body: seal_body(
                    &self.master_key,
                    &message.pool_id,
                    &message.username,
                    &message.body,
                ),
                pool_id: message.pool_id,
                username: message.username,
                medium: message.medium.as_str().to_string(),
                destination: message.destination,
                kind: message.kind,
                subject: message.subject,
                created_at: now_millis,
            })
            .await?;
        tracing::debug!(outbox_id = id, "message recorded in the outbox");
        if let Some((sender, message)) = delivery {
            tokio::spawn(async move {
                match sender.deliver(&message).await {
                    Ok(()) => {
                        tracing::info!(outbox_id = id, kind = %message.kind, "message delivered")
                    }
                    // The outbox keeps the message: an operator can still read the code.
                    Err(err) => tracing::warn!(outbox_id = id, error = %err, "delivery failed"),
                }
            });
        }
        Ok(id)
    }
}

/// Replaces Cognito's placeholders `{username}` and `{####}` in a template.
pub fn render(template: &str, username: &str, code: &str) -> String {
    template
        .replace("{username}", username)
        .replace("{####}", code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_replaces_both_placeholders() {
        assert_eq!(
            render(
                "Hi {username}, your code is {####}. {####}",
                "ana",
                "123456"
            ),
            "Hi ana, your code is 123456. 123456"
        );
    }
}
