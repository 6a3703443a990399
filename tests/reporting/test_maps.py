"""The range maps (reporting/maps): what each Range State is drawn as and says, the accessibility of the
SVG, right-to-left pages, the shapes' geography, the size on the wire, and the template tags.

Figures are set by hand per seeded Range State, so the expected class of each is known without the map's
own rule; the seeded strategies give the real ISO codes, names and metapopulations."""

import gzip
import itertools
import math
import re
import struct
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.template import engines
from django.utils import translation

from activities.models import RangeState, Strategy
from reporting.maps import (
    DISCLAIMER,
    MapGroup,
    StateFigures,
    locator_map_png,
    locator_map_svg,
    locator_title,
    metapopulation_groups,
    range_map_svg,
)
from reporting.maps import shapes as geo

SVG = "{http://www.w3.org/2000/svg}"
PERSIAN_LEOPARD = "persian-leopard-2023-2032"
CAUCASUS = "caucasus-leopard-2017"
# (completed, in progress, delayed, not reported, share completed) of 76 activity cells, and the class
# the map must give: every class at least once, and the edges of the bins.
FIGURES = {
    "AF": (0, 0, 0, 76, None, "none"),
    "AM": (19, 10, 5, 30, 0.25, "c25"),
    "AZ": (18, 0, 0, 50, 18 / 76, "c0"),
    "GE": (38, 20, 10, 8, 0.5, "c50"),
    "IR": (57, 10, 5, 4, 0.75, "c75"),
    "IQ": (0, 0, 0, 0, None, "nm"),  # every cell reported not applicable
    "KZ": (0, 1, 0, 75, 0.0, "c0"),
    "PK": (76, 0, 0, 0, 1.0, "c75"),
    "RU": (37, 0, 3, 10, 37 / 76, "c25"),
    "TR": (56, 0, 0, 20, 56 / 76, "c50"),
    "TM": (0, 0, 0, 76, None, "none"),
    "UZ": (5, 5, 5, 5, 5 / 76, "c0"),
}


def figures_for(strategy, **overrides) -> list[StateFigures]:
    out = []
    for state in strategy.range_states.all():
        completed, in_progress, delayed, not_reported, share, _ = FIGURES[state.iso_code]
        out.append(
            StateFigures(
                iso_code=state.iso_code,
                name=overrides.get("name", state.name),
                url=overrides.get("url", f"/reports/national/?range_state={state.iso_code}"),
                total=76,
                completed=completed,
                in_progress=in_progress,
                delayed=delayed,
                not_reported=not_reported,
                share_completed=share,
            )
        )
    return out


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def state_links(root) -> dict[str, ET.Element]:
    return {a.get("data-iso"): a for a in root.iter(f"{SVG}a")}


def text_of(element, tag) -> str:
    child = element.find(f"{SVG}{tag}")
    return "" if child is None else child.text or ""


@pytest.fixture
def persian_leopard(seeded):
    return Strategy.objects.get(slug=PERSIAN_LEOPARD)


@pytest.fixture
def pl_svg(persian_leopard):
    return range_map_svg(
        figures_for(persian_leopard),
        title="Persian Leopard: Range States",
        groups=metapopulation_groups(persian_leopard),
        map_id="pl",
        groups_visible=True,
    )


# --- every state, its class and its figures ----------------------------------------------------------------


def test_every_range_state_is_drawn_as_a_link_with_its_class(persian_leopard, pl_svg):
    links = state_links(parse(pl_svg))
    assert set(links) == {s.iso_code for s in persian_leopard.range_states.all()}
    assert len(links) == 12
    for iso, link in links.items():
        expected = FIGURES[iso][-1]
        assert link.get("data-class") == expected, iso
        assert f"rm-{expected}" in link.get("class").split()
        assert link.get("href") == f"/reports/national/?range_state={iso}"
        path = link.find(f"{SVG}path")
        assert path.get("d").startswith("M")
        assert path.get("fill") == ("#006d2c" if expected == "c75" else f"url(#pl-p-{expected})")


def test_each_state_says_its_name_and_figures_in_title_and_desc(pl_svg):
    links = state_links(parse(pl_svg))
    armenia = links["AM"]
    # the title comes first, so that it names the link
    assert next(iter(armenia)).tag == f"{SVG}title"
    assert text_of(armenia, "title") == "Armenia: 25 % to under 50 % completed"
    assert text_of(armenia, "desc") == (
        "Armenia: 19 of 76 activities completed (25 %); 10 in progress; 5 delayed or at risk; "
        "12 with another status; 30 not reported."
    )
    assert text_of(links["IR"], "title") == "Islamic Republic of Iran: 75 % or more completed"
    assert "57 of 76 activities completed (75 %)" in text_of(links["IR"], "desc")
    assert text_of(links["TR"], "title") == "Türkiye: 50 % to under 75 % completed"


def test_states_without_approved_reports_are_marked_as_such(pl_svg):
    links = state_links(parse(pl_svg))
    for iso in ("AF", "TM"):
        assert links[iso].get("data-class") == "none"
        assert links[iso].find(f"{SVG}path").get("fill") == "url(#pl-p-none)"
        assert text_of(links[iso], "title").endswith(": No approved reports")
        assert "no approved reports yet on any of its 76 activities" in text_of(links[iso], "desc")
    # a state whose every cell is "not applicable" has reports, but no share to colour by
    assert links["IQ"].get("data-class") == "nm"
    assert "nothing to measure" in text_of(links["IQ"], "title")


def test_the_legend_shows_every_class_with_its_pattern_and_the_disclaimer(pl_svg):
    root = parse(pl_svg)
    legend = root.find(f".//{SVG}g[@class='rm-legend']")
    labels = [t.text for t in legend.iter(f"{SVG}text")]
    assert labels[:7] == [
        "75 % or more completed",
        "50 % to under 75 % completed",
        "25 % to under 50 % completed",
        "Under 25 % completed",
        "Reported, nothing to measure (every activity not applicable)",
        "No approved reports",
        "Not a Range State of this strategy",
    ]
    assert labels[7:] == ["1 Caucasus", "2 Alborz-Kopet Dagh", "3 Zagros", "4 eastern range"]
    fills = {r.get("fill") for r in legend.iter(f"{SVG}rect")}
    assert {"url(#pl-p-c50)", "url(#pl-p-c25)", "url(#pl-p-c0)", "url(#pl-p-none)"} <= fills
    # each patterned class has its own pattern: colour is never the only carrier
    patterns = list(root.iter(f"{SVG}pattern"))
    # the marks differ, not only their colours: compare them with the colours left out
    shapes_only = {(p.get("patternTransform"), *((c.tag, c.get("d")) for c in list(p)[1:])) for p in patterns}
    assert len(patterns) == len(shapes_only) == 5
    disclaimer = " ".join(t.text for t in root.iter(f"{SVG}text") if t.get("class") == "rm-disclaimer")
    assert disclaimer == str(DISCLAIMER)


def test_neighbours_are_grey_context_without_links(pl_svg):
    context = parse(pl_svg).find(f".//{SVG}g[@class='rm-context']")
    assert context.get("aria-hidden") == "true"
    assert context.get("fill") == "#e4e4e4"
    assert len(context.findall(f"{SVG}path")) >= 20  # Syria, Saudi Arabia, China, India, Ukraine…
    assert not list(context.iter(f"{SVG}a"))


def test_metapopulations_are_outlined_with_their_states(persian_leopard, pl_svg):
    groups = parse(pl_svg).findall(f".//{SVG}g[@class='rm-groups']/{SVG}g")
    titles = [text_of(g, "title") for g in groups]
    assert titles == [
        "1 Caucasus: Armenia, Azerbaijan, Georgia, Islamic Republic of Iran, Russian Federation, Türkiye",
        "2 Alborz-Kopet Dagh: Islamic Republic of Iran, Kazakhstan, Turkmenistan, Uzbekistan",
        "3 Zagros: Iraq, Islamic Republic of Iran, Türkiye",
        # Tajikistan is in Figure 1's eastern range but not a Range State of the strategy: drawn as context
        "4 eastern range: Afghanistan, Pakistan, Tajikistan, Uzbekistan",
    ]
    for g in groups:
        assert g.get("display") is None  # groups_visible
        assert g.find(f"{SVG}path").get("d").startswith("M")
    assert "TJ" not in state_links(parse(pl_svg))


def test_a_group_outline_leaves_out_the_borders_inside_it():
    # Armenia + Azerbaijan: their common border is not part of the outline of the two together
    both = geo.outline_path(frozenset({"AM", "AZ"}))
    alone = geo.outline_path(frozenset({"AM"})) + geo.outline_path(frozenset({"AZ"}))
    assert 0 < len(both) < len(alone)
    assert geo.outline_path(frozenset({"AM"})).count("M") == len(geo.load().countries["AM"].rings)


def test_on_an_interactive_map_outlines_wait_for_their_toggle_and_each_state_has_a_readout(persian_leopard):
    svg = range_map_svg(
        figures_for(persian_leopard),
        title="Map",
        groups=metapopulation_groups(persian_leopard),
        interactive=True,
        legend=False,
    )
    root = parse(svg)
    assert all(g.get("display") == "none" for g in root.findall(f".//{SVG}g[@class='rm-groups']/{SVG}g"))
    states = root.find(f".//{SVG}g[@class='rm-states']")
    children = list(states)
    # a state's read-out comes right after it (CSS: a:hover + .rm-info)
    for a, info in zip(children[::2], children[1::2], strict=True):
        assert a.tag == f"{SVG}a" and info.get("class") == "rm-info" and info.get("display") == "none"
        assert " ".join(t.text for t in info.iter(f"{SVG}text")) == text_of(a, "desc")
    assert "rm-legend" not in svg and str(DISCLAIMER) not in " ".join(
        t.text or "" for t in root.iter(f"{SVG}text")
    )


# --- valid, accessible, safe -------------------------------------------------------------------------------


def test_the_svg_is_named_described_and_ids_are_unique(pl_svg):
    root = parse(pl_svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "group"  # it holds links: role=img would hide them
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("pl-") for i in ids)
    title = root.find(f"{SVG}title")
    assert title.get("id") == root.get("aria-labelledby") and title.text == "Persian Leopard: Range States"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == root.get("aria-describedby")
    assert desc.text.startswith("Map of the 12 Range States of the strategy")
    assert str(DISCLAIMER) in desc.text
    for link in state_links(root).values():
        assert text_of(link, "title") and text_of(link, "desc")
    # every url(#…) points at something defined in this SVG
    for ref in re.findall(r"url\(#([^)]+)\)", pl_svg):
        assert ref in ids


def test_hostile_names_and_titles_stay_text(persian_leopard):
    svg = range_map_svg(
        figures_for(persian_leopard, name='<script>alert(1)</script>"&'),
        title="</title><script>z</script>",
        map_id='m"><script>',
    )
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    link = next(iter(state_links(root).values()))
    assert text_of(link, "title").startswith('<script>alert(1)</script>"&: ')
    assert root.find(f"{SVG}title").text == "</title><script>z</script>"


@pytest.mark.parametrize(
    "url", ['javascript:x" onmouseover="y', " JavaScript:alert(1)", "data:text/html,x", "java\tscript:x"]
)
def test_a_url_that_is_not_a_page_address_is_never_linked(persian_leopard, url):
    figures = figures_for(persian_leopard, url=url)
    root = parse(range_map_svg(figures, title="Map"))
    assert not state_links(root)
    assert not [e for e in root.iter() if any(k.startswith("on") for k in e.attrib)]
    assert len(root.findall(f".//{SVG}g[@data-iso]")) == 12
    html = render("{% range_map figures 'Map' %}", figures=figures)
    assert "href" not in html.split("<svg", 1)[0] and "<a href" not in html.rsplit("</svg>", 1)[1]


def test_a_state_without_boundary_data_is_named_not_dropped(persian_leopard):
    figures = figures_for(persian_leopard)
    figures.append(StateFigures("FR", "France", "/fr/", 10, 1, 0, 0, 9, 0.1))  # outside the region
    root = parse(range_map_svg(figures, title="Map"))
    assert "FR" not in state_links(root)
    assert len(state_links(root)) == 12
    notes = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "rm-missing"]
    assert notes == ["No boundary data, so not drawn: France."]


def test_without_urls_states_are_drawn_but_not_links(persian_leopard):
    root = parse(range_map_svg(figures_for(persian_leopard, url=""), title="Map"))
    assert not state_links(root)
    assert len(root.findall(f".//{SVG}g[@data-iso]")) == 12


# --- right to left -----------------------------------------------------------------------------------------


def test_in_farsi_the_text_runs_right_to_left_and_the_map_is_not_mirrored(persian_leopard):
    figures = figures_for(persian_leopard)
    with translation.override("en"):
        ltr = range_map_svg(figures, title="Map")
    with translation.override("fa"):
        rtl = range_map_svg(figures, title="Map")
    ltr_root, rtl_root = parse(ltr), parse(rtl)
    assert ltr_root.get("direction") == rtl_root.get("direction") == "ltr"
    # the same geometry in both
    assert [p.get("d") for p in ltr_root.iter(f"{SVG}path")] == [
        p.get("d") for p in rtl_root.iter(f"{SVG}path")
    ]
    assert "scale(-1" not in rtl and "matrix(-1" not in rtl
    x0, _, w, _ = (float(v) for v in rtl_root.get("viewBox").split())
    middle = x0 + w / 2
    ltr_texts = [t for t in ltr_root.iter(f"{SVG}text") if t.get("class") == "rm-disclaimer"]
    rtl_texts = [t for t in rtl_root.iter(f"{SVG}text") if t.get("class") == "rm-disclaimer"]
    assert all(t.get("direction") is None and float(t.get("x")) < middle for t in ltr_texts)
    # right-to-left text starts at the right edge
    assert all(t.get("direction") == "rtl" and float(t.get("x")) > middle for t in rtl_texts)
    legend = [t for t in rtl_root.find(f".//{SVG}g[@class='rm-legend']").iter(f"{SVG}text")]
    assert float(legend[0].get("x")) > middle and all(t.get("direction") == "rtl" for t in legend)


# --- the shapes --------------------------------------------------------------------------------------------


def albers(lon, lat, p):
    """The projection the header names, written out again to check the shapes against real places."""
    phi1, phi2, phi0 = (math.radians(p[k]) for k in ("lat_1", "lat_2", "lat_0"))
    n = (math.sin(phi1) + math.sin(phi2)) / 2
    c = math.cos(phi1) ** 2 + 2 * n * math.sin(phi1)
    rho0 = math.sqrt(c - 2 * n * math.sin(phi0)) / n
    rho = math.sqrt(c - 2 * n * math.sin(math.radians(lat))) / n
    theta = n * math.radians(lon - p["lon_0"])
    km = p["radius_km"]
    return km * rho * math.sin(theta) / p["unit_km"], -km * (rho0 - rho * math.cos(theta)) / p["unit_km"]


def country_at(lon, lat) -> set[str]:
    shapes = geo.load()
    x, y = albers(lon, lat, shapes.header["projection"])
    found = set()
    for key, country in shapes.countries.items():
        hit = False
        for ring in country.rings:
            points = shapes.ring_points(ring)
            for (x1, y1), (x2, y2) in itertools.pairwise(points):
                if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                    hit = not hit
        if hit:
            found.add(key)
    return found


def test_every_seeded_range_state_has_a_shape(seeded):
    countries = geo.load().countries
    assert set(RangeState.objects.values_list("iso_code", flat=True)) <= set(countries)
    assert len(countries) == 45


def test_the_shapes_put_capitals_in_their_countries_and_crimea_in_ukraine():
    assert country_at(44.51, 40.18) == {"AM"}  # Yerevan
    assert country_at(46.36, 40.68) == {"AZ"}  # Ganja
    assert country_at(44.79, 41.72) == {"GE"}  # Tbilisi
    assert country_at(51.39, 35.69) == {"IR"}  # Tehran
    assert country_at(69.24, 41.30) == {"UZ"}  # Tashkent
    assert country_at(58.38, 37.95) == {"TM"}  # Ashgabat
    assert country_at(68.78, 38.56) == {"TJ"}  # Dushanbe
    assert country_at(32.85, 39.93) == {"TR"}  # Ankara
    assert country_at(45.60, 43.30) == {"RU"}  # Grozny, North Caucasus
    assert country_at(34.10, 45.00) == {"UA"}  # Crimea (General Assembly resolution 68/262)
    assert country_at(45.41, 39.21) == {"AZ"}  # Nakhchivan, Azerbaijan's exclave
    assert country_at(50.5, 41.5) == set()  # the Caspian Sea


@pytest.mark.parametrize(("iso", "km2"), [("AM", 29_743), ("GE", 69_700), ("IR", 1_648_195), ("TM", 488_100)])
def test_the_projection_keeps_areas(iso, km2):
    """Equal-area: a state's drawn area is its real one (within the simplification's few per cent)."""
    shapes = geo.load()
    area = 0.0
    for ring in shapes.countries[iso].rings:
        points = shapes.ring_points(ring)
        area += sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(points)) / 2
    unit = shapes.header["projection"]["unit_km"]
    assert abs(abs(area) * unit * unit / km2 - 1) < 0.05


def test_the_shapes_name_their_source_and_licence():
    header = geo.load().header
    assert "Natural Earth 4.1.0" in header["source"] and "world-atlas@2.0.2" in header["source"]
    assert "sha512-" in header["source"]
    assert "public domain" in header["licence"]
    assert header["projection"]["name"] == "Albers equal-area conic"


# --- size on the wire --------------------------------------------------------------------------------------


def test_one_strategys_map_is_well_under_60_kb_compressed(persian_leopard):
    """The largest map: the Persian Leopard's twelve states, outlines, legend, the interactive read-outs."""
    for kwargs in ({"groups_visible": True}, {"interactive": True, "legend": False}):
        svg = range_map_svg(
            figures_for(persian_leopard),
            title="Persian Leopard",
            groups=metapopulation_groups(persian_leopard),
            **kwargs,
        ).encode()
        assert len(gzip.compress(svg)) < 60_000
        assert len(svg) < 120_000


# --- the locator map ---------------------------------------------------------------------------------------


def test_the_locator_map_highlights_one_state_within_the_range(persian_leopard):
    iso_codes = [s.iso_code for s in persian_leopard.range_states.all()]
    title = locator_title(state="Armenia", strategy=persian_leopard.short_name)
    root = parse(locator_map_svg(iso_code="AM", range_iso_codes=iso_codes, title=title))
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == title
    highlight = root.findall(f".//{SVG}path[@class='rm-highlight']")
    assert [p.get("data-iso") for p in highlight] == ["AM"]
    assert highlight[0].get("d") == geo.country_path("AM")
    assert len(root.findall(f".//{SVG}circle")) == 1  # Armenia is small: a ring shows where
    assert " ".join(t.text for t in root.iter(f"{SVG}text")) == str(DISCLAIMER)
    iran = parse(locator_map_svg(iso_code="IR", range_iso_codes=iso_codes, title="Iran"))
    assert not iran.findall(f".//{SVG}circle")


def test_the_locator_png_for_documents_is_an_image_without_text(persian_leopard):
    iso_codes = [s.iso_code for s in persian_leopard.range_states.all()]
    svg = locator_map_svg(iso_code="AM", range_iso_codes=iso_codes, title="", disclaimer=False)
    assert "<text" not in svg and parse(svg).get("aria-hidden") == "true"
    png = locator_map_png(iso_code="AM", range_iso_codes=iso_codes, width_px=400)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 400 and 250 < height < 400


# --- the template tags and the groups ----------------------------------------------------------------------


def render(template: str, **context) -> str:
    return engines["django"].from_string("{% load range_maps %}" + template).render(context)


def test_the_range_map_tag_writes_toggles_before_the_svg_legend_disclaimer_and_table(persian_leopard):
    figures = figures_for(persian_leopard)
    html = render(
        '{% range_map figures "Persian Leopard" groups=groups map_id="pl-map" %}',
        figures=figures,
        groups=metapopulation_groups(persian_leopard),
    )
    svg_at = html.index("<svg xmlns")
    for n in range(1, 5):
        assert html.index(f'class="rm-toggle rm-t{n}" id="pl-map-t{n}"') < svg_at  # input:checked ~ svg
    assert '<label for="pl-map-t1">' in html and "1: Caucasus" in html
    assert str(DISCLAIMER) in html[svg_at:]
    for label in ("No approved reports", "Under 25 % completed", "Not a Range State of this strategy"):
        assert label in html
    rows = re.findall(r'<tr data-iso="(..)">(.*?)</tr>', html, re.S)
    assert [iso for iso, _ in rows] == [f.iso_code for f in sorted(figures, key=lambda f: f.name)]
    armenia = dict(rows)["AM"]
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', armenia)] == [76, 19, 10, 5, 30]
    assert "25 %" in armenia
    assert "No approved reports" in dict(rows)["AF"]


def test_the_locator_tag_captions_the_map(persian_leopard):
    html = render(
        '{% locator_map "GE" codes "Georgia within the range" %}',
        codes=[s.iso_code for s in persian_leopard.range_states.all()],
    )
    assert "<figure" in html and "Georgia within the range" in html and str(DISCLAIMER) in html


def test_a_caucasus_strategy_map_frames_its_four_states(seeded):
    strategy = Strategy.objects.get(slug=CAUCASUS)
    root = parse(range_map_svg(figures_for(strategy), title="Caucasus"))
    assert set(state_links(root)) == {"AM", "AZ", "GE", "IR"}
    w = float(root.get("viewBox").split()[2])
    pl_w = float(parse(range_map_svg([], title="all")).get("viewBox").split()[2])
    assert w < pl_w / 2  # zoomed on the Caucasus and Iran, not the whole region


@pytest.mark.parametrize("extra", [0, 3])
def test_metapopulation_groups_query_count_is_flat(persian_leopard, django_assert_num_queries, extra):
    for n in range(extra):
        metapopulation = persian_leopard.metapopulations.create(number=10 + n, name=f"Extra {n}")
        metapopulation.range_states.set(RangeState.objects.all())
    # the metapopulations, their Range States (prefetch)
    with django_assert_num_queries(2):
        groups = metapopulation_groups(persian_leopard)
    assert len(groups) == 4 + extra
    assert groups[3] == MapGroup(4, "eastern range", frozenset({"AF", "PK", "TJ", "UZ"}))


# --- in a browser: hover, keyboard, toggles, right to left ------------------------------------------------


def map_page(html: str, *, lang: str) -> str:
    css = (settings.BASE_DIR / "static" / "css" / "maps.css").read_text()
    direction = "rtl" if lang == "fa" else "ltr"
    return (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8"><title>Map</title>'
        f"<style>{css}</style></head><body><main>{html}</main></body></html>"
    )


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_in_a_browser_pointer_keyboard_and_toggles_work_without_javascript(
    chromium_browser, persian_leopard, lang
):
    with translation.override(lang):
        html = render(
            '{% range_map figures "Persian Leopard" groups=groups map_id="pl-map" %}',
            figures=figures_for(persian_leopard),
            groups=metapopulation_groups(persian_leopard),
        )
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.set_content(map_page(html, lang=lang))
    info = page.locator("#pl-map .rm-info")
    assert info.count() == 12 and not any(info.nth(i).is_visible() for i in range(12))

    # pointing at Iran shows its figures, and only those
    page.locator("#pl-map a[data-iso=IR] path").hover(position={"x": 200, "y": 200}, force=True)
    shown = [i for i in range(12) if info.nth(i).is_visible()]
    assert len(shown) == 1
    completed = {"en": "57 of 76 activities completed", "fa": "57 از 76 فعالیت تکمیل\u200cشده"}[lang]
    assert f"Islamic Republic of Iran: {completed}" in info.nth(shown[0]).text_content()

    # the keyboard reaches every state, in the order of their names, and focus shows the figures too
    page.mouse.move(0, 0)
    page.locator("#pl-map-t1").focus()
    for _ in range(4):
        page.keyboard.press("Tab")  # past the four toggles
    reached = []
    for _ in range(12):
        reached.append(page.evaluate("document.activeElement.getAttribute('data-iso')"))
        visible = [info.nth(i).text_content() for i in range(12) if info.nth(i).is_visible()]
        assert len(visible) == 1 and visible[0].startswith(
            page.evaluate("document.activeElement.querySelector('title').textContent").split(":")[0]
        )
        page.keyboard.press("Tab")
    names = {f.iso_code: f.name for f in figures_for(persian_leopard)}
    assert reached == sorted(names, key=names.get)

    # a metapopulation's outline appears when its checkbox is checked, through its label
    outline = page.locator("#pl-map .rm-g4")
    assert not outline.is_visible()
    page.locator("label[for=pl-map-t4]").click()
    assert outline.is_visible() and page.locator("#pl-map-t4").is_checked()
    assert not page.locator("#pl-map .rm-g1").is_visible()

    # the geometry is never mirrored: Türkiye lies west of Kazakhstan in either direction
    turkey = page.locator("#pl-map a[data-iso=TR]").bounding_box()
    kazakhstan = page.locator("#pl-map a[data-iso=KZ]").bounding_box()
    assert turkey["x"] < kazakhstan["x"]
    # the read-out starts on the reading side
    box = page.locator("#pl-map .rm-water").bounding_box()  # the map's drawn area
    prompt = page.locator("#pl-map .rm-prompt").bounding_box()
    if lang == "fa":
        assert prompt["x"] + prompt["width"] > box["x"] + 0.9 * box["width"]
    else:
        assert prompt["x"] < box["x"] + 0.1 * box["width"]
    page.screenshot(path=f"/tmp/maps-browser-{lang}.png", full_page=True)
    context.close()
