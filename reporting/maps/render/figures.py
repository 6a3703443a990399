"""What the map is given and how it classes and says it: StateFigures and MapGroup (plain data from the
reports), the classes a state is coloured and patterned by, the colours, and a state's figures in words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from activities.numbers import percent

DISCLAIMER = gettext_lazy(
    "The boundaries and names shown and the designations used on this map do not imply official "
    "endorsement or acceptance by the United Nations."
)
FONT_FAMILY = "system-ui, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', Tahoma, sans-serif"
# colours: fills from ColorBrewer's Greens; context and water light enough to print
WATER = "#eaf2f7"
CONTEXT_FILL, CONTEXT_STROKE = "#e4e4e4", "#ffffff"
STATE_STROKE = "#333333"
LOCATOR_RANGE, LOCATOR_HIGHLIGHT = "#b9c4bd", "#0b5d2a"


# --- the data the map is given ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateFigures:
    """One Range State's figures for the map, as the reports computed them. Counts are activity cells;
    `share_completed` is the reports' completed share (0-1), None when there is nothing to divide."""

    iso_code: str
    name: str
    url: str  # its national report; "" draws the state without a link
    total: int
    completed: int
    in_progress: int
    delayed: int  # delayed / at risk
    not_reported: int
    share_completed: float | None

    @property
    def href(self) -> str:
        """The url if it is a page address (relative, http or https); "" for anything else, such as a
        javascript: URL, so that no map or table ever links to one."""
        url = self.url.strip()
        if not url or any(ord(ch) < 32 for ch in url):
            return ""
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("http", "https") or (not scheme and not re.match(r"^[^/?#]*:", url)):
            return url
        return ""

    @property
    def reported(self) -> int:
        return max(self.total - self.not_reported, 0)

    @property
    def other(self) -> int:
        """Cells reported with another status (not started, cancelled, not applicable)."""
        return max(self.total - self.completed - self.in_progress - self.delayed - self.not_reported, 0)


@dataclass(frozen=True)
class MapGroup:
    """A grouping of states drawn as one outline, e.g. a metapopulation of the strategy's Figure 1."""

    number: int
    name: str
    iso_codes: frozenset[str]


@dataclass(frozen=True)
class MapClass:
    key: str
    label: str
    fill: str
    # the pattern drawn over the fill, so that colour is never the only carrier: (kind, ink)
    pattern: tuple[str, str] | None


# The labels are never %-formatted; "% o" and "% c" only look like Python format directives.
CLASSES = [
    # xgettext:no-python-format
    MapClass("c75", gettext_lazy("75 % or more completed"), "#006d2c", None),
    MapClass("c50", gettext_lazy("50 % to under 75 % completed"), "#41ab5d", ("cross", "#ffffff")),
    MapClass("c25", gettext_lazy("25 % to under 50 % completed"), "#a1d99b", ("lines", "#00441b")),
    # xgettext:no-python-format
    MapClass("c0", gettext_lazy("Under 25 % completed"), "#edf8e9", ("dots", "#238b45")),
    MapClass(
        "nm",
        gettext_lazy("Reported, nothing to measure (every activity not applicable)"),
        "#ffffff",
        ("plus", "#6b6b6b"),
    ),
    MapClass("none", gettext_lazy("No approved reports"), "#ffffff", ("back", "#6b6b6b")),
]
CLASS_BY_KEY = {c.key: c for c in CLASSES}
# neighbours, and states a grouping names that are not Range States of the strategy
CONTEXT_CLASS = MapClass("context", gettext_lazy("Not a Range State of this strategy"), CONTEXT_FILL, None)
CONTEXT_LABEL = CONTEXT_CLASS.label
# outlines of groups: colour and dash differ, so either tells them apart
GROUP_STYLES = [
    ("#6a3d9a", ""),
    ("#b35806", "6 3"),
    ("#1f5fa8", "2 2.5"),
    ("#a50f15", "7 2.5 2 2.5"),
    ("#01665e", "10 4"),
    ("#5e3c99", "3 3 3 6"),
]
MAX_GROUPS = 12  # static/css/maps.css wires this many toggles


def map_class(figures: StateFigures) -> MapClass:
    if figures.reported == 0:
        return CLASS_BY_KEY["none"]
    share = figures.share_completed
    if share is None:
        return CLASS_BY_KEY["nm"]
    if share >= 0.75:
        return CLASS_BY_KEY["c75"]
    if share >= 0.5:
        return CLASS_BY_KEY["c50"]
    if share >= 0.25:
        return CLASS_BY_KEY["c25"]
    return CLASS_BY_KEY["c0"]


def legend_classes(figures: Iterable[StateFigures] = ()) -> list[MapClass]:
    """The classes a legend lists: all bins always (so maps compare), 'nothing to measure' when used."""
    used = {map_class(f).key for f in figures}
    return [c for c in CLASSES if c.key != "nm" or "nm" in used]


def describe(figures: StateFigures) -> str:
    """The state's figures as one sentence, for its <desc>, the hover read-out and the table's caption."""
    n = number_format
    if figures.total == 0:
        return gettext("%(state)s: the strategy has no activities to report on yet.") % {
            "state": figures.name
        }
    if figures.reported == 0:
        return ngettext(
            "%(state)s: no approved reports yet on its %(total)s activity.",
            "%(state)s: no approved reports yet on any of its %(total)s activities.",
            figures.total,
        ) % {"state": figures.name, "total": n(figures.total)}
    return ngettext(
        "%(state)s: %(completed)s of %(total)s activity completed (%(share)s); %(in_progress)s in progress; "
        "%(delayed)s delayed or at risk; %(other)s with another status; %(not_reported)s not reported.",
        "%(state)s: %(completed)s of %(total)s activities completed (%(share)s); %(in_progress)s in progress; "
        "%(delayed)s delayed or at risk; %(other)s with another status; %(not_reported)s not reported.",
        figures.total,
    ) % {
        "state": figures.name,
        "completed": n(figures.completed),
        "total": n(figures.total),
        "share": percent(figures.share_completed),
        "in_progress": n(figures.in_progress),
        "delayed": n(figures.delayed),
        "other": n(figures.other),
        "not_reported": n(figures.not_reported),
    }
