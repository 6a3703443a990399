"""The notices about a delegation: given, withdrawn (to the delegate)."""

from django.urls import reverse
from django.utils.translation import gettext

from notifications import delivery
from notifications.models import Kind

from ..models import Delegation
from .common import person

# --- delegations ---------------------------------------------------------------------------------


def _delegation_words(delegation: Delegation) -> dict:
    scope = delegation.activity or delegation.objective
    words = {
        "person": person(delegation.granted_by),
        "state": delegation.range_state.name,
        "strategy": scope.strategy.short_name or scope.strategy.title,
    }
    if delegation.activity_id:
        return words | {"activity": delegation.activity.code, "scope_text": delegation.activity.text}
    return words | {"objective": delegation.objective.number, "scope_text": delegation.objective.text}


def _granted_message(delegation) -> delivery.Message:
    words = _delegation_words(delegation)
    if delegation.activity_id:
        text = gettext("%(person)s lets you draft progress on activity %(activity)s for %(state)s.")
    else:
        text = gettext("%(person)s lets you draft progress on objective %(objective)s for %(state)s.")
    return delivery.Message(text % words, text % words, "activities/email/delegation_granted", words)


def _withdrawn_message(delegation) -> delivery.Message:
    words = _delegation_words(delegation)
    if delegation.activity_id:
        text = gettext("You no longer draft progress on activity %(activity)s for %(state)s.")
    else:
        text = gettext("You no longer draft progress on objective %(objective)s for %(state)s.")
    return delivery.Message(text % words, text % words, "activities/email/delegation_withdrawn", words)


def _send_about_delegation(delegation_id: int, *, kind, event, active: bool, message) -> int:
    delegation = (
        Delegation.objects.select_related(
            "delegate", "granted_by", "range_state", "activity__strategy", "objective__strategy"
        )
        .filter(pk=delegation_id)
        .first()
    )
    if delegation is None or delegation.is_active != active or not delegation.delegate.is_active:
        return 0  # gone, or withdrawn before the worker told them it was given
    notice = delivery.send(
        recipient=delegation.delegate,
        kind=kind,
        key=f"delegation:{delegation.pk}:{event}",
        url=reverse("activities:home"),
        compose=lambda: message(delegation),
    )
    return int(notice is not None)


def send_delegation_granted(delegation_id: int) -> int:
    """Tell the delegate what they may now draft, where, and who let them."""
    return _send_about_delegation(
        delegation_id, kind=Kind.DELEGATION_GRANTED, event="granted", active=True, message=_granted_message
    )


def send_delegation_withdrawn(delegation_id: int) -> int:
    """Tell the delegate that they may no longer draft there (their drafts stay, with the focal point)."""
    return _send_about_delegation(
        delegation_id,
        kind=Kind.DELEGATION_WITHDRAWN,
        event="withdrawn",
        active=False,
        message=_withdrawn_message,
    )
