"""Delivering one notice to one person: in their language, by e-mail (a plain-text part and an HTML
part) and on their home page, as they chose, and once per event.

    from notifications.delivery import Message, send

    send(recipient=user, kind=Kind.ENTRY_RETURNED, key=f"entry:{entry.pk}:v{version}",
         url=edit_path, compose=lambda: Message(subject=..., text=..., template=..., context={...}))

`compose` is called with the recipient's language active, so that its gettext calls, dates and
templates come out in that language. Call `send` from a background task (activities.tasks), never in a
request: it talks to the mail server."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import MANDATORY, Kind, Notice, NoticePreference

# RFC 3834: out-of-office responders must not answer a notice.
HEADERS = {"Auto-Submitted": "auto-generated"}


@dataclass
class Message:
    """A notice's words, in the recipient's language: the e-mail's subject, the line the home page shows,
    and the templates (`template`.txt and `template`.html) that render the e-mail's body from `context`.
    Nothing in it may be restricted, except what the caller has checked the recipient may see."""

    subject: str
    text: str
    template: str
    context: dict = field(default_factory=dict)


def recipient_language(user) -> str:
    """The language a person's notices are written in: their profile's language, or the site's
    (accounts.languages.user_language, the one place that reads it)."""
    from accounts.languages import user_language

    return user_language(user)


def channels(user, kind: str) -> tuple[bool, bool]:
    """(by e-mail, on the home page) for `user`'s notices of `kind`: their choice, both if they made
    none, and always both for a mandatory kind."""
    if kind in MANDATORY:
        return True, True
    preference = NoticePreference.objects.filter(user=user, kind=kind).first()
    return (preference.email, preference.on_home) if preference else (True, True)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def send(*, recipient, kind: Kind, key: str, url: str, compose, refresh: bool = False, connection=None):
    """Tell `recipient` of the event `key` of `kind`; return the Notice (its `emailed_now` says whether
    this call e-mailed it), or None when they were told already. `refresh` (for a notice repeated while its event lasts, e.g. the daily deadline reminder)
    updates the one notice instead: it comes back on the home page, unread, when its text changes, and is
    e-mailed again (the caller decides how often).

    The notice is recorded and the e-mail sent in one transaction: if sending fails, nothing is recorded
    and the task's retry sends it; if two tasks race, the unique constraint lets one through."""
    existing = Notice.objects.filter(recipient=recipient, kind=kind, key=key)
    if not refresh and existing.exists():
        return None
    by_email, on_home = channels(recipient, kind)
    with translation.override(recipient_language(recipient)):
        message = compose()
        email = _email(recipient, kind, url, message, connection) if by_email and recipient.email else None
    now = timezone.now()
    with transaction.atomic():
        notice = existing.select_for_update().first() if refresh else None
        if notice is None:
            try:
                with transaction.atomic():
                    notice = Notice.objects.create(
                        recipient=recipient, kind=kind, key=key, text=message.text, url=url, on_home=on_home
                    )
            except IntegrityError:
                return None  # another run told them meanwhile
        elif notice.text != message.text:
            notice.text, notice.url, notice.on_home = message.text, url, on_home
            notice.created_at, notice.read_at, notice.dismissed_at = now, None, None
            notice.save()
        if email is not None:
            email.send()
            notice.emailed_at = now
            notice.save(update_fields=["emailed_at"])
    notice.emailed_now = email is not None
    return notice


def _email(recipient, kind, url, message: Message, connection) -> EmailMultiAlternatives:
    """The e-mail, rendered in the active language: base.txt and base.html wrap the kind's body with the
    greeting, the link, and why the person receives it (or where to choose)."""
    context = message.context | {
        "recipient_name": recipient.get_full_name() or recipient.get_username(),
        "url": absolute(url),
        "preferences_url": absolute(reverse("notifications:preferences")),
        "mandatory": MANDATORY.get(kind),
        "subject": message.subject,
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(message.subject.split())  # one line, whatever the names in it hold
    text = render_to_string(f"{message.template}.txt", context)
    html = render_to_string(f"{message.template}.html", context)
    email = EmailMultiAlternatives(
        subject, text, to=[recipient.email], headers=HEADERS, connection=connection
    )
    email.attach_alternative(html, "text/html")
    return email
