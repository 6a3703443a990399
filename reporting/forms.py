"""The reports' filter forms. They are GET forms: the URL carries every filter, so a report can be shared."""

from django import forms

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


class DateInput(forms.DateInput):
    input_type = "date"


class ReportFilterForm(forms.Form):
    """Strategy, Range State and an as-of date: the filters every report takes."""

    strategy = forms.ModelChoiceField(
        Strategy.objects.order_by("title"), to_field_name="slug", empty_label=None, label="Strategy"
    )
    range_state = forms.ModelChoiceField(
        RangeState.objects.none(),
        to_field_name="iso_code",
        required=False,
        empty_label="All Range States",
        label="Range State",
    )
    date = forms.DateField(
        required=False,
        widget=DateInput,
        label="Status as of",
        help_text="Leave empty for the latest approved status.",
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


class DashboardFilterForm(ReportFilterForm):
    since = forms.DateField(
        required=False,
        widget=DateInput,
        label="Changes since",
        help_text="List the statuses changed since this date.",
    )


class MatrixFilterForm(ReportFilterForm):
    objective = forms.ModelChoiceField(
        Objective.objects.none(), to_field_name="number", required=False, empty_label="All objectives"
    )
    priority = forms.TypedChoiceField(
        choices=[("", "All priorities"), *Activity.Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    metapopulation = forms.ModelChoiceField(
        Metapopulation.objects.none(),
        to_field_name="number",
        required=False,
        empty_label="All metapopulations",
    )

    def strategy_querysets(self, strategy):
        return {
            "objective": strategy.objectives.order_by("number"),
            "metapopulation": strategy.metapopulations.order_by("number"),
        }


class NationalFilterForm(ReportFilterForm):
    reporting_round = forms.ModelChoiceField(
        ReportingRound.objects.none(), label="Reporting round", empty_label="Choose a round", required=False
    )
    date = forms.DateField(
        required=False,
        widget=DateInput,
        label="Entries up to",
        help_text="Leave empty to use the round's deadline.",
    )

    def strategy_querysets(self, strategy):
        return {"reporting_round": strategy.reporting_rounds.order_by("-deadline")}


class RateFilterForm(ReportFilterForm):
    reporting_round = forms.ModelChoiceField(
        ReportingRound.objects.none(), label="Reporting round", empty_label="All rounds", required=False
    )
    date = forms.DateField(required=False, widget=DateInput, label="Rounds with a deadline up to")

    def strategy_querysets(self, strategy):
        return {"reporting_round": strategy.reporting_rounds.order_by("-deadline")}


class SnapshotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.meeting} (taken {obj.taken_at:%-d %b %Y})"


class SnapshotFilterForm(ReportFilterForm):
    before = SnapshotChoiceField(
        MeetingSnapshot.objects.none(),
        label="Compare snapshot",
        empty_label="Choose a snapshot",
        required=False,
    )
    after = SnapshotChoiceField(
        MeetingSnapshot.objects.none(),
        label="with",
        empty_label="Today (or the “as of” date)",
        required=False,
    )
    date = forms.DateField(
        required=False, widget=DateInput, label="Status as of", help_text="Used when comparing with today."
    )

    def strategy_querysets(self, strategy):
        snapshots = strategy.snapshots.select_related("meeting").order_by("-taken_at")
        return {"before": snapshots, "after": snapshots}


class SnapshotTakeForm(forms.Form):
    """The Secretariat freezes the current approved statuses "as presented to" a meeting."""

    meeting = forms.ModelChoiceField(Meeting.objects.order_by("-start_date", "name"), label="Meeting")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note")
