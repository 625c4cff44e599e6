//! The AWS JSON 1.1 endpoint, end to end below HTTP: framing, SigV4 with signatures made by
//! `aws-sigv4`, access scoping, dispatch and error encoding, byte for byte.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use cognitod_crypto::ManualClock;
use cognitod_model::idp::{
    AdminGetUserError, AdminGetUserRequest, AdminGetUserResponse, CognitoIdentityProvider,
    GetUserError, GetUserRequest, GetUserResponse, ListUsersError, ListUsersRequest,
    ListUsersResponse, TagResourceError, TagResourceRequest, TagResourceResponse,
};
use cognitod_model::{Error, RequestContext};
use cognitod_protocol::access::{AccessKey, AccessKeys};
use cognitod_protocol::json::JsonEndpoint;
use http::Response;

const REGION: &str = "us-east-1";
const ROOT_ID: &str = "AKIAROOTROOTROOTROOT";
const ROOT_SECRET: &str = "rootsecretrootsecretrootsecretrootsecret";
const SCOPED_ID: &str = "AKIASCOPEDSCOPEDSCOP";
const SCOPED_SECRET: &str = "scopedsecretscopedsecretscopedsecretscop";
/// 2023-11-14T22:13:20Z.
const T0: u64 = 1_700_000_000;
const POOL: &str = "us-east-1_Pool12345";
const MISMATCH: &str = "The request signature we calculated does not match the signature you \
                        provided. Check your AWS Secret Access Key and signing method. Consult \
                        the service documentation for details.";

/// One call the fake service saw: operation and caller.
type Call = (&'static str, Option<(String, bool)>);

#[derive(Default)]
struct FakeIdp {
    calls: Mutex<Vec<Call>>,
}

impl FakeIdp {
    fn record(&self, op: &'static str, ctx: &RequestContext) {
        let caller = ctx
            .caller
            .as_ref()
            .map(|c| (c.access_key_id.clone(), c.is_root));
        self.calls.lock().unwrap().push((op, caller));
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl CognitoIdentityProvider for FakeIdp {
    type Ctx = RequestContext;

    async fn list_users(
        &self,
        ctx: &RequestContext,
        input: ListUsersRequest,
    ) -> Result<ListUsersResponse, ListUsersError> {
        self.record("ListUsers", ctx);
        if input.user_pool_id != POOL {
            return Err(ListUsersError::ResourceNotFoundException(
                "User pool us-east-1_Missing12 does not exist.".into(),
            ));
        }
        Ok(ListUsersResponse {
            users: Some(vec![]),
            pagination_token: None,
        })
    }

    async fn get_user(
        &self,
        ctx: &RequestContext,
        input: GetUserRequest,
    ) -> Result<GetUserResponse, GetUserError> {
        self.record("GetUser", ctx);
        if input.access_token != "good.token" {
            return Err(GetUserError::NotAuthorizedException(
                "Invalid Access Token".into(),
            ));
        }
        Ok(GetUserResponse {
            username: "ana".into(),
            ..Default::default()
        })
    }

    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        _input: TagResourceRequest,
    ) -> Result<TagResourceResponse, TagResourceError> {
        self.record("TagResource", ctx);
        Ok(TagResourceResponse {})
    }

    async fn admin_get_user(
        &self,
        ctx: &RequestContext,
        _input: AdminGetUserRequest,
    ) -> Result<AdminGetUserResponse, AdminGetUserError> {
        self.record("AdminGetUser", ctx);
        panic!("a bug in an operation");
    }
}

struct Keys(HashMap<String, AccessKey>);

#[async_trait]
impl AccessKeys for Keys {
    async fn find(&self, access_key_id: &str) -> Result<Option<AccessKey>, Error> {
        Ok(self.0.get(access_key_id).cloned())
    }
}

struct Fixture {
    idp: Arc<FakeIdp>,
    endpoint: JsonEndpoint<FakeIdp>,
}

fn fixture(insecure_dev: bool) -> Fixture {
    let idp = Arc::new(FakeIdp::default());
    let scoped = AccessKey {
        id: SCOPED_ID.into(),
        secret: SCOPED_SECRET.into(),
        allowed_actions: vec!["List*".into(), "cognito-idp:TagResource".into()],
        pool_ids: vec![POOL.into()],
        is_root: false,
    };
    let keys = Keys(HashMap::from([
        (
            ROOT_ID.to_string(),
            AccessKey::root(ROOT_ID.into(), ROOT_SECRET.into()),
        ),
        (SCOPED_ID.to_string(), scoped),
    ]));
    let clock = Arc::new(ManualClock::new((T0 * 1000) as i64 + 30_000));
    let endpoint = JsonEndpoint::new(
        idp.clone(),
        Arc::new(keys),
        clock,
        REGION.into(),
        insecure_dev,
    );
    Fixture { idp, endpoint }
}

/// A request as an SDK sends it; signed with `key` when given.
fn request(target: &str, body: &str, key: Option<(&str, &str)>) -> http::request::Parts {
    let base = vec![
        ("host".to_string(), "localhost:9229".to_string()),
        (
            "content-type".to_string(),
            "application/x-amz-json-1.1".to_string(),
        ),
        (
            "x-amz-target".to_string(),
            format!("AWSCognitoIdentityProviderService.{target}"),
        ),
    ];
    let mut headers = base.clone();
    if let Some((id, secret)) = key {
        let identity = Credentials::new(id, secret, None, None, "test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(REGION)
            .name("cognito-idp")
            .time(UNIX_EPOCH + Duration::from_secs(T0))
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let signable = SignableRequest::new(
            "POST",
            "http://localhost:9229/",
            base.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let (added, _) = instructions.into_parts();
        for h in added {
            headers.push((h.name().to_string(), h.value().to_string()));
        }
    }
    let mut builder = http::Request::builder().method("POST").uri("/");
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    builder.body(()).unwrap().into_parts().0
}

async fn call(f: &Fixture, parts: &http::request::Parts, body: &str) -> Response<Vec<u8>> {
    f.endpoint
        .handle(parts, Bytes::from(body.to_string()), None)
        .await
}

fn text(response: &Response<Vec<u8>>) -> &str {
    std::str::from_utf8(response.body()).unwrap()
}

/// Asserts an AWS error response: status, body bytes and every error header.
fn assert_error(response: &Response<Vec<u8>>, status: u16, code: &str, message: &str) {
    assert_eq!(response.status(), status, "{}", text(response));
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    assert_eq!(text(response), body);
    let h = response.headers();
    assert_eq!(h["content-type"], "application/x-amz-json-1.1");
    assert_eq!(h["x-amzn-errortype"], format!("{code}:").as_str());
    assert_eq!(h["x-amzn-errormessage"], message);
    assert_request_id(response);
}

fn assert_request_id(response: &Response<Vec<u8>>) {
    let id = response.headers()["x-amzn-requestid"].to_str().unwrap();
    let dashes: Vec<usize> = id.match_indices('-').map(|(i, _)| i).collect();
    assert_eq!((id.len(), dashes), (36, vec![8, 13, 18, 23]), "{id}");
    assert_eq!(&id[14..15], "4", "{id}");
}

const LIST_USERS: &str = r#"{"UserPoolId":"us-east-1_Pool12345"}"#;

#[tokio::test]
async fn unsigned_operations_need_no_signature_and_ignore_other_authorization() {
    let f = fixture(false);
    let body = r#"{"AccessToken":"good.token"}"#;
    let response = call(&f, &request("GetUser", body, None), body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(text(&response), r#"{"UserAttributes":[],"Username":"ana"}"#);
    assert_eq!(
        response.headers()["content-type"],
        "application/x-amz-json-1.1"
    );
    assert_request_id(&response);

    // pycognito sends a bearer token on some unsigned calls.
    let mut parts = request("GetUser", body, None);
    parts
        .headers
        .insert("authorization", "Bearer good.token".parse().unwrap());
    let response = call(&f, &parts, body).await;
    assert_eq!(response.status(), 200);

    // A stale SigV4 signature on an unsigned call is not checked either.
    let parts = request(
        "GetUser",
        r#"{"AccessToken":"other"}"#,
        Some(("AKIAX", "x")),
    );
    let response = call(&f, &parts, body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(f.idp.calls(), vec![("GetUser", None); 3]);
}

#[tokio::test]
async fn a_signed_operation_without_a_signature_is_refused() {
    let f = fixture(false);
    let response = call(&f, &request("ListUsers", LIST_USERS, None), LIST_USERS).await;
    assert_error(
        &response,
        400,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    );
    assert!(f.idp.calls().is_empty());
}

#[tokio::test]
async fn a_valid_signature_reaches_the_service_with_its_caller() {
    let f = fixture(false);
    let parts = request("ListUsers", LIST_USERS, Some((ROOT_ID, ROOT_SECRET)));
    let response = call(&f, &parts, LIST_USERS).await;
    assert_eq!(response.status(), 200, "{}", text(&response));
    assert_eq!(text(&response), r#"{"Users":[]}"#);
    assert_request_id(&response);

    let parts = request("ListUsers", LIST_USERS, Some((SCOPED_ID, SCOPED_SECRET)));
    let response = call(&f, &parts, LIST_USERS).await;
    assert_eq!(response.status(), 200, "{}", text(&response));
    assert_eq!(
        f.idp.calls(),
        vec![
            ("ListUsers", Some((ROOT_ID.to_string(), true))),
            ("ListUsers", Some((SCOPED_ID.to_string(), false))),
        ]
    );
}

#[tokio::test]
async fn service_errors_are_encoded() {
    let f = fixture(false);
    let body = r#"{"UserPoolId":"us-east-1_Missing12"}"#;
    let parts = request("ListUsers", body, Some((ROOT_ID, ROOT_SECRET)));
    let response = call(&f, &parts, body).await;
    assert_error(
        &response,
        400,
        "ResourceNotFoundException",
        "User pool us-east-1_Missing12 does not exist.",
    );
    assert_eq!(
        text(&response).as_bytes(),
        br#"{"__type":"ResourceNotFoundException","message":"User pool us-east-1_Missing12 does not exist."}"#
    );
}

#[tokio::test]
async fn a_tampered_body_is_refused_before_the_service() {
    let f = fixture(false);
    let parts = request("ListUsers", LIST_USERS, Some((ROOT_ID, ROOT_SECRET)));
    let response = call(&f, &parts, r#"{"UserPoolId":"us-east-1_Other1234"}"#).await;
    assert_error(&response, 400, "InvalidSignatureException", MISMATCH);
    assert!(f.idp.calls().is_empty());
}

#[tokio::test]
async fn a_wrong_secret_is_refused() {
    let f = fixture(false);
    let parts = request("ListUsers", LIST_USERS, Some((ROOT_ID, SCOPED_SECRET)));
    let response = call(&f, &parts, LIST_USERS).await;
    assert_error(&response, 400, "InvalidSignatureException", MISMATCH);
    assert!(f.idp.calls().is_empty());
}

#[tokio::test]
async fn an_unknown_key_is_refused() {
    let f = fixture(false);
    let parts = request(
        "ListUsers",
        LIST_USERS,
        Some(("AKIAUNKNOWNUNKNOWN00", ROOT_SECRET)),
    );
    let response = call(&f, &parts, LIST_USERS).await;
    assert_error(
        &response,
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    );
    assert!(f.idp.calls().is_empty());
}

#[tokio::test]
async fn a_scoped_key_is_held_to_its_actions_and_pools() {
    let f = fixture(false);
    let scoped = Some((SCOPED_ID, SCOPED_SECRET));

    let body = r#"{"UserPoolId":"us-east-1_Other1234"}"#;
    let response = call(&f, &request("ListUsers", body, scoped), body).await;
    assert_error(
        &response,
        400,
        "AccessDeniedException",
        "User: arn:aws:iam::000000000000:user/AKIASCOPEDSCOPEDSCOP is not authorized to \
         perform: cognito-idp:ListUsers on resource: \
         arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Other1234",
    );

    let body = r#"{"UserPoolId":"us-east-1_Pool12345","Username":"ana"}"#;
    let response = call(&f, &request("AdminGetUser", body, scoped), body).await;
    assert_error(
        &response,
        400,
        "AccessDeniedException",
        "User: arn:aws:iam::000000000000:user/AKIASCOPEDSCOPEDSCOP is not authorized to \
         perform: cognito-idp:AdminGetUser on resource: \
         arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Pool12345",
    );

    // ListUserPools names no pool: only keys allowed on every pool may call it.
    let body = r#"{"MaxResults":10}"#;
    let response = call(&f, &request("ListUserPools", body, scoped), body).await;
    assert_error(
        &response,
        400,
        "AccessDeniedException",
        "User: arn:aws:iam::000000000000:user/AKIASCOPEDSCOPEDSCOP is not authorized to \
         perform: cognito-idp:ListUserPools on resource: *",
    );

    // Tag operations are scoped by the pool in their ARN.
    let tag = |pool: &str| {
        format!(
            r#"{{"ResourceArn":"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool}","Tags":{{"team":"a"}}}}"#
        )
    };
    let body = tag("us-east-1_Other1234");
    let response = call(&f, &request("TagResource", &body, scoped), &body).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "AccessDeniedException:"
    );
    assert!(f.idp.calls().is_empty());

    let body = tag(POOL);
    let response = call(&f, &request("TagResource", &body, scoped), &body).await;
    assert_eq!(response.status(), 200, "{}", text(&response));
    assert_eq!(text(&response), "{}");
    assert_eq!(
        f.idp.calls(),
        vec![("TagResource", Some((SCOPED_ID.to_string(), false)))]
    );
}

#[tokio::test]
async fn unknown_targets_are_unknown_operations() {
    let f = fixture(false);
    let response = call(&f, &request("DescribeNothing", "{}", None), "{}").await;
    assert_error(
        &response,
        400,
        "UnknownOperationException",
        "Unknown operation: AWSCognitoIdentityProviderService.DescribeNothing",
    );

    let mut parts = request("ListUsers", "{}", None);
    parts.headers.remove("x-amz-target");
    let response = call(&f, &parts, "{}").await;
    assert_error(
        &response,
        400,
        "UnknownOperationException",
        "Missing X-Amz-Target header.",
    );

    let mut parts = request("GetUser", "{}", None);
    parts
        .headers
        .insert("content-type", "application/octet-stream".parse().unwrap());
    let response = call(&f, &parts, "{}").await;
    assert_error(
        &response,
        400,
        "UnknownOperationException",
        "Unsupported Content-Type 'application/octet-stream' for \
         AWSCognitoIdentityProviderService.GetUser; send application/x-amz-json-1.1.",
    );

    let mut parts = request("GetUser", "{}", None);
    parts.headers.remove("content-type");
    let body = r#"{"AccessToken":"good.token"}"#;
    assert_eq!(call(&f, &parts, body).await.status(), 200);
    assert_eq!(f.idp.calls(), vec![("GetUser", None)]);
}

#[tokio::test]
async fn malformed_json_is_a_serialization_error() {
    let f = fixture(false);
    let response = call(&f, &request("GetUser", "{", None), "{").await;
    assert_error(
        &response,
        400,
        "SerializationException",
        "Malformed request body: EOF while parsing an object at line 1 column 1",
    );
    let response = call(
        &f,
        &request("ListUsers", "[]", Some((ROOT_ID, ROOT_SECRET))),
        "[]",
    )
    .await;
    assert_error(
        &response,
        400,
        "SerializationException",
        "Malformed request body: expected a JSON object at the top level",
    );
    assert!(f.idp.calls().is_empty());
}

#[tokio::test]
async fn invalid_input_never_reaches_the_service() {
    let f = fixture(false);
    let body = r#"{"UserPoolId":"not a pool id"}"#;
    let response = call(
        &f,
        &request("ListUsers", body, Some((ROOT_ID, ROOT_SECRET))),
        body,
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "InvalidParameterException:"
    );
    assert!(f.idp.calls().is_empty());
}

#[tokio::test]
async fn a_panicking_operation_is_an_internal_error() {
    let f = fixture(false);
    let body = r#"{"UserPoolId":"us-east-1_Pool12345","Username":"ana"}"#;
    let parts = request("AdminGetUser", body, Some((ROOT_ID, ROOT_SECRET)));
    let response = call(&f, &parts, body).await;
    assert_error(
        &response,
        500,
        "InternalErrorException",
        "Internal server error.",
    );
    assert_eq!(
        f.idp.calls(),
        vec![("AdminGetUser", Some((ROOT_ID.to_string(), true)))]
    );
}

#[tokio::test]
async fn unimplemented_operations_say_so() {
    let f = fixture(false);
    let body = r#"{"UserPoolId":"us-east-1_Pool12345"}"#;
    let parts = request("DescribeUserPool", body, Some((ROOT_ID, ROOT_SECRET)));
    let response = call(&f, &parts, body).await;
    assert_error(
        &response,
        501,
        "NotImplementedException",
        "cognitod does not implement DescribeUserPool yet",
    );

    let mut parts = request("GetUser", "{}", None);
    parts.headers.insert(
        "x-amz-target",
        "AWSCognitoIdentityService.GetId".parse().unwrap(),
    );
    let response = call(&f, &parts, "{}").await;
    assert_error(
        &response,
        501,
        "NotImplementedException",
        "cognitod does not implement GetId yet",
    );
}

#[tokio::test]
async fn insecure_dev_accepts_any_signature_as_root() {
    let f = fixture(true);
    let response = call(&f, &request("ListUsers", LIST_USERS, None), LIST_USERS).await;
    assert_eq!(response.status(), 200, "{}", text(&response));
    let parts = request("ListUsers", LIST_USERS, Some(("AKIAANYTHING", "whatever")));
    let response = call(&f, &parts, LIST_USERS).await;
    assert_eq!(response.status(), 200, "{}", text(&response));
    assert_eq!(
        f.idp.calls(),
        vec![
            ("ListUsers", Some(("insecure-dev".to_string(), true))),
            ("ListUsers", Some(("AKIAANYTHING".to_string(), true))),
        ]
    );
}

#[tokio::test]
async fn authenticate_checks_signed_gets_with_their_query() {
    let f = fixture(false);
    let identity = Credentials::new(ROOT_ID, ROOT_SECRET, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("cognito-idp")
        .time(UNIX_EPOCH + Duration::from_secs(T0))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let url = "http://localhost:9229/admin/outbox?poolId=us-east-1_Pool12345&username=ana";
    let signable = SignableRequest::new(
        "GET",
        url,
        [("host", "localhost:9229")].into_iter(),
        SignableBody::Bytes(b""),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let (added, _) = instructions.into_parts();
    let build = |uri: &str| {
        let mut builder = http::Request::builder()
            .method("GET")
            .uri(uri)
            .header("host", "localhost:9229");
        for h in &added {
            builder = builder.header(h.name(), h.value());
        }
        builder.body(()).unwrap().into_parts().0
    };
    let key = f
        .endpoint
        .authenticate(
            &build("/admin/outbox?poolId=us-east-1_Pool12345&username=ana"),
            b"",
        )
        .await
        .unwrap();
    assert_eq!((key.id.as_str(), key.is_root), (ROOT_ID, true));
    let err = f
        .endpoint
        .authenticate(
            &build("/admin/outbox?poolId=us-east-1_Pool12345&username=eve"),
            b"",
        )
        .await
        .unwrap_err();
    assert_eq!(err.message, MISMATCH);
}
