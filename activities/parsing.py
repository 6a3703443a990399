"""Parsers that turn the source table's cells into queryable values.

Each parser accepts exactly the forms the source documents use and raises ``ValueError`` with a
readable message for anything else, so that a fixture edit that introduces a new form fails loudly
at load time instead of being stored as a wrong number. The timeline's and the cost's messages are
translated: Activity.clean() shows them beside the field in the admin.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

CODE_RE = re.compile(r"^\d+(\.\d+)*(\.[a-z])?$")


def code_sort_key(code: str) -> str:
    """Sort key that orders logframe codes naturally: 1.1.1.a < 1.1.2 < 1.10.1 < 10.1."""
    parts = []
    for part in code.split("."):
        parts.append(part.zfill(3) if part.isdigit() else part)
    return ".".join(parts)


# --- timeline -----------------------------------------------------------------------------------

NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}


@dataclass(frozen=True)
class Timeline:
    kind: str  # one of Activity.TimelineKind's values
    start_year: int | None = None
    due_year: int | None = None
    recurrence_years: int | None = None


def parse_timeline(text: str) -> Timeline:
    """Parse a Timeline cell: '2025', '2023-24', '2024-2027', '2023 (drafted) 2025 (endorsed)',
    'Every three years', 'Every 6 years', 'Regularly', 'ASAP', 'TBD'."""
    value = " ".join(text.split())
    if re.fullmatch(r"\d{4}", value):
        return Timeline("year", due_year=int(value))
    if m := re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{2}|\d{4})", value):
        start = int(m.group(1))
        end = int(m.group(2)) if len(m.group(2)) == 4 else start // 100 * 100 + int(m.group(2))
        if end < start:
            raise ValueError(_("timeline %(text)s ends before it starts") % {"text": repr(text)})
        return Timeline("span", start_year=start, due_year=end)
    if re.fullmatch(r"(\s*\d{4}\s*\([^)]+\))+", value):
        years = [int(year) for year in re.findall(r"(\d{4})\s*\(", value)]
        return Timeline("milestones", start_year=min(years), due_year=max(years))
    if m := re.fullmatch(r"every\s+(\w+)\s+years?", value, flags=re.IGNORECASE):
        word = m.group(1).lower()
        interval = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
        if not interval:
            raise ValueError(
                _("timeline %(text)s: cannot read the interval %(interval)s")
                % {"text": repr(text), "interval": repr(m.group(1))}
            )
        return Timeline("recurring", recurrence_years=interval)
    if value.lower() == "regularly":
        return Timeline("recurring")
    if value.upper() == "ASAP":
        return Timeline("asap")
    if value.upper() == "TBD" or value == "":
        return Timeline("tbd")
    raise ValueError(_("timeline %(text)s is not a form this app understands") % {"text": repr(text)})


# --- cost ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cost:
    kind: str  # one of Activity.CostKind's values
    usd: Decimal | None = None
    per_country: bool = False


def _parse_amount(number: str) -> Decimal:
    """'10,000' and '50.000' are thousands (the source uses both separators); '2.25 M' is millions."""
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*M", number):
        return Decimal(m.group(1)) * 1_000_000
    if re.fullmatch(r"\d{1,3}([,.]\d{3})+", number):
        return Decimal(re.sub(r"[,.]", "", number))
    if re.fullmatch(r"\d+", number):
        return Decimal(number)
    raise ValueError(_("cost %(amount)s is not a form this app understands") % {"amount": repr(number)})


def parse_cost(text: str) -> Cost:
    """Parse a Cost (USD) cell: '10,000', '10,000 per country', '50.000', '2.25 M', 'TBD …', 'N/A'."""
    value = " ".join(text.split())
    if value == "" or value.upper().startswith("TBD"):
        return Cost("tbd")
    if value.upper() == "N/A":
        return Cost("not_applicable")
    per_country = False
    if value.lower().endswith(" per country"):
        per_country = True
        value = value[: -len(" per country")]
    return Cost("amount", usd=_parse_amount(value), per_country=per_country)


# --- CAMI Programme of Work ---------------------------------------------------------------------

MEASURE_RE = re.compile(r"^\d{1,2}\.\d{1,2}$")


def expand_measure_range(first: str, last: str) -> list[str]:
    """'4.1' to '4.15' → ['4.1', '4.2', …, '4.15']: ranges are expanded into the measures they span."""
    major_a, minor_a = first.split(".")
    major_b, minor_b = last.split(".")
    if major_a != major_b or int(minor_b) < int(minor_a):
        raise ValueError(f"measure range {first} – {last} does not stay within one group")
    return [f"{major_a}.{n}" for n in range(int(minor_a), int(minor_b) + 1)]


def parse_pow(text: str) -> list[str]:
    """Parse a CAMI POW cell ('1.3, 19.2, 19.5', '4.1 - 4.15', '19.10.') into measure codes.

    'TBD' and an empty cell name no measure. Garbled cells raise ValueError: the fixture states
    their reading explicitly instead."""
    value = " ".join(text.split())
    if value == "" or value.upper() == "TBD":
        return []
    codes: list[str] = []
    for item in value.split(","):
        item = item.strip().rstrip(".")
        if m := re.fullmatch(r"(\d+\.\d+)\s*[-–]\s*(\d+\.\d+)", item):
            codes.extend(expand_measure_range(m.group(1), m.group(2)))
        elif MEASURE_RE.fullmatch(item):
            codes.append(item)
        else:
            raise ValueError(f"CAMI POW cell {text!r}: cannot read {item!r} as a measure")
    return list(dict.fromkeys(codes))


# --- cross-references ---------------------------------------------------------------------------

_CODE = r"\d+(?:\.\d+)+(?:\.[a-z])?"
_SEP = r"(?:\s*(?:,|&|\band\b|[-–])\s*)+"
REFERENCE_RE = re.compile(
    rf"\b(?P<word>Activities|Activity|Results|Result|R|Objectives|Objective|under)\s+"
    rf"(?P<codes>(?:{_CODE}|\d+)\.?(?:{_SEP}(?:{_CODE})\.?)*)"
)
KIND_BY_WORD = {
    "activities": "activity",
    "activity": "activity",
    "results": "result",
    "result": "result",
    "r": "result",
    "objectives": "objective",
    "objective": "objective",
}


def _expand_code_range(first: str, last: str) -> list[str]:
    head_a, _, tail_a = first.rpartition(".")
    head_b, _, tail_b = last.rpartition(".")
    if head_a != head_b or not (tail_a.isdigit() and tail_b.isdigit()) or int(tail_b) < int(tail_a):
        return [first, last]
    return [f"{head_a}.{n}" for n in range(int(tail_a), int(tail_b) + 1)]


def parse_references(text: str) -> list[tuple[str, str]]:
    """Find cross-references in a source text: 'see Activities 1.2.2 & 3.3.2' → [('activity', '1.2.2'), …].

    Ranges ('11.3.1-11.3.3') are expanded; 'under 11.1.2' (no noun) is read by the code's depth."""
    found: list[tuple[str, str]] = []
    for match in REFERENCE_RE.finditer(text):
        word = match.group("word").lower()
        codes_text = match.group("codes")
        tokens = re.split(r"\s*(,|&|\band\b|[-–])\s*", codes_text)
        codes: list[str] = []
        pending_range = False
        for token in tokens:
            token = token.strip().rstrip(".")
            if token in ("-", "–"):
                pending_range = True
                continue
            if token in (",", "&", "and", ""):
                continue
            if pending_range and codes:
                codes.extend(_expand_code_range(codes.pop(), token))
            else:
                codes.append(token)
            pending_range = False
        for code in codes:
            if word == "under":
                depth = code.count(".") + 1
                if depth < 3:
                    continue  # 'under 2.1' could be anything; only activity-depth codes are references
                kind = "activity"
            else:
                kind = KIND_BY_WORD[word]
            if kind == "objective" and not code.isdigit():
                continue
            if kind != "objective" and "." not in code:
                continue
            found.append((kind, code))
    return list(dict.fromkeys(found))
