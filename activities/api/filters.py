"""django-filter FilterSets for the API's list endpoints, and a strict filter backend.

Bad values (a year that is not a number, an unknown strategy slug, Range State code or actor) are
400 errors naming the parameter, never silently ignored; so is a query parameter the endpoint does
not know (a misspelt ?stratgy= would otherwise return everything)."""

import datetime

import django_filters as df
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    Landscape,
    Objective,
    ProgressEntry,
    RangeState,
    Result,
    Species,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from activities.validators import MAX_ID

# Parameters every list accepts besides its filters.
COMMON_PARAMETERS = {"page", "page_size", "format", "search"}


class StrictFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that refuses query parameters the endpoint does not define."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(COMMON_PARAMETERS)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            message = gettext("Unknown query parameter. This endpoint accepts: %(parameters)s.") % {
                "parameters": ", ".join(sorted(known))
            }
            raise ValidationError({name: [message] for name in unknown}, code="unknown_parameter")
        empty = sorted(
            name for name in request.query_params if name != "search" and not request.query_params[name]
        )
        if empty:
            message = gettext("Give a value, or leave the parameter out.")
            raise ValidationError({name: [message] for name in empty}, code="blank")
        return super().filter_queryset(request, queryset, view)


class TrueFalseFilter(df.TypedChoiceFilter):
    """true or false; anything else is a 400 (django-filter's BooleanFilter would ignore it)."""


class CodesFilter(df.ModelMultipleChoiceFilter):
    """Any of several items named by a natural key (slug or code); repeat the parameter.

    The items are reached through a many-to-many relation, whose join would repeat a row once per
    matching item; instead of a DISTINCT over every column of the result (and of its count), the rows
    are matched with `pk IN (subquery)`, which cannot repeat them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)  # the subquery below makes the rows unique
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        matching = super().filter(qs.model._default_manager.all(), value)
        return qs.filter(pk__in=matching.values("pk"))


def _described(cls, schema: dict, help_text: str):
    # The OpenAPI type of a filter the schema generator cannot infer, with this use's description.
    return extend_schema_field(schema | {"description": help_text})(type(cls.__name__, (cls,), {}))


class IntegerFilter(df.NumberFilter):
    """A whole number from 0 to the largest database id; anything else (a fraction, a number beyond 64
    bits, which made SQLite raise OverflowError) is a 400 naming the parameter."""

    field_class = forms.IntegerField


def integer_filter(*, help_text: str, **kwargs) -> IntegerFilter:
    schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    cls = _described(IntegerFilter, schema, help_text)
    return cls(help_text=help_text, min_value=0, max_value=MAX_ID, **kwargs)


def boolean_filter(*, help_text: str, **kwargs) -> TrueFalseFilter:
    cls = _described(TrueFalseFilter, {"type": "string", "enum": ["true", "false"]}, help_text)
    return cls(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text=help_text,
        **kwargs,
    )


def codes_filter(*, help_text: str, **kwargs) -> CodesFilter:
    return _described(CodesFilter, {"type": "string", "minLength": 1}, help_text)(
        help_text=help_text, **kwargs
    )


class UTCIsoDateTimeField(IsoDateTimeField):
    def clean(self, value):
        value = super().clean(value)
        return value.astimezone(datetime.UTC) if value is not None and value.tzinfo is not None else value


class UTCDateTimeFilter(df.IsoDateTimeFilter):
    """An ISO 8601 date-time, compared in UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL only up
    to ±15:59, so a date-time such as 3472-01-18T05:00+19:04 (valid, and found by schemathesis) would
    otherwise reach the database as it is and answer 500. Cleaned in the field, so filters with a
    method get the UTC value too."""

    field_class = UTCIsoDateTimeField


def updated_since_filter() -> df.IsoDateTimeFilter:
    return UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_("ISO 8601 date-time: items changed at or after it (incremental sync)."),
    )


def _this_year() -> int:
    return timezone.localdate().year


def strategy_filter(field_name: str) -> df.ModelChoiceFilter:
    return df.ModelChoiceFilter(
        field_name=field_name,
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        help_text=_("Strategy slug, e.g. `persian-leopard-2023-2032`. Unknown slugs are a 400 error."),
    )


def range_state_filter(field_name: str, help_text: str, **kwargs) -> df.ModelChoiceFilter:
    return df.ModelChoiceFilter(
        field_name=field_name,
        to_field_name="iso_code",
        queryset=RangeState.objects.all(),
        help_text=help_text,
        **kwargs,
    )


def actor_filter(field_name: str) -> CodesFilter:
    return codes_filter(
        field_name=f"{field_name}__slug",  # with to_field_name, the filter compares that field's value
        to_field_name="slug",
        queryset=Actor.objects.all(),
        help_text=_("Actor slug (see /actors/), e.g. `ngos`; repeat the parameter for any of several."),
    )


def cami_pow_filter(field_name: str) -> CodesFilter:
    return codes_filter(
        field_name=f"{field_name}__code",
        to_field_name="code",
        queryset=WorkProgrammeMeasure.objects.all(),
        help_text=_("CAMI Programme of Work measure code, e.g. `4.7`; repeat for any of several."),
    )


def species_filter(field_name: str) -> CodesFilter:
    return codes_filter(
        field_name=f"{field_name}__slug",
        to_field_name="slug",
        queryset=Species.objects.all(),
        distinct=True,
        help_text=_("Species slug (see /species/), e.g. `persian-leopard`; repeat for any of several."),
    )


def landscape_filter(field_name: str) -> CodesFilter:
    return codes_filter(
        field_name=f"{field_name}__code",
        to_field_name="code",
        queryset=Landscape.objects.all(),
        distinct=True,
        help_text=_(
            "Code of an ECP 2020 landscape the item is tagged with (1-13, A-G), e.g. `3`; repeat for any of "
            "several."
        ),
    )


class ActivityFilter(df.FilterSet):
    strategy = strategy_filter("strategy")
    theme = integer_filter(field_name="result__objective__theme__number", help_text=_("Theme number."))
    objective = integer_filter(field_name="result__objective__number", help_text=_("Objective number."))
    result = df.CharFilter(field_name="result__code", help_text=_("Result code, e.g. `1.1`."))
    priority = df.MultipleChoiceFilter(
        choices=Activity.Priority.choices,
        distinct=False,  # a column of the row itself: no join, nothing to de-duplicate
        help_text=_("Priority: 1 low, 2 medium, 3 high; repeat for any of several."),
    )
    due_year = integer_filter(help_text=_("Due year, exactly (the end of the timeline)."))
    due_year_min = integer_filter(field_name="due_year", lookup_expr="gte", help_text=_("Due in or after."))
    due_year_max = integer_filter(field_name="due_year", lookup_expr="lte", help_text=_("Due in or before."))
    overdue = boolean_filter(
        method="filter_overdue",
        help_text=_(
            "true: the due year has passed (before the current year), whatever the progress; false: not "
            "yet due or no due year. The name is kept for compatibility: it is not the reports' “behind the "
            "plan's timeline”, which also asks that the activity be not complete."
        ),
    )
    timeline_kind = df.ChoiceFilter(choices=Activity.TimelineKind.choices, help_text=_("Kind of timeline."))
    cost_kind = df.ChoiceFilter(choices=Activity.CostKind.choices, help_text=_("Kind of cost."))
    status = df.ChoiceFilter(
        choices=ProgressEntry.Status.choices,
        method="filter_later",
        help_text=_("Latest approved status: in any Range State, or in `range_state` when given."),
    )
    range_state = range_state_filter(
        "strategy__range_states",
        _(
            "Range State ISO code, e.g. `AM`: activities of strategies the state implements "
            "(with `status`: activities whose latest approved status there is that status)."
        ),
        method="filter_later",
    )
    actor = actor_filter("actors")
    cami_pow = cami_pow_filter("cami_pow_measures")
    species = species_filter("strategy__species")
    landscape = landscape_filter("landscapes")
    updated_since = UTCDateTimeFilter(
        method="filter_updated_since",
        help_text=_(
            "ISO 8601 date-time: activities whose own fields or latest approved status in a Range "
            "State changed at or after it (incremental sync)."
        ),
    )
    ordering = df.OrderingFilter(
        fields=(
            ("sort_key", "code"),
            ("due_year", "due_year"),
            ("priority", "priority"),
            ("cost_usd", "cost_usd"),
            ("id", "id"),
        ),
        help_text=_("Sort by code, due_year, priority, cost_usd or id; prefix with - to reverse."),
    )

    class Meta:
        model = Activity
        fields = []

    def filter_overdue(self, queryset, name, value):
        year = _this_year()
        return queryset.due_before(year) if value else queryset.exclude(due_year__lt=year)

    def filter_later(self, queryset, name, value):
        return queryset  # status and range_state depend on each other: see filter_queryset

    def filter_updated_since(self, queryset, name, value):
        status_changed = ActivityStateStatus.objects.filter(activity=OuterRef("pk"), updated_at__gte=value)
        return queryset.filter(Q(updated_at__gte=value) | Exists(status_changed))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("status")
        state = self.form.cleaned_data.get("range_state")
        if status:
            statuses = ActivityStateStatus.objects.filter(activity=OuterRef("pk"), status=status)
            if state:
                statuses = statuses.filter(range_state=state)
            queryset = queryset.filter(Exists(statuses))
        if state:
            queryset = queryset.filter(strategy__range_states=state)
        return queryset


class ProgressEntryFilter(df.FilterSet):
    strategy = strategy_filter("activity__strategy")
    theme = integer_filter(
        field_name="activity__result__objective__theme__number", help_text=_("Theme number.")
    )
    objective = integer_filter(
        field_name="activity__result__objective__number", help_text=_("Objective number.")
    )
    result = df.CharFilter(field_name="activity__result__code", help_text=_("Result code, e.g. `1.1`."))
    activity = df.CharFilter(field_name="activity__code", help_text=_("Activity code, e.g. `1.1.1.a`."))
    # django-filter's multiple-choice filters add DISTINCT by default (for to-many joins). Over the
    # entry's own columns, or its activity (each entry has one), no row can repeat, and a DISTINCT over
    # every selected column (and the count wrapped around it) sorted the whole result, spilling to disk
    # at a million entries: distinct=False. actor and cami_pow go through many-to-many joins and keep it.
    priority = df.MultipleChoiceFilter(
        field_name="activity__priority",
        choices=Activity.Priority.choices,
        distinct=False,
        help_text=_("The activity's priority: 1 low, 2 medium, 3 high; repeat for any of several."),
    )
    due_year = integer_filter(field_name="activity__due_year", help_text=_("The activity's due year."))
    due_year_min = integer_filter(
        field_name="activity__due_year", lookup_expr="gte", help_text=_("The activity is due in or after.")
    )
    due_year_max = integer_filter(
        field_name="activity__due_year", lookup_expr="lte", help_text=_("The activity is due in or before.")
    )
    overdue = boolean_filter(
        method="filter_overdue",
        help_text=_("true: the activity's due year has passed, whatever the progress; false: it has not."),
    )
    status = df.MultipleChoiceFilter(
        choices=ProgressEntry.Status.choices,
        distinct=False,
        help_text=_("Reported status; repeat for any of several."),
    )
    review_state = df.MultipleChoiceFilter(
        choices=ProgressEntry.ReviewState.choices,
        distinct=False,
        help_text=_("Workflow state. Anonymous clients and partners only ever see `approved` entries."),
    )
    range_state = range_state_filter("range_state", _("Range State ISO code, e.g. `AM`."))
    range_wide = boolean_filter(
        field_name="range_state", lookup_expr="isnull", help_text=_("true: range-wide entries only.")
    )
    reporting_round = integer_filter(field_name="reporting_round_id", help_text=_("Reporting round id."))
    reporting_date_min = df.DateFilter(
        field_name="reporting_date",
        lookup_expr="gte",
        help_text=_("Reporting date on or after (YYYY-MM-DD)."),
    )
    reporting_date_max = df.DateFilter(
        field_name="reporting_date",
        lookup_expr="lte",
        help_text=_("Reporting date on or before (YYYY-MM-DD)."),
    )
    actor = actor_filter("activity__actors")
    cami_pow = cami_pow_filter("activity__cami_pow_measures")
    species = species_filter("activity__strategy__species")
    # A landscape tag is not a permission: the view narrows entries to those the user may see first.
    landscape = landscape_filter("landscapes")
    updated_since = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_("ISO 8601 date-time: entries changed at or after it (incremental sync)."),
    )
    ordering = df.OrderingFilter(
        fields=(("reporting_date", "reporting_date"), ("updated_at", "updated_at"), ("id", "id")),
        help_text=_("Sort by reporting_date, updated_at or id; prefix with - to reverse. Default: -id."),
    )

    class Meta:
        model = ProgressEntry
        fields = []

    def filter_overdue(self, queryset, name, value):
        year = _this_year()
        if value:
            return queryset.filter(activity__due_year__lt=year)
        return queryset.exclude(activity__due_year__lt=year)


class StrategyFilter(df.FilterSet):
    range_state = range_state_filter("range_states", _("Strategies a Range State implements (ISO code)."))
    species = species_filter("species")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(
        fields=(("slug", "slug"), ("title", "title"), ("period_start", "period_start")),
        help_text=_("Sort by slug, title or period_start; prefix with - to reverse."),
    )

    class Meta:
        model = Strategy
        fields = []


class ThemeFilter(df.FilterSet):
    strategy = strategy_filter("strategy")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(fields=(("number", "number"),), help_text=_("Sort by number."))

    class Meta:
        model = Theme
        fields = []


class ObjectiveFilter(df.FilterSet):
    strategy = strategy_filter("strategy")
    theme = integer_filter(field_name="theme__number", help_text=_("Theme number."))
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(fields=(("number", "number"),), help_text=_("Sort by number."))

    class Meta:
        model = Objective
        fields = []


class ResultFilter(df.FilterSet):
    strategy = strategy_filter("strategy")
    theme = integer_filter(field_name="objective__theme__number", help_text=_("Theme number."))
    objective = integer_filter(field_name="objective__number", help_text=_("Objective number."))
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(fields=(("sort_key", "code"),), help_text=_("Sort by code."))

    class Meta:
        model = Result
        fields = []


class ActorFilter(df.FilterSet):
    strategy = df.ModelChoiceFilter(
        field_name="activities__strategy",
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        distinct=True,
        help_text=_("Actors named by a strategy's activities (strategy slug)."),
    )
    category = df.ChoiceFilter(choices=Actor.Category.choices, help_text=_("Kind of actor."))
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(
        fields=(("name", "name"), ("slug", "slug")), help_text=_("Sort by name or slug.")
    )

    class Meta:
        model = Actor
        fields = []


class RangeStateFilter(df.FilterSet):
    strategy = strategy_filter("strategies")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(
        fields=(("name", "name"), ("iso_code", "iso_code")), help_text=_("Sort by name or iso_code.")
    )

    class Meta:
        model = RangeState
        fields = []


class WorkProgrammeMeasureFilter(df.FilterSet):
    strategy = df.ModelChoiceFilter(
        field_name="activities__strategy",
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        distinct=True,
        help_text=_("Measures a strategy's activities implement (strategy slug)."),
    )
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(fields=(("sort_key", "code"),), help_text=_("Sort by code."))

    class Meta:
        model = WorkProgrammeMeasure
        fields = []
