"""Change markers: for each resource a short value that changes whenever anything its answers read
changes, read in one cheap statement before the work. Conditional API requests (ETags) and cached
report fragments are keyed by it, so a change invalidates them without anyone remembering to.

Why not max(updated_at) of the listed rows: adding or removing evidence, a translation, an actor or
a Range State of a strategy changes an answer without touching the listed row's updated_at, and a
deleted row lowers no maximum. So each resource names every table its answers read, and each table is
watched by the cheapest aggregate that sees every kind of write to it:

- Stamped(model): COUNT(*), MAX(pk) and MAX(updated_at). An insert raises MAX(pk) (ids are never
  reused: AUTOINCREMENT on SQLite, sequences on PostgreSQL), a deletion lowers the count, an edit moves
  updated_at (auto_now; the one queryset update() of such a table, the approval service's
  ActivityStateStatus refresh, sets it itself). For tables of up to tens of thousands of rows.
- History(model): MAX(history_id) of its django-simple-history table. Every save and every deletion,
  cascades included, adds a row there: O(1) on the primary key, for the million-row tables where
  COUNT(*) is not cheap (progress entries, evidence).
- Links(m2m field): COUNT(*) and MAX(id) of a many-to-many table, whose rows are only added and removed.
- Content(model, columns): the columns themselves, for a small table with no updated_at (meetings).

The marker is read before the answer's data (and under READ COMMITTED each statement sees what was
committed before it), so an answer can carry an older marker than its data, which costs a needless 200
later, never a newer one, which would let a stale copy be confirmed with a 304."""

import hashlib
from dataclasses import dataclass

from django.db import connections, router
from django.utils import translation

from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    CrossReference,
    Evidence,
    Meeting,
    Objective,
    ProgressEntry,
    RangeState,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from activities.models.translations import (
    ActivityTranslation,
    ObjectiveTranslation,
    ResultTranslation,
    StrategyTranslation,
    ThemeTranslation,
)


@dataclass(frozen=True)
class Stamped:
    model: type

    def aggregates(self, q):
        table, meta = q(self.model._meta.db_table), self.model._meta
        stamp = "updated_at" if any(f.name == "updated_at" for f in meta.concrete_fields) else meta.pk.column
        return [
            f"(SELECT COUNT(*) FROM {table})",
            f"(SELECT MAX({q(meta.pk.column)}) FROM {table})",
            f"(SELECT MAX({q(stamp)}) FROM {table})",
        ]


@dataclass(frozen=True)
class History:
    model: type

    def aggregates(self, q):
        history = self.model.history.model
        return [f"(SELECT MAX({q(history._meta.pk.column)}) FROM {q(history._meta.db_table)})"]


@dataclass(frozen=True)
class Links:
    field: object  # a ManyToManyField's descriptor, e.g. Strategy.range_states

    def aggregates(self, q):
        through = self.field.through._meta
        table = q(through.db_table)
        return [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX({q(through.pk.column)}) FROM {table})"]


@dataclass(frozen=True)
class Content:
    model: type
    columns: tuple[str, ...] = ()  # () : every column

    def column_names(self) -> list[str]:
        return list(self.columns) or [f.column for f in self.model._meta.concrete_fields]


TRANSLATIONS = tuple(
    Stamped(model)
    for model in (
        StrategyTranslation,
        ThemeTranslation,
        ObjectiveTranslation,
        ResultTranslation,
        ActivityTranslation,
    )
)
LOGFRAME = (Stamped(Strategy), Stamped(Theme), Stamped(Objective), Stamped(Result), Stamped(Activity))

# What each resource's answers read (its serializers, filters and permission narrowing).
RESOURCES = {
    "strategies": (
        *LOGFRAME,
        Links(Strategy.range_states),
        Stamped(RangeState),
        Content(Meeting, ("id", "name")),
    ),
    "activities": (
        *LOGFRAME,
        Stamped(Actor),
        Links(Activity.actors),
        Stamped(WorkProgrammeMeasure),
        Links(Activity.cami_pow_measures),
        Stamped(ActivityStateStatus),
        Stamped(RangeState),
    ),
    "progress": (
        History(ProgressEntry),
        History(Evidence),
        Stamped(Activity),
        Stamped(Strategy),
        Stamped(Result),
        Stamped(Objective),
        Stamped(RangeState),
        Links(Activity.actors),
        Links(Activity.cami_pow_measures),
    ),
    # the strategy page's outline (activities.views.browse, a cached fragment): the logframe and its
    # translations, each activity's fields (actors, POW measures, cross-references both ways) and the
    # latest approved status per activity and Range State (approved only: the same for everyone)
    "strategy_outline": (
        *LOGFRAME,
        *TRANSLATIONS,
        Stamped(ActivityStateStatus),
        Stamped(RangeState),
        Links(Strategy.range_states),
        Stamped(Actor),
        Links(Activity.actors),
        Stamped(WorkProgrammeMeasure),
        Links(Activity.cami_pow_measures),
        Content(CrossReference),
    ),
}


def marker(resource: str) -> str:
    """The resource's change marker: one query (two with a Content table)."""
    specs = RESOURCES[resource]
    alias = router.db_for_read(ProgressEntry)
    connection = connections[alias]
    q = connection.ops.quote_name
    parts = []
    with connection.cursor() as cursor:
        columns = [sql for spec in specs if not isinstance(spec, Content) for sql in spec.aggregates(q)]
        cursor.execute("SELECT " + ", ".join(columns))
        parts.append(repr(cursor.fetchone()))
        for spec in specs:
            if isinstance(spec, Content):
                cursor.execute(
                    f"SELECT {', '.join(q(c) for c in spec.column_names())} FROM {q(spec.model._meta.db_table)} "
                    f"ORDER BY {q(spec.model._meta.pk.column)}"
                )
                parts.append(repr(cursor.fetchall()))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def etag(*, resource: str, scope: str, request_key: str) -> str:
    """A strong ETag for one answer: the resource's marker, what the user may see (`scope`, from
    permissions.view_scope), the language and everything else the answer depends on (`request_key`:
    path, query string, format)."""
    key = "|".join((resource, marker(resource), scope, translation.get_language() or "", request_key))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
