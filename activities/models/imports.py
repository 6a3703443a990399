"""Strategy logframes imported from a spreadsheet: each upload, what its preview said it would change,
and whether and when it was applied (activities.services.strategy_import)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StrategyImport(models.Model):
    """One uploaded logframe spreadsheet: its preview, kept so that the confirmation applies exactly it."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused")

    strategy_slug = models.SlugField(_("strategy slug"), max_length=80, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="strategy_imports",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PREVIEWED)
    # What the preview was computed against: a hash of the strategy's logframe, actors and measures as
    # they were. The confirmation refuses when the database no longer matches it.
    base_fingerprint = models.CharField(_("base fingerprint"), max_length=64, blank=True)
    plan = models.JSONField(_("plan"), default=dict, help_text=_("What the file holds, as parsed."))
    preview = models.JSONField(
        _("preview"), default=dict, help_text=_("What will be created, changed and kept.")
    )
    problems = models.JSONField(_("problems"), default=list, help_text=_("Errors by row and column."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("strategy import")
        verbose_name_plural = _("strategy imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.strategy_slug or '?'})"
