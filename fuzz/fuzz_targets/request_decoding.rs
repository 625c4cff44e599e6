//! Decoding and validating a request body for every cognito-idp operation, exactly as the
//! JSON endpoint does before dispatch: `parse_body`, `idp::validate`, then the generated
//! `dispatch`, which deserialises into the operation's request type. The service here
//! implements no operation, so a body that decodes ends in NotImplementedException.
//!
//! Input: the first byte picks the operation (index into `ApiOperation::ALL`), the rest is
//! the body. Properties: never panics; every refusal is a SerializationException or an
//! InvalidParameterException.

#![no_main]

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use cognitod_model::idp::{self, ApiOperation, CognitoIdentityProvider};
use cognitod_model::{ErrorCode, parse_body};
use libfuzzer_sys::fuzz_target;

/// Every method keeps the trait's default: NotImplemented.
struct DecodeOnly;

impl CognitoIdentityProvider for DecodeOnly {
    type Ctx = ();
}

fn refused(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::SerializationException | ErrorCode::InvalidParameterException
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&index, body)) = data.split_first() else {
        return;
    };
    let op = ApiOperation::ALL[usize::from(index) % ApiOperation::ALL.len()];
    assert_eq!(ApiOperation::from_name(op.name()), Some(op));

    let input = match parse_body(body) {
        Ok(input) => input,
        Err(e) => {
            assert_eq!(e.code, ErrorCode::SerializationException, "{e}");
            return;
        }
    };
    if let Err(e) = idp::validate(op, &input) {
        assert!(refused(e.code), "{}: validate answered {e}", op.name());
        return;
    }
    // Nothing in decoding waits, so one poll finishes it.
    let mut call = pin!(idp::dispatch(&DecodeOnly, &(), op, input));
    let Poll::Ready(outcome) = call.as_mut().poll(&mut Context::from_waker(Waker::noop())) else {
        panic!("{}: decoding a request never waits", op.name());
    };
    match outcome {
        Ok(_) => panic!("{}: no operation is implemented here", op.name()),
        Err(e) if e.code == ErrorCode::NotImplementedException => {}
        Err(e) => assert!(refused(e.code), "{}: decoding answered {e}", op.name()),
    }
});
