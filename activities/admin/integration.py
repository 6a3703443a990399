"""Admin for integration with partners' systems: API tokens, webhooks, their deliveries and the domain
events they carry.

The Secretariat creates a partner's or national system's token here; the key is shown once, on the
page after "Save" (admin/activities/apitoken/key_created.html), and only its hash is kept. Tokens are
listed with their last use and revoked with an action (never deleted, so that the list keeps who had
access). A token acts as its owner, so issuing one is a permission of its own (permissions.TOKEN_ISSUE:
staff who are not superusers issue tokens only for themselves and for accounts without staff rights),
and the issuer is recorded. Who may see and change each model is the model permissions' (roles.py)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from activities import permissions, services
from activities.models import APIToken, DomainEvent, Webhook, WebhookDelivery
from activities.permissions import Action
from activities.webhooks import generate_secret

from .base import HTTPS_URLS, ServiceErrorsAsMessagesMixin, adopt


class NeverDeletedMixin:
    """Kept for the record of who had access and what was sent: revoked or deactivated, never deleted.
    Who may view, add and change is the model permissions' (activities/roles.py)."""

    def has_delete_permission(self, request, obj=None):
        return False


class APITokenForm(forms.ModelForm):
    """Refuses, beside the owner field, a token the user may not issue (permissions: TOKEN_ISSUE)."""

    request = None  # set by APITokenAdmin.get_form

    class Meta:
        model = APIToken
        fields = ["user", "name", "scope"]

    def clean_user(self):
        owner = self.cleaned_data["user"]
        if self.instance.pk is None:
            decision = permissions.decide(self.request.user, Action.TOKEN_ISSUE, owner)
            if not decision:
                raise ValidationError(str(decision.reason))
        return owner


@admin.register(APIToken)
class APITokenAdmin(NeverDeletedMixin, ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    form = APITokenForm
    list_display = [
        "name",
        "user",
        "scope",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user", "created_by"]
    search_fields = ["name", "prefix", "user__username", "user__email"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scope"]
        return ["user", "name", "scope", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A token's owner and scope are fixed: to change them, revoke it and issue another.
        return ["user", "scope", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        token, request._api_token_key = services.api_token_issue(
            user=request.user, owner=data["user"], name=data["name"], scope=data["scope"]
        )
        adopt(obj, token)

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "token": obj,
            "key": request._api_token_key,
            "changelist_url": "../",
            "title": gettext("API token created"),
        }
        response = TemplateResponse(request, "admin/activities/apitoken/key_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        message = ngettext("Revoked %(count)s token.", "Revoked %(count)s tokens.", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(Webhook)
class WebhookAdmin(NeverDeletedMixin, admin.ModelAdmin):
    list_display = ["url", "owner", "events", "active", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username"]
    list_filter = ["active"]
    autocomplete_fields = ["owner"]
    fields = ["owner", "url", "events", "active", "secret"]
    readonly_fields = ["secret"]
    formfield_overrides = HTTPS_URLS

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = generate_secret()
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(NeverDeletedMixin, admin.ModelAdmin):
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

    @admin.action(description=_("Retry selected deliveries now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = queryset.exclude(state=WebhookDelivery.State.DELIVERED).update(
            state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now()
        )
        message = ngettext(
            "%(count)s delivery will be retried on the next run.",
            "%(count)s deliveries will be retried on the next run.",
            count,
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(DomainEvent)
class DomainEventAdmin(NeverDeletedMixin, admin.ModelAdmin):
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
