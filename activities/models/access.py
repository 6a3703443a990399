"""Who may report besides a state's focal points: delegations (a focal point lets a colleague draft one
activity or objective) and password-less reporting links the Secretariat makes for a focal point. Each
model sits beside its QuerySet."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .activity import Activity
from .logframe import Objective, RangeState


class DelegationQuerySet(models.QuerySet):
    def active(self):
        """Delegations not revoked."""
        return self.filter(revoked_at__isnull=True)


class Delegation(models.Model):
    """A focal point's delegation of one activity or objective, in one Range State, to a colleague
    (e.g. a national expert) who may draft progress entries there but not submit them."""

    range_state = models.ForeignKey(
        RangeState, verbose_name=_("range state"), on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=True) ^ Q(objective__isnull=True),
                name="delegation_one_scope",
                violation_error_message=_("Delegate either one activity or one objective."),
            ),
        ]

    def __str__(self):
        # Translators: e.g. "expert-am drafts Activity 1.1.1.a for Armenia".
        return gettext("%(delegate)s drafts %(scope)s for %(state)s") % {
            "delegate": self.delegate,
            "scope": self.activity or self.objective,
            "state": self.range_state,
        }

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReportingLink(models.Model):
    """A password-less, expiring link with which a focal point reports for one Range State only.

    Only a hash of the token is stored; the link itself is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reporting_links",
    )
    range_state = models.ForeignKey(
        RangeState, verbose_name=_("range state"), on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting link")
        verbose_name_plural = _("reporting links")
        ordering = ["-created_at"]

    def __str__(self):
        return gettext("Reporting link for %(user)s (%(state)s)") % {
            "user": self.user,
            "state": self.range_state,
        }
