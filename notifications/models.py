"""What a person is told, and how they want to be told: the notices shown on their home page (and
e-mailed), and their choice, per kind of notice, of e-mail and home page.

The kinds are the reporting cycle's events. Which of them are sent to whom, and what they say, is the
strategy domain's business (activities.notices); this app only delivers them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ENTRY_SUBMITTED = "entry_submitted", _("An entry is submitted for review")
    ENTRY_RETURNED = "entry_returned", _("An entry of yours is returned for changes")
    ENTRY_APPROVED = "entry_approved", _("An entry of yours is approved")
    ROUND_OPENED = "round_opened", _("A reporting round opens for your Range State")
    DEADLINE_NEAR = "deadline_near", _("A round's deadline is near and activities are still to be reported")
    DEADLINE_PASSED = "deadline_passed", _("A round's deadline has passed with activities not reported")
    DELEGATION_GRANTED = "delegation_granted", _("Reporting is delegated to you")
    DELEGATION_WITHDRAWN = "delegation_withdrawn", _("A delegation to you is withdrawn")
    REPORT_SUBMITTED = "report_submitted", _("A national report is submitted for review")
    REPORT_RETURNED = "report_returned", _("A national report of your Range State is returned for changes")
    REPORT_ACCEPTED = "report_accepted", _("A national report of your Range State is accepted")
    REPORT_COMMENTED = "report_commented", _("Someone comments in a national report's discussion")
    REPORT_REMINDER = (
        "report_reminder",
        _("The Secretariat reminds you of your Range State's national report"),
    )
    EXPORT_READY = "export_ready", _("An export you asked for is ready")
    EXPORT_FAILED = "export_failed", _("An export you asked for could not be made")


# Who receives each kind, for the preferences page.
RECIPIENTS = {
    Kind.ENTRY_SUBMITTED: _(
        "Sent to the Secretariat staff who may review the entry: everyone in the Secretariat except those "
        "who reported, changed or submitted it."
    ),
    Kind.ENTRY_RETURNED: _("Sent to the entry's reporter and submitter, with the reviewer's comment."),
    Kind.ENTRY_APPROVED: _("Sent to the entry's reporter and submitter."),
    Kind.ROUND_OPENED: _(
        "Sent to the national focal points of the Range States asked to report, with what is due and the "
        "deadline."
    ),
    Kind.DEADLINE_NEAR: _(
        "Sent each day of the last two weeks before a round's deadline to the focal points of Range States "
        "that still have activities to report."
    ),
    Kind.DEADLINE_PASSED: _(
        "Sent once after a round's deadline to the focal points of Range States that did not report every "
        "activity due."
    ),
    Kind.DELEGATION_GRANTED: _("Sent to the colleague a focal point lets draft an activity or objective."),
    Kind.DELEGATION_WITHDRAWN: _("Sent to the colleague whose delegation the focal point withdraws."),
    Kind.REPORT_SUBMITTED: _(
        "Sent to the Secretariat staff who may review the national report: everyone in the Secretariat "
        "except those who wrote, changed or submitted it."
    ),
    Kind.REPORT_RETURNED: _(
        "Sent to the Range State's focal points and to the delegates who worked on the report, with the "
        "comment on each section."
    ),
    Kind.REPORT_ACCEPTED: _(
        "Sent to the Range State's focal points and to the delegates who worked on the report."
    ),
    Kind.REPORT_COMMENTED: _(
        "Sent to the other side of the discussion: to the Range State's focal points and the delegates who "
        "worked on the report when the Secretariat writes, to the Secretariat when they do."
    ),
    Kind.REPORT_REMINDER: _(
        "Sent to the focal points of a Range State whose national report is not yet submitted, when the "
        "Secretariat sends a reminder from the round's overview."
    ),
    Kind.EXPORT_READY: _("Sent to whoever asked for a large export, when its file can be downloaded."),
    Kind.EXPORT_FAILED: _("Sent to whoever asked for a large export, when it failed for good."),
}

# The notices a person's role requires them to receive, by e-mail and on their home page, with why. Each
# goes only to the people whose role it concerns (a return to the entry's reporter and submitter, a
# round's opening and its missed deadline to the focal points of the Range States concerned).
MANDATORY = {
    Kind.ENTRY_RETURNED: _(
        "Required: a returned entry stays with its reporter until they change it and submit it again; "
        "nobody else can, and until then it does not count as reported."
    ),
    Kind.ROUND_OPENED: _(
        "Required: a reporting round is the Secretariat's request to your Range State, which its national "
        "focal points answer."
    ),
    Kind.DEADLINE_PASSED: _(
        "Required: it tells the national focal points that their Range State is late for the round."
    ),
    Kind.REPORT_RETURNED: _(
        "Required: a returned national report stays with its Range State until it is changed and submitted "
        "again."
    ),
    Kind.REPORT_REMINDER: _(
        "Required: the Secretariat asks your Range State for its national report, which its national focal "
        "points answer."
    ),
}


class NoticeQuerySet(models.QuerySet):
    def on_home_of(self, user):
        """The notices `user`'s home page shows: theirs, wanted there and not dismissed, newest first."""
        return self.filter(recipient=user, on_home=True, dismissed_at__isnull=True).order_by(
            "-created_at", "-pk"
        )


class Notice(models.Model):
    """One person told of one event of the reporting cycle (e.g. their entry was returned): the line their
    home page shows, and whether it was e-mailed, read or dismissed."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    key = models.CharField(
        max_length=120,
        help_text=_(
            "The event, e.g. “entry:12:v5” (entry 12 as of its version 5): one notice per person and event."
        ),
    )
    text = models.TextField(
        help_text=_("What the home page says, in the recipient's language; never restricted details.")
    )
    url = models.CharField(max_length=300, help_text=_("Where the notice leads: a path on this site."))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    on_home = models.BooleanField(
        default=True, help_text=_("Shown on the recipient's home page (their choice).")
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Tasks may run twice and the scheduler daily: the second attempt finds the first's notice.
            models.UniqueConstraint(fields=["recipient", "kind", "key"], name="notice_once_per_event"),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(on_home=True, dismissed_at__isnull=True),
                name="notice_home_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_mandatory(self) -> bool:
        return self.kind in MANDATORY


class NoticePreference(models.Model):
    """A person's choice for one kind of notice: by e-mail, on their home page, both or neither. Without a
    row, both; a mandatory kind (MANDATORY) is always both, whatever the row says."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    email = models.BooleanField(_("by e-mail"), default=True)
    on_home = models.BooleanField(_("on my home page"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_unique")]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()}"
