"""Template tags for the range maps: {% range_map %} (the map with its toggles, legend, disclaimer and
figures table) and {% locator_map %} (one state within the range). They format what the reports
computed (StateFigures, MapGroup from reporting.maps); they never query, except {% strategy_range_map %}
on the strategy page, which calls the report builder. Pages that use them link
static/css/maps.css."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from reporting import maps
from reporting.maps import render
from reporting.reports.core import Scope
from reporting.reports.ranges import range_state_counts

register = template.Library()


@register.inclusion_tag("reporting/maps/range_map.html")
def range_map(figures, title, groups=(), map_id="range-map", table=True, groups_title=None):
    """{% range_map figures title groups=groups map_id="pl-map" %}: `figures` a list of StateFigures,
    `groups` a list of MapGroup (the strategy's metapopulations), `map_id` unique on the page."""
    figures, groups = list(figures), list(groups)[: render.MAX_GROUPS]
    return {
        "map_id": map_id,
        "title": title,
        "svg": mark_safe(  # built from escaped values by reporting.maps.render
            maps.range_map_svg(
                figures, title=title, groups=groups, map_id=map_id, legend=False, interactive=True
            )
        ),
        "toggles": [
            {"group": g, "n": i + 1, "key": mark_safe(render.group_key_svg(i))} for i, g in enumerate(groups)
        ],
        "groups_title": groups_title,
        "legend": [
            {"label": c.label, "swatch": mark_safe(render.legend_swatch_svg(c, f"{map_id}-lg"))}
            for c in maps.legend_classes(figures)
        ]
        + [
            {
                "label": render.CONTEXT_LABEL,
                "swatch": mark_safe(render.legend_swatch_svg(render.CONTEXT_CLASS, f"{map_id}-lg")),
            }
        ],
        "rows": [
            {"figures": f, "class": maps.map_class(f), "share": render.percent(f.share_completed)}
            for f in sorted(figures, key=lambda f: f.name)
        ],
        "table": table,
        "disclaimer": maps.DISCLAIMER,
    }


@register.inclusion_tag("reporting/maps/locator_map.html")
def locator_map(iso_code, range_iso_codes, title, map_id="locator"):
    """{% locator_map "AM" strategy_iso_codes title %}: the state highlighted within the range, with the
    title and the disclaimer as its caption."""
    svg = maps.locator_map_svg(
        iso_code=iso_code, range_iso_codes=range_iso_codes, title=title, map_id=map_id, disclaimer=False
    )
    return {
        "svg": mark_safe(svg),  # built from escaped values by reporting.maps.render
        "title": title,
        "disclaimer": maps.DISCLAIMER,
    }


@register.inclusion_tag("reporting/maps/strategy_map.html")
def strategy_range_map(strategy, range_map=None, map_id="range-map", level=2):
    """{% strategy_range_map strategy range_map=report.page.range_map %}: the strategy's Range State map
    with its heading, introduction, toggles, legend and figures table; nothing for a strategy without
    Range States. The dashboard passes the map its report built. The strategy page (in activities, which
    never imports reporting) passes none, and this tag reads it with the one report builder: six queries,
    flat (reporting.reports.ranges.range_state_counts)."""
    if range_map is None:
        range_map = range_state_counts(Scope(strategy=strategy))
    return {
        "range_map": range_map,
        "title": gettext("Implementation by Range State: %(strategy)s") % {"strategy": strategy},
        "map_id": map_id,
        "level": level,
    }
