"""Writes to a user's profile."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Profile, interface_language_codes


@transaction.atomic
def profile_set_language(*, user, language: str) -> Profile:
    """Remember `language` as the user's interface language (an empty string forgets it)."""
    if language and language not in interface_language_codes():
        raise ValidationError({"language": _("This site is not offered in that language.")})
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.language != language:
        profile.language = language
        profile.full_clean()
        profile.save(update_fields=["language"])
    return profile
