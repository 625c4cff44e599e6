//! The AWS JSON 1.1 endpoint: `POST /` with `X-Amz-Target: <Prefix>.<Operation>`.
//!
//! Order of work for one request: target -> SigV4 (signed operations only) -> parse the body
//! once -> access scope (the pool in the member the operation uses) -> model validation ->
//! the typed operation -> encoding. Every failure is an AWS-shaped error; nothing reaches the
//! service unless all checks passed.

mod response;
mod route;

use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::Bytes;
use cognitod_crypto::Clock;
use cognitod_model::idp::{self, CognitoIdentityProvider};
use cognitod_model::{Caller, Error, ErrorCode, RequestContext};
use futures::FutureExt;
use http::Response;
use http::request::Parts;

use crate::access::{ACCOUNT, AccessKey, AccessKeys};
use crate::sigv4::{self, SignedRequest};

pub use response::{CONTENT_TYPE_JSON, error_response, internal_error, success_response};
pub use route::{IDENTITY_TARGET_PREFIX, IDP_TARGET_PREFIX, Target, route};

/// How many times a request that lost a write race runs before its error is answered.
const MAX_ATTEMPTS: u32 = 8;

pub struct JsonEndpoint<I> {
    idp: Arc<I>,
    keys: Arc<dyn AccessKeys>,
    clock: Arc<dyn Clock>,
    region: String,
    /// Accept any signature and any key, as the root caller. Local development only.
    insecure_dev: bool,
}

/// The pool a signed request acts on, read only from the member its operation uses:
/// `UserPoolId`, or the pool in `ResourceArn` (tags). A member the operation does not take is
/// never read, so it cannot choose what the key is checked against; an operation that names
/// no pool (CreateUserPool, ListUserPools, DescribeUserPoolDomain...) needs a key allowed on
/// every pool. Every other pool-bound member (ClientId, Session, tokens) is checked by the
/// operation against this pool.
fn pool_of(target: &Target, input: &serde_json::Value, region: &str) -> Option<String> {
    let Target::Idp(op) = target else {
        return None;
    };
    let member = |name: &str| {
        op.takes_member(name)
            .then(|| input.get(name).and_then(|v| v.as_str()))
            .flatten()
    };
    if op.takes_member("UserPoolId") {
        return member("UserPoolId").map(str::to_string);
    }
    let arn = member("ResourceArn")?;
    cognitod_model::user_pool_of_arn(arn, region, ACCOUNT).map(str::to_string)
}

impl<I> JsonEndpoint<I>
where
    I: CognitoIdentityProvider<Ctx = RequestContext> + 'static,
{
    pub fn new(
        idp: Arc<I>,
        keys: Arc<dyn AccessKeys>,
        clock: Arc<dyn Clock>,
        region: String,
        insecure_dev: bool,
    ) -> Self {
        Self {
            idp,
            keys,
            clock,
            region,
            insecure_dev,
        }
    }

    /// The service behind the endpoint (for routes outside the JSON protocol).
    pub fn service(&self) -> &Arc<I> {
        &self.idp
    }

    /// Answers one `POST /` request. Never panics: a failure inside an operation is answered
    /// as `InternalErrorException` and logged with the request id.
    pub async fn handle(
        &self,
        parts: &Parts,
        body: Bytes,
        source_ip: Option<IpAddr>,
    ) -> Response<Vec<u8>> {
        let request_id = cognitod_crypto::request_id();
        let outcome = AssertUnwindSafe(self.process(parts, &body, source_ip, &request_id))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                let reason = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown");
                tracing::error!(request_id, reason, "request handler panicked");
                Err(internal_error())
            });
        match outcome {
            Ok(bytes) => success_response(bytes, &request_id),
            Err(err) => {
                if matches!(
                    err.code,
                    ErrorCode::InternalErrorException | ErrorCode::InternalServerException
                ) {
                    tracing::error!(request_id, error = %err, "request failed");
                }
                error_response(&err, &request_id)
            }
        }
    }

    async fn process(
        &self,
        parts: &Parts,
        body: &[u8],
        source_ip: Option<IpAddr>,
        request_id: &str,
    ) -> Result<Vec<u8>, Error> {
        let target = route(&parts.headers)?;
        let key = if target.is_signed() {
            Some(
                self.authenticate_for(parts, body, target.signing_name())
                    .await?,
            )
        } else {
            None
        };
        let input = cognitod_model::parse_body(body)?;
        if let Some(key) = &key {
            let pool = pool_of(&target, &input, &self.region);
            if !key.allows(target.signing_name(), target.name(), pool.as_deref()) {
                return Err(key.denied(
                    target.signing_name(),
                    target.name(),
                    &self.region,
                    pool.as_deref(),
                ));
            }
        }
        let ctx = RequestContext {
            request_id: request_id.to_string(),
            caller: key.map(|k| Caller {
                access_key_id: k.id,
                is_root: k.is_root,
            }),
            source_ip,
            region: self.region.clone(),
            now_millis: self.clock.now_millis(),
        };
        match target {
            Target::Idp(op) => {
                idp::validate(op, &input)?;
                // A request whose write lost a race with another (a stale read-modify-write)
                // wrote nothing; it runs again on fresh state.
                let mut attempts = 1;
                loop {
                    let outcome = idp::dispatch(self.idp.as_ref(), &ctx, op, input.clone()).await;
                    match outcome {
                        Err(err) if err.is_stale_write() && attempts < MAX_ATTEMPTS => {
                            attempts += 1;
                        }
                        other => break other,
                    }
                }
            }
            // Identity pools are not served yet; their service plugs in here, beside `idp`.
            Target::Identity(op) => Err(Error::not_implemented(op.name())),
        }
    }

    /// Checks the SigV4 signature (service `cognito-idp`) of a request to another signed
    /// endpoint; the body is the one the signer hashed, the query string is part of the
    /// canonical request.
    pub async fn authenticate(&self, parts: &Parts, body: &[u8]) -> Result<AccessKey, Error> {
        self.authenticate_for(parts, body, "cognito-idp").await
    }

    async fn authenticate_for(
        &self,
        parts: &Parts,
        body: &[u8],
        service: &str,
    ) -> Result<AccessKey, Error> {
        if self.insecure_dev {
            let id = sigv4::parse(&parts.headers)
                .map(|auth| auth.access_key_id)
                .unwrap_or_else(|_| "insecure-dev".into());
            return Ok(AccessKey::root(id, String::new()));
        }
        let auth = sigv4::parse(&parts.headers)?;
        let key = self
            .keys
            .find(&auth.access_key_id)
            .await?
            .ok_or_else(sigv4::unrecognized_key)?;
        let request = SignedRequest {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query(),
            headers: &parts.headers,
            authority: parts.uri.authority().map(|a| a.as_str()),
            body,
        };
        sigv4::verify(
            &request,
            &auth,
            &key.secret,
            self.clock.now_millis(),
            service,
        )?;
        Ok(key)
    }
}
