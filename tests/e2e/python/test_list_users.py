"""ListUsers: pagination by hand and with boto3's paginator, and the filter language."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import client, error_of

USERS = [f"user{i:03}" for i in range(250)]


@pytest.fixture(scope="module")
def big_pool():
    """A pool with 250 users, created four at a time."""
    idp = client()
    pool = idp.create_user_pool(PoolName=f"big-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]

    def create(name):
        idp.admin_create_user(
            UserPoolId=pool,
            Username=name,
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
            MessageAction="SUPPRESS",
        )

    with ThreadPoolExecutor(max_workers=4) as workers:
        list(workers.map(create, USERS))
    yield pool
    idp.delete_user_pool(UserPoolId=pool)


def test_pages_of_60_by_hand(idp, big_pool):
    seen, sizes, token = [], [], None
    for _ in range(20):
        kwargs = {"UserPoolId": big_pool, "Limit": 60}
        if token:
            kwargs["PaginationToken"] = token
        page = idp.list_users(**kwargs)
        sizes.append(len(page["Users"]))
        seen += [u["Username"] for u in page["Users"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert token is None, "pagination did not end within 20 pages"
    assert all(size <= 60 for size in sizes)
    assert sum(sizes) == 250
    assert sorted(seen) == USERS  # every user exactly once


def test_boto3_paginator(idp, big_pool):
    pages = list(idp.get_paginator("list_users").paginate(UserPoolId=big_pool, PaginationConfig={"PageSize": 60}))
    names = [u["Username"] for page in pages for u in page["Users"]]
    assert sorted(names) == USERS
    assert len(pages) >= 5

    # A filtered listing pages the same way.
    pages = idp.get_paginator("list_users").paginate(
        UserPoolId=big_pool, Filter='email ^= "user1"', PaginationConfig={"PageSize": 7}
    )
    names = [u["Username"] for page in pages for u in page["Users"]]
    assert sorted(names) == [f"user{i:03}" for i in range(100, 200)]


def test_default_page_is_60(idp, big_pool):
    page = idp.list_users(UserPoolId=big_pool)
    assert len(page["Users"]) == 60
    assert page["PaginationToken"]


@pytest.fixture(scope="module")
def people():
    """ana and anton enabled, bea disabled; anton confirmed, the others FORCE_CHANGE_PASSWORD."""
    idp = client()
    pool = idp.create_user_pool(PoolName=f"people-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    for name, domain in [("ana", "example.com"), ("anton", "example.org"), ("bea", "example.com")]:
        idp.admin_create_user(
            UserPoolId=pool,
            Username=name,
            UserAttributes=[
                {"Name": "email", "Value": f"{name}@{domain}"},
                {"Name": "given_name", "Value": name.capitalize()},
            ],
            MessageAction="SUPPRESS",
        )
    idp.admin_disable_user(UserPoolId=pool, Username="bea")
    idp.admin_set_user_password(UserPoolId=pool, Username="anton", Password="Perm-Pass-1234", Permanent=True)
    yield pool
    idp.delete_user_pool(UserPoolId=pool)


@pytest.mark.parametrize(
    "expression, expected",
    [
        ('email = "bea@example.com"', ["bea"]),
        ('email ^= "an"', ["ana", "anton"]),
        ('email = "nobody@example.com"', []),
        ('username = "anton"', ["anton"]),
        ('username ^= "a"', ["ana", "anton"]),
        ('given_name = "Bea"', ["bea"]),
        ('status = "Enabled"', ["ana", "anton"]),
        ('status = "Disabled"', ["bea"]),
        ('cognito:user_status = "FORCE_CHANGE_PASSWORD"', ["ana", "bea"]),
        ('cognito:user_status = "CONFIRMED"', ["anton"]),
        ("", ["ana", "anton", "bea"]),
    ],
)
def test_filter(idp, people, expression, expected):
    users = idp.list_users(UserPoolId=people, Filter=expression)["Users"]
    assert sorted(u["Username"] for u in users) == expected


def test_filtered_users_carry_their_state(idp, people):
    [bea] = idp.list_users(UserPoolId=people, Filter='email = "bea@example.com"')["Users"]
    assert (bea["Enabled"], bea["UserStatus"]) == (False, "FORCE_CHANGE_PASSWORD")
    attributes = {a["Name"]: a["Value"] for a in bea["Attributes"]}
    assert (attributes["email"], attributes["given_name"]) == ("bea@example.com", "Bea")


def test_attributes_to_get(idp, people):
    users = idp.list_users(UserPoolId=people, Filter='username = "ana"', AttributesToGet=["email"])["Users"]
    assert [u["Attributes"] for u in users] == [[{"Name": "email", "Value": "ana@example.com"}]]


def test_unsearchable_attribute_is_refused(idp, people):
    code, _ = error_of(idp.list_users, UserPoolId=people, Filter='nickname = "x"')
    assert code == "InvalidParameterException"
    code, _ = error_of(idp.list_users, UserPoolId=people, Filter="email = unquoted")
    assert code == "InvalidParameterException"
