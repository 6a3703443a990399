"""Validators for text that comes in from people: one rule, used by the models' fields (and so by the
admin, the ModelForms and the ModelSerializers built from them), by the plain forms and serializers,
and by the services' full_clean()."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .exporting import CONTROL_CHARACTERS

# The largest id (and number) the databases store: a signed 64-bit integer. Larger numbers in a URL or
# a query are refused before they reach the database, which would raise OverflowError (a 500).
MAX_ID = 2**63 - 1


def refuse_control_characters(value) -> None:
    """Refuse ASCII control characters other than tab, newline and carriage return. They are invisible,
    cannot be typed on purpose, and break the files the text is exported to (XLSX refuses them)."""
    if not isinstance(value, str):
        return
    match = CONTROL_CHARACTERS.search(value)
    if match is not None:
        raise ValidationError(
            _(
                "This text contains an invisible control character (code %(code)s) at position "
                "%(position)s. Remove it (it often comes from copying out of another program) and try again."
            ),
            code="control_characters",
            params={"code": f"U+{ord(match.group()):04X}", "position": match.start() + 1},
        )


def guard_text_fields(models) -> None:
    """Give every text field of `models` the control-character rule, so that no field of the project's
    own, now or added later, can take in text the exports cannot write (the admin, the ModelForms, the
    ModelSerializers and the services' full_clean() all run a field's validators)."""
    from django.db.models import CharField, TextField

    for model in models:
        for field in model._meta.local_fields:
            if (
                isinstance(field, CharField | TextField)
                and refuse_control_characters not in field._validators
            ):
                field._validators = [*field._validators, refuse_control_characters]
                field.__dict__.pop("validators", None)  # a cached_property, built from _validators
