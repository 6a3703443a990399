"""Background exports: a large XLSX asked for in a request, made by a worker with the requester's rights,
and fetched from their "Your exports" page until it expires."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportJobQuerySet(models.QuerySet):
    def of(self, user):
        """The person's own jobs, newest first (what "Your exports" lists)."""
        return self.filter(requested_by=user).order_by("-created_at", "-pk")

    def pending(self):
        return self.filter(status__in=(ExportJob.Status.QUEUED, ExportJob.Status.RUNNING))


class ExportJob(models.Model):
    """One person's request for a large export (a report's workbook, the progress list): what they asked
    for, as validated when they asked, and the file a worker made of it with their rights."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        PROGRESS = "progress", _("Progress entries")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=10, default="xlsx")
    title = models.CharField(
        _("title"), max_length=200, help_text=_("What the export is, as its page names it.")
    )
    path = models.CharField(
        max_length=200, help_text=_("The export's address on this site, without the query.")
    )
    params = models.JSONField(
        default=dict, blank=True, help_text=_("The filters, as checked when the export was asked for.")
    )
    origin = models.CharField(
        max_length=200, help_text=_("Scheme and host the export was asked on (the file's links use them).")
    )
    language = models.CharField(max_length=10)
    scope_state_id = models.IntegerField(
        null=True, blank=True, help_text=_("The Range State a reporting-link sign-in limited the request to.")
    )
    fingerprint = models.CharField(
        max_length=64, help_text=_("The same export asked again has the same one.")
    )
    rights = models.JSONField(
        default=dict, blank=True, help_text=_("What the requester could see when the file was made.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True, db_index=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same export asked for again (a double click, two tabs) while one is waiting or being
            # made joins it instead of making a second file.
            models.UniqueConstraint(
                fields=["requested_by", "fingerprint"],
                condition=Q(status__in=["queued", "running"]),
                name="export_job_one_pending_per_export",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_job_owner_idx")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()}) → {self.requested_by}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
