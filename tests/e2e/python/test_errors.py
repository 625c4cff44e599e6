"""Errors as Cognito sends them: model validation (with botocore's own checks turned off, so
the server is the one to refuse) and SigV4 failures. No failed call may change the store."""

import uuid

import botocore
import botocore.config
import boto3
import pytest

from conftest import ENDPOINT, REGION, client, error_of, pool_ids

PREFIX = "1 validation error detected: "


POOL = "<pool>"  # replaced by the id of a real pool

# (operation, arguments, message) for each kind of constraint the model states.
VIOLATIONS = {
    "max length": (
        "create_user_pool",
        {"PoolName": "p" * 129},
        f"Value '{'p' * 129}' at 'poolName' failed to satisfy constraint: "
        "Member must have length less than or equal to 128",
    ),
    "min length": (
        "create_group",
        {"UserPoolId": POOL, "GroupName": "g", "RoleArn": "arn:aws:iam::1:r"},
        "Value 'arn:aws:iam::1:r' at 'roleArn' failed to satisfy constraint: "
        "Member must have length greater than or equal to 20",
    ),
    "pattern": (
        "describe_user_pool",
        {"UserPoolId": "no-underscore"},
        "Value 'no-underscore' at 'userPoolId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
    ),
    # A sensitive member's value is not echoed.
    "pattern, sensitive": (
        "admin_create_user",
        {"UserPoolId": POOL, "Username": "has space"},
        "Value at 'username' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    ),
    "max value": (
        "list_user_pools",
        {"MaxResults": 61},
        "Value '61' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 60",
    ),
    "min value": (
        "create_group",
        {"UserPoolId": POOL, "GroupName": "g", "Precedence": -1},
        "Value '-1' at 'precedence' failed to satisfy constraint: "
        "Member must have value greater than or equal to 0",
    ),
    "enum": (
        "create_user_pool",
        {"PoolName": "p", "MfaConfiguration": "SOMETIMES"},
        "Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: "
        "Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
    ),
    "required": (
        "list_user_pools",
        {},
        "Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
    ),
    "required, sensitive": (
        "admin_create_user",
        {"UserPoolId": POOL},
        "Value null at 'username' failed to satisfy constraint: Member must not be null",
    ),
}


@pytest.fixture(scope="module")
def shared_pool():
    idp = client()
    pool = idp.create_user_pool(PoolName=f"errors-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    yield pool
    idp.delete_user_pool(UserPoolId=pool)


@pytest.mark.parametrize("kind", VIOLATIONS)
def test_model_constraint_violation(idp, shared_pool, kind):
    operation, arguments, message = VIOLATIONS[kind]
    arguments = {k: shared_pool if v == POOL else v for k, v in arguments.items()}
    raw = client(parameter_validation=False)
    pools_before = pool_ids(idp)
    users_before = idp.list_users(UserPoolId=shared_pool)["Users"]
    groups_before = idp.list_groups(UserPoolId=shared_pool)["Groups"]

    assert error_of(getattr(raw, operation), **arguments) == ("InvalidParameterException", PREFIX + message)

    assert pool_ids(idp) == pools_before
    assert idp.list_users(UserPoolId=shared_pool)["Users"] == users_before
    assert idp.list_groups(UserPoolId=shared_pool)["Groups"] == groups_before


def test_two_violations_are_counted(idp):
    raw = client(parameter_validation=False)
    code, message = error_of(raw.create_user_pool, PoolName="p" * 129, MfaConfiguration="SOMETIMES")
    assert code == "InvalidParameterException"
    assert message.startswith("2 validation errors detected: Value ")
    assert "at 'poolName' failed to satisfy constraint" in message
    assert "at 'mfaConfiguration' failed to satisfy constraint" in message


def test_wrong_secret_is_an_invalid_signature(idp):
    before = pool_ids(idp)
    name = f"never-{uuid.uuid4().hex[:8]}"
    forged = client(secret="x" * 40)
    assert error_of(forged.create_user_pool, PoolName=name) == (
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )
    assert pool_ids(idp) == before


def test_unknown_key_is_unrecognized(idp):
    before = pool_ids(idp)
    stranger = client(key="AKIAZZZZZZZZZZZZZZZZ", secret="y" * 40)
    assert error_of(stranger.create_user_pool, PoolName=f"never-{uuid.uuid4().hex[:8]}") == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    assert error_of(stranger.list_user_pools, MaxResults=10) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    assert pool_ids(idp) == before


def test_unsigned_admin_call_is_refused(idp):
    before = pool_ids(idp)
    unsigned = boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        config=botocore.config.Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}),
    )
    assert error_of(unsigned.create_user_pool, PoolName="never") == (
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
    assert pool_ids(idp) == before


def test_missing_pool_is_not_found(idp):
    assert error_of(idp.list_users, UserPoolId="us-east-1_Nope12345") == (
        "ResourceNotFoundException",
        "User pool us-east-1_Nope12345 does not exist.",
    )
