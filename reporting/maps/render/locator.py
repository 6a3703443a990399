"""The locator map: one state highlighted within the strategy's range, as SVG for pages and PNG for
documents."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.translation import get_language_bidi, gettext

from reporting.maps import shapes as geo

from .figures import DISCLAIMER, FONT_FAMILY, LOCATOR_HIGHLIGHT, LOCATOR_RANGE, WATER
from .svg import _context, _f, _text, _view_box, _wrap


def locator_title(*, state: str, strategy: str) -> str:
    return gettext("%(state)s within the range of the %(strategy)s") % {"state": state, "strategy": strategy}


def locator_map_svg(
    *,
    iso_code: str,
    range_iso_codes: Iterable[str],
    title: str,
    map_id: str = "locator",
    disclaimer: bool = True,
    rtl: bool | None = None,
) -> str:
    """One state highlighted within the strategy's range: the other Range States mid-grey, neighbours
    light grey. A state too small to find at this scale gets a ring around it.

    disclaimer: write the UN disclaimer under the map (documents); a page may write it in HTML instead,
        as {% locator_map %} does. With no title and no disclaimer the SVG has no text at all and is
        hidden from assistive technology (the PNG for documents, whose caption says it all)."""
    rtl = get_language_bidi() if rtl is None else rtl
    shapes = geo.load()
    range_keys = {k for k in range_iso_codes if k in shapes.countries} | (
        {iso_code} if iso_code in shapes.countries else set()
    )
    x0, y0, x1, y1 = _view_box(range_keys or set(shapes.countries), margin=0.03)
    w, h = x1 - x0, y1 - y0
    u = w / 100
    pid = escape(map_id)
    clip = f"{pid}-clip"
    body = [
        f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="{WATER}"/>',
        _context((x0, y0, x1, y1), range_keys, 0.25 * u, clip),
        f'<g aria-hidden="true" fill="{LOCATOR_RANGE}" fill-rule="evenodd" stroke="#fff" '
        f'stroke-width="{_f(0.25 * u)}" clip-path="url(#{clip})">'
        + "".join(f'<path d="{geo.country_path(k)}"/>' for k in sorted(range_keys - {iso_code}))
        + "</g>",
    ]
    if iso_code in shapes.countries:
        country = shapes.countries[iso_code]
        body.append(
            f'<path class="rm-highlight" data-iso="{escape(iso_code)}" d="{geo.country_path(iso_code)}" '
            f'fill="{LOCATOR_HIGHLIGHT}" fill-rule="evenodd" stroke="#000" stroke-width="{_f(0.3 * u)}" '
            f'clip-path="url(#{clip})"/>'
        )
        bx0, by0, bx1, by1 = country.bbox
        if max(bx1 - bx0, by1 - by0) < 0.12 * w:
            r = max(bx1 - bx0, by1 - by0) * 0.75 + 2 * u
            body.append(
                f'<circle cx="{_f((bx0 + bx1) / 2)}" cy="{_f((by0 + by1) / 2)}" r="{_f(r)}" fill="none" '
                f'stroke="{LOCATOR_HIGHLIGHT}" stroke-width="{_f(0.8 * u)}"/>'
            )
    total_h = h
    if disclaimer:
        size = 3.2 * u
        start = x1 - 2 * u if rtl else x0 + 2 * u
        y = y1
        for line in _wrap(DISCLAIMER, size, w - 4 * u):
            y += 1.3 * size
            body.append(_text(start, y, line, size, rtl=rtl, css="rm-disclaimer", extra=' fill="#444"'))
        total_h = y + 1.2 * u - y0
    head, aria = "", 'aria-hidden="true"'
    if title:
        head = f'<title id="{pid}-t">{escape(title)}</title><desc id="{pid}-d">{escape(DISCLAIMER)}</desc>'
        aria = f'role="img" aria-labelledby="{pid}-t" aria-describedby="{pid}-d"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rm rm-locator" viewBox="{x0} {y0} {w} {_f(total_h)}" '
        f'{aria} direction="ltr" font-family="{FONT_FAMILY}">{head}'
        f'<defs><clipPath id="{clip}"><rect x="{x0}" y="{y0}" width="{w}" height="{h}"/></clipPath></defs>'
        + "".join(body)
        + "</svg>"
    )


def locator_map_png(*, iso_code: str, range_iso_codes: Iterable[str], width_px: int = 600) -> bytes:
    """The locator map as a PNG for DOCX documents, drawn by CairoSVG. It has no text (cairo's plain text
    cannot join Persian or Arabic letters): the document writes locator_title() and DISCLAIMER as its
    caption, which also keeps them selectable and translatable."""
    import cairosvg  # only documents need it

    svg = locator_map_svg(iso_code=iso_code, range_iso_codes=range_iso_codes, title="", disclaimer=False)
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width_px)
