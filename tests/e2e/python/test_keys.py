"""Scoped access keys made with `cognitod keys`: allowed actions on allowed pools only."""

import re

from conftest import client, cognitod, error_of, store_args


def test_scoped_key_is_limited_to_its_actions_and_pools(idp, pool):
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    try:
        out = cognitod("keys", "create", *store_args(), "--actions", "Admin*,ListUsers", "--pools", pool)
        key_id = re.search(r"access key id:\s+(\S+)", out).group(1)
        secret = re.search(r"secret access key:\s+(\S+)", out).group(1)
        listing = cognitod("keys", "list", *store_args())
        assert key_id in listing and secret not in listing

        scoped = client(key=key_id, secret=secret)
        scoped.admin_create_user(UserPoolId=pool, Username="by-scoped-key", MessageAction="SUPPRESS")
        assert [u["Username"] for u in scoped.list_users(UserPoolId=pool)["Users"]] == ["by-scoped-key"]

        for action, call, kwargs in [
            ("CreateUserPool", scoped.create_user_pool, {"PoolName": "not-allowed"}),
            ("DeleteUserPool", scoped.delete_user_pool, {"UserPoolId": pool}),
            ("ListUsers", scoped.list_users, {"UserPoolId": other}),
            ("AdminCreateUser", scoped.admin_create_user, {"UserPoolId": other, "Username": "x"}),
        ]:
            code, message = error_of(call, **kwargs)
            assert code == "AccessDeniedException", (action, code, message)
            expected = rf"User: arn:aws:iam::\d{{12}}:user/{key_id} is not authorized to perform: cognito-idp:{action}\b.*"
            assert re.fullmatch(expected, message), message
        assert idp.list_users(UserPoolId=other)["Users"] == []
        assert idp.describe_user_pool(UserPoolId=pool)["UserPool"]["Id"] == pool

        cognitod("keys", "delete", *store_args(), key_id)
        assert key_id not in cognitod("keys", "list", *store_args())
        assert error_of(scoped.list_users, UserPoolId=pool) == (
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    finally:
        idp.delete_user_pool(UserPoolId=other)
