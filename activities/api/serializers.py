"""Serializers of the REST API v1. Every field carries a description for the OpenAPI schema: the
model's help_text where it has one, otherwise the text in HELP below. Descriptions are lazy
translations: drf-spectacular writes the schema in the request's language, English by default
(?lang=ru asks for another).

Read serializers expose natural keys (strategy slug, activity and result codes, Range State ISO codes)
beside ids. Write serializers only check the shape of input; the services do the writing and the
permission checks (activities.services, activities.permissions)."""

from operator import attrgetter
from urllib.parse import quote

from django.urls import NoReverseMatch, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
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
from activities.validators import MAX_ID, refuse_control_characters

HELP = {
    "id": _("Database id (stable, but prefer the natural key)."),
    "url": _("This item's API address, by natural key."),
    "slug": _("Stable natural key used in URLs."),
    "title": _("Title as in the source."),
    "short_name": _("Short name."),
    "period_start": _("First year of the strategy's period."),
    "period_end": _("Last year of the strategy's period."),
    "vision": _("The strategy's vision, as in the source."),
    "goal": _("The strategy's goal, as in the source."),
    "number": _("Number as in the source (gaps included)."),
    "text": _("Text as in the source."),
    "code": _("Code as in the source."),
    "name": _("Name."),
    "category": _("Kind of actor."),
    "description": _("Description."),
    "iso_code": _("ISO 3166-1 alpha-2 code."),
    "strategy": _("Strategy slug."),
    "theme": _("Theme number; null where the source does not say."),
    "objective": _("Objective number."),
    "result": _("Result code, e.g. 1.1."),
    "activity": _("Activity code, e.g. 1.1.1.a."),
    "activity_id": _("Activity id."),
    "range_state": _("Range State ISO code; null for range-wide."),
    "range_state_name": _("Range State name; null for range-wide."),
    "indicator": _("Indicator as in the source."),
    "timeline": _("Timeline, source text (e.g. '2024-2027', 'Every three years')."),
    "timeline_kind": _("How the timeline was read."),
    "start_year": _("First year of the timeline, if it gives one."),
    "due_year": _("Year the activity is due (end of the timeline), if it gives one."),
    "recurrence": _("For recurring activities: the interval in years, if the source gives one."),
    "cost_kind": _("How the cost was read."),
    "actors": _("Names of the normalised actors the Actor cell names."),
    "actors_text": _("Actor cell, source text."),
    "cami_pow": _("Codes of the CAMI Programme of Work measures the activity implements (ranges expanded)."),
    "cami_pow_text": _("CAMI POW cell, source text."),
    "priority": _("1 low, 2 medium, 3 high; null where the source gives none."),
    "statuses": _("Latest approved status per Range State (and range-wide), one item per state reported on."),
    "status": _("Reported status."),
    "reporting_date": _("The date the reported status refers to."),
    "approved_at": _("When the entry giving this status was approved."),
    "entry": _("Id of the approved progress entry giving this status."),
    "narrative": _("What was done, by whom, and what is still missing."),
    "review_state": _("Workflow state: draft, submitted, returned or approved."),
    "submitted_at": _("When it was last submitted for review."),
    "reviewed_at": _("When it was last approved or returned."),
    "version": _("Increases with every change; send it back with PATCH (optimistic locking)."),
    "created_at": _("When it was created."),
    "updated_at": _("When it last changed."),
    "evidence": _("Supporting links and files (restricted ones only for users allowed to see them)."),
    "restricted_details": _(
        "Sensitive details: present only for the Secretariat and the Range State's "
        "focal points and delegates; never for anonymous clients or partners."
    ),
    "range_states": _("ISO codes of the Range States."),
    "strategies": _("Slugs of the strategies the Range State implements."),
    "objective_count": _("Objectives recorded."),
    "result_count": _("Results recorded."),
    "activity_count": _("Activities recorded."),
    "adopted_at": _("Name of the meeting that adopted, endorsed or revised the strategy."),
    "activities_url": _("API address of the strategy's activities."),
    "reporting_round": _("Reporting round id, if any."),
    "amount_spent_usd": _("Amount spent, in USD."),
    "review_comment": _(
        "The reviewer's comment when returning an entry: present only for the Secretariat "
        "and the Range State's focal points and delegates."
    ),
    "source": _("Source of the information."),
    "confidence": _("How well the reported status is supported."),
    "kind": _("link or file."),
    "content_type": _("MIME type of an uploaded file."),
    "size": _("File size in bytes."),
    "restricted": _("Sensitive evidence: only shown to users allowed to see restricted details."),
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


PLACEHOLDER = "zqxPLACEHOLDERxqz"  # letters only: reverse() leaves it as it is


@extend_schema_field(OpenApiTypes.URI)
class DetailURLField(serializers.Field):
    """An object's API address: the route `view_name` with the object's attributes `attributes`
    (dotted, e.g. "strategy.slug", "code") as its arguments."""

    def __init__(self, view_name: str, *attributes: str, **kwargs):
        self.view_name, self.attributes = view_name, attributes
        self._getters = [attrgetter(name) for name in attributes]
        self._template = None
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        args = [str(get(value)) for get in self._getters]
        if self._template is None:
            # reverse() once per list, with placeholders; each row then fills in its own arguments,
            # quoted as reverse() quotes them (a list of 100 activities reversed 100 URLs). A route whose
            # arguments must be digits takes no placeholder: it is reversed per row.
            try:
                placeholders = [f"{PLACEHOLDER}{i}{PLACEHOLDER}" for i in range(len(args))]
                path = reverse(self.view_name, args=placeholders)
                self._template = _absolute(self.context.get("request"), path).split(PLACEHOLDER)
            except NoReverseMatch:
                self._template = False
        if not self._template or any(not arg or "/" in arg for arg in args):
            return _absolute(self.context.get("request"), reverse(self.view_name, args=args))
        parts = list(self._template)
        for i, arg in enumerate(args):
            parts[2 * i + 1] = quote(arg, safe=RFC3986_SUBDELIMS + "/~:@")
        return "".join(parts)


class StrategySerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:strategy-detail", "slug")
    adopted_at = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    range_states = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)
    objective_count = serializers.IntegerField(read_only=True)
    result_count = serializers.IntegerField(read_only=True)
    activity_count = serializers.IntegerField(read_only=True)
    activities_url = DetailURLField("api:strategy-activity-list", "slug")

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


class ThemeSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:strategy-theme-detail", "strategy.slug", "number")
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "url", "strategy", "number", "title"]


class ObjectiveSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:strategy-objective-detail", "strategy.slug", "number")
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    theme = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = Objective
        fields = ["id", "url", "strategy", "theme", "number", "text"]


class ResultSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:strategy-result-detail", "strategy.slug", "code")
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    objective = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Result
        fields = ["id", "url", "strategy", "objective", "code", "text"]


class ActorSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:actor-detail", "slug")

    class Meta:
        model = Actor
        fields = ["id", "url", "slug", "name", "category", "description"]


class RangeStateSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:range-state-detail", "iso_code")
    strategies = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = RangeState
        fields = ["id", "url", "iso_code", "name", "strategies"]


class WorkProgrammeMeasureSerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:work-programme-measure-detail", "code")

    class Meta:
        model = WorkProgrammeMeasure
        fields = ["id", "url", "code", "title"]


class ActivityStatusSerializer(DescribedMixin, serializers.ModelSerializer):
    range_state = serializers.SlugRelatedField(slug_field="iso_code", read_only=True, allow_null=True)
    range_state_name = serializers.SlugRelatedField(
        source="range_state", slug_field="name", read_only=True, allow_null=True
    )

    class Meta:
        model = ActivityStateStatus
        fields = ["range_state", "range_state_name", "status", "reporting_date", "approved_at", "entry"]

    def to_representation(self, instance):
        # Up to 21 per activity, 2,100 on a page of 100: given as rows (a dictionary of these fields, by
        # ActivityViewSet's attach_status_rows) rather than model instances; the dates and times still go
        # through their fields, so they read as everywhere else.
        fields = self.fields
        return {
            **instance,
            "reporting_date": fields["reporting_date"].to_representation(instance["reporting_date"]),
            "approved_at": fields["approved_at"].to_representation(instance["approved_at"]),
        }


class ActivitySerializer(DescribedMixin, serializers.ModelSerializer):
    url = DetailURLField("api:strategy-activity-detail", "strategy.slug", "code")
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
    statuses = ActivityStatusSerializer(source="status_rows", many=True, read_only=True)

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
    """A progress entry as the requesting user may see it: restricted details, restricted evidence and the
    reviewer's comment only when permissions.allowed(user, VIEW_RESTRICTED, entry); everyone else reads
    the entry's approved state only."""

    url = DetailURLField("api:progress-detail", "pk")
    strategy = serializers.CharField(source="activity.strategy.slug", read_only=True)
    activity = serializers.CharField(source="activity.code", read_only=True)
    activity_id = serializers.IntegerField(read_only=True)
    range_state = serializers.SlugRelatedField(slug_field="iso_code", read_only=True, allow_null=True)
    reporting_round = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    evidence = serializers.SerializerMethodField()
    review_comment = serializers.CharField(read_only=True, required=False)
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
        # present only for readers who may see restricted details: not required (api/schema.py)
        omitted_for_some_readers = ["restricted_details", "review_comment"]

    def _may_see_restricted(self, entry) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return permissions.allowed(user, Action.VIEW_RESTRICTED, entry)

    def to_representation(self, instance):
        self._restricted_ok = self._may_see_restricted(instance)
        data = super().to_representation(instance)
        if not self._restricted_ok:
            data.pop("restricted_details", None)
            data.pop("review_comment", None)
        return data

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, obj) -> list:
        items = [e for e in obj.evidence.all() if self._restricted_ok or not e.restricted]
        return EvidenceSerializer(items, many=True, context=self.context).data


# --- input ---------------------------------------------------------------------------------------


class ProgressEntryCreateSerializer(DescribedMixin, serializers.Serializer):
    """A new progress entry (saved as a draft). The activity is named by strategy slug and code."""

    strategy = serializers.SlugField(help_text=_("Strategy slug, e.g. persian-leopard-2023-2032."))
    activity = serializers.CharField(
        validators=[refuse_control_characters],
        max_length=20,
        help_text=_("Activity code within the strategy, e.g. 1.1.1.a."),
    )
    range_state = serializers.CharField(
        validators=[refuse_control_characters],
        max_length=2,
        allow_null=True,
        help_text=_("Range State ISO code, e.g. AM; null for range-wide progress."),
    )
    reporting_date = serializers.DateField(
        help_text=_("The date the reported status refers to (YYYY-MM-DD).")
    )
    status = serializers.ChoiceField(choices=ProgressEntry.Status.choices, help_text=_("Reported status."))
    narrative = serializers.CharField(
        validators=[refuse_control_characters], required=False, allow_blank=True, default=""
    )
    source = serializers.CharField(
        validators=[refuse_control_characters], required=False, allow_blank=True, default="", max_length=500
    )
    confidence = serializers.ChoiceField(
        choices=ProgressEntry.Confidence.choices, required=False, default=ProgressEntry.Confidence.EXPERT
    )
    restricted_details = serializers.CharField(
        validators=[refuse_control_characters], required=False, allow_blank=True, default=""
    )
    amount_spent_usd = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    reporting_round = serializers.PrimaryKeyRelatedField(
        queryset=ReportingRound.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs):
        strategy = Strategy.objects.filter(slug=attrs["strategy"]).first()
        if strategy is None:
            raise serializers.ValidationError(
                {"strategy": gettext("No strategy with this slug.")}, code="not_found"
            )
        activity = (
            Activity.objects.select_related("strategy", "result")
            .filter(strategy=strategy, code=attrs["activity"])
            .first()
        )
        if activity is None:
            raise serializers.ValidationError(
                {
                    "activity": gettext("No activity %(code)s in %(strategy)s.")
                    % {"code": attrs["activity"], "strategy": strategy.slug}
                },
                code="not_found",
            )
        attrs["activity"] = activity
        del attrs["strategy"]
        if attrs["range_state"] is not None:
            state = RangeState.objects.filter(iso_code=attrs["range_state"].upper()).first()
            if state is None:
                raise serializers.ValidationError(
                    {"range_state": gettext("No Range State with this ISO code.")}, code="not_found"
                )
            attrs["range_state"] = state
        return attrs


class ProgressEntryUpdateSerializer(DescribedMixin, serializers.Serializer):
    """Changes to a progress entry. `version` is the version the client last read: if the entry has
    changed since, nothing is saved and the answer is 409 with the current version."""

    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("The entry's version as last read.")
    )
    reason = serializers.CharField(
        validators=[refuse_control_characters],
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Why the entry is changed; required when editing an approved entry (kept in the history)."
        ),
    )
    reporting_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ProgressEntry.Status.choices, required=False)
    narrative = serializers.CharField(
        validators=[refuse_control_characters], required=False, allow_blank=True
    )
    source = serializers.CharField(
        validators=[refuse_control_characters], required=False, allow_blank=True, max_length=500
    )
    confidence = serializers.ChoiceField(choices=ProgressEntry.Confidence.choices, required=False)
    restricted_details = serializers.CharField(
        validators=[refuse_control_characters], required=False, allow_blank=True
    )
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
                        gettext("Nothing to change: send one or more of %(fields)s.")
                        % {"fields": ", ".join(EDITABLE_FIELDS)}
                    ]
                }
            )
        return attrs


class ProgressEntryReturnSerializer(DescribedMixin, serializers.Serializer):
    comment = serializers.CharField(
        validators=[refuse_control_characters], help_text=_("What the reporter should change.")
    )


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text=_("The query parameter or body field at fault; null for the whole request."),
    )
    code = serializers.CharField(
        help_text=_("Machine-readable error code, e.g. invalid, required, not_found."),
    )
    detail = serializers.CharField(help_text=_("Human-readable explanation."))


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True, help_text=_("One item per problem."))


class ConflictSerializer(ErrorSerializer):
    current_version = serializers.IntegerField(help_text=_("The entry's version now: reload it and retry."))
