"""Shared helpers: boto3 clients for the server under test (set up by run.sh), error capture,
the admin command line and the restart hook."""

import os
import shlex
import subprocess
import uuid

import boto3
import botocore.config
import botocore.exceptions
import pytest

ENDPOINT = os.environ["COGNITOD_ENDPOINT"]
REGION = "us-east-1"


def client(parameter_validation=True, key=None, secret=None):
    """A cognito-idp client that never retries, so every error reaches the test as sent."""
    config = botocore.config.Config(
        retries={"max_attempts": 1, "mode": "standard"},
        parameter_validation=parameter_validation,
    )
    return boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=key or os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or os.environ["AWS_SECRET_ACCESS_KEY"],
        config=config,
    )


def error_of(call, **kwargs):
    """Calls an operation that must fail; returns (error code, message)."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    err = raised.value.response["Error"]
    return err["Code"], err["Message"]


def store_args():
    """The store flags the server runs with, for admin commands on the same store."""
    return shlex.split(os.environ["COGNITOD_STORE_ARGS"])


def cognitod(*args):
    """Runs an admin subcommand of the binary under test; returns its stdout."""
    done = subprocess.run(
        [os.environ["COGNITOD_BIN"], *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"cognitod {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def restart_server():
    """Stops the server with SIGTERM and starts it again on the same store and port."""
    done = subprocess.run(
        shlex.split(os.environ["COGNITOD_RESTART"]), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"restart failed: {done.stdout}{done.stderr}"


def pool_ids(idp):
    """Every pool id, following NextToken."""
    ids, token = [], None
    while True:
        kwargs = {"MaxResults": 60, **({"NextToken": token} if token else {})}
        page = idp.list_user_pools(**kwargs)
        ids += [p["Id"] for p in page["UserPools"]]
        token = page.get("NextToken")
        if not token:
            return sorted(ids)


@pytest.fixture
def idp():
    return client()


@pytest.fixture
def pool(idp):
    """A fresh pool, deleted afterwards unless the test deleted it."""
    pool_id = idp.create_user_pool(PoolName=f"e2e-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    yield pool_id
    try:
        idp.delete_user_pool(UserPoolId=pool_id)
    except idp.exceptions.ResourceNotFoundException:
        pass
