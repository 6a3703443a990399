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
- ApprovedHistory(model): History narrowed to approved progress, for what shows approved progress only
  (the reports): the history rows of approved entries, and of evidence of entries approved now. Drafts,
  submissions and returns — most writes while a round is open — leave it alone (see the class).
- Links(m2m field): COUNT(*) and MAX(id) of a many-to-many table, whose rows are only added and removed.
- Appended(model): COUNT(*) and MAX(pk) of a table whose rows are only ever inserted and deleted, never
  edited (a meeting snapshot's statuses, written once by the snapshot service).
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
    Grant,
    GrantActivity,
    Meeting,
    MeetingSnapshot,
    Metapopulation,
    NationalActionPlan,
    Objective,
    ProgressEntry,
    RangeState,
    ReportingRound,
    Result,
    SnapshotStatus,
    Species,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from activities.models.translations import (
    ActivityTranslation,
    MetapopulationTranslation,
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
class ApprovedHistory:
    """The newest history row that approved progress is made of. For ProgressEntry: rows written with
    review_state "approved" — the approval itself, the Secretariat's corrections of an approved entry,
    and its deletion (a deletion's row carries the entry's fields); a partial index (migration 0017)
    makes it O(1). For Evidence: rows of evidence whose entry is approved now — evidence added to a
    draft counts once the entry is approved, which writes a row of the first kind anyway.

    Sound because an entry leaves "approved" only by being deleted: no service sets another review
    state on an approved entry, the admin shows review_state read-only and deletes through the service,
    which refuses approved entries (tests/reporting/test_report_cache.py checks both ways: every write
    to approved progress moves the marker, and the writes that leave it are the ones no report shows)."""

    model: type

    def aggregates(self, q):
        history = self.model.history.model
        table, pk = q(history._meta.db_table), q(history._meta.pk.column)
        state = q(ProgressEntry._meta.get_field("review_state").column)
        approved = f"{state} = '{ProgressEntry.ReviewState.APPROVED.value}'"  # as the index of 0017
        if self.model is ProgressEntry:
            return [f"(SELECT MAX({pk}) FROM {table} WHERE {approved})"]
        # newest first, stopping at the first row of an approved entry (MAX over a join would read all)
        entries, entry = q(ProgressEntry._meta.db_table), q(self.model._meta.get_field("entry").column)
        return [
            f"(SELECT h.{pk} FROM {table} h WHERE EXISTS (SELECT 1 FROM {entries} e WHERE "
            f"e.{q(ProgressEntry._meta.pk.column)} = h.{entry} AND e.{approved}) ORDER BY h.{pk} DESC LIMIT 1)"
        ]


@dataclass(frozen=True)
class Links:
    field: object  # a ManyToManyField's descriptor, e.g. Strategy.range_states

    def aggregates(self, q):
        through = self.field.through._meta
        table = q(through.db_table)
        return [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX({q(through.pk.column)}) FROM {table})"]


@dataclass(frozen=True)
class Appended:
    model: type

    def aggregates(self, q):
        meta = self.model._meta
        table = q(meta.db_table)
        return [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX({q(meta.pk.column)}) FROM {table})"]


@dataclass(frozen=True)
class Content:
    model: type
    columns: tuple[str, ...] = ()  # () : every column

    def column_names(self) -> list[str]:
        return list(self.columns) or [f.column for f in self.model._meta.concrete_fields]

    def aggregates(self, q, vendor: str):
        # Every row's columns in one value, in primary-key order: on PostgreSQL the md5 of the rows as
        # text, on SQLite the quoted values themselves (the tables are small).
        table, pk = q(self.model._meta.db_table), q(self.model._meta.pk.column)
        columns = [f"t.{q(c)}" for c in self.column_names()]
        if vendor == "postgresql":
            return [
                f"(SELECT md5(string_agg(ROW({', '.join(columns)})::text, '|' ORDER BY t.{pk})) FROM {table} t)"
            ]
        values = " || ',' || ".join(f"quote({c})" for c in columns)
        return [f"(SELECT group_concat({values}, '|') FROM (SELECT * FROM {table} ORDER BY {pk}) t)"]


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
    # the reports (reporting.reports.cache: each report's build and its page's tables, cached): what any
    # report of the registry reads, its filters' objects included. tests/reporting/test_report_cache.py
    # runs every report with every filter and fails when one reads a table that is not watched here.
    "reports": (
        *LOGFRAME,
        *TRANSLATIONS,
        ApprovedHistory(ProgressEntry),
        ApprovedHistory(Evidence),
        Stamped(ActivityStateStatus),
        Stamped(RangeState),
        Links(Strategy.range_states),
        Stamped(Actor),
        Links(Activity.actors),
        Stamped(WorkProgrammeMeasure),
        Links(Activity.cami_pow_measures),
        Stamped(Grant),
        Stamped(Species),
        Links(Species.strategies),
        Links(Species.national_action_plans),
        Appended(SnapshotStatus),
        Content(CrossReference),
        Content(ReportingRound),
        Content(Meeting),
        Content(MeetingSnapshot),
        Content(NationalActionPlan),
        Content(GrantActivity),
        Content(Metapopulation),
        Links(Metapopulation.range_states),
        Content(MetapopulationTranslation),
    ),
}


def watched_tables(resource: str) -> set[str]:
    """The database tables the resource's marker watches (for the tests that check it is complete)."""
    tables = set()
    for spec in RESOURCES[resource]:
        if isinstance(spec, Links):
            tables.add(spec.field.through._meta.db_table)
            continue
        tables.add(spec.model._meta.db_table)
        if isinstance(spec, History | ApprovedHistory):
            tables.add(spec.model.history.model._meta.db_table)
    return tables


def marker_sql(resource: str) -> str:
    """The one statement that reads the resource's change marker."""
    connection = connections[router.db_for_read(ProgressEntry)]
    q = connection.ops.quote_name
    columns = [
        sql
        for spec in RESOURCES[resource]
        for sql in (
            spec.aggregates(q, connection.vendor) if isinstance(spec, Content) else spec.aggregates(q)
        )
    ]
    return "SELECT " + ", ".join(columns)


def marker(resource: str) -> str:
    """The resource's change marker: one query."""
    with connections[router.db_for_read(ProgressEntry)].cursor() as cursor:
        cursor.execute(marker_sql(resource))
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:24]


def etag(*, resource: str, scope: str, request_key: str) -> str:
    """A strong ETag for one answer: the resource's marker, what the user may see (`scope`, from
    permissions.view_scope), the language and everything else the answer depends on (`request_key`:
    path, query string, format)."""
    key = "|".join((resource, marker(resource), scope, translation.get_language() or "", request_key))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
