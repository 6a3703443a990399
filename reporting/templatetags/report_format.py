"""Formatting for the report pages: cells by column kind, status badges, stacked status bars (inline SVG).
They format values the builders computed; they never query or decide."""

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from reporting.aggregations import STATUS_LABELS, STATUS_ORDER

register = template.Library()


@register.filter
def percent(share) -> str:
    """A share 0–1 as '42 %'; an em dash when there is nothing to divide."""
    return "—" if share is None else f"{share * 100:.0f} %"


@register.filter
def status_label(status) -> str:
    return STATUS_LABELS.get(status, status)


@register.simple_tag
def status_badge(status, date=None):
    """Colour plus text, never colour alone."""
    if date:
        return format_html(
            '<span class="st st-{}">{}</span> <time datetime="{}">{}</time>',
            status,
            STATUS_LABELS.get(status, status),
            date.isoformat(),
            f"{date:%-d %b %Y}",
        )
    return format_html('<span class="st st-{}">{}</span>', status, STATUS_LABELS.get(status, status))


def _usd(value) -> str:
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return f"{value:,.{places}f}"


@register.simple_tag
def report_cell(value, column, strategy):
    kind = column.kind
    if kind == "status":
        return status_badge(value) if value else ""
    if value is None or value == "":
        return mark_safe('<span class="muted" aria-label="none">—</span>')
    if kind == "activity":
        url = reverse("activities:activity-detail", kwargs={"slug": strategy.slug, "code": value})
        return format_html('<a href="{}">{}</a>', url, value)
    if kind == "usd":
        return _usd(value)
    if kind == "percent":
        return percent(value)
    if kind == "date":
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), f"{value:%-d %b %Y}")
    if kind == "int":
        return f"{value:,}"
    if isinstance(value, str) and len(value) > 220:
        # Long texts (activity texts, narratives) are cut on screen; the exports carry them whole.
        return format_html('<span title="{}">{}</span>', value, Truncator(value).words(30))
    return value


@register.filter
def numeric(column) -> bool:
    return column.kind in ("int", "usd", "percent", "year")


@register.filter
def table_rows(table):
    """Each row as (css class, [(value, column), …]) so the template can format by column."""
    classes = table.row_classes or [""] * len(table.rows)
    return [
        (css, list(zip(row, table.columns, strict=True)))
        for css, row in zip(classes, table.rows, strict=True)
    ]


@register.inclusion_tag("reporting/_status_bar.html")
def status_bar(counts, label="", height=14):
    """A stacked bar of cells by status, as inline SVG with a text alternative; the numbers are in a table."""
    parts = [f"{s['label']} {s['n']}" for s in counts.segments]
    return {
        "segments": counts.segments,
        "height": height,
        "label": f"{label}: {', '.join(parts) or 'nothing'} of {counts.cells} cells".strip(": "),
    }


@register.inclusion_tag("reporting/_legend.html")
def status_legend():
    return {"statuses": [(s, STATUS_LABELS[s]) for s in STATUS_ORDER]}
