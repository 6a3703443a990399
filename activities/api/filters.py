"""django-filter FilterSets for the API's list endpoints, and a strict filter backend.

Bad values (a year that is not a number, an unknown strategy slug, Range State code or actor) are
400 errors naming the parameter, never silently ignored; so is a query parameter the endpoint does
not know (a misspelt ?stratgy= would otherwise return everything)."""

import django_filters as df
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    Objective,
    ProgressEntry,
    RangeState,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)

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
            accepted = ", ".join(sorted(known))
            raise ValidationError(
                {name: [f"Unknown query parameter. This endpoint accepts: {accepted}."] for name in unknown},
                code="unknown_parameter",
            )
        return super().filter_queryset(request, queryset, view)


class TrueFalseFilter(df.TypedChoiceFilter):
    """true or false; anything else is a 400 (django-filter's BooleanFilter would ignore it)."""


class CodesFilter(df.ModelMultipleChoiceFilter):
    """Any of several items named by a natural key (slug or code); repeat the parameter."""


def _described(cls, schema: dict, help_text: str):
    # The OpenAPI type of a filter the schema generator cannot infer, with this use's description.
    return extend_schema_field(schema | {"description": help_text})(type(cls.__name__, (cls,), {}))


def boolean_filter(*, help_text: str, **kwargs) -> TrueFalseFilter:
    cls = _described(TrueFalseFilter, {"type": "string", "enum": ["true", "false"]}, help_text)
    return cls(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text=help_text,
        **kwargs,
    )


def codes_filter(*, help_text: str, **kwargs) -> CodesFilter:
    return _described(CodesFilter, {"type": "string"}, help_text)(help_text=help_text, **kwargs)


def updated_since_filter() -> df.IsoDateTimeFilter:
    return df.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="ISO 8601 date-time: items changed at or after it (incremental sync).",
    )


def _this_year() -> int:
    return timezone.localdate().year


def strategy_filter(field_name: str) -> df.ModelChoiceFilter:
    return df.ModelChoiceFilter(
        field_name=field_name,
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        help_text="Strategy slug, e.g. `persian-leopard-2023-2032`. Unknown slugs are a 400 error.",
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
        help_text="Actor slug (see /actors/), e.g. `ngos`; repeat the parameter for any of several.",
    )


def cami_pow_filter(field_name: str) -> CodesFilter:
    return codes_filter(
        field_name=f"{field_name}__code",
        to_field_name="code",
        queryset=WorkProgrammeMeasure.objects.all(),
        help_text="CAMI Programme of Work measure code, e.g. `4.7`; repeat for any of several.",
    )


class ActivityFilter(df.FilterSet):
    strategy = strategy_filter("strategy")
    theme = df.NumberFilter(field_name="result__objective__theme__number", help_text="Theme number.")
    objective = df.NumberFilter(field_name="result__objective__number", help_text="Objective number.")
    result = df.CharFilter(field_name="result__code", help_text="Result code, e.g. `1.1`.")
    priority = df.MultipleChoiceFilter(
        choices=Activity.Priority.choices,
        help_text="Priority: 1 low, 2 medium, 3 high; repeat for any of several.",
    )
    due_year = df.NumberFilter(help_text="Due year, exactly (the end of the timeline).")
    due_year_min = df.NumberFilter(field_name="due_year", lookup_expr="gte", help_text="Due in or after.")
    due_year_max = df.NumberFilter(field_name="due_year", lookup_expr="lte", help_text="Due in or before.")
    overdue = boolean_filter(
        method="filter_overdue",
        help_text="true: the due year has passed (before the current year); false: not yet due or no due year.",
    )
    timeline_kind = df.ChoiceFilter(choices=Activity.TimelineKind.choices, help_text="Kind of timeline.")
    cost_kind = df.ChoiceFilter(choices=Activity.CostKind.choices, help_text="Kind of cost.")
    status = df.ChoiceFilter(
        choices=ProgressEntry.Status.choices,
        method="filter_later",
        help_text="Latest approved status: in any Range State, or in `range_state` when given.",
    )
    range_state = range_state_filter(
        "strategy__range_states",
        "Range State ISO code, e.g. `AM`: activities of strategies the state implements "
        "(with `status`: activities whose latest approved status there is that status).",
        method="filter_later",
    )
    actor = actor_filter("actors")
    cami_pow = cami_pow_filter("cami_pow_measures")
    updated_since = df.IsoDateTimeFilter(
        method="filter_updated_since",
        help_text="ISO 8601 date-time: activities whose own fields or latest approved status in a Range "
        "State changed at or after it (incremental sync).",
    )
    ordering = df.OrderingFilter(
        fields=(
            ("sort_key", "code"),
            ("due_year", "due_year"),
            ("priority", "priority"),
            ("cost_usd", "cost_usd"),
            ("id", "id"),
        ),
        help_text="Sort by code, due_year, priority, cost_usd or id; prefix with - to reverse.",
    )

    class Meta:
        model = Activity
        fields = []

    def filter_overdue(self, queryset, name, value):
        year = _this_year()
        return queryset.overdue(year=year) if value else queryset.exclude(due_year__lt=year)

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
    theme = df.NumberFilter(
        field_name="activity__result__objective__theme__number", help_text="Theme number."
    )
    objective = df.NumberFilter(
        field_name="activity__result__objective__number", help_text="Objective number."
    )
    result = df.CharFilter(field_name="activity__result__code", help_text="Result code, e.g. `1.1`.")
    activity = df.CharFilter(field_name="activity__code", help_text="Activity code, e.g. `1.1.1.a`.")
    priority = df.MultipleChoiceFilter(
        field_name="activity__priority",
        choices=Activity.Priority.choices,
        help_text="The activity's priority: 1 low, 2 medium, 3 high; repeat for any of several.",
    )
    due_year = df.NumberFilter(field_name="activity__due_year", help_text="The activity's due year.")
    due_year_min = df.NumberFilter(
        field_name="activity__due_year", lookup_expr="gte", help_text="The activity is due in or after."
    )
    due_year_max = df.NumberFilter(
        field_name="activity__due_year", lookup_expr="lte", help_text="The activity is due in or before."
    )
    overdue = boolean_filter(
        method="filter_overdue", help_text="true: the activity's due year has passed; false: it has not."
    )
    status = df.MultipleChoiceFilter(
        choices=ProgressEntry.Status.choices, help_text="Reported status; repeat for any of several."
    )
    review_state = df.MultipleChoiceFilter(
        choices=ProgressEntry.ReviewState.choices,
        help_text="Workflow state. Anonymous clients and partners only ever see `approved` entries.",
    )
    range_state = range_state_filter("range_state", "Range State ISO code, e.g. `AM`.")
    range_wide = boolean_filter(
        field_name="range_state", lookup_expr="isnull", help_text="true: range-wide entries only."
    )
    reporting_round = df.NumberFilter(field_name="reporting_round_id", help_text="Reporting round id.")
    reporting_date_min = df.DateFilter(
        field_name="reporting_date", lookup_expr="gte", help_text="Reporting date on or after (YYYY-MM-DD)."
    )
    reporting_date_max = df.DateFilter(
        field_name="reporting_date", lookup_expr="lte", help_text="Reporting date on or before (YYYY-MM-DD)."
    )
    actor = actor_filter("activity__actors")
    cami_pow = cami_pow_filter("activity__cami_pow_measures")
    updated_since = df.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="ISO 8601 date-time: entries changed at or after it (incremental sync).",
    )
    ordering = df.OrderingFilter(
        fields=(("reporting_date", "reporting_date"), ("updated_at", "updated_at"), ("id", "id")),
        help_text="Sort by reporting_date, updated_at or id; prefix with - to reverse. Default: -id.",
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
    range_state = range_state_filter("range_states", "Strategies a Range State implements (ISO code).")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(
        fields=(("slug", "slug"), ("title", "title"), ("period_start", "period_start")),
        help_text="Sort by slug, title or period_start; prefix with - to reverse.",
    )

    class Meta:
        model = Strategy
        fields = []


class ThemeFilter(df.FilterSet):
    strategy = strategy_filter("strategy")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(fields=(("number", "number"),), help_text="Sort by number.")

    class Meta:
        model = Theme
        fields = []


class ObjectiveFilter(df.FilterSet):
    strategy = strategy_filter("strategy")
    theme = df.NumberFilter(field_name="theme__number", help_text="Theme number.")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(fields=(("number", "number"),), help_text="Sort by number.")

    class Meta:
        model = Objective
        fields = []


class ResultFilter(df.FilterSet):
    strategy = strategy_filter("strategy")
    theme = df.NumberFilter(field_name="objective__theme__number", help_text="Theme number.")
    objective = df.NumberFilter(field_name="objective__number", help_text="Objective number.")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(fields=(("sort_key", "code"),), help_text="Sort by code.")

    class Meta:
        model = Result
        fields = []


class ActorFilter(df.FilterSet):
    strategy = df.ModelChoiceFilter(
        field_name="activities__strategy",
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        distinct=True,
        help_text="Actors named by a strategy's activities (strategy slug).",
    )
    category = df.ChoiceFilter(choices=Actor.Category.choices, help_text="Kind of actor.")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(
        fields=(("name", "name"), ("slug", "slug")), help_text="Sort by name or slug."
    )

    class Meta:
        model = Actor
        fields = []


class RangeStateFilter(df.FilterSet):
    strategy = strategy_filter("strategies")
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(
        fields=(("name", "name"), ("iso_code", "iso_code")), help_text="Sort by name or iso_code."
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
        help_text="Measures a strategy's activities implement (strategy slug).",
    )
    updated_since = updated_since_filter()
    ordering = df.OrderingFilter(fields=(("sort_key", "code"),), help_text="Sort by code.")

    class Meta:
        model = WorkProgrammeMeasure
        fields = []
