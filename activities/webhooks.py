"""Webhooks: signed JSON events for partners, delivered outside any user request.

The services write a DomainEvent in the same transaction as an approval or a status change, and queue
the background task activities.tasks.webhooks_sweep with it. The worker then
1. turns new events into WebhookDelivery rows, one per matching active webhook (`enqueue`), and
2. POSTs each due delivery (`deliver`), one task per delivery; the scheduler runs the same sweep every
   minute, which sends the retries when they fall due and anything a crash left behind:

    body    {"id": <event id>, "kind": "progress.approved", "created_at": "…", "data": {…}}
    headers X-StrategyTracker-Event: progress.approved
            X-StrategyTracker-Delivery: <delivery id>
            X-StrategyTracker-Signature: sha256=<hex HMAC-SHA256 of the body with the webhook's secret>

A 2xx answer within TIMEOUT seconds is a success; anything else is retried after BACKOFF[attempt]
and given up (FAILED) after the last one. Every attempt is logged (logger "activities.webhooks")
and its status code or error kept on the row. A slow or failing endpoint delays only its own task.
`manage.py deliver_webhooks --once` does the same in the foreground, without a worker.
"""

import datetime
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import DomainEvent, Webhook, WebhookDelivery

log = logging.getLogger(__name__)

TIMEOUT = 5  # seconds
BACKOFF = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
# A delivery queued for a worker is not due again for this long (see lease_due).
LEASE = datetime.timedelta(minutes=5)
USER_AGENT = "StrategyTracker-Webhooks/1"


def generate_secret() -> str:
    return secrets.token_hex(32)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(event: DomainEvent) -> bytes:
    return json.dumps(
        {
            "id": event.pk,
            "kind": event.kind,
            "created_at": event.created_at.isoformat(),
            "data": event.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def enqueue() -> int:
    """Create a pending delivery for every event a webhook wants and has not got yet (events from
    before the webhook was registered are not sent). Returns how many were created."""
    now = timezone.now()
    created = 0
    for webhook in Webhook.objects.filter(active=True):
        already = WebhookDelivery.objects.filter(webhook=webhook, event=OuterRef("pk"))
        events = DomainEvent.objects.filter(created_at__gte=webhook.created_at).exclude(Exists(already))
        if webhook.events:
            events = events.filter(kind__in=webhook.events)
        rows = [
            WebhookDelivery(webhook=webhook, event_id=pk, next_attempt_at=now)
            for pk in events.values_list("pk", flat=True)
        ]
        WebhookDelivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        created += len(rows)
    return created


def lease_due(now=None) -> tuple[list[int], datetime.datetime]:
    """Lease every due delivery for a worker: returns their ids, oldest first, and the lease's end. Until
    then they are not due again, so that sweeps running meanwhile do not queue them twice; a delivery
    whose task was lost is due again when the lease ends, and the next sweep queues it again."""
    now = now or timezone.now()
    until = now + LEASE
    with transaction.atomic():
        due = WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now, webhook__active=True
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))  # rows being sent right now
        ids = list(due.values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=until)
    return ids, until


def deliver(delivery_id: int, *, leased_until=None, now=None) -> WebhookDelivery | None:
    """Attempt one delivery if it is still due (or leased until `leased_until` by the caller's sweep).
    None if it is not: delivered, given up, rescheduled by an earlier attempt, or held by another worker.
    Safe to run twice: the row is locked for the attempt and its state rechecked."""
    now = now or timezone.now()
    with transaction.atomic():
        due = WebhookDelivery.objects.filter(
            pk=delivery_id,
            state=WebhookDelivery.State.PENDING,
            next_attempt_at__lte=max(now, leased_until or now),
            webhook__active=True,
        )
        if connection.features.has_select_for_update_skip_locked:
            # The lock is held through the POST (at most TIMEOUT seconds): if the worker dies mid-request
            # the database drops it with the connection, and a retry of the task finds the row free.
            due = due.select_for_update(skip_locked=True, of=("self",))
        delivery = due.select_related("webhook", "event").first()
        return attempt(delivery) if delivery else None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer like any other non-2xx: not followed, retried later


_opener = urllib.request.build_opener(_NoRedirects)


def post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST one delivery; return (HTTP status or None, error text or "")."""
    body = event_body(delivery.event)
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-StrategyTracker-Event": delivery.event.kind,
            "X-StrategyTracker-Delivery": str(delivery.pk),
            "X-StrategyTracker-Signature": sign(delivery.webhook.secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"


def attempt(delivery: WebhookDelivery) -> WebhookDelivery:
    """Deliver once and record the outcome on the row: delivered, retried later, or given up."""
    status, error = post(delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status
    if status is not None and 200 <= status < 300:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = ""
        log.info("webhook delivery %s to %s: HTTP %s", delivery.pk, delivery.webhook.url, status)
    else:
        delivery.last_error = error or f"HTTP {status}"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = WebhookDelivery.State.FAILED
        else:
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        log.warning(
            "webhook delivery %s to %s failed (attempt %s/%s): %s%s",
            delivery.pk,
            delivery.webhook.url,
            delivery.attempts,
            MAX_ATTEMPTS,
            delivery.last_error,
            " — giving up" if delivery.state == WebhookDelivery.State.FAILED else "",
        )
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "state",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery


def deliver_due(now=None) -> list[WebhookDelivery]:
    """Attempt every due delivery once, here and now (the worker does it delivery by delivery, see
    activities.tasks). Returns the deliveries attempted."""
    ids, until = lease_due(now)
    return [delivery for pk in ids if (delivery := deliver(pk, leased_until=until, now=now))]
