"""National reports in the API (read-only): /api/v1/national-reports/ and /api/v1/national-reports/<id>/.

Who reads what (activities.permissions): everyone, signed in or not, partners' tokens too, reads each
report's round, Range State, status, dates and completeness (x of y activities reported: the round's
reporting rate, selectors.reporting_rates, the one count). Its cover, sections, the Secretariat's return
comments and its private discussion are only for the Secretariat and the state's own focal points
(permissions.decide(REPORT_CONTENT)); for everyone else those fields are left out, not emptied."""

import django_filters as df
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from activities import permissions
from activities.models import NationalReport, ReportComment, ReportingRound
from activities.models.national import EDITABLE_FIELDS
from activities.permissions import Action
from activities.selectors import reporting_rates

from .filters import range_state_filter, strategy_filter, updated_since_filter
from .serializers import DescribedMixin, DetailURLField
from .views import APIMixin

CONTENT_FIELDS = [*EDITABLE_FIELDS, "return_comments", "comments"]


class CompletenessSerializer(serializers.Serializer):
    reported = serializers.IntegerField(
        help_text=_("Activities the round asks about with an approved entry of the state filed in the round.")
    )
    due = serializers.IntegerField(help_text=_("Activities the round asks about."))
    awaiting_review = serializers.IntegerField(
        source="awaiting", help_text=_("Activities whose entry of the round awaits the Secretariat's review.")
    )


class ReportCommentSerializer(DescribedMixin, serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", help_text=_("Who wrote it (user name)."))
    activity = serializers.CharField(
        source="entry.activity.code",
        allow_null=True,
        default=None,
        help_text=_("The activity code of the entry it is about; null when it is about a section."),
    )

    class Meta:
        model = ReportComment
        fields = ["id", "section", "activity", "author", "text", "created_at"]


class NationalReportSerializer(DescribedMixin, serializers.ModelSerializer):
    """A national report as the requesting user may read it (see the module's docstring)."""

    url = DetailURLField("api:national-report-detail", "pk")
    strategy = serializers.CharField(source="reporting_round.strategy.slug", help_text=_("Strategy slug."))
    reporting_round = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("Reporting round id."))
    reporting_round_name = serializers.CharField(source="reporting_round.name", help_text=_("Its name."))
    deadline = serializers.DateField(source="reporting_round.deadline", help_text=_("The round's deadline."))
    range_state = serializers.SlugRelatedField(slug_field="iso_code", read_only=True)
    completeness = serializers.SerializerMethodField(
        help_text=_("How many of the activities the round asks about the state has reported (approved).")
    )
    return_comments = serializers.JSONField(
        read_only=True,
        help_text=_(
            "The Secretariat's comment per section when it last returned the report (section → text)."
        ),
    )
    comments = ReportCommentSerializer(
        many=True, read_only=True, help_text=_("The report's private discussion, oldest first.")
    )

    class Meta:
        model = NationalReport
        fields = [
            "id",
            "url",
            "strategy",
            "reporting_round",
            "reporting_round_name",
            "deadline",
            "range_state",
            "status",
            "submitted_at",
            "first_submitted_at",
            "reviewed_at",
            "created_at",
            "updated_at",
            "completeness",
            *CONTENT_FIELDS,
        ]
        # only for the Secretariat and the state's focal points: not required (api/schema.py)
        omitted_for_some_readers = CONTENT_FIELDS

    @extend_schema_field(CompletenessSerializer)
    def get_completeness(self, report) -> dict:
        rate = self.context["rates"][(report.reporting_round_id, report.range_state_id)]
        return CompletenessSerializer(rate).data

    def to_representation(self, report):
        user = getattr(self.context.get("request"), "user", None)
        if permissions.allowed(user, Action.REPORT_CONTENT, report):
            return super().to_representation(report)
        # The texts and the discussion are not even read for anyone else (DRF's own loop, without them).
        data = {}
        for field in self._readable_fields:
            if field.field_name in CONTENT_FIELDS:
                continue
            attribute = field.get_attribute(report)
            data[field.field_name] = None if attribute is None else field.to_representation(attribute)
        return data


class NationalReportFilter(df.FilterSet):
    strategy = strategy_filter("reporting_round__strategy")
    reporting_round = df.ModelChoiceFilter(
        field_name="reporting_round",
        queryset=ReportingRound.objects.all(),
        help_text=_("Reporting round id. Unknown ids are a 400 error."),
    )
    range_state = range_state_filter("range_state", _("Reports of a Range State (ISO code)."))
    status = df.ChoiceFilter(choices=NationalReport.Status.choices, help_text=_("The report's status."))
    updated_since = updated_since_filter()

    class Meta:
        model = NationalReport
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary=_("List national reports"),
        description=_(
            "Each Range State's national report per reporting round: status, dates and completeness for "
            "everyone; the cover, sections, return comments and private discussion only for the "
            "Secretariat and the state's own focal points."
        ),
    ),
    retrieve=extend_schema(summary=_("One national report")),
)
class NationalReportViewSet(APIMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = NationalReportSerializer
    filterset_class = NationalReportFilter
    search_fields = ["range_state__name", "reporting_round__name"]

    def get_queryset(self):
        queryset = NationalReport.objects.select_related("reporting_round__strategy", "range_state").order_by(
            "-reporting_round__deadline", "reporting_round_id", "range_state__name", "pk"
        )
        user = self.request.user
        if permissions.is_secretariat(user) or permissions.focal_state_ids(user):
            # the discussion, for the readers who may read some report's (one query per page)
            comments = ReportComment.objects.select_related("author", "entry__activity").order_by(
                "created_at", "pk"
            )
            queryset = queryset.prefetch_related(Prefetch("comments", queryset=comments))
        return queryset

    def get_serializer(self, *args, **kwargs):
        if args:
            reports = args[0] if isinstance(args[0], list | tuple) else [args[0]]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["rates"] = _rates(reports)
        return super().get_serializer(*args, **kwargs)


def _rates(reports) -> dict:
    """The completeness of each report of a page: reporting_rates, two queries for the whole page."""
    reports = list(reports)
    if not reports:
        return {}
    states = list({report.range_state_id: report.range_state for report in reports}.values())
    rounds = ReportingRound.objects.filter(pk__in={report.reporting_round_id for report in reports})
    return {(rate.reporting_round.pk, rate.range_state.pk): rate for rate in reporting_rates(rounds, states)}
