"""SVG pieces the maps share: patterns and swatches, group keys, wrapped and right-to-left text, the view box
and the grey neighbours."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from django.utils.html import escape

from reporting.maps import shapes as geo

from .figures import CONTEXT_FILL, CONTEXT_STROKE, GROUP_STYLES, STATE_STROKE, MapClass, StateFigures


def _f(value: float) -> str:
    """A coordinate or length: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def pattern_def(cls: MapClass, pattern_id: str, size: float) -> str:
    """The <pattern> that fills a state of this class (the fill colour plus its marks)."""
    kind, ink = cls.pattern
    s = size
    marks = {
        "dots": f'<circle cx="{_f(s / 2)}" cy="{_f(s / 2)}" r="{_f(s * 0.16)}" fill="{ink}"/>',
        "lines": f'<path d="M0 0V{_f(s)}" stroke="{ink}" stroke-width="{_f(s * 0.16)}"/>',
        "plus": (
            f'<path d="M{_f(s * 0.25)} {_f(s / 2)}h{_f(s / 2)}M{_f(s / 2)} {_f(s * 0.25)}v{_f(s / 2)}" '
            f'stroke="{ink}" stroke-width="{_f(s * 0.1)}"/>'
        ),
        "back": f'<path d="M0 0V{_f(s)}" stroke="{ink}" stroke-width="{_f(s * 0.12)}"/>',
        "cross": f'<path d="M0 0V{_f(s)}M0 0H{_f(s)}" stroke="{ink}" stroke-width="{_f(s * 0.14)}"/>',
    }[kind]
    angle = {"back": -45, "plus": 0}.get(kind, 45)
    return (
        f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="{_f(s)}" height="{_f(s)}" '
        f'patternTransform="rotate({angle})"><rect width="{_f(s)}" height="{_f(s)}" fill="{cls.fill}"/>'
        f"{marks}</pattern>"
    )


def class_fill(cls: MapClass, id_prefix: str) -> str:
    return f"url(#{id_prefix}-p-{cls.key})" if cls.pattern else cls.fill


def legend_swatch_svg(cls: MapClass, id_prefix: str) -> str:
    """A small stand-alone swatch (its own pattern), for a legend written in HTML beside the map."""
    defs = f"<defs>{pattern_def(cls, f'{id_prefix}-p-{cls.key}', 6)}</defs>" if cls.pattern else ""
    return (
        f'<svg class="rm-swatch" viewBox="0 0 24 16" width="24" height="16" aria-hidden="true" focusable="false">'
        f'{defs}<rect x=".5" y=".5" width="23" height="15" fill="{class_fill(cls, id_prefix)}" '
        f'stroke="{STATE_STROKE}"/></svg>'
    )


def group_key_svg(index: int) -> str:
    """A short stroke in a group's colour and dash, for the toggles and the HTML legend."""
    colour, dash = GROUP_STYLES[index % len(GROUP_STYLES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg class="rm-swatch" viewBox="0 0 24 16" width="24" height="16" aria-hidden="true" focusable="false">'
        f'<path d="M1 8H23" stroke="{colour}" stroke-width="3"{dash_attr}/></svg>'
    )


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break text into lines that fit `width` at font `size` (an average glyph is about 0.55 em wide)."""
    per_line = max(int(width / (size * 0.55)), 10)
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def _text(x: float, y: float, text: str, size: float, *, rtl: bool, css: str = "", extra: str = "") -> str:
    """A line of text that starts at x: its left end in a left-to-right language, its right end in a
    right-to-left one (direction="rtl" with text-anchor start). The geometry around it never flips."""
    direction = ' direction="rtl"' if rtl else ""
    cls = f' class="{css}"' if css else ""
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{_f(size)}"{direction}{cls}{extra}>{escape(text)}</text>'
    )


def _view_box(keys: Iterable[str], margin: float = 0.04) -> geo.Box:
    shapes = geo.load()
    x0, y0, x1, y1 = geo.union_box(shapes.countries[k].bbox for k in keys)
    pad = margin * max(x1 - x0, y1 - y0)
    fx0, fy0, fx1, fy1 = shapes.frame
    return (
        math.floor(max(x0 - pad, fx0)),
        math.floor(max(y0 - pad, fy0)),
        math.ceil(min(x1 + pad, fx1)),
        math.ceil(min(y1 + pad, fy1)),
    )


def _context(box: geo.Box, skip: set[str], stroke_width: float, clip: str) -> str:
    shapes = geo.load()
    paths = [
        f'<path d="{geo.country_path(key)}"/>'
        for key, country in sorted(shapes.countries.items())
        if key not in skip and geo.overlaps(country.bbox, box)
    ]
    return (
        f'<g class="rm-context" aria-hidden="true" fill="{CONTEXT_FILL}" fill-rule="evenodd" '
        f'stroke="{CONTEXT_STROKE}" stroke-width="{_f(stroke_width)}" clip-path="url(#{clip})">'
        + "".join(paths)
        + "</g>"
    )


def _unknown(figures: Sequence[StateFigures]) -> list[StateFigures]:
    countries = geo.load().countries
    return [f for f in figures if f.iso_code not in countries]
