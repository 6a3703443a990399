"""REST API v1 viewsets. Reads shape their queries in get_queryset() with queryset methods (a fixed
number of SQL queries per request, whatever the number of rows); writes go through activities.services,
which ask activities.permissions. Errors take the one shape of exceptions.py."""

import hashlib
import json

from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from activities import permissions, services
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

from . import filters, serializers


class APIMixin:
    """ETags for GETs (a 304 when If-None-Match matches), and JSON for errors whatever the format."""

    def use_json_for_errors(self, request):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type

    def finalize_response(self, request, response, *args, **kwargs):
        if request.method in ("GET", "HEAD") and response.status_code == 200 and response.data is not None:
            # The hash of the data as this client sees it, in this format: correct for every kind of
            # change (including what the user may see), and a 304 saves the partner the whole transfer.
            renderer = getattr(request, "accepted_renderer", None)
            body = json.dumps(response.data, cls=JSONEncoder, sort_keys=True).encode()
            digest = hashlib.sha256(body + f"|{getattr(renderer, 'format', '')}".encode()).hexdigest()[:32]
            etag = f'"{digest}"'
            if etag in _if_none_match(request):
                response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = etag
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        return response


def _if_none_match(request) -> set[str]:
    raw = request.headers.get("If-None-Match", "")
    # A weak comparison: GZipMiddleware turns our ETag into W/"…" on compressed responses.
    return {tag.strip().removeprefix("W/") for tag in raw.split(",") if tag.strip()}


class NaturalKeyMixin:
    """Detail by natural key (slug, ISO code, measure code); a number is also accepted as the id."""

    natural_key = "slug"
    lookup_url_kwarg = "key"
    lookup_value_regex = "[^/]+"

    def natural_value(self, value: str) -> str:
        return value

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg]
        condition = Q(**{self.natural_key: self.natural_value(value)})
        if value.isdigit():
            condition |= Q(pk=int(value))
        matches = list(self.filter_queryset(self.get_queryset()).filter(condition)[:2])
        natural = [obj for obj in matches if str(getattr(obj, self.natural_key)) == self.natural_value(value)]
        obj = (natural or matches or [None])[0]
        if obj is None:
            model = self.get_queryset().model._meta.verbose_name
            raise Http404(f"No {model} {value!r}.")
        self.check_object_permissions(self.request, obj)
        return obj


class InStrategyMixin:
    """Routes nested under /strategies/<strategy_slug>/: only that strategy's items, looked up by code
    or number; an unknown strategy is a 404."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL arguments
            return super().get_queryset().none()
        return super().get_queryset().filter(strategy__slug=self.kwargs["strategy_slug"])

    def list(self, request, *args, **kwargs):
        get_object_or_404(Strategy, slug=kwargs["strategy_slug"])
        return super().list(request, *args, **kwargs)


def _strategy_parameter():
    return OpenApiParameter(
        "strategy_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="Strategy slug."
    )


def _in_strategy_schema(plural: str, noun: str, lookup: str, openapi_type, description: str):
    """The schema of a list and detail nested under a strategy, the detail addressed by `lookup`."""
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural} of a strategy", parameters=[_strategy_parameter()]),
        retrieve=extend_schema(
            summary=f"One {noun}, by strategy and {lookup}",
            parameters=[
                _strategy_parameter(),
                OpenApiParameter(lookup, openapi_type, OpenApiParameter.PATH, description=description),
            ],
        ),
    )


# --- strategy content (read-only) ----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List strategies", description="Adopted strategies, with counts."),
    retrieve=extend_schema(
        summary="One strategy",
        parameters=[
            OpenApiParameter(
                "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Strategy slug (or id)."
            )
        ],
    ),
)
class StrategyViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.StrategySerializer
    filterset_class = filters.StrategyFilter
    search_fields = ["title", "short_name", "slug", "document_symbol"]

    def get_queryset(self):
        return Strategy.objects.with_counts().prefetch_related("range_states").order_by("title")


class _StrategyChildViewSet(APIMixin, viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return self.model.objects.select_related("strategy").order_by(*self.ordering)


@extend_schema_view(
    list=extend_schema(summary="List themes"), retrieve=extend_schema(summary="One theme, by id")
)
class ThemeViewSet(_StrategyChildViewSet):
    model, ordering = Theme, ("strategy__slug", "number")
    serializer_class = serializers.ThemeSerializer
    filterset_class = filters.ThemeFilter
    search_fields = ["title"]


@_in_strategy_schema("themes", "theme", "number", OpenApiTypes.INT, "Theme number.")
class StrategyThemeViewSet(InStrategyMixin, ThemeViewSet):
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="List objectives"), retrieve=extend_schema(summary="One objective, by id")
)
class ObjectiveViewSet(_StrategyChildViewSet):
    model, ordering = Objective, ("strategy__slug", "number")
    serializer_class = serializers.ObjectiveSerializer
    filterset_class = filters.ObjectiveFilter
    search_fields = ["text"]

    def get_queryset(self):
        return super().get_queryset().select_related("theme")


@_in_strategy_schema("objectives", "objective", "number", OpenApiTypes.INT, "Objective number.")
class StrategyObjectiveViewSet(InStrategyMixin, ObjectiveViewSet):
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="List results"), retrieve=extend_schema(summary="One result, by id")
)
class ResultViewSet(_StrategyChildViewSet):
    model, ordering = Result, ("strategy__slug", "sort_key")
    serializer_class = serializers.ResultSerializer
    filterset_class = filters.ResultFilter
    search_fields = ["code", "text"]

    def get_queryset(self):
        return super().get_queryset().select_related("objective")


@_in_strategy_schema("results", "result", "code", OpenApiTypes.STR, "Result code, e.g. 1.1.")
class StrategyResultViewSet(InStrategyMixin, ResultViewSet):
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    list=extend_schema(
        summary="List activities",
        description="Activities with their source texts, parsed timeline and cost, actors, CAMI POW "
        "measures and latest approved status per Range State.",
    ),
    retrieve=extend_schema(summary="One activity, by id"),
)
class ActivityViewSet(APIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ActivitySerializer
    filterset_class = filters.ActivityFilter
    search_fields = ["code", "text", "actors_text", "indicator"]

    def get_queryset(self):
        statuses = ActivityStateStatus.objects.select_related("range_state").order_by(
            F("range_state__name").asc(nulls_first=True)
        )
        return (
            Activity.objects.with_context()
            .prefetch_related(Prefetch("state_statuses", queryset=statuses))
            .order_by("strategy__slug", "sort_key")
        )


@_in_strategy_schema("activities", "activity", "code", OpenApiTypes.STR, "Activity code, e.g. 1.1.1.a.")
class StrategyActivityViewSet(InStrategyMixin, ActivityViewSet):
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    list=extend_schema(summary="List actors"),
    retrieve=extend_schema(
        summary="One actor",
        parameters=[
            OpenApiParameter(
                "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Actor slug (or id)."
            )
        ],
    ),
)
class ActorViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ActorSerializer
    filterset_class = filters.ActorFilter
    search_fields = ["name", "slug", "description"]

    def get_queryset(self):
        return Actor.objects.order_by("name")


@extend_schema_view(
    list=extend_schema(summary="List Range States"),
    retrieve=extend_schema(
        summary="One Range State",
        parameters=[
            OpenApiParameter(
                "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="ISO 3166-1 alpha-2 code (or id)."
            )
        ],
    ),
)
class RangeStateViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    natural_key = "iso_code"
    serializer_class = serializers.RangeStateSerializer
    filterset_class = filters.RangeStateFilter
    search_fields = ["name", "iso_code"]

    def natural_value(self, value):
        return value.upper()

    def get_queryset(self):
        return RangeState.objects.prefetch_related(
            Prefetch("strategies", queryset=Strategy.objects.order_by("slug"))
        ).order_by("name")


@extend_schema_view(
    list=extend_schema(summary="List CAMI Programme of Work measures"),
    retrieve=extend_schema(
        summary="One CAMI Programme of Work measure",
        parameters=[
            OpenApiParameter(
                "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Measure code, e.g. 4.7 (or id)."
            )
        ],
    ),
)
class WorkProgrammeMeasureViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    natural_key = "code"
    serializer_class = serializers.WorkProgrammeMeasureSerializer
    filterset_class = filters.WorkProgrammeMeasureFilter
    search_fields = ["code", "title"]

    def get_queryset(self):
        return WorkProgrammeMeasure.objects.order_by("sort_key")


# --- progress (read and write) -------------------------------------------------------------------

ENTRY = serializers.ProgressEntrySerializer


@extend_schema_view(
    list=extend_schema(
        summary="List progress entries",
        description="Anonymous clients and partners see approved entries only, without restricted details "
        "or restricted evidence; focal points, delegates and the Secretariat see what the permission rules "
        "let them.",
    ),
    retrieve=extend_schema(summary="One progress entry"),
    create=extend_schema(
        summary="Record progress (as a draft)",
        request=serializers.ProgressEntryCreateSerializer,
        responses={201: ENTRY},
    ),
    partial_update=extend_schema(
        summary="Change a progress entry",
        request=serializers.ProgressEntryUpdateSerializer,
        responses={200: ENTRY},
    ),
)
class ProgressEntryViewSet(
    APIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ENTRY
    filterset_class = filters.ProgressEntryFilter
    search_fields = ["narrative", "source", "activity__code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        entries = ProgressEntry.objects.select_related(
            "activity__strategy", "activity__result", "range_state"
        ).prefetch_related("evidence")
        return permissions.visible_entries(self.request.user, entries).order_by("-id")

    def _respond(self, entry, status_code=status.HTTP_200_OK):
        entry = self.get_queryset().get(pk=entry.pk)
        data = ENTRY(entry, context=self.get_serializer_context()).data
        headers = {"Location": data["url"]} if status_code == status.HTTP_201_CREATED else {}
        return Response(data, status=status_code, headers=headers)

    def create(self, request, *args, **kwargs):
        serializer = serializers.ProgressEntryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.progress_entry_create(user=request.user, **serializer.validated_data)
        return self._respond(entry, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        serializer = serializers.ProgressEntryUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version, reason = changes.pop("version"), changes.pop("reason")
        entry = services.progress_entry_update(
            user=request.user, entry=entry, expected_version=version, reason=reason, **changes
        )
        return self._respond(entry)

    @extend_schema(summary="Submit an entry for review", request=None, responses={200: ENTRY})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        entry = services.progress_entry_submit(user=request.user, entry=self.get_object())
        return self._respond(entry)

    @extend_schema(summary="Approve a submitted entry (Secretariat)", request=None, responses={200: ENTRY})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        entry = services.progress_entry_approve(user=request.user, entry=self.get_object())
        return self._respond(entry)

    @extend_schema(
        summary="Return a submitted entry with a comment (Secretariat)",
        request=serializers.ProgressEntryReturnSerializer,
        responses={200: ENTRY},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_entry(self, request, pk=None):
        serializer = serializers.ProgressEntryReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.progress_entry_return(
            user=request.user, entry=self.get_object(), comment=serializer.validated_data["comment"]
        )
        return self._respond(entry)
