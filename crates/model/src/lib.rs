//! The wire layer of the Cognito APIs: types, errors and validation generated from the
//! service models (`generated/`), plus the small runtime they need. No domain logic.

mod generated;
mod resources;
pub mod validate;

use std::net::IpAddr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use generated::errors::ErrorCode;
pub use generated::{identity, idp, sync};
pub use resources::user_pool_of_arn;

/// A wire error: its `__type` and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn not_implemented(operation: &str) -> Self {
        Self::new(
            ErrorCode::NotImplementedException,
            format!("cognitod does not implement {operation} yet"),
        )
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::SerializationException, message)
    }

    /// A write found its record changed since it was read. The protocol layer runs such a
    /// request again from the start; only a request that keeps losing sees this error, as
    /// the internal error every operation lists (a 500, which the SDKs retry).
    pub fn stale_write() -> Self {
        Self::new(ErrorCode::InternalErrorException, STALE_WRITE_MESSAGE)
    }

    pub fn is_stale_write(&self) -> bool {
        self.code == ErrorCode::InternalErrorException && self.message == STALE_WRITE_MESSAGE
    }
}

const STALE_WRITE_MESSAGE: &str = "The resource was changed by a concurrent request; try again.";

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

/// Message for an error an operation's model does not list. That is a server bug: debug
/// builds panic so tests catch it; release builds answer it as the operation's internal error.
pub fn unlisted_error(operation: &str, err: &Error) -> String {
    if cfg!(debug_assertions) {
        panic!(
            "{operation} does not list {} in its model: {err}",
            err.code.as_str()
        );
    }
    format!("Unexpected error in {operation}: {err}")
}

/// Stands in for a sensitive value in `Debug` output.
#[doc(hidden)]
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

/// A point in time: epoch milliseconds inside, epoch seconds (with fraction) on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 1000 == 0 {
            serializer.serialize_i64(self.0 / 1000)
        } else {
            serializer.serialize_f64(self.0 as f64 / 1000.0)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        Ok(Self((seconds * 1000.0).round() as i64))
    }
}

/// Binary data: base64 on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::Engine;
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use base64::Engine;
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Blob)
            .map_err(serde::de::Error::custom)
    }
}

/// Who is calling, once SigV4 has been checked.
#[derive(Debug, Clone)]
pub struct Caller {
    pub access_key_id: String,
    pub is_root: bool,
}

/// Per-request facts every operation may need.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    /// The verified signer of a signed operation; None for unsigned operations.
    pub caller: Option<Caller>,
    pub source_ip: Option<IpAddr>,
    pub region: String,
    pub now_millis: i64,
}

/// Parses a request body: empty means `{}`; anything but a JSON object is refused.
pub fn parse_body(body: &[u8]) -> Result<serde_json::Value, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::serialization(format!("Malformed request body: {e}")))?;
    if !value.is_object() {
        return Err(Error::serialization(
            "Malformed request body: expected a JSON object at the top level",
        ));
    }
    Ok(value)
}

/// Deserialises a validated request into its typed input.
pub fn decode_input<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, Error> {
    serde_json::from_value(value)
        .map_err(|e| Error::serialization(format!("Unable to read the request: {e}")))
}

/// Serialises an operation's answer (`()` becomes `{}`).
pub fn encode_output<T: Serialize>(output: &T) -> Result<Vec<u8>, Error> {
    let value = serde_json::to_value(output).map_err(|e| {
        Error::new(
            ErrorCode::InternalErrorException,
            format!("Unable to encode the response: {e}"),
        )
    })?;
    let value = if value.is_null() {
        serde_json::Value::Object(Default::default())
    } else {
        value
    };
    Ok(serde_json::to_vec(&value).expect("a JSON value always serialises"))
}
