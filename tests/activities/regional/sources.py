"""Independent, literal readers of the regional parts of the source texts (fixtures/sources/000_…, 001_…,
002_…, 003_…), for the fidelity tests: each reads its text the simple way — line by line, as extracted —
so that the tests compare the seed fixtures with the sources, not with themselves."""

import re
from dataclasses import dataclass
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[3] / "fixtures" / "sources"


def _text(prefix: str) -> str:
    (path,) = SOURCES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _clean(cell: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


# --- 000: the Caucasus slides ---------------------------------------------------------------------


def landscapes() -> dict[str, str]:
    """'1 - Kuma-Manych;' and 'A - Likhi;' lines: code → name."""
    found = {}
    for line in _text("000").splitlines():
        if m := re.match(r"^([0-9]{1,2}|[A-G]) - (.+?)[;.]$", line.strip()):
            found[m.group(1)] = m.group(2)
    return found


def thematic_areas() -> dict[str, str]:
    """'A. The Ecological Network – …;' possibly continued on the next line: letter → title."""
    text = _text("000")
    block = text[text.index("four priority") : text.index("The Leopard Conservation")]
    areas = re.findall(r"(?m)^([A-D])\. (.+?);?$(?:\n\n(?![A-D]\.)(.+?)[;.]$)?", block)
    return {
        letter: " ".join(part for part in (first, rest) if part).rstrip(";.") for letter, first, rest in areas
    }


def national_action_plans() -> list[tuple[str, int, int, int]]:
    """'• Armenia – National Action Plan 2010-2020 (2008)' lines: (country, start, end, year in brackets)."""
    return [
        (m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)))
        for m in re.finditer(r"• (\w+) – National Action Plan (\d{4})-(\d{4}) \((\d{4})\)", _text("000"))
    ]


def area_km2() -> int:
    return int(re.search(r"^([\d,]+) km2$", _text("000"), re.M).group(1).replace(",", ""))


# --- 001: the Persian Leopard strategy's introduction ----------------------------------------------


def common_names() -> list[tuple[str, str]]:
    """The bulleted '- name (Language)' lines of the Introduction: (language, name)."""
    text = _text("001")
    block = text[text.index("In national languages") : text.index("Most populations")]
    return [
        (m.group(2), m.group(1).strip())
        for m in (re.match(r"^- (.*) \(([^)]*)\)[.,]?$", line.strip()) for line in block.splitlines())
        if m
    ]


def introduction() -> str:
    text = _text("001")
    return text[text.index("## 1. Introduction") : text.index("In national languages")]


# --- 002: SOS Central Asia -------------------------------------------------------------------------


def sos_page() -> str:
    return _text("002")


def sos_outputs() -> dict[int, str]:
    return {int(n): text.rstrip(";.") for n, text in re.findall(r"(?m)^- Output (\d): (.+)$", _text("002"))}


def sos_members() -> list[str]:
    text = _text("002")
    block = text[text.index("Membres et partenaires") :].splitlines()[1:]
    return [line.strip().rstrip(",") for line in block if line.strip()]


# --- 003: the Vilm agenda --------------------------------------------------------------------------


@dataclass
class AgendaRow:
    day: str  # the day's heading, e.g. TUESDAY 06 MAY 2025
    time: str
    title: str  # the agenda cell, its number included
    documents: str
    comments: str  # the comments/outcomes cell, whole


def agenda() -> tuple[dict[str, str], list[AgendaRow]]:
    """The day headings with their hours, and every row of the agenda tables, in order."""
    days, rows, day = {}, [], None
    lines = _text("003").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^(MON|TUES|WEDNES|THURS|FRI)DAY \d\d [A-Z]+ \d{4}$", line.strip()):
            day = line.strip()
            days[day] = next(x.strip() for x in lines[i + 1 :] if x.strip())
            continue
        cells = line.split("\t")
        if day is None or len(cells) < 2 or cells[0] == "Time":
            continue
        cells += [""] * (4 - len(cells))
        rows.append(AgendaRow(day, *(_clean(c) for c in cells[:4])))
    return days, rows


def agenda_header() -> str:
    text = _text("003")
    return text[: text.index("TUESDAY")]
