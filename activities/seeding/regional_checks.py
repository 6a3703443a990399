"""Checking the regional sections of the seed fixtures (species, organisations, programmes, National
Action Plans and reviews, meetings' documents and agendas, ecoregional plans) completely, before anything
is written: every key, every choice, every time and amount, and every reference — to a Range State, a
strategy, a species, a plan, a document or a programme — which must name a row some fixture defines or
the database already holds. Each problem is reported with its location.

The parsers here (times, amounts, document keys) are the ones the writer uses, so what is checked is
what is written."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from activities.models import (
    AgendaItem,
    Landscape,
    Meeting,
    MeetingDocument,
    MeetingKind,
    NationalActionPlan,
    Organisation,
    Programme,
    ProgrammeLink,
    RangeState,
    Species,
    Strategy,
)

from .checking import Reader, clean_text
from .writing import parse_date

SECTIONS = (
    "species",
    "organisations",
    "programmes",
    "national_action_plans",
    "plan_reviews",
    "ecoregional_plans",
)

SINGULAR = {
    "range_states": "Range State",
    "strategies": "strategy",
    "meetings": "meeting",
    "species": "species",
    "organisations": "organisation",
    "programmes": "programme",
    "plans": "National Action Plan",
    "documents": "document",
}

TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})\s*[–-]\s*(\d{1,2}):(\d{2})$")


def parse_time_span(text: str) -> tuple[datetime.time, datetime.time] | None:
    """'08:30 – 10:45' (or '11:30-12:30') → (08:30, 10:45); '' → None; anything else raises ValueError."""
    if not text:
        return None
    match = TIME_RE.match(text)
    if not match:
        raise ValueError(f"time {text!r} is not 'HH:MM – HH:MM'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = datetime.time(h1, m1), datetime.time(h2, m2)
    if end < start:
        raise ValueError(f"time {text!r} ends before it starts")
    return start, end


def parse_usd(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"amount {value!r} is not a number of USD") from exc
    if amount < 0:
        raise ValueError(f"amount {value!r} is negative")
    return amount


def document_key(raw: dict) -> str:
    """How fixtures refer to a document: its symbol, or its title where it has none."""
    return clean_text(raw.get("symbol")) or clean_text(raw.get("title"))


# --- what the fixtures and the database define, for checking references ------------------------


@dataclass
class Known:
    range_states: set = field(default_factory=set)
    strategies: set = field(default_factory=set)
    meetings: set = field(default_factory=set)
    species: set = field(default_factory=set)
    organisations: set = field(default_factory=set)
    programmes: set = field(default_factory=set)
    plans: set = field(default_factory=set)
    documents: set = field(default_factory=set)

    @classmethod
    def gather(cls, docs: list[dict]) -> "Known":
        known = cls(
            range_states=set(RangeState.objects.values_list("iso_code", flat=True)),
            strategies=set(Strategy.objects.values_list("slug", flat=True)),
            meetings=set(Meeting.objects.values_list("slug", flat=True)),
            species=set(Species.objects.values_list("slug", flat=True)),
            organisations=set(Organisation.objects.values_list("slug", flat=True)),
            programmes=set(Programme.objects.values_list("slug", flat=True)),
            plans=set(NationalActionPlan.objects.values_list("slug", flat=True)),
            documents={s or t for s, t in MeetingDocument.objects.values_list("symbol", "title")},
        )
        for doc in docs:

            def keys(section, key, doc=doc):
                return {
                    clean_text(raw.get(key))
                    for raw in doc.get(section) or []
                    if isinstance(raw, dict) and raw.get(key)
                }

            known.range_states |= keys("range_states", "iso_code")
            known.meetings |= keys("meetings", "slug")
            known.species |= keys("species", "slug")
            known.organisations |= keys("organisations", "slug")
            known.programmes |= keys("programmes", "slug")
            known.plans |= keys("national_action_plans", "slug")
            if isinstance(doc.get("strategy"), dict) and doc["strategy"].get("slug"):
                known.strategies.add(clean_text(doc["strategy"]["slug"]))
            for meeting in doc.get("meetings") or []:
                if isinstance(meeting, dict):
                    for raw in meeting.get("documents") or []:
                        if isinstance(raw, dict):
                            known.documents.add(document_key(raw))
        return known


# --- checking ----------------------------------------------------------------------------------


class Checker:
    def __init__(self, reader: Reader, known: Known):
        self.reader = reader
        self.known = known

    def refs(self, values, kind: str, where: str) -> None:
        """Each of `values` (a list, or one value) must be a known `kind` (an attribute of Known)."""
        if values in (None, ""):
            return
        for value in values if isinstance(values, list) else [values]:
            if clean_text(value) not in getattr(self.known, kind):
                self.reader.problem(where, f"unknown {SINGULAR[kind]} {value!r}; define it in a fixture")

    def choice(self, value, choices, where: str, name: str) -> None:
        if value not in choices:
            self.reader.problem(where, f"{name} must be one of {list(choices)}, not {value!r}")

    def check(self, doc: dict) -> None:
        r = self.reader
        strategy = doc.get("strategy")
        if isinstance(strategy, dict):
            self.refs(strategy.get("species"), "species", "strategy.species")
            self.refs(strategy.get("supersedes"), "strategies", "strategy.supersedes")
        for i, raw in enumerate(r.items(doc.get("meetings"), "meetings")):
            if isinstance(raw, dict):
                self.check_meeting(raw, f"meetings[{i}]")
        for i, raw in enumerate(r.items(doc.get("species"), "species")):
            self.check_species(raw, f"species[{i}]")
        for i, raw in enumerate(r.items(doc.get("organisations"), "organisations")):
            r.mapping(
                raw, f"organisations[{i}]", required=("slug", "name"), optional=("description", "source_note")
            )
        for i, raw in enumerate(r.items(doc.get("programmes"), "programmes")):
            self.check_programme(raw, f"programmes[{i}]")
        for i, raw in enumerate(r.items(doc.get("national_action_plans"), "national_action_plans")):
            self.check_plan(raw, f"national_action_plans[{i}]")
        for i, raw in enumerate(r.items(doc.get("plan_reviews"), "plan_reviews")):
            where = f"plan_reviews[{i}]"
            r.mapping(
                raw,
                where,
                required=("slug", "title"),
                optional=(
                    "year", "method", "meeting", "plans_reviewed", "plans_informed", "summary",
                    "source_document", "source_note",
                ),
            )  # fmt: skip
            self.refs(raw.get("meeting"), "meetings", where)
            self.refs(raw.get("plans_reviewed"), "plans", f"{where}.plans_reviewed")
            self.refs(raw.get("plans_informed"), "plans", f"{where}.plans_informed")
        for i, raw in enumerate(r.items(doc.get("ecoregional_plans"), "ecoregional_plans")):
            self.check_ecoregional_plan(raw, f"ecoregional_plans[{i}]")

    def check_meeting(self, raw: dict, where: str) -> None:
        if raw.get("kind") is not None:
            self.choice(raw["kind"], MeetingKind.values, where, "kind")
        for d, document in enumerate(self.reader.items(raw.get("documents"), f"{where}.documents")):
            dwhere = f"{where}.documents[{d}]"
            self.reader.mapping(
                document,
                dwhere,
                required=("kind",),
                optional=(
                    "symbol",
                    "title",
                    "languages",
                    "description",
                    "revises",
                    "strategy",
                    "source_note",
                ),
            )
            if not document_key(document):
                self.reader.problem(dwhere, "a document needs a symbol or a title")
            self.choice(document.get("kind"), MeetingDocument.Kind.values, dwhere, "kind")
            self.refs(document.get("revises"), "documents", dwhere)
            self.refs(document.get("strategy"), "strategies", dwhere)
        for d, day in enumerate(self.reader.items(raw.get("days"), f"{where}.days")):
            dwhere = f"{where}.days[{d}]"
            self.reader.mapping(day, dwhere, required=("date",), optional=("hours", "agenda"))
            try:
                date = parse_date(day.get("date"))
            except ValueError:
                self.reader.problem(dwhere, f"date {day.get('date')!r} is not YYYY-MM-DD")
                date = None
            start, end = parse_date(raw.get("start_date")), parse_date(raw.get("end_date"))
            if date and start and end and not start <= date <= end:
                self.reader.problem(dwhere, f"{date} is outside the meeting's dates")
            for a, item in enumerate(self.reader.items(day.get("agenda"), dwhere)):
                self.check_agenda_item(item, f"{dwhere}.agenda[{a}]", sub=False)

    def check_agenda_item(self, item: dict, where: str, *, sub: bool) -> None:
        optional = ("number", "kind", "time", "documents_text", "documents", "comments", "expected_outcome")
        optional += ("source_note",) + (() if sub else ("sub_items",))
        self.reader.mapping(item, where, required=("title",), optional=optional)
        kind = item.get("kind") or ("sub_item" if sub else "item")
        self.choice(kind, AgendaItem.Kind.values, where, "kind")
        if (kind == "item") != (item.get("number") is not None):
            self.reader.problem(where, "numbered rows are agenda items, and agenda items are numbered")
        if sub and kind != "sub_item":
            self.reader.problem(where, "rows under sub_items are sub-items")
        try:
            parse_time_span(clean_text(item.get("time")))
        except ValueError as exc:
            self.reader.problem(where, str(exc))
        self.refs(item.get("documents"), "documents", where)
        for s, sub_item in enumerate(self.reader.items(item.get("sub_items"), where)):
            self.check_agenda_item(sub_item, f"{where}.sub_items[{s}]", sub=True)

    def check_species(self, raw, where: str) -> None:
        r = self.reader
        r.mapping(
            raw,
            where,
            required=("slug", "common_name", "scientific_name"),
            optional=(
                "rank", "parent", "distribution", "red_list_category", "red_list_source", "synonyms",
                "common_names", "source_document", "source_note",
            ),
        )  # fmt: skip
        if not isinstance(raw, dict):
            return
        self.choice(raw.get("rank", "species"), Species.Rank.values, where, "rank")
        if raw.get("red_list_category"):
            self.choice(raw["red_list_category"], Species.RedListCategory.values, where, "red_list_category")
        self.refs(raw.get("parent"), "species", where)
        for s, synonym in enumerate(r.items(raw.get("synonyms"), f"{where}.synonyms")):
            r.mapping(
                synonym,
                f"{where}.synonyms[{s}]",
                required=("scientific_name",),
                optional=("as_written", "reference", "source_note"),
            )
        languages = set()
        for c, name in enumerate(r.items(raw.get("common_names"), f"{where}.common_names")):
            r.mapping(
                name, f"{where}.common_names[{c}]", required=("language", "name"), optional=("language_code",)
            )
            if isinstance(name, dict):
                if name.get("language") in languages:
                    r.problem(
                        f"{where}.common_names[{c}]", f"language {name.get('language')!r} appears twice"
                    )
                languages.add(name.get("language"))

    def check_programme(self, raw, where: str) -> None:
        r = self.reader
        r.mapping(
            raw,
            where,
            required=("slug", "name", "kind"),
            optional=(
                "short_name", "managed_by", "donors", "members_and_partners", "overview", "phase",
                "period_text", "starts_on", "ends_on", "grant_count_min", "grant_count_max", "grant_min_usd",
                "grant_max_usd", "species", "range_states", "range_states_note", "outputs", "links",
                "source_document", "source_note",
            ),
        )  # fmt: skip
        if not isinstance(raw, dict):
            return
        self.choice(raw.get("kind"), Programme.Kind.values, where, "kind")
        self.refs(raw.get("managed_by"), "organisations", where)
        self.refs(raw.get("donors"), "organisations", f"{where}.donors")
        self.refs(raw.get("members_and_partners"), "organisations", f"{where}.members_and_partners")
        self.refs(raw.get("species"), "species", f"{where}.species")
        self.refs(raw.get("range_states"), "range_states", f"{where}.range_states")
        for key in ("grant_min_usd", "grant_max_usd"):
            try:
                parse_usd(raw.get(key))
            except ValueError as exc:
                r.problem(f"{where}.{key}", str(exc))
        for o, output in enumerate(r.items(raw.get("outputs"), f"{where}.outputs")):
            r.mapping(output, f"{where}.outputs[{o}]", required=("number", "text"))
        for k, link in enumerate(r.items(raw.get("links"), f"{where}.links")):
            lwhere = f"{where}.links[{k}]"
            r.mapping(link, lwhere, required=("relation", "to"), optional=("source_text",))
            if isinstance(link, dict):
                self.choice(link.get("relation"), ProgrammeLink.Relation.values, lwhere, "relation")
                self.refs(link.get("to"), "programmes", lwhere)

    def check_plan(self, raw, where: str) -> None:
        self.reader.mapping(
            raw,
            where,
            required=("slug", "range_state", "title"),
            optional=(
                "kind", "implements", "period_start", "period_end", "year_developed", "year_adopted",
                "supersedes", "species", "note", "source_note",
            ),
        )  # fmt: skip
        if not isinstance(raw, dict):
            return
        self.choice(raw.get("kind", "nap"), NationalActionPlan.Kind.values, where, "kind")
        self.refs(raw.get("range_state"), "range_states", where)
        self.refs(raw.get("implements"), "strategies", where)
        self.refs(raw.get("supersedes"), "plans", where)
        self.refs(raw.get("species"), "species", f"{where}.species")
        start, end = raw.get("period_start"), raw.get("period_end")
        if start and end and start > end:
            self.reader.problem(where, f"the period {start}-{end} ends before it starts")

    def check_ecoregional_plan(self, raw, where: str) -> None:
        r = self.reader
        r.mapping(
            raw,
            where,
            required=("slug", "title", "short_name"),
            optional=(
                "description", "approach", "area_km2", "area_note", "targets_year", "actions_year",
                "landscapes", "thematic_areas", "source_document", "source_note",
            ),
        )  # fmt: skip
        if not isinstance(raw, dict):
            return
        codes = set()
        for i, landscape in enumerate(r.items(raw.get("landscapes"), f"{where}.landscapes")):
            lwhere = f"{where}.landscapes[{i}]"
            r.mapping(landscape, lwhere, required=("kind", "code", "name"))
            if isinstance(landscape, dict):
                self.choice(landscape.get("kind"), Landscape.Kind.values, lwhere, "kind")
                code = clean_text(landscape.get("code"))
                if code in codes:
                    r.problem(lwhere, f"landscape {code} appears twice")
                codes.add(code)
        for i, area in enumerate(r.items(raw.get("thematic_areas"), f"{where}.thematic_areas")):
            r.mapping(area, f"{where}.thematic_areas[{i}]", required=("letter", "title"))
