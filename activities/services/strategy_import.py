"""Importing a strategy's logframe from a spreadsheet (activities.logframe_xlsx): a preview, stored, and
its confirmation, which applies exactly what was previewed.

The preview compares what the file holds with the database, row by natural key, and lists what will be
created, what will change (each field, old → new) and what is left alone; rows in the database that the
file does not have are listed as kept — an import never deletes. It is stored (StrategyImport) with a
fingerprint of the data it was computed against: if anyone changes that data before the confirmation
(an edit, another import), the confirmation is refused and a new preview is needed. Nothing is written
while any row has an error, and the confirmation writes everything in one transaction.
"""

import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..logframe_xlsx import FIELDS_OF_EXTRA_COLUMN, FileRefused, Problem, json_value, read_logframe
from ..models import (
    Activity,
    Actor,
    Objective,
    Result,
    Strategy,
    StrategyImport,
    Theme,
    WorkProgrammeMeasure,
)
from ..parsing import code_sort_key
from ..permissions import Action
from ..seeding.writing import SeedReport, Writer, write_references

ACTIVITY_FIELDS = [
    "text",
    "actors_text",
    "actors_continued",
    "indicator",
    "timeline_text",
    "timeline_kind",
    "start_year",
    "due_year",
    "recurrence_years",
    "cost_text",
    "cost_kind",
    "cost_usd",
    "cost_per_country",
    "cami_pow_text",
    "priority",
    "source_note",
]
STRATEGY_FIELDS = [
    "slug",
    "title",
    "short_name",
    "period_start",
    "period_end",
    "version",
    "document_symbol",
    "vision",
    "goal",
]
# The order in which a confirmation writes, each kind after those it refers to.
KINDS = ["actors", "measures", "strategy", "themes", "objectives", "results", "activities"]
# Kinds whose rows belong to the strategy: those missing from the file are listed as kept.
OWN_KINDS = {"themes", "objectives", "results", "activities"}
SINGULAR = {"themes": "theme", "objectives": "objective", "results": "result", "activities": "activity"}


def logframe_snapshot(slug: str) -> dict:
    """The strategy's logframe, actors and measures as they are, in the plan's shape (a few queries,
    however many rows)."""
    strategy = Strategy.objects.filter(slug=slug).first()
    state = {
        "actors": {
            a.slug: {"name": a.name, "category": a.category, "description": a.description}
            for a in Actor.objects.order_by("slug")
        },
        "measures": {m.code: {"title": m.title} for m in WorkProgrammeMeasure.objects.order_by("code")},
        "strategy": {},
        "themes": {},
        "objectives": {},
        "results": {},
        "activities": {},
    }
    if strategy is None:
        return state
    state["strategy"] = {name: getattr(strategy, name) for name in STRATEGY_FIELDS}
    themes = {t.pk: str(t.number) for t in Theme.objects.filter(strategy=strategy)}
    state["themes"] = {
        str(t.number): {"title": t.title} for t in Theme.objects.filter(strategy=strategy).order_by("number")
    }
    objectives = {}
    for o in Objective.objects.filter(strategy=strategy).order_by("number"):
        objectives[o.pk] = str(o.number)
        state["objectives"][str(o.number)] = {"theme": themes.get(o.theme_id), "text": o.text}
    results = {}
    for r in Result.objects.filter(strategy=strategy).order_by("sort_key"):
        results[r.pk] = r.code
        state["results"][r.code] = {"objective": objectives[r.objective_id], "text": r.text}
    actors, measures = {}, {}
    for activity_id, slug_ in Activity.actors.through.objects.filter(activity__strategy=strategy).values_list(
        "activity_id", "actor__slug"
    ):
        actors.setdefault(activity_id, []).append(slug_)
    for activity_id, code in Activity.cami_pow_measures.through.objects.filter(
        activity__strategy=strategy
    ).values_list("activity_id", "workprogrammemeasure__code"):
        measures.setdefault(activity_id, []).append(code)
    for a in (
        Activity.objects.filter(strategy=strategy)
        .order_by("sort_key")
        .values("pk", "code", "result_id", *ACTIVITY_FIELDS)
    ):
        state["activities"][a["code"]] = {
            "result": results[a["result_id"]],
            **{name: json_value(a[name]) for name in ACTIVITY_FIELDS},
            "actors": sorted(actors.get(a["pk"], [])),
            "measures": sorted(measures.get(a["pk"], []), key=code_sort_key),
        }
    return state


def fingerprint(state: dict) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def logframe_diff(plan: dict, state: dict) -> dict:
    """What applying `plan` to `state` creates, changes (field by field) and leaves alone."""
    kept_fields = {
        f for column in plan.get("kept_columns", []) for f in FIELDS_OF_EXTRA_COLUMN.get(column, ())
    }
    preview = {}
    for kind in KINDS:
        wanted = {plan["strategy"]["slug"]: plan["strategy"]} if kind == "strategy" else plan[kind]
        current = (
            {state["strategy"]["slug"]: state["strategy"]}
            if kind == "strategy" and state["strategy"]
            else ({} if kind == "strategy" else state[kind])
        )
        section = {"created": [], "changed": [], "unchanged": 0, "kept": []}
        for key, values in wanted.items():
            row = plan.get("rows", {}).get(f"{SINGULAR.get(kind, kind)}:{key}")
            if key not in current:
                section["created"].append({"key": key, "row": row})
                continue
            changes = [
                {"field": name, "old": _display(current[key].get(name)), "new": _display(value)}
                for name, value in values.items()
                if not (kind == "activities" and name in kept_fields) and current[key].get(name) != value
            ]
            if changes:
                section["changed"].append({"key": key, "row": row, "changes": changes})
            else:
                section["unchanged"] += 1
        if kind in OWN_KINDS:
            section["kept"] = [key for key in current if key not in wanted]
        preview[kind] = section
    preview["kept_columns"] = plan.get("kept_columns", [])
    return preview


@transaction.atomic
def strategy_import_preview(*, user, file_name: str, data: bytes, strategy=None) -> StrategyImport:
    """Read an uploaded file and store what importing it would do. A file that cannot be read at all
    raises ValidationError; a file with errors in some cells is stored with them, and cannot be applied.
    `strategy`, if given, is the strategy the file must be for."""
    permissions.require(user, Action.STRATEGY_IMPORT)
    try:
        parsed = read_logframe(data)
    except FileRefused as exc:
        raise ValidationError(str(exc), code="file_refused") from exc
    slug = parsed.strategy.get("slug", "")
    if strategy is not None and slug and slug != strategy.slug:
        parsed.problems.append(
            Problem(
                "Strategy",
                None,
                "Slug",
                _("The file is for the strategy “%(file)s”, not “%(chosen)s”.")
                % {"file": slug, "chosen": strategy.slug},
            )
        )
    if slug:
        try:
            Strategy._meta.get_field("slug").run_validators(slug)
            Strategy._meta.get_field("slug").formfield().clean(slug)
        except ValidationError as exc:
            parsed.problems.append(Problem("Strategy", None, "Slug", " ".join(exc.messages)))
    _check_lengths(parsed)
    plan = parsed.as_dict()
    state = logframe_snapshot(slug) if slug else None
    problems = [p.as_dict() for p in parsed.problems]
    return StrategyImport.objects.create(
        strategy_slug=slug if len(slug) <= 80 else "",
        uploaded_by=user,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        state=StrategyImport.State.REFUSED if problems else StrategyImport.State.PREVIEWED,
        base_fingerprint=fingerprint(state) if state is not None else "",
        plan=plan,
        preview=logframe_diff(plan, state) if state is not None and not problems else {},
        problems=problems,
    )


def _check_lengths(parsed) -> None:
    """Each value against its model field (lengths, control characters, choices): an error now, at the
    row and column, rather than a failed confirmation later."""
    checks = [
        (Strategy, parsed.strategy, "Strategy", lambda name: name, ["slug"]),
    ]
    for model, values, sheet, column, skip in checks:
        _clean(parsed, model, values, sheet, None, column, skip)
    for slug, values in parsed.actors.items():
        _clean(parsed, Actor, {"slug": slug, **values}, "Actors", None, str.capitalize, [])
    for code, values in parsed.measures.items():
        _clean(
            parsed, WorkProgrammeMeasure, {"code": code, **values}, "POW measures", None, str.capitalize, []
        )
    for code, values in parsed.activities.items():
        fields = {
            "code": code,
            **{k: values[k] for k in ("text", "timeline_text", "cost_text", "cami_pow_text")},
        }
        _clean(
            parsed, Activity, fields, "Logframe", parsed.rows.get(f"activity:{code}"), _activity_column, []
        )
    for number, values in parsed.themes.items():
        _clean(parsed, Theme, values, "Logframe", parsed.rows.get(f"theme:{number}"), lambda n: "Result", [])
    for number, values in parsed.objectives.items():
        row = parsed.rows.get(f"objective:{number}")
        _clean(parsed, Objective, {"text": values["text"]}, "Logframe", row, lambda n: "Result", [])
    # Actor names are unique: a new slug may not take the name of an actor that exists under another.
    taken = dict(
        Actor.objects.filter(name__in=[v["name"] for v in parsed.actors.values()]).values_list("name", "slug")
    )
    for slug, values in parsed.actors.items():
        if taken.get(values["name"], slug) != slug:
            parsed.problems.append(
                Problem(
                    "Actors",
                    None,
                    "Name",
                    _("The name “%(name)s” belongs to the actor “%(other)s” already.")
                    % {"name": values["name"], "other": taken[values["name"]]},
                )
            )
    for code, values in parsed.results.items():
        _clean(
            parsed,
            Result,
            {"code": code, "text": values["text"]},
            "Logframe",
            parsed.rows.get(f"result:{code}"),
            lambda n: "Result",
            [],
        )


def _activity_column(name):
    from ..logframe_xlsx import COLUMN_OF_FIELD

    return COLUMN_OF_FIELD.get(name, "Activity")


def _clean(parsed, model, values, sheet, row, column, skip) -> None:
    for name, value in values.items():
        if name in skip or value in (None, ""):
            continue
        field = model._meta.get_field(name)
        try:
            field.clean(value, None)
        except ValidationError as exc:
            parsed.problems.append(Problem(sheet, row, column(name), " ".join(exc.messages)))


@transaction.atomic
def strategy_import_confirm(*, user, strategy_import: StrategyImport) -> StrategyImport:
    """Apply a stored preview, exactly: refused if it had errors, was applied already, or if the data it
    was computed against has changed since."""
    permissions.require(user, Action.STRATEGY_IMPORT)
    pending = StrategyImport.objects.select_for_update().get(pk=strategy_import.pk)
    if pending.state != StrategyImport.State.PREVIEWED:
        raise ValidationError(
            _("This import cannot be applied: it has errors, or it has been applied already."), code="state"
        )
    slug = pending.strategy_slug
    # Serialise imports into one strategy: the second waits here, then finds the data changed.
    Strategy.objects.select_for_update().filter(slug=slug).first()
    if fingerprint(logframe_snapshot(slug)) != pending.base_fingerprint:
        raise ValidationError(
            _(
                "The strategy has changed since this preview was made (someone edited it or imported "
                "another file). Nothing was written: upload the file again to see a new preview."
            ),
            code="changed",
        )
    try:
        with transaction.atomic():
            strategy = _apply(pending.plan, pending.preview)
    except IntegrityError as exc:
        raise ValidationError(
            _("The strategy was changed by someone else while this import ran. Nothing was written."),
            code="changed",
        ) from exc
    write_references(Writer(SeedReport()), strategy)
    pending.state = StrategyImport.State.APPLIED
    pending.applied_at = timezone.now()
    pending.save(update_fields=["state", "applied_at"])
    return pending


def _apply(plan: dict, preview: dict):
    slug = plan["strategy"]["slug"]

    def todo(kind):
        section = preview[kind]
        created = [item["key"] for item in section["created"]]
        changed = {item["key"]: [c["field"] for c in item["changes"]] for item in section["changed"]}
        return created, changed

    created, changed = todo("actors")
    for key in created:
        Actor.objects.create(slug=key, **plan["actors"][key])
    for key, fields in changed.items():
        Actor.objects.filter(slug=key).update(**{f: plan["actors"][key][f] for f in fields})
    created, changed = todo("measures")
    for key in created:
        WorkProgrammeMeasure(code=key, **plan["measures"][key]).save()
    for key, fields in changed.items():
        measure = WorkProgrammeMeasure.objects.get(code=key)
        for f in fields:
            setattr(measure, f, plan["measures"][key][f])
        measure.save()

    values = plan["strategy"]
    strategy = Strategy.objects.filter(slug=slug).first()
    if strategy is None:
        strategy = Strategy.objects.create(**values)
    else:
        fields = [c["field"] for item in preview["strategy"]["changed"] for c in item["changes"]]
        for f in fields:
            setattr(strategy, f, values[f])
        if fields:
            strategy.save()

    themes = {str(t.number): t for t in Theme.objects.filter(strategy=strategy)}
    created, changed = todo("themes")
    for key in created:
        themes[key] = Theme.objects.create(strategy=strategy, number=int(key), **plan["themes"][key])
    for key, fields in changed.items():
        _set(themes[key], plan["themes"][key], fields, {})

    objectives = {str(o.number): o for o in Objective.objects.filter(strategy=strategy)}
    created, changed = todo("objectives")
    refs = {"theme": lambda number: themes[number] if number else None}
    for key in created:
        raw = plan["objectives"][key]
        objectives[key] = Objective.objects.create(
            strategy=strategy, number=int(key), theme=refs["theme"](raw["theme"]), text=raw["text"]
        )
    for key, fields in changed.items():
        _set(objectives[key], plan["objectives"][key], fields, refs)

    results = {r.code: r for r in Result.objects.filter(strategy=strategy)}
    created, changed = todo("results")
    refs = {"objective": lambda number: objectives[number]}
    for key in created:
        raw = plan["results"][key]
        result = Result(objective=objectives[raw["objective"]], code=key, text=raw["text"])
        result.save()
        results[key] = result
    for key, fields in changed.items():
        _set(results[key], plan["results"][key], fields, refs)

    activities = {a.code: a for a in Activity.objects.filter(strategy=strategy)}
    actors = {a.slug: a for a in Actor.objects.all()}
    measures = {m.code: m for m in WorkProgrammeMeasure.objects.all()}

    def measure(code):
        if code not in measures:  # named only by code in the POW column, as the seed does
            measures[code] = WorkProgrammeMeasure.objects.create(code=code)
        return measures[code]

    refs = {"result": lambda code: results[code]}
    created, changed = todo("activities")
    for key in created:
        raw = plan["activities"][key]
        activity = Activity(result=results[raw["result"]], code=key, **_activity_values(raw, ACTIVITY_FIELDS))
        activity.save()
        activity.actors.set([actors[s] for s in raw["actors"]])
        activity.cami_pow_measures.set([measure(c) for c in raw["measures"]])
    for key, fields in changed.items():
        raw = plan["activities"][key]
        activity = activities[key]
        plain = [f for f in fields if f not in ("actors", "measures")]
        _set(activity, _activity_values(raw, plain) | {"result": raw["result"]}, plain, refs)
        if "actors" in fields:
            activity.actors.set([actors[s] for s in raw["actors"]])
        if "measures" in fields:
            activity.cami_pow_measures.set([measure(c) for c in raw["measures"]])
    return strategy


def _activity_values(raw: dict, fields) -> dict:
    return {f: Decimal(raw[f]) if f == "cost_usd" and raw[f] is not None else raw[f] for f in fields}


def _set(obj, values: dict, fields, refs) -> None:
    if not fields:
        return
    for f in fields:
        setattr(obj, f, refs[f](values[f]) if f in refs else values[f])
    obj.save()
