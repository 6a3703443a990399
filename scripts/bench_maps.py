"""Print the range maps' sizes (raw and gzipped) and render times for the seeded strategies. Asserts
nothing; tests/reporting/test_maps.py asserts the 60 KB bound.

    DJANGO_DEBUG=1 uv run python scripts/bench_maps.py
"""

import gzip
import os
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strategy_tracker.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from reporting.maps import MapGroup, StateFigures, locator_map_png, locator_map_svg, range_map_svg  # noqa: E402
from reporting.maps import shapes as geo  # noqa: E402


def strategies():
    for path in sorted((ROOT / "fixtures").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "strategy" not in data:
            continue
        names = {s["iso_code"]: s["name"] for s in data.get("range_states", [])}
        strategy = data["strategy"]
        groups = [
            MapGroup(m["number"], m["name"], frozenset(m["range_states"]))
            for m in strategy.get("metapopulations", [])
        ]
        yield strategy["short_name"], [(iso, names[iso]) for iso in strategy["range_states"]], groups


def figures(states):
    return [
        StateFigures(iso, name, f"/reports/national/?range_state={iso}", 76, 20 + i, 10, 5, 30, (20 + i) / 76)
        for i, (iso, name) in enumerate(states)
    ]


def measure(label, make, *args, repeat=20, **kwargs):
    make(*args, **kwargs)  # warm the shape caches
    start = time.perf_counter()
    for _ in range(repeat):
        out = make(*args, **kwargs)
    ms = (time.perf_counter() - start) / repeat * 1000
    data = out if isinstance(out, bytes) else out.encode()
    print(f"{label:58} {len(data):>8,} B {len(gzip.compress(data)):>8,} B gz {ms:7.1f} ms")


def main():
    shapes = geo.SHAPES_FILE.read_bytes()
    print(f"{'shapes.json':58} {len(shapes):>8,} B {len(gzip.compress(shapes)):>8,} B gz")
    for name, states, groups in strategies():
        f, codes = figures(states), [iso for iso, _ in states]
        measure(f"{name}: map for documents (legend, outlines)", range_map_svg, f,
                title=name, groups=groups, groups_visible=True)  # fmt: skip
        measure(f"{name}: map for a page (interactive, no legend)", range_map_svg, f,
                title=name, groups=groups, interactive=True, legend=False)  # fmt: skip
        measure(f"{name}: locator map, Armenia (SVG)", locator_map_svg,
                iso_code="AM", range_iso_codes=codes, title="Armenia")  # fmt: skip
        measure(f"{name}: locator map, Armenia (PNG, 600 px)", locator_map_png,
                iso_code="AM", range_iso_codes=codes, repeat=5)  # fmt: skip


if __name__ == "__main__":
    main()
