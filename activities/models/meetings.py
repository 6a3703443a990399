"""What happens at a meeting: its days and agenda items (with times, documents and expected outcomes),
and its documents by symbol, including which strategy a document is the text of and which document it
revises. The Meeting itself lives in regional.py; its QuerySet is here, beside the agenda it prefetches."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    RANGE_STATE_MEETING = "range_state_meeting", _("Range State meeting")
    WORKSHOP = "workshop", _("Workshop")
    OTHER = "other", _("Other meeting")


class MeetingQuerySet(models.QuerySet):
    def with_agenda(self):
        """Days with their agenda items (each with its documents) in order, the meeting's documents, and
        the strategies it adopted: everything a meeting page lists, in five queries however long."""
        items = AgendaItem.objects.order_by("position").prefetch_related(
            Prefetch("documents", queryset=MeetingDocument.objects.order_by("symbol", "title"))
        )
        return self.prefetch_related(
            Prefetch("days", queryset=MeetingDay.objects.order_by("date").prefetch_related(
                Prefetch("items", queryset=items)
            )),
            Prefetch("documents", queryset=MeetingDocument.objects.select_related("revises", "strategy")),
            "strategies",
        )  # fmt: skip


class MeetingDay(models.Model):
    """One day of a meeting, with its hours as the agenda gives them."""

    meeting = models.ForeignKey(
        "activities.Meeting", on_delete=models.CASCADE, related_name="days", verbose_name=_("meeting")
    )
    date = models.DateField(_("date"))
    hours = models.CharField(
        _("hours"),
        max_length=60,
        blank=True,
        help_text=_("As the agenda gives them, e.g. “08:30 to 18:00 CET”."),
    )

    class Meta:
        ordering = ["meeting", "date"]
        verbose_name = _("meeting day")
        verbose_name_plural = _("meeting days")
        constraints = [models.UniqueConstraint(fields=["meeting", "date"], name="meeting_day_unique")]

    def __str__(self):
        return f"{self.meeting} – {self.date:%Y-%m-%d}"

    def clean(self):
        meeting = self.meeting if self.meeting_id else None
        if (
            meeting
            and meeting.start_date
            and meeting.end_date
            and not (meeting.start_date <= self.date <= meeting.end_date)
        ):
            raise ValidationError({"date": _("The day is outside the meeting's dates.")})


class AgendaItem(models.Model):
    """A row of a meeting's agenda: a numbered item, a sub-item, a break or an unnumbered session.

    The agenda gives a time only to the first row of each time slot; the rows after it (with no time
    of their own) belong to the same slot: agenda_slots() groups them."""

    class Kind(models.TextChoices):
        ITEM = "item", _("Agenda item")
        SUB_ITEM = "sub_item", _("Sub-item")
        BREAK = "break", _("Break")
        SESSION = "session", _("Unnumbered session (opening, closing, tour)")

    day = models.ForeignKey(MeetingDay, on_delete=models.CASCADE, related_name="items", verbose_name=_("day"))
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Order of the row within its day.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ITEM)
    number = models.PositiveSmallIntegerField(
        _("item number"),
        null=True,
        blank=True,
        help_text=_("As numbered in the agenda; the same number may head two rows (item 6 in Vilm)."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sub_items",
        verbose_name=_("sub-item of"),
    )
    title = models.TextField(_("title"))
    time_text = models.CharField(
        _("time (source text)"),
        max_length=40,
        blank=True,
        help_text=_("Empty where the row has no time of its own."),
    )
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    documents_text = models.TextField(_("documents (source text)"), blank=True)
    documents = models.ManyToManyField(
        "MeetingDocument", related_name="agenda_items", blank=True, verbose_name=_("documents")
    )
    comments = models.TextField(
        _("comments"),
        blank=True,
        help_text=_("The agenda's comments for the row, without its expected outcome."),
    )
    expected_outcome = models.TextField(_("expected outcome"), blank=True)
    source_note = models.TextField(_("source note"), blank=True)

    class Meta:
        ordering = ["day", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["day", "position"], name="agenda_item_position_unique"),
            models.CheckConstraint(
                condition=Q(kind="item", number__isnull=False) | ~Q(kind="item"),
                name="agenda_item_numbered",
            ),
            models.CheckConstraint(
                condition=Q(kind="sub_item", parent__isnull=False)
                | (~Q(kind="sub_item") & Q(parent__isnull=True)),
                name="agenda_sub_item_has_parent",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(starts_at__lte=models.F("ends_at")),
                name="agenda_item_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        if self.number is not None:
            return f"{self.number}. {self.title}"
        return self.title

    def clean(self):
        if self.parent_id and self.parent.day_id != self.day_id:
            raise ValidationError({"parent": _("A sub-item is on the same day as its item.")})


def agenda_slots(items) -> list[tuple[str, list[AgendaItem]]]:
    """A day's rows grouped into the agenda's time slots: each timed row opens a slot, and the rows
    without a time of their own join the slot above (items 2–4 in Vilm run within 08:30 – 10:45).
    `items` are the rows of one day in order; rows before the first timed one form a slot with no time."""
    slots: list[tuple[str, list[AgendaItem]]] = []
    for item in items:
        if item.time_text or not slots:
            slots.append((item.time_text, [item]))
        else:
            slots[-1][1].append(item)
    return slots


class MeetingDocument(models.Model):
    """A document of a meeting, by its UN document symbol where it has one (UNEP/CMS/CAMI-TW/Doc.2)."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("Agenda")
        WORKING = "working", _("Working document")
        INFORMATION = "information", _("Information document")
        OUTCOME = "outcome", _("Outcome document")
        REPORT = "report", _("Meeting report")
        STUDY = "study", _("Study")

    meeting = models.ForeignKey(
        "activities.Meeting", on_delete=models.CASCADE, related_name="documents", verbose_name=_("meeting")
    )
    symbol = models.CharField(
        _("document symbol"),
        max_length=100,
        blank=True,
        help_text=_("e.g. UNEP/CMS/CAMI-TW/Doc.1/Rev.1; empty for documents the source names by title only."),
    )
    title = models.CharField(
        _("title"), max_length=300, blank=True, help_text=_("Empty where the source gives none.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("As the source lists them, e.g. English, Persian and Russian."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the source says the document is.")
    )
    revises = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("revises"),
        help_text=_("The earlier version this document revises (Doc.1/Rev.1 revises Doc.1)."),
    )
    strategy = models.ForeignKey(
        "activities.Strategy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("strategy"),
        help_text=_("The strategy whose text this document is, if it is one."),
    )
    source_note = models.TextField(_("source note"), blank=True)

    class Meta:
        ordering = ["meeting", "symbol", "title"]
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        constraints = [
            models.UniqueConstraint(
                fields=["symbol"], condition=~Q(symbol=""), name="document_symbol_unique"
            ),
            models.UniqueConstraint(
                fields=["meeting", "title"],
                condition=Q(symbol=""),
                name="document_title_unique_without_symbol",
            ),
            models.CheckConstraint(condition=~Q(symbol="", title=""), name="document_has_symbol_or_title"),
        ]

    def __str__(self):
        if self.symbol and self.title:
            return f"{self.symbol} {self.title}"
        return self.symbol or self.title

    def clean(self):
        if self.revises_id and self.revises_id == self.pk:
            raise ValidationError({"revises": _("A document cannot revise itself.")})
