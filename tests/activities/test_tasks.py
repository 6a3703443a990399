"""The domain's background tasks (activities.tasks) run by a worker: webhooks and reminders, idempotent
when they run twice, and never lost when a task or a worker is."""

import datetime

from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from activities import services, tasks, webhooks
from activities.models import ProgressEntry, WebhookDelivery
from ops import schedule
from tests.activities.test_reminders import TODAY, w  # noqa: F401 (fixture)
from tests.activities.test_webhooks import event, partner  # noqa: F401 (fixture)
from tests.factories import ProgressEntryFactory, SecretariatUserFactory, WebhookFactory
from tests.ops.conftest import run_worker


def approve_one():
    entry = ProgressEntryFactory(review_state=ProgressEntry.ReviewState.SUBMITTED, range_state=None)
    return services.progress_entry_approve(user=SecretariatUserFactory(), entry=entry)


def queued(task):
    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").count()


def test_an_approval_queues_the_webhook_task_and_the_worker_delivers_it(db, partner):  # noqa: F811
    WebhookFactory(url=partner.url)
    approve_one()
    assert partner.received == []  # nothing during the request
    assert queued(tasks.webhooks_sweep) == 2  # progress.approved and activity.status_changed
    run_worker()
    assert sorted(h["X-StrategyTracker-Event"] for h, _ in partner.received) == [
        "activity.status_changed",
        "progress.approved",
    ]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_running_the_sweep_and_each_delivery_twice_sends_each_event_once(db, partner):  # noqa: F811
    WebhookFactory(url=partner.url)
    event()
    tasks.webhooks_sweep.enqueue()
    tasks.webhooks_sweep.enqueue()
    run_worker()
    (delivery,) = WebhookDelivery.objects.all()
    # A duplicate of the delivery task (a retry after a crash) finds it delivered and sends nothing.
    tasks.webhook_deliver.enqueue(delivery.pk, timezone.now().isoformat())
    run_worker()
    assert len(partner.received) == 1


def test_an_event_whose_task_was_lost_is_sent_by_the_scheduled_sweep(db, partner):  # noqa: F811
    WebhookFactory(url=partner.url)
    approve_one()
    DBTaskResult.objects.all().delete()  # e.g. the process died between the commit and the queue
    jobs = {job.name: job for job in schedule.jobs()}
    jobs["webhooks-sweep"].run()
    run_worker()
    assert len(partner.received) == 2


def test_a_delivery_whose_worker_died_is_sent_once_its_lease_ends(db, partner):  # noqa: F811
    WebhookFactory(url=partner.url)
    event()
    tasks.webhooks_sweep.call()  # leases the delivery and queues its task ...
    DBTaskResult.objects.all().delete()  # ... which is lost with its worker
    tasks.webhooks_sweep.call()
    assert queued(tasks.webhook_deliver) == 0  # leased: not queued twice meanwhile
    later = timezone.now() + webhooks.LEASE + datetime.timedelta(seconds=1)
    assert [d.state for d in webhooks.deliver_due(now=later)] == ["delivered"]
    assert len(partner.received) == 1


def test_a_failing_partner_is_retried_on_the_deliveries_back_off_not_the_tasks(db, partner):  # noqa: F811
    partner.status = 503
    WebhookFactory(url=partner.url)
    event()
    tasks.webhooks_sweep.enqueue()
    run_worker()
    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at > timezone.now() + webhooks.BACKOFF[0] - datetime.timedelta(seconds=5)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_the_days_notices_task_sends_each_notice_once_however_often_it_runs(w):  # noqa: F811
    expected = sorted([w.armenia_fp.email, w.iran_fp.email])
    tasks.reporting_notices_send.enqueue(TODAY.isoformat())
    tasks.reporting_notices_send.enqueue(TODAY.isoformat())
    run_worker()
    # first told that the round is open (and not also reminded that day) ...
    assert sorted(a for m in mail.outbox for a in m.to) == expected
    assert all("is open" in m.subject for m in mail.outbox)
    mail.outbox.clear()
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    tasks.reporting_notices_send.enqueue(tomorrow)
    tasks.reporting_notices_send.enqueue(tomorrow)
    run_worker()
    # ... then reminded, once a day
    assert sorted(a for m in mail.outbox for a in m.to) == expected
    assert all("to report by" in m.subject for m in mail.outbox)
