"""The species and landscape filters of the HTML pages that list strategies or activities. They are the
API's filters (activities.api.filters: species_filter, landscape_filter), so that a page and the API
select the same rows for the same value; an unknown value is a message naming it, never a 500 and never
silently everything."""

import django_filters as df

from activities.api.filters import landscape_filter, species_filter
from activities.models import Activity, Landscape, Species, Strategy


class StrategySpeciesFilter(df.FilterSet):
    species = species_filter("species")

    class Meta:
        model = Strategy
        fields = []


class ActivityLandscapeFilter(df.FilterSet):
    landscape = landscape_filter("landscapes")

    class Meta:
        model = Activity
        fields = []


def without_blanks(query):
    """The query string without empty values: a form's "All species" or "Any landscape" option sends
    `species=`, which means no filter (the API, which no form fills in, refuses it instead)."""
    data = query.copy()
    for name in list(data):
        values = [value for value in data.getlist(name) if value]
        if values:
            data.setlist(name, values)
        else:
            del data[name]
    return data


def filter_errors(filterset) -> list[str]:
    """The messages of a bound filter set's invalid values, one per value, in the parameters' order."""
    if filterset.is_valid():
        return []
    return [message for messages in filterset.errors.values() for message in messages]


def species_choices():
    return Species.objects.order_by("common_name").only("slug", "common_name")


def landscape_choices():
    return Landscape.objects.select_related("plan").order_by("plan__title", "sort_key")
