"""notifications.delivery: one notice to one person, in their language, by the channels they chose,
with a plain-text and an HTML part, once per event, and recorded only if the e-mail went."""

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import Profile
from notifications import delivery
from notifications.models import Kind, Notice, NoticePreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JUNE_30 = datetime.date(2025, 6, 30)


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def compose():
    # Translated by Django's own catalogues, so that the test does not depend on the project's.
    deadline = date_format(JUNE_30, "j F Y")
    return delivery.Message(
        subject=f"{gettext('Yesterday')}: {deadline}",
        text=f"Deadline {deadline}",
        template="activities/email/entry_approved",
        context={"person": "sec-one", "activity": "1.1.1", "where": "Armenia", "strategy": "Persian Leopard",
                 "status": "Completed", "reporting_date": deadline},
    )  # fmt: skip


def send(user, kind=Kind.ENTRY_APPROVED, key="entry:1:v3", **kwargs):
    return delivery.send(recipient=user, kind=kind, key=key, url="/progress/1/", compose=compose, **kwargs)


def test_without_a_profile_the_notice_is_in_the_sites_language(settings):
    user = UserFactory()
    assert delivery.recipient_language(user) == settings.LANGUAGE_CODE
    send(user)
    [message] = mail.outbox
    assert message.subject == "Yesterday: 30 June 2025"
    assert f'<html lang="{settings.LANGUAGE_CODE}" dir="ltr">' in message.alternatives[0][0]


@pytest.mark.parametrize(
    ("language", "subject", "direction"),
    [
        ("ru", "Вчера: 30 Июнь 2025", "ltr"),
        ("fa", "دیروز: 30 ژوئن 2025", "rtl"),
    ],
)
def test_the_notice_is_written_in_the_recipients_profile_language(language, subject, direction):
    user = UserFactory()
    Profile.objects.create(user=user, language=language)
    notice = send(user)
    [message] = mail.outbox
    assert message.subject == subject
    assert f'<html lang="{language}" dir="{direction}">' in message.alternatives[0][0]
    assert notice.text == f"Deadline {subject.split(maxsplit=1)[1].strip(': ')}"


def test_an_unknown_profile_language_falls_back_to_the_sites(settings):
    user = UserFactory()
    Profile.objects.create(user=user, language="xx-nowhere")  # e.g. a language the site no longer offers
    assert delivery.recipient_language(user) == settings.LANGUAGE_CODE


def test_the_email_has_a_plain_text_part_and_an_html_part_with_the_same_link(settings):
    settings.SITE_URL = "https://tracker.example.org"
    send(UserFactory(first_name="Ani", last_name="Hakobyan"))
    [message] = mail.outbox
    assert message.content_subtype == "plain"
    assert "Dear Ani Hakobyan," in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "https://tracker.example.org/progress/1/" in message.body
    assert 'href="https://tracker.example.org/progress/1/"' in html
    # an optional kind: where to choose
    assert "https://tracker.example.org/notices/preferences/" in message.body


def test_names_in_the_html_part_are_escaped():
    user = UserFactory(first_name="<script>alert(1)</script>")
    send(user)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_same_event_is_sent_once():
    user = UserFactory()
    assert send(user) is not None
    assert send(user) is None
    assert len(mail.outbox) == 1 and Notice.objects.count() == 1
    send(user, key="entry:1:v5")  # another event
    assert len(mail.outbox) == 2


def test_a_failed_email_records_nothing_so_that_the_retry_sends_it(settings):
    user = UserFactory()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        send(user)
    assert not Notice.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(user) is not None
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("email", "on_home", "emailed", "shown"),
    [(True, True, 1, True), (False, True, 0, True), (True, False, 1, False), (False, False, 0, False)],
)
def test_each_person_chooses_the_channels_of_an_optional_kind(email, on_home, emailed, shown):
    user = UserFactory()
    NoticePreference.objects.create(user=user, kind=Kind.ENTRY_APPROVED, email=email, on_home=on_home)
    notice = send(user)
    assert len(mail.outbox) == emailed
    assert notice.on_home is shown and (notice.emailed_at is not None) is bool(emailed)
    assert list(Notice.objects.on_home_of(user)) == ([notice] if shown else [])


@pytest.mark.parametrize("kind", [Kind.ENTRY_RETURNED, Kind.ROUND_OPENED, Kind.DEADLINE_PASSED])
def test_a_mandatory_kind_cannot_be_switched_off(kind):
    user = UserFactory()
    NoticePreference.objects.create(user=user, kind=kind, email=False, on_home=False)
    assert delivery.channels(user, kind) == (True, True)
    notice = send(user, kind=kind)
    assert len(mail.outbox) == 1 and notice.on_home
    assert "Required:" in mail.outbox[0].body


def test_a_refreshed_notice_comes_back_unread_only_when_its_text_changes():
    user = UserFactory()
    notice = send(user, kind=Kind.DEADLINE_NEAR, key="round:1:near", refresh=True)
    Notice.objects.filter(pk=notice.pk).update(read_at=notice.created_at, dismissed_at=notice.created_at)
    send(user, kind=Kind.DEADLINE_NEAR, key="round:1:near", refresh=True)  # same text: stays dismissed
    assert not Notice.objects.on_home_of(user).exists()
    assert len(mail.outbox) == 2  # the caller decides how often (the reminders: once a day)
