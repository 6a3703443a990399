"""Writing checked seed fixtures: one row at a time by natural key, touching only what differs and
naming each change; rows that vanished from a fixture are deleted."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from activities.models import (
    Activity,
    Actor,
    CrossReference,
    Meeting,
    Metapopulation,
    Objective,
    RangeState,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from activities.parsing import parse_references

from .checking import ActivityPlan, SeedError, clean_text


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


_LOOK_UP = object()


class Writer:
    def __init__(self, report: SeedReport):
        self.report = report
        self.pending_links: defaultdict[type, list] = defaultdict(list)
        # Rows created in this run: filling in their links afterwards is part of creating them, not a change.
        self.created: set[tuple[type, int]] = set()

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
            self.created.add((model, obj.pk))
            return obj
        changed = [key for key, value in values.items() if getattr(obj, key) != value]
        if changed:
            for key in changed:
                self.report.changes.append(f"{label}: {key} {getattr(obj, key)!r} → {values[key]!r}")
                setattr(obj, key, values[key])
            obj.save()
            self.report.updated[name] += 1
        return obj

    def link(self, obj, values: dict, label: str) -> None:
        """Set fields that point at rows written after `obj` (a later version, a revised document): for a
        row created in this run, quietly; for an existing one, as a listed change like any other."""
        if (type(obj), obj.pk) in self.created:
            for key, value in values.items():
                setattr(obj, key, value)
            obj.save(update_fields=list(values))
            return
        self.upsert(type(obj), {"pk": obj.pk}, values, label, existing=obj)

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


def parse_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def write_vocabularies(writer: Writer, doc: dict) -> None:
    for raw in doc.get("meetings") or []:
        start_date = parse_date(raw.get("start_date"))
        values = {
            "name": clean_text(raw["name"]),
            "place": clean_text(raw.get("place")),
            "start_date": start_date,
            "end_date": parse_date(raw.get("end_date")),
            "document_symbol": clean_text(raw.get("document_symbol")),
            "kind": clean_text(raw.get("kind")),
            "year": start_date.year if start_date else raw.get("year"),
            "summary": clean_text(raw.get("summary")),
            "source_document": clean_text(raw.get("source_document")),
            "source_note": clean_text(raw.get("source_note")),
        }
        writer.upsert(Meeting, {"slug": raw["slug"]}, values, f"Meeting {raw['slug']}")
    for raw in doc.get("range_states") or []:
        writer.upsert(
            RangeState,
            {"iso_code": raw["iso_code"]},
            {"name": clean_text(raw["name"])},
            f"Range State {raw['iso_code']}",
        )
    for raw in doc.get("actors") or []:
        values = {
            "name": clean_text(raw["name"]),
            "category": raw["category"],
            "description": clean_text(raw.get("description")),
        }
        writer.upsert(Actor, {"slug": raw["slug"]}, values, f"Actor {raw['slug']}")
    for raw in doc.get("work_programme_measures") or []:
        code = clean_text(raw["code"])
        writer.upsert(
            WorkProgrammeMeasure, {"code": code}, {"title": clean_text(raw.get("title"))}, f"POW {code}"
        )


def write_strategy(writer: Writer, raw: dict, activity_plans: dict[str, ActivityPlan], source: str) -> None:
    slug = raw["slug"]
    adopted_at = Meeting.objects.get(slug=raw["adopted_at"]) if raw.get("adopted_at") else None
    values = {
        "title": clean_text(raw["title"]),
        "short_name": clean_text(raw["short_name"]),
        "period_start": raw.get("period_start"),
        "period_end": raw.get("period_end"),
        "version": clean_text(raw.get("version")),
        "vision": clean_text(raw.get("vision")),
        "goal": clean_text(raw.get("goal")),
        "adopted_at": adopted_at,
        "adoption_note": clean_text(raw.get("adoption_note")),
        "document_symbol": clean_text(raw.get("document_symbol")),
        "declared_result_count": raw.get("declared_result_count"),
        "declared_activity_count": raw.get("declared_activity_count"),
        "footnotes": [
            {"number": f["number"], "text": clean_text(f["text"])} for f in raw.get("footnotes") or []
        ],
        "abbreviations": [
            {"abbreviation": clean_text(a["abbreviation"]), "full_title": clean_text(a["full_title"])}
            for a in raw.get("abbreviations") or []
        ],
        "source_document": clean_text(raw.get("source_document")),
        "source_note": clean_text(raw.get("source_note")),
    }
    strategy = writer.upsert(Strategy, {"slug": slug}, values, f"Strategy {slug}")
    states = {s.iso_code: s for s in RangeState.objects.all()}
    writer.set_m2m(
        strategy, "range_states", [states[c] for c in raw.get("range_states") or []], f"Strategy {slug}"
    )

    keep = {
        "metapopulations": set(),
        "themes": set(),
        "objectives": set(),
        "results": set(),
        "activities": set(),
    }
    for mp in raw.get("metapopulations") or []:
        obj = writer.upsert(
            Metapopulation,
            {"strategy": strategy, "number": mp["number"]},
            {"name": clean_text(mp["name"])},
            f"{slug} metapopulation {mp['number']}",
        )
        writer.set_m2m(
            obj,
            "range_states",
            [states[c] for c in mp.get("range_states") or []],
            f"{slug} metapopulation {mp['number']}",
        )
        keep["metapopulations"].add(obj.pk)

    def write_objective(raw_objective, theme):
        number = raw_objective["number"]
        objective = writer.upsert(
            Objective,
            {"strategy": strategy, "number": number},
            {"theme": theme, "text": clean_text(raw_objective["text"])},
            f"{slug} Objective {number}",
        )
        keep["objectives"].add(objective.pk)
        for raw_result in raw_objective.get("results") or []:
            code = clean_text(raw_result["code"])
            result = writer.upsert(
                Result,
                {"strategy": strategy, "code": code},
                {"objective": objective, "text": clean_text(raw_result["text"])},
                f"{slug} Result {code}",
            )
            keep["results"].add(result.pk)
            for raw_activity in raw_result.get("activities") or []:
                write_activity(
                    activity_plans[clean_text(raw_activity["code"])], clean_text(raw_activity["code"]), result
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

    def write_activity(plan: ActivityPlan, code: str, result: Result):
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
            {"title": clean_text(raw_theme["title"])},
            f"{slug} Theme {raw_theme['number']}",
        )
        keep["themes"].add(theme.pk)
        for raw_objective in raw_theme.get("objectives") or []:
            write_objective(raw_objective, theme)
    for raw_objective in raw.get("objectives") or []:
        write_objective(raw_objective, None)

    writer.flush_links()
    delete_missing_hierarchy(writer, strategy, keep)
    write_references(writer, strategy)


def delete_missing_hierarchy(writer: Writer, strategy: Strategy, keep: dict[str, set]) -> None:
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


def ref_key(ref: CrossReference) -> tuple:
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


def write_references(writer: Writer, strategy: Strategy) -> None:
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
        existing[ref_key(ref)] = ref
    stale = [ref.pk for key, ref in existing.items() if key not in wanted]
    if stale:
        CrossReference.objects.filter(pk__in=stale).delete()
        writer.report.deleted["cross-references"] += len(stale)
    moved = [ref for key, ref in existing.items() if key in wanted and ref.position != wanted[key]]
    for ref in moved:
        ref.position = wanted[ref_key(ref)]
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
