"""The reports' filter forms. They are GET forms: the URL carries every filter, so a report can be shared."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    Meeting,
    MeetingSnapshot,
    Metapopulation,
    Objective,
    RangeState,
    ReportingRound,
    Strategy,
)
from activities.validators import refuse_control_characters


class DateInput(forms.DateInput):
    input_type = "date"


class ReportFilterForm(forms.Form):
    """Strategy, Range State and an as-of date: the filters every report takes."""

    strategy = forms.ModelChoiceField(
        Strategy.objects.order_by("title"), to_field_name="slug", empty_label=None, label=_("Strategy")
    )
    range_state = forms.ModelChoiceField(
        RangeState.objects.none(),
        to_field_name="iso_code",
        required=False,
        empty_label=_("All Range States"),
        label=_("Range State"),
    )
    date = forms.DateField(
        required=False,
        widget=DateInput,
        label=_("Status as of"),
        help_text=_("Leave empty for the latest approved status."),
    )

    def __init__(self, data, *, strategy: Strategy, **kwargs):
        super().__init__(data, **kwargs)
        self.strategy = strategy
        self.fields["range_state"].queryset = strategy.range_states.order_by("name")
        for name, queryset in self.strategy_querysets(strategy).items():
            self.fields[name].queryset = queryset

    def strategy_querysets(self, strategy) -> dict:
        """Choices that depend on the strategy, per report-specific field."""
        return {}


class PlanFilterForm(ReportFilterForm):
    """The plans' standing is as of a date too, but it is read from the plans' periods, not from progress."""

    def __init__(self, data, *, strategy, **kwargs):
        super().__init__(data, strategy=strategy, **kwargs)
        self.fields["date"].label = _("Plans as of")
        self.fields["date"].help_text = _("Leave empty for today.")


class DashboardFilterForm(ReportFilterForm):
    since = forms.DateField(
        required=False,
        widget=DateInput,
        label=_("Changes since"),
        help_text=_("List the statuses changed since this date."),
    )


class MatrixFilterForm(ReportFilterForm):
    objective = forms.ModelChoiceField(
        Objective.objects.none(),
        to_field_name="number",
        required=False,
        empty_label=_("All objectives"),
        label=_("Objective"),
    )
    priority = forms.TypedChoiceField(
        choices=[("", _("All priorities")), *Activity.Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Priority"),
    )
    metapopulation = forms.ModelChoiceField(
        Metapopulation.objects.none(),
        to_field_name="number",
        required=False,
        empty_label=_("All metapopulations"),
        label=_("Metapopulation"),
    )

    def strategy_querysets(self, strategy):
        return {
            "objective": strategy.objectives.order_by("number"),
            "metapopulation": strategy.metapopulations.order_by("number"),
        }


class NationalFilterForm(ReportFilterForm):
    reporting_round = forms.ModelChoiceField(
        ReportingRound.objects.none(),
        label=_("Reporting round"),
        empty_label=_("Choose a round"),
        required=False,
    )
    date = forms.DateField(
        required=False,
        widget=DateInput,
        label=_("Entries up to"),
        help_text=_("Leave empty to use the round's deadline."),
    )

    def strategy_querysets(self, strategy):
        return {"reporting_round": strategy.reporting_rounds.order_by("-deadline")}


class RateFilterForm(ReportFilterForm):
    reporting_round = forms.ModelChoiceField(
        ReportingRound.objects.none(), label=_("Reporting round"), empty_label=_("All rounds"), required=False
    )
    date = forms.DateField(required=False, widget=DateInput, label=_("Rounds with a deadline up to"))

    def strategy_querysets(self, strategy):
        return {"reporting_round": strategy.reporting_rounds.order_by("-deadline")}


class SnapshotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Translators: a meeting snapshot in a list to choose from, e.g. "CAMI-TW (taken 3 Mar 2025)".
        return gettext("%(meeting)s (taken %(date)s)") % {
            "meeting": obj.meeting,
            "date": date_format(obj.taken_at, "j M Y"),
        }


class SnapshotFilterForm(ReportFilterForm):
    before = SnapshotChoiceField(
        MeetingSnapshot.objects.none(),
        label=_("Compare snapshot"),
        empty_label=_("Choose a snapshot"),
        required=False,
    )
    after = SnapshotChoiceField(
        MeetingSnapshot.objects.none(),
        # Translators: the label of the second snapshot compared: "Compare snapshot … with …".
        label=pgettext_lazy("compare snapshots", "with"),
        empty_label=_("Today (or the “as of” date)"),
        required=False,
    )
    date = forms.DateField(
        required=False,
        widget=DateInput,
        label=_("Status as of"),
        help_text=_("Used when comparing with today."),
    )

    def strategy_querysets(self, strategy):
        snapshots = strategy.snapshots.select_related("meeting").order_by("-taken_at")
        return {"before": snapshots, "after": snapshots}


class ConsolidatedFilterForm(ReportFilterForm):
    reporting_round = forms.ModelChoiceField(
        ReportingRound.objects.none(),
        label=_("Reporting round"),
        empty_label=_("The latest round"),
        required=False,
    )
    before = SnapshotChoiceField(
        MeetingSnapshot.objects.none(),
        label=_("Changes since the snapshot"),
        empty_label=_("The latest snapshot"),
        required=False,
    )
    after = SnapshotChoiceField(
        MeetingSnapshot.objects.none(),
        label=_("Changes up to the snapshot"),
        empty_label=_("Today (or the “as of” date)"),
        required=False,
    )

    def strategy_querysets(self, strategy):
        snapshots = strategy.snapshots.select_related("meeting").order_by("-taken_at")
        return {
            "reporting_round": strategy.reporting_rounds.order_by("-deadline"),
            "before": snapshots,
            "after": snapshots,
        }

    def clean(self):
        data = super().clean()
        before, after = data.get("before"), data.get("after")
        if before and after and after.taken_at <= before.taken_at:
            self.add_error("after", _("Choose a snapshot taken after the one the changes are counted from."))
        return data


class SnapshotTakeForm(forms.Form):
    """The Secretariat freezes the current approved statuses "as presented to" a meeting."""

    meeting = forms.ModelChoiceField(Meeting.objects.order_by("-start_date", "name"), label=_("Meeting"))
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=pgettext_lazy("snapshot", "Note"),
        validators=[refuse_control_characters],
    )
