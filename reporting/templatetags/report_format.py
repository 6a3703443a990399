"""Formatting for the report pages: cells by column kind, status badges, stacked status bars (inline SVG).
They format values the builders computed; they never query or decide."""

from django import template
from django.template.defaultfilters import floatformat, linebreaksbr, truncatewords
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext

from activities.models import Activity, ProgressEntry
from activities.models.activity import activity_urls
from activities.names import choice_labels
from activities.numbers import Numbers, percent
from activities.templatetags.strategy_format import code
from reporting.reports.core import NOT_REPORTED, STATUS_LABELS, STATUS_ORDER

register = template.Library()


register.filter("percent", percent)


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


class Cells:
    """The cells of report tables, each formatted by its column's kind: the language's
    number format, the translated labels and each date's markup looked up once for all the cells.
    Every cell comes back as HTML, what people typed escaped."""

    def __init__(self, strategy, activity_url=None):
        self.strategy = strategy
        self._activity_url = activity_url
        self.numbers = Numbers()
        self.none = format_html('<span class="muted" aria-label="{}">—</span>', gettext("none"))
        self.labels = {status: escape(label) for status, label in _translated_status_labels().items()}
        self.dates = {}

    def activity_url(self, code) -> str:
        if self._activity_url is None:
            self._activity_url = activity_urls(self.strategy.slug)
        return self._activity_url(code)

    def badge(self, status, date=None) -> str:
        """status_badge(status, date), with the labels translated once."""
        badge = f'<span class="st st-{escape(status)}">{self.labels.get(status) or escape(status)}</span>'
        if date:
            badge += f' <time datetime="{escape(date.isoformat())}">{escape(short_date(date))}</time>'
        return mark_safe(badge)  # the status and date escaped, the label escaped in __init__

    def __call__(self, value, kind) -> str:
        if kind == "status":
            return self.badge(value) if value else ""
        if value is None or value == "":
            return self.none
        if kind == "usd":
            return escape(self.numbers.usd(value))
        if kind == "int":
            return escape(self.numbers.format(value, force_grouping=True))
        if kind == "activity":
            return mark_safe(f'<a href="{escape(self.activity_url(value))}">{escape(value)}</a>')
        if kind == "percent":
            return escape(self.numbers.percent(value))
        if kind == "date":
            if value not in self.dates:
                self.dates[value] = format_html(
                    '<time datetime="{}">{}</time>', value.isoformat(), short_date(value)
                )
            return self.dates[value]
        if isinstance(value, str) and len(value) > 220:
            # Long texts (activity texts, narratives) are cut on screen; the exports carry them whole.
            return format_html('<span title="{}">{}</span>', value, Truncator(value).words(30))
        return conditional_escape(value)


@register.filter
def numeric(column) -> bool:
    return column.kind in ("int", "usd", "percent", "year")


@register.simple_tag
def table_body(table, strategy):
    """A report table's rows, each cell formatted by its column (Cells) and labelled with the column
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
    cell = Cells(strategy)
    classes = table.row_classes or [""] * len(table.rows)
    rows = []
    for css, row in zip(classes, table.rows, strict=True):
        cells = []
        for i, (value, (column, td_class, label)) in enumerate(zip(row, columns, strict=True)):
            content = cell(value, column.kind)
            if i == 0:
                cells.append(f'<th scope="row" class="{first_class}" data-label="{label}">{content}</th>')
            else:
                cells.append(f'<td class="{td_class}" data-label="{label}">{content}</td>')
        opening = f'<tr class="{escape(css)}">' if css else "<tr>"
        rows.append(opening + "".join(cells) + "</tr>")
    # every part above is escaped, or built by Cells (which escapes what people typed)
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
    numbers = Numbers()
    activities = escape(gettext("Activities"))
    share = escape(gettext("Completed share"))
    status_labels = [escape(labels[status]) for status in STATUS_ORDER]

    def row(node) -> str:
        totals = node.totals
        counts = "".join(
            f'<td class="num" data-label="{label}">{escape(numbers.localize(n))}</td>'
            for label, n in zip(status_labels, totals.values(), strict=True)
        )
        title = conditional_escape(truncatewords(node.title, 14))
        return (
            f'<tr class="level-{conditional_escape(localize(node.level))}"><th scope="row"><span class="code">'
            f'{conditional_escape(node.code)}</span> <span class="node-title">{title}</span></th>'
            f'<td class="num" data-label="{activities}">{escape(numbers.localize(totals.activities))}</td>'
            f'<td class="bar-cell">{_status_bar(totals, node.code, 14, labels)}</td>{counts}'
            f'<td class="num" data-label="{share}">{escape(numbers.percent(totals.completion))}</td></tr>'
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
    numbers = Numbers()
    out = []
    for a in activities:
        counts = a["counts"]
        cells = "".join(f'<td class="num">{escape(numbers.localize(n))}</td>' for n in counts.values())
        out.append(
            f'<tr><th scope="row"><a href="{escape(url(a["code"]))}">{code(a["code"])}</a> '
            f'<span class="node-title">{conditional_escape(truncatewords(a["text"], 12))}</span></th>'
            f"<td>{_status_bar(counts, a['code'], 14, labels)}</td>{cells}"
            f'<td class="num">{escape(numbers.percent(counts.completion))}</td></tr>'
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


@register.simple_tag
def national_activities(items, strategy):
    """One objective's activities on the national report: each an article with its status (badge, date,
    basis), timeline and priority and, when an approved entry stands for the round, its narrative,
    confidence, source, amount spent and public evidence. Built here rather than in the template: the
    report of a large strategy has hundreds of articles, and the template's tags per article were most
    of its time."""
    url = activity_urls(strategy.slug)
    badge = Cells(strategy, url).badge
    priorities = choice_labels(Activity, "priority")
    confidences = choice_labels(ProgressEntry, "confidence")
    heading = gettext("Activity %(code)s")
    priority = gettext("priority %(priority)s")
    # (the labels translated outside the f-strings, where makemessages finds them)
    terms = (
        pgettext("column", "Status"),
        gettext("Timeline"),
        gettext("Narrative"),
        gettext("Confidence"),
        pgettext("of the information", "Source"),
        pgettext("money", "Spent"),
        gettext("Evidence"),
    )
    status_dt, timeline_dt, narrative_dt, confidence_dt, source_dt, spent_dt, evidence_dt = (
        f"<dt>{escape(term)}</dt>" for term in terms
    )
    spent = gettext("USD %(amount)s")
    file_label = gettext("File")
    held = escape(gettext("(file held by the Secretariat)"))

    def evidence(e) -> str:
        if e.url:
            link = escape(e.url)
            return f'<li><a href="{link}" rel="nofollow noopener">{escape(e.title or e.url)}</a> <span class="print-url">{link}</span></li>'
        return f'<li>{escape(e.title or file_label)} <span class="muted">{held}</span></li>'

    out = []
    for item in items:
        activity, entry = item["activity"], item["entry"]
        status = badge(entry.status, entry.reporting_date) if entry else badge(NOT_REPORTED)
        fields = [status_dt, f'<dd>{status} <span class="muted">· {escape(item["basis"])}</span></dd>']
        if activity.timeline_text:
            when = escape(activity.timeline_text)
            if activity.priority:
                label = priorities.get(activity.priority, activity.priority)
                when += " · " + priority % {"priority": escape(label)}
            fields.append(f"{timeline_dt}<dd>{when}</dd>")
        if entry:
            fields.append(f"{narrative_dt}<dd>{linebreaksbr(entry.narrative or '—', autoescape=True)}</dd>")
            confidence = confidences.get(entry.confidence, entry.confidence)
            fields.append(f"{confidence_dt}<dd>{escape(confidence)}</dd>")
            if entry.source:
                fields.append(f"{source_dt}<dd>{escape(entry.source)}</dd>")
            if entry.amount_spent_usd is not None:
                amount = spent % {"amount": escape(floatformat(entry.amount_spent_usd, "0g"))}
                fields.append(f"{spent_dt}<dd>{amount}</dd>")
            if entry.public_evidence:
                links = "".join(evidence(e) for e in entry.public_evidence)
                fields.append(f'{evidence_dt}<dd><ul class="report-evidence">{links}</ul></dd>')
        code_html = heading % {"code": code(activity.code)}
        out.append(
            f'<article class="national-activity">\n<h3><a href="{escape(url(activity.code))}">{code_html}</a></h3>\n'
            f'<p class="activity-text">{escape(activity.text)}</p>\n'
            f'<dl class="fields compact-fields">\n' + "\n".join(fields) + "\n</dl>\n</article>"
        )
    # every value above is escaped (code() escapes or isolates the code; linebreaksbr escapes the narrative);
    # the translated texts are the msgids the template had, used as {% blocktranslate %} used them
    return mark_safe("\n".join(out))


@register.inclusion_tag("reporting/_legend.html")
def status_legend():
    return {"statuses": [(s, STATUS_LABELS[s]) for s in STATUS_ORDER]}


@register.filter
def labelled_values(counts):
    """A StatusCounts' counts per status, each with its status's label (for tables that stack on a phone)."""
    return [(STATUS_LABELS[status], n) for status, n in zip(STATUS_ORDER, counts.values(), strict=True)]
