"""Pools, app clients, users and groups through their whole life, as boto3 sees them."""

import re

from conftest import error_of, pool_ids


def test_user_pool_lifecycle(idp):
    created = idp.create_user_pool(PoolName="life-pool", UserPoolTags={"team": "e2e"})["UserPool"]
    pool = created["Id"]
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]+", pool)
    assert re.fullmatch(rf"arn:aws:cognito-idp:us-east-1:\d{{12}}:userpool/{pool}", created["Arn"])
    assert created["Name"] == "life-pool"
    assert created["UserPoolTags"] == {"team": "e2e"}

    described = idp.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described == created
    listed = [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Id"] == pool]
    assert [p["Name"] for p in listed] == ["life-pool"]

    idp.update_user_pool(UserPoolId=pool, UserPoolTags={"team": "platform"})
    assert idp.describe_user_pool(UserPoolId=pool)["UserPool"]["UserPoolTags"] == {"team": "platform"}

    idp.delete_user_pool(UserPoolId=pool)
    assert pool not in pool_ids(idp)
    assert error_of(idp.describe_user_pool, UserPoolId=pool) == (
        "ResourceNotFoundException",
        f"User pool {pool} does not exist.",
    )


def test_app_client_lifecycle(idp, pool):
    created = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="web",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    client_id, secret = created["ClientId"], created["ClientSecret"]
    assert re.fullmatch(r"[\w+]{1,128}", client_id)
    assert re.fullmatch(r"[\w+]{24,64}", secret)
    assert created["UserPoolId"] == pool
    assert created["ClientName"] == "web"
    assert created["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

    described = idp.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"]
    assert described == created

    public = idp.create_user_pool_client(UserPoolId=pool, ClientName="mobile")["UserPoolClient"]
    assert "ClientSecret" not in public
    listed = idp.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
    assert sorted(listed, key=lambda c: c["ClientName"]) == [
        {"ClientId": public["ClientId"], "UserPoolId": pool, "ClientName": "mobile"},
        {"ClientId": client_id, "UserPoolId": pool, "ClientName": "web"},
    ]

    updated = idp.update_user_pool_client(UserPoolId=pool, ClientId=client_id, ClientName="web-2")
    assert updated["UserPoolClient"]["ClientName"] == "web-2"
    # The secret survives an update that does not mention it.
    again = idp.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"]
    assert (again["ClientName"], again["ClientSecret"]) == ("web-2", secret)

    idp.delete_user_pool_client(UserPoolId=pool, ClientId=client_id)
    assert error_of(idp.describe_user_pool_client, UserPoolId=pool, ClientId=client_id) == (
        "ResourceNotFoundException",
        f"User pool client {client_id} does not exist.",
    )
    listed = idp.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
    assert [c["ClientId"] for c in listed] == [public["ClientId"]]


def attributes(user, key="UserAttributes"):
    return {a["Name"]: a["Value"] for a in user[key]}


def test_user_lifecycle(idp, pool):
    created = idp.admin_create_user(
        UserPoolId=pool,
        Username="ana",
        UserAttributes=[{"Name": "email", "Value": "ana@example.com"}],
        MessageAction="SUPPRESS",
    )["User"]
    assert (created["Username"], created["UserStatus"], created["Enabled"]) == (
        "ana",
        "FORCE_CHANGE_PASSWORD",
        True,
    )
    sub = attributes(created, "Attributes")["sub"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", sub)
    assert attributes(created, "Attributes") == {"sub": sub, "email": "ana@example.com"}

    assert error_of(idp.admin_create_user, UserPoolId=pool, Username="ana", MessageAction="SUPPRESS") == (
        "UsernameExistsException",
        "User account already exists",
    )

    got = idp.admin_get_user(UserPoolId=pool, Username="ana")
    assert (got["Username"], got["UserStatus"], got["Enabled"]) == ("ana", "FORCE_CHANGE_PASSWORD", True)
    assert attributes(got) == {"sub": sub, "email": "ana@example.com"}

    idp.admin_update_user_attributes(
        UserPoolId=pool, Username="ana", UserAttributes=[{"Name": "name", "Value": "Ana Lima"}]
    )
    assert attributes(idp.admin_get_user(UserPoolId=pool, Username="ana"))["name"] == "Ana Lima"

    idp.admin_disable_user(UserPoolId=pool, Username="ana")
    assert idp.admin_get_user(UserPoolId=pool, Username="ana")["Enabled"] is False
    idp.admin_enable_user(UserPoolId=pool, Username="ana")
    assert idp.admin_get_user(UserPoolId=pool, Username="ana")["Enabled"] is True

    idp.admin_set_user_password(UserPoolId=pool, Username="ana", Password="Perm-Pass-1234", Permanent=True)
    assert idp.admin_get_user(UserPoolId=pool, Username="ana")["UserStatus"] == "CONFIRMED"

    idp.admin_delete_user(UserPoolId=pool, Username="ana")
    assert error_of(idp.admin_get_user, UserPoolId=pool, Username="ana") == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert idp.list_users(UserPoolId=pool)["Users"] == []


def test_group_lifecycle(idp, pool):
    idp.admin_create_user(UserPoolId=pool, Username="gil", MessageAction="SUPPRESS")
    group = idp.create_group(UserPoolId=pool, GroupName="editors", Description="Edit things", Precedence=3)[
        "Group"
    ]
    assert (group["GroupName"], group["UserPoolId"], group["Description"], group["Precedence"]) == (
        "editors",
        pool,
        "Edit things",
        3,
    )
    assert error_of(idp.create_group, UserPoolId=pool, GroupName="editors") == (
        "GroupExistsException",
        "A group with the name already exists.",
    )
    assert idp.get_group(UserPoolId=pool, GroupName="editors")["Group"] == group

    idp.create_group(UserPoolId=pool, GroupName="viewers")
    assert sorted(g["GroupName"] for g in idp.list_groups(UserPoolId=pool)["Groups"]) == ["editors", "viewers"]

    updated = idp.update_group(UserPoolId=pool, GroupName="editors", Description="Edit more")["Group"]
    assert (updated["Description"], updated["Precedence"]) == ("Edit more", 3)

    idp.admin_add_user_to_group(UserPoolId=pool, Username="gil", GroupName="editors")
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="gil")["Groups"]
    assert [g["GroupName"] for g in groups] == ["editors"]
    members = idp.list_users_in_group(UserPoolId=pool, GroupName="editors")["Users"]
    assert [u["Username"] for u in members] == ["gil"]
    assert idp.list_users_in_group(UserPoolId=pool, GroupName="viewers")["Users"] == []

    idp.admin_remove_user_from_group(UserPoolId=pool, Username="gil", GroupName="editors")
    assert idp.list_users_in_group(UserPoolId=pool, GroupName="editors")["Users"] == []
    assert idp.admin_list_groups_for_user(UserPoolId=pool, Username="gil")["Groups"] == []

    idp.delete_group(UserPoolId=pool, GroupName="editors")
    assert error_of(idp.get_group, UserPoolId=pool, GroupName="editors") == (
        "ResourceNotFoundException",
        "Group not found.",
    )
    code, _ = error_of(idp.admin_add_user_to_group, UserPoolId=pool, Username="gil", GroupName="editors")
    assert code == "ResourceNotFoundException"
    assert [g["GroupName"] for g in idp.list_groups(UserPoolId=pool)["Groups"]] == ["viewers"]
