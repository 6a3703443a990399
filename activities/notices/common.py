"""What the families of notices share: `RS` (an entry's review states) and how a person is named."""

from django.utils.translation import gettext

from ..models import ProgressEntry

RS = ProgressEntry.ReviewState


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else gettext("someone")
