"""Formatting filters for the browse pages. They format values; they never query or decide."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def date_span(meeting) -> str:
    """A meeting's dates as a reader writes them: '20–22 September 2022', '30 September – 2 October 2022'."""
    start, end = meeting.start_date, meeting.end_date
    if not start:
        return ""
    if not end or end == start:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


@register.filter
def usd(amount) -> str:
    """'USD 10,000' (cents only when there are some)."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    places = 0 if amount == amount.to_integral_value() else 2
    return f"USD {amount:,.{places}f}"
