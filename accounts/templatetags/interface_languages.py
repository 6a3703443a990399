"""The language switcher's data: `{% interface_languages as languages %}`."""

from django import template

from accounts.languages import interface_languages as _interface_languages

register = template.Library()


@register.simple_tag
def interface_languages():
    return _interface_languages()
