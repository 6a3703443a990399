"""Serializers of the REST API v1. Every field carries a description for the OpenAPI schema: the
model's help_text where it has one, otherwise the text in HELP below.

Read serializers expose natural keys (strategy slug, activity and result codes, Range State ISO codes)
beside ids. Write serializers only check the shape of input; the services do the writing and the
permission checks (activities.services, activities.permissions)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities import permissions
from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    Evidence,
    Objective,
    ProgressEntry,
    RangeState,
    ReportingRound,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from activities.permissions import Action
from activities.services import EDITABLE_FIELDS

HELP = {
    "id": "Database id (stable, but prefer the natural key).",
    "url": "This item's API address, by natural key.",
    "slug": "Stable natural key used in URLs.",
    "title": "Title as in the source.",
    "short_name": "Short name.",
    "period_start": "First year of the strategy's period.",
    "period_end": "Last year of the strategy's period.",
    "vision": "The strategy's vision, as in the source.",
    "goal": "The strategy's goal, as in the source.",
    "number": "Number as in the source (gaps included).",
    "text": "Text as in the source.",
    "code": "Code as in the source.",
    "name": "Name.",
    "category": "Kind of actor.",
    "description": "Description.",
    "iso_code": "ISO 3166-1 alpha-2 code.",
    "strategy": "Strategy slug.",
    "theme": "Theme number; null where the source does not say.",
    "objective": "Objective number.",
    "result": "Result code, e.g. 1.1.",
    "activity": "Activity code, e.g. 1.1.1.a.",
    "activity_id": "Activity id.",
    "range_state": "Range State ISO code; null for range-wide.",
    "range_state_name": "Range State name; null for range-wide.",
    "indicator": "Indicator as in the source.",
    "timeline": "Timeline, source text (e.g. '2024-2027', 'Every three years').",
    "timeline_kind": "How the timeline was read.",
    "start_year": "First year of the timeline, if it gives one.",
    "due_year": "Year the activity is due (end of the timeline), if it gives one.",
    "recurrence": "For recurring activities: the interval in years, if the source gives one.",
    "cost_kind": "How the cost was read.",
    "actors": "Names of the normalised actors the Actor cell names.",
    "actors_text": "Actor cell, source text.",
    "cami_pow": "Codes of the CAMI Programme of Work measures the activity implements (ranges expanded).",
    "cami_pow_text": "CAMI POW cell, source text.",
    "priority": "1 low, 2 medium, 3 high; null where the source gives none.",
    "statuses": "Latest approved status per Range State (and range-wide), one item per state reported on.",
    "status": "Reported status.",
    "reporting_date": "The date the reported status refers to.",
    "approved_at": "When the entry giving this status was approved.",
    "entry": "Id of the approved progress entry giving this status.",
    "narrative": "What was done, by whom, and what is still missing.",
    "review_state": "Workflow state: draft, submitted, returned or approved.",
    "submitted_at": "When it was last submitted for review.",
    "reviewed_at": "When it was last approved or returned.",
    "version": "Increases with every change; send it back with PATCH (optimistic locking).",
    "created_at": "When it was created.",
    "updated_at": "When it last changed.",
    "evidence": "Supporting links and files (restricted ones only for users allowed to see them).",
    "restricted_details": "Sensitive details: present only for the Secretariat and the Range State's "
    "focal points and delegates; never for anonymous clients or partners.",
    "range_states": "ISO codes of the Range States.",
    "strategies": "Slugs of the strategies the Range State implements.",
    "objective_count": "Objectives recorded.",
    "result_count": "Results recorded.",
    "activity_count": "Activities recorded.",
    "adopted_at": "Name of the meeting that adopted, endorsed or revised the strategy.",
    "activities_url": "API address of the strategy's activities.",
    "reporting_round": "Reporting round id, if any.",
    "amount_spent_usd": "Amount spent, in USD.",
    "review_comment": "The reviewer's comment when returning an entry.",
    "source": "Source of the information.",
    "confidence": "How well the reported status is supported.",
    "kind": "link or file.",
    "content_type": "MIME type of an uploaded file.",
    "size": "File size in bytes.",
    "restricted": "Sensitive evidence: only shown to users allowed to see restricted details.",
}


class DescribedMixin:
    """Give every field a description: the model's help_text, else HELP, else the verbose name."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not field.help_text:
                field.help_text = HELP.get(name) or (field.label and f"{field.label}.") or name
        return fields


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class StrategySerializer(DescribedMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    adopted_at = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    range_states = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)
    objective_count = serializers.IntegerField(read_only=True)
    result_count = serializers.IntegerField(read_only=True)
    activity_count = serializers.IntegerField(read_only=True)
    activities_url = serializers.SerializerMethodField()

    class Meta:
        model = Strategy
        fields = [
            "id",
            "url",
            "slug",
            "title",
            "short_name",
            "period_start",
            "period_end",
            "version",
            "vision",
            "goal",
            "document_symbol",
            "adopted_at",
            "adoption_note",
            "range_states",
            "objective_count",
            "result_count",
            "activity_count",
            "declared_result_count",
            "declared_activity_count",
            "source_note",
            "activities_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("api:strategy-detail", args=[obj.slug]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_activities_url(self, obj) -> str:
        path = reverse("api:strategy-activity-list", kwargs={"strategy_slug": obj.slug})
        return _absolute(self.context.get("request"), path)


class ThemeSerializer(DescribedMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "url", "strategy", "number", "title"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("api:strategy-theme-detail", args=[obj.strategy.slug, obj.number])
        return _absolute(self.context.get("request"), path)


class ObjectiveSerializer(DescribedMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    theme = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = Objective
        fields = ["id", "url", "strategy", "theme", "number", "text"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("api:strategy-objective-detail", args=[obj.strategy.slug, obj.number])
        return _absolute(self.context.get("request"), path)


class ResultSerializer(DescribedMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    objective = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Result
        fields = ["id", "url", "strategy", "objective", "code", "text"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("api:strategy-result-detail", args=[obj.strategy.slug, obj.code])
        return _absolute(self.context.get("request"), path)


class ActorSerializer(DescribedMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Actor
        fields = ["id", "url", "slug", "name", "category", "description"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("api:actor-detail", args=[obj.slug]))


class RangeStateSerializer(DescribedMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    strategies = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = RangeState
        fields = ["id", "url", "iso_code", "name", "strategies"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("api:range-state-detail", args=[obj.iso_code]))


class WorkProgrammeMeasureSerializer(DescribedMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = WorkProgrammeMeasure
        fields = ["id", "url", "code", "title"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("api:work-programme-measure-detail", args=[obj.code])
        return _absolute(self.context.get("request"), path)


class ActivityStatusSerializer(DescribedMixin, serializers.ModelSerializer):
    range_state = serializers.SlugRelatedField(slug_field="iso_code", read_only=True, allow_null=True)
    range_state_name = serializers.SlugRelatedField(
        source="range_state", slug_field="name", read_only=True, allow_null=True
    )

    class Meta:
        model = ActivityStateStatus
        fields = ["range_state", "range_state_name", "status", "reporting_date", "approved_at", "entry"]


class ActivitySerializer(DescribedMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    theme = serializers.SerializerMethodField()
    objective = serializers.IntegerField(source="result.objective.number", read_only=True)
    result = serializers.CharField(source="result.code", read_only=True)
    actors = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    timeline = serializers.CharField(source="timeline_text", read_only=True)
    recurrence = serializers.IntegerField(source="recurrence_years", read_only=True, allow_null=True)
    cami_pow = serializers.SlugRelatedField(
        source="cami_pow_measures", slug_field="code", many=True, read_only=True
    )
    statuses = ActivityStatusSerializer(source="state_statuses", many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "url",
            "code",
            "text",
            "strategy",
            "theme",
            "objective",
            "result",
            "actors",
            "actors_text",
            "actors_continued",
            "indicator",
            "timeline",
            "timeline_kind",
            "start_year",
            "due_year",
            "recurrence",
            "cost_text",
            "cost_kind",
            "cost_usd",
            "cost_per_country",
            "cami_pow",
            "cami_pow_text",
            "priority",
            "source_note",
            "statuses",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("api:strategy-activity-detail", args=[obj.strategy.slug, obj.code])
        return _absolute(self.context.get("request"), path)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_theme(self, obj) -> int | None:
        theme = obj.result.objective.theme
        return theme.number if theme else None


class EvidenceSerializer(DescribedMixin, serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "kind", "title", "url", "content_type", "size", "restricted", "created_at"]

    @extend_schema_field(serializers.ChoiceField(choices=["link", "file"]))
    def get_kind(self, obj) -> str:
        return "file" if obj.is_file else "link"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        if obj.is_file:
            # Files are served only through the permission-checked download view, never from MEDIA_URL.
            path = reverse("activities:evidence-download", args=[obj.pk])
            return _absolute(self.context.get("request"), path)
        return obj.url


class ProgressEntrySerializer(DescribedMixin, serializers.ModelSerializer):
    """A progress entry as the requesting user may see it: restricted details and restricted evidence
    only when permissions.allowed(user, VIEW_RESTRICTED, entry)."""

    url = serializers.SerializerMethodField()
    strategy = serializers.CharField(source="activity.strategy.slug", read_only=True)
    activity = serializers.CharField(source="activity.code", read_only=True)
    activity_id = serializers.IntegerField(read_only=True)
    range_state = serializers.SlugRelatedField(slug_field="iso_code", read_only=True, allow_null=True)
    reporting_round = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    evidence = serializers.SerializerMethodField()
    restricted_details = serializers.CharField(read_only=True, required=False)

    class Meta:
        model = ProgressEntry
        fields = [
            "id",
            "url",
            "strategy",
            "activity",
            "activity_id",
            "range_state",
            "reporting_round",
            "reporting_date",
            "status",
            "narrative",
            "source",
            "confidence",
            "amount_spent_usd",
            "review_state",
            "review_comment",
            "submitted_at",
            "reviewed_at",
            "version",
            "created_at",
            "updated_at",
            "evidence",
            "restricted_details",
        ]

    def _may_see_restricted(self, entry) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return permissions.allowed(user, Action.VIEW_RESTRICTED, entry)

    def to_representation(self, instance):
        self._restricted_ok = self._may_see_restricted(instance)
        data = super().to_representation(instance)
        if not self._restricted_ok:
            data.pop("restricted_details", None)
        return data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("api:progress-detail", args=[obj.pk]))

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, obj) -> list:
        items = [e for e in obj.evidence.all() if self._restricted_ok or not e.restricted]
        return EvidenceSerializer(items, many=True, context=self.context).data


# --- input ---------------------------------------------------------------------------------------


class ProgressEntryCreateSerializer(DescribedMixin, serializers.Serializer):
    """A new progress entry (saved as a draft). The activity is named by strategy slug and code."""

    strategy = serializers.SlugField(help_text="Strategy slug, e.g. persian-leopard-2023-2032.")
    activity = serializers.CharField(
        max_length=20, help_text="Activity code within the strategy, e.g. 1.1.1.a."
    )
    range_state = serializers.CharField(
        max_length=2,
        allow_null=True,
        help_text="Range State ISO code, e.g. AM; null for range-wide progress.",
    )
    reporting_date = serializers.DateField(help_text="The date the reported status refers to (YYYY-MM-DD).")
    status = serializers.ChoiceField(choices=ProgressEntry.Status.choices, help_text="Reported status.")
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    confidence = serializers.ChoiceField(
        choices=ProgressEntry.Confidence.choices, required=False, default=ProgressEntry.Confidence.EXPERT
    )
    restricted_details = serializers.CharField(required=False, allow_blank=True, default="")
    amount_spent_usd = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    reporting_round = serializers.PrimaryKeyRelatedField(
        queryset=ReportingRound.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs):
        strategy = Strategy.objects.filter(slug=attrs["strategy"]).first()
        if strategy is None:
            raise serializers.ValidationError({"strategy": "No strategy with this slug."}, code="not_found")
        activity = (
            Activity.objects.select_related("strategy", "result")
            .filter(strategy=strategy, code=attrs["activity"])
            .first()
        )
        if activity is None:
            raise serializers.ValidationError(
                {"activity": f"No activity {attrs['activity']} in {strategy.slug}."}, code="not_found"
            )
        attrs["activity"] = activity
        del attrs["strategy"]
        if attrs["range_state"] is not None:
            state = RangeState.objects.filter(iso_code=attrs["range_state"].upper()).first()
            if state is None:
                raise serializers.ValidationError(
                    {"range_state": "No Range State with this ISO code."}, code="not_found"
                )
            attrs["range_state"] = state
        return attrs


class ProgressEntryUpdateSerializer(DescribedMixin, serializers.Serializer):
    """Changes to a progress entry. `version` is the version the client last read: if the entry has
    changed since, nothing is saved and the answer is 409 with the current version."""

    version = serializers.IntegerField(min_value=1, help_text="The entry's version as last read.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the entry is changed; required when editing an approved entry (kept in the history).",
    )
    reporting_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ProgressEntry.Status.choices, required=False)
    narrative = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, allow_blank=True, max_length=500)
    confidence = serializers.ChoiceField(choices=ProgressEntry.Confidence.choices, required=False)
    restricted_details = serializers.CharField(required=False, allow_blank=True)
    amount_spent_usd = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    reporting_round = serializers.PrimaryKeyRelatedField(
        queryset=ReportingRound.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs):
        changes = {key: attrs[key] for key in EDITABLE_FIELDS if key in attrs}
        if not changes:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        f"Nothing to change: send one or more of {', '.join(EDITABLE_FIELDS)}."
                    ]
                }
            )
        return attrs


class ProgressEntryReturnSerializer(DescribedMixin, serializers.Serializer):
    comment = serializers.CharField(help_text="What the reporter should change.")


class EmptySerializer(serializers.Serializer):
    """No body."""


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The query parameter or body field at fault; null for the whole request."
    )
    code = serializers.CharField(help_text="Machine-readable error code, e.g. invalid, required, not_found.")
    detail = serializers.CharField(help_text="Human-readable explanation.")


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True, help_text="One item per problem.")


class ConflictSerializer(ErrorSerializer):
    current_version = serializers.IntegerField(help_text="The entry's version now: reload it and retry.")
