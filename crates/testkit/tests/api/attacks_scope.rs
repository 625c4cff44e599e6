//! Scoped keys cannot escape their pools. A key allowed everything on pool A is aimed at pool
//! B through every member of every signed operation of the model: the pool a request is
//! checked against comes only from the member the operation uses, never from one it ignores,
//! and a pool-bound member (ClientId) of another pool is refused by the operation. B comes
//! out unchanged.

use cognitod_testkit::TestServer;
use idp::types::PreventUserExistenceErrorTypes;
use serde_json::{Map, Value, json};

use aws_sdk_cognitoidentityprovider as idp;

use crate::signin::{confirmed_user, create_client};
use crate::{create_pool, error_of};

fn model() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/cognito-idp.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn arn(pool: &str) -> String {
    format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool}")
}

/// The resources of one pool that requests can name.
struct Aim {
    pool: String,
    client: String,
    user: String,
    group: String,
}

fn default_of(shapes: &Value, shape: &Value) -> Value {
    match shape["type"].as_str().unwrap() {
        "integer" | "long" => json!(shape["min"].as_i64().unwrap_or(1).max(1)),
        "boolean" => json!(false),
        "list" => json!([]),
        "map" => json!({}),
        "structure" => {
            let mut body = Map::new();
            for name in shape["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                let member = &shapes[shape["members"][name]["shape"].as_str().unwrap()];
                body.insert(name.into(), default_of(shapes, member));
            }
            Value::Object(body)
        }
        "timestamp" => json!(0),
        "blob" => json!("AA=="),
        _ if shape.get("enum").is_some() => shape["enum"][0].clone(),
        _ => json!("x"),
    }
}

/// A body for `input` with every member that names a resource aimed at `aim`, the pool
/// members at `pool` (when given, else at `aim`'s pool), and the other required members set.
fn body(model: &Value, input: &str, aim: &Aim, pool: Option<&str>) -> Map<String, Value> {
    let shapes = &model["shapes"];
    let shape = &shapes[input];
    let required: Vec<&str> = shape["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let pool = pool.unwrap_or(&aim.pool);
    let mut body = Map::new();
    for (name, member) in shape["members"].as_object().unwrap() {
        let value = match name.as_str() {
            "UserPoolId" => json!(pool),
            "ResourceArn" => json!(arn(pool)),
            "ClientId" => json!(aim.client),
            "Username" => json!(aim.user),
            "GroupName" => json!(aim.group),
            _ if required.contains(&name.as_str()) => {
                default_of(shapes, &shapes[member["shape"].as_str().unwrap()])
            }
            _ => continue,
        };
        body.insert(name.clone(), value);
    }
    body
}

/// Everything of pool `pool` a call could change, read with the root key.
async fn snapshot(server: &TestServer, aim: &Aim) -> Value {
    let pool = &aim.pool;
    let mut state = Map::new();
    for (operation, request) in [
        ("DescribeUserPool", json!({ "UserPoolId": pool })),
        ("ListUsers", json!({ "UserPoolId": pool })),
        ("ListGroups", json!({ "UserPoolId": pool })),
        (
            "ListUserPoolClients",
            json!({ "UserPoolId": pool, "MaxResults": 60 }),
        ),
        (
            "DescribeUserPoolClient",
            json!({ "UserPoolId": pool, "ClientId": aim.client }),
        ),
        (
            "AdminGetUser",
            json!({ "UserPoolId": pool, "Username": aim.user }),
        ),
        (
            "AdminListGroupsForUser",
            json!({ "UserPoolId": pool, "Username": aim.user }),
        ),
        ("ListTagsForResource", json!({ "ResourceArn": arn(pool) })),
    ] {
        let response = server.call(operation, &request).await;
        assert_eq!(response.status, 200, "{operation}: {}", response.body);
        state.insert(operation.into(), response.json());
    }
    Value::Object(state)
}

async fn pool_ids(server: &TestServer) -> Vec<String> {
    let listed = server
        .call("ListUserPools", &json!({ "MaxResults": 60 }))
        .await
        .json();
    let mut ids: Vec<String> = listed["UserPools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

async fn populated_pool(server: &TestServer, name: &str) -> Aim {
    let idp = server.idp();
    let pool = create_pool(&idp, name).await;
    let (client, _) =
        create_client(&idp, &pool, true, PreventUserExistenceErrorTypes::Legacy).await;
    let user = format!("{name}-user");
    confirmed_user(&idp, &pool, &user).await;
    let group = format!("{name}-group");
    idp.create_group()
        .user_pool_id(&pool)
        .group_name(&group)
        .send()
        .await
        .unwrap();
    idp.admin_add_user_to_group()
        .user_pool_id(&pool)
        .username(&user)
        .group_name(&group)
        .send()
        .await
        .unwrap();
    idp.tag_resource()
        .resource_arn(arn(&pool))
        .tags("team", name)
        .send()
        .await
        .unwrap();
    Aim {
        pool,
        client,
        user,
        group,
    }
}

#[tokio::test]
async fn a_key_scoped_to_one_pool_reaches_no_other_through_any_member() {
    let server = TestServer::start().await;
    let a = populated_pool(&server, "a").await;
    let b = populated_pool(&server, "b").await;
    let (id, secret) = server.create_scoped_key(&["*"], &[&a.pool]).await;
    let key = Some((id.as_str(), secret.as_str()));
    let before = snapshot(&server, &b).await;
    let pools_before = pool_ids(&server).await;

    let model = model();
    let mut denied = 0;
    let mut mixed = 0;
    for (operation, spec) in model["operations"].as_object().unwrap() {
        if spec["authtype"] == "none" {
            continue; // unsigned: no key is involved
        }
        let input = spec["input"]["shape"].as_str().unwrap();
        let takes = |member: &str| !model["shapes"][input]["members"][member].is_null();
        let send = |body: Map<String, Value>| {
            let bytes = serde_json::to_vec(&body).unwrap();
            server.call_bytes(operation, bytes, key)
        };

        // 1. Every member aimed at B; an operation that names no pool with A smuggled in
        //    beside the members it really takes.
        let mut direct = body(&model, input, &b, None);
        if !takes("UserPoolId") {
            direct.insert("UserPoolId".into(), json!(a.pool));
        }
        let response = send(direct.clone()).await;
        assert_eq!(
            response.error_type().as_deref(),
            Some("AccessDeniedException"),
            "{operation} {direct:?}: {} {}",
            response.status,
            response.body
        );
        assert_eq!(response.status, 400, "{operation}");
        denied += 1;

        // 2. The pool member names A, a pool-bound member names B's resource: the operation
        //    must refuse it (the key may act on A, but never on B's client).
        if takes("UserPoolId") && takes("ClientId") {
            let response = send(body(&model, input, &b, Some(&a.pool))).await;
            assert_ne!(
                response.status, 200,
                "{operation} with A's pool and B's client: {}",
                response.body
            );
            mixed += 1;
        }
    }
    assert!(denied > 100, "{denied} signed operations tried");
    assert!(
        mixed > 5,
        "{mixed} operations tried with another pool's client"
    );

    // ARNs that only look like A's are not A's.
    for resource in [
        format!("{}:userpool/{}", arn(&a.pool), b.pool),
        format!("{}/../{}", arn(&a.pool), b.pool),
        arn(&b.pool).replace("000000000000", "111111111111"),
    ] {
        let body = json!({ "ResourceArn": resource, "Tags": { "owned": "yes" } });
        let response = server
            .call_bytes("TagResource", serde_json::to_vec(&body).unwrap(), key)
            .await;
        assert_eq!(
            response.error_type().as_deref(),
            Some("AccessDeniedException"),
            "{resource}: {}",
            response.body
        );
    }

    assert_eq!(snapshot(&server, &b).await, before, "pool B changed");
    assert_eq!(
        pool_ids(&server).await,
        pools_before,
        "pools created or deleted"
    );
}

#[tokio::test]
async fn a_scoped_key_still_works_on_its_own_pool() {
    let server = TestServer::start().await;
    let a = populated_pool(&server, "a").await;
    let (id, secret) = server.create_scoped_key(&["*"], &[&a.pool]).await;
    let scoped = server.idp_with_key(&id, &secret);
    scoped
        .tag_resource()
        .resource_arn(arn(&a.pool))
        .tags("owner", "scoped")
        .send()
        .await
        .expect("tagging its own pool");
    let tags = scoped
        .list_tags_for_resource()
        .resource_arn(arn(&a.pool))
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags().unwrap().get("owner").map(String::as_str),
        Some("scoped")
    );
    scoped
        .admin_get_user()
        .user_pool_id(&a.pool)
        .username(&a.user)
        .send()
        .await
        .expect("reading its own pool");
    // Operations that name no pool need a key allowed on every pool.
    let (code, message) = error_of(scoped.list_user_pools().max_results(10).send().await);
    assert_eq!(code, "AccessDeniedException");
    assert!(message.ends_with("on resource: *"), "{message}");
    let (code, _) = error_of(scoped.create_user_pool().pool_name("new").send().await);
    assert_eq!(code, "AccessDeniedException");

    let (id, secret) = server.create_scoped_key(&["*"], &["*"]).await;
    let everywhere = server.idp_with_key(&id, &secret);
    everywhere
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("a key for every pool lists pools");
}
