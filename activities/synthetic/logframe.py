"""The synthetic dataset's structure: Range States, strategies with their logframes, the users who report
and review, focal-point assignments and reporting rounds. Strategies already in the database (the seeded
ones) are kept as they are and get progress too; synthetic ones are added until the targets are met."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ..models import (
    Activity,
    Actor,
    CrossReference,
    FocalPoint,
    Objective,
    RangeState,
    ReportingRound,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from ..parsing import code_sort_key, parse_cost, parse_timeline
from ..permissions import FOCAL_POINTS_GROUP, SECRETARIAT_GROUP
from . import texts
from .bulk import Table, next_id

UTC = datetime.UTC
# ISO 3166-1 reserves XA–XZ for user-assigned codes: a synthetic state never takes a real country's code.
SYNTHETIC_CODES = [f"X{chr(c)}" for c in range(ord("A"), ord("Z") + 1)]
# Cost cells as the Persian Leopard table writes them (the parsers accept exactly these forms).
COSTS = ["TBD"] * 12 + [
    "250,000",
    "50,000",
    "20,000",
    "10,000",
    "TBD (state-dependent)",
    "10,000 per country",
    "5,000",
    "500,000",
    "1.5 M",
    "N/A",
    "150,000",
    "25,000 per country",
]
INDICATORS = [
    "Report compiled and shared with the Range States",
    "Number of staff trained",
    "Plan adopted by the government",
    "Area under improved management (km²)",
    "Survey repeated and results published",
]
# Share of the synthetic activities that the largest strategy holds (400 of 5,000 at full scale).
LARGEST_SHARE = 0.0815


@dataclass
class ActivityPlan:
    pk: int
    code: str
    priority: int | None


@dataclass
class RoundPlan:
    pk: int
    year: int
    opens_on: datetime.date
    deadline: datetime.date
    closed_at: datetime.datetime | None


@dataclass
class StrategyPlan:
    pk: int
    slug: str
    first_year: int | None  # the first year of its period, if known
    states: list[int]  # Range State ids
    activities: list[ActivityPlan]
    synthetic: bool
    rounds: dict[int, RoundPlan] = field(default_factory=dict)  # by year


@dataclass
class Structure:
    states: dict[int, str]  # id -> ISO code
    strategies: list[StrategyPlan]
    secretariat: list[int]  # user ids
    focal_points: dict[int, list[int]]  # Range State id -> user ids
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def largest(self) -> StrategyPlan:
        return _largest(self.strategies)


def _largest(strategies) -> StrategyPlan:
    return max(strategies, key=lambda s: (len(s.activities), -s.pk))


def _split(total: int, parts: int, rng, *, sigma: float = 0.5) -> list[int]:
    """`total` split into `parts` positive whole numbers of skewed sizes (largest remainder)."""
    if parts <= 0:
        return []
    if total < parts:
        return [1] * total + [0] * (parts - total)
    weights = [rng.lognormvariate(0, sigma) for _ in range(parts)]
    spare = total - parts
    shares = [spare * w / sum(weights) for w in weights]
    sizes = [1 + int(s) for s in shares]
    order = sorted(range(parts), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _timeline_text(rng, start: int, end: int) -> str:
    kind = rng.choices(
        ["year", "span", "recurring", "regularly", "asap", "tbd", "milestones"],
        weights=[55, 14, 9, 3, 6, 9, 4],
    )[0]
    if kind == "year":
        return str(rng.randint(start, end))
    if kind == "span":
        first = rng.randint(start, end - 1)
        return f"{first}-{rng.randint(first + 1, end)}"
    if kind == "recurring":
        return rng.choice(["Every three years", "Every five years", "Every 6 years", "Every two years"])
    if kind == "regularly":
        return "Regularly"
    if kind == "milestones":
        first = rng.randint(start, end - 2)
        return f"{first} (drafted) {rng.randint(first + 1, end)} (endorsed)"
    return "ASAP" if kind == "asap" else "TBD"


def build(rng, targets, *, now: datetime.datetime, first_year: int) -> Structure:
    """Add what the targets need to the database (in the caller's transaction) and describe the result."""
    base_time = datetime.datetime(first_year - 1, 1, 15, 9, 0, tzinfo=UTC)
    counts = {}

    # --- Range States ---------------------------------------------------------------------------
    states = dict(RangeState.objects.order_by("pk").values_list("pk", "iso_code"))
    table = Table(RangeState)
    pk = next_id(RangeState)
    for code in SYNTHETIC_CODES:
        if len(states) >= targets.range_states:
            break
        if code in states.values():
            continue
        table.row(id=pk, iso_code=code, name=f"Synthetic Range State {code}", updated_at=base_time)
        states[pk] = code
        pk += 1
    table.flush()
    counts["range states"] = table.written
    state_ids = list(states)

    # --- existing strategies ----------------------------------------------------------------------
    by_strategy: dict[int, list[ActivityPlan]] = {}
    for a in Activity.objects.order_by("pk").values("pk", "strategy_id", "code", "priority"):
        by_strategy.setdefault(a["strategy_id"], []).append(ActivityPlan(a["pk"], a["code"], a["priority"]))
    strategies = []
    for s in Strategy.objects.order_by("pk").prefetch_related("range_states"):
        strategies.append(
            StrategyPlan(
                pk=s.pk,
                slug=s.slug,
                first_year=s.period_start,
                states=sorted(state.pk for state in s.range_states.all()),
                activities=by_strategy.get(s.pk, []),
                synthetic=False,
            )
        )
    existing_activities = sum(len(s.activities) for s in strategies)
    new_activities = max(0, targets.activities - existing_activities)
    new_strategies = max(0, targets.strategies - len(strategies))
    if new_activities and not new_strategies:
        new_strategies = 1
    new_activities = max(new_activities, 5 * new_strategies)

    # --- synthetic strategies and their logframes -------------------------------------------------
    if new_strategies:
        largest = max(5, round(new_activities * LARGEST_SHARE)) if new_strategies > 1 else new_activities
        sizes = [largest, *_split(new_activities - largest, new_strategies - 1, rng, sigma=0.6)]
        strategies += _write_logframes(rng, sizes, state_ids, base_time, counts)

    # --- users and focal points -------------------------------------------------------------------
    secretariat, focal_points = _write_users(rng, states, base_time, counts)

    # --- reporting rounds: yearly, for most strategies ---------------------------------------------
    largest_pk = _largest(strategies).pk
    rounds = Table(ReportingRound)
    pk = next_id(ReportingRound)
    for s in strategies:
        if not s.activities:
            continue
        if not (s.pk == largest_pk or not s.synthetic or rng.random() < 0.7):
            continue
        for year in range(max(first_year, s.first_year or first_year), now.year + 1):
            opens_on, deadline = datetime.date(year, 11, 1), datetime.date(year, 12, 31)
            if datetime.datetime.combine(opens_on, datetime.time(8), tzinfo=UTC) >= now:
                continue
            closed_at = datetime.datetime(year + 1, 1, 31, 16, 0, tzinfo=UTC)
            closed_at = closed_at if closed_at < now else None
            s.rounds[year] = RoundPlan(pk, year, opens_on, deadline, closed_at)
            rounds.row(
                id=pk,
                strategy_id=s.pk,
                name=f"{year} annual",
                kind=ReportingRound.Kind.ANNUAL.value,
                opens_on=opens_on,
                deadline=deadline,
                closed_at=closed_at,
                created_by_id=secretariat[0],
            )
            pk += 1
    rounds.flush()
    counts["reporting rounds"] = rounds.written
    return Structure(states, strategies, secretariat, focal_points, counts)


def _write_logframes(rng, sizes, state_ids, base_time, counts) -> list[StrategyPlan]:
    actors = list(Actor.objects.order_by("pk").values_list("pk", "name"))
    measures = list(WorkProgrammeMeasure.objects.order_by("sort_key").values_list("pk", "code"))
    tables = {
        model: Table(model)
        for model in (
            Strategy,
            Strategy.range_states.through,
            Theme,
            Objective,
            Result,
            Activity,
            Activity.actors.through,
            Activity.cami_pow_measures.through,
            CrossReference,
        )
    }
    ids = {model: next_id(model) for model in tables}

    def take(model) -> int:
        ids[model] += 1
        return ids[model] - 1

    number = Strategy.objects.filter(slug__startswith="synthetic-").count()
    plans = []
    for index, size in enumerate(sizes):
        number += 1
        spk = take(Strategy)
        start = rng.randint(2014, 2024)
        end = start + 9
        # The largest strategy spans every Range State (the widest matrix); others a skewed few.
        k = len(state_ids) if index == 0 else rng.randint(min(3, len(state_ids)), min(16, len(state_ids)))
        states = sorted(rng.sample(state_ids, k))
        tables[Strategy].row(
            id=spk,
            slug=f"synthetic-{number:03d}",
            title=f"Synthetic strategy {number:03d} (generated for benchmarks, not a real strategy)",
            short_name=f"Synthetic {number:03d}",
            period_start=start,
            period_end=end,
            version="",
            supersedes_id=None,
            vision="A synthetic vision, generated for benchmarks.",
            goal="A synthetic goal, generated for benchmarks.",
            adopted_at_id=None,
            adoption_note="Generated by manage.py generate_dataset for benchmarks; not a real strategy.",
            document_symbol="",
            declared_result_count=None,
            declared_activity_count=None,
            footnotes=[],
            abbreviations=[],
            source_document="generated",
            source_note="",
            updated_at=base_time,
        )
        for state in states:
            tables[Strategy.range_states.through].row(
                id=take(Strategy.range_states.through), strategy_id=spk, rangestate_id=state
            )

        objectives_n = max(1, min(25, round(size / 14)))
        results_n = min(size, max(objectives_n, round(size / 4.5)))
        themes_n = 0 if rng.random() < 0.12 else max(1, min(8, round(size / 45) + rng.randint(0, 1)))
        themes_n = min(themes_n, objectives_n)
        theme_pks = []
        for t in range(1, themes_n + 1):
            tpk = take(Theme)
            theme_pks.append(tpk)
            tables[Theme].row(
                id=tpk, strategy_id=spk, number=t, title=f"Synthetic theme {t}", updated_at=base_time
            )
        objective_theme = []
        for t, n in enumerate(_split(objectives_n, themes_n, rng)):
            objective_theme += [theme_pks[t]] * n
        objective_theme = objective_theme or [None] * objectives_n
        results_per_objective = _split(results_n, objectives_n, rng)
        activities_per_result = iter(_split(size, results_n, rng))
        activities = []
        for o in range(1, objectives_n + 1):
            opk = take(Objective)
            tables[Objective].row(
                id=opk,
                strategy_id=spk,
                theme_id=objective_theme[o - 1],
                number=o,
                text=f"Synthetic objective {o}: {texts.activity_text(rng)}",
                updated_at=base_time,
            )
            for r in range(1, results_per_objective[o - 1] + 1):
                rpk, rcode = take(Result), f"{o}.{r}"
                tables[Result].row(
                    id=rpk,
                    strategy_id=spk,
                    objective_id=opk,
                    code=rcode,
                    sort_key=code_sort_key(rcode),
                    text=f"Synthetic result {rcode}.",
                    updated_at=base_time,
                )
                for n in range(1, next(activities_per_result) + 1):
                    activities.append(
                        _activity(
                            rng,
                            tables,
                            take,
                            spk,
                            rpk,
                            f"{rcode}.{n}",
                            start,
                            end,
                            base_time,
                            actors,
                            measures,
                        )
                    )
        # A few activities refer to an earlier one, as the sources do ("see Activity 1.1.4").
        for i, (apk, _, _) in enumerate(activities):
            if i and rng.random() < 0.03:
                target_pk, target_code, _ = activities[rng.randrange(i)]
                tables[CrossReference].row(
                    id=take(CrossReference),
                    from_activity_id=apk,
                    from_result_id=None,
                    kind=CrossReference.Kind.ACTIVITY.value,
                    code=target_code,
                    to_activity_id=target_pk,
                    to_result_id=None,
                    to_objective_id=None,
                    position=0,
                )
        plans.append(
            StrategyPlan(
                pk=spk,
                slug=f"synthetic-{number:03d}",
                first_year=start,
                states=states,
                activities=[ActivityPlan(apk, code, priority) for apk, code, priority in activities],
                synthetic=True,
            )
        )
    for model, table in tables.items():
        table.flush()
        counts[model._meta.verbose_name_plural] = table.written
    return plans


def _activity(rng, tables, take, spk, rpk, code, start, end, base_time, actors, measures):
    apk = take(Activity)
    timeline_text = _timeline_text(rng, start, end)
    timeline = parse_timeline(timeline_text)
    cost_text = rng.choice(COSTS)
    cost = parse_cost(cost_text)
    named = rng.sample(actors, rng.randint(1, min(5, len(actors)))) if actors else []
    pow_measures = (
        rng.sample(measures, rng.randint(1, min(3, len(measures)))) if measures and rng.random() < 0.4 else []
    )
    priority = rng.choices([3, 2, 1, None], weights=[30, 55, 10, 5])[0]
    text = texts.activity_text(rng)
    tables[Activity].row(
        id=apk,
        strategy_id=spk,
        result_id=rpk,
        code=code,
        sort_key=code_sort_key(code),
        text=text,
        actors_text=", ".join(name for _, name in named),
        actors_continued=False,
        indicator=rng.choice(INDICATORS),
        timeline_text=timeline_text,
        timeline_kind=timeline.kind,
        start_year=timeline.start_year,
        due_year=timeline.due_year,
        recurrence_years=timeline.recurrence_years,
        cost_text=cost_text,
        cost_kind=cost.kind,
        cost_usd=cost.usd,
        cost_per_country=cost.per_country,
        cami_pow_text=", ".join(c for _, c in sorted(pow_measures, key=lambda m: code_sort_key(m[1]))),
        priority=priority,
        source_note="",
        updated_at=base_time,
    )
    for actor_pk, _ in named:
        tables[Activity.actors.through].row(
            id=take(Activity.actors.through), activity_id=apk, actor_id=actor_pk
        )
    for measure_pk, _ in pow_measures:
        through = Activity.cami_pow_measures.through
        tables[through].row(id=take(through), activity_id=apk, workprogrammemeasure_id=measure_pk)
    return apk, code, priority


def _write_users(rng, states, base_time, counts):
    """Secretariat reviewers and two focal points per Range State; a few focal points cover two states."""
    User = get_user_model()
    users = Table(User)
    memberships = Table(User.groups.through)
    focal = Table(FocalPoint)
    uid, mid, fid = next_id(User), next_id(User.groups.through), next_id(FocalPoint)
    groups = dict(
        Group.objects.filter(name__in=[SECRETARIAT_GROUP, FOCAL_POINTS_GROUP]).values_list("name", "pk")
    )

    def user(username, first, last, *, staff):
        nonlocal uid, mid
        # An unusable password ("!" prefix), as set_unusable_password() makes, but the same for the same seed.
        password = f"!synthetic-{rng.getrandbits(128):032x}"
        users.row(
            id=uid,
            password=password,
            last_login=None,
            is_superuser=False,
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            is_staff=staff,
            is_active=True,
            date_joined=base_time,
        )
        group = groups.get(SECRETARIAT_GROUP if staff else FOCAL_POINTS_GROUP)
        if group:
            memberships.row(id=mid, user_id=uid, group_id=group)
            mid += 1
        uid += 1
        return uid - 1

    secretariat = [
        user(f"synthetic-secretariat-{n}", "Synthetic", f"Reviewer {n}", staff=True) for n in range(1, 6)
    ]
    focal_points: dict[int, list[int]] = {}
    for state, iso in states.items():
        for n in (1, 2):
            pk = user(
                f"synthetic-focal-{iso.lower()}-{n}", "Synthetic", f"Focal point {iso} {n}", staff=False
            )
            focal_points.setdefault(state, []).append(pk)
    # Every fifth state's first focal point also reports for the next state (as some do in practice).
    ordered = list(states)
    for i in range(0, len(ordered) - 1, 5):
        focal_points[ordered[i + 1]].append(focal_points[ordered[i]][0])
    for state, people in focal_points.items():
        for person in people:
            focal.row(id=fid, user_id=person, range_state_id=state)
            fid += 1
    for table in (users, memberships, focal):
        table.flush()
    counts["users"] = users.written
    counts["focal points"] = focal.written
    return secretariat, focal_points
