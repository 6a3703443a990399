"""The Secretariat's reminders about national reports, sent from a round's overview."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .progress import ReportingRound
from .regional import RangeState


class ReportReminder(models.Model):
    """The Secretariat reminding a Range State's focal points that its national report for a round is not
    yet submitted: who sent it, when, and to whom. The record of every reminder sent (it is never changed)
    and what stops a second one within NATIONAL_REPORT_REMINDER_INTERVAL_HOURS."""

    reporting_round = models.ForeignKey(
        ReportingRound, verbose_name=_("reporting round"), on_delete=models.CASCADE, related_name="+"
    )
    range_state = models.ForeignKey(
        RangeState, verbose_name=_("range state"), on_delete=models.CASCADE, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("recipients"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("national report reminder")
        verbose_name_plural = _("national report reminders")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(
                fields=["reporting_round", "range_state", "-sent_at"], name="report_reminder_last_idx"
            )
        ]

    def __str__(self):
        return f"{self.range_state} · {self.reporting_round} · {self.sent_at:%Y-%m-%d %H:%M}"
