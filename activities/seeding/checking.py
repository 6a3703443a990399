"""Reading the seed fixtures and checking them completely, collecting every problem with its location,
before anything is written."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from activities.models import Actor
from activities.parsing import CODE_RE, parse_cost, parse_pow, parse_timeline


class SeedError(Exception):
    """The fixtures cannot be loaded; ``problems`` lists every reason, each with its location."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Reader:
    """Walks a YAML document, collecting problems with their location instead of stopping at the first."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def problem(self, where: str, message: str, *, field: str | None = None) -> None:
        """Record a problem; `field` names the activity field it concerns (a spreadsheet import shows
        it as the column), which the seed's message does not need: `where` locates it."""
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


def clean_text(value: Any) -> str:
    """Fixture scalars arrive as str, int or None; the model stores text."""
    if value is None:
        return ""
    return " ".join(str(value).split())


# libyaml's parser when PyYAML has it (its wheels do): the same safe subset, parsed in C, five times
# faster than the pure-Python one (the seed is read by every `manage.py seed` and by 150 tests).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_documents(paths: list[Path]) -> list[tuple[str, dict]]:
    documents = []
    problems = []
    for path in paths:
        try:
            content = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
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
class ActivityPlan:
    values: dict
    actor_slugs: list[str]
    measure_codes: list[str]


def plan_activity(reader: Reader, raw: dict, where: str, result_code: str) -> ActivityPlan | None:
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
    code = clean_text(raw.get("code"))
    if not CODE_RE.match(code) or not code.startswith(f"{result_code}."):
        reader.problem(where, f"activity code {code!r} does not belong to Result {result_code}", field="code")
        return None
    timeline_text = clean_text(raw.get("timeline"))
    cost_text = clean_text(raw.get("cost"))
    pow_text = clean_text(raw.get("cami_pow"))
    # Each cell is parsed on its own, so that every unreadable cell of a row is reported at once.
    failed = False
    try:
        timeline = parse_timeline(timeline_text)
    except ValueError as exc:
        reader.problem(where, f"Activity {code}: {exc}", field="timeline")
        failed = True
    try:
        cost = parse_cost(cost_text)
    except ValueError as exc:
        reader.problem(where, f"Activity {code}: {exc}", field="cost")
        failed = True
    try:
        if raw.get("cami_pow_measures") is not None:
            if not raw.get("source_note"):
                raise ValueError("cami_pow_measures overrides the POW cell, so source_note must say why")
            measures = [code for item in raw["cami_pow_measures"] for code in parse_pow(clean_text(item))]
        else:
            measures = parse_pow(pow_text)
    except ValueError as exc:
        reader.problem(
            where,
            f"Activity {code}: {exc}",
            field="cami_pow_measures" if raw.get("cami_pow_measures") is not None else "cami_pow",
        )
        failed = True
    priority = raw.get("priority")
    if priority not in (None, 1, 2, 3):
        reader.problem(
            where, f"Activity {code}: priority must be 1, 2, 3 or null, not {priority!r}", field="priority"
        )
        failed = True
    if failed:
        return None
    values = {
        "text": clean_text(raw.get("text")),
        "actors_text": clean_text(raw.get("actors_text")),
        "actors_continued": bool(raw.get("actors_continued", False)),
        "indicator": clean_text(raw.get("indicator")),
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
        "source_note": clean_text(raw.get("source_note")),
    }
    return ActivityPlan(values, [clean_text(s) for s in reader.items(raw.get("actors"), where)], measures)


def check_document(doc: dict, reader: Reader, known_actors: set[str]) -> dict[str, ActivityPlan]:
    """Check one document completely; return the parsed activities by code."""
    for i, raw in enumerate(reader.items(doc.get("meetings"), "meetings")):
        reader.mapping(
            raw,
            f"meetings[{i}]",
            required=("slug", "name"),
            optional=(
                "place", "start_date", "end_date", "document_symbol", "kind", "year", "summary",
                "source_document", "source_note", "documents", "days",
            ),
        )  # fmt: skip
    for i, raw in enumerate(reader.items(doc.get("range_states"), "range_states")):
        reader.mapping(raw, f"range_states[{i}]", required=("iso_code", "name"))
    for i, raw in enumerate(reader.items(doc.get("actors"), "actors")):
        reader.mapping(raw, f"actors[{i}]", required=("slug", "name", "category"), optional=("description",))
        if isinstance(raw, dict) and raw.get("category") not in Actor.Category.values:
            reader.problem(f"actors[{i}]", f"category must be one of {Actor.Category.values}")
    for i, raw in enumerate(reader.items(doc.get("work_programme_measures"), "work_programme_measures")):
        reader.mapping(raw, f"work_programme_measures[{i}]", required=("code",), optional=("title",))
    activities: dict[str, ActivityPlan] = {}
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
            "footnotes", "abbreviations", "themes", "objectives", "declared_result_count",
            "declared_activity_count", "supersedes", "species",
        ),
    )  # fmt: skip
    for t, theme in enumerate(reader.items(strategy.get("themes"), "themes")):
        where = f"themes[{t}]"
        reader.mapping(theme, where, required=("number", "title"), optional=("objectives",))
        for o, objective in enumerate(reader.items(theme.get("objectives"), where)):
            check_objective(reader, objective, f"{where}.objectives[{o}]", activities, known_actors)
    for o, objective in enumerate(reader.items(strategy.get("objectives"), "objectives")):
        check_objective(reader, objective, f"objectives[{o}]", activities, known_actors)
    return activities


def check_objective(reader, objective, where, activities, known_actors) -> None:
    reader.mapping(objective, where, required=("number", "text"), optional=("results",))
    number = objective.get("number")
    for r, result in enumerate(reader.items(objective.get("results"), where)):
        rwhere = f"{where}.results[{r}]"
        reader.mapping(result, rwhere, required=("code", "text"), optional=("activities",))
        code = clean_text(result.get("code"))
        if not code.startswith(f"{number}."):
            reader.problem(rwhere, f"result code {code!r} does not belong to Objective {number}")
        for a, raw in enumerate(reader.items(result.get("activities"), rwhere)):
            plan = plan_activity(reader, raw, f"{rwhere}.activities[{a}]", code)
            if plan is None:
                continue
            activity_code = clean_text(raw.get("code"))
            if activity_code in activities:
                reader.problem(f"{rwhere}.activities[{a}]", f"Activity {activity_code} appears twice")
            for slug in plan.actor_slugs:
                if slug not in known_actors:
                    reader.problem(
                        f"{rwhere}.activities[{a}]", f"unknown actor {slug!r}; define it under 'actors'"
                    )
            activities[activity_code] = plan
