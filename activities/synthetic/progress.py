"""Progress for the synthetic dataset, in two steps.

1. `plan()` draws each progress entry's life: the actions people take on it, each with its time and
   actor — create, attach evidence, edit, submit, return with a comment, resubmit, approve, and now and
   then a Secretariat correction — cut off at the dataset's "now" (so recent entries are still drafts or
   awaiting review) and at the close of their reporting round (whose entries are then locked).
2. `derive()` plays every action of every entry in time order and writes what the services in
   activities/services.py write for it: the entry's row, a history row per save (django-simple-history's
   HistoricalProgressEntry, with the reason and the acting user), the entry's contributors (separation
   of duties), the DomainEvents of approvals and status changes, and ActivityStateStatus, the latest approved status per activity and Range State,
   chosen with `ProgressEntry.objects.latest_first()`, the order the services decide by.

tests/activities/test_synthetic.py replays the same plan through the services themselves and checks that
every table comes out identical."""

import datetime
import functools
from decimal import Decimal
from operator import itemgetter

from ..models import (
    ActivityStateStatus,
    DomainEvent,
    Evidence,
    ProgressEntry,
)
from ..services import EDITABLE_FIELDS
from . import texts
from .bulk import Table, next_id

UTC = datetime.UTC
S = ProgressEntry.Status
RS = ProgressEntry.ReviewState
DAY = 86_400

CREATE, EVIDENCE, EDIT, SUBMIT, RETURN, APPROVE = "create", "evidence", "edit", "submit", "return", "approve"

ENTRY_COLUMNS = [field.attname for field in ProgressEntry._meta.concrete_fields]
E = {name: i for i, name in enumerate(ENTRY_COLUMNS)}
HISTORY_EXTRA = ["history_id", "history_date", "history_change_reason", "history_type", "history_user_id"]
EVIDENCE_COLUMNS = [field.attname for field in Evidence._meta.concrete_fields]

# How a (activity, Range State) pair's status moves from one entry to the next.
# (Plain strings throughout: the values the database holds, never the enum members.)
NOT_STARTED, IN_PROGRESS, COMPLETED, DELAYED, CANCELLED, NOT_APPLICABLE = (
    S.NOT_STARTED.value,
    S.IN_PROGRESS.value,
    S.COMPLETED.value,
    S.DELAYED.value,
    S.CANCELLED.value,
    S.NOT_APPLICABLE.value,
)
TRANSITIONS = {
    NOT_STARTED: ([NOT_STARTED, IN_PROGRESS, DELAYED, CANCELLED], [50, 45, 4, 1]),
    IN_PROGRESS: ([IN_PROGRESS, COMPLETED, DELAYED], [74, 18, 8]),
    DELAYED: ([DELAYED, IN_PROGRESS, CANCELLED], [55, 41, 4]),
    COMPLETED: ([COMPLETED, IN_PROGRESS], [97, 3]),
    CANCELLED: ([CANCELLED], [1]),
    NOT_APPLICABLE: ([NOT_APPLICABLE], [1]),
}
STATUSES = list(TRANSITIONS)
CONFIDENCES = [c.value for c in ProgressEntry.Confidence]  # documented, expert, estimate
CONFIDENCE_WEIGHTS = [30, 55, 15]


class Life:
    """One progress entry's actions, in time order: (time, kind, user id, data)."""

    __slots__ = ("actions", "activity", "pk", "round", "state")

    def __init__(self, activity, state, round_pk, actions):
        self.pk = None
        self.activity, self.state, self.round, self.actions = activity, state, round_pk, actions


def _moment(rng, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
    return start + datetime.timedelta(seconds=rng.uniform(0, max((end - start).total_seconds(), 1)))


def _later(rng, t: datetime.datetime, low: float, high: float) -> datetime.datetime:
    return t + datetime.timedelta(seconds=rng.uniform(low, high))


def _day_start(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(7), tzinfo=UTC)


# --- 1. the plan ---------------------------------------------------------------------------------


def plan(rng, structure, *, entries: int, now: datetime.datetime, first_year: int) -> list[Life]:
    """`entries` lives spread over the structure's (activity, Range State or range-wide, year) slots."""
    today = now.date()
    years = list(range(first_year, today.year + 1))
    elapsed = (today - datetime.date(today.year, 1, 1)).days / 365

    # Slot weights: some states never report on a strategy, some skip a year; high-priority activities
    # and recent years get more entries; range-wide reports are rarer than a state's.
    slots = []  # (strategy, activity, state, year) in a fixed order, and their cumulative weights
    cumulative, total = [], 0.0
    for strategy in structure.strategies:
        if not strategy.activities:
            continue
        start = max(first_year, strategy.first_year or first_year)
        propensity = {
            state: (0.0 if rng.random() < 0.12 else rng.lognormvariate(0, 0.5)) for state in strategy.states
        }
        propensity[None] = 0.25 * rng.lognormvariate(0, 0.5)
        gap_years = {(state, year) for state in propensity for year in years if rng.random() < 0.1}
        for activity in strategy.activities:
            factor = {3: 1.4, 2: 1.0, 1: 0.6}.get(activity.priority, 0.8)
            for state, weight in propensity.items():
                for year in years:
                    if year < start or (state, year) in gap_years:
                        w = 0.0
                    else:
                        w = weight * factor * (0.7 + 0.3 * (year - first_year) / max(len(years) - 1, 1))
                        w *= elapsed if year == today.year else 1.0
                    total += w
                    slots.append((strategy, activity, state, year))
                    cumulative.append(total)
    counts = [0] * len(slots)
    if slots and total > 0:
        for index in rng.choices(range(len(slots)), cum_weights=cumulative, k=entries):
            counts[index] += 1

    lives = []
    pair, pair_entries = None, []
    for (strategy, activity, state, year), count in zip(slots, counts, strict=True):
        if (activity.pk, state) != pair:
            lives += _pair_lives(rng, structure, pair_entries, now)
            pair, pair_entries = (activity.pk, state), []
        for j in range(count):
            pair_entries.append(_dates(rng, strategy, activity, state, year, j, pair_entries, now))
    lives += _pair_lives(rng, structure, pair_entries, now)
    # Ids in the order the entries were created, as the database would have given them.
    assert all(life.actions and life.actions[0][1] == CREATE for life in lives)
    lives.sort(key=lambda life: life.actions[0][0])
    first = next_id(ProgressEntry)
    for i, life in enumerate(lives):
        life.pk = first + i
    return lives


def _dates(rng, strategy, activity, state, year, j, earlier, now):
    """(reporting date, created at, round) of one entry in a slot."""
    today = now.date()
    year_end = min(datetime.date(year, 12, 31), today - datetime.timedelta(days=1))
    latest = now - datetime.timedelta(hours=1)
    reporting_round = strategy.rounds.get(year) if state is not None and j == 0 else None
    if reporting_round is not None and rng.random() < 0.85:
        # An answer to the year's round: written while it is open, a few after the deadline (late).
        window_end = _day_start(reporting_round.deadline + datetime.timedelta(days=25))
        created = _moment(
            rng, _day_start(reporting_round.opens_on) + datetime.timedelta(hours=1), min(window_end, latest)
        )
        last_date = min(year_end, created.date())
        reporting_date = datetime.date(year, 1, 1) + datetime.timedelta(
            days=rng.randint(0, (last_date - datetime.date(year, 1, 1)).days)
        )
        return reporting_date, created, reporting_round, activity, state
    if earlier and rng.random() < 0.05:
        # A second entry for the same date: the services break the tie by approval time, then id.
        reporting_date = earlier[-1][0]
    else:
        span = (year_end - datetime.date(year, 1, 1)).days
        reporting_date = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, max(span, 0)))
    created = _later(rng, _day_start(reporting_date), 0, 40 * DAY)
    if created >= latest:
        created = _moment(rng, _day_start(reporting_date), latest)
    return reporting_date, created, None, activity, state


def _pair_lives(rng, structure, pair_entries, now) -> list[Life]:
    if not pair_entries:
        return []
    pair_entries.sort(key=lambda e: (e[0], e[1]))
    status = (
        NOT_APPLICABLE
        if rng.random() < 0.03
        else rng.choices([NOT_STARTED, IN_PROGRESS, DELAYED], weights=[30, 60, 10])[0]
    )
    lives = []
    for reporting_date, created, reporting_round, activity, state in pair_entries:
        lives.append(
            _life(rng, structure, activity, state, reporting_date, created, reporting_round, status, now)
        )
        choices, weights = TRANSITIONS[status]
        status = rng.choices(choices, weights=weights)[0]
    return lives


def _life(rng, structure, activity, state, reporting_date, created, reporting_round, status, now) -> Life:
    secretariat = structure.secretariat
    reporter = rng.choice(structure.focal_points[state]) if state is not None else rng.choice(secretariat)
    fields = {
        "reporting_date": reporting_date,
        "status": status,
        "narrative": texts.narrative(rng),
        "source": rng.choice(texts.SOURCES) if rng.random() < 0.55 else "",
        "confidence": rng.choices(CONFIDENCES, weights=CONFIDENCE_WEIGHTS)[0],
        "restricted_details": "Synthetic restricted detail: camera-trap positions held by the focal point."
        if rng.random() < 0.04
        else "",
        "amount_spent_usd": _amount(rng) if rng.random() < 0.18 else None,
        "reporting_round": reporting_round.pk if reporting_round else None,
    }
    t = created
    actions = [(t, CREATE, reporter, fields)]
    if rng.random() < 0.12:
        t = _later(rng, t, 60, DAY)
        actions.append((t, EVIDENCE, reporter, _evidence(rng)))
    if rng.random() < 0.3:
        t = _later(rng, t, 600, 5 * DAY)
        changes = {"narrative": texts.narrative(rng)}
        if rng.random() < 0.3:
            changes["amount_spent_usd"] = _amount(rng)
        actions.append((t, EDIT, reporter, {"changes": changes, "reason": ""}))
    if rng.random() >= 0.04:  # 4% of drafts are never submitted
        t = _later(rng, t, 300, 10 * DAY)
        actions.append((t, SUBMIT, reporter, None))
        for attempt in range(3):
            if rng.random() < 0.003:
                break  # never reviewed
            reviewer = rng.choice([pk for pk in secretariat if pk != reporter])
            t = _later(rng, t, 3600, 3600 + rng.expovariate(1 / (9 * DAY)))
            if attempt < 2 and rng.random() < (0.08 if attempt == 0 else 0.03):
                actions.append((t, RETURN, reviewer, {"comment": rng.choice(texts.RETURN_COMMENTS)}))
                if rng.random() < 0.9:
                    t = _later(rng, t, 3600, 10 * DAY)
                    changes = {"narrative": texts.narrative(rng), "source": rng.choice(texts.SOURCES)}
                    actions.append((t, EDIT, reporter, {"changes": changes, "reason": ""}))
                t = _later(rng, t, 300, 3 * DAY)
                actions.append((t, SUBMIT, reporter, None))
                continue
            actions.append((t, APPROVE, reviewer, None))
            if reporting_round is None and rng.random() < 0.01:
                t = _later(rng, t, DAY, 300 * DAY)
                if rng.random() < 0.5:
                    changes = {"status": rng.choice([s for s in STATUSES if s != status])}
                else:
                    changes = {"narrative": f"{fields['narrative']} Corrected by the Secretariat."}
                correction = {"changes": changes, "reason": rng.choice(texts.CORRECTION_REASONS)}
                actions.append((t, EDIT, rng.choice(secretariat), correction))
            break
    cutoff = now
    if reporting_round is not None and reporting_round.closed_at is not None:
        cutoff = min(cutoff, reporting_round.closed_at)  # a closed round's entries are locked
    actions = [action for action in actions if action[0] < cutoff]
    return Life(activity.pk, state, reporting_round.pk if reporting_round else None, actions)


def _amount(rng) -> Decimal:
    return Decimal(rng.randint(5, 5000) * 50)


def _evidence(rng) -> dict:
    return {
        "title": "Synthetic evidence: field report",
        "url": f"https://reports.example.org/synthetic/{rng.getrandbits(40):010x}.pdf",
        "restricted": rng.random() < 0.05,
    }


# --- 2. what the services write --------------------------------------------------------------------


def latest_picker():
    """A function choosing, among an activity's approved entries in one state (as rows), the one
    `ProgressEntry.objects.latest_first()` puts first: the services' rule, read from the queryset."""
    keys = []
    for item in ProgressEntry.objects.latest_first().query.order_by:
        if not isinstance(item, str):
            raise TypeError(
                f"latest_first() orders by an expression ({item!r}); derive() reads field names only"
            )
        name = item.lstrip("-")
        attname = "id" if name == "pk" else ProgressEntry._meta.get_field(name).attname
        keys.append((E[attname], item.startswith("-")))
    if all(descending for _, descending in keys):
        key = itemgetter(*[index for index, _ in keys])
        return lambda rows: max(rows, key=key)

    def compare(a, b):
        for index, descending in keys:
            if a[index] != b[index]:
                return (
                    (-1 if a[index] > b[index] else 1) if descending else (-1 if a[index] < b[index] else 1)
                )
        return 0

    return lambda rows: min(rows, key=functools.cmp_to_key(compare))


def derive(lives: list[Life], structure, activity_codes: dict[int, tuple[str, str]]) -> dict[str, int]:
    """Write the entries of `lives` and everything the services derive from them; return row counts."""
    history_model = ProgressEntry.history.model
    tracked = [f.attname for f in history_model._meta.concrete_fields if f.attname not in HISTORY_EXTRA]
    if sorted(tracked) != sorted(ENTRY_COLUMNS):
        raise RuntimeError(
            "HistoricalProgressEntry no longer mirrors ProgressEntry's columns: update derive()"
        )
    entries = Table(ProgressEntry, ENTRY_COLUMNS)
    history = Table(history_model, ENTRY_COLUMNS + HISTORY_EXTRA)
    events = Table(DomainEvent, ["id", "kind", "payload", "created_at"])
    evidence = Table(Evidence, EVIDENCE_COLUMNS)
    evidence_history = Table(Evidence.history.model, EVIDENCE_COLUMNS + HISTORY_EXTRA)
    statuses = Table(ActivityStateStatus)
    contributors = Table(ProgressEntry.contributors.through, ["progressentry_id", "user_id"])
    contributed: set[tuple[int, int]] = set()

    def contribute(pk, user):
        # services._contribute: who reported, changed or submitted the entry
        if (pk, user) not in contributed:
            contributed.add((pk, user))
            contributors.add((pk, user))

    history_id, event_id = next_id(history_model), next_id(DomainEvent)
    evidence_id, evidence_history_id = next_id(Evidence), next_id(Evidence.history.model)
    status_id = next_id(ActivityStateStatus)
    attname = {name: ProgressEntry._meta.get_field(name).attname for name in EDITABLE_FIELDS}
    latest_of = latest_picker()
    iso = structure.states

    def payload(row) -> dict:
        # services.public_payload: what partners may know of an approved entry
        slug, code = activity_codes[row[E["activity_id"]]]
        state = row[E["range_state_id"]]
        reviewed_at = row[E["reviewed_at"]]
        return {
            "entry_id": row[E["id"]],
            "strategy": slug,
            "activity": code,
            "range_state": iso[state] if state is not None else None,
            "status": row[E["status"]],
            "reporting_date": row[E["reporting_date"]].isoformat(),
            "confidence": row[E["confidence"]],
            "approved_at": reviewed_at.isoformat() if reviewed_at else None,
        }

    rows: dict[int, list] = {}
    approved: dict[tuple, list] = {}  # (activity, state) -> rows of its approved entries
    current: dict[tuple, list] = {}  # (activity, state) -> its ActivityStateStatus row

    def refresh(row, t):
        # services._refresh_state_status
        nonlocal event_id, status_id
        pair = (row[E["activity_id"]], row[E["range_state_id"]])
        latest = latest_of(approved[pair])
        values = [
            latest[E["id"]],
            latest[E["status"]],
            latest[E["reporting_date"]],
            latest[E["reviewed_at"]],
            t,
        ]
        previous = current.get(pair)
        if previous is None:
            current[pair] = [status_id, *pair, *values]
            status_id += 1
            before = None
        else:
            before = previous[4]
            previous[3:] = values
        if before != latest[E["status"]]:
            events.add(
                (
                    event_id,
                    DomainEvent.Kind.STATUS_CHANGED.value,
                    payload(latest) | {"previous_status": before},
                    t,
                )
            )
            event_id += 1

    by_pk = {life.pk: life for life in lives}
    timeline = sorted((action[0], life.pk, i) for life in lives for i, action in enumerate(life.actions))
    for t, pk, i in timeline:
        life = by_pk[pk]
        _, kind, user, data = life.actions[i]
        if kind == CREATE:
            row = [None] * len(ENTRY_COLUMNS)
            for name, value in data.items():
                row[E[attname[name]]] = value
            row[E["id"]], row[E["activity_id"]], row[E["range_state_id"]] = pk, life.activity, life.state
            row[E["review_state"]], row[E["review_comment"]] = RS.DRAFT.value, ""
            row[E["reported_by_id"]], row[E["version"]] = user, 1
            row[E["created_at"]] = row[E["updated_at"]] = t
            rows[pk] = row
            history_type, reason = "+", "Created"
            contribute(pk, user)
        elif kind == EVIDENCE:
            values = {
                "id": evidence_id,
                "entry_id": pk,
                "title": data["title"].strip(),
                "url": data["url"],
                "file": "",
                "content_type": "",
                "size": None,
                "restricted": data["restricted"],
                "added_by_id": user,
                "created_at": t,
            }
            record = tuple(values[c] for c in EVIDENCE_COLUMNS)
            evidence.add(record)
            evidence_history.add((*record, evidence_history_id, t, "Added", "+", user))
            evidence_id += 1
            evidence_history_id += 1
            contribute(pk, user)
            continue
        else:
            row = rows[pk]
            history_type = "~"
            if kind == EDIT:
                if any(row[E[attname[name]]] != value for name, value in data["changes"].items()):
                    contribute(pk, user)
                for name, value in data["changes"].items():
                    row[E[attname[name]]] = value
                reason = data["reason"].strip() or "Edited"
            elif kind == SUBMIT:
                reason = "Resubmitted" if row[E["review_state"]] == RS.RETURNED else "Submitted"
                row[E["review_state"]] = RS.SUBMITTED.value
                row[E["submitted_by_id"]], row[E["submitted_at"]] = user, t
                row[E["first_submitted_at"]] = row[E["first_submitted_at"]] or t
                contribute(pk, user)
            elif kind == RETURN:
                row[E["review_state"]], row[E["review_comment"]] = RS.RETURNED.value, data["comment"]
                row[E["reviewed_by_id"]], row[E["reviewed_at"]] = user, t
                reason = "Returned"
            elif kind == APPROVE:
                row[E["review_state"]], row[E["review_comment"]] = RS.APPROVED.value, ""
                row[E["reviewed_by_id"]], row[E["reviewed_at"]] = user, t
                reason = "Approved"
            row[E["version"]] += 1
            row[E["updated_at"]] = t
        history.add((*row, history_id, t, reason, history_type, user))
        history_id += 1
        if kind == APPROVE:
            events.add((event_id, DomainEvent.Kind.PROGRESS_APPROVED.value, payload(row), t))
            event_id += 1
            approved.setdefault((row[E["activity_id"]], row[E["range_state_id"]]), []).append(row)
            refresh(row, t)
        elif kind == EDIT and row[E["review_state"]] == RS.APPROVED:
            refresh(row, t)
    for pk in sorted(rows):
        entries.add(tuple(rows[pk]))
    for row in sorted(current.values()):
        statuses.add(tuple(row))
    tables = [entries, history, events, evidence, evidence_history, statuses, contributors]
    for table in tables:
        table.flush()
    return {table.model._meta.verbose_name_plural: table.written for table in tables}
