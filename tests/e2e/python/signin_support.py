"""Helpers for the sign-in suites (test_signin.py, test_pycognito.py): the switch that turns
them on, pools that send codes, codes read back from the outbox, SECRET_HASH, and tokens checked
against the pool's JWKS the way a resource server does.

The suites are written to AWS Cognito's behaviour, as if they ran against the real service."""

import base64
import hashlib
import hmac
import json
import os
import re
import time
import urllib.error
import urllib.request
import uuid

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ENDPOINT, REGION


# Both meet the default password policy (8+ characters, upper, lower, digit, symbol).
PASSWORD = "Correct-Horse-7"
NEW_PASSWORD = "Battery-Staple-9"
TEMPORARY_PASSWORD = "Temp-Pass-4821"

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
# Sign-up confirmation and forgot-password codes are six digits.
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_email_pool(idp, **kwargs):
    """A pool that verifies email: SignUp and ForgotPassword send their codes by email."""
    return idp.create_user_pool(PoolName=unique("e2e-signin"), AutoVerifiedAttributes=["email"], **kwargs)[
        "UserPool"
    ]["Id"]


def delete_pool(idp, pool):
    try:
        idp.delete_user_pool(UserPoolId=pool)
    except idp.exceptions.ResourceNotFoundException:
        pass


def create_client(idp, pool, **kwargs):
    """An app client; returns (client id, client secret or None)."""
    created = idp.create_user_pool_client(UserPoolId=pool, ClientName=unique("app"), **kwargs)["UserPoolClient"]
    return created["ClientId"], created.get("ClientSecret")


def create_confirmed_user(idp, pool, username, password=PASSWORD, email=None):
    """An admin-created user with a permanent password (status CONFIRMED)."""
    idp.admin_create_user(
        UserPoolId=pool,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": email or f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)


def secret_hash(username, client_id, client_secret):
    """Base64(HMAC-SHA256(key = client secret, message = username + client id))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


# ---------------------------------------------------------------- outbox


def outbox(pool, username=None):
    """The messages the pool sent (to one user), from the signed GET /admin/outbox."""
    query = f"poolId={pool}" + (f"&username={username}" if username else "")
    url = f"{ENDPOINT}/admin/outbox?{query}"
    request = AWSRequest(method="GET", url=url)
    credentials = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    SigV4Auth(credentials, "cognito-idp", REGION).add_auth(request)
    with urllib.request.urlopen(urllib.request.Request(url, headers=dict(request.headers.items())), timeout=30) as r:
        return json.load(r)["messages"]


def latest_code(pool, username, after=0):
    """The code in the newest message to `username`, once there are more than `after` messages."""
    deadline = time.monotonic() + 10
    while True:
        messages = outbox(pool, username)
        if len(messages) > after:
            found = CODE.search(messages[-1]["body"])
            assert found, f"no code in {messages[-1]!r}"
            return found.group(1)
        assert time.monotonic() < deadline, f"no new message to {username} in the outbox: {messages!r}"
        time.sleep(0.2)


def other_code(*codes):
    """A six-digit code that is none of `codes`."""
    n = int(codes[0])
    while True:
        n = (n + 1) % 1_000_000
        if f"{n:06d}" not in codes:
            return f"{n:06d}"


# ---------------------------------------------------------------- tokens


def issuer(pool):
    """Our tokens' iss: the public URL of the server, then the pool id."""
    return f"{ENDPOINT}/{pool}"


def jwks(pool):
    with urllib.request.urlopen(f"{issuer(pool)}/.well-known/jwks.json", timeout=30) as r:
        return json.load(r)


def claims(token):
    """The payload of a JWT, not verified."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def verify(token, pool, audience=None):
    """Verifies an ID or access token as a resource server does: RS256, a kid from the pool's
    JWKS, iss, exp, and aud for ID tokens. Returns the claims."""
    import jwt  # PyJWT comes with pycognito; imported here so that a run with the suites off needs none

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256", header
    keys = [k for k in jwks(pool)["keys"] if k["kid"] == header["kid"]]
    assert len(keys) == 1, f"kid {header['kid']} is not in the JWKS"
    return jwt.decode(
        token,
        jwt.PyJWK(keys[0]).key,
        algorithms=["RS256"],
        issuer=issuer(pool),
        audience=audience,
        leeway=5,
        options={"verify_aud": audience is not None, "require": ["exp", "iat", "iss", "sub"]},
    )


def kid(token):
    import jwt

    return jwt.get_unverified_header(token)["kid"]
