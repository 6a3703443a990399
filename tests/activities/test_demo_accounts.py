from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from activities import permissions
from activities.management.commands.create_demo_accounts import DEMO_ACCOUNTS
from activities.models import Delegation, FocalPoint, RangeState
from tests.factories import UserFactory

PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}


@pytest.fixture(autouse=True)
def development(settings):
    """The command is for development: DEBUG on, and a fast hasher so the tests do not wait on PBKDF2."""
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def range_states(seeded):
    return {state.iso_code: state for state in RangeState.objects.filter(iso_code__in=["AM", "IR"])}


def create_demo_accounts(*args) -> str:
    out = StringIO()
    call_command("create_demo_accounts", *args, stdout=out)
    return out.getvalue()


def account_state():
    users = get_user_model().objects.order_by("username")
    return (
        list(users.values_list("username", "password", "is_staff", "is_superuser")),
        list(FocalPoint.objects.order_by("pk").values_list("user__username", "range_state__iso_code")),
    )


def test_creates_an_account_for_every_role(range_states):
    output = create_demo_accounts()

    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == {"secretariat", "reviewer", "focal-armenia", "focal-iran", "expert-armenia"}
    assert users["secretariat"].is_superuser and users["secretariat"].is_staff
    # The reviewer is Secretariat staff through the group, not a superuser.
    assert users["reviewer"].is_staff and not users["reviewer"].is_superuser
    assert permissions.is_secretariat(users["reviewer"])
    assert users["reviewer"].has_perm("activities.change_reportinground")
    assert not any(users[name].is_staff for name in ("focal-armenia", "focal-iran", "expert-armenia"))
    assert all(user.check_password(PASSWORDS[name]) for name, user in users.items())
    assert set(FocalPoint.objects.values_list("user__username", "range_state__iso_code")) == {
        ("focal-armenia", "AM"),
        ("focal-iran", "IR"),
    }
    delegation = Delegation.objects.get()
    assert (delegation.delegate.username, delegation.granted_by.username) == (
        "expert-armenia",
        "focal-armenia",
    )
    assert (delegation.range_state.iso_code, delegation.objective.number) == ("AM", 3)
    for name, password in PASSWORDS.items():
        assert name in output and password in output


def test_running_twice_changes_nothing(range_states):
    create_demo_accounts()
    before = account_state()

    output = create_demo_accounts()

    assert account_state() == before
    assert output.count("already there") == len(DEMO_ACCOUNTS)


def test_refuses_without_range_states_and_says_to_seed(db):
    with pytest.raises(CommandError, match=r"AM, IR.*manage\.py seed"):
        create_demo_accounts()
    assert not get_user_model().objects.exists()


def test_refuses_when_debug_is_off(range_states, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--allow-production"):
        create_demo_accounts()
    assert not get_user_model().objects.exists()


def test_allow_production_overrides_the_debug_check(range_states, settings):
    settings.DEBUG = False

    create_demo_accounts("--allow-production")

    assert get_user_model().objects.count() == len(DEMO_ACCOUNTS)


def test_keeps_a_password_someone_changed_and_says_so(range_states):
    UserFactory(username="focal-iran", password="chosen-by-the-focal-point")

    output = create_demo_accounts()

    user = get_user_model().objects.get(username="focal-iran")
    assert user.check_password("chosen-by-the-focal-point")
    assert "exists with another password: kept" in output
    assert PASSWORDS["focal-iran"] not in output
    # An account the command did not make is left as it is: no focal-point role is added to it.
    assert not FocalPoint.objects.filter(user=user).exists()


def test_reset_passwords_restores_the_demo_password(range_states):
    create_demo_accounts()
    user = get_user_model().objects.get(username="focal-armenia")
    user.set_password("changed")
    user.save()

    output = create_demo_accounts("--reset-passwords")

    user.refresh_from_db()
    assert user.check_password(PASSWORDS["focal-armenia"])
    assert "password reset" in output
