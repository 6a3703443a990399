"""Large exports made by the background worker (exports): asked for in a request, made with the
requester's rights, told by a notice and an e-mail, downloaded only by them, expired by the scheduler."""

import datetime
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from accounts.models import Profile
from activities import services as activity_services
from exports import services, tasks
from exports.models import ExportJob
from notifications.models import Kind, Notice
from ops import schedule
from tests.factories import (
    DelegationFactory,
    FocalPointFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    SecretariatUserFactory,
    UserFactory,
)
from tests.ops.conftest import run_worker
from tests.reporting.conftest import world  # noqa: F401 (fixture)

PROGRESS_XLSX = reverse("api:progress-list") + "?format=xlsx"
MATRIX_XLSX = reverse("reporting:matrix-export", kwargs={"fmt": "xlsx"}) + "?strategy=test-leopard"
RS = "approved"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def queued_runs() -> int:
    return DBTaskResult.objects.filter(task_path=tasks.export_run.module_path, status="READY").count()


def download(client, job):
    response = client.get(reverse("exports:download", args=[job.pk]))
    return response, (b"".join(response.streaming_content) if response.status_code == 200 else b"")


def sheet_rows(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def focal(db):
    """A focal point of one Range State, its draft with restricted details, and another state's entries."""
    state, other = RangeStateFactory(), RangeStateFactory()
    user = FocalPointFactory(range_state=state).user
    user.email = "fp@example.org"
    user.save()
    own = ProgressEntryFactory(range_state=state, restricted_details="Den site at grid 38T-0412")
    others_draft = ProgressEntryFactory(range_state=other, restricted_details="Camera trap 7")
    others_approved = ProgressEntryFactory(
        range_state=other, review_state=RS, restricted_details="Poaching case 2025-14"
    )
    return user, own, others_draft, others_approved


# --- the whole path -------------------------------------------------------------------------------


def test_a_progress_xlsx_is_queued_made_by_the_worker_told_and_downloaded_by_its_owner(client, focal):
    user, own, others_draft, others_approved = focal
    assert others_draft.review_state == "draft"
    client.force_login(user)
    response = client.get(PROGRESS_XLSX)
    assert response.status_code == 303
    assert response["Location"] == reverse("exports:list")
    (job,) = ExportJob.objects.all()
    assert (job.requested_by, job.kind, job.status, job.params) == (
        user,
        "progress",
        "queued",
        {"format": ["xlsx"]},
    )
    assert queued_runs() == 1
    page = client.get(reverse("exports:list")).content.decode()
    assert "Waiting" in page and 'http-equiv="refresh"' in page  # reloads itself until it is ready

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.rows) == ("done", 2)
    notice = Notice.objects.get(recipient=user, kind=Kind.EXPORT_READY)
    assert notice.url == reverse("exports:list")
    (email,) = mail.outbox
    assert email.to == ["fp@example.org"]
    assert "/exports/" in email.body and "Progress entries" in email.body
    assert "Den site" not in email.body and "Field surveys" not in email.body  # a link, never the data
    assert "Den site" not in email.alternatives[0][0]
    assert "Progress entries" in client.get(reverse("activities:home")).content.decode()  # the notice

    page = client.get(reverse("exports:list")).content.decode()
    assert 'http-equiv="refresh"' not in page and reverse("exports:download", args=[job.pk]) in page
    response, content = download(client, job)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="progress.xlsx"'
    assert "no-store" in response["Cache-Control"]
    rows = {row["id"]: row for row in sheet_rows(content)}
    # what the focal point sees in the JSON list, nothing more: their draft with its restricted details,
    # the other state's approved entry without them, not the other state's draft
    assert sorted(rows) == sorted(e["id"] for e in client.get(reverse("api:progress-list")).json()["results"])
    assert sorted(rows) == sorted([own.pk, others_approved.pk])
    assert rows[own.pk]["restricted_details"] == "Den site at grid 38T-0412"
    assert rows[others_approved.pk]["restricted_details"] is None


def test_the_jobs_file_is_byte_for_byte_the_file_the_request_would_have_downloaded(client, world, settings):  # noqa: F811
    client.force_login(SecretariatUserFactory())
    moment = datetime.datetime(2026, 12, 2, 4, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        settings.EXPORT_JOB_ROWS = 10**9
        synchronous = client.get(MATRIX_XLSX)
        assert synchronous.status_code == 200
        settings.EXPORT_JOB_ROWS = 0
        assert client.get(MATRIX_XLSX).status_code == 303
        run_worker()
        (job,) = ExportJob.objects.all()
        response, content = download(client, job)
    assert job.status == "done" and job.rows > 0
    assert content == synchronous.content
    assert response["Content-Disposition"] == synchronous["Content-Disposition"]


def test_a_report_xlsx_below_the_threshold_is_downloaded_at_once(client, world, settings):  # noqa: F811
    settings.EXPORT_JOB_ROWS = 5000
    client.force_login(UserFactory())
    response = client.get(MATRIX_XLSX)
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert ExportJob.objects.count() == 0


def test_visitors_still_get_the_file_at_once(client, focal, settings):
    settings.EXPORT_JOB_ROWS = 0
    response = client.get(PROGRESS_XLSX)
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert ExportJob.objects.count() == 0


def test_the_email_is_in_the_recipients_language(client, focal):
    user = focal[0]
    Profile.objects.update_or_create(user=user, defaults={"language": "ru"})
    client.force_login(user)
    # the file, and the title naming it, in the language of the request; the e-mail in the profile's
    client.get(PROGRESS_XLSX, headers={"accept-language": "fa"})
    run_worker()
    (email,) = mail.outbox
    assert email.subject == "Ваша выгрузка «گزارش‌های پیشرفت» готова к загрузке."
    assert ExportJob.objects.get().language == "fa"


# --- who may download -----------------------------------------------------------------------------


def test_nobody_but_the_requester_downloads_the_file(client, focal):
    user = focal[0]
    client.force_login(user)
    client.get(PROGRESS_XLSX)
    run_worker()
    job = ExportJob.objects.get()
    client.logout()
    assert download(client, job)[0].status_code == 404  # anonymous
    for other in (UserFactory(), SecretariatUserFactory(), UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(other)
        assert download(client, job)[0].status_code == 404, other
        assert (
            reverse("exports:download", args=[job.pk])
            not in client.get(reverse("exports:list")).content.decode()
        )


def test_a_delegate_whose_delegation_was_withdrawn_cannot_download_what_it_let_them_see(client, db):
    delegation = DelegationFactory()
    delegate = delegation.delegate
    ProgressEntryFactory(
        activity=delegation.activity, range_state=delegation.range_state, restricted_details="Den site"
    )
    client.force_login(delegate)
    client.get(PROGRESS_XLSX)
    run_worker()
    job = ExportJob.objects.get()
    assert sheet_rows(download(client, job)[1])[0]["restricted_details"] == "Den site"
    focal_point = FocalPointFactory(range_state=delegation.range_state).user
    activity_services.delegation_revoke(user=focal_point, delegation=delegation)
    response, content = download(client, job)
    assert response.status_code == 302 and content == b""
    assert response["Location"] == reverse("exports:list")
    assert "Ask for the export again" in client.get(response["Location"]).content.decode()


# --- bad input, two requests, running twice, failures ---------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "status=exploded",
        "objective=1%20OR%201=1",
        "page_size=-5",
        "page=0",
        "page=99",
        "reporting_date_after=2025-13-45",
    ],
)
def test_hostile_filters_are_refused_with_a_clear_error_and_no_job(client, focal, query):
    client.force_login(focal[0])
    response = client.get(f"{PROGRESS_XLSX}&{query}")
    assert response.status_code in (400, 404)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()  # says which parameter
    assert ExportJob.objects.count() == 0 and queued_runs() == 0


def test_a_report_with_invalid_filters_queues_nothing(client, world, settings):  # noqa: F811
    settings.EXPORT_JOB_ROWS = 0
    client.force_login(UserFactory())
    response = client.get(MATRIX_XLSX + "&date=yesterday")
    assert response.status_code == 404
    assert ExportJob.objects.count() == 0


def test_asking_twice_while_it_waits_reuses_the_queued_job(client, focal):
    client.force_login(focal[0])
    client.get(PROGRESS_XLSX)
    client.get(PROGRESS_XLSX)
    assert ExportJob.objects.count() == 1 and queued_runs() == 1
    client.get(PROGRESS_XLSX + "&status=completed")  # another export: another job
    assert ExportJob.objects.count() == 2
    run_worker()
    client.get(PROGRESS_XLSX)  # asked again once the first is done: a new file, with today's data
    assert ExportJob.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_make_one_job(focal):
    if connection.vendor == "sqlite":
        pytest.skip("one writer at a time on SQLite: the race is PostgreSQL's")
    user = focal[0]
    barrier = threading.Barrier(2)
    results = []

    def ask():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(
                services.export_job_request(
                    user=user,
                    kind="progress",
                    title="P",
                    path="/api/v1/progress/",
                    params={"format": ["xlsx"]},
                    origin="http://testserver",
                    language="en",
                )
            )
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ExportJob.objects.count() == 1
    assert sorted(created for _, created in results) == [False, True]


def test_running_the_task_twice_makes_one_file_and_one_notice(client, focal, media):
    client.force_login(focal[0])
    client.get(PROGRESS_XLSX)
    job = ExportJob.objects.get()
    tasks.export_run.enqueue(job.pk)  # a duplicate, as a retry after a crash would be
    run_worker()
    assert services.export_job_run(job.pk) == "done"
    assert len(list((media / "exports").iterdir())) == 1
    assert Notice.objects.filter(kind=Kind.EXPORT_READY).count() == 1 and len(mail.outbox) == 1


def test_two_workers_making_one_job_at_once_keep_one_file(client, focal, media):
    client.force_login(focal[0])
    client.get(PROGRESS_XLSX)
    job = ExportJob.objects.get()
    real_replay = services.replay

    def racing(job):
        made = real_replay(job)
        if not racing.done:  # while this worker makes its file, another finishes the job
            racing.done = True
            services.export_job_run(job.pk)
        return made

    racing.done = False
    services.replay = racing
    try:
        services.export_job_run(job.pk)
    finally:
        services.replay = real_replay
    assert len(list((media / "exports").iterdir())) == 1
    job.refresh_from_db()
    assert default_storage.exists(job.file.name)


def test_a_failing_export_is_retried_then_says_it_failed(client, focal, monkeypatch):
    client.force_login(focal[0])
    client.get(PROGRESS_XLSX)
    job = ExportJob.objects.get()

    def broken(job):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "replay", broken)
    for _attempt in range(5):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 5)
    assert DBTaskResult.objects.get().status == "FAILED"  # given up by the framework too
    page = client.get(reverse("exports:list")).content.decode()
    assert "Failed" in page and "could not be made after 5 attempts" in page
    assert "disk full" not in page
    notice = Notice.objects.get(kind=Kind.EXPORT_FAILED)
    assert "could not be made" in notice.text
    assert not Notice.objects.filter(kind=Kind.EXPORT_READY).exists()


def test_a_failure_before_the_last_attempt_puts_the_job_back_in_the_queue(client, focal, monkeypatch):
    client.force_login(focal[0])
    client.get(PROGRESS_XLSX)
    calls = []
    real_replay = services.replay

    def flaky(job):
        calls.append(job.pk)
        if len(calls) == 1:
            raise RuntimeError("database restarted")
        return real_replay(job)

    monkeypatch.setattr(services, "replay", flaky)
    run_worker()
    job = ExportJob.objects.get()
    assert job.status == "queued" and Notice.objects.count() == 0
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)


# --- expiry ---------------------------------------------------------------------------------------


def test_the_scheduler_deletes_expired_files_and_keeps_the_others(client, focal, media, settings):
    client.force_login(focal[0])
    client.get(PROGRESS_XLSX)
    client.get(PROGRESS_XLSX + "&status=completed")
    run_worker()
    old, new = ExportJob.objects.order_by("pk")
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    jobs = {job.name: job for job in schedule.jobs()}
    jobs["exports-expire"].run()  # queues the task ...
    assert DBTaskResult.objects.filter(task_path=tasks.exports_expire.module_path).count() == 1
    run_worker()  # ... which the worker runs
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [new.pk]
    assert not default_storage.exists(old.file.name) and default_storage.exists(new.file.name)
    assert download(client, old)[0].status_code == 404
    assert services.export_jobs_expire() == {"expired": 0, "lost": 0}  # twice: nothing more


def test_a_job_lost_for_a_day_is_failed_and_its_owner_told(client, focal):
    client.force_login(focal[0])
    client.get(PROGRESS_XLSX)
    DBTaskResult.objects.all().delete()  # the task is gone (given up, pruned)
    ExportJob.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert services.export_jobs_expire() == {"expired": 0, "lost": 1}
    job = ExportJob.objects.get()
    assert job.status == "failed" and "within a day" in services.failure_text(job)
    assert Notice.objects.filter(kind=Kind.EXPORT_FAILED).count() == 1


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 12])
def test_the_exports_page_query_count_is_flat(client, db, django_assert_num_queries, jobs):
    user = UserFactory()
    for n in range(jobs):
        ExportJob.objects.create(
            requested_by=user,
            kind="progress",
            title=f"Export {n}",
            path="/api/v1/progress/",
            origin="http://testserver",
            language="en",
            fingerprint=str(n),
            status="failed" if n % 2 else "done",
            rows=n,
            error="error",
        )
    client.force_login(user)
    # session, user, the jobs
    with django_assert_num_queries(3):
        response = client.get(reverse("exports:list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="export-job ') == jobs


def test_the_exports_page_needs_signing_in(client, db):
    response = client.get(reverse("exports:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_large_reports_workbook_link_is_a_page_to_follow_not_a_file_to_save(client, world, settings):  # noqa: F811
    page_url = reverse("reporting:matrix") + "?strategy=test-leopard"
    client.force_login(UserFactory())
    settings.EXPORT_JOB_ROWS = 10**9
    assert "download>Excel workbook" in client.get(page_url).content.decode()
    settings.EXPORT_JOB_ROWS = 0
    page = client.get(page_url).content.decode()
    assert "download>Excel workbook" not in page and "listed under your exports" in page
