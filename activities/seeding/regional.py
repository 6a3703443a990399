"""Writing the regional sections of the seed fixtures, once regional_checks has found no problem:
species, organisations, funding programmes, National Action Plans and their reviews, meetings'
documents and agendas, ecoregional plans with their landscapes, and the links between strategies
(versions, species).

Rows a fixture names are created or updated in place. Top-level rows that vanish from a fixture
(plans, species, programmes, documents, organisations) are left alone, since the Secretariat may add them
in the admin; the parts a fixture row owns (a meeting's agenda, a plan's landscapes, a programme's
outputs and links, a species' names) are replaced to match it, except landscapes something is tagged
with."""

from activities.models import (
    AgendaItem,
    CommonName,
    EcoregionalPlan,
    Landscape,
    Meeting,
    MeetingDay,
    MeetingDocument,
    NationalActionPlan,
    Organisation,
    PlanReview,
    Programme,
    ProgrammeLink,
    ProgrammeOutput,
    RangeState,
    Species,
    SpeciesSynonym,
    Strategy,
    ThematicArea,
)

from .checking import clean_text
from .regional_checks import SECTIONS, document_key, parse_time_span, parse_usd
from .writing import parse_date

__all__ = ["SECTIONS", "RegionalWriter"]


class RegionalWriter:
    """Writes the regional sections of all documents, in an order that lets each reference find its row:
    first the rows themselves (pass one), then the links between rows of the same kind (pass two)."""

    def __init__(self, writer):
        self.writer = writer
        self.states = {s.iso_code: s for s in RangeState.objects.all()}

    def refresh(self) -> None:
        self.strategies = {s.slug: s for s in Strategy.objects.all()}
        self.species = {s.slug: s for s in Species.objects.all()}
        self.organisations = {o.slug: o for o in Organisation.objects.all()}

    # Pass zero, before the strategies: species and organisations, which strategies and plans name.
    def write_vocabularies(self, docs: list[dict]) -> None:
        w = self.writer
        self.states = {s.iso_code: s for s in RangeState.objects.all()}
        for doc in docs:
            for raw in doc.get("organisations") or []:
                values = {
                    "name": clean_text(raw["name"]),
                    "description": clean_text(raw.get("description")),
                    "source_note": clean_text(raw.get("source_note")),
                }
                w.upsert(Organisation, {"slug": raw["slug"]}, values, f"Organisation {raw['slug']}")
            for raw in doc.get("species") or []:
                values = {
                    "common_name": clean_text(raw["common_name"]),
                    "scientific_name": clean_text(raw["scientific_name"]),
                    "rank": raw.get("rank", Species.Rank.SPECIES),
                    "distribution": clean_text(raw.get("distribution")),
                    "red_list_category": clean_text(raw.get("red_list_category")),
                    "red_list_source": clean_text(raw.get("red_list_source")),
                    "source_document": clean_text(raw.get("source_document")),
                    "source_note": clean_text(raw.get("source_note")),
                }
                species = w.upsert(Species, {"slug": raw["slug"]}, values, f"Species {raw['slug']}")
                self.write_species_names(species, raw)
        self.refresh()
        for doc in docs:
            for raw in doc.get("species") or []:
                parent = self.species.get(raw.get("parent"))
                w.link(self.species[raw["slug"]], {"parent": parent}, f"Species {raw['slug']}")
        self.writer.flush_links()

    def write_species_names(self, species: Species, raw: dict) -> None:
        w = self.writer
        keep = set()
        for position, synonym in enumerate(raw.get("synonyms") or [], start=1):
            values = {
                "position": position,
                "as_written": clean_text(synonym.get("as_written")),
                "reference": clean_text(synonym.get("reference")),
                "source_note": clean_text(synonym.get("source_note")),
            }
            name = clean_text(synonym["scientific_name"])
            lookup = {"species": species, "scientific_name": name}
            keep.add(w.upsert(SpeciesSynonym, lookup, values, f"Species {species.slug} synonym {name}").pk)
        w.delete_missing(species.synonyms.all(), keep, "synonyms")
        keep = set()
        for position, common in enumerate(raw.get("common_names") or [], start=1):
            language = clean_text(common["language"])
            values = {
                "position": position,
                "language_code": clean_text(common.get("language_code")),
                "name": clean_text(common["name"]),
            }
            lookup = {"species": species, "language": language}
            keep.add(w.upsert(CommonName, lookup, values, f"Species {species.slug} name in {language}").pk)
        w.delete_missing(species.common_names.all(), keep, "common names")

    # Pass one and two, after the strategies.
    def write(self, docs: list[dict]) -> None:
        self.refresh()
        for doc in docs:
            self.write_strategy_links(doc)
            self.write_programmes(doc)
            self.write_ecoregional_plans(doc)
        for doc in docs:
            self.write_plans(doc)
        plans = {p.slug: p for p in NationalActionPlan.objects.all()}
        for doc in docs:
            for raw in doc.get("national_action_plans") or []:
                supersedes = plans.get(raw.get("supersedes"))
                self.writer.link(plans[raw["slug"]], {"supersedes": supersedes}, f"NAP {raw['slug']}")
            self.write_plan_reviews(doc, plans)
        for doc in docs:
            for raw in doc.get("meetings") or []:
                self.write_documents(raw)
        for doc in docs:
            for raw in doc.get("meetings") or []:
                self.write_document_revisions(raw)
                if "days" in raw:
                    self.write_agenda(raw)
        for doc in docs:
            self.write_programme_links(doc)
        self.writer.flush_links()

    def write_strategy_links(self, doc: dict) -> None:
        raw = doc.get("strategy")
        if not isinstance(raw, dict):
            return
        strategy = self.strategies[raw["slug"]]
        label = f"Strategy {strategy.slug}"
        supersedes = self.strategies.get(raw.get("supersedes"))
        self.writer.link(strategy, {"supersedes": supersedes}, label)
        self.writer.set_m2m(strategy, "species", [self.species[s] for s in raw.get("species") or []], label)

    def write_plans(self, doc: dict) -> None:
        for raw in doc.get("national_action_plans") or []:
            values = {
                "range_state": self.states[raw["range_state"]],
                "title": clean_text(raw["title"]),
                "kind": raw.get("kind", NationalActionPlan.Kind.NAP),
                "strategy": self.strategies.get(raw.get("implements")),
                "period_start": raw.get("period_start"),
                "period_end": raw.get("period_end"),
                "year_developed": raw.get("year_developed"),
                "year_adopted": raw.get("year_adopted"),
                "note": clean_text(raw.get("note")),
                "source_note": clean_text(raw.get("source_note")),
            }
            label = f"NAP {raw['slug']}"
            plan = self.writer.upsert(NationalActionPlan, {"slug": raw["slug"]}, values, label)
            self.writer.set_m2m(plan, "species", [self.species[s] for s in raw.get("species") or []], label)

    def write_plan_reviews(self, doc: dict, plans: dict) -> None:
        meetings = {m.slug: m for m in Meeting.objects.all()}
        for raw in doc.get("plan_reviews") or []:
            values = {
                "title": clean_text(raw["title"]),
                "year": raw.get("year"),
                "method": clean_text(raw.get("method")),
                "meeting": meetings.get(raw.get("meeting")),
                "summary": clean_text(raw.get("summary")),
                "source_document": clean_text(raw.get("source_document")),
                "source_note": clean_text(raw.get("source_note")),
            }
            label = f"Plan review {raw['slug']}"
            review = self.writer.upsert(PlanReview, {"slug": raw["slug"]}, values, label)
            for attribute in ("plans_reviewed", "plans_informed"):
                targets = [plans[s] for s in raw.get(attribute) or []]
                self.writer.set_m2m(review, attribute, targets, label)

    def _document_lookup(self, meeting: Meeting, raw: dict) -> dict:
        symbol = clean_text(raw.get("symbol"))
        return (
            {"symbol": symbol}
            if symbol
            else {"meeting": meeting, "symbol": "", "title": clean_text(raw["title"])}
        )

    def write_documents(self, raw_meeting: dict) -> None:
        if not raw_meeting.get("documents"):
            return
        meeting = Meeting.objects.get(slug=raw_meeting["slug"])
        for raw in raw_meeting["documents"]:
            values = {
                "meeting": meeting,
                "title": clean_text(raw.get("title")),
                "kind": raw["kind"],
                "languages": clean_text(raw.get("languages")),
                "description": clean_text(raw.get("description")),
                "strategy": self.strategies.get(raw.get("strategy")),
                "source_note": clean_text(raw.get("source_note")),
            }
            lookup = self._document_lookup(meeting, raw)
            values = {key: value for key, value in values.items() if key not in lookup}
            self.writer.upsert(MeetingDocument, lookup, values, f"Document {document_key(raw)}")

    def documents_by_key(self) -> dict[str, MeetingDocument]:
        return {doc.symbol or doc.title: doc for doc in MeetingDocument.objects.all()}

    def write_document_revisions(self, raw_meeting: dict) -> None:
        documents = self.documents_by_key()
        for raw in raw_meeting.get("documents") or []:
            key = document_key(raw)
            revises = documents.get(clean_text(raw.get("revises"))) if raw.get("revises") else None
            self.writer.link(documents[key], {"revises": revises}, f"Document {key}")

    def write_agenda(self, raw_meeting: dict) -> None:
        meeting = Meeting.objects.get(slug=raw_meeting["slug"])
        documents = self.documents_by_key()
        keep_days = set()
        for raw_day in raw_meeting.get("days") or []:
            keep_days.add(self.write_day(meeting, raw_day, documents).pk)
        self.writer.delete_missing(meeting.days.all(), keep_days, "meeting days")

    def write_day(self, meeting: Meeting, raw_day: dict, documents: dict) -> MeetingDay:
        w = self.writer
        date = parse_date(raw_day["date"])
        label = f"Meeting {meeting.slug} {date}"
        day = w.upsert(
            MeetingDay, {"meeting": meeting, "date": date}, {"hours": clean_text(raw_day.get("hours"))}, label
        )
        existing = {item.position: item for item in day.items.all()}
        links = _group(
            AgendaItem.documents.through.objects.filter(agendaitem__day=day).values_list(
                "agendaitem_id", "meetingdocument_id"
            )
        )
        # The rows in order, each sub-item right after its item (which it points at, so items come first).
        rows = []
        for raw in raw_day.get("agenda") or []:
            parent_index = len(rows)
            rows.append((raw, None, raw.get("kind") or "item"))
            rows.extend(
                (sub, parent_index, sub.get("kind") or "sub_item") for sub in raw.get("sub_items") or []
            )
        written: list[AgendaItem] = []
        for position, (raw, parent_index, kind) in enumerate(rows, start=1):
            span = parse_time_span(clean_text(raw.get("time")))
            values = {
                "kind": kind,
                "number": raw.get("number"),
                "parent": written[parent_index] if parent_index is not None else None,
                "title": clean_text(raw["title"]),
                "time_text": clean_text(raw.get("time")),
                "starts_at": span[0] if span else None,
                "ends_at": span[1] if span else None,
                "documents_text": clean_text(raw.get("documents_text")),
                "comments": clean_text(raw.get("comments")),
                "expected_outcome": clean_text(raw.get("expected_outcome")),
                "source_note": clean_text(raw.get("source_note")),
            }
            item_label = f"{label} agenda row {position}"
            item = w.upsert(
                AgendaItem,
                {"day": day, "position": position},
                values,
                item_label,
                existing=existing.get(position),
            )
            written.append(item)
            targets = [documents[clean_text(key)] for key in raw.get("documents") or []]
            w.set_m2m(item, "documents", targets, item_label, current=set(links.get(item.pk, [])))
        w.flush_links()
        w.delete_missing(day.items.all(), {item.pk for item in written}, "agenda items")
        return day

    def write_programmes(self, doc: dict) -> None:
        w = self.writer
        for raw in doc.get("programmes") or []:
            values = {
                "name": clean_text(raw["name"]),
                "short_name": clean_text(raw.get("short_name")),
                "kind": raw["kind"],
                "managed_by": self.organisations.get(raw.get("managed_by")),
                "overview": clean_text(raw.get("overview")),
                "phase": clean_text(raw.get("phase")),
                "period_text": clean_text(raw.get("period_text")),
                "starts_on": parse_date(raw.get("starts_on")),
                "ends_on": parse_date(raw.get("ends_on")),
                "grant_count_min": raw.get("grant_count_min"),
                "grant_count_max": raw.get("grant_count_max"),
                "grant_min_usd": parse_usd(raw.get("grant_min_usd")),
                "grant_max_usd": parse_usd(raw.get("grant_max_usd")),
                "range_states_note": clean_text(raw.get("range_states_note")),
                "source_document": clean_text(raw.get("source_document")),
                "source_note": clean_text(raw.get("source_note")),
            }
            label = f"Programme {raw['slug']}"
            programme = w.upsert(Programme, {"slug": raw["slug"]}, values, label)
            for attribute, lookup in (
                ("donors", self.organisations),
                ("members_and_partners", self.organisations),
                ("species", self.species),
                ("range_states", self.states),
            ):
                w.set_m2m(programme, attribute, [lookup[k] for k in raw.get(attribute) or []], label)
            keep = set()
            for output in raw.get("outputs") or []:
                obj = w.upsert(
                    ProgrammeOutput,
                    {"programme": programme, "number": output["number"]},
                    {"text": clean_text(output["text"])},
                    f"{label} output {output['number']}",
                )
                keep.add(obj.pk)
            w.delete_missing(programme.outputs.all(), keep, "programme outputs")

    def write_programme_links(self, doc: dict) -> None:
        w = self.writer
        programmes = {p.slug: p for p in Programme.objects.all()}
        for raw in doc.get("programmes") or []:
            programme = programmes[raw["slug"]]
            keep = set()
            for link in raw.get("links") or []:
                lookup = {"source": programme, "relation": link["relation"], "target": programmes[link["to"]]}
                obj = w.upsert(
                    ProgrammeLink,
                    lookup,
                    {"source_text": clean_text(link.get("source_text"))},
                    f"Programme {programme.slug} {link['relation']} {link['to']}",
                )
                keep.add(obj.pk)
            w.delete_missing(programme.links.all(), keep, "programme links")

    def write_ecoregional_plans(self, doc: dict) -> None:
        w = self.writer
        for raw in doc.get("ecoregional_plans") or []:
            values = {
                "title": clean_text(raw["title"]),
                "short_name": clean_text(raw["short_name"]),
                "description": clean_text(raw.get("description")),
                "approach": clean_text(raw.get("approach")),
                "area_km2": raw.get("area_km2"),
                "area_note": clean_text(raw.get("area_note")),
                "targets_year": raw.get("targets_year"),
                "actions_year": raw.get("actions_year"),
                "source_document": clean_text(raw.get("source_document")),
                "source_note": clean_text(raw.get("source_note")),
            }
            label = f"Ecoregional plan {raw['slug']}"
            plan = w.upsert(EcoregionalPlan, {"slug": raw["slug"]}, values, label)
            keep = set()
            for landscape in raw.get("landscapes") or []:
                code = clean_text(landscape["code"])
                obj = w.upsert(
                    Landscape,
                    {"plan": plan, "code": code},
                    {"kind": landscape["kind"], "name": clean_text(landscape["name"])},
                    f"{label} landscape {code}",
                )
                keep.add(obj.pk)
            # A landscape that activities or progress entries are tagged with is kept: tags people
            # entered are never dropped by a fixture edit.
            w.delete_missing(
                plan.landscapes.filter(activities__isnull=True, progress_entries__isnull=True),
                keep,
                "landscapes",
            )
            keep = set()
            for area in raw.get("thematic_areas") or []:
                letter = clean_text(area["letter"])
                obj = w.upsert(
                    ThematicArea,
                    {"plan": plan, "letter": letter},
                    {"title": clean_text(area["title"])},
                    f"{label} thematic area {letter}",
                )
                keep.add(obj.pk)
            w.delete_missing(plan.thematic_areas.filter(measures__isnull=True), keep, "thematic areas")


def _group(pairs) -> dict:
    grouped: dict = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped
