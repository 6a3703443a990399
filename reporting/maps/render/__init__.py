"""Server-rendered SVG maps: the Range State map of a strategy and the small locator map.

Plain functions from plain data (StateFigures, MapGroup) to an SVG string; they never query. The figures
come from the reports, which own every definition (what counts as completed, the completed share); the map
only puts them in place, classes them and says them in words. No JavaScript: hover and keyboard focus
show a state's figures through the site's CSS (static/css/maps.css), metapopulation outlines are switched
on by checkboxes before the SVG (see templates/reporting/maps/range_map.html), and every state is a link.

One module per part: figures.py (the data the map is given, the classes, the colours, the words),
svg.py (the pieces both maps draw with), range_map.py (the Range State map), locator.py (the locator
map, SVG and PNG); everything is re-exported here, so `from reporting.maps import render; render.X`
keeps working.
"""

from .figures import (
    CLASS_BY_KEY,
    CLASSES,
    CONTEXT_CLASS,
    CONTEXT_FILL,
    CONTEXT_LABEL,
    CONTEXT_STROKE,
    DISCLAIMER,
    FONT_FAMILY,
    GROUP_STYLES,
    LOCATOR_HIGHLIGHT,
    LOCATOR_RANGE,
    MAX_GROUPS,
    STATE_STROKE,
    WATER,
    MapClass,
    MapGroup,
    StateFigures,
    describe,
    legend_classes,
    map_class,
    percent,
)
from .locator import locator_map_png, locator_map_svg, locator_title
from .range_map import range_map_svg
from .svg import class_fill, group_key_svg, legend_swatch_svg, pattern_def

__all__ = [
    "CLASSES",
    "CLASS_BY_KEY",
    "CONTEXT_CLASS",
    "CONTEXT_FILL",
    "CONTEXT_LABEL",
    "CONTEXT_STROKE",
    "DISCLAIMER",
    "FONT_FAMILY",
    "GROUP_STYLES",
    "LOCATOR_HIGHLIGHT",
    "LOCATOR_RANGE",
    "MAX_GROUPS",
    "STATE_STROKE",
    "WATER",
    "MapClass",
    "MapGroup",
    "StateFigures",
    "class_fill",
    "describe",
    "group_key_svg",
    "legend_classes",
    "legend_swatch_svg",
    "locator_map_png",
    "locator_map_svg",
    "locator_title",
    "map_class",
    "pattern_def",
    "percent",
    "range_map_svg",
]
