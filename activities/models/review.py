"""What a progress entry and a national report both keep of their review: who submitted it and when, who
reviewed it (approved, accepted or returned it) and when, the version an edit names, and when it was made.

Each model keeps its own workflow states, its own first_submitted_at and contributors (their help texts
differ) and its own updated_at (indexed for entries only); the services call record_submission and
record_review, so the rule "the first submission's time is kept" is written once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The review bookkeeping in the order pages show it (first_submitted_at is each subclass's own): the entry
# history leaves these out of what changed, and the admin shows them read-only.
REVIEW_TRAIL_FIELDS = (
    "submitted_by",
    "submitted_at",
    "first_submitted_at",
    "reviewed_by",
    "reviewed_at",
    "version",
    "created_at",
)


class ReviewTrail(models.Model):
    """An abstract model: the review bookkeeping of ProgressEntry and NationalReport. A subclass has a
    first_submitted_at field, which record_submission sets once."""

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # Optimistic locking: an edit names the version it started from, and loses to no one silently.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def record_submission(self, user) -> None:
        """`user` submits it now. The first submission's time is kept: on time is judged by it, so a
        later correction, return or resubmission does not make it late."""
        now = timezone.now()
        self.submitted_by = user
        self.submitted_at = now
        self.first_submitted_at = self.first_submitted_at or now

    def record_review(self, user) -> None:
        """`user` reviews it now (approves, accepts or returns it)."""
        self.reviewed_by = user
        self.reviewed_at = timezone.now()
