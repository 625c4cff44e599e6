"""Durability: everything acknowledged before a SIGTERM is there after the server starts
again on the same store."""

import uuid

from conftest import client, restart_server


def snapshot(idp, pool, client_id):
    """What the API shows of a pool and everything in it (response metadata aside)."""

    def strip(response):
        response.pop("ResponseMetadata", None)
        return response

    return {
        "pool": strip(idp.describe_user_pool(UserPoolId=pool)),
        "client": strip(idp.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)),
        "clients": strip(idp.list_user_pool_clients(UserPoolId=pool, MaxResults=60)),
        "kept": strip(idp.admin_get_user(UserPoolId=pool, Username="kept")),
        "off": strip(idp.admin_get_user(UserPoolId=pool, Username="off")),
        "users": strip(idp.list_users(UserPoolId=pool)),
        "by email": strip(idp.list_users(UserPoolId=pool, Filter='email = "kept@example.com"')),
        "group": strip(idp.get_group(UserPoolId=pool, GroupName="staff")),
        "groups": strip(idp.list_groups(UserPoolId=pool)),
        "members": strip(idp.list_users_in_group(UserPoolId=pool, GroupName="staff")),
        "groups of kept": strip(idp.admin_list_groups_for_user(UserPoolId=pool, Username="kept")),
    }


def test_everything_survives_a_restart(idp):
    name = f"durable-{uuid.uuid4().hex[:8]}"
    pool = idp.create_user_pool(PoolName=name, UserPoolTags={"keep": "yes"})["UserPool"]["Id"]
    created = idp.create_user_pool_client(UserPoolId=pool, ClientName="app", GenerateSecret=True)
    client_id = created["UserPoolClient"]["ClientId"]
    idp.admin_create_user(
        UserPoolId=pool,
        Username="kept",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "kept@example.com"}, {"Name": "name", "Value": "Kept"}],
    )
    idp.admin_set_user_password(UserPoolId=pool, Username="kept", Password="Perm-Pass-1234", Permanent=True)
    idp.admin_create_user(UserPoolId=pool, Username="off", MessageAction="SUPPRESS")
    idp.admin_disable_user(UserPoolId=pool, Username="off")
    idp.create_group(UserPoolId=pool, GroupName="staff", Description="Everyone", Precedence=1)
    idp.admin_add_user_to_group(UserPoolId=pool, Username="kept", GroupName="staff")
    before = snapshot(idp, pool, client_id)
    assert before["client"]["UserPoolClient"]["ClientSecret"] == created["UserPoolClient"]["ClientSecret"]
    assert [u["Username"] for u in before["members"]["Users"]] == ["kept"]

    restart_server()

    idp = client()
    assert snapshot(idp, pool, client_id) == before
    assert [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Id"] == pool] == [name]
    # The restarted server keeps working on the same store.
    idp.admin_create_user(UserPoolId=pool, Username="after", MessageAction="SUPPRESS")
    assert sorted(u["Username"] for u in idp.list_users(UserPoolId=pool)["Users"]) == ["after", "kept", "off"]
    idp.delete_user_pool(UserPoolId=pool)
