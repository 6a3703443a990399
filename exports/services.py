"""Large exports in the background: asking for one (in a request), making it (in a worker) and deleting
it when it expires (the scheduler).

The file is made by the very view that answers the synchronous export (the report's XLSX, the progress
list's XLSX): the worker replays the request as it was asked — the same address, the checked filters,
the language, the host its links name — signed in as the requester, with their rights as they are when
it runs (and the reporting link's one Range State, if they signed in with one). The views know a replay
by `request.export_job` and answer it with the file, so the job's file is byte for byte the file the
request would have downloaded, and the rows, columns and restricted details are decided in one place.

    if exports.runs_in_background(request, rows=n):
        return exports.export_job_queue(request, kind=..., title=..., params=...)
"""

import datetime
import hashlib
import json
import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import redirect
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from activities import permissions
from notifications import delivery
from notifications.models import Kind
from ops.tasks import MAX_ATTEMPTS, enqueue_on_commit

from .models import ExportJob

log = logging.getLogger(__name__)
PENDING = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
# A job waiting or being made for longer than this was lost (its task failed for good, or was deleted).
LOST_AFTER = datetime.timedelta(days=1)


class ExportFailed(Exception):
    """The replayed request did not answer with a file; args[0] is a key of FAILURES."""


# Why a job failed, kept in ExportJob.error as the key and told to its owner in their language.
FAILURES = {
    "inactive": gettext_lazy("the account that asked for it is no longer active"),
    "refused": gettext_lazy("its filters are no longer accepted, or you may no longer see what it lists"),
    "lost": gettext_lazy("it did not finish within a day"),
    "error": gettext_lazy("an unexpected error, which has been logged"),
}


# --- asking (in a request) -----------------------------------------------------------------------


def is_replay(request) -> bool:
    """Is this request a worker making an export job's file (not a person waiting for it)?"""
    return getattr(request, "export_job", None) is not None


def runs_in_background(request, *, rows: int | None = None) -> bool:
    """Should this export be made by the worker? Only for a signed-in person (the file waits on their
    "Your exports" page; visitors get the file at once, as before), and only when it is large: more
    than EXPORT_JOB_ROWS rows, or always when `rows` is None (the progress list)."""
    if is_replay(request) or not request.user.is_authenticated:
        return False
    return rows is None or rows > settings.EXPORT_JOB_ROWS


def export_job_queue(request, *, kind: str, title: str, params: dict[str, list[str]]):
    """Queue the export the request asks for (its filters already checked: `params`) and send the person
    to "Your exports"."""
    _job, created = export_job_request(
        user=request.user,
        kind=kind,
        title=title,
        path=request.path,
        params=params,
        origin=f"{request.scheme}://{request.get_host()}",
        language=translation.get_language(),
    )
    if created:
        messages.info(request, gettext("Your export is being made. This page shows when it is ready."))
    else:
        messages.info(request, gettext("This export is already being made: it is listed below."))
    return _see_other(reverse("exports:list"))


def _see_other(url):
    response = redirect(url)
    response.status_code = 303  # after a GET that started work: the list is a new resource to GET
    return response


def fingerprint(*, kind, path, params, language, scope) -> str:
    key = json.dumps([kind, path, params, language, scope], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(key.encode()).hexdigest()


def export_job_request(*, user, kind, title, path, params, origin, language) -> tuple[ExportJob, bool]:
    """The job for this export: the one already waiting or being made for the same person, filters and
    language if there is one (a double click or a second tab joins it), else a new one, queued after the
    transaction commits. Returns (job, created)."""
    scope = permissions.link_scope_state_id(user)
    key = fingerprint(kind=kind, path=path, params=params, language=language, scope=scope)
    pending = ExportJob.objects.pending().filter(requested_by=user, fingerprint=key)
    with transaction.atomic():
        if job := pending.first():
            return job, False
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(
                    requested_by=user,
                    kind=kind,
                    title=title[:200],
                    path=path,
                    params=params,
                    origin=origin,
                    language=language,
                    scope_state_id=scope,
                    fingerprint=key,
                )
        except IntegrityError:
            # the same request at the same moment made it first (the partial unique constraint)
            return pending.get(), False
        from . import tasks

        enqueue_on_commit(tasks.export_run, job.pk)
    return job, True


# --- making (in a worker) ------------------------------------------------------------------------


def export_job_run(job_id: int) -> str:
    """Make the job's file, once. Idempotent: a job that is done or failed is left as it is (its notice
    sent if a crash came between); two workers at once make the file twice but keep one. A failure is
    raised, for the task framework to retry; after the last attempt the job says it failed."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        return "gone"
    if not job.is_pending:
        _tell(job)
        return job.status
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk, status__in=PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    job.refresh_from_db()
    try:
        content, filename, rows, rights = replay(job)
    except ExportFailed as exc:  # refused, not broken: trying again would answer the same
        _failed(job, exc, final=True)
        return job.status
    except Exception as exc:
        _failed(job, exc, final=job.attempts >= MAX_ATTEMPTS)
        raise
    name = default_storage.save(f"exports/{job.pk}-{secrets.token_hex(8)}.{job.format}", ContentFile(content))
    finished = timezone.now()
    kept = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, file="").update(
        status=ExportJob.Status.DONE,
        file=name,
        filename=filename,
        rows=rows,
        rights=rights,
        error="",
        finished_at=finished,
        expires_at=finished + datetime.timedelta(days=settings.EXPORT_EXPIRY_DAYS),
    )
    if not kept:  # another worker finished it meanwhile: one file per job
        default_storage.delete(name)
    job.refresh_from_db()
    _tell(job)
    return job.status


def replay(job: ExportJob) -> tuple[bytes, str, int, dict]:
    """The export's response, made by its own view for the requester as they are now: (content, file
    name, rows, the rights it was made with)."""
    user = job.requested_by
    if not user.is_active:
        raise ExportFailed("inactive")
    if job.scope_state_id:
        user.reporting_link_state_id = job.scope_state_id  # as the middleware does for a link sign-in
    scheme, _, host = job.origin.partition("://")
    extra = {"HTTP_HOST": host}
    if scheme == "https" and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        extra[header] = value
    request = RequestFactory().get(job.path, data=job.params, secure=scheme == "https", **extra)
    request.user = user
    request.export_job = job
    with translation.override(job.language):
        request.LANGUAGE_CODE = translation.get_language()
        match = resolve(job.path)
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    if response.status_code != 200:
        log.warning("export job %s: %s answered %s", job.pk, job.path, response.status_code)
        raise ExportFailed("refused")
    content = b"".join(response) if response.streaming else response.content
    disposition = response.get("Content-Disposition", "")
    filename = _filename(disposition) or f"export.{job.format}"
    return content, filename, getattr(response, "export_rows", 0), permissions.export_rights(user)


def _filename(disposition: str) -> str:
    """The file name of a Content-Disposition header (RFC 6266 filename* first)."""
    from urllib.parse import unquote

    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "filename*" and value.lower().startswith("utf-8''"):
            return unquote(value[7:])
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "filename":
            return value.strip('"')
    return ""


def _failed(job: ExportJob, exc: Exception, *, final: bool) -> None:
    log.warning("export job %s attempt %s failed: %r", job.pk, job.attempts, exc)
    if not final:  # the task framework tries again (ops.tasks.retry_failed_task)
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.QUEUED
        )
        return
    reason = exc.args[0] if isinstance(exc, ExportFailed) else "error"
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.FAILED,
        error=reason,
        finished_at=now,
        expires_at=now + datetime.timedelta(days=settings.EXPORT_EXPIRY_DAYS),
    )
    job.refresh_from_db()
    _tell(job)


# --- telling the person --------------------------------------------------------------------------


def _tell(job: ExportJob) -> None:
    """The notice (home page and e-mail) of a job that is done or failed: once per job."""
    if job.status not in (ExportJob.Status.DONE, ExportJob.Status.FAILED) or not job.requested_by.is_active:
        return
    done = job.status == ExportJob.Status.DONE
    words = {"title": job.title}

    def compose():
        if done:
            text = gettext("Your export “%(title)s” is ready to download.") % words
        else:
            text = gettext("Your export “%(title)s” could not be made.") % words
        template = "exports/email/export_ready" if done else "exports/email/export_failed"
        return delivery.Message(text, text, template, words | {"error": failure_text(job)})

    delivery.send(
        recipient=job.requested_by,
        kind=Kind.EXPORT_READY if done else Kind.EXPORT_FAILED,
        key=f"export:{job.pk}:{job.status}",
        url=reverse("exports:list"),
        compose=compose,
    )


def failure_text(job: ExportJob) -> str:
    """Why a failed job failed, for its owner, in the active language."""
    if job.status != ExportJob.Status.FAILED:
        return ""
    return gettext(
        "It could not be made after %(attempts)s attempts: %(reason)s. Ask for it again; if it fails "
        "again, tell the Secretariat."
    ) % {"attempts": job.attempts, "reason": FAILURES.get(job.error, FAILURES["error"])}


# --- expiring (the scheduler) --------------------------------------------------------------------


def export_jobs_expire(*, now=None) -> dict[str, int]:
    """Delete the files of jobs past their expiry date (and the jobs), and fail the jobs that have been
    waiting or running for longer than LOST_AFTER (their task was given up). Idempotent."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).order_by("pk"):
        if job.file:
            default_storage.delete(job.file.name)
        job.delete()
        expired += 1
    lost = ExportJob.objects.pending().filter(created_at__lt=now - LOST_AFTER)
    lost_ids = list(lost.values_list("pk", flat=True))
    ExportJob.objects.filter(pk__in=lost_ids, status__in=PENDING).update(
        status=ExportJob.Status.FAILED,
        error="lost",
        finished_at=now,
        expires_at=now + datetime.timedelta(days=settings.EXPORT_EXPIRY_DAYS),
    )
    for job in ExportJob.objects.select_related("requested_by").filter(pk__in=lost_ids):
        _tell(job)
    return {"expired": expired, "lost": len(lost_ids)}
