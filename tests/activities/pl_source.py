"""An independent, literal reader of the Persian Leopard source table (fixtures/sources/001_…).

The fidelity tests compare the seed fixture with what this reader finds in the source text, so it
reads the table the simple way — cell by cell, as extracted — and reports the quirks it meets
rather than resolving them. The fixture is where a careful reader's resolution is written down.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = (
    Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "001_persian_leopard_rws_2023_2032.txt"
)

TAG_RE = re.compile(r"<[^>]+>")


def clean(cell: str) -> str:
    """Drop HTML tags and footnote markers (<sup>3</sup>) and normalise spaces, as the fixture does."""
    # A marker before punctuation ("areas <sup>2</sup> .") leaves no space behind it.
    cell = re.sub(r"\s*<sup>\d+</sup>\s*(?=[.,;:)])", "", cell)
    cell = re.sub(r"\s*<sup>\d+</sup>\s*", " ", cell)
    cell = TAG_RE.sub("", cell)
    return " ".join(cell.split())


@dataclass
class SourceRow:
    code: str
    text: str
    cells: list[str]  # actor, indicator, timeline, cost, pow, priority — as positioned in the extraction
    extra_cells: list[str] = field(default_factory=list)
    result_code: str = ""


@dataclass
class SourceTable:
    themes: dict[int, str] = field(default_factory=dict)
    objectives: dict[int, str] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)
    activities: list[SourceRow] = field(default_factory=list)


HEADING_RE = re.compile(r"^<b>(Theme|Objective|Result) (\d+(?:\.\d+)?)\.?:?\s*(.*)")
ACTIVITY_RE = re.compile(r"^Activity (\d+(?:\.\d+)+(?:\.[a-z])?)\.?\s+(.*)$")


def read_table(path: Path = SOURCE) -> SourceTable:
    table = SourceTable()
    current_result = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        first = cells[0]
        if m := HEADING_RE.match(first):
            kind, number = m.group(1), m.group(2)
            text = clean(first)
            text = re.sub(rf"^{kind} {re.escape(number)}\.?:?\s*", "", text)
            if kind == "Theme":
                table.themes[int(number)] = text
            elif kind == "Objective":
                table.objectives[int(number)] = text
            else:
                table.results[number] = text
                current_result = number
        if len(cells) > 1 and cells[1].startswith("<b>Activity"):
            activity_cell = clean(cells[1])
            m = ACTIVITY_RE.match(activity_cell)
            assert m, activity_cell
            values = [clean(c) for c in cells[2:]]
            table.activities.append(
                SourceRow(
                    code=m.group(1),
                    text=m.group(2),
                    cells=values[:6],
                    extra_cells=values[6:],
                    result_code=current_result,
                )
            )
    return table
