"""Progress reporting: focal points, reporting rounds, progress entries and their evidence, the latest
approved status per activity and Range State, reminders and meeting snapshots (delegations and reporting
links are in access.py). Each model sits beside its QuerySet."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .activity import Activity
from .logframe import Meeting, RangeState, Strategy
from .review import ReviewTrail

# "The latest" of an activity's entries in one Range State: the newest reporting date; on the same date, the
# one approved last; then the newest row. The approval service keeps ActivityStateStatus pointing at the
# first approved entry in this order, and every other reader of "the latest approved entry" (reports as of
# a date, the national report, the entry form's initial values, the activity page) sorts the same way.
LATEST_FIRST = ("-reporting_date", "-reviewed_at", "-pk")


class ProgressEntryQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(review_state=ProgressEntry.ReviewState.APPROVED)

    def latest_first(self, *before):
        """Ordered by LATEST_FIRST, after any `before` keys (e.g. entries of a round first)."""
        return self.order_by(*before, *LATEST_FIRST)

    def latest_approved(self, *, activity, range_state):
        """The latest approved entry of `activity` in `range_state` (None: range-wide), or None."""
        return self.approved().filter(activity=activity, range_state=range_state).latest_first().first()

    def submitted(self):
        return self.filter(review_state=ProgressEntry.ReviewState.SUBMITTED)

    def of_national_report(self, report):
        """The entries a Range State filed in a reporting round: those of its national report."""
        return self.filter(reporting_round_id=report.reporting_round_id, range_state_id=report.range_state_id)

    def with_the_reporter(self):
        """Drafts and returned entries: those back with the reporter, to be resolved before a national
        report is submitted."""
        states = ProgressEntry.ReviewState
        return self.filter(review_state__in=[states.DRAFT, states.RETURNED])

    def pending(self):
        """Entries not yet approved: drafts, submitted ones and returned ones."""
        states = ProgressEntry.ReviewState
        return self.filter(review_state__in=[states.DRAFT, states.SUBMITTED, states.RETURNED])

    def awaiting_review(self):
        """Submitted entries, oldest submission first, with what the review queue shows of each and the
        contributors the review rule reads (activities.permissions)."""
        return (
            self.submitted()
            .select_related(
                "activity__strategy", "range_state", "reporting_round", "reported_by", "submitted_by"
            )
            .prefetch_related("contributors", Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
            .order_by("submitted_at", "pk")
        )


class FocalPoint(models.Model):
    """A user's assignment as national focal point for one Range State."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="focal_points",
    )
    range_state = models.ForeignKey(
        RangeState, verbose_name=_("range state"), on_delete=models.CASCADE, related_name="focal_points"
    )

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["range_state__name"]
        constraints = [models.UniqueConstraint(fields=["user", "range_state"], name="focal_point_unique")]

    def __str__(self):
        return f"{self.user} – {self.range_state}"


class ReportingRoundQuerySet(models.QuerySet):
    def open(self):
        """Rounds the Secretariat has not closed (their entries can still change)."""
        return self.filter(closed_at__isnull=True)


class ReportingRound(models.Model):
    """A period in which the Secretariat asks the Range States to report on a strategy (e.g. '2025 annual')."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual report")
        INTERMEDIATE = "intermediate", _("CAMI 3-year intermediate report")
        STATUS = "status", _("6-year national / regional status report")
        OTHER = "other", _("Other")

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.PROTECT, related_name="reporting_rounds"
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. '2025 annual'."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ANNUAL)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"), help_text=_("Entries submitted after this day count as late."))
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        help_text=_("Set when the Secretariat closes the round: its entries are then locked."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReportingRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-deadline", "name"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "name"], name="reporting_round_name_unique"),
            models.CheckConstraint(
                condition=Q(opens_on__lte=models.F("deadline")), name="round_opens_before_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.name} – {self.strategy}"

    def get_absolute_url(self):
        return reverse("activities:round-detail", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ProgressEntry(ReviewTrail):
    """An activity's progress in one Range State (or range-wide) as of a reporting date.

    It moves draft → submitted → approved, or submitted → returned → submitted; see services.py."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        DELAYED = "delayed", _("Delayed / at risk")
        CANCELLED = "cancelled", _("Cancelled")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    class ReviewState(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")

    class Confidence(models.TextChoices):
        DOCUMENTED = "documented", _("Confirmed by document")
        EXPERT = "expert", _("Expert judgement")
        ESTIMATE = "estimate", _("Rough estimate")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="progress_entries"
    )
    range_state = models.ForeignKey(
        RangeState,
        verbose_name=_("range state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_entries",
        help_text=_("Empty for range-wide progress."),
    )
    reporting_round = models.ForeignKey(
        ReportingRound,
        verbose_name=_("reporting round"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_entries",
        help_text=_("The reporting round this entry answers, if any."),
    )
    reporting_date = models.DateField(
        _("reporting date"), help_text=_("The date the reported status refers to.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    narrative = models.TextField(
        _("narrative"), blank=True, help_text=_("What was done, by whom, and what is still missing.")
    )
    source = models.CharField(
        _("source of the information"),
        max_length=500,
        blank=True,
        help_text=_("e.g. 'Annual report of the Khosrov Forest State Reserve, 2024'."),
    )
    confidence = models.CharField(
        _("confidence"),
        max_length=20,
        choices=Confidence.choices,
        default=Confidence.EXPERT,
        help_text=_("How well the reported status is supported."),
    )
    restricted_details = models.TextField(
        _("restricted details"),
        blank=True,
        help_text=_(
            "Sensitive details (den sites, camera-trap locations, poaching cases). "
            "Never shown on public pages, public API responses or exports."
        ),
    )
    amount_spent_usd = models.DecimalField(
        _("amount spent (USD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    review_state = models.CharField(
        _("review state"),
        max_length=20,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        db_index=True,
    )
    review_comment = models.TextField(
        _("review comment"), blank=True, help_text=_("The reviewer's comment when returning an entry.")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="progress_entries",
    )
    first_submitted_at = models.DateTimeField(
        _("first submitted at"),
        null=True,
        blank=True,
        help_text=_("When it was first submitted: what counts for reporting on time."),
    )
    # Separation of duties (activities.permissions): none of these approves or returns the entry.
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("contributors"),
        help_text=_(
            "Who reported it, changed its content or submitted it, or issued the reporting link "
            "or API token with which that was done."
        ),
    )
    # submitted_by/at, reviewed_by/at, version and created_at: ReviewTrail
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = HistoricalRecords()
    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress entry")
        ordering = ["-reporting_date", "-pk"]
        verbose_name_plural = _("progress entries")
        indexes = [
            models.Index(fields=["activity", "range_state", "-reporting_date"], name="progress_latest_idx"),
            models.Index(fields=["review_state", "submitted_at"], name="progress_review_queue_idx"),
            models.Index(fields=["range_state", "review_state", "status"], name="progress_state_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_spent_usd__isnull=True) | Q(amount_spent_usd__gte=0),
                name="progress_amount_spent_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(review_state="returned") | ~Q(review_comment=""),
                name="progress_returned_has_comment",
            ),
        ]

    def __str__(self):
        where = self.range_state or gettext("range-wide")
        return f"{self.activity} – {where} – {self.reporting_date}"

    def get_absolute_url(self):
        return reverse("activities:progress-detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.range_state_id and self.activity_id:
            strategy = self.activity.strategy
            if not strategy.range_states.filter(pk=self.range_state_id).exists():
                raise ValidationError(
                    {
                        "range_state": gettext("%(state)s is not a Range State of %(strategy)s.")
                        % {"state": self.range_state, "strategy": strategy}
                    }
                )
        if (
            self.reporting_round_id
            and self.activity_id
            and self.reporting_round.strategy_id != self.activity.strategy_id
        ):
            raise ValidationError(
                {"reporting_round": gettext("The reporting round is for another strategy.")}
            )

    @property
    def scope(self) -> str:
        return self.range_state.name if self.range_state_id else gettext("Range-wide")

    @property
    def is_approved(self) -> bool:
        return self.review_state == self.ReviewState.APPROVED

    @property
    def is_locked(self) -> bool:
        """Entries of a closed reporting round can no longer change."""
        return bool(self.reporting_round_id and self.reporting_round.is_closed)


class Evidence(models.Model):
    """A link or an uploaded file (report, photo, PDF) that supports a progress entry."""

    entry = models.ForeignKey(
        ProgressEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", blank=True, max_length=300)
    content_type = models.CharField(_("content type"), max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField(
        _("size"), null=True, blank=True, editable=False, help_text=_("In bytes.")
    )
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_(
            "Sensitive (e.g. shows den sites or camera-trap locations): never public, never exported."
        ),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence")
        ordering = ["pk"]
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_is_a_link_or_a_file",
                violation_error_message=_("Give either a link or a file."),
            ),
        ]

    def __str__(self):
        return self.title or self.url or self.file.name

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class ActivityStateStatus(models.Model):
    """The latest approved status of an activity in one Range State (or range-wide).

    Maintained by the approval service, so that reports, the matrix and the API read one row per
    activity and state instead of searching the progress history."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="state_statuses"
    )
    range_state = models.ForeignKey(
        RangeState,
        verbose_name=_("range state"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity_statuses",
    )
    entry = models.ForeignKey(
        ProgressEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=ProgressEntry.Status.choices)
    reporting_date = models.DateField(_("reporting date"))
    approved_at = models.DateTimeField(_("approved at"))
    # auto_now covers saves; the approval service also sets it, because a queryset update() skips auto_now.
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    class Meta:
        verbose_name = _("activity state status")
        verbose_name_plural = _("activity state statuses")
        constraints = [
            # Two partial constraints, because NULL (range-wide) is never equal to NULL in a unique index.
            models.UniqueConstraint(
                fields=["activity", "range_state"],
                condition=Q(range_state__isnull=False),
                name="activity_state_status_unique",
            ),
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(range_state__isnull=True),
                name="activity_rangewide_status_unique",
            ),
        ]

    def __str__(self):
        where = self.range_state or gettext("range-wide")
        return f"{self.activity} – {where}: {self.get_status_display()}"


# --- the cell rule: one activity in one Range State, as every count and flag reads it -------------------

DONE_STATUSES = frozenset({ProgressEntry.Status.COMPLETED, ProgressEntry.Status.NOT_APPLICABLE})


def cell_status(own, range_wide):
    """One state's cell: the state's own latest approved status (or row) `own`; where it has none, the
    activity's range-wide one; None when neither exists (not reported). cells_by_status counts the same
    rule over several states."""
    return own if own is not None else range_wide


def cells_by_status(own: dict[str, int], range_wide: str | None, n_states: int) -> dict[str, int]:
    """One activity's `n_states` "activity × Range State" cells by status. A state's cell has the state's
    own latest approved status (`own`: how many of the states have each status); a state with none takes
    the activity's latest approved range-wide status, if there is one; otherwise the cell is not reported
    (left out of the result). A range-wide status never overrides what a state reported for itself."""
    cells = dict(own)
    unreported = n_states - sum(own.values())
    if range_wide and unreported > 0:
        cells[range_wide] = cells.get(range_wide, 0) + unreported
    return cells


def cells_all_done(by_status: dict[str, int], n_states: int) -> bool:
    """An activity is complete when each of its cells (at least one) is completed or not applicable."""
    return n_states > 0 and sum(by_status.get(s, 0) for s in DONE_STATUSES) >= n_states


class ReminderSent(models.Model):
    """A deadline reminder e-mailed to a focal point, so that a scheduler re-running the command sends no duplicates."""

    reporting_round = models.ForeignKey(
        ReportingRound, verbose_name=_("reporting round"), on_delete=models.CASCADE, related_name="reminders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminder sents")
        constraints = [
            models.UniqueConstraint(
                fields=["reporting_round", "user", "sent_on"], name="reminder_once_a_day"
            ),
        ]

    def __str__(self):
        return gettext("Reminder to %(user)s for %(round)s on %(date)s") % {
            "user": self.user,
            "round": self.reporting_round,
            "date": self.sent_on,
        }


class MeetingSnapshot(models.Model):
    """The status of a strategy 'as presented to' a meeting, frozen so it can be compared later."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="snapshots"
    )
    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.PROTECT, related_name="snapshots"
    )
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("meeting snapshot")
        verbose_name_plural = _("meeting snapshots")
        ordering = ["-taken_at"]

    def __str__(self):
        return gettext("%(strategy)s as presented to %(meeting)s") % {
            "strategy": self.strategy,
            "meeting": self.meeting,
        }


class SnapshotStatus(models.Model):
    """One activity's approved status in one Range State (or range-wide) within a meeting snapshot."""

    snapshot = models.ForeignKey(
        MeetingSnapshot, verbose_name=_("snapshot"), on_delete=models.CASCADE, related_name="statuses"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="+"
    )
    range_state = models.ForeignKey(
        RangeState,
        verbose_name=_("range state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entry = models.ForeignKey(
        ProgressEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=ProgressEntry.Status.choices)
    reporting_date = models.DateField(_("reporting date"))

    class Meta:
        verbose_name = _("snapshot status")
        verbose_name_plural = _("snapshot statuses")
        indexes = [models.Index(fields=["snapshot", "activity"], name="snapshot_activity_idx")]

    def __str__(self):
        where = self.range_state or gettext("range-wide")
        return f"{self.snapshot}: {self.activity} – {where}"
