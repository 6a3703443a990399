"""Reads of a person's notices and choices, for their home page and their preferences page."""

from .delivery import recipient_language
from .models import MANDATORY, RECIPIENTS, Kind, Notice, NoticePreference

HOME_LIMIT = 5


def home_notices(user) -> dict:
    """The newest notices for the user's home page (one query), and whether there are more than shown."""
    notices = list(Notice.objects.on_home_of(user)[: HOME_LIMIT + 1])
    return {"notices": notices[:HOME_LIMIT], "more_notices": len(notices) > HOME_LIMIT}


def preference_rows(user) -> list[dict]:
    """Every kind of notice with the user's current choice (both, without a stored one), who receives
    it, and why it cannot be switched off when it is mandatory. One query."""
    stored = {p.kind: p for p in NoticePreference.objects.filter(user=user)}
    rows = []
    for kind in Kind:
        preference = stored.get(kind)
        mandatory = MANDATORY.get(kind)
        rows.append(
            {
                "kind": kind,
                "label": kind.label,
                "recipients": RECIPIENTS[kind],
                "mandatory": mandatory,
                "email": True if mandatory or preference is None else preference.email,
                "on_home": True if mandatory or preference is None else preference.on_home,
            }
        )
    return rows


def language_of(user) -> str:
    return recipient_language(user)
