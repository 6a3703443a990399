"""A user's settings for the site, beside django.contrib.auth's user."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def interface_language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class Profile(models.Model):
    """A user's interface language, so that it follows them to any browser they sign in on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    # No `choices`: the languages are settings.LANGUAGES, and adding one must not need a migration.
    language = models.CharField(
        _("interface language"),
        max_length=15,
        blank=True,
        help_text=_("Empty: the language the browser asks for."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)

    def clean(self):
        if self.language and self.language not in interface_language_codes():
            raise ValidationError({"language": _("This site is not offered in that language.")})
