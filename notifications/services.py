"""The writes a person makes to their own notices: reading, dismissing, and choosing which they receive.
Each acts on the user's own notices only (another person's notice is simply not found)."""

from django.db import transaction
from django.utils import timezone

from .models import MANDATORY, Kind, Notice, NoticePreference


def notice_read(*, user, notice_id: int) -> Notice:
    """Mark one of the user's notices read (following its link does); raise Notice.DoesNotExist for any
    other notice."""
    notice = Notice.objects.get(pk=notice_id, recipient=user)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def notice_dismiss(*, user, notice_id: int) -> Notice:
    """Take one of the user's notices off their home page (it stays in their list of notices, read)."""
    notice = Notice.objects.get(pk=notice_id, recipient=user)
    now = timezone.now()
    notice.read_at = notice.read_at or now
    notice.dismissed_at = notice.dismissed_at or now
    notice.save(update_fields=["read_at", "dismissed_at"])
    return notice


def notices_read_all(*, user) -> int:
    """Mark every unread notice of the user read; return how many."""
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notice_preferences_save(*, user, choices: dict) -> list[NoticePreference]:
    """Store the user's choice of channels, `{kind: (by_email, on_home)}`, for each optional kind given.
    Mandatory kinds are not the user's to switch off: what is given for them is ignored."""
    saved = []
    for kind, (by_email, on_home) in choices.items():
        kind = Kind(kind)
        if kind in MANDATORY:
            continue
        preference, _ = NoticePreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": bool(by_email), "on_home": bool(on_home)}
        )
        saved.append(preference)
    return saved
