"""The Range State map's data as JSON (GET /api/v1/strategies/<slug>/range-map/): the figures per state
that the map on the dashboard draws, not the shapes, so that partners can draw their own. Public and
read-only like the report pages: approved progress only, counts only (no entry, narrative, evidence or
restricted detail is ever read). It lives in reporting, which may import activities' API, not the reverse."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from activities.api.views import APIMixin
from activities.models import Strategy
from reporting.maps import DISCLAIMER, legend_classes, map_class

from .reports.core import COMPLETION_RULE, Scope
from .reports.ranges import range_state_counts


class RangeMapQuerySerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        help_text=_("Statuses as of this date (YYYY-MM-DD); default: today's latest approved."),
    )


class RangeMapClassSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The class's key: c75, c50, c25, c0, nm or none."))
    label = serializers.CharField(help_text=_("What the class means, as the map's legend says it."))


class RangeMapStateSerializer(serializers.Serializer):
    iso_code = serializers.CharField(help_text=_("ISO 3166-1 alpha-2 code."))
    name = serializers.CharField(help_text=_("The Range State's name in the language asked for."))
    cells = serializers.IntegerField(help_text=_("Activity cells: one per activity of the strategy."))
    completed = serializers.IntegerField(help_text=_("Cells whose latest approved status is completed."))
    in_progress = serializers.IntegerField(help_text=_("Cells whose latest approved status is in progress."))
    delayed = serializers.IntegerField(help_text=_("Delayed / at risk."))
    other = serializers.IntegerField(help_text=_("Reported not started, cancelled or not applicable."))
    not_reported = serializers.IntegerField(help_text=_("Cells without an approved status."))
    completed_share = serializers.FloatField(
        allow_null=True, help_text=_("Completed ÷ cells not reported “not applicable” (0–1); null: none.")
    )
    map_class = serializers.CharField(help_text=_("The class the map draws the state with (see classes)."))
    metapopulations = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("The numbers of the metapopulations the state is in.")
    )
    national_report = serializers.CharField(help_text=_("The address of its national report page."))


class RangeMapGroupSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("The metapopulation's number, as in the strategy."))
    name = serializers.CharField(help_text=_("The metapopulation's name."))
    iso_codes = serializers.ListField(
        child=serializers.CharField(), help_text=_("ISO codes of the Range States it spans.")
    )


class RangeMapSerializer(serializers.Serializer):
    strategy = serializers.CharField(help_text=_("Strategy slug."))
    as_of = serializers.DateField(allow_null=True, help_text=_("null: today's latest approved statuses."))
    reporting_round = serializers.CharField(allow_null=True, help_text=_("The round the links open."))
    completion_rule = serializers.CharField(help_text=_("How the completed share is counted."))
    disclaimer = serializers.CharField(help_text=_("The disclaimer every map of boundaries carries."))
    classes = RangeMapClassSerializer(many=True, help_text=_("The map's classes, in the legend's order."))
    metapopulations = RangeMapGroupSerializer(many=True, help_text=_("The groupings the map can outline."))
    states = RangeMapStateSerializer(many=True, help_text=_("Each Range State of the strategy, by name."))


class StrategyRangeMapView(APIMixin, GenericAPIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]  # one object, not a table: no CSV/XLSX
    serializer_class = RangeMapSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary=_("The Range State map's figures"),
        description=_(
            "Per Range State of the strategy, its activity cells by status (approved progress only, the "
            "cell rule of every report) and the class the map colours it with; the metapopulations the map "
            "can outline. The figures only: no shapes, no entries, no restricted details."
        ),
        parameters=[
            OpenApiParameter(
                "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("Strategy slug.")
            ),
            RangeMapQuerySerializer,
        ],
        responses={200: RangeMapSerializer},
    )
    def get(self, request, slug):
        query = RangeMapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        strategy = get_object_or_404(Strategy, slug=slug)
        as_of = query.validated_data.get("date")
        range_map = range_state_counts(Scope(strategy=strategy, as_of=as_of))
        figures = range_map.figures
        groups_of = {}
        for group in range_map.groups:
            for iso in group.iso_codes:
                groups_of.setdefault(iso, []).append(group.number)
        states = [
            {
                "iso_code": f.iso_code,
                "name": f.name,
                "cells": f.total,
                "completed": f.completed,
                "in_progress": f.in_progress,
                "delayed": f.delayed,
                "other": f.other,
                "not_reported": f.not_reported,
                "completed_share": f.share_completed,
                "map_class": map_class(f).key,
                "metapopulations": sorted(groups_of.get(f.iso_code, [])),
                "national_report": request.build_absolute_uri(f.url),
            }
            for f in figures
        ]
        data = {
            "strategy": strategy.slug,
            "as_of": as_of,
            "reporting_round": range_map.reporting_round.name if range_map.reporting_round else None,
            "completion_rule": str(COMPLETION_RULE),
            "disclaimer": str(DISCLAIMER),
            "classes": [{"key": c.key, "label": str(c.label)} for c in legend_classes(figures)],
            "metapopulations": [
                {"number": g.number, "name": g.name, "iso_codes": sorted(g.iso_codes)}
                for g in range_map.groups
            ],
            "states": states,
        }
        return Response(RangeMapSerializer(data).data)
