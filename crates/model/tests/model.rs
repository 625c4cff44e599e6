//! The generated wire layer: drift against the models, validation messages, conversions.

use cognitod_model::idp::{self, ApiOperation};
use cognitod_model::{Error, ErrorCode, Timestamp};
use serde_json::json;

#[test]
fn generated_code_matches_the_models() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (path, expected) in xtask::codegen::generate(&root).unwrap() {
        let current = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
        assert!(
            current == expected,
            "{} is out of date: run `cargo run -p xtask -- codegen`",
            path.display()
        );
    }
}

fn validate(op: ApiOperation, input: serde_json::Value) -> Result<(), Error> {
    idp::validate(op, &input)
}

fn message(op: ApiOperation, input: serde_json::Value) -> String {
    let err = validate(op, input).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidParameterException, "{err}");
    err.message
}

#[test]
fn required_length_pattern_range_enum() {
    assert_eq!(
        message(ApiOperation::CreateUserPool, json!({})),
        "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        message(ApiOperation::CreateUserPool, json!({"PoolName": ""})),
        "2 validation errors detected: Value '' at 'poolName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
    );
    assert_eq!(
        message(
            ApiOperation::DescribeUserPool,
            json!({"UserPoolId": "nounderscore"})
        ),
        "1 validation error detected: Value 'nounderscore' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    );
    assert_eq!(
        message(ApiOperation::ListUserPools, json!({"MaxResults": 0})),
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    assert_eq!(
        message(
            ApiOperation::CreateUserPool,
            json!({"PoolName": "p", "MfaConfiguration": "x"})
        ),
        "1 validation error detected: Value 'x' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
    );
    assert!(validate(ApiOperation::CreateUserPool, json!({"PoolName": "ok pool"})).is_ok());
}

#[test]
fn java_word_class_is_ascii_only() {
    // Java's \w does not match letters outside ASCII; Rust's would.
    let err = validate(
        ApiOperation::DescribeUserPool,
        json!({"UserPoolId": "us-east-1_é"}),
    );
    assert!(err.is_err());
}

#[test]
fn nested_list_paths_and_sensitive_values() {
    let m = message(
        ApiOperation::AdminCreateUser,
        json!({"UserPoolId": "us-east-1_abc", "Username": "u", "UserAttributes": [{"Name": "email"}, {}]}),
    );
    assert_eq!(
        m,
        "1 validation error detected: Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null"
    );
    let m = message(
        ApiOperation::AdminGetUser,
        json!({"UserPoolId": "bad", "Username": "has space"}),
    );
    assert!(m.starts_with("2 validation errors detected: "), "{m}");
    assert!(m.contains("Value at 'username' failed"), "{m}");
    assert!(!m.contains("has space"), "{m}");
}

#[test]
fn wrong_json_types_are_serialization_errors() {
    let err = validate(ApiOperation::ListUserPools, json!({"MaxResults": "10"})).unwrap_err();
    assert_eq!(err.code, ErrorCode::SerializationException);
    assert_eq!(
        err.message,
        "STRING_VALUE can not be converted to an Integer"
    );
    assert!(cognitod_model::parse_body(b"[1]").is_err());
    assert!(cognitod_model::parse_body(b"{oops").is_err());
    assert_eq!(cognitod_model::parse_body(b"").unwrap(), json!({}));
}

#[test]
fn operations_know_their_signing() {
    assert!(!ApiOperation::InitiateAuth.is_signed());
    assert!(!ApiOperation::SignUp.is_signed());
    assert!(ApiOperation::AdminCreateUser.is_signed());
    assert_eq!(
        ApiOperation::from_name("ListUsers"),
        Some(ApiOperation::ListUsers)
    );
    assert_eq!(ApiOperation::from_name("Nope"), None);
    assert_eq!(idp::ApiOperation::ALL.len(), 153);
    assert!(!cognitod_model::identity::ApiOperation::GetId.is_signed());
    assert_eq!(cognitod_model::identity::ApiOperation::ALL.len(), 23);
}

#[test]
fn error_codes_and_conversions() {
    assert_eq!(ErrorCode::InternalErrorException.http_status(), 500);
    assert_eq!(ErrorCode::UserNotFoundException.http_status(), 400);
    assert_eq!(ErrorCode::NotImplementedException.http_status(), 501);
    assert_eq!(ErrorCode::RequestEntityTooLargeException.http_status(), 413);
    assert_eq!(ErrorCode::InternalServerException.http_status(), 500);
    assert_eq!(ErrorCode::ResourceNotFoundException.http_status(), 400);
    assert_eq!(ErrorCode::ResourceNotFoundException.sync_http_status(), 404);
    assert_eq!(
        ErrorCode::UnknownOperationException.as_str(),
        "UnknownOperationException"
    );
    assert_eq!(
        ErrorCode::from_name("UserNotFoundException"),
        Some(ErrorCode::UserNotFoundException)
    );
    let listed: idp::AdminGetUserError =
        Error::new(ErrorCode::UserNotFoundException, "User does not exist.").into();
    assert_eq!(
        listed,
        idp::AdminGetUserError::UserNotFoundException("User does not exist.".into())
    );
    let protocol: idp::AdminGetUserError =
        Error::new(ErrorCode::AccessDeniedException, "no").into();
    assert_eq!(Error::from(protocol).code, ErrorCode::AccessDeniedException);
    assert_eq!(
        Error::from(idp::AdminGetUserError::NotImplemented).message,
        "cognitod does not implement AdminGetUser yet"
    );
}

/// An error the operation's model does not list is a server bug: debug builds panic, release
/// builds answer the operation's internal error.
#[test]
#[cfg_attr(
    debug_assertions,
    should_panic(expected = "AdminGetUser does not list GroupExistsException")
)]
fn unlisted_errors_become_internal_errors() {
    let unlisted: idp::AdminGetUserError = Error::new(ErrorCode::GroupExistsException, "x").into();
    assert_eq!(
        unlisted,
        idp::AdminGetUserError::InternalErrorException(
            "Unexpected error in AdminGetUser: GroupExistsException: x".into()
        )
    );
}

#[test]
fn sensitive_members_are_redacted_in_debug() {
    let input = idp::AdminInitiateAuthRequest {
        client_id: "client-id-value".into(),
        user_pool_id: "us-east-1_abc".into(),
        auth_parameters: Some([("PASSWORD".to_string(), "hunter22".to_string())].into()),
        ..Default::default()
    };
    let shown = format!("{input:?}");
    assert!(shown.contains(r#"client_id: "***""#), "{shown}");
    assert!(shown.contains(r#"auth_parameters: "***""#), "{shown}");
    assert!(
        shown.contains(r#"user_pool_id: "us-east-1_abc""#),
        "{shown}"
    );
    assert!(
        !shown.contains("hunter22") && !shown.contains("client-id-value"),
        "{shown}"
    );
}

#[test]
fn blobs_and_fractional_timestamps() {
    let blob = cognitod_model::Blob(vec![0, 1, 2, 255]);
    assert_eq!(serde_json::to_value(&blob).unwrap(), json!("AAEC/w=="));
    assert_eq!(
        serde_json::from_value::<cognitod_model::Blob>(json!("AAEC/w==")).unwrap(),
        blob
    );
    assert_eq!(
        serde_json::to_string(&Timestamp::from_millis(1_700_000_000_123)).unwrap(),
        "1700000000.123"
    );
    assert_eq!(
        serde_json::from_str::<Timestamp>("1700000000.123")
            .unwrap()
            .millis(),
        1_700_000_000_123
    );
    assert_eq!(
        serde_json::from_str::<Timestamp>("1700000000")
            .unwrap()
            .millis(),
        1_700_000_000_000
    );
}

#[test]
fn sync_operations_carry_their_http_route() {
    use cognitod_model::sync::ApiOperation as SyncOp;
    assert_eq!(
        SyncOp::ListDatasets.http(),
        (
            "GET",
            "/identitypools/{IdentityPoolId}/identities/{IdentityId}/datasets"
        )
    );
    assert!(SyncOp::ListDatasets.is_signed());
    assert_eq!(
        SyncOp::ListDatasets.http_bindings(),
        &[
            ("IdentityId", "uri", "IdentityId"),
            ("IdentityPoolId", "uri", "IdentityPoolId"),
            ("MaxResults", "querystring", "maxResults"),
            ("NextToken", "querystring", "nextToken"),
        ]
    );
}

#[test]
fn types_round_trip_with_timestamps_as_seconds() {
    let user = idp::UserType {
        username: Some("ana".into()),
        user_create_date: Some(Timestamp::from_millis(1_700_000_000_500)),
        user_status: Some(idp::UserStatusType::ForceChangePassword),
        attributes: Some(vec![idp::AttributeType {
            name: "email".into(),
            value: Some("a@b.c".into()),
        }]),
        ..Default::default()
    };
    let wire = serde_json::to_value(&user).unwrap();
    assert_eq!(
        wire,
        json!({"Username": "ana", "UserCreateDate": 1700000000.5, "UserStatus": "FORCE_CHANGE_PASSWORD",
               "Attributes": [{"Name": "email", "Value": "a@b.c"}]})
    );
    let back: idp::UserType = serde_json::from_value(wire).unwrap();
    assert_eq!(back, user);
    assert_eq!(idp::UserStatusType::Confirmed.as_str(), "CONFIRMED");
    assert_eq!(
        "OPTIONAL".parse::<idp::UserPoolMfaType>(),
        Ok(idp::UserPoolMfaType::Optional)
    );
}

struct OneOp;

#[async_trait::async_trait]
impl idp::CognitoIdentityProvider for OneOp {
    type Ctx = ();
    async fn get_group(
        &self,
        _ctx: &(),
        input: idp::GetGroupRequest,
    ) -> Result<idp::GetGroupResponse, idp::GetGroupError> {
        Ok(idp::GetGroupResponse {
            group: Some(idp::GroupType {
                group_name: Some(input.group_name),
                ..Default::default()
            }),
        })
    }
}

#[tokio::test]
async fn dispatch_calls_the_service_or_says_not_implemented() {
    let out = idp::dispatch(
        &OneOp,
        &(),
        ApiOperation::GetGroup,
        json!({"GroupName": "g", "UserPoolId": "us-east-1_a"}),
    )
    .await
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{"Group":{"GroupName":"g"}}"#
    );
    let err = idp::dispatch(
        &OneOp,
        &(),
        ApiOperation::DeleteGroup,
        json!({"GroupName": "g", "UserPoolId": "us-east-1_a"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotImplementedException);
}
