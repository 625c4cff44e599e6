//! SMS through Amazon SNS (or anything speaking its API, such as LocalStack): `Publish` to a
//! phone number over the AWS Query protocol, signed with SigV4.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use cognitod_crypto::{Clock, SystemClock};

use crate::outbound_tls::{OutboundTls, describe, http_url};
use crate::{Message, Sender};

const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
const SERVICE: &str = "sns";

/// The key SNS requests are signed with.
#[derive(Clone)]
pub struct SnsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// For temporary credentials (`AWS_SESSION_TOKEN`).
    pub session_token: Option<String>,
}

impl fmt::Debug for SnsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnsCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// Sends each SMS as an SNS `Publish` with `AWS.SNS.SMS.SMSType` = `Transactional`.
pub struct SnsSender {
    endpoint: reqwest::Url,
    region: String,
    credentials: Credentials,
    http: reqwest::Client,
    /// Signatures carry the time; SNS refuses them 15 minutes off.
    clock: Arc<dyn Clock>,
}

impl SnsSender {
    /// `endpoint` is the service's base URL, e.g. `https://sns.us-east-1.amazonaws.com`.
    pub fn new(
        endpoint: &str,
        region: &str,
        credentials: SnsCredentials,
        tls: &OutboundTls,
    ) -> Result<Self, String> {
        let endpoint = http_url(endpoint, "SNS endpoint")?;
        if endpoint.query().is_some() {
            return Err("the SNS endpoint URL must not have a query".into());
        }
        if region.is_empty() {
            return Err("the SNS region is empty".into());
        }
        let credentials = Credentials::new(
            credentials.access_key_id,
            credentials.secret_access_key,
            credentials.session_token,
            None,
            "cognitod",
        );
        Ok(Self {
            endpoint,
            region: region.to_string(),
            credentials,
            http: tls.http_client()?,
            clock: Arc::new(SystemClock),
        })
    }

    /// Signs with `clock`'s time instead of the system's.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The SigV4 headers (`authorization`, `x-amz-date`, maybe `x-amz-security-token`)
    /// for a POST of `body`, signed at `now`.
    fn signature_headers(
        &self,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Vec<(String, String)>, String> {
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(SERVICE)
            .time(now)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| format!("signing: {e}"))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            self.endpoint.as_str(),
            [("content-type", CONTENT_TYPE)].into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| format!("signing: {e}"))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| format!("signing: {e}"))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect())
    }
}

/// The form body of a transactional `Publish` to `phone_number`.
fn publish_body(phone_number: &str, text: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "Publish")
        .append_pair("Version", "2010-03-31")
        .append_pair("PhoneNumber", phone_number)
        .append_pair("Message", text)
        .append_pair("MessageAttributes.entry.1.Name", "AWS.SNS.SMS.SMSType")
        .append_pair("MessageAttributes.entry.1.Value.DataType", "String")
        .append_pair(
            "MessageAttributes.entry.1.Value.StringValue",
            "Transactional",
        )
        .finish()
}

#[async_trait]
impl Sender for SnsSender {
    async fn deliver(&self, message: &Message) -> Result<(), String> {
        let body = publish_body(&message.destination, &message.body);
        let millis = u64::try_from(self.clock.now_millis()).unwrap_or(0);
        let now = UNIX_EPOCH + Duration::from_millis(millis);
        let mut request = self
            .http
            .post(self.endpoint.clone())
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE);
        for (name, value) in self.signature_headers(body.as_bytes(), now)? {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.map_err(|e| describe(&e))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| describe(&e))?;
        if status.is_success() && text.contains("<PublishResponse") {
            tracing::debug!(
                message_id = element(&text, "MessageId").unwrap_or_default(),
                "SNS accepted the SMS"
            );
            return Ok(());
        }
        match (element(&text, "Code"), element(&text, "Message")) {
            (Some(code), message) => Err(format!(
                "SNS answered {status}: {code}: {}",
                message.unwrap_or_default()
            )),
            (None, _) => Err(format!(
                "SNS answered {status} without a PublishResponse: {}",
                text.chars().take(200).collect::<String>()
            )),
        }
    }
}

/// The text of the first `<name>…</name>` in an XML document, entities decoded. Enough for
/// SNS's flat responses; not an XML parser.
fn element(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(
        xml[start..end]
            .trim()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_responses_are_read() {
        let xml = r#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>Sender</Type><Code>InvalidParameter</Code>
    <Message>Invalid parameter: PhoneNumber &amp; &lt;more&gt;</Message></Error>
  <RequestId>9d5d3b7c</RequestId></ErrorResponse>"#;
        assert_eq!(element(xml, "Code").unwrap(), "InvalidParameter");
        assert_eq!(
            element(xml, "Message").unwrap(),
            "Invalid parameter: PhoneNumber & <more>"
        );
        assert_eq!(element(xml, "MessageId"), None);
    }

    #[test]
    fn the_body_is_form_encoded() {
        assert_eq!(
            publish_body("+15555550100", "Code: 12 & 3"),
            "Action=Publish&Version=2010-03-31&PhoneNumber=%2B15555550100&Message=Code%3A+12+%26+3\
             &MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType\
             &MessageAttributes.entry.1.Value.DataType=String\
             &MessageAttributes.entry.1.Value.StringValue=Transactional"
        );
    }
}
