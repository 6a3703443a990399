"""Build reporting/maps/shapes.json, the country shapes the range maps draw, from Natural Earth.

    python scripts/build_map_shapes.py [--topojson countries-50m.json] [--out reporting/maps/shapes.json]

Without --topojson it fetches the npm package world-atlas (Natural Earth 4.1.0 as TopoJSON, public domain)
with `npm pack`, which checks the tarball against the registry's integrity hash. The app never fetches
anything: it reads the checked-in output. What the script does, in order:

1. decodes the 1:50m Admin 0 countries (1:110m draws Armenia as a few straight lines);
2. applies two changes to the source, both to follow United Nations practice (see reporting/maps/README.md):
   Crimea is drawn within Ukraine (General Assembly resolution 68/262), and "N. Cyprus" within Cyprus;
3. keeps every country with a point in the region (the seeded strategies' Range States and their
   neighbours, which the maps draw grey), keyed by ISO 3166-1 alpha-2 as RangeState.iso_code is;
4. projects them with an Albers equal-area conic centred on the range, clamps what lies far outside the
   region onto a box well beyond it (so Russia ends there instead of at the Pacific), simplifies each
   shared border once (Douglas-Peucker on TopoJSON arcs, so neighbours keep a common edge) and rounds to
   integer map units;
5. writes arcs and, per country, rings of arc indices (TopoJSON's layout, which the renderer also uses to
   outline groups of states), a bounding box and a label point inside the country.

Only the standard library and PyYAML (for the fixtures' Range States) are needed, plus npm to fetch.
"""

import argparse
import datetime
import itertools
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "world-atlas@2.0.2"
MEMBER = "package/countries-50m.json"

# Albers equal-area conic for the range (Türkiye to eastern Kazakhstan, Pakistan to northern Kazakhstan):
# standard parallels at about one sixth in from the range's 24°N-56°N, centred on its middle meridian.
LAT_1, LAT_2, LAT_0, LON_0 = 30.0, 50.0, 40.0, 57.0
EARTH_RADIUS_KM = 6371.0
UNIT_KM = 2.0  # one map unit is 2 km: Armenia is about 140 units across
SIMPLIFY_KM = 2.5  # Douglas-Peucker tolerance
MIN_RING_KM2 = 250.0  # islands and enclaves smaller than this are left out (never a country's largest ring)
# The frame every map lies in: the bounding box of the seeded Range States that lie within this
# longitude/latitude box, plus a margin. Russia, which reaches far beyond it, is cut at the frame.
REGION = {"lon": (20.0, 95.0), "lat": (20.0, 60.0)}
FRAME_MARGIN_KM = 150.0
CLAMP_MARGIN_KM = 1500.0  # points beyond the frame are clamped onto a box this far outside it

# ISO 3166-1 numeric (world-atlas ids) to alpha-2, for the countries that reach into the region.
ALPHA_2 = {
    "004": "AF", "008": "AL", "031": "AZ", "048": "BH", "050": "BD", "051": "AM", "064": "BT", "100": "BG",
    "104": "MM", "112": "BY", "148": "TD", "156": "CN", "196": "CY", "203": "CZ", "232": "ER", "233": "EE",
    "246": "FI",
    "248": "AX", "268": "GE", "275": "PS", "300": "GR", "348": "HU", "356": "IN", "364": "IR", "368": "IQ",
    "376": "IL", "398": "KZ", "400": "JO", "414": "KW", "417": "KG", "422": "LB", "428": "LV", "434": "LY",
    "440": "LT", "496": "MN", "498": "MD", "499": "ME", "512": "OM", "524": "NP", "586": "PK", "616": "PL",
    "634": "QA", "642": "RO", "643": "RU", "682": "SA", "688": "RS", "703": "SK", "729": "SD", "760": "SY",
    "762": "TJ", "784": "AE", "792": "TR", "795": "TM", "804": "UA", "807": "MK", "818": "EG", "860": "UZ",
    "887": "YE",
}  # fmt: skip
# Features world-atlas gives no ISO code: drawn as context under these keys (never a Range State's code,
# which is two capital letters).
NO_CODE = {"Kosovo": "x-kosovo", "Siachen Glacier": "x-siachen"}
# Merged into another country's shape, following UN practice (see the module docstring).
MERGE_INTO = {"N. Cyprus": "CY"}
CRIMEA_POINT = (34.1, 45.0)  # a point in Crimea, to find its polygon
CRIMEA_FROM, CRIMEA_TO = "RU", "UA"


# --- fetching and decoding ---------------------------------------------------------------------------------


def fetch_topology() -> tuple[dict, dict]:
    """npm pack the package into a temporary folder; return the topology and the tarball's facts."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["npm", "pack", PACKAGE, "--json", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        info = json.loads(out.stdout)[0]
        with tarfile.open(Path(tmp) / info["filename"]) as tar:
            topology = json.load(tar.extractfile(MEMBER))
    return topology, {"integrity": info["integrity"], "shasum": info["shasum"]}


def decode_arcs(topology) -> list[list[tuple[int, int]]]:
    """The arcs in quantized integer coordinates (exact, so shared endpoints match)."""
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x, y))
        arcs.append(points)
    return arcs


def polygons_of(geometry) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def arc_points(arcs, index):
    return arcs[index] if index >= 0 else arcs[~index][::-1]


def ring_points(arcs, ring):
    points = []
    for index in ring:
        part = arc_points(arcs, index)
        points.extend(part if not points else part[1:])
    return points


def inside(point, rings_points) -> bool:
    """Even-odd point-in-polygon over all rings."""
    x, y = point
    hit = False
    for ring in rings_points:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                hit = not hit
    return hit


def dissolve(rings: list[list[int]], arcs) -> list[list[int]]:
    """Join a country's rings where they share an arc (Crimea with the mainland, the two parts of Cyprus):
    drop each arc used in both directions, then chain the rest end to start into closed rings."""
    directed = [index for ring in rings for index in ring]
    used = set(directed)
    remaining = [index for index in directed if ~index not in used]
    start_of = {}
    for index in remaining:
        start_of.setdefault(arc_points(arcs, index)[0], []).append(index)
    out, seen = [], set()
    for first in remaining:
        if first in seen:
            continue
        ring, index, origin = [], first, arc_points(arcs, first)[0]
        while True:
            seen.add(index)
            ring.append(index)
            end = arc_points(arcs, index)[-1]
            if end == origin:
                break
            index = next(i for i in start_of[end] if i not in seen)
        out.append(ring)
    return out


# --- projection and simplification -------------------------------------------------------------------------


def make_projection(transform):
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    phi1, phi2, phi0 = (math.radians(v) for v in (LAT_1, LAT_2, LAT_0))
    n = (math.sin(phi1) + math.sin(phi2)) / 2
    c = math.cos(phi1) ** 2 + 2 * n * math.sin(phi1)
    rho0 = math.sqrt(c - 2 * n * math.sin(phi0)) / n

    def lonlat(lon, lat):
        rho = math.sqrt(c - 2 * n * math.sin(math.radians(lat))) / n
        theta = n * math.radians(lon - LON_0)
        # km, with y growing southwards as in SVG
        return (
            EARTH_RADIUS_KM * rho * math.sin(theta),
            -EARTH_RADIUS_KM * (rho0 - rho * math.cos(theta)),
        )

    def quantized(point):
        return lonlat(point[0] * sx + tx, point[1] * sy + ty)

    return lonlat, quantized


def region_frame(topology, arcs, project, range_states) -> tuple[float, float, float, float]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    (lon0, lon1), (lat0, lat1) = REGION["lon"], REGION["lat"]
    xs, ys = [], []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if ALPHA_2.get(geometry.get("id")) not in range_states:
            continue
        points = [q for polygon in polygons_of(geometry) for ring in polygon for q in ring_points(arcs, ring)]
        if all(lon0 <= q[0] * sx + tx <= lon1 and lat0 <= q[1] * sy + ty <= lat1 for q in points):
            for q in points:
                x, y = project(q)
                xs.append(x)
                ys.append(y)
    m = FRAME_MARGIN_KM
    return min(xs) - m, min(ys) - m, max(xs) + m, max(ys) + m


def douglas_peucker(points, tolerance):
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        best, best_i = -1.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length2 == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
                d = math.hypot(px - ax - t * dx, py - ay - t * dy)
            if d > best:
                best, best_i = d, i
        if best_i is not None and best > tolerance:
            keep[best_i] = True
            stack += [(first, best_i), (best_i, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_area(points) -> float:
    return abs(
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)) / 2
    )


def clip_to_box(points, box):
    """Sutherland-Hodgman: the part of a ring inside an axis-aligned box."""
    x0, y0, x1, y1 = box
    edges = [
        (lambda p: p[0] >= x0, lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= x1, lambda a, b: (x1, a[1] + (b[1] - a[1]) * (x1 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= y0, lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)),
        (lambda p: p[1] <= y1, lambda a, b: (a[0] + (b[0] - a[0]) * (y1 - a[1]) / (b[1] - a[1]), y1)),
    ]
    for keep, cross in edges:
        if not points:
            break
        out = []
        for a, b in zip([points[-1], *points[:-1]], points, strict=True):
            if keep(b):
                if not keep(a):
                    out.append(cross(a, b))
                out.append(b)
            elif keep(a):
                out.append(cross(a, b))
        points = out
    return points


def label_point(rings_points, bbox) -> tuple[int, int]:
    """A point well inside the country (roughly the pole of inaccessibility): the grid point farthest from
    any edge, refined twice around the best one."""
    segments = [
        (a, b) for ring in rings_points for a, b in zip(ring, ring[1:] + ring[:1], strict=True) if a != b
    ]

    def clearance(p):
        px, py = p
        best = math.inf
        for (ax, ay), (bx, by) in segments:
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
            best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
        return best

    x0, y0, x1, y1 = bbox
    best, best_p = -1.0, ((x0 + x1) / 2, (y0 + y1) / 2)
    for _ in range(3):
        step_x, step_y = (x1 - x0) / 16, (y1 - y0) / 16
        for i in range(17):
            for j in range(17):
                p = (x0 + i * step_x, y0 + j * step_y)
                if inside(p, rings_points):
                    d = clearance(p)
                    if d > best:
                        best, best_p = d, p
        x0, x1 = best_p[0] - 2 * step_x, best_p[0] + 2 * step_x
        y0, y1 = best_p[1] - 2 * step_y, best_p[1] + 2 * step_y
    return round(best_p[0]), round(best_p[1])


# --- the build ---------------------------------------------------------------------------------------------


def seeded_range_states() -> dict[str, str]:
    states = {}
    for path in sorted((ROOT / "fixtures").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for state in data.get("range_states", []):
            states[state["iso_code"]] = state["name"]
    return states


def build(topology, range_states) -> dict:
    arcs = decode_arcs(topology)
    _lonlat, project = make_projection(topology["transform"])
    fx0, fy0, fx1, fy1 = region_frame(topology, arcs, project, range_states)
    cx0, cy0 = fx0 - CLAMP_MARGIN_KM, fy0 - CLAMP_MARGIN_KM
    cx1, cy1 = fx1 + CLAMP_MARGIN_KM, fy1 + CLAMP_MARGIN_KM
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]

    def in_frame(q):
        x, y = project(q)
        return fx0 <= x <= fx1 and fy0 <= y <= fy1

    # 1-3: the countries of the region, keyed by alpha-2, with the UN-practice changes
    countries: dict[str, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        polygons = polygons_of(geometry)
        if not any(in_frame(q) for polygon in polygons for ring in polygon for q in ring_points(arcs, ring)):
            continue
        key = MERGE_INTO.get(name) or NO_CODE.get(name) or ALPHA_2.get(geometry.get("id"))
        if key is None:
            sys.exit(f"No ISO 3166-1 alpha-2 code known for {name!r} (id {geometry.get('id')}): add it.")
        entry = countries.setdefault(key, {"name": name, "polygons": []})
        entry["polygons"] += polygons
    crimea = (round((CRIMEA_POINT[0] - tx) / sx), round((CRIMEA_POINT[1] - ty) / sy))
    moved = [p for p in countries[CRIMEA_FROM]["polygons"] if inside(crimea, [ring_points(arcs, p[0])])]
    assert len(moved) == 1, "expected one polygon for Crimea"
    countries[CRIMEA_FROM]["polygons"].remove(moved[0])
    countries[CRIMEA_TO]["polygons"] += moved

    # rings that reach the frame; each country's parts joined where they touch
    for entry in countries.values():
        rings = [
            ring
            for polygon in entry["polygons"]
            for ring in polygon
            if any(in_frame(q) for q in ring_points(arcs, ring))
        ]
        entry["rings"] = dissolve(rings, arcs)

    # 4: project, clamp, simplify and round each arc that is used, once
    used = sorted({i if i >= 0 else ~i for e in countries.values() for ring in e["rings"] for i in ring})

    def clamp(p):
        return min(max(p[0], cx0), cx1), min(max(p[1], cy0), cy1)

    new_index, out_arcs = {}, []
    for old in used:
        km = [clamp(project(q)) for q in arcs[old]]
        simple = douglas_peucker(km, SIMPLIFY_KM)
        units = []
        for x, y in simple:
            p = (round(x / UNIT_KM), round(y / UNIT_KM))
            if not units or p != units[-1]:
                units.append(p)
        if len(units) == 1:
            units.append(units[0])
        new_index[old] = len(out_arcs)
        out_arcs.append(units)

    def renumber(i):
        return new_index[i] if i >= 0 else ~new_index[~i]

    result_countries = {}
    for key, entry in sorted(countries.items()):
        rings = [[renumber(i) for i in ring] for ring in entry["rings"]]
        points = [ring_points(out_arcs, ring) for ring in rings]
        areas = [ring_area(p) * UNIT_KM**2 for p in points]
        largest = max(range(len(rings)), key=areas.__getitem__)
        kept = [i for i in range(len(rings)) if i == largest or areas[i] >= MIN_RING_KM2]
        rings = [rings[i] for i in kept]
        points = [points[i] for i in kept]
        xs = [x for p in points for x, _ in p]
        ys = [y for p in points for _, y in p]
        frame_units = (fx0 / UNIT_KM, fy0 / UNIT_KM, fx1 / UNIT_KM, fy1 / UNIT_KM)
        # the bounding box within the frame (Russia's, clamped, would reach far beyond it)
        bbox = [
            max(min(xs), math.floor(frame_units[0])),
            max(min(ys), math.floor(frame_units[1])),
            min(max(xs), math.ceil(frame_units[2])),
            min(max(ys), math.ceil(frame_units[3])),
        ]
        result_countries[key] = {
            "name": entry["name"],
            "rings": rings,
            "bbox": bbox,
            "label": label_point([r for r in (clip_to_box(p, bbox) for p in points) if len(r) > 2], bbox),
        }

    # arcs no kept ring uses any more are dropped and the rest renumbered once more
    still = sorted(
        {i if i >= 0 else ~i for c in result_countries.values() for ring in c["rings"] for i in ring}
    )
    final_index = {old: new for new, old in enumerate(still)}
    for country in result_countries.values():
        country["rings"] = [
            [final_index[i] if i >= 0 else ~final_index[~i] for i in ring] for ring in country["rings"]
        ]
    encoded = []
    for old in still:
        points = out_arcs[old]
        flat = [*points[0]]
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            flat += [x2 - x1, y2 - y1]
        encoded.append(flat)

    return {
        "frame": [
            math.floor(fx0 / UNIT_KM),
            math.floor(fy0 / UNIT_KM),
            math.ceil(fx1 / UNIT_KM),
            math.ceil(fy1 / UNIT_KM),
        ],
        "arcs": encoded,
        "countries": result_countries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--topojson", type=Path, help="a local countries-50m.json instead of npm pack")
    parser.add_argument("--out", type=Path, default=ROOT / "reporting" / "maps" / "shapes.json")
    args = parser.parse_args()
    if args.topojson:
        topology, tarball = json.loads(args.topojson.read_text()), {"integrity": "(local file)"}
    else:
        topology, tarball = fetch_topology()
    range_states = seeded_range_states()
    data = build(topology, range_states)
    missing = sorted(set(range_states) - set(data["countries"]))
    if missing:
        sys.exit(f"Seeded Range States without a shape: {', '.join(missing)}")
    header = {
        "source": f"Natural Earth 4.1.0, Admin 0 countries 1:50m, as TopoJSON in the npm package {PACKAGE} "
        f"(file countries-50m.json, tarball {tarball['integrity']})",
        "licence": "Natural Earth: public domain. world-atlas packaging: ISC, Copyright 2013-2019 Michael Bostock.",
        "changes": "Crimea drawn within Ukraine and N. Cyprus within Cyprus, following UN practice; "
        "see reporting/maps/README.md.",
        "built_by": "scripts/build_map_shapes.py",
        "built_on": datetime.date.today().isoformat(),
        "projection": {
            "name": "Albers equal-area conic",
            "lat_1": LAT_1,
            "lat_2": LAT_2,
            "lat_0": LAT_0,
            "lon_0": LON_0,
            "radius_km": EARTH_RADIUS_KM,
            "unit_km": UNIT_KM,
            "y": "grows southwards",
        },
        "simplify_km": SIMPLIFY_KM,
        "min_ring_km2": MIN_RING_KM2,
    }
    # one arc or country a line, so that a rebuild's diff is readable
    lines = ["{"]
    for key, value in header.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append(f'"frame": {json.dumps(data["frame"])},')
    lines.append('"countries": {')
    items = list(data["countries"].items())
    for n, (key, country) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        lines.append(
            f"{json.dumps(key)}: {json.dumps(country, ensure_ascii=False, separators=(',', ':'))}{comma}"
        )
    lines.append("},")
    lines.append('"arcs": [')
    for n, arc in enumerate(data["arcs"]):
        comma = "," if n < len(data["arcs"]) - 1 else ""
        lines.append(json.dumps(arc, separators=(",", ":")) + comma)
    lines.append("]")
    lines.append("}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: "
        f"{len(data['countries'])} countries, {len(data['arcs'])} arcs, "
        f"{sum(len(a) // 2 for a in data['arcs'])} points, {args.out.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main()
