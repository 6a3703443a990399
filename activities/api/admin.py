"""Admin for API tokens, webhooks and their deliveries (issue: Partner REST API v1).

The Secretariat creates a partner's or national system's token here; the key is shown once, on the
page after "Save", and only its hash is kept. Tokens are listed with their last use and revoked with
an action (never deleted, so that the list keeps who had access)."""

from django.contrib import admin, messages
from django.db import models
from django.template import engines
from django.template.response import TemplateResponse
from django.utils import timezone

from activities import permissions
from activities.models import APIToken, DomainEvent, Webhook, WebhookDelivery

from .authentication import generate_key

KEY_SHOWN_ONCE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}
{% block content %}
<h1>API token created: {{ token.name }}</h1>
<p>Copy this key now and give it to {{ token.user }} over a safe channel. <strong>It is not stored and
cannot be shown again</strong>; if it is lost, revoke the token and create a new one.</p>
<p><code id="api-token-key" style="font-size:1.2em;user-select:all">{{ key }}</code></p>
<p>Scope: {{ token.get_scope_display }}. The token never allows more than {{ token.user }} may do.
Use it as <code>Authorization: Token {{ key }}</code>.</p>
<p><a href="{{ changelist_url }}">Back to the API tokens</a></p>
{% endblock %}"""
)


class SecretariatOnlyMixin:
    """Only the Secretariat manages API access (activities.permissions decides who that is)."""

    def has_module_permission(self, request):
        return permissions.is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_secretariat(request.user)

    def has_add_permission(self, request):
        return permissions.is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(APIToken)
class APITokenAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "user", "scope", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username", "user__email"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scope"]
        return ["user", "name", "scope", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A token's owner and scope are fixed: to change them, revoke it and issue another.
        return ["user", "scope", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            key, obj.prefix, obj.key_hash = generate_key()
            request._api_token_key = key
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "token": obj,
            "key": request._api_token_key,
            "changelist_url": "../",
            "title": "API token created",
        }
        response = TemplateResponse(request, KEY_SHOWN_ONCE, context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)


@admin.register(Webhook)
class WebhookAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["url", "owner", "events", "active", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username"]
    list_filter = ["active"]
    autocomplete_fields = ["owner"]
    fields = ["owner", "url", "events", "active", "secret"]
    readonly_fields = ["secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            from activities.webhooks import generate_secret

            obj.secret = generate_secret()
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = [
        "event",
        "webhook",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "delivered_at",
    ]
    list_select_related = ["event", "webhook"]
    search_fields = ["webhook__url", "last_error"]
    list_filter = ["state", "event__kind"]
    readonly_fields = [
        "webhook",
        "event",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry selected deliveries now")
    def retry_now(self, request, queryset):
        count = queryset.exclude(state=WebhookDelivery.State.DELIVERED).update(
            state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{count} deliveries will be retried on the next run.", messages.SUCCESS)


@admin.register(DomainEvent)
class DomainEventAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    """The events webhooks deliver (approvals, status changes): a read-only log."""

    list_display = ["pk", "kind", "created_at"]
    list_select_related = False
    search_fields = ["kind"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter)]
    readonly_fields = ["kind", "payload", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
