"""The outbox: an invitation is readable with `cognitod outbox list` and the signed
`GET /admin/outbox`, and the temporary password is never stored in plaintext."""

import json
import os
import re
import subprocess
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ENDPOINT, REGION, cognitod, store_args

INVITATION = re.compile(r"Your username is (\S+) and temporary password is (\S+)\.")


def signed_get(url, key=None, secret=None):
    """GET with a SigV4 signature for service cognito-idp; returns (status, JSON body)."""
    credentials = Credentials(key or os.environ["AWS_ACCESS_KEY_ID"], secret or os.environ["AWS_SECRET_ACCESS_KEY"])
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(credentials, "cognito-idp", REGION).add_auth(request)
    return http_get(url, dict(request.headers.items()))


def http_get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def stored_bytes():
    """Every byte the store holds: the SQLite files in the data dir, or a dump of the database."""
    if os.environ["COGNITOD_BACKEND"] == "sqlite":
        data = b""
        for root, _, files in os.walk(os.environ["COGNITOD_DATA_DIR"]):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data += f.read()
        return data
    return subprocess.run(
        ["pg_dump", "--data-only", "--no-owner", os.environ["COGNITOD_DATABASE_URL"]],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout


def test_invitation_reaches_the_outbox_and_no_password_is_stored_in_plaintext(idp, pool):
    idp.admin_create_user(
        UserPoolId=pool,
        Username="invited",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    idp.admin_create_user(
        UserPoolId=pool,
        Username="chosen",
        TemporaryPassword="Chosen-Temp-4821",
        UserAttributes=[{"Name": "email", "Value": "chosen@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )

    # The command line reads the store while the server runs.
    lines = cognitod("outbox", "list", *store_args(), "--pool", pool, "--json").splitlines()
    messages = [json.loads(line) for line in lines if line.strip()]
    assert [(m["poolId"], m["username"], m["medium"], m["destination"], m["subject"]) for m in messages] == [
        (pool, "invited", "EMAIL", "invited@example.com", "Your temporary password"),
        (pool, "chosen", "EMAIL", "chosen@example.com", "Your temporary password"),
    ]
    generated = INVITATION.fullmatch(messages[0]["body"])
    assert generated and generated.group(1) == "invited", messages[0]["body"]
    assert len(generated.group(2)) >= 8
    assert messages[1]["body"] == "Your username is chosen and temporary password is Chosen-Temp-4821."

    # The signed HTTP endpoint gives the same messages.
    status, body = signed_get(f"{ENDPOINT}/admin/outbox?poolId={pool}")
    assert status == 200
    assert body["messages"] == messages
    status, body = signed_get(f"{ENDPOINT}/admin/outbox?poolId={pool}&username=chosen")
    assert (status, [m["username"] for m in body["messages"]]) == (200, ["chosen"])

    # Unsigned or wrongly signed requests read nothing.
    status, body = http_get(f"{ENDPOINT}/admin/outbox?poolId={pool}")
    assert status >= 400 and body["__type"] == "MissingAuthenticationTokenException"
    status, body = signed_get(f"{ENDPOINT}/admin/outbox?poolId={pool}", secret="z" * 40)
    assert (status, body["__type"]) == (400, "InvalidSignatureException")

    # Neither temporary password is in the store in plaintext; the store does hold the users.
    data = stored_bytes()
    assert b"invited@example.com" in data and b"chosen@example.com" in data
    assert generated.group(2).encode() not in data
    assert b"Chosen-Temp-4821" not in data
