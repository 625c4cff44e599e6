//! Message rendering and delivery.
//!
//! Every message the server would send (invitations, verification codes) is recorded in the
//! outbox first, so it is never lost when a sender fails and so that developers can read codes
//! without a mail server. Real senders (SMTP, SMS webhooks) plug in behind the outbox.

use std::sync::Arc;

use cognitod_store::{OutboxMessage, Store, StoreError};

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
}

/// Records messages in the outbox (and, later, hands them to real senders).
pub struct Messenger {
    store: Arc<dyn Store>,
}

impl Messenger {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Records the message; returns its outbox id.
    pub async fn send(&self, message: Message, now_millis: i64) -> Result<i64, StoreError> {
        let id = self
            .store
            .push(&OutboxMessage {
                id: 0,
                pool_id: message.pool_id,
                username: message.username,
                medium: message.medium.as_str().to_string(),
                destination: message.destination,
                kind: message.kind,
                subject: message.subject,
                body: message.body,
                created_at: now_millis,
            })
            .await?;
        tracing::debug!(outbox_id = id, "message recorded in the outbox");
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
