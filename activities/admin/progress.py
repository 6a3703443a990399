"""Admin for progress reporting: focal points, reporting rounds, progress entries and their evidence,
the latest approved statuses, delegations, reporting links, reminders and meeting snapshots.

Every write goes through activities.services, and every check is the services' own: the forms
(activities/admin/forms.py) ask the services and activities.permissions before saving, and the
services ask again under the row lock when they save."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from activities import permissions, services
from activities.models import (
    REVIEW_TRAIL_FIELDS,
    ActivityStateStatus,
    Delegation,
    Evidence,
    FocalPoint,
    MeetingSnapshot,
    ProgressEntry,
    ReminderSent,
    ReportingLink,
    ReportingRound,
    SnapshotStatus,
)
from activities.permissions import Action

from .base import (
    HTTPS_URLS,
    HistoryWithoutRevertAdmin,
    RangeWideListFilter,
    ReadOnlyAdminMixin,
    ReportingRoundListFilter,
    ServiceErrorsAsMessagesMixin,
    adopt,
    service_action,
)
from .forms import EvidenceForm, ProgressEntryAdminForm

# --- focal points and reporting rounds ----------------------------------------------------------


@admin.register(FocalPoint)
class FocalPointAdmin(admin.ModelAdmin):
    list_display = ["user", "user_email", "range_state"]
    list_select_related = ["user", "range_state"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "range_state__name",
    ]
    list_filter = ["range_state"]
    autocomplete_fields = ["user", "range_state"]

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email


ROUND_FIELDS = ["name", "kind", "opens_on", "deadline"]


@admin.register(ReportingRound)
class ReportingRoundAdmin(ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    list_display = ["name", "strategy", "kind", "opens_on", "deadline", "closed_at", "entry_count"]
    list_select_related = ["strategy"]
    search_fields = ["name", "strategy__short_name", "strategy__title"]
    list_filter = ["strategy", "kind", ("closed_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "deadline"
    autocomplete_fields = ["strategy"]
    fields = ["strategy", "name", "kind", ("opens_on", "deadline"), "closed_at", "created_by"]
    readonly_fields = ["closed_at", "created_by"]
    actions = ["close_selected", "reopen_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=models.Count("progress_entries"))

    def get_readonly_fields(self, request, obj=None):
        # A round's strategy is fixed once entries may answer it.
        return [*self.readonly_fields, "strategy"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ROUND_FIELDS}
        if change:
            services.reporting_round_update(user=request.user, reporting_round=obj, **data)
            return
        data["strategy"] = form.cleaned_data["strategy"]
        adopt(obj, services.reporting_round_open(user=request.user, **data))

    @admin.display(description=_("entries"), ordering="entry_count")
    def entry_count(self, obj):
        return obj.entry_count

    close_selected = service_action(
        _("Close selected rounds (their entries are locked)"),
        services.reporting_round_close,
        "reporting_round",
        ngettext_lazy(
            "Closed %(count)s round; its entries are locked.",
            "Closed %(count)s rounds; their entries are locked.",
            "count",
        ),
    )
    reopen_selected = service_action(
        _("Reopen selected rounds"),
        services.reporting_round_reopen,
        "reporting_round",
        ngettext_lazy("Reopened %(count)s round.", "Reopened %(count)s rounds.", "count"),
    )


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sent_on", "user", "reporting_round"]
    list_select_related = ["user", "reporting_round__strategy"]
    search_fields = ["user__username", "user__email", "reporting_round__name"]
    list_filter = ["sent_on", ("reporting_round", ReportingRoundListFilter)]
    date_hierarchy = "sent_on"


# --- progress entries and their evidence --------------------------------------------------------


class ProgressEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An activity's progress, read-only: entries change through the workflow on their own page
    (ProgressEntryAdmin), never by editing rows here."""

    model = ProgressEntry
    fields = ["range_state", "reporting_date", "status", "review_state", "amount_spent_usd", "reported_by"]
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("range_state", "reported_by")


def evidence_fields(data) -> dict:
    """What services.evidence_add takes, from an evidence form's cleaned data."""
    return {
        "title": data.get("title", ""),
        "url": data.get("url", ""),
        "file": data.get("file") or None,
        "restricted": data.get("restricted", False),
    }


class EvidenceInline(admin.TabularInline):
    """Evidence is added and removed through services (type and size checks, history); existing rows
    are shown read-only."""

    model = Evidence
    form = EvidenceForm
    fields = ["title", "url", "file", "restricted", "content_type", "size"]
    readonly_fields = ["content_type", "size"]
    formfield_overrides = HTTPS_URLS
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False


CONTENT_FIELDS = [
    "reporting_round",
    "reporting_date",
    ("status", "confidence"),
    "narrative",
    "source",
    "restricted_details",
    "amount_spent_usd",
]
WORKFLOW_FIELDS = [
    "review_state",
    "review_comment",
    ("reported_by", "first_submitted_at"),
    ("submitted_by", "submitted_at"),
    ("reviewed_by", "reviewed_at"),
    "version",
    ("created_at", "updated_at"),
]


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ServiceErrorsAsMessagesMixin, HistoryWithoutRevertAdmin):
    """Progress entries through the workflow services: adding creates a draft reported by you,
    changing goes through the edit service (conflicts, reasons, locked rounds), and "Approve selected"
    approves in bulk. The history (who changed what, when and why) is under "History"."""

    form = ProgressEntryAdminForm
    list_display = [
        "activity",
        "strategy",
        "scope",
        "reporting_date",
        "status",
        "review_state",
        "reporting_round",
        "reported_by",
        "updated_at",
    ]
    list_select_related = ["activity__strategy", "range_state", "reporting_round__strategy", "reported_by"]
    search_fields = ["activity__code", "activity__text", "narrative", "range_state__name"]
    list_filter = [
        "review_state",
        "status",
        "activity__strategy",
        ("range_state", RangeWideListFilter),
        ("reporting_round", ReportingRoundListFilter),
        "reporting_date",
    ]
    date_hierarchy = "reporting_date"
    autocomplete_fields = ["activity", "range_state", "reporting_round"]
    readonly_fields = [
        "review_state",
        "review_comment",
        "reported_by",
        *REVIEW_TRAIL_FIELDS,
        "updated_at",
    ]
    history_list_display = ["review_state", "status", "review_comment"]
    inlines = [EvidenceInline]
    actions = ["approve_selected"]

    def get_queryset(self, request):
        # An entry's name includes its activity and Range State, and autocomplete lists print it for
        # every row; as on ObjectiveAdmin, the changelist then needs the same joins here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["activity", "range_state", *CONTENT_FIELDS]})]
        return [
            (None, {"fields": ["activity", "range_state", *CONTENT_FIELDS, "reason", "expected_version"]}),
            (_("Workflow"), {"fields": WORKFLOW_FIELDS}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # What an entry is about is fixed; report on another activity or state as a new entry.
        return [*self.readonly_fields, "activity", "range_state"] if obj else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_actions(self, request):
        # The workflow deletes one entry at a time, through the service that checks it.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not permissions.allowed(request.user, Action.DELETE, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            adopt(obj, services.progress_entry_create(user=request.user, **data))
            return
        changes = form.content_changes()
        if changes:
            saved = services.progress_entry_update(
                user=request.user,
                entry=obj,
                expected_version=form.cleaned_data["expected_version"],
                reason=form.cleaned_data["reason"],
                **changes,
            )
            adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Evidence:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for evidence in formset.deleted_objects:
            services.evidence_remove(user=request.user, evidence=evidence)
        for evidence_form in formset.extra_forms:
            if evidence_form.has_changed() and not formset._should_delete_form(evidence_form):
                fields = evidence_fields(evidence_form.cleaned_data)
                services.evidence_add(user=request.user, entry=form.instance, **fields)

    def delete_model(self, request, obj):
        services.progress_entry_delete(user=request.user, entry=obj)

    @admin.action(description=_("Approve selected progress entries"))
    def approve_selected(self, request, queryset):
        result = services.progress_entries_bulk_approve(user=request.user, entries=queryset)
        if result.approved:
            count = len(result.approved)
            message = ngettext(
                # Translators: the English text says "entries" whatever the count; give each plural form.
                "Approved %(count)s progress entries.",
                "Approved %(count)s progress entries.",
                count,
            )
            message %= {"count": count}
            self.message_user(request, message, messages.SUCCESS)
        for entry, reason in result.refused:
            message = gettext("Not approved: %(entry)s: %(reason)s") % {"entry": entry, "reason": reason}
            self.message_user(request, message, messages.WARNING)

    @admin.display(description=_("strategy"), ordering="activity__strategy")
    def strategy(self, obj):
        return obj.activity.strategy

    @admin.display(description=_("Range State"), ordering="range_state__name")
    def scope(self, obj):
        return obj.scope


@admin.register(Evidence)
class EvidenceAdmin(ServiceErrorsAsMessagesMixin, HistoryWithoutRevertAdmin):
    """Evidence is added (type and size checked) and removed through services; it is not edited."""

    form = EvidenceForm
    list_display = ["__str__", "kind", "restricted", "entry", "added_by", "created_at"]
    list_select_related = ["entry__activity", "entry__range_state", "added_by"]
    search_fields = ["title", "url", "file", "entry__activity__code"]
    list_filter = [
        "restricted",
        "entry__activity__strategy",
        ("entry__range_state", RangeWideListFilter),
        ("file", admin.EmptyFieldListFilter),
    ]
    autocomplete_fields = ["entry"]
    formfield_overrides = HTTPS_URLS
    readonly_fields = ["content_type", "size", "added_by", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["entry", "title", "url", "file", "restricted"]
        return [
            "entry",
            "title",
            "url",
            "file",
            "restricted",
            "content_type",
            "size",
            "added_by",
            "created_at",
        ]

    def has_change_permission(self, request, obj=None):
        # Shown read-only once added: replace evidence by removing it and adding another.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        adopt(obj, services.evidence_add(user=request.user, entry=data["entry"], **evidence_fields(data)))

    def delete_model(self, request, obj):
        services.evidence_remove(user=request.user, evidence=obj)

    @admin.display(description=_("kind"))
    def kind(self, obj):
        if obj.is_file:
            # Translators: an evidence file with its type, e.g. "file (application/pdf)".
            return gettext("file (%(content_type)s)") % {"content_type": obj.content_type}
        return gettext("link")


@admin.register(ActivityStateStatus)
class ActivityStateStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The latest approved status per activity and Range State, maintained by the approval service."""

    list_display = [
        "activity",
        "strategy",
        "scope",
        "status",
        "reporting_date",
        "approved_at",
        "entry_number",
    ]
    list_select_related = ["activity__strategy", "range_state"]
    search_fields = ["activity__code", "activity__text", "range_state__name"]
    list_filter = ["status", "activity__strategy", ("range_state", RangeWideListFilter)]

    @admin.display(description=_("strategy"), ordering="activity__strategy")
    def strategy(self, obj):
        return obj.activity.strategy

    @admin.display(description=_("Range State"), ordering="range_state__name")
    def scope(self, obj):
        return obj.range_state or gettext("Range-wide")

    @admin.display(description=_("entry id"), ordering="entry_id")
    def entry_number(self, obj):
        return obj.entry_id


# --- delegations and reporting links ------------------------------------------------------------

DELEGATION_FIELDS = ["delegate", "range_state", "activity", "objective"]


@admin.register(Delegation)
class DelegationAdmin(ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    """Delegations are granted and revoked through services; a grant is never edited afterwards.
    "Either one activity or one objective" is the model's constraint, which the form validates."""

    list_display = ["delegate", "scope", "range_state", "granted_by", "created_at", "revoked_at"]
    list_select_related = ["delegate", "granted_by", "range_state", "activity", "objective__strategy"]
    search_fields = ["delegate__username", "delegate__email", "range_state__name", "activity__code"]
    list_filter = ["range_state", ("revoked_at", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["delegate", "range_state", "activity", "objective"]
    actions = ["revoke_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return DELEGATION_FIELDS
        return [*DELEGATION_FIELDS, "granted_by", "created_at", "revoked_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in DELEGATION_FIELDS}
        adopt(obj, services.delegation_grant(user=request.user, **data))

    @admin.display(description=_("activity or objective"))
    def scope(self, obj):
        return obj.activity or obj.objective

    revoke_selected = service_action(
        _("Revoke selected delegations"),
        services.delegation_revoke,
        "delegation",
        ngettext_lazy("Revoked %(count)s delegation.", "Revoked %(count)s delegations.", "count"),
    )


@admin.register(ReportingLink)
class ReportingLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Links are made on the focal point's page (the token is shown once); here they are listed and
    withdrawn. Only a hash of the token is stored, and it is not shown."""

    list_display = [
        "user",
        "range_state",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user", "range_state", "created_by"]
    search_fields = ["user__username", "user__email", "range_state__name"]
    list_filter = ["range_state", ("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    fields = ["user", "range_state", "created_by", "created_at", "expires_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    revoke_selected = service_action(
        _("Withdraw selected reporting links"),
        services.reporting_link_revoke,
        "link",
        ngettext_lazy("Withdrew %(count)s link.", "Withdrew %(count)s links.", "count"),
    )


# --- meeting snapshots --------------------------------------------------------------------------


class SnapshotStatusInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SnapshotStatus
    fields = ["activity", "range_state", "status", "reporting_date", "entry"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("activity", "range_state", "entry__activity", "entry__range_state")
            .order_by("activity__sort_key", "range_state__name")
        )


@admin.register(MeetingSnapshot)
class MeetingSnapshotAdmin(ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    """A strategy's statuses "as presented to" a meeting, taken by services.meeting_snapshot_take;
    only the note may change afterwards."""

    list_display = ["strategy", "meeting", "taken_at", "taken_by", "status_count"]
    list_select_related = ["strategy", "meeting", "taken_by"]
    search_fields = ["meeting__name", "strategy__short_name", "strategy__title", "note"]
    list_filter = ["strategy", "meeting"]
    autocomplete_fields = ["meeting", "strategy"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(status_count=models.Count("statuses"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["meeting", "strategy", "note"]
        return ["meeting", "strategy", "note", "taken_at", "taken_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["meeting", "strategy", "taken_at", "taken_by"] if obj else []

    def get_inlines(self, request, obj):
        return [SnapshotStatusInline] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.meeting_snapshot_annotate(
                user=request.user, snapshot=obj, note=form.cleaned_data["note"]
            )
            return
        data = {name: form.cleaned_data[name] for name in ["meeting", "strategy", "note"]}
        adopt(obj, services.meeting_snapshot_take(user=request.user, **data))

    @admin.display(description=_("statuses"), ordering="status_count")
    def status_count(self, obj):
        return obj.status_count


@admin.register(SnapshotStatus)
class SnapshotStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["activity", "scope", "status", "reporting_date", "snapshot"]
    list_select_related = ["activity", "range_state", "snapshot__meeting", "snapshot__strategy"]
    search_fields = ["activity__code", "snapshot__meeting__name"]
    list_filter = ["status", "snapshot__strategy", "snapshot__meeting"]

    @admin.display(description=_("Range State"), ordering="range_state__name")
    def scope(self, obj):
        return obj.range_state or gettext("Range-wide")
