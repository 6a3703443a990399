"""Loading the seed fixtures (fixtures/*.yaml) into the database, idempotently.

A run first reads and checks every file completely — unknown keys, cells the parsers cannot read,
codes that do not fit their parent, unknown actor slugs — and reports every problem at once without
writing anything. Only then does it write, in one transaction, touching only rows whose values differ
and naming each field it changes. Rows that vanished from a fixture are deleted, except activities
with progress entries: those stop the run, because progress that people entered is never dropped.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from .models import (
    Activity,
    Actor,
    CrossReference,
    Meeting,
    Metapopulation,
    NationalActionPlan,
    Objective,
    RangeState,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from .parsing import CODE_RE, parse_cost, parse_pow, parse_references, parse_timeline

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


class SeedError(Exception):
    """The fixtures cannot be loaded; ``problems`` lists every reason, each with its location."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        def fmt(counter):
            return ", ".join(f"{n} {name}" for name, n in sorted(counter.items())) or "nothing"

        return f"created {fmt(self.created)}; updated {fmt(self.updated)}; deleted {fmt(self.deleted)}"


# --- reading and checking ------------------------------------------------------------------------


class _Reader:
    """Walks a YAML document, collecting problems with their location instead of stopping at the first."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")

    def mapping(self, value: Any, where: str, *, required=(), optional=()) -> dict:
        if not isinstance(value, dict):
            self.problem(where, f"expected a mapping, found {type(value).__name__}")
            return {}
        for key in required:
            if key not in value or value[key] in (None, ""):
                self.problem(where, f"'{key}' is required")
        unknown = set(value) - set(required) - set(optional)
        if unknown:
            self.problem(
                where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted({*required, *optional})}"
            )
        return value

    def items(self, value: Any, where: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(where, f"expected a list, found {type(value).__name__}")
            return []
        return value


def _text(value: Any) -> str:
    """Fixture scalars arrive as str, int or None; the model stores text."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _read_documents(paths: list[Path]) -> list[tuple[str, dict]]:
    documents = []
    problems = []
    for path in paths:
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"{path.name}: cannot be read: {exc}")
            continue
        if not isinstance(content, dict):
            problems.append(f"{path.name}: expected a mapping at the top level")
            continue
        documents.append((path.name, content))
    if problems:
        raise SeedError(problems)
    return documents


@dataclass
class _ActivityPlan:
    values: dict
    actor_slugs: list[str]
    measure_codes: list[str]


def _plan_activity(reader: _Reader, raw: dict, where: str, result_code: str) -> _ActivityPlan | None:
    reader.mapping(
        raw,
        where,
        required=("code", "text"),
        optional=(
            "actors_text",
            "actors_continued",
            "actors",
            "indicator",
            "timeline",
            "cost",
            "cami_pow",
            "cami_pow_measures",
            "priority",
            "source_note",
        ),
    )
    code = _text(raw.get("code"))
    if not CODE_RE.match(code) or not code.startswith(f"{result_code}."):
        reader.problem(where, f"activity code {code!r} does not belong to Result {result_code}")
        return None
    timeline_text = _text(raw.get("timeline"))
    cost_text = _text(raw.get("cost"))
    pow_text = _text(raw.get("cami_pow"))
    try:
        timeline = parse_timeline(timeline_text)
        cost = parse_cost(cost_text)
        if raw.get("cami_pow_measures") is not None:
            if not raw.get("source_note"):
                raise ValueError("cami_pow_measures overrides the POW cell, so source_note must say why")
            measures = [code for item in raw["cami_pow_measures"] for code in parse_pow(_text(item))]
        else:
            measures = parse_pow(pow_text)
    except ValueError as exc:
        reader.problem(where, f"Activity {code}: {exc}")
        return None
    priority = raw.get("priority")
    if priority not in (None, 1, 2, 3):
        reader.problem(where, f"Activity {code}: priority must be 1, 2, 3 or null, not {priority!r}")
        return None
    values = {
        "text": _text(raw.get("text")),
        "actors_text": _text(raw.get("actors_text")),
        "actors_continued": bool(raw.get("actors_continued", False)),
        "indicator": _text(raw.get("indicator")),
        "timeline_text": timeline_text,
        "timeline_kind": timeline.kind,
        "start_year": timeline.start_year,
        "due_year": timeline.due_year,
        "recurrence_years": timeline.recurrence_years,
        "cost_text": cost_text,
        "cost_kind": cost.kind,
        "cost_usd": cost.usd,
        "cost_per_country": cost.per_country,
        "cami_pow_text": pow_text,
        "priority": priority,
        "source_note": _text(raw.get("source_note")),
    }
    return _ActivityPlan(values, [_text(s) for s in reader.items(raw.get("actors"), where)], measures)


# --- writing -------------------------------------------------------------------------------------


_LOOK_UP = object()


class _Writer:
    def __init__(self, report: SeedReport):
        self.report = report
        self.pending_links: defaultdict[type, list] = defaultdict(list)

    def flush_links(self) -> None:
        for through, rows in self.pending_links.items():
            through.objects.bulk_create(rows, batch_size=500)
        self.pending_links.clear()

    def upsert(self, model, lookup: dict, values: dict, label: str, *, existing=_LOOK_UP):
        """Create or update one row by natural key. `existing` may pass the row (or None) when the
        caller has already loaded it with its siblings, saving a query per row."""
        name = model._meta.verbose_name_plural
        obj = model.objects.filter(**lookup).first() if existing is _LOOK_UP else existing
        if obj is None:
            obj = model(**lookup, **values)
            obj.save()
            self.report.created[name] += 1
            return obj
        changed = [key for key, value in values.items() if getattr(obj, key) != value]
        if changed:
            for key in changed:
                self.report.changes.append(f"{label}: {key} {getattr(obj, key)!r} → {values[key]!r}")
                setattr(obj, key, values[key])
            obj.save()
            self.report.updated[name] += 1
        return obj

    def ensure(self, model, lookup: dict):
        """Get or create a row by its natural key alone, leaving its other fields as they are."""
        obj, created = model.objects.get_or_create(**lookup)
        if created:
            self.report.created[model._meta.verbose_name_plural] += 1
        return obj

    def set_m2m(self, obj, attribute: str, targets: list, label: str, *, current: set | None = None) -> None:
        manager = getattr(obj, attribute)
        if current is None:
            current = set(manager.values_list("pk", flat=True))
        wanted = {target.pk for target in targets}
        if not current and wanted:
            # A first link set (a new activity): queue the rows and insert them all at once.
            through = manager.through
            source = manager.source_field_name
            target_field = manager.target_field_name
            self.pending_links[through].extend(
                through(**{f"{source}_id": obj.pk, f"{target_field}_id": pk}) for pk in sorted(wanted)
            )
            return
        if current != wanted:
            if current:  # a new object's links are not a change worth listing
                self.report.changes.append(f"{label}: {attribute} changed")
                self.report.updated[obj._meta.verbose_name_plural] += 1
            manager.set(targets)

    def delete_missing(self, queryset, keep_pks: set, what: str) -> None:
        stale = queryset.exclude(pk__in=keep_pks)
        count = stale.count()
        if count:
            self.report.changes.extend(f"deleted {what} {obj}" for obj in stale)
            stale.delete()
            self.report.deleted[what] += count


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def seed_load(*, paths: list[Path] | None = None) -> SeedReport:
    """Load the seed fixtures; raise SeedError (writing nothing) if any file has a problem."""
    paths = sorted(paths or FIXTURES_DIR.glob("*.yaml"))
    documents = _read_documents(paths)
    readers = [_Reader(source) for source, _ in documents]
    known_actors = set(Actor.objects.values_list("slug", flat=True))
    for (_source, doc), reader in zip(documents, readers, strict=True):
        reader.mapping(
            doc,
            "top level",
            optional=("meetings", "range_states", "work_programme_measures", "actors", "strategy"),
        )
        known_actors |= {
            _text(a.get("slug")) for a in reader.items(doc.get("actors"), "actors") if isinstance(a, dict)
        }
    plans = [
        _check_document(doc, reader, known_actors)
        for (_s, doc), reader in zip(documents, readers, strict=True)
    ]
    problems = [p for reader in readers for p in reader.problems]
    if problems:
        raise SeedError(problems)
    report = SeedReport()
    with transaction.atomic():
        writer = _Writer(report)
        for _source, doc in documents:
            _write_vocabularies(writer, doc)
        for (source, doc), plan in zip(documents, plans, strict=True):
            if "strategy" in doc:
                _write_strategy(writer, doc["strategy"], plan, source)
    return report


def _check_document(doc: dict, reader: _Reader, known_actors: set[str]) -> dict[str, _ActivityPlan]:
    """Check one document completely; return the parsed activities by code."""
    for i, raw in enumerate(reader.items(doc.get("meetings"), "meetings")):
        reader.mapping(
            raw,
            f"meetings[{i}]",
            required=("slug", "name"),
            optional=("place", "start_date", "end_date", "document_symbol"),
        )
    for i, raw in enumerate(reader.items(doc.get("range_states"), "range_states")):
        reader.mapping(raw, f"range_states[{i}]", required=("iso_code", "name"))
    for i, raw in enumerate(reader.items(doc.get("actors"), "actors")):
        reader.mapping(raw, f"actors[{i}]", required=("slug", "name", "category"), optional=("description",))
        if isinstance(raw, dict) and raw.get("category") not in Actor.Category.values:
            reader.problem(f"actors[{i}]", f"category must be one of {Actor.Category.values}")
    for i, raw in enumerate(reader.items(doc.get("work_programme_measures"), "work_programme_measures")):
        reader.mapping(raw, f"work_programme_measures[{i}]", required=("code",), optional=("title",))
    activities: dict[str, _ActivityPlan] = {}
    strategy = doc.get("strategy")
    if strategy is None:
        return activities
    reader.mapping(
        strategy,
        "strategy",
        required=("slug", "title", "short_name"),
        optional=(
            "period_start", "period_end", "version", "vision", "goal", "adopted_at", "adoption_note",
            "document_symbol", "source_document", "range_states", "source_note", "metapopulations",
            "footnotes", "abbreviations", "themes", "objectives", "national_action_plans",
            "declared_result_count", "declared_activity_count",
        ),
    )  # fmt: skip
    for t, theme in enumerate(reader.items(strategy.get("themes"), "themes")):
        where = f"themes[{t}]"
        reader.mapping(theme, where, required=("number", "title"), optional=("objectives",))
        for o, objective in enumerate(reader.items(theme.get("objectives"), where)):
            _check_objective(reader, objective, f"{where}.objectives[{o}]", activities, known_actors)
    for o, objective in enumerate(reader.items(strategy.get("objectives"), "objectives")):
        _check_objective(reader, objective, f"objectives[{o}]", activities, known_actors)
    return activities


def _check_objective(reader, objective, where, activities, known_actors) -> None:
    reader.mapping(objective, where, required=("number", "text"), optional=("results",))
    number = objective.get("number")
    for r, result in enumerate(reader.items(objective.get("results"), where)):
        rwhere = f"{where}.results[{r}]"
        reader.mapping(result, rwhere, required=("code", "text"), optional=("activities",))
        code = _text(result.get("code"))
        if not code.startswith(f"{number}."):
            reader.problem(rwhere, f"result code {code!r} does not belong to Objective {number}")
        for a, raw in enumerate(reader.items(result.get("activities"), rwhere)):
            plan = _plan_activity(reader, raw, f"{rwhere}.activities[{a}]", code)
            if plan is None:
                continue
            activity_code = _text(raw.get("code"))
            if activity_code in activities:
                reader.problem(f"{rwhere}.activities[{a}]", f"Activity {activity_code} appears twice")
            for slug in plan.actor_slugs:
                if slug not in known_actors:
                    reader.problem(
                        f"{rwhere}.activities[{a}]", f"unknown actor {slug!r}; define it under 'actors'"
                    )
            activities[activity_code] = plan


def _write_vocabularies(writer: _Writer, doc: dict) -> None:
    for raw in doc.get("meetings") or []:
        values = {
            "name": _text(raw["name"]),
            "place": _text(raw.get("place")),
            "start_date": _date(raw.get("start_date")),
            "end_date": _date(raw.get("end_date")),
            "document_symbol": _text(raw.get("document_symbol")),
        }
        writer.upsert(Meeting, {"slug": raw["slug"]}, values, f"Meeting {raw['slug']}")
    for raw in doc.get("range_states") or []:
        writer.upsert(
            RangeState,
            {"iso_code": raw["iso_code"]},
            {"name": _text(raw["name"])},
            f"Range State {raw['iso_code']}",
        )
    for raw in doc.get("actors") or []:
        values = {
            "name": _text(raw["name"]),
            "category": raw["category"],
            "description": _text(raw.get("description")),
        }
        writer.upsert(Actor, {"slug": raw["slug"]}, values, f"Actor {raw['slug']}")
    for raw in doc.get("work_programme_measures") or []:
        code = _text(raw["code"])
        writer.upsert(WorkProgrammeMeasure, {"code": code}, {"title": _text(raw.get("title"))}, f"POW {code}")


def _write_strategy(
    writer: _Writer, raw: dict, activity_plans: dict[str, _ActivityPlan], source: str
) -> None:
    slug = raw["slug"]
    adopted_at = Meeting.objects.get(slug=raw["adopted_at"]) if raw.get("adopted_at") else None
    values = {
        "title": _text(raw["title"]),
        "short_name": _text(raw["short_name"]),
        "period_start": raw.get("period_start"),
        "period_end": raw.get("period_end"),
        "version": _text(raw.get("version")),
        "vision": _text(raw.get("vision")),
        "goal": _text(raw.get("goal")),
        "adopted_at": adopted_at,
        "adoption_note": _text(raw.get("adoption_note")),
        "document_symbol": _text(raw.get("document_symbol")),
        "declared_result_count": raw.get("declared_result_count"),
        "declared_activity_count": raw.get("declared_activity_count"),
        "footnotes": [{"number": f["number"], "text": _text(f["text"])} for f in raw.get("footnotes") or []],
        "abbreviations": [
            {"abbreviation": _text(a["abbreviation"]), "full_title": _text(a["full_title"])}
            for a in raw.get("abbreviations") or []
        ],
        "source_document": _text(raw.get("source_document")),
        "source_note": _text(raw.get("source_note")),
    }
    strategy = writer.upsert(Strategy, {"slug": slug}, values, f"Strategy {slug}")
    states = {s.iso_code: s for s in RangeState.objects.all()}
    writer.set_m2m(
        strategy, "range_states", [states[c] for c in raw.get("range_states") or []], f"Strategy {slug}"
    )

    keep = {
        "metapopulations": set(),
        "naps": set(),
        "themes": set(),
        "objectives": set(),
        "results": set(),
        "activities": set(),
    }
    for mp in raw.get("metapopulations") or []:
        obj = writer.upsert(
            Metapopulation,
            {"strategy": strategy, "number": mp["number"]},
            {"name": _text(mp["name"])},
            f"{slug} metapopulation {mp['number']}",
        )
        writer.set_m2m(
            obj,
            "range_states",
            [states[c] for c in mp.get("range_states") or []],
            f"{slug} metapopulation {mp['number']}",
        )
        keep["metapopulations"].add(obj.pk)
    for nap in raw.get("national_action_plans") or []:
        values = {
            "kind": nap.get("kind", NationalActionPlan.Kind.NAP),
            "period_start": nap.get("period_start"),
            "period_end": nap.get("period_end"),
            "year_developed": nap.get("year_developed"),
            "note": _text(nap.get("note")),
        }
        lookup = {
            "strategy": strategy,
            "range_state": states[nap["range_state"]],
            "title": _text(nap["title"]),
        }
        keep["naps"].add(writer.upsert(NationalActionPlan, lookup, values, f"{slug} NAP {nap['title']}").pk)

    def write_objective(raw_objective, theme):
        number = raw_objective["number"]
        objective = writer.upsert(
            Objective,
            {"strategy": strategy, "number": number},
            {"theme": theme, "text": _text(raw_objective["text"])},
            f"{slug} Objective {number}",
        )
        keep["objectives"].add(objective.pk)
        for raw_result in raw_objective.get("results") or []:
            code = _text(raw_result["code"])
            result = writer.upsert(
                Result,
                {"strategy": strategy, "code": code},
                {"objective": objective, "text": _text(raw_result["text"])},
                f"{slug} Result {code}",
            )
            keep["results"].add(result.pk)
            for raw_activity in raw_result.get("activities") or []:
                write_activity(
                    activity_plans[_text(raw_activity["code"])], _text(raw_activity["code"]), result
                )

    # The strategy's activities and their links, loaded once rather than once per activity.
    existing_activities = {a.code: a for a in Activity.objects.filter(strategy=strategy)}
    actor_links, measure_links = defaultdict(set), defaultdict(set)
    for activity_id, actor_id in Activity.actors.through.objects.filter(
        activity__strategy=strategy
    ).values_list("activity_id", "actor_id"):
        actor_links[activity_id].add(actor_id)
    for activity_id, measure_id in Activity.cami_pow_measures.through.objects.filter(
        activity__strategy=strategy
    ).values_list("activity_id", "workprogrammemeasure_id"):
        measure_links[activity_id].add(measure_id)
    actors_by_slug = {a.slug: a for a in Actor.objects.all()}
    measures_by_code = {m.code: m for m in WorkProgrammeMeasure.objects.all()}

    def measure(code: str) -> WorkProgrammeMeasure:
        # Measures named only by code in the POW column keep any title the Secretariat has given them.
        if code not in measures_by_code:
            measures_by_code[code] = writer.ensure(WorkProgrammeMeasure, {"code": code})
        return measures_by_code[code]

    def write_activity(plan: _ActivityPlan, code: str, result: Result):
        label = f"{slug} Activity {code}"
        activity = writer.upsert(
            Activity,
            {"strategy": strategy, "code": code},
            {"result": result, **plan.values},
            label,
            existing=existing_activities.get(code),
        )
        keep["activities"].add(activity.pk)
        actors = [actors_by_slug[s] for s in plan.actor_slugs]
        writer.set_m2m(activity, "actors", actors, label, current=actor_links[activity.pk])
        measures = [measure(c) for c in plan.measure_codes]
        writer.set_m2m(activity, "cami_pow_measures", measures, label, current=measure_links[activity.pk])

    for raw_theme in raw.get("themes") or []:
        theme = writer.upsert(
            Theme,
            {"strategy": strategy, "number": raw_theme["number"]},
            {"title": _text(raw_theme["title"])},
            f"{slug} Theme {raw_theme['number']}",
        )
        keep["themes"].add(theme.pk)
        for raw_objective in raw_theme.get("objectives") or []:
            write_objective(raw_objective, theme)
    for raw_objective in raw.get("objectives") or []:
        write_objective(raw_objective, None)

    writer.flush_links()
    _delete_missing_hierarchy(writer, strategy, keep)
    _write_references(writer, strategy)


def _delete_missing_hierarchy(writer: _Writer, strategy: Strategy, keep: dict[str, set]) -> None:
    vanished = Activity.objects.filter(strategy=strategy).exclude(pk__in=keep["activities"])
    with_progress = vanished.filter(progress_entries__isnull=False).distinct()
    if with_progress.exists():
        codes = ", ".join(a.code for a in with_progress)
        raise SeedError(
            [
                f"Strategy {strategy.slug}: Activity {codes} is no longer in the fixture but has progress entries; "
                "nothing was changed. Restore the activity in the fixture, or move its progress entries first."
            ]
        )
    writer.delete_missing(vanished, set(), "activities")
    writer.delete_missing(Result.objects.filter(strategy=strategy), keep["results"], "results")
    writer.delete_missing(Objective.objects.filter(strategy=strategy), keep["objectives"], "objectives")
    writer.delete_missing(Theme.objects.filter(strategy=strategy), keep["themes"], "themes")
    writer.delete_missing(
        Metapopulation.objects.filter(strategy=strategy), keep["metapopulations"], "metapopulations"
    )
    writer.delete_missing(
        NationalActionPlan.objects.filter(strategy=strategy), keep["naps"], "National Action Plans"
    )


def _ref_key(ref: CrossReference) -> tuple:
    source_field = "from_activity" if ref.from_activity_id else "from_result"
    source_pk = ref.from_activity_id or ref.from_result_id
    return (
        source_field,
        source_pk,
        ref.kind,
        ref.code,
        ref.to_activity_id,
        ref.to_result_id,
        ref.to_objective_id,
    )


def _write_references(writer: _Writer, strategy: Strategy) -> None:
    """Turn 'see Activity 1.1.4' in the texts into CrossReference rows, adding and removing only the difference.

    A cited code that only prefixes real codes ('Activity 7.1.1' for 7.1.1.a and 7.1.1.b) points at each of
    them; a code the strategy does not contain is kept unresolved, so the page can say so."""
    activities = {a.code: a for a in Activity.objects.filter(strategy=strategy)}
    results = {r.code: r for r in Result.objects.filter(strategy=strategy)}
    objectives = {str(o.number): o for o in Objective.objects.filter(strategy=strategy)}

    def resolve(kind: str, code: str) -> list[dict]:
        if kind == "activity":
            targets = (
                [activities[code]]
                if code in activities
                else [a for c, a in activities.items() if c.startswith(f"{code}.")]
            )
            return [{"to_activity": t} for t in targets] or [{}]
        if kind == "result":
            return [{"to_result": results[code]}] if code in results else [{}]
        return [{"to_objective": objectives[code]}] if code in objectives else [{}]

    # key → position of the reference within its source text
    wanted: dict[tuple, int] = {}
    sources = [("from_activity", a, f"{a.text} {a.actors_text} {a.indicator}") for a in activities.values()]
    sources += [("from_result", r, r.text) for r in results.values()]
    for source_field, source, text in sources:
        position = 0
        for kind, code in parse_references(text):
            for target in resolve(kind, code):
                if target.get("to_activity") == source:
                    continue
                targets = (
                    getattr(target.get(f), "pk", None) for f in ("to_activity", "to_result", "to_objective")
                )
                wanted[(source_field, source.pk, kind, code, *targets)] = position
                position += 1

    existing = {}
    queryset = CrossReference.objects.filter(
        from_activity__strategy=strategy
    ) | CrossReference.objects.filter(from_result__strategy=strategy)
    for ref in queryset:
        existing[_ref_key(ref)] = ref
    stale = [ref.pk for key, ref in existing.items() if key not in wanted]
    if stale:
        CrossReference.objects.filter(pk__in=stale).delete()
        writer.report.deleted["cross-references"] += len(stale)
    moved = [ref for key, ref in existing.items() if key in wanted and ref.position != wanted[key]]
    for ref in moved:
        ref.position = wanted[_ref_key(ref)]
    if moved:
        CrossReference.objects.bulk_update(moved, ["position"])
        writer.report.updated["cross-references"] += len(moved)
    new = [
        CrossReference(
            **{f"{source_field}_id": source_pk},
            kind=kind,
            code=code,
            to_activity_id=to_activity,
            to_result_id=to_result,
            to_objective_id=to_objective,
            position=position,
        )
        for (
            source_field,
            source_pk,
            kind,
            code,
            to_activity,
            to_result,
            to_objective,
        ), position in wanted.items()
        if (source_field, source_pk, kind, code, to_activity, to_result, to_objective) not in existing
    ]
    CrossReference.objects.bulk_create(new)
    if new:
        writer.report.created["cross-references"] += len(new)
