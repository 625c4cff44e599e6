"""Sign-in as boto3 sees it, written to AWS Cognito's behaviour: sign-up confirmed with the code
from the outbox, USER_PASSWORD_AUTH, GetUser, REFRESH_TOKEN_AUTH, GlobalSignOut and RevokeToken,
forgotten and changed passwords, client secrets, the errors of a failed sign-in (with
PreventUserExistenceErrors LEGACY and ENABLED), NEW_PASSWORD_REQUIRED and AdminInitiateAuth."""

import json

import pytest

from conftest import error_of
from signin_support import (
    NEW_PASSWORD,
    PASSWORD,
    TEMPORARY_PASSWORD,
    UUID,
    claims,
    create_client,
    create_confirmed_user,
    create_email_pool,
    delete_pool,
    issuer,
    jwks,
    kid,
    latest_code,
    other_code,
    outbox,
    secret_hash,
    verify,
)


PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
REVOKED_ACCESS = ("NotAuthorizedException", "Access Token has been revoked")


@pytest.fixture
def email_pool(idp):
    pool = create_email_pool(idp)
    yield pool
    delete_pool(idp, pool)


@pytest.fixture
def password_client(idp, email_pool):
    """A public client that allows USER_PASSWORD_AUTH and refresh."""
    return create_client(idp, email_pool, ExplicitAuthFlows=PASSWORD_FLOWS)[0]


def password_auth(idp, client_id, username, password, **extra):
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, **extra},
    )


def tokens(idp, client_id, username, password, **extra):
    """Signs in with USER_PASSWORD_AUTH; returns the AuthenticationResult."""
    result = password_auth(idp, client_id, username, password, **extra)
    assert "ChallengeName" not in result, result
    return result["AuthenticationResult"]


def refresh(idp, client_id, refresh_token, **extra):
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token, **extra},
    )


def sign_up_and_confirm(idp, pool, client_id, username, password=PASSWORD):
    before = len(outbox(pool, username))
    idp.sign_up(
        ClientId=client_id,
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    idp.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=latest_code(pool, username, before))


def attributes(user):
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_sign_up_confirm_sign_in_refresh_and_global_sign_out(idp, email_pool, password_client):
    pool, client_id = email_pool, password_client
    signed_up = idp.sign_up(
        ClientId=client_id,
        Username="maria",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "maria@example.com"}],
    )
    assert signed_up["UserConfirmed"] is False
    sub = signed_up["UserSub"]
    assert UUID.fullmatch(sub)
    assert signed_up["CodeDeliveryDetails"] == {
        "Destination": "m***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert idp.admin_get_user(UserPoolId=pool, Username="maria")["UserStatus"] == "UNCONFIRMED"

    # The right password does not sign in an unconfirmed user.
    assert error_of(password_auth, idp=idp, client_id=client_id, username="maria", password=PASSWORD) == (
        "UserNotConfirmedException",
        "User is not confirmed.",
    )

    [message] = outbox(pool, "maria")
    assert (message["medium"], message["destination"]) == ("EMAIL", "maria@example.com")
    idp.confirm_sign_up(ClientId=client_id, Username="maria", ConfirmationCode=latest_code(pool, "maria"))
    confirmed = idp.admin_get_user(UserPoolId=pool, Username="maria")
    assert confirmed["UserStatus"] == "CONFIRMED"
    # The code went to the email address, so confirming it verified the address.
    assert attributes(confirmed)["email_verified"] == "true"

    result = password_auth(idp, client_id, "maria", PASSWORD)
    assert "ChallengeName" not in result
    assert result["ChallengeParameters"] == {}
    auth = result["AuthenticationResult"]
    assert (auth["TokenType"], auth["ExpiresIn"]) == ("Bearer", 3600)
    assert auth["RefreshToken"]

    # The tokens verify against the pool's JWKS; ID and access tokens are signed with different keys.
    # The active ID and access keys, then the next pair published ahead of its turn.
    keys = jwks(pool)["keys"]
    assert len(keys) == 4
    assert {kid(auth["IdToken"]), kid(auth["AccessToken"])} == {k["kid"] for k in keys[:2]}
    for key in keys:
        assert (key["alg"], key["kty"], key["e"], key["use"]) == ("RS256", "RSA", "AQAB", "sig")
        assert key["kid"] and key["n"]
    assert kid(auth["IdToken"]) != kid(auth["AccessToken"])

    id_claims = verify(auth["IdToken"], pool, audience=client_id)
    assert id_claims["token_use"] == "id"
    assert (id_claims["iss"], id_claims["aud"], id_claims["sub"]) == (issuer(pool), client_id, sub)
    assert id_claims["cognito:username"] == "maria"
    assert (id_claims["email"], id_claims["email_verified"]) == ("maria@example.com", True)
    assert id_claims["exp"] - id_claims["iat"] == 3600
    assert isinstance(id_claims["auth_time"], int)
    assert "cognito:groups" not in id_claims

    access = verify(auth["AccessToken"], pool)
    assert access["token_use"] == "access"
    assert (access["iss"], access["client_id"], access["sub"], access["username"]) == (
        issuer(pool),
        client_id,
        sub,
        "maria",
    )
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert "aud" not in access
    assert access["exp"] - access["iat"] == 3600
    assert access["auth_time"] == id_claims["auth_time"]
    assert UUID.fullmatch(access["jti"]) and UUID.fullmatch(access["origin_jti"])

    user = idp.get_user(AccessToken=auth["AccessToken"])
    assert user["Username"] == "maria"
    assert attributes(user) == {"sub": sub, "email": "maria@example.com", "email_verified": "true"}

    # Refresh: new ID and access tokens, no new refresh token, the original auth_time.
    refreshed = refresh(idp, client_id, auth["RefreshToken"])
    assert "ChallengeName" not in refreshed
    new = refreshed["AuthenticationResult"]
    assert "RefreshToken" not in new
    assert (new["TokenType"], new["ExpiresIn"]) == ("Bearer", 3600)
    assert new["AccessToken"] != auth["AccessToken"]
    new_access = verify(new["AccessToken"], pool)
    new_id = verify(new["IdToken"], pool, audience=client_id)
    assert (new_access["sub"], new_access["username"], new_access["client_id"]) == (sub, "maria", client_id)
    assert new_access["auth_time"] == new_id["auth_time"] == id_claims["auth_time"]
    assert new_access["jti"] != access["jti"]
    assert new_access["origin_jti"] == access["origin_jti"]
    assert idp.get_user(AccessToken=new["AccessToken"])["Username"] == "maria"

    assert error_of(refresh, idp=idp, client_id=client_id, refresh_token="not-a-refresh-token") == (
        "NotAuthorizedException",
        "Invalid Refresh Token.",
    )

    # GlobalSignOut revokes every refresh token and access token of the user.
    idp.global_sign_out(AccessToken=new["AccessToken"])
    for token in (auth["AccessToken"], new["AccessToken"]):
        assert error_of(idp.get_user, AccessToken=token) == REVOKED_ACCESS
    code, _ = error_of(refresh, idp=idp, client_id=client_id, refresh_token=auth["RefreshToken"])
    assert code == "NotAuthorizedException"
    assert error_of(idp.global_sign_out, AccessToken=new["AccessToken"]) == REVOKED_ACCESS

    # Signing in again works and gives tokens that GetUser accepts.
    again = tokens(idp, client_id, "maria", PASSWORD)
    assert idp.get_user(AccessToken=again["AccessToken"])["Username"] == "maria"


def test_confirmation_code_can_be_resent_and_is_checked(idp, email_pool, password_client):
    pool, client_id = email_pool, password_client
    idp.sign_up(
        ClientId=client_id,
        Username="rui",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "rui@example.com"}],
    )
    first = latest_code(pool, "rui")
    resent = idp.resend_confirmation_code(ClientId=client_id, Username="rui")
    assert resent["CodeDeliveryDetails"] == {
        "Destination": "r***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    code = latest_code(pool, "rui", after=1)

    assert error_of(
        idp.confirm_sign_up, ClientId=client_id, Username="rui", ConfirmationCode=other_code(first, code)
    ) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    assert idp.admin_get_user(UserPoolId=pool, Username="rui")["UserStatus"] == "UNCONFIRMED"

    idp.confirm_sign_up(ClientId=client_id, Username="rui", ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool, Username="rui")["UserStatus"] == "CONFIRMED"
    assert error_of(idp.confirm_sign_up, ClientId=client_id, Username="rui", ConfirmationCode=code) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )
    assert tokens(idp, client_id, "rui", PASSWORD)["AccessToken"]


def test_forgot_password_then_sign_in_with_the_new_password(idp, email_pool, password_client):
    pool, client_id = email_pool, password_client
    sign_up_and_confirm(idp, pool, client_id, "lia")
    before = len(outbox(pool, "lia"))

    sent = idp.forgot_password(ClientId=client_id, Username="lia")
    assert sent["CodeDeliveryDetails"] == {
        "Destination": "l***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    code = latest_code(pool, "lia", after=before)
    assert outbox(pool, "lia")[-1]["destination"] == "lia@example.com"

    assert error_of(
        idp.confirm_forgot_password,
        ClientId=client_id,
        Username="lia",
        ConfirmationCode=other_code(code),
        Password=NEW_PASSWORD,
    ) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    idp.confirm_forgot_password(ClientId=client_id, Username="lia", ConfirmationCode=code, Password=NEW_PASSWORD)

    assert error_of(password_auth, idp=idp, client_id=client_id, username="lia", password=PASSWORD) == INCORRECT
    auth = tokens(idp, client_id, "lia", NEW_PASSWORD)
    assert idp.get_user(AccessToken=auth["AccessToken"])["Username"] == "lia"
    assert idp.admin_get_user(UserPoolId=pool, Username="lia")["UserStatus"] == "CONFIRMED"


def test_change_password(idp, email_pool, password_client):
    pool, client_id = email_pool, password_client
    create_confirmed_user(idp, pool, "caio")
    auth = tokens(idp, client_id, "caio", PASSWORD)

    assert (
        error_of(
            idp.change_password,
            PreviousPassword="Wrong-Pass-123",
            ProposedPassword=NEW_PASSWORD,
            AccessToken=auth["AccessToken"],
        )
        == INCORRECT
    )
    idp.change_password(PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD, AccessToken=auth["AccessToken"])

    assert error_of(password_auth, idp=idp, client_id=client_id, username="caio", password=PASSWORD) == INCORRECT
    assert tokens(idp, client_id, "caio", NEW_PASSWORD)["AccessToken"]


def test_client_with_a_secret_requires_the_secret_hash(idp, email_pool):
    pool = email_pool
    client_id, secret = create_client(idp, pool, GenerateSecret=True, ExplicitAuthFlows=PASSWORD_FLOWS)
    assert secret
    create_confirmed_user(idp, pool, "sam")
    missing = ("NotAuthorizedException", f"Client {client_id} is configured for secret but secret was not received")
    wrong = ("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}")

    assert error_of(password_auth, idp=idp, client_id=client_id, username="sam", password=PASSWORD) == missing
    bad_hash = secret_hash("sam", client_id, secret + "x")
    assert (
        error_of(password_auth, idp=idp, client_id=client_id, username="sam", password=PASSWORD, SECRET_HASH=bad_hash)
        == wrong
    )
    # A hash over another username does not verify either.
    other_user = secret_hash("someone-else", client_id, secret)
    assert (
        error_of(password_auth, idp=idp, client_id=client_id, username="sam", password=PASSWORD, SECRET_HASH=other_user)
        == wrong
    )

    good_hash = secret_hash("sam", client_id, secret)
    auth = tokens(idp, client_id, "sam", PASSWORD, SECRET_HASH=good_hash)
    assert verify(auth["AccessToken"], pool)["client_id"] == client_id

    # Refresh hashes the internal username (cognito:username).
    assert error_of(refresh, idp=idp, client_id=client_id, refresh_token=auth["RefreshToken"]) == missing
    internal = claims(auth["IdToken"])["cognito:username"]
    refreshed = refresh(idp, client_id, auth["RefreshToken"], SECRET_HASH=secret_hash(internal, client_id, secret))
    assert refreshed["AuthenticationResult"]["AccessToken"]

    # GetTokensFromRefreshToken takes the client secret itself.
    got = idp.get_tokens_from_refresh_token(RefreshToken=auth["RefreshToken"], ClientId=client_id, ClientSecret=secret)
    assert verify(got["AuthenticationResult"]["AccessToken"], pool)["username"] == "sam"

    # The unauthenticated user operations need it too.
    attrs = [{"Name": "email", "Value": "tia@example.com"}]
    assert error_of(idp.sign_up, ClientId=client_id, Username="tia", Password=PASSWORD, UserAttributes=attrs) == missing
    assert (
        error_of(
            idp.sign_up,
            ClientId=client_id,
            Username="tia",
            Password=PASSWORD,
            UserAttributes=attrs,
            SecretHash=secret_hash("tia", client_id, secret + "x"),
        )
        == wrong
    )
    signed_up = idp.sign_up(
        ClientId=client_id,
        Username="tia",
        Password=PASSWORD,
        UserAttributes=attrs,
        SecretHash=secret_hash("tia", client_id, secret),
    )
    assert signed_up["UserConfirmed"] is False
    idp.confirm_sign_up(
        ClientId=client_id,
        Username="tia",
        ConfirmationCode=latest_code(pool, "tia"),
        SecretHash=secret_hash("tia", client_id, secret),
    )
    assert tokens(idp, client_id, "tia", PASSWORD, SECRET_HASH=secret_hash("tia", client_id, secret))["IdToken"]


def test_get_tokens_from_refresh_token(idp, email_pool, password_client):
    pool, client_id = email_pool, password_client
    create_confirmed_user(idp, pool, "gil")
    auth = tokens(idp, client_id, "gil", PASSWORD)
    got = idp.get_tokens_from_refresh_token(RefreshToken=auth["RefreshToken"], ClientId=client_id)["AuthenticationResult"]
    assert (got["TokenType"], got["ExpiresIn"]) == ("Bearer", 3600)
    access = verify(got["AccessToken"], pool)
    assert (access["username"], access["client_id"], access["token_use"]) == ("gil", client_id, "access")
    # Amplify computes its clock drift from iat of the new access token.
    assert isinstance(access["iat"], int)
    assert verify(got["IdToken"], pool, audience=client_id)["cognito:username"] == "gil"
    assert idp.get_user(AccessToken=got["AccessToken"])["Username"] == "gil"

    code, _ = error_of(idp.get_tokens_from_refresh_token, RefreshToken="not-a-refresh-token", ClientId=client_id)
    assert code == "NotAuthorizedException"


def test_wrong_password(idp, email_pool, password_client):
    create_confirmed_user(idp, email_pool, "ana")
    assert error_of(password_auth, idp=idp, client_id=password_client, username="ana", password="Wrong-Pass-123") == (
        INCORRECT
    )
    assert tokens(idp, password_client, "ana", PASSWORD)["AccessToken"]


def test_unknown_user_depends_on_prevent_user_existence_errors(idp, email_pool):
    pool = email_pool
    legacy, _ = create_client(idp, pool, ExplicitAuthFlows=PASSWORD_FLOWS, PreventUserExistenceErrors="LEGACY")
    enabled, _ = create_client(idp, pool, ExplicitAuthFlows=PASSWORD_FLOWS, PreventUserExistenceErrors="ENABLED")

    assert error_of(password_auth, idp=idp, client_id=legacy, username="ghost", password=PASSWORD) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert error_of(password_auth, idp=idp, client_id=enabled, username="ghost", password=PASSWORD) == INCORRECT

    assert error_of(idp.forgot_password, ClientId=legacy, Username="ghost") == (
        "UserNotFoundException",
        "Username/client id combination not found.",
    )
    # ENABLED answers as if a code had been sent.
    simulated = idp.forgot_password(ClientId=enabled, Username="ghost")["CodeDeliveryDetails"]
    assert set(simulated) == {"Destination", "DeliveryMedium", "AttributeName"}
    assert outbox(pool, "ghost") == []


def test_disabled_auth_flow_is_refused(idp, email_pool):
    pool = email_pool
    create_confirmed_user(idp, pool, "bea")
    srp_only, _ = create_client(idp, pool)  # default flows: SRP, refresh and custom
    code, _ = error_of(password_auth, idp=idp, client_id=srp_only, username="bea", password=PASSWORD)
    assert code == "InvalidParameterException"
    code, _ = error_of(
        idp.admin_initiate_auth,
        UserPoolId=pool,
        ClientId=srp_only,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bea", "PASSWORD": PASSWORD},
    )
    assert code == "InvalidParameterException"


def test_admin_created_user_must_choose_a_new_password(idp, email_pool, password_client):
    pool, client_id = email_pool, password_client
    idp.admin_create_user(
        UserPoolId=pool,
        Username="nina",
        TemporaryPassword=TEMPORARY_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}],
        MessageAction="SUPPRESS",
    )
    started = password_auth(idp, client_id, "nina", TEMPORARY_PASSWORD)
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert started["Session"]
    assert "AuthenticationResult" not in started
    parameters = started["ChallengeParameters"]
    assert parameters["USER_ID_FOR_SRP"] == "nina"
    assert json.loads(parameters["requiredAttributes"]) == []
    assert json.loads(parameters["userAttributes"])["email"] == "nina@example.com"

    done = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "nina", "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert "ChallengeName" not in done
    auth = done["AuthenticationResult"]
    assert auth["RefreshToken"]
    assert verify(auth["IdToken"], pool, audience=client_id)["cognito:username"] == "nina"
    assert idp.admin_get_user(UserPoolId=pool, Username="nina")["UserStatus"] == "CONFIRMED"

    # A session is good for one answer.
    assert error_of(
        idp.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "nina", "NEW_PASSWORD": "Another-Pass-5"},
    ) == ("NotAuthorizedException", "Invalid session for the user, session can only be used once.")

    assert error_of(password_auth, idp=idp, client_id=client_id, username="nina", password=TEMPORARY_PASSWORD) == (
        INCORRECT
    )
    assert idp.get_user(AccessToken=tokens(idp, client_id, "nina", NEW_PASSWORD)["AccessToken"])["Username"] == "nina"


def test_admin_initiate_auth(idp, email_pool):
    pool = email_pool
    client_id, _ = create_client(
        idp, pool, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    idp.admin_create_user(
        UserPoolId=pool,
        Username="otto",
        TemporaryPassword=TEMPORARY_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "otto@example.com"}],
        MessageAction="SUPPRESS",
    )

    def admin_auth(password):
        return idp.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "otto", "PASSWORD": password},
        )

    started = admin_auth(TEMPORARY_PASSWORD)
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "otto", "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert verify(done["AuthenticationResult"]["AccessToken"], pool)["username"] == "otto"

    assert error_of(admin_auth, password="Wrong-Pass-123") == INCORRECT
    signed_in = admin_auth(NEW_PASSWORD)
    assert signed_in["ChallengeParameters"] == {}
    auth = signed_in["AuthenticationResult"]
    refreshed = idp.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert verify(refreshed["IdToken"], pool, audience=client_id)["cognito:username"] == "otto"
    assert idp.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "otto"


def test_revoke_token_revokes_one_refresh_token_and_its_access_tokens(idp, email_pool, password_client):
    pool, client_id = email_pool, password_client
    create_confirmed_user(idp, pool, "ivo")
    first = tokens(idp, client_id, "ivo", PASSWORD)
    second = tokens(idp, client_id, "ivo", PASSWORD)
    from_first = refresh(idp, client_id, first["RefreshToken"])["AuthenticationResult"]

    idp.revoke_token(Token=first["RefreshToken"], ClientId=client_id)

    code, _ = error_of(refresh, idp=idp, client_id=client_id, refresh_token=first["RefreshToken"])
    assert code == "NotAuthorizedException"
    for token in (first["AccessToken"], from_first["AccessToken"]):
        assert error_of(idp.get_user, AccessToken=token) == REVOKED_ACCESS
    # The other sign-in is untouched.
    assert idp.get_user(AccessToken=second["AccessToken"])["Username"] == "ivo"
    assert refresh(idp, client_id, second["RefreshToken"])["AuthenticationResult"]["AccessToken"]

    # Only refresh tokens can be revoked.
    code, _ = error_of(idp.revoke_token, Token=second["AccessToken"], ClientId=client_id)
    assert code == "UnsupportedTokenTypeException"
