//! Domain error constructors with Cognito's wording, and store error mapping.

use cognitod_model::{Error, ErrorCode};
use cognitod_store::StoreError;

pub(crate) fn invalid_parameter(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidParameterException, message)
}

pub(crate) fn internal(err: impl std::fmt::Display) -> Error {
    tracing::error!(error = %err, "internal error");
    Error::new(ErrorCode::InternalErrorException, "Internal server error.")
}

/// Maps a store failure that the caller did not handle itself.
pub(crate) fn store(err: StoreError) -> Error {
    match err {
        StoreError::Stale => Error::stale_write(),
        other => internal(other),
    }
}
