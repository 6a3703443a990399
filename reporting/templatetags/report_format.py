"""Formatting for the report pages: cells by column kind, status badges, stacked status bars (inline SVG).
They format values the builders computed; they never query or decide."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import truncatewords
from django.utils.formats import date_format, localize, number_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext

from activities.models.activity import activity_urls
from activities.templatetags.strategy_format import code
from reporting.reports.core import STATUS_LABELS, STATUS_ORDER

register = template.Library()


@register.filter
def percent(share) -> str:
    """A share 0–1 as '42 %' (digits and sign as the active language writes them, the same words as the
    maps' reporting.maps.render.percent); an em dash when there is nothing to divide."""
    if share is None:
        return "—"
    return gettext("%(percent)s %%") % {"percent": number_format(round(share * 100))}


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
            short_date(date),
        )
    return format_html('<span class="st st-{}">{}</span>', status, STATUS_LABELS.get(status, status))


def short_date(value) -> str:
    """A date as '1 Mar 2024', the month abbreviated in the active language."""
    return date_format(value, "j M Y")


def usd(value) -> str:
    """An amount grouped as the active language groups digits, cents only when there are some."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, places, force_grouping=True)


@register.simple_tag
def report_cell(value, column, strategy, activity_url=None):
    """One cell of a report table, formatted by its column's kind; `activity_url` (activity_urls of the
    strategy) saves a reverse per row where a table links many activities."""
    kind = column.kind
    if kind == "status":
        return status_badge(value) if value else ""
    if value is None or value == "":
        return format_html('<span class="muted" aria-label="{}">—</span>', gettext("none"))
    if kind == "activity":
        url = (activity_url or activity_urls(strategy.slug))(value)
        return format_html('<a href="{}">{}</a>', url, value)
    if kind == "usd":
        return usd(value)
    if kind == "percent":
        return percent(value)
    if kind == "date":
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), short_date(value))
    if kind == "int":
        return number_format(value, force_grouping=True)
    if isinstance(value, str) and len(value) > 220:
        # Long texts (activity texts, narratives) are cut on screen; the exports carry them whole.
        return format_html('<span title="{}">{}</span>', value, Truncator(value).words(30))
    return value


@register.filter
def numeric(column) -> bool:
    return column.kind in ("int", "usd", "percent", "year")


@register.simple_tag
def table_body(table, strategy):
    """A report table's rows, each cell formatted by its column (report_cell) and labelled with the column
    for the layout that stacks on a phone. Built here rather than in the template: the long tables (the
    budget's runs to thousands of cells) spent most of their rendering in a template tag per cell."""
    columns = [
        (
            column,
            escape(f"k-{column.kind} num" if numeric(column) else f"k-{column.kind}"),
            escape(column.label),
        )
        for column in table.columns
    ]
    first_class = escape(f"k-{table.columns[0].kind}") if table.columns else ""
    url = activity_urls(strategy.slug) if strategy else None
    classes = table.row_classes or [""] * len(table.rows)
    rows = []
    for css, row in zip(classes, table.rows, strict=True):
        cells = []
        for i, (value, (column, td_class, label)) in enumerate(zip(row, columns, strict=True)):
            content = conditional_escape(report_cell(value, column, strategy, url))
            if i == 0:
                cells.append(f'<th scope="row" class="{first_class}" data-label="{label}">{content}</th>')
            else:
                cells.append(f'<td class="{td_class}" data-label="{label}">{content}</td>')
        opening = f'<tr class="{escape(css)}">' if css else "<tr>"
        rows.append(opening + "".join(cells) + "</tr>")
    # every part above is escaped, or built by format_html (report_cell)
    return mark_safe("\n".join(rows))


@register.simple_tag
def status_bar(counts, label="", height=14):
    """A stacked bar of cells by status, as inline SVG with a text alternative; the numbers are in a table.
    Built here rather than in an inclusion template: pages draw one per activity (the POW crosswalk
    hundreds), and a template per bar was most of their rendering time."""
    return _status_bar(counts, label, height, STATUS_LABELS)


def _status_bar(counts, label, height, labels):
    """status_bar, with the status labels given (rollup_rows translates them once for all its bars)."""
    segments = counts.segments
    # Translators: one status in a bar's text alternative, e.g. "Completed 3".
    part = gettext("%(status)s %(count)s")
    parts = [part % {"status": labels[s["status"]], "count": s["n"]} for s in segments]
    # Translators: joins the statuses of a bar's text alternative, e.g. "Completed 3, Delayed 1".
    statuses = pgettext("list separator", ", ").join(parts) or gettext("nothing")
    # Translators: a bar's text alternative, e.g. "Completed 3, Delayed 1 of 4 cells".
    text = ngettext("%(statuses)s of %(cells)s cell", "%(statuses)s of %(cells)s cells", counts.cells) % {
        "statuses": statuses,
        "cells": counts.cells,
    }
    if label:
        # Translators: a bar's text alternative with what it is about, e.g. "Result 1.1: Completed 3 of 4 cells".
        text = gettext("%(label)s: %(text)s") % {"label": label, "text": text}
    # statuses are fixed identifiers, offsets and widths numbers: only the text needs escaping
    rects = "".join(
        f'<rect class="bar-{s["status"]}" x="{s["offset"]:.3f}" y="0" width="{s["width"]:.3f}" height="{height:d}"/>'
        for s in segments
    )
    label = escape(text)
    return mark_safe(  # the text escaped above; the rest built here from numbers and identifiers
        f'<svg class="status-bar" role="img" aria-label="{label}" viewBox="0 0 100 {height:d}" '
        f'preserveAspectRatio="none" width="100%" height="{height:d}"><title>{label}</title>'
        f'<rect class="bar-bg" x="0" y="0" width="100" height="{height:d}"/>{rects}</svg>'
    )


def _translated_status_labels() -> dict[str, str]:
    """STATUS_LABELS translated into the active language once, for the row builders below: each lazy
    label would otherwise be translated again in every row and bar."""
    return {status: str(label) for status, label in STATUS_LABELS.items()}


@register.simple_tag
def rollup_rows(tree):
    """The dashboard's rollup: a row per theme, objective and result (code, title, activities, bar, cells
    per status, completed share), each cell labelled for the layout that stacks on a phone. Built here
    rather than by an include per row: the labels are translated once for all the rows."""
    labels = _translated_status_labels()
    activities = escape(gettext("Activities"))
    share = escape(gettext("Completed share"))
    status_labels = [escape(labels[status]) for status in STATUS_ORDER]

    def row(node) -> str:
        totals = node.totals
        counts = "".join(
            f'<td class="num" data-label="{label}">{conditional_escape(localize(n))}</td>'
            for label, n in zip(status_labels, totals.values(), strict=True)
        )
        title = conditional_escape(truncatewords(node.title, 14))
        return (
            f'<tr class="level-{conditional_escape(localize(node.level))}"><th scope="row"><span class="code">'
            f'{conditional_escape(node.code)}</span> <span class="node-title">{title}</span></th>'
            f'<td class="num" data-label="{activities}">{conditional_escape(localize(totals.activities))}</td>'
            f'<td class="bar-cell">{_status_bar(totals, node.code, 14, labels)}</td>{counts}'
            f'<td class="num" data-label="{share}">{conditional_escape(percent(totals.completion))}</td></tr>'
        )

    rows = []
    for theme in tree:
        rows.append(row(theme))
        for objective in theme.children:
            rows.append(row(objective))
            rows.extend(row(result) for result in objective.children)
    # every value above is escaped; the bars are built by _status_bar
    return mark_safe("\n".join(rows))


@register.simple_tag
def pow_rows(activities, strategy):
    """One CAMI POW measure's rows on the crosswalk: the activity (linked, its text cut to 12 words), its
    cells as a bar, per status and the completed share. Built here: the crosswalk lists every activity
    under each measure it names, hundreds of rows."""
    url = activity_urls(strategy.slug)
    labels = _translated_status_labels()
    out = []
    for a in activities:
        counts = a["counts"]
        numbers = "".join(f'<td class="num">{conditional_escape(localize(n))}</td>' for n in counts.values())
        out.append(
            f'<tr><th scope="row"><a href="{escape(url(a["code"]))}">{code(a["code"])}</a> '
            f'<span class="node-title">{conditional_escape(truncatewords(a["text"], 12))}</span></th>'
            f"<td>{_status_bar(counts, a['code'], 14, labels)}</td>{numbers}"
            f'<td class="num">{conditional_escape(percent(counts.completion))}</td></tr>'
        )
    # every value above is escaped (code() escapes or isolates the code); the bars are built by _status_bar
    return mark_safe("".join(out))


@register.simple_tag
def matrix_rows(rows, strategy):
    """The matrix page's rows: the activity (linked, its text cut to 8 words), then per Range State and
    range-wide its latest approved status, whether the range-wide one stands for the state, the date and
    the entry's confidence. Built here rather than in the template: a page of 100 activities has over
    2,000 cells, and a date formatted per cell (dates repeat) was much of its time."""
    url = activity_urls(strategy.slug)
    labels = {status: escape(label) for status, label in _translated_status_labels().items()}
    via = f'<span class="via">{escape(gettext("range-wide"))}</span>'
    dates = {}

    def when(date) -> str:
        if date not in dates:
            dates[date] = (
                f'<time datetime="{escape(date_format(date, "Y-m-d"))}">{escape(date_format(date, "j M Y"))}</time>'
            )
        return dates[date]

    out = []
    for row in rows:
        activity = row["activity"]
        cells = []
        for cell in row["cells"]:
            status = cell["status"]
            cells.append(
                f'<td class="cell st-{escape(status)}"><span class="st-text">{labels.get(status) or escape(status)}</span>'
                + (via if cell.get("from_range_wide") else "")
                + (when(cell["date"]) if cell.get("date") else "")
                + (
                    f'<span class="confidence">{escape(cell["confidence"])}</span>'
                    if cell.get("confidence")
                    else ""
                )
                + "</td>"
            )
        out.append(
            f'<tr><th scope="row"><a href="{escape(url(activity["code"]))}">{code(activity["code"])}</a> '
            f'<span class="node-title">{conditional_escape(truncatewords(activity["text"], 8))}</span></th>\n'
            + "".join(cells)
            + "</tr>"
        )
    # every value above is escaped (code() escapes or isolates the code)
    return mark_safe("".join(f"\n{row}\n" for row in out))


@register.inclusion_tag("reporting/_legend.html")
def status_legend():
    return {"statuses": [(s, STATUS_LABELS[s]) for s in STATUS_ORDER]}


@register.filter
def labelled_values(counts):
    """A StatusCounts' counts per status, each with its status's label (for tables that stack on a phone)."""
    return [(STATUS_LABELS[status], n) for status, n in zip(STATUS_ORDER, counts.values(), strict=True)]
