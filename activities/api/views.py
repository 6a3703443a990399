"""REST API v1 viewsets. Reads shape their queries in get_queryset() with queryset methods (a fixed
number of SQL queries per request, whatever the number of rows); writes go through activities.services,
which ask activities.permissions. Errors take the one shape of exceptions.py."""

import hashlib
import json
from collections import defaultdict

from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from activities import changes, permissions, services
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
from activities.validators import MAX_ID
from exports import services as exports

from . import filters, serializers, streaming


class APIMixin:
    """ETags for GETs (a 304 when If-None-Match matches), and JSON for errors whatever the format.
    A numeric lookup beyond the databases' 64-bit range is a 404, never an OverflowError."""

    def get_object(self):
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if value.isdigit() and int(value) > MAX_ID and not isinstance(self, NaturalKeyMixin):
            raise Http404(f"No item {value!r}.")
        return super().get_object()

    def use_json_for_errors(self, request):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type

    def perform_content_negotiation(self, request, force=False):
        # An unknown ?format= is a 400 naming the parameter (DRF answers 404, which the schema cannot say).
        try:
            return super().perform_content_negotiation(request, force)
        except (NotFound, Http404) as exc:
            if force or not request.query_params.get("format"):
                raise
            raise ValidationError(
                {"format": [f"Unknown format {request.query_params['format']!r}: use json, csv or xlsx."]},
                code="invalid_choice",
            ) from exc

    # Lists whose answers have a change marker (activities.changes): their ETag is known before any work,
    # so a client whose copy is current gets a 304 for the marker's query (streamed CSV included).
    change_resource = None

    def not_modified(self, request):
        """A 304 when the client's copy of this list is current, else None (and the ETag is kept for
        the answer)."""
        if self.change_resource is None or request.method not in ("GET", "HEAD"):
            return None
        if getattr(self, "_etag", None) is None:  # asked again by a subclass's list(): read once
            renderer = getattr(request, "accepted_renderer", None)
            query = sorted(request.query_params.lists())
            self._etag = changes.etag(
                resource=self.change_resource,
                scope=permissions.view_scope(request.user),
                request_key=f"{request.path}|{query}|{getattr(renderer, 'format', '')}",
            )
        if self._etag in _if_none_match(request):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        return None

    def list(self, request, *args, **kwargs):
        if (response := self.not_modified(request)) is not None:
            return response
        return super().list(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        data = getattr(response, "data", None)
        if (etag := getattr(self, "_etag", None)) and response.status_code in (200, 304):
            response["ETag"] = etag
            patch_vary_headers(response, ["Cookie", "Accept-Language"])
        elif request.method in ("GET", "HEAD") and response.status_code == 200 and data is not None:
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
        if value.isdigit() and int(value) <= MAX_ID:
            condition |= Q(pk=int(value))
        matches = list(self.filter_queryset(self.get_queryset()).filter(condition)[:2])
        natural = [obj for obj in matches if str(getattr(obj, self.natural_key)) == self.natural_value(value)]
        obj = (natural or matches or [None])[0]
        if obj is None:
            model = self.get_queryset().model._meta.verbose_name
            # Translators: an API error, e.g. "No range state 'XX'." (the model's verbose name, then the key asked for).
            raise Http404(gettext("No %(model)s %(key)s.") % {"model": model, "key": repr(value)})
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
        "strategy_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("Strategy slug.")
    )


def _in_strategy_schema(list_summary, retrieve_summary, lookup: str, openapi_type, description):
    """The schema of a list and detail nested under a strategy, the detail addressed by `lookup`. The
    summaries are whole (lazily translated) sentences."""
    return extend_schema_view(
        list=extend_schema(summary=list_summary, parameters=[_strategy_parameter()]),
        retrieve=extend_schema(
            summary=retrieve_summary,
            parameters=[
                _strategy_parameter(),
                OpenApiParameter(lookup, openapi_type, OpenApiParameter.PATH, description=description),
            ],
        ),
    )


def _by_key_schema(list_summary, retrieve_summary, key, **list_options):
    """The schema of a top-level list and its detail, addressed by natural key (or id)."""
    return extend_schema_view(
        list=extend_schema(summary=list_summary, **list_options),
        retrieve=extend_schema(
            summary=retrieve_summary,
            parameters=[OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description=key)],
        ),
    )


# --- strategy content (read-only) ----------------------------------------------------------------


@_by_key_schema(
    _("List strategies"),
    _("One strategy"),
    _("Strategy slug (or id)."),
    description=_("Adopted strategies, with counts."),
)
class StrategyViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    change_resource = "strategies"
    serializer_class = serializers.StrategySerializer
    filterset_class = filters.StrategyFilter
    search_fields = ["title", "short_name", "slug", "document_symbol"]

    def get_queryset(self):
        return Strategy.objects.with_counts().prefetch_related("range_states").order_by("title")


class _StrategyChildViewSet(APIMixin, viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return self.model.objects.select_related("strategy").order_by(*self.ordering)


@extend_schema_view(
    list=extend_schema(summary=_("List themes")), retrieve=extend_schema(summary=_("One theme, by id"))
)
class ThemeViewSet(_StrategyChildViewSet):
    model, ordering = Theme, ("strategy__slug", "number")
    serializer_class = serializers.ThemeSerializer
    filterset_class = filters.ThemeFilter
    search_fields = ["title"]


@_in_strategy_schema(
    _("List themes of a strategy"),
    _("One theme, by strategy and number"),
    "number",
    OpenApiTypes.INT,
    _("Theme number."),
)
class StrategyThemeViewSet(InStrategyMixin, ThemeViewSet):
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary=_("List objectives")),
    retrieve=extend_schema(summary=_("One objective, by id")),
)
class ObjectiveViewSet(_StrategyChildViewSet):
    model, ordering = Objective, ("strategy__slug", "number")
    serializer_class = serializers.ObjectiveSerializer
    filterset_class = filters.ObjectiveFilter
    search_fields = ["text"]

    def get_queryset(self):
        return super().get_queryset().select_related("theme")


@_in_strategy_schema(
    _("List objectives of a strategy"),
    _("One objective, by strategy and number"),
    "number",
    OpenApiTypes.INT,
    _("Objective number."),
)
class StrategyObjectiveViewSet(InStrategyMixin, ObjectiveViewSet):
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary=_("List results")), retrieve=extend_schema(summary=_("One result, by id"))
)
class ResultViewSet(_StrategyChildViewSet):
    model, ordering = Result, ("strategy__slug", "sort_key")
    serializer_class = serializers.ResultSerializer
    filterset_class = filters.ResultFilter
    search_fields = ["code", "text"]

    def get_queryset(self):
        return super().get_queryset().select_related("objective")


@_in_strategy_schema(
    _("List results of a strategy"),
    _("One result, by strategy and code"),
    "code",
    OpenApiTypes.STR,
    _("Result code, e.g. 1.1."),
)
class StrategyResultViewSet(InStrategyMixin, ResultViewSet):
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    list=extend_schema(
        summary=_("List activities"),
        description=_(
            "Activities with their source texts, parsed timeline and cost, actors, CAMI POW "
            "measures and latest approved status per Range State."
        ),
    ),
    retrieve=extend_schema(summary=_("One activity, by id")),
)
class ActivityViewSet(APIMixin, viewsets.ReadOnlyModelViewSet):
    change_resource = "activities"
    serializer_class = serializers.ActivitySerializer
    filterset_class = filters.ActivityFilter
    search_fields = ["code", "text", "actors_text", "indicator"]

    def get_queryset(self):
        return Activity.objects.with_context().order_by("strategy__slug", "sort_key")

    def get_serializer(self, *args, **kwargs):
        """The serializer, with each activity's latest statuses attached (status_rows): read as rows by
        one query rather than prefetched as model instances — a page of 100 activities has up to 2,100,
        each with its Range State, and building them was most of the list's time."""
        if args:
            activities = list(args[0]) if kwargs.get("many") else [args[0]]
            attach_status_rows(activities)
            args = (activities if kwargs.get("many") else args[0], *args[1:])
        return super().get_serializer(*args, **kwargs)


STATUS_ROW_FIELDS = ("range_state", "range_state_name", "status", "reporting_date", "approved_at", "entry")


def attach_status_rows(activities) -> None:
    """Set `status_rows` on each activity: its ActivityStateStatus rows as dictionaries (the fields of
    ActivityStatusSerializer), range-wide first, then by Range State name. One query."""
    rows = defaultdict(list)
    statuses = (
        ActivityStateStatus.objects.filter(activity__in=[a.pk for a in activities])
        .order_by(F("range_state__name").asc(nulls_first=True), "pk")
        .values_list(
            "activity_id",
            "range_state__iso_code",
            "range_state__name",
            "status",
            "reporting_date",
            "approved_at",
            "entry_id",
        )
    )
    for activity_id, *values in statuses:
        rows[activity_id].append(dict(zip(STATUS_ROW_FIELDS, values, strict=True)))
    for activity in activities:
        activity.status_rows = rows[activity.pk]


@_in_strategy_schema(
    _("List activities of a strategy"),
    _("One activity, by strategy and code"),
    "code",
    OpenApiTypes.STR,
    _("Activity code, e.g. 1.1.1.a."),
)
class StrategyActivityViewSet(InStrategyMixin, ActivityViewSet):
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


@_by_key_schema(_("List actors"), _("One actor"), _("Actor slug (or id)."))
class ActorViewSet(APIMixin, NaturalKeyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ActorSerializer
    filterset_class = filters.ActorFilter
    search_fields = ["name", "slug", "description"]

    def get_queryset(self):
        return Actor.objects.order_by("name")


@_by_key_schema(_("List Range States"), _("One Range State"), _("ISO 3166-1 alpha-2 code (or id)."))
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


@_by_key_schema(
    _("List CAMI Programme of Work measures"),
    _("One CAMI Programme of Work measure"),
    _("Measure code, e.g. 4.7 (or id)."),
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
        summary=_("List progress entries"),
        description=_(
            "Anonymous clients and partners see approved entries only, without restricted details "
            "or restricted evidence; focal points, delegates and the Secretariat see what the permission "
            "rules let them."
        ),
    ),
    retrieve=extend_schema(summary=_("One progress entry")),
    create=extend_schema(
        summary=_("Record progress (as a draft)"),
        request=serializers.ProgressEntryCreateSerializer,
        responses={201: ENTRY},
    ),
    partial_update=extend_schema(
        summary=_("Change a progress entry"),
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

    change_resource = "progress"

    def get_throttles(self):
        # A worker making a signed-in person's export (exports.services.replay) was throttled when asked.
        return [] if exports.is_replay(self.request) else super().get_throttles()

    def list(self, request, *args, **kwargs):
        fmt = getattr(request.accepted_renderer, "format", None)
        if fmt == "xlsx" and exports.runs_in_background(request):
            return self._export_in_background(request)
        if (response := self.not_modified(request)) is not None:
            return response
        if fmt != "csv":
            response = super().list(request, *args, **kwargs)
            if exports.is_replay(request):
                response.export_rows = len(self.paginator.page.object_list)
            return response
        # Up to 10,000 rows: streamed from values(), no serializer or URL reversed per row (streaming.py)
        page = self.paginator.paginate_lazily(self.filter_queryset(self.get_queryset()), request, self)
        response = streaming.progress_csv_response(
            request=request, queryset=page, filename=f"{self.basename}.csv"
        )
        if link := self.paginator.next_link_header():
            response["Link"] = link
        return response

    def _export_in_background(self, request):
        """The progress list's XLSX, for a signed-in person, is made by the worker (exports): its filters
        and page are checked now (a 400 or 404, and no job, for bad ones), then the person is sent to
        "Your exports"."""
        self.paginator.paginate_lazily(self.filter_queryset(self.get_queryset()), request, self)
        known = {*self.filterset_class.base_filters, "search", "ordering", "page", "page_size"}
        params = {
            key: request.query_params.getlist(key) for key in sorted(known) if key in request.query_params
        }
        return exports.export_job_queue(
            request._request,
            kind="progress",
            title=gettext("Progress entries"),
            params=params | {"format": ["xlsx"]},
        )

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

    @extend_schema(summary=_("Submit an entry for review"), request=None, responses={200: ENTRY})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        entry = services.progress_entry_submit(user=request.user, entry=self.get_object())
        return self._respond(entry)

    @extend_schema(summary=_("Approve a submitted entry (Secretariat)"), request=None, responses={200: ENTRY})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        entry = services.progress_entry_approve(user=request.user, entry=self.get_object())
        return self._respond(entry)

    @extend_schema(
        summary=_("Return a submitted entry with a comment (Secretariat)"),
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
