"""National reports: one per reporting round and Range State, a cover and general sections around the
progress entries the state filed in the round, with a workflow of its own (activities/services.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .logframe import RangeState
from .progress import ReportingRound
from .review import ReviewTrail


class NationalReportQuerySet(models.QuerySet):
    def for_round(self, reporting_round):
        return self.filter(reporting_round=reporting_round)

    def with_context(self):
        return self.select_related("reporting_round__strategy", "range_state", "submitted_by", "reviewed_by")


class NationalReport(ReviewTrail):
    """A Range State's report for one reporting round, as a whole: who prepared it, what it says beyond
    the activities (achievements, challenges, needs, the way forward, the state of the National Action
    Plan), and whether the focal point has submitted it and the Secretariat accepted it.

    Not started (no row) → in preparation → submitted → accepted, or → returned (with a comment per
    section) → submitted again; see services.py."""

    class Status(models.TextChoices):
        IN_PREPARATION = "in_preparation", _("In preparation")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    reporting_round = models.ForeignKey(
        ReportingRound,
        verbose_name=_("reporting round"),
        on_delete=models.PROTECT,
        related_name="national_reports",
    )
    range_state = models.ForeignKey(
        RangeState, verbose_name=_("range state"), on_delete=models.PROTECT, related_name="national_reports"
    )
    # the cover
    prepared_by = models.TextField(
        _("prepared by"), blank=True, help_text=_("Who prepared the report: name, position, institution.")
    )
    contributors_text = models.TextField(
        _("contributors"),
        blank=True,
        help_text=_("Colleagues and institutions who contributed information."),
    )
    contacts = models.TextField(
        _("contacts"), blank=True, help_text=_("Whom the Secretariat asks about the report (e-mail, phone).")
    )
    # the general sections
    achievements = models.TextField(_("main achievements"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    needs = models.TextField(_("needs"), blank=True, help_text=_("e.g. funding, training, equipment."))
    way_forward = models.TextField(_("way forward"), blank=True)
    nap_status = models.TextField(
        _("state of the National Action Plan"),
        blank=True,
        help_text=_("Whether a National Action Plan exists, is being drafted, adopted or reviewed."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PREPARATION, db_index=True
    )
    # The Secretariat's comments when it returns the report: section name (SECTIONS) → comment. The
    # history keeps earlier returns' comments.
    return_comments = models.JSONField(_("return comments"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    # Separation of duties (activities.permissions): none of these accepts or returns the report.
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("contributors (accounts)"),
        help_text=_("Who wrote or changed the report or submitted it, or issued the credential used."),
    )
    # submitted_by/at, reviewed_by/at, version (optimistic locking) and created_at: ReviewTrail
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = NationalReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("national report")
        verbose_name_plural = _("national reports")
        ordering = ["reporting_round", "range_state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporting_round", "range_state"], name="national_report_one_per_round_and_state"
            ),
        ]

    def __str__(self):
        # Translators: e.g. "Armenia: 2025 annual".
        return gettext("%(state)s: %(round)s") % {
            "state": self.range_state.name,
            "round": self.reporting_round.name,
        }

    def get_absolute_url(self):
        return national_report_url(self.reporting_round_id, self.range_state)

    def clean(self):
        if (
            self.reporting_round_id
            and self.range_state_id
            and not self.reporting_round.strategy.range_states.filter(pk=self.range_state_id).exists()
        ):
            raise ValidationError(
                {
                    "range_state": gettext("%(state)s is not a Range State of %(strategy)s.")
                    % {"state": self.range_state, "strategy": self.reporting_round.strategy}
                }
            )
        unknown = set(self.return_comments or {}) - set(SECTIONS)
        if unknown:
            raise ValidationError({"return_comments": f"unknown sections: {sorted(unknown)}"})

    @property
    def is_locked(self) -> bool:
        """A report of a closed reporting round no longer changes."""
        return self.reporting_round.is_closed

    def sections(self) -> list[dict]:
        """The sections in order, each with its title, text (the cover's as its fields) and the
        Secretariat's return comment, if any."""
        comments = self.return_comments or {}
        return [
            {
                "name": name,
                "title": SECTION_TITLES[name],
                "fields": [(self._meta.get_field(f).verbose_name, getattr(self, f)) for f in fields],
                "comment": comments.get(name, ""),
            }
            for name, fields in SECTIONS.items()
        ]


# The report's sections, each with its fields. A return comment names a section; the cover is one.
SECTIONS = {
    "cover": ("prepared_by", "contributors_text", "contacts"),
    "achievements": ("achievements",),
    "challenges": ("challenges",),
    "needs": ("needs",),
    "way_forward": ("way_forward",),
    "nap_status": ("nap_status",),
    "entries": (),  # the progress entries of the round, as a whole
}
SECTION_TITLES = {
    "cover": _("Cover"),
    "achievements": _("Main achievements"),
    "challenges": _("Challenges"),
    "needs": _("Needs"),
    "way_forward": _("Way forward"),
    "nap_status": _("State of the National Action Plan"),
    "entries": _("Progress on the activities"),
}
# What a report must say before it is submitted (contributors are optional: some reports have none).
REQUIRED_FIELDS = (
    "prepared_by",
    "contacts",
    "achievements",
    "challenges",
    "needs",
    "way_forward",
    "nap_status",
)
EDITABLE_FIELDS = tuple(f for fields in SECTIONS.values() for f in fields)


def national_report_url(reporting_round_id, range_state) -> str:
    return reverse(
        "activities:national-report",
        kwargs={"pk": reporting_round_id, "iso": range_state.iso_code.lower()},
    )


class ReportCommentQuerySet(models.QuerySet):
    def in_order(self):
        return self.select_related("author", "entry__activity").order_by("created_at", "pk")


class ReportComment(models.Model):
    """A message in the private discussion between the Secretariat and a Range State's reporters about a
    section of a national report or one of its entries. Never public; kept in the history."""

    report = models.ForeignKey(
        NationalReport, verbose_name=_("national report"), on_delete=models.CASCADE, related_name="comments"
    )
    section = models.CharField(
        _("section"),
        max_length=20,
        blank=True,
        choices=[(name, title) for name, title in SECTION_TITLES.items()],
        help_text=_("Empty when the comment is about an entry."),
    )
    entry = models.ForeignKey(
        "activities.ProgressEntry",
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ReportCommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(section="") & models.Q(entry__isnull=False))
                | (~models.Q(section="") & models.Q(entry__isnull=True)),
                name="report_comment_one_subject",
                violation_error_message=_("A comment is about one section or one entry."),
            ),
        ]

    def __str__(self):
        return gettext("Comment by %(author)s on %(report)s") % {"author": self.author, "report": self.report}
