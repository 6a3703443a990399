"""Admin for API tokens, webhooks and deliveries: the Secretariat creates a token and sees its key once,
lists tokens with their last use, and revokes them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.api.authentication import hash_key
from activities.models import APIToken, DomainEvent, WebhookDelivery
from tests.factories import APITokenFactory, UserFactory, WebhookFactory


def test_creating_a_token_shows_its_key_once_and_stores_only_its_hash(staff_client):
    owner = UserFactory(username="iucn-cat-sg")
    response = staff_client.post(
        reverse("admin:activities_apitoken_add"),
        {"user": owner.pk, "name": "Cat SG nightly sync", "scope": "read"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = APIToken.objects.get()
    key = response.context["key"]
    assert key.startswith(token.prefix) and token.key_hash == hash_key(key)
    assert key in response.content.decode()
    change = staff_client.get(reverse("admin:activities_apitoken_change", args=[token.pk]))
    assert key not in change.content.decode()


def test_tokens_are_listed_with_last_use_and_revoked_by_an_action(staff_client):
    used = APITokenFactory(name="Used", last_used_at=timezone.now())
    APITokenFactory(name="Unused")
    changelist = reverse("admin:activities_apitoken_changelist")
    response = staff_client.get(changelist)
    assert response.status_code == 200
    assert "Used" in response.content.decode()
    staff_client.post(changelist, {"action": "revoke", "_selected_action": [used.pk]})
    used.refresh_from_db()
    assert used.revoked_at is not None
    assert APIToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_only_the_secretariat_manages_tokens(client, db):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:activities_apitoken_changelist")).status_code == 403


@pytest.mark.parametrize("model", ["apitoken", "webhook", "webhookdelivery"])
def test_changelists_load(staff_client, model):
    hook = WebhookFactory()
    APITokenFactory()
    WebhookDelivery.objects.create(
        webhook=hook,
        event=DomainEvent.objects.create(kind="progress.approved", payload={}),
        next_attempt_at=timezone.now(),
    )
    assert staff_client.get(reverse(f"admin:activities_{model}_changelist")).status_code == 200


def test_a_new_webhook_gets_a_secret(staff_client):
    owner = UserFactory()
    staff_client.post(
        reverse("admin:activities_webhook_add"),
        {
            "owner": owner.pk,
            "url": "https://partner.example.org/hook",
            "events": '["progress.approved"]',
            "active": "on",
        },
    )
    hook = owner.webhooks.get()
    assert len(hook.secret) == 64
