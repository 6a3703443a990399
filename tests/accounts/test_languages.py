"""The interface language: chosen by Accept-Language or the switcher, remembered in the cookie and on a
signed-in user's profile, applied at sign-in; every page says its language and direction."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Profile
from tests.factories import UserFactory

HOME = reverse("activities:strategy-list")


def switch(client, language, next_url=HOME):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.mark.parametrize(
    ("accept", "lang", "direction"),
    [("ru", "ru", "ltr"), ("fa-IR,fa;q=0.9", "fa", "rtl"), ("de", "en", "ltr")],
)
def test_the_browser_language_picks_the_interface_language_and_direction(client, db, accept, lang, direction):
    response = client.get(HOME, headers={"accept-language": accept})
    html = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert response["Content-Language"] == lang


def test_every_page_has_a_labelled_switcher_naming_each_language_in_itself(client, db):
    html = client.get(HOME, headers={"accept-language": "fa"}).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert '<label for="language-select">' in html
    assert '<option value="en" lang="en" dir="ltr">English</option>' in html
    assert '<option value="ru" lang="ru" dir="ltr">Русский</option>' in html
    assert '<option value="fa" lang="fa" dir="rtl" selected>فارسی</option>' in html
    assert "<script" not in html  # a plain form: works without JavaScript


def test_switching_sets_the_cookie_and_goes_back_to_the_page(client, db):
    response = switch(client, "ru", next_url="/strategies/x/")
    assert response.status_code == 302 and response["Location"] == "/strategies/x/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    # the cookie wins over the browser's language from then on
    html = client.get(HOME, headers={"accept-language": "fa"}).content.decode()
    assert '<html lang="ru" dir="ltr">' in html


def test_switching_while_signed_in_remembers_the_language_on_the_profile(client, db):
    user = UserFactory()
    client.force_login(user)
    switch(client, "fa")
    assert Profile.objects.get(user=user).language == "fa"
    switch(client, "en")
    assert Profile.objects.get(user=user).language == "en"


def test_a_language_the_site_does_not_offer_changes_nothing(client, db):
    user = UserFactory()
    client.force_login(user)
    response = switch(client, "de")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert not Profile.objects.filter(user=user).exists()
    assert '<html lang="en"' in client.get(HOME).content.decode()


def test_signing_in_applies_the_profile_language_on_a_new_browser(client, db):
    user = UserFactory(username="fp-iran")
    user.set_password("a long enough password")
    user.save()
    Profile.objects.create(user=user, language="fa")
    response = client.post(
        reverse("login"),
        {"username": "fp-iran", "password": "a long enough password"},
        headers={"accept-language": "ru"},
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fa"
    html = client.get(reverse("activities:home")).content.decode()
    assert '<html lang="fa" dir="rtl">' in html


def test_the_switcher_posts_are_protected_against_cross_site_requests(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("set_language"), {"language": "ru"})
    assert response.status_code == 403


def test_the_admin_follows_the_language(admin_client):
    response = admin_client.get(reverse("admin:index"), headers={"accept-language": "ru"})
    assert '<html lang="ru"' in response.content.decode()
