"""pycognito against the server: SRP sign-in (USER_SRP_AUTH + PASSWORD_VERIFIER), token
verification against the pool's JWKS, GetUser, refresh, sign-out, client secrets and the
NEW_PASSWORD_REQUIRED challenge. Written to AWS Cognito's behaviour.

How pycognito is pointed at the server: `boto3_client_kwargs={"endpoint_url": ENDPOINT}` (its
documented knob). With endpoint_url set, pycognito's `user_pool_url` is `<endpoint_url>/<pool id>`:
it fetches the JWKS from `<user_pool_url>/.well-known/jwks.json` and requires `iss` to equal
`user_pool_url` exactly, which is our issuer, so nothing needs patching."""

import botocore.config
import botocore.exceptions
import pytest



from pycognito import Cognito  # noqa: E402  (installed by scripts/lib/ensure-python.sh)
from pycognito.aws_srp import AWSSRP  # noqa: E402
from pycognito.exceptions import ForceChangePasswordException  # noqa: E402

from conftest import ENDPOINT, client, error_of  # noqa: E402
from signin_support import (  # noqa: E402
    NEW_PASSWORD,
    PASSWORD,
    TEMPORARY_PASSWORD,
    create_client,
    create_confirmed_user,
    create_email_pool,
    delete_pool,
    issuer,
    latest_code,
)

INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


def cognito(pool, client_id, username=None, **kwargs):
    """A pycognito Cognito object for the server under test, whose boto3 client never retries."""
    return Cognito(
        pool,
        client_id,
        username=username,
        boto3_client_kwargs={"endpoint_url": ENDPOINT},
        botocore_config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
        **kwargs,
    )


def client_error(call, *args, **kwargs):
    """Runs a pycognito call that must fail with a service error; returns (code, message)."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(*args, **kwargs)
    err = raised.value.response["Error"]
    return err["Code"], err["Message"]


@pytest.fixture
def email_pool(idp):
    pool = create_email_pool(idp)
    yield pool
    delete_pool(idp, pool)


@pytest.fixture
def srp_client(idp, email_pool):
    """A public client with the default flows (SRP, refresh, custom)."""
    return create_client(idp, email_pool)[0]


def test_register_confirm_authenticate_verify_refresh_and_logout(idp, email_pool, srp_client):
    pool, client_id = email_pool, srp_client
    u = cognito(pool, client_id, username="paulo")
    # The issuer pycognito checks and the base of the JWKS URL it fetches.
    assert u.user_pool_url == issuer(pool) == f"{ENDPOINT}/{pool}"

    u.set_base_attributes(email="paulo@example.com")
    registered = u.register("paulo", PASSWORD)
    assert registered["UserConfirmed"] is False
    assert registered["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    u.confirm_sign_up(latest_code(pool, "paulo"), username="paulo")

    # SRP; pycognito verifies both tokens (signature, iss, aud, exp, token_use) as it stores them.
    u.authenticate(password=PASSWORD)
    assert u.token_type == "Bearer"
    assert u.refresh_token
    u.verify_tokens()
    assert (u.id_claims["iss"], u.id_claims["aud"], u.id_claims["cognito:username"]) == (
        issuer(pool),
        client_id,
        "paulo",
    )
    assert (u.access_claims["username"], u.access_claims["client_id"], u.access_claims["token_use"]) == (
        "paulo",
        client_id,
        "access",
    )
    assert u.access_claims["sub"] == u.id_claims["sub"] == registered["UserSub"]

    user = u.get_user()
    assert (user.username, user.email, user.email_verified, user.sub) == (
        "paulo",
        "paulo@example.com",
        True,
        registered["UserSub"],
    )

    first_access, refresh_token = u.access_token, u.refresh_token
    u.renew_access_token()
    assert u.access_token != first_access
    assert u.refresh_token == refresh_token  # REFRESH_TOKEN_AUTH returns no new refresh token
    u.verify_tokens()
    assert u.get_user().email == "paulo@example.com"

    # A second object built from stored tokens verifies them too.
    stored = cognito(pool, client_id, username="paulo", id_token=u.id_token, access_token=u.access_token,
                     refresh_token=u.refresh_token)
    stored.verify_tokens()
    assert stored.access_claims["username"] == "paulo"

    last_access = u.access_token
    u.logout()  # GlobalSignOut
    assert u.access_token is None
    assert client_error(stored.renew_access_token)[0] == "NotAuthorizedException"
    assert error_of(idp.get_user, AccessToken=last_access) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )

    # And SRP signs in again.
    again = cognito(pool, client_id, username="paulo")
    again.authenticate(password=PASSWORD)
    assert again.get_user().username == "paulo"


def test_client_secret(idp, email_pool):
    pool = email_pool
    client_id, secret = create_client(idp, pool, GenerateSecret=True)
    create_confirmed_user(idp, pool, "sofia")

    u = cognito(pool, client_id, username="sofia", client_secret=secret)
    u.authenticate(password=PASSWORD)
    u.verify_tokens()
    assert u.access_claims["client_id"] == client_id
    first = u.access_token
    u.renew_access_token()  # SECRET_HASH over the username, which is the internal username here
    assert u.access_token != first
    assert u.get_user().username == "sofia"

    assert client_error(cognito(pool, client_id, username="sofia").authenticate, password=PASSWORD) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured for secret but secret was not received",
    )
    wrong = cognito(pool, client_id, username="sofia", client_secret=secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert client_error(wrong.authenticate, password=PASSWORD) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )


def test_wrong_password_and_unknown_users(idp, email_pool):
    pool = email_pool
    legacy, _ = create_client(idp, pool, PreventUserExistenceErrors="LEGACY")
    enabled, _ = create_client(idp, pool, PreventUserExistenceErrors="ENABLED")
    create_confirmed_user(idp, pool, "rita")

    assert client_error(cognito(pool, legacy, username="rita").authenticate, password="Wrong-Pass-123") == INCORRECT
    assert client_error(cognito(pool, legacy, username="ghost").authenticate, password=PASSWORD) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    # ENABLED: a made-up PASSWORD_VERIFIER challenge, then the generic error.
    assert client_error(cognito(pool, enabled, username="ghost").authenticate, password=PASSWORD) == INCORRECT

    # The made-up challenge is stable for a name: same salt and USER_ID_FOR_SRP each time.
    boto = client()
    seen = []
    for _ in range(2):
        srp = AWSSRP(username="ghost", password=PASSWORD, pool_id=pool, client_id=enabled, client=boto)
        started = boto.initiate_auth(ClientId=enabled, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params())
        assert started["ChallengeName"] == "PASSWORD_VERIFIER"
        parameters = started["ChallengeParameters"]
        seen.append((parameters["SALT"], parameters["USER_ID_FOR_SRP"]))
    assert seen[0] == seen[1]


def test_new_password_challenge(idp, email_pool, srp_client):
    pool, client_id = email_pool, srp_client
    idp.admin_create_user(
        UserPoolId=pool,
        Username="nuno",
        TemporaryPassword=TEMPORARY_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "nuno@example.com"}],
        MessageAction="SUPPRESS",
    )
    u = cognito(pool, client_id, username="nuno")
    with pytest.raises(ForceChangePasswordException):
        u.authenticate(password=TEMPORARY_PASSWORD)

    u.new_password_challenge(TEMPORARY_PASSWORD, NEW_PASSWORD)
    u.verify_tokens()
    assert u.id_claims["cognito:username"] == "nuno"
    assert idp.admin_get_user(UserPoolId=pool, Username="nuno")["UserStatus"] == "CONFIRMED"

    fresh = cognito(pool, client_id, username="nuno")
    assert client_error(fresh.authenticate, password=TEMPORARY_PASSWORD) == INCORRECT
    fresh.authenticate(password=NEW_PASSWORD)
    assert fresh.get_user().email == "nuno@example.com"


def test_admin_authenticate(idp, email_pool):
    pool = email_pool
    client_id, _ = create_client(idp, pool, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    create_confirmed_user(idp, pool, "alba")
    # admin_authenticate sends the legacy flow name ADMIN_NO_SRP_AUTH, an alias of ADMIN_USER_PASSWORD_AUTH.
    u = cognito(pool, client_id, username="alba")
    u.admin_authenticate(PASSWORD)
    u.verify_tokens()
    assert u.access_claims["username"] == "alba"
    u.renew_access_token()
    assert u.get_user().username == "alba"
