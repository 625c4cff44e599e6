//! Hostile input: SQL metacharacters and oversized strings in every free-text member of every
//! operation of the model, malformed and deeply nested JSON, and degenerate SRP values. Each
//! is answered with a Cognito client error (never a server error), and nothing outside what
//! the call may legitimately write changes.

use aws_sdk_cognitoidentityprovider as idp;
use cognitod_testkit::TestServer;
use idp::types::{AuthFlowType, PreventUserExistenceErrorTypes};
use serde_json::{Map, Value, json};

use crate::signin::{PASSWORD, confirmed_user, create_client, password_sign_in};
use crate::{create_pool, error_of};

fn model() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/cognito-idp.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// What the sweep puts into free-text members.
#[derive(Clone, Copy, Debug)]
enum Payload {
    Quote,
    Statement,
    Wildcards,
    Oversized,
}

impl Payload {
    fn text(self, shape: &Value) -> String {
        match self {
            Payload::Quote => "x' OR '1'='1' --".into(),
            Payload::Statement => "a\"); DROP TABLE users; DELETE FROM pools; --".into(),
            Payload::Wildcards => "%_\\%' UNION SELECT password_hash FROM users --".into(),
            Payload::Oversized => {
                let max = shape["max"].as_u64().unwrap_or(20_000);
                "a".repeat((max as usize + 1).min(140_000))
            }
        }
    }
}

/// Everything the sweep needs to aim its calls at real resources.
struct Target {
    pool: String,
    client: String,
    access_token: String,
}

/// A request for `shape_name` with `payload` in every free-text member and real identifiers
/// elsewhere; None when the operation has no member the payload can reach.
fn request(
    model: &Value,
    shape_name: &str,
    target: &Target,
    payload: Payload,
) -> Option<Map<String, Value>> {
    let shapes = &model["shapes"];
    let shape = &shapes[shape_name];
    let required: Vec<&str> = shape["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut body = Map::new();
    let mut reached = false;
    for (name, member) in shape["members"].as_object()? {
        let member_shape = &shapes[member["shape"].as_str().unwrap()];
        let value = match (name.as_str(), member_shape["type"].as_str().unwrap()) {
            ("UserPoolId", _) => json!(target.pool),
            ("ClientId", _) => json!(target.client),
            ("AccessToken", _) => json!(target.access_token),
            (_, "string") if member_shape.get("enum").is_some() => {
                json!(member_shape["enum"][0])
            }
            (_, "string") => {
                reached = true;
                json!(payload.text(member_shape))
            }
            (_, "map") => {
                reached = true;
                let value_shape = &shapes[member_shape["value"]["shape"].as_str().unwrap()];
                let text = payload.text(value_shape);
                let mut map = Map::new();
                for key in [
                    "USERNAME",
                    "PASSWORD",
                    "SRP_A",
                    "REFRESH_TOKEN",
                    "SECRET_HASH",
                ] {
                    map.insert(key.into(), json!(text));
                }
                map.insert("k' OR 1=1 --".into(), json!(text));
                Value::Object(map)
            }
            (_, "list") if member["shape"] == "AttributeListType" => {
                reached = true;
                let text = payload.text(&shapes["AttributeValueType"]);
                json!([{ "Name": "name", "Value": text }, { "Name": "x' --", "Value": text }])
            }
            (_, "list") if member_shape["member"]["shape"] == "AttributeNameType" => {
                reached = true;
                json!([payload.text(&shapes["AttributeNameType"])])
            }
            _ if required.contains(&name.as_str()) => default_of(member_shape),
            _ => continue,
        };
        body.insert(name.clone(), value);
    }
    reached.then_some(body)
}

fn default_of(shape: &Value) -> Value {
    match shape["type"].as_str().unwrap() {
        "integer" | "long" => json!(shape["min"].as_i64().unwrap_or(1).max(1)),
        "boolean" => json!(false),
        "list" => json!([]),
        "map" | "structure" => json!({}),
        "timestamp" => json!(0),
        "blob" => json!("AA=="),
        _ => json!("x"),
    }
}

/// Everything of a pool no call of the sweep names, as one comparable value.
async fn snapshot(server: &TestServer, pool: &str) -> Value {
    let users = server
        .call("ListUsers", &json!({ "UserPoolId": pool }))
        .await
        .json();
    let groups = server
        .call("ListGroups", &json!({ "UserPoolId": pool }))
        .await
        .json();
    let clients = server
        .call(
            "ListUserPoolClients",
            &json!({ "UserPoolId": pool, "MaxResults": 60 }),
        )
        .await
        .json();
    let described = server
        .call("DescribeUserPool", &json!({ "UserPoolId": pool }))
        .await
        .json();
    json!({ "users": users, "groups": groups, "clients": clients, "pool": described })
}

#[tokio::test]
async fn hostile_strings_in_every_member_of_every_operation() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "target").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Enabled).await;
    confirmed_user(&idp, &pool, "vic").await;
    let access_token = password_sign_in(&idp, &client, "vic", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    // A bystander pool that no call names: it must come out byte for byte the same.
    let bystander = create_pool(&idp, "bystander").await;
    create_client(
        &idp,
        &bystander,
        true,
        PreventUserExistenceErrorTypes::Legacy,
    )
    .await;
    confirmed_user(&idp, &bystander, "bea").await;
    idp.create_group()
        .user_pool_id(&bystander)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let before = snapshot(&server, &bystander).await;

    let model = model();
    let target = Target {
        pool,
        client: client.clone(),
        access_token,
    };
    let mut calls = 0;
    for (operation, spec) in model["operations"].as_object().unwrap() {
        // Deleting the target itself is a legitimate success, not an attack.
        if operation.starts_with("Delete") && !operation.contains("Attribute") {
            continue;
        }
        let Some(input) = spec["input"]["shape"].as_str() else {
            continue;
        };
        for payload in [
            Payload::Quote,
            Payload::Statement,
            Payload::Wildcards,
            Payload::Oversized,
        ] {
            let Some(body) = request(&model, input, &target, payload) else {
                continue;
            };
            let response = server.call(operation, &Value::Object(body)).await;
            calls += 1;
            let error = response.error_type();
            assert!(
                response.status < 500 || response.status == 501,
                "{operation} with {payload:?}: {} {:?} {:?}",
                response.status,
                error,
                response.message()
            );
            assert_ne!(
                error.as_deref(),
                Some("InternalErrorException"),
                "{operation}"
            );
            if response.status >= 400 {
                assert!(error.is_some(), "{operation}: an error without __type");
            }
        }
    }
    assert!(calls > 300, "the sweep reached only {calls} calls");

    assert_eq!(snapshot(&server, &bystander).await, before);
    // The target's user still signs in with the password the sweep never knew.
    password_sign_in(&idp, &client, "vic", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn malformed_and_deeply_nested_json_is_a_serialization_error() {
    let server = TestServer::start().await;
    let key = (
        server.root.access_key_id.as_str(),
        server.root.secret_access_key.as_str(),
    );
    let deep_array = "[".repeat(100_000);
    let deep_object = format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    let nested_member = format!(
        "{{\"PoolName\":\"p\",\"UserPoolTags\":{}1{}}}",
        "{\"a\":".repeat(5_000),
        "}".repeat(5_000)
    );
    let bodies: Vec<Vec<u8>> = vec![
        deep_array.into_bytes(),
        deep_object.into_bytes(),
        nested_member.into_bytes(),
        b"{\"PoolName\":".to_vec(),
        b"{\"PoolName\":\"p\"}}".to_vec(),
        b"\xff\xfe{}".to_vec(),
        b"{\"PoolName\":\"\\ud800\"}".to_vec(),
        b"{\"PoolName\":1e999999}".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        b"\"PoolName\"".to_vec(),
    ];
    for body in bodies {
        let shown = String::from_utf8_lossy(&body[..body.len().min(40)]).to_string();
        let response = server.call_bytes("CreateUserPool", body, Some(key)).await;
        assert_eq!(response.status, 400, "{shown}");
        let error = response.error_type();
        assert!(
            matches!(
                error.as_deref(),
                Some("SerializationException" | "InvalidParameterException")
            ),
            "{shown}: {error:?}"
        );
    }
    // The server is alive and nothing was created.
    let pools = server
        .call("ListUserPools", &json!({ "MaxResults": 60 }))
        .await;
    assert_eq!(pools.status, 200);
    assert_eq!(pools.json()["UserPools"], json!([]));
}

#[tokio::test]
async fn degenerate_srp_values_are_refused_before_any_lookup() {
    let server = TestServer::start().await;
    let idp = server.idp();
    let pool = create_pool(&idp, "srp").await;
    let (client, _) =
        create_client(&idp, &pool, false, PreventUserExistenceErrorTypes::Legacy).await;
    confirmed_user(&idp, &pool, "sam").await;
    let n = cognitod_crypto::srp::N_HEX.to_lowercase();
    let two_n = {
        // 2N: shift the hex left by one bit.
        let mut carry = 0u32;
        let mut digits: Vec<char> = n
            .chars()
            .rev()
            .map(|c| {
                let v = c.to_digit(16).unwrap() * 2 + carry;
                carry = v / 16;
                std::char::from_digit(v % 16, 16).unwrap()
            })
            .collect();
        if carry > 0 {
            digits.push(std::char::from_digit(carry, 16).unwrap());
        }
        digits.into_iter().rev().collect::<String>()
    };
    for (username, srp_a) in [
        ("sam", "0"),
        ("sam", "00000"),
        ("sam", n.as_str()),
        ("sam", two_n.as_str()),
        ("sam", "not hex"),
        ("sam", ""),
        // The answer is the same whether the user exists or not.
        ("nobody", "0"),
        ("nobody", n.as_str()),
    ] {
        let refused = idp
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", srp_a)
            .send()
            .await;
        assert_eq!(
            error_of(refused),
            (
                "InvalidParameterException".into(),
                "Invalid SRP_A value.".into()
            ),
            "{username} {srp_a:.20}"
        );
    }
    // None of it counted as a failed sign-in.
    password_sign_in(&idp, &client, "sam", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn ten_megabyte_bodies_are_refused_signed_or_not() {
    let server = TestServer::start().await;
    let key = (
        server.root.access_key_id.as_str(),
        server.root.secret_access_key.as_str(),
    );
    let huge = format!("{{\"PoolName\":\"{}\"}}", "x".repeat(10 * 1024 * 1024));
    for (operation, signed) in [("CreateUserPool", Some(key)), ("InitiateAuth", None)] {
        let response = server
            .call_bytes(operation, huge.clone().into_bytes(), signed)
            .await;
        assert_eq!(response.status, 413, "{operation}");
        assert_eq!(
            response.error_type().as_deref(),
            Some("RequestEntityTooLargeException")
        );
    }
    let pools = server
        .call("ListUserPools", &json!({ "MaxResults": 60 }))
        .await;
    assert_eq!(pools.json()["UserPools"], json!([]));
}
