"""Background tasks of the strategy domain (django-tasks; run by `manage.py db_worker`).

Each task takes ids, not objects, and is idempotent: the queue may run it twice (a retry after a crash,
a second scheduler), and running it again changes nothing that was already done.
"""

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from . import notices, webhooks

log = logging.getLogger(__name__)


@task()
def webhooks_sweep() -> int:
    """Turn new domain events into deliveries and queue one delivery task per due delivery. Queued with
    each event (services) and every minute by the scheduler, which sends the retries as they fall due."""
    webhooks.enqueue()
    ids, leased_until = webhooks.lease_due()
    for delivery_id in ids:
        webhook_deliver.enqueue(delivery_id, leased_until.isoformat())
    return len(ids)


@task()
def webhook_deliver(delivery_id: int, leased_until: str) -> str:
    """One attempt at one delivery, if it is still due (webhooks.deliver locks and rechecks the row). A
    partner's error is not a task failure: it is recorded on the delivery, retried on its back-off."""
    delivery = webhooks.deliver(delivery_id, leased_until=datetime.datetime.fromisoformat(leased_until))
    return delivery.state if delivery else "not due"


@task()
def reporting_notices_send(today: str = "") -> dict:
    """The day's notices (or those of `today`, YYYY-MM-DD): rounds opened, deadlines near (the reminders),
    deadlines passed. Each is sent once per person and event, a reminder once a day."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    sent = notices.reporting_notices_send(today=day)
    log.info("reporting notices sent: %s", sent)
    return sent


# --- the notices of the workflow's events (queued by the services, after their transaction commits) ---


@task()
def notify_entry_submitted(entry_id: int, version: int) -> int:
    return notices.send_entry_submitted(entry_id, version)


@task()
def notify_entry_returned(entry_id: int, version: int) -> int:
    return notices.send_entry_returned(entry_id, version)


@task()
def notify_entry_approved(entry_id: int, version: int) -> int:
    return notices.send_entry_approved(entry_id, version)


@task()
def notify_round_opened(round_id: int) -> int:
    return notices.send_round_opened_by_id(round_id, today=timezone.localdate())


@task()
def notify_delegation_granted(delegation_id: int) -> int:
    return notices.send_delegation_granted(delegation_id)


@task()
def notify_delegation_withdrawn(delegation_id: int) -> int:
    return notices.send_delegation_withdrawn(delegation_id)


@task()
def notify_report_submitted(report_id: int, version: int) -> int:
    return notices.send_report_submitted(report_id, version)


@task()
def notify_report_returned(report_id: int, version: int) -> int:
    return notices.send_report_returned(report_id, version)


@task()
def notify_report_accepted(report_id: int, version: int) -> int:
    return notices.send_report_accepted(report_id, version)


@task()
def notify_report_commented(comment_id: int) -> int:
    return notices.send_report_commented(comment_id)


@task()
def notify_report_reminder(reminder_id: int) -> int:
    return notices.send_report_reminder(reminder_id)
