"""Webhooks: domain events become signed deliveries, sent by a management command (never in the
request), retried with back-off and given up after the last attempt. A local HTTP server on
127.0.0.1 stands in for the partner."""

import datetime
import hashlib
import hmac
import http.server
import json
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities import webhooks
from activities.models import DomainEvent, WebhookDelivery
from tests.factories import WebhookFactory


class Partner(http.server.BaseHTTPRequestHandler):
    status = 200
    received: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers, body))  # case-insensitive header names
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def partner():
    handler = type("Handler", (Partner,), {"received": [], "status": 200})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield handler
    server.shutdown()
    server.server_close()


def event(kind=DomainEvent.Kind.PROGRESS_APPROVED, **payload):
    return DomainEvent.objects.create(kind=kind, payload={"entry_id": 1, "activity": "1.1.1.a"} | payload)


def test_an_event_is_delivered_signed_to_each_matching_webhook(db, partner):
    hook = WebhookFactory(url=partner.url, secret="s3cret")
    WebhookFactory(url=partner.url, events=[DomainEvent.Kind.STATUS_CHANGED])  # not interested
    approved = event()
    call_command("deliver_webhooks", "--once", verbosity=0)
    ((headers, body),) = partner.received
    assert headers["X-StrategyTracker-Event"] == "progress.approved"
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert headers["X-StrategyTracker-Delivery"] == str(delivery.pk)
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-StrategyTracker-Signature"], expected)
    assert headers["Content-Type"] == "application/json"
    data = json.loads(body)
    assert (data["id"], data["kind"], data["data"]["activity"]) == (
        approved.pk,
        "progress.approved",
        "1.1.1.a",
    )
    assert data["created_at"] == approved.created_at.isoformat()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None


def test_each_event_is_delivered_once(db, partner):
    WebhookFactory(url=partner.url)
    event()
    call_command("deliver_webhooks", "--once", verbosity=0)
    call_command("deliver_webhooks", "--once", verbosity=0)
    assert len(partner.received) == 1
    assert WebhookDelivery.objects.count() == 1


def test_events_from_before_the_webhook_was_registered_are_not_sent(db, partner):
    old = event()
    DomainEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    WebhookFactory(url=partner.url)
    assert webhooks.enqueue() == 0


def test_a_failing_endpoint_is_retried_with_back_off_then_given_up(db, partner):
    partner.status = 500
    WebhookFactory(url=partner.url)
    event()
    webhooks.enqueue()
    now = timezone.now()
    for attempt, delay in enumerate(webhooks.BACKOFF, start=1):
        (delivery,) = webhooks.deliver_due(now=now)
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", attempt, 500)
        assert "HTTP 500" in delivery.last_error
        assert abs(delivery.next_attempt_at - (timezone.now() + delay)) < datetime.timedelta(seconds=5)
        assert webhooks.deliver_due(now=now) == []  # not due yet
        now = delivery.next_attempt_at
    (delivery,) = webhooks.deliver_due(now=now)
    assert (delivery.state, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert webhooks.deliver_due(now=now + datetime.timedelta(days=30)) == []
    assert len(partner.received) == webhooks.MAX_ATTEMPTS


def test_an_unreachable_endpoint_is_logged_on_the_row(db):
    WebhookFactory(url="http://127.0.0.1:9/hook")  # the discard port: nothing listens
    event()
    webhooks.enqueue()
    (delivery,) = webhooks.deliver_due()
    assert delivery.state == "pending"
    assert delivery.last_status_code is None
    assert delivery.last_error


def test_redirects_are_not_followed(db, partner):
    partner.status = 302
    WebhookFactory(url=partner.url)
    event()
    webhooks.enqueue()
    (delivery,) = webhooks.deliver_due()
    assert (delivery.state, delivery.last_status_code) == ("pending", 302)


def test_inactive_webhooks_get_nothing(db, partner):
    WebhookFactory(url=partner.url, active=False)
    event()
    call_command("deliver_webhooks", "--once", verbosity=0)
    assert partner.received == []


def test_approving_through_the_api_delivers_nothing_in_the_request(db, partner):
    from rest_framework.test import APIClient

    from activities.models import ProgressEntry
    from tests.activities.api.helpers import secretariat_user
    from tests.factories import ProgressEntryFactory

    WebhookFactory(url=partner.url)
    entry = ProgressEntryFactory(review_state=ProgressEntry.ReviewState.SUBMITTED, range_state=None)
    client = APIClient()
    client.force_login(secretariat_user())
    from django.urls import reverse

    assert client.post(reverse("api:progress-approve", args=[entry.pk])).status_code == 200
    assert partner.received == []
    assert DomainEvent.objects.count() == 2  # progress.approved, activity.status_changed
    call_command("deliver_webhooks", "--once", verbosity=0)
    kinds = sorted(json.loads(body)["kind"] for _, body in partner.received)
    assert kinds == ["activity.status_changed", "progress.approved"]
