"""Maps of a strategy's range: the Range State map and the locator map, as server-rendered SVG.

The interface the reports call; see render/ for what each part draws and shapes.py for the geometry."""

from reporting.maps.groups import metapopulation_groups
from reporting.maps.render import (
    CLASSES,
    DISCLAIMER,
    MapClass,
    MapGroup,
    StateFigures,
    describe,
    legend_classes,
    locator_map_png,
    locator_map_svg,
    locator_title,
    map_class,
    range_map_svg,
)

__all__ = [
    "CLASSES",
    "DISCLAIMER",
    "MapClass",
    "MapGroup",
    "StateFigures",
    "describe",
    "legend_classes",
    "locator_map_png",
    "locator_map_svg",
    "locator_title",
    "map_class",
    "metapopulation_groups",
    "range_map_svg",
]
