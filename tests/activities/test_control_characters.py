"""Text with ASCII control characters (other than tab, newline and carriage return) is refused at input,
with an error on the field, by the web forms, the API and the models' own validation; nothing is saved.
One validator does it (activities.validators); the last tests make every text input declare it."""

import inspect

import pytest
from django import forms as django_forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from rest_framework import serializers as drf

from activities import forms as activity_forms
from activities.api import serializers as api_serializers
from activities.models import ProgressEntry, Strategy
from activities.validators import refuse_control_characters
from reporting import forms as report_forms
from tests.activities.api import conftest as api_fixtures
from tests.activities.api.helpers import as_token, errors
from tests.activities.api.test_progress import body, write_token
from tests.activities.api.test_progress import setting as _setting
from tests.activities.views import conftest as page_fixtures
from tests.activities.views.pages import create_url, form_data, signed_in

# The shared fixtures: an API client, an activity with a focal point; the pages' world.
api, setting = api_fixtures.api, _setting
world = page_fixtures.world

HOSTILE = ["Camera\x01traps", "bell\x07", "esc\x1b[31m", "vertical\x0btab", "form\x0cfeed", "del\x7f"]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_api_refuses_control_characters_in_a_narrative_with_a_field_error(api, setting, text):
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-list"), body(setting, narrative=text), format="json")
    assert response.status_code == 400
    assert errors(response) == {"narrative": "control_characters"}
    assert not ProgressEntry.objects.exists()


def test_the_api_refuses_control_characters_in_a_change_and_keeps_the_entry(api, setting):
    as_token(api, write_token(setting["focal"]))
    created = api.post(reverse("api:progress-list"), body(setting), format="json").json()
    url = reverse("api:progress-detail", args=[created["id"]])
    response = api.patch(url, {"version": created["version"], "source": "report\x02"}, format="json")
    assert response.status_code == 400 and errors(response) == {"source": "control_characters"}
    assert ProgressEntry.objects.get().source == ""


def test_tabs_and_newlines_stay_allowed(api, setting):
    as_token(api, write_token(setting["focal"]))
    text = "Line one\n\tindented\r\nline three"
    response = api.post(reverse("api:progress-list"), body(setting, narrative=text), format="json")
    assert response.status_code == 201
    assert ProgressEntry.objects.get().narrative == text


@pytest.mark.django_db
def test_the_entry_form_refuses_control_characters_with_a_message_on_the_field(client, world):
    signed_in(client, world.focal_am)
    response = client.post(
        create_url(world.activity), form_data(world, narrative="Camera traps set\x08 in Khosrov.")
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors.as_data()["narrative"]
    assert error.code == "control_characters"
    assert "invisible control character (code U+0008) at position 17" in response.content.decode()
    assert not ProgressEntry.objects.exists()
    # the text the person typed comes back, so nothing is lost
    assert "Camera traps set" in response.content.decode()


@pytest.mark.django_db
def test_model_validation_refuses_control_characters():
    strategy = Strategy(slug="s", title="Title\x00", short_name="S")
    with pytest.raises(ValidationError) as caught:
        strategy.full_clean()
    assert caught.value.error_dict["title"][0].code == "control_characters"


def _text_fields():
    for model in apps.get_app_config("activities").get_models():
        if model.__module__.endswith("history") or model._meta.object_name.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.CharField | models.TextField)
                and not isinstance(field, models.SlugField)  # validate_slug already refuses them
                and field.editable
                and not field.choices
                and (model._meta.object_name, field.name)
                != ("WebhookDelivery", "last_error")  # the app's own
            ):
                yield model, field


def test_every_text_field_of_the_domain_refuses_control_characters():
    fields = list(_text_fields())
    assert len(fields) > 40
    missing = [f"{m.__name__}.{f.name}" for m, f in fields if refuse_control_characters not in f.validators]
    assert missing == []


def test_every_text_input_of_the_forms_and_serializers_refuses_control_characters():
    missing = []
    for module in (activity_forms, report_forms):
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, django_forms.BaseForm) or form.__module__ != module.__name__:
                continue
            model = getattr(getattr(form, "_meta", None), "model", None)
            for field_name, field in form.base_fields.items():
                if type(field) not in (django_forms.CharField, django_forms.URLField):
                    continue
                if model is not None and field_name in {f.name for f in model._meta.get_fields()}:
                    continue  # a model field: the model's validator runs (checked above)
                if refuse_control_characters not in field.validators:
                    missing.append(f"{name}.{field_name}")
    for name, serializer in inspect.getmembers(api_serializers, inspect.isclass):
        if not issubclass(serializer, drf.Serializer) or serializer.__module__ != api_serializers.__name__:
            continue
        if name.startswith(("Error", "Conflict")):
            continue  # responses only
        for field_name, field in serializer().get_fields().items():
            text = isinstance(field, drf.CharField) and not isinstance(field, drf.SlugField)
            if text and not field.read_only and refuse_control_characters not in field.validators:
                missing.append(f"{name}.{field_name}")
    assert missing == []
