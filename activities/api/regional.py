"""API resources of the regional picture (issue 13): species, meetings with their agendas and documents,
National Action Plans with their status as of a date, the plan standing per Range State (Result 10.1),
and grants. Read-only, addressed by natural key (slug), paginated, a fixed number of queries per request;
filters refuse bad values with a 400 naming the parameter (filters.StrictFilterBackend). None of these
models holds restricted details."""

import datetime

import django_filters as df
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from activities.models import (
    AgendaItem,
    Grant,
    GrantActivity,
    Meeting,
    MeetingDay,
    MeetingDocument,
    MeetingKind,
    NationalActionPlan,
    PlanStatus,
    Species,
    Strategy,
)
from activities.plan_status import adoption_year, national_plan_standing

from .filters import (
    _described,
    integer_filter,
    range_state_filter,
    species_filter,
    strategy_filter,
    updated_since_filter,
)
from .serializers import DescribedMixin, DetailURLField
from .views import APIMixin, NaturalKeyMixin, _by_key_schema, _strategy_parameter

AS_OF_HELP = _("Date (YYYY-MM-DD) the plans' status is taken as of; default today.")


def as_of_date(request) -> datetime.date:
    """The `as_of` query parameter, or today; a value that is not a date is a 400 naming the parameter."""
    raw = request.query_params.get("as_of")
    if raw is None:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            {"as_of": [gettext("A date as YYYY-MM-DD, not %(value)s.") % {"value": repr(raw[:40])}]},
            code="invalid",
        ) from None


# --- species -------------------------------------------------------------------------------------------


class SynonymSerializer(DescribedMixin, serializers.Serializer):
    scientific_name = serializers.CharField(help_text=_("The synonym, with its genus."))
    as_written = serializers.CharField(help_text=_("As the source writes it, where that differs."))
    reference = serializers.CharField(help_text=_("The source's reference for the synonym."))


class CommonNameSerializer(DescribedMixin, serializers.Serializer):
    language = serializers.CharField(help_text=_("The language, as the source names it."))
    language_code = serializers.CharField(help_text=_("BCP 47 language code; empty where not known."))
    name = serializers.CharField(help_text=_("The name or names, as the source gives them."))


class SpeciesSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:species-detail", "slug")
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    synonyms = SynonymSerializer(many=True, read_only=True)
    common_names = CommonNameSerializer(many=True, read_only=True)
    strategies = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Species
        fields = [
            "id",
            "url",
            "slug",
            "common_name",
            "scientific_name",
            "rank",
            "parent",
            "distribution",
            "red_list_category",
            "red_list_source",
            "synonyms",
            "common_names",
            "strategies",
            "source_document",
            "source_note",
        ]


class SpeciesFilter(df.FilterSet):
    strategy = strategy_filter("strategies")
    rank = df.ChoiceFilter(choices=Species.Rank.choices, help_text=_("Species or subspecies."))
    updated_since = updated_since_filter()

    class Meta:
        model = Species
        fields = []


@_by_key_schema(
    _("List species"),
    _("One species"),
    _("Species slug (or id)."),
    description=_("Species and subspecies, with synonyms and common names as the sources give them."),
)
class SpeciesViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SpeciesSerializer
    filterset_class = SpeciesFilter
    search_fields = ["common_name", "scientific_name", "slug", "common_names__name"]

    def get_queryset(self):
        return (
            Species.objects.with_names()
            .prefetch_related(Prefetch("strategies", queryset=Strategy.objects.order_by("slug")))
            .order_by("scientific_name")
        )


# --- meetings ------------------------------------------------------------------------------------------


class MeetingDocumentSerializer(DescribedMixin, serializers.ModelSerializer):
    revises = serializers.SerializerMethodField(help_text=_("Symbol (or title) of the document it revises."))
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = MeetingDocument
        fields = ["symbol", "title", "kind", "languages", "description", "revises", "strategy", "source_note"]

    def get_revises(self, document) -> str | None:
        revised = document.revises
        return (revised.symbol or revised.title) if revised else None


class AgendaItemSerializer(DescribedMixin, serializers.ModelSerializer):
    documents = serializers.SerializerMethodField(help_text=_("Symbols (or titles) of its documents."))
    parent = serializers.SerializerMethodField(help_text=_("For a sub-item: the number of its item."))

    class Meta:
        model = AgendaItem
        fields = [
            "position",
            "kind",
            "number",
            "parent",
            "title",
            "time_text",
            "starts_at",
            "ends_at",
            "documents_text",
            "documents",
            "comments",
            "expected_outcome",
        ]

    def get_documents(self, item) -> list[str]:
        return [document.symbol or document.title for document in item.documents.all()]

    def get_parent(self, item) -> int | None:
        # The parent is among the day's items, already loaded: no query.
        parents = self.context.setdefault("agenda_numbers", {})
        if item.parent_id is None:
            return None
        return parents.get(item.parent_id)


class MeetingDaySerializer(DescribedMixin, serializers.ModelSerializer):
    items = serializers.SerializerMethodField(help_text=_("The day's agenda, in order."))

    class Meta:
        model = MeetingDay
        fields = ["date", "hours", "items"]

    def get_items(self, day) -> list[dict]:
        items = list(day.items.all())
        self.context.setdefault("agenda_numbers", {}).update({i.pk: i.number for i in items})
        return AgendaItemSerializer(items, many=True, context=self.context).data


class MeetingSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:meeting-detail", "slug")
    strategies_adopted = serializers.SlugRelatedField(
        source="strategies",
        slug_field="slug",
        many=True,
        read_only=True,
        help_text=_("Strategies the meeting adopted, endorsed or revised."),
    )
    documents = MeetingDocumentSerializer(many=True, read_only=True)
    days = MeetingDaySerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "slug",
            "name",
            "kind",
            "place",
            "start_date",
            "end_date",
            "year",
            "document_symbol",
            "summary",
            "strategies_adopted",
            "documents",
            "days",
            "source_document",
            "source_note",
        ]


class MeetingFilter(df.FilterSet):
    kind = df.ChoiceFilter(choices=MeetingKind.choices, help_text=_("Kind of meeting."))
    year = integer_filter(help_text=_("Year the meeting took place."))
    strategy = df.ModelChoiceFilter(
        field_name="strategies",
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        help_text=_("Meetings that adopted, endorsed or revised a strategy (slug)."),
    )

    class Meta:
        model = Meeting
        fields = []


@_by_key_schema(
    _("List meetings"),
    _("One meeting"),
    _("Meeting slug (or id)."),
    description=_(
        "Range State meetings and workshops with their agenda (times as the source gives them), their "
        "documents by symbol and the strategies they adopted."
    ),
)
class MeetingViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    search_fields = ["name", "place", "document_symbol", "documents__symbol"]

    def get_queryset(self):
        return Meeting.objects.with_agenda().order_by("start_date", "year", "name").distinct()


# --- National Action Plans -----------------------------------------------------------------------------


class NationalActionPlanSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:national-action-plan-detail", "slug")
    range_state = serializers.SlugRelatedField(slug_field="iso_code", read_only=True)
    implements = serializers.SlugRelatedField(
        source="strategy",
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the strategy it implements; null where the sources do not say."),
    )
    supersedes = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    species = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    status = serializers.ChoiceField(
        choices=PlanStatus.choices, read_only=True, help_text=_("Status as of `as_of` (default today).")
    )
    in_force = serializers.BooleanField(
        read_only=True, help_text=_("In force, or being revised within its period, as of `as_of`.")
    )

    class Meta:
        model = NationalActionPlan
        fields = [
            "id",
            "url",
            "slug",
            "range_state",
            "kind",
            "title",
            "implements",
            "period_start",
            "period_end",
            "year_adopted",
            "year_developed",
            "supersedes",
            "species",
            "status",
            "in_force",
            "note",
            "source_note",
        ]


def strategy_method_filter(**kwargs) -> df.ModelChoiceFilter:
    """A strategy named by slug, filtered by a method (the schema cannot infer its type)."""
    cls = _described(df.ModelChoiceFilter, {"type": "string", "minLength": 1}, kwargs["help_text"])
    return cls(to_field_name="slug", queryset=Strategy.objects.all(), **kwargs)


class NationalActionPlanFilter(df.FilterSet):
    strategy = strategy_method_filter(
        method="filter_concerning",
        help_text=_(
            "Plans concerning a strategy (slug): implementing it or another version of it, or for one of "
            "its species. Unknown slugs are a 400 error."
        ),
    )
    range_state = range_state_filter("range_state", _("Range State ISO code, e.g. `AM`."))
    species = species_filter("species")
    kind = df.ChoiceFilter(choices=NationalActionPlan.Kind.choices, help_text=_("Kind of plan."))
    status = df.MultipleChoiceFilter(
        choices=PlanStatus.choices, help_text=_("Status as of `as_of`; repeat for any of several.")
    )
    as_of = df.DateFilter(method="filter_as_of", help_text=AS_OF_HELP)

    class Meta:
        model = NationalActionPlan
        fields = []

    def filter_concerning(self, queryset, name, value):
        return queryset.filter(pk__in=NationalActionPlan.objects.concerning(value).values("pk"))

    def filter_as_of(self, queryset, name, value):
        return queryset  # the status is annotated as of this date in the view's get_queryset


@_by_key_schema(
    _("List National Action Plans"),
    _("One National Action Plan"),
    _("Plan slug (or id)."),
    description=_(
        "National Action Plans and roadmaps, with their status as of a date (derived from their period and "
        "their successors)."
    ),
)
class NationalActionPlanViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = NationalActionPlanSerializer
    filterset_class = NationalActionPlanFilter
    search_fields = ["title", "slug", "note"]

    def get_queryset(self):
        return (
            NationalActionPlan.objects.with_context()
            .with_status(as_of=as_of_date(self.request))
            .order_by("range_state__name", "effective_start", "title")
        )


class PlanInStandingSerializer(DescribedMixin, serializers.Serializer):
    slug = serializers.CharField(help_text=_("Plan slug."))
    title = serializers.CharField(help_text=_("Title as in the source."))
    status = serializers.ChoiceField(choices=PlanStatus.choices, help_text=_("Status as of `as_of`."))
    in_force = serializers.BooleanField(help_text=_("In force, or being revised within its period."))


class PlanStandingSerializer(DescribedMixin, serializers.Serializer):
    range_state = serializers.CharField(source="range_state.iso_code", help_text=_("Range State ISO code."))
    range_state_name = serializers.CharField(source="range_state.name", help_text=_("Range State name."))
    has_plan_in_force = serializers.BooleanField(
        allow_null=True,
        help_text=_("true: a plan is in force; false: none; null: a plan gives no period, so it may be."),
    )
    plans_in_force = serializers.SerializerMethodField(help_text=_("Slugs of the plans in force."))
    postdates_adoption = serializers.BooleanField(
        allow_null=True,
        help_text=_(
            "Whether a plan in force was made (adopted, else developed) after the strategy's adoption year; "
            "null where the sources do not let one tell, or without a plan in force."
        ),
    )
    implements_strategy = serializers.BooleanField(
        help_text=_("Whether a plan in force implements the strategy (or another version of it) itself.")
    )
    plans = PlanInStandingSerializer(many=True, help_text=_("The state's plans concerning the strategy."))

    def get_plans_in_force(self, row) -> list[str]:
        return [plan.slug for plan in row.plans_in_force]


class PlanStandingPageSerializer(DescribedMixin, serializers.Serializer):
    strategy = serializers.CharField(help_text=_("Strategy slug."))
    as_of = serializers.DateField(help_text=_("The date the status is taken as of."))
    adoption_year = serializers.IntegerField(
        allow_null=True, help_text=_("Year the strategy was adopted; null where the sources do not say.")
    )
    count = serializers.IntegerField(help_text=_("Number of Range States."))
    results = PlanStandingSerializer(many=True, help_text=_("One row per Range State of the strategy."))


class StrategyPlanStandingViewSet(APIMixin, viewsets.GenericViewSet):
    """Result 10.1 of the Persian Leopard strategy: per Range State, is a plan in force, and does it
    postdate the strategy's adoption? One row per Range State, so not paginated."""

    serializer_class = PlanStandingSerializer
    pagination_class = None
    filter_backends = []
    allowed_parameters = {"as_of", "range_state", "format"}

    @extend_schema(
        summary=_("National Action Plan standing per Range State of a strategy (Result 10.1)"),
        parameters=[
            _strategy_parameter(),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description=AS_OF_HELP),
            OpenApiParameter(
                "range_state",
                {"type": "string", "minLength": 1},
                description=_("Only this Range State (ISO code)."),
            ),
        ],
        responses=PlanStandingPageSerializer,
    )
    def list(self, request, strategy_slug=None):
        unknown = sorted(set(request.query_params) - self.allowed_parameters)
        if unknown:
            message = gettext("Unknown query parameter. This endpoint accepts: %(parameters)s.") % {
                "parameters": ", ".join(sorted(self.allowed_parameters))
            }
            raise ValidationError({name: [message] for name in unknown}, code="unknown_parameter")
        strategy = get_object_or_404(Strategy.objects.select_related("adopted_at"), slug=strategy_slug)
        as_of = as_of_date(request)
        rows = national_plan_standing(strategy, as_of=as_of)
        state = request.query_params.get("range_state")
        if state is not None:
            rows = [row for row in rows if row.range_state.iso_code == state.upper()]
            if not rows:
                message = gettext("%(value)s is not a Range State of this strategy.") % {
                    "value": repr(state[:10])
                }
                raise ValidationError({"range_state": [message]}, code="invalid_choice")
        data = {
            "strategy": strategy.slug,
            "as_of": as_of,
            "adoption_year": adoption_year(strategy),
            "count": len(rows),
            "results": rows,
        }
        return Response(PlanStandingPageSerializer(data, context=self.get_serializer_context()).data)


# --- grants --------------------------------------------------------------------------------------------


class GrantLineSerializer(DescribedMixin, serializers.ModelSerializer):
    strategy = serializers.CharField(source="activity.strategy.slug", help_text=_("Strategy slug."))
    activity = serializers.CharField(source="activity.code", help_text=_("Activity code, e.g. 12.2.1."))
    range_state = serializers.SlugRelatedField(slug_field="iso_code", read_only=True, allow_null=True)

    class Meta:
        model = GrantActivity
        fields = ["strategy", "activity", "range_state", "amount_usd"]


class GrantSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:grant-detail", "slug")
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    donor = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    grantee = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    range_states = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)
    species = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    lines = GrantLineSerializer(many=True, read_only=True, help_text=_("The activities the grant funds."))

    class Meta:
        model = Grant
        fields = [
            "id",
            "url",
            "slug",
            "title",
            "programme",
            "donor",
            "grantee",
            "amount_usd",
            "starts_on",
            "ends_on",
            "range_states",
            "species",
            "lines",
            "note",
            "source_note",
        ]


class GrantFilter(df.FilterSet):
    strategy = strategy_method_filter(
        method="filter_strategy",
        help_text=_("Grants funding activities of a strategy (slug). Unknown slugs are a 400 error."),
    )
    range_state = range_state_filter("range_states", _("Grants in a Range State (ISO code)."), distinct=True)
    species = species_filter("species")
    programme = df.CharFilter(field_name="programme__slug", help_text=_("Programme slug."))
    updated_since = updated_since_filter()

    class Meta:
        model = Grant
        fields = []

    def filter_strategy(self, queryset, name, value):
        return queryset.funding_strategy(value)


@_by_key_schema(
    _("List grants"),
    _("One grant"),
    _("Grant slug (or id)."),
    description=_("Grants, with the activities they fund in which Range States and for what amount."),
)
class GrantViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = GrantSerializer
    filterset_class = GrantFilter
    search_fields = ["title", "slug"]

    def get_queryset(self):
        lines = GrantActivity.objects.select_related("activity__strategy", "range_state").order_by(
            "activity__strategy__slug", "activity__sort_key", "range_state__name"
        )
        return (
            Grant.objects.with_context()
            .prefetch_related(Prefetch("lines", queryset=lines))
            .order_by("title", "slug")
        )
