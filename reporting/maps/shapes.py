"""The checked-in country shapes (shapes.json, built by scripts/build_map_shapes.py) and the geometry the
maps need from them: a country's SVG path, the outline of a group of countries, bounding boxes.

Coordinates are integer map units (2 km) in an Albers equal-area conic, y growing southwards, so they go
into SVG as they are. Everything is read once per process; nothing is fetched."""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

SHAPES_FILE = Path(__file__).with_name("shapes.json")

Point = tuple[int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Country:
    key: str  # ISO 3166-1 alpha-2, or "x-…" for a feature without one (drawn as context only)
    name: str  # the English name Natural Earth gives (the page shows RangeState.name instead)
    rings: tuple[tuple[int, ...], ...]  # arc indices, TopoJSON style (~i is arc i reversed)
    bbox: Box  # within the frame
    label: Point  # a point well inside the country


@dataclass(frozen=True)
class Shapes:
    header: dict
    frame: Box
    arcs: tuple[tuple[Point, ...], ...]
    countries: dict[str, Country]

    def arc(self, index: int) -> tuple[Point, ...]:
        return self.arcs[index] if index >= 0 else self.arcs[~index][::-1]

    def ring_points(self, ring) -> list[Point]:
        points: list[Point] = []
        for index in ring:
            part = self.arc(index)
            points.extend(part if not points else part[1:])
        return points


@functools.cache
def load() -> Shapes:
    data = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    arcs = []
    for flat in data.pop("arcs"):
        x, y = flat[0], flat[1]
        points = [(x, y)]
        for i in range(2, len(flat), 2):
            x += flat[i]
            y += flat[i + 1]
            points.append((x, y))
        arcs.append(tuple(points))
    countries = {
        key: Country(
            key=key,
            name=c["name"],
            rings=tuple(tuple(r) for r in c["rings"]),
            bbox=tuple(c["bbox"]),
            label=tuple(c["label"]),
        )
        for key, c in data.pop("countries").items()
    }
    frame = tuple(data.pop("frame"))
    return Shapes(header=data, frame=frame, arcs=tuple(arcs), countries=countries)


def _numbers(values) -> str:
    """Integers for a path: a minus sign separates as well as a space does."""
    out = []
    for value in values:
        if out and value >= 0:
            out.append(" ")
        out.append(str(value))
    return "".join(out)


def _subpath(points, *, close: bool) -> str:
    (x, y), rest = points[0], points[1:]
    deltas = []
    for px, py in rest:
        deltas += [px - x, py - y]
        x, y = px, py
    return f"M{_numbers([points[0][0], points[0][1]])}l{_numbers(deltas)}" + ("z" if close else "")


@functools.cache
def country_path(key: str) -> str:
    """The country's shape as SVG path data (draw it with fill-rule evenodd: enclaves are holes)."""
    shapes = load()
    return "".join(
        _subpath(shapes.ring_points(ring)[:-1], close=True) for ring in shapes.countries[key].rings
    )


@functools.cache
def outline_path(keys: frozenset[str]) -> str:
    """The outline of a group of countries together: their rings less every border two of them share
    (a shared arc appears once each way), chained into closed rings so that dashes run on."""
    shapes = load()
    directed = [i for key in sorted(keys) for ring in shapes.countries[key].rings for i in ring]
    present = set(directed)
    remaining = [i for i in directed if ~i not in present]
    starting = {}
    for i in remaining:
        starting.setdefault(shapes.arc(i)[0], []).append(i)
    seen, parts = set(), []
    for first in remaining:
        if first in seen:
            continue
        ring, index, origin = [], first, shapes.arc(first)[0]
        while True:
            seen.add(index)
            ring.append(index)
            end = shapes.arc(index)[-1]
            following = [i for i in starting.get(end, []) if i not in seen]
            if end == origin or not following:
                break
            index = following[0]
        points = shapes.ring_points(ring)
        closed = points[0] == points[-1]
        parts.append(_subpath(points[:-1] if closed else points, close=closed))
    return "".join(parts)


def union_box(boxes) -> Box:
    boxes = list(boxes)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
