"""The Range State map: the strategy's Range States classed by their completed share, each a link with its
figures in words, neighbours grey, metapopulation outlines, the legend and the read-out strip."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import get_language_bidi, gettext, ngettext

from reporting.maps import shapes as geo

from .figures import (
    CLASSES,
    CONTEXT_FILL,
    CONTEXT_LABEL,
    DISCLAIMER,
    FONT_FAMILY,
    GROUP_STYLES,
    MAX_GROUPS,
    STATE_STROKE,
    WATER,
    MapGroup,
    StateFigures,
    describe,
    legend_classes,
    map_class,
)
from .svg import _context, _f, _text, _unknown, _view_box, _wrap, class_fill, pattern_def


def range_map_svg(
    figures: Sequence[StateFigures],
    *,
    title: str,
    groups: Sequence[MapGroup] = (),
    map_id: str = "range-map",
    legend: bool = True,
    interactive: bool = False,
    groups_visible: bool = False,
    rtl: bool | None = None,
) -> str:
    """The strategy's Range States, each coloured and patterned by its class, a link to `url`, with its
    name and figures in <title>/<desc>; neighbours grey; `groups` as outlines.

    legend: draw the legend and the UN disclaimer inside the SVG (documents, print, a file on its own);
        a page may leave them out and write both in HTML beside it, as range_map.html does.
    interactive: add the read-out strip that shows the figures of the state under the pointer or the
        keyboard focus (needs static/css/maps.css) and leave the group outlines hidden until their
        toggle is checked; groups_visible draws them regardless (print, documents).
    rtl: lay out the text for a right-to-left language (default: the active language's direction).
    """
    rtl = get_language_bidi() if rtl is None else rtl
    shapes = geo.load()
    drawn = [f for f in figures if f.iso_code in shapes.countries]
    missing = _unknown(figures)
    groups = list(groups)[:MAX_GROUPS]
    group_keys = {k for g in groups for k in g.iso_codes if k in shapes.countries}
    keys = {f.iso_code for f in drawn} | group_keys
    if not keys:
        keys = set(shapes.countries)  # nothing to place: the whole region
    x0, y0, x1, y1 = _view_box(keys)
    w, h = x1 - x0, y1 - y0
    u = w / 100  # the layout unit: text sizes and strokes scale with the map
    pid = escape(map_id)
    width = w - 4 * u
    start = x1 - 2 * u if rtl else x0 + 2 * u
    out_body: list[str] = []

    # what lies below the map, laid out first so that the height is known
    y = y1
    below: list[str] = []
    if interactive:
        size = 2.2 * u
        y += 1.5 * u + size
        readout_y = y
        below.append(
            _text(start, y, gettext("Point at a state, or move to it with the Tab key, to see its figures."),
                  size, rtl=rtl, css="rm-prompt", extra=' fill="#555"')
        )  # fmt: skip
        y += 2.7 * size  # room for a read-out of three lines
    if missing:
        size = 2.2 * u
        names = ", ".join(f.name for f in missing)
        for line in _wrap(
            gettext("No boundary data, so not drawn: %(states)s.") % {"states": names}, size, width
        ):
            y += 1.3 * size
            below.append(_text(start, y, line, size, rtl=rtl, css="rm-missing"))
    if legend:
        y, legend_svg = _legend_rows(
            [(class_fill(c, pid), c.label, None) for c in legend_classes(drawn)]
            + [(CONTEXT_FILL, CONTEXT_LABEL, None)]
            + (
                [(None, f"{g.number} {g.name}", i) for i, g in enumerate(groups)]
                if groups and (groups_visible or interactive)
                else []
            ),
            x0=x0, x1=x1, y=y + 1.5 * u, u=u, rtl=rtl,
        )  # fmt: skip
        below.append(legend_svg)
        size = 1.9 * u
        y += 0.5 * u
        for line in _wrap(DISCLAIMER, size, width):
            y += 1.3 * size
            below.append(_text(start, y, line, size, rtl=rtl, css="rm-disclaimer", extra=' fill="#444"'))
    y += 1.5 * u
    total_h = y - y0

    stroke = 0.12 * u
    clip = f"{pid}-clip"
    defs = [f'<clipPath id="{clip}"><rect x="{x0}" y="{y0}" width="{w}" height="{h}"/></clipPath>']
    defs += [pattern_def(c, f"{pid}-p-{c.key}", 1.3 * u) for c in CLASSES if c.pattern]

    state_keys = {f.iso_code for f in drawn}
    out_body.append(f'<rect class="rm-water" x="{x0}" y="{y0}" width="{w}" height="{h}" fill="{WATER}"/>')
    out_body.append(_context((x0, y0, x1, y1), state_keys, stroke * 1.5, clip))
    if interactive:
        out_body.append(below.pop(0))  # the prompt, which a state's read-out covers
    states = [
        f'<g class="rm-states" stroke="{STATE_STROKE}" stroke-width="{_f(stroke)}" stroke-linejoin="round">'
    ]
    for f in sorted(drawn, key=lambda f: f.name):
        cls = map_class(f)
        label = gettext("%(state)s: %(class)s") % {"state": f.name, "class": cls.label}
        inner = (
            f"<title>{escape(label)}</title><desc>{escape(describe(f))}</desc>"
            f'<path d="{geo.country_path(f.iso_code)}" fill="{class_fill(cls, pid)}" fill-rule="evenodd"/>'
        )
        attrs = (
            f'class="rm-state rm-{cls.key}" data-iso="{escape(f.iso_code)}" data-class="{cls.key}" '
            f'clip-path="url(#{clip})"'
        )
        if f.href:
            states.append(f'<a href="{escape(f.href)}" {attrs}>{inner}</a>')
        else:
            states.append(f"<g {attrs}>{inner}</g>")
        if interactive:
            states.append(_readout(f, x0, x1, readout_y, u, rtl))
    states.append("</g>")
    out_body += states
    if groups:
        out_body.append(
            _groups(groups, drawn, x0, y0, x1, y1, u, clip, hidden=interactive and not groups_visible)
        )
    out_body += below

    n_states = len(drawn)
    desc = ngettext(
        "Map of the %(count)s Range State of the strategy, coloured by the share of its activities completed.",
        "Map of the %(count)s Range States of the strategy, coloured by the share of their activities completed.",
        n_states,
    ) % {"count": number_format(n_states)}
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rm" viewBox="{x0} {y0} {w} {_f(total_h)}" '
        f'role="group" aria-labelledby="{pid}-t" aria-describedby="{pid}-d" direction="ltr" '
        f'font-family="{FONT_FAMILY}">'
        f'<title id="{pid}-t">{escape(title)}</title><desc id="{pid}-d">{escape(desc)} {escape(DISCLAIMER)}</desc>'
        f"<defs>{''.join(defs)}</defs>" + "".join(out_body) + "</svg>"
    )


def _readout(f: StateFigures, x0: float, x1: float, y: float, u: float, rtl: bool) -> str:
    """The figures of one state in the strip below the map, shown (by CSS) while the state before it is
    hovered or focused; a white box covers the prompt."""
    size = 2.2 * u
    width = x1 - x0 - 4 * u
    start = x1 - 2 * u if rtl else x0 + 2 * u
    lines = _wrap(describe(f), size, width)[:3]
    texts = "".join(
        _text(start, y + i * 1.3 * size, line, size, rtl=rtl, extra=' font-weight="600"' if i == 0 else "")
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="rm-info" display="none" aria-hidden="true" stroke="none">'
        f'<rect x="{_f(x0)}" y="{_f(y - 1.2 * size)}" width="{_f(x1 - x0)}" height="{_f(4.2 * size)}" fill="#fff"/>'
        f"{texts}</g>"
    )


def _legend_rows(items, *, x0, x1, y, u, rtl) -> tuple[float, str]:
    """Legend items (fill, label, group index) flowed into rows across the width, from the reading side."""
    size = 2.2 * u
    sw, gap = 3.2 * u, 0.8 * u
    out, cursor, row_y = [], 0.0, y + size
    limit = x1 - x0 - 4 * u
    for fill, label, group_index in items:
        label = str(label)
        item_w = sw + gap + len(label) * size * 0.55 + 2.5 * u
        if cursor and cursor + item_w > limit:
            cursor, row_y = 0.0, row_y + 1.7 * size
        if rtl:
            sx = x1 - 2 * u - cursor - sw
            tx = sx - gap
        else:
            sx = x0 + 2 * u + cursor
            tx = sx + sw + gap
        top = row_y - 0.8 * size
        if group_index is None:
            out.append(
                f'<rect x="{_f(sx)}" y="{_f(top)}" width="{_f(sw)}" height="{_f(size)}" fill="{fill}" '
                f'stroke="{STATE_STROKE}" stroke-width="{_f(0.12 * u)}"/>'
            )
        else:
            colour, dash = GROUP_STYLES[group_index % len(GROUP_STYLES)]
            dash_attr = f' stroke-dasharray="{_scale_dash(dash, 0.4 * u)}"' if dash else ""
            out.append(
                f'<path d="M{_f(sx)} {_f(top + size / 2)}h{_f(sw)}" stroke="{colour}" '
                f'stroke-width="{_f(0.6 * u)}"{dash_attr}/>'
            )
        out.append(_text(tx, row_y, label, size, rtl=rtl))
        cursor += item_w
    return row_y + 0.6 * size, f'<g class="rm-legend">{"".join(out)}</g>'


def _scale_dash(dash: str, factor: float) -> str:
    return " ".join(_f(float(part) * factor) for part in dash.split())


def _group_anchor(group: MapGroup, others: Sequence[MapGroup], box: geo.Box) -> tuple[float, float]:
    """Where a group's number goes: amid the members no other group has (Armenia, Azerbaijan and Georgia
    for the Caucasus), else amid all its members, kept inside the map."""
    countries = geo.load().countries
    shared = {k for g in others if g is not group for k in g.iso_codes}
    members = sorted(k for k in group.iso_codes if k in countries)
    own = [k for k in members if k not in shared] or members
    x = sum(countries[k].label[0] for k in own) / len(own)
    y = sum(countries[k].label[1] for k in own) / len(own)
    x0, y0, x1, y1 = box
    pad = 0.04 * (x1 - x0)
    return min(max(x, x0 + pad), x1 - pad), min(max(y, y0 + pad), y1 - pad)


def _groups(groups, figures, x0, y0, x1, y1, u, clip, *, hidden: bool) -> str:
    shapes = geo.load()
    names = {f.iso_code: f.name for f in figures}
    out = ['<g class="rm-groups" fill="none" stroke-linejoin="round">']
    for i, group in enumerate(groups):
        members = frozenset(k for k in group.iso_codes if k in shapes.countries)
        if not members:
            continue
        colour, dash = GROUP_STYLES[i % len(GROUP_STYLES)]
        dash_attr = f' stroke-dasharray="{_scale_dash(dash, 0.5 * u)}"' if dash else ""
        member_names = ", ".join(sorted(names.get(k) or shapes.countries[k].name for k in members))
        label = gettext("%(number)s %(name)s: %(states)s") % {
            "number": group.number,
            "name": group.name,
            "states": member_names,
        }
        ax, ay = _group_anchor(group, groups, (x0, y0, x1, y1))
        r = 2.2 * u
        display = ' display="none"' if hidden else ""
        out.append(
            f'<g class="rm-g rm-g{i + 1}"{display}><title>{escape(label)}</title>'
            f'<path d="{geo.outline_path(members)}" stroke="#fff" stroke-width="{_f(0.9 * u)}" '
            f'clip-path="url(#{clip})"/>'
            f'<path d="{geo.outline_path(members)}" stroke="{colour}" stroke-width="{_f(0.55 * u)}"{dash_attr} '
            f'clip-path="url(#{clip})"/>'
            f'<circle cx="{_f(ax)}" cy="{_f(ay)}" r="{_f(r)}" fill="#fff" stroke="{colour}" '
            f'stroke-width="{_f(0.4 * u)}"/>'
            f'<text x="{_f(ax)}" y="{_f(ay + 0.7 * u)}" font-size="{_f(2.2 * u)}" text-anchor="middle" '
            f'font-weight="700" fill="{colour}">{escape(str(group.number))}</text></g>'
        )
    out.append("</g>")
    return "".join(out)
