"""A synthetic dataset at the scale the app is designed for, for benchmarks and load tests.

The design target is every CMS action plan at once: 50 strategies, 5,000 activities, 20 Range States and
1,000,000 progress entries with their history. `generate()` adds to whatever the database holds (the
seeded strategies get progress too) until the targets are met, reproducibly: the same seed, targets and
"as of" date give the same rows, ids included.

Synthetic rows say so: strategies are "Synthetic strategy 017 (generated for benchmarks, not a real
strategy)", Range States use the user-assigned ISO codes XA–XZ, users are `synthetic-…` with unusable
passwords, narratives start with "Synthetic entry".

Everything the services derive is written as they would write it (see progress.py): history rows with
reasons and users, versions, submission and review times, domain events, and the latest approved status
per activity and Range State. Rows are written with COPY on PostgreSQL and executemany on SQLite, in one
transaction: a failed run leaves nothing behind."""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from ..models import (
    Activity,
    ActivityStateStatus,
    CrossReference,
    DomainEvent,
    Evidence,
    FocalPoint,
    Objective,
    ProgressEntry,
    RangeState,
    ReportingRound,
    Result,
    Strategy,
    Theme,
)
from . import logframe, progress
from .bulk import reset_sequences

# The dataset's "today": a fixed date, so that the same seed gives the same data on any day.
DEFAULT_AS_OF = datetime.date(2026, 11, 30)
YEARS = 8


@dataclass(frozen=True)
class Targets:
    strategies: int = 50
    activities: int = 5_000
    range_states: int = 20
    entries: int = 1_000_000

    @classmethod
    def at_scale(cls, scale: float) -> "Targets":
        """A fraction of the design target (Range States stay 20: there are never fewer)."""
        full = cls()
        return cls(
            strategies=max(1, round(full.strategies * scale)),
            activities=max(1, round(full.activities * scale)),
            range_states=full.range_states,
            entries=round(full.entries * scale),
        )


@dataclass
class Dataset:
    structure: logframe.Structure
    lives: list[progress.Life]
    now: datetime.datetime
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class DatasetError(Exception):
    pass


def generate(*, seed: int, targets: Targets, as_of: datetime.date = DEFAULT_AS_OF, log=None) -> Dataset:
    """Add the synthetic dataset to the database, in one transaction. Refuses a database that already
    holds progress entries: generated progress is only meaningful on its own."""
    if ProgressEntry.objects.exists():
        raise DatasetError(
            "The database already holds progress entries; generate the dataset into one without any "
            "(e.g. a new database after `manage.py migrate` and `manage.py seed`)."
        )
    log = log or (lambda message: None)
    rng = random.Random(seed)
    now = datetime.datetime.combine(as_of, datetime.time(18), tzinfo=datetime.UTC)
    first_year = as_of.year - YEARS + 1
    seconds = {}
    with transaction.atomic():
        started = time.perf_counter()
        structure = logframe.build(rng, targets, now=now, first_year=first_year)
        seconds["structure"] = time.perf_counter() - started
        log(f"structure: {structure.counts} ({seconds['structure']:.1f} s)")

        started = time.perf_counter()
        lives = progress.plan(rng, structure, entries=targets.entries, now=now, first_year=first_year)
        seconds["plan"] = time.perf_counter() - started
        log(
            f"planned {len(lives):,} entries, {sum(len(life.actions) for life in lives):,} actions ({seconds['plan']:.1f} s)"
        )

        started = time.perf_counter()
        codes = {a.pk: (s.slug, a.code) for s in structure.strategies for a in s.activities}
        counts = structure.counts | progress.derive(lives, structure, codes)
        User = get_user_model()
        reset_sequences(
            [
                RangeState,
                Strategy,
                Strategy.range_states.through,
                Theme,
                Objective,
                Result,
                Activity,
                Activity.actors.through,
                Activity.cami_pow_measures.through,
                CrossReference,
                User,
                User.groups.through,
                FocalPoint,
                ReportingRound,
                ProgressEntry,
                ProgressEntry.history.model,
                Evidence,
                Evidence.history.model,
                ActivityStateStatus,
                DomainEvent,
            ]
        )
        seconds["write"] = time.perf_counter() - started
        log(f"wrote {counts} ({seconds['write']:.1f} s)")
    return Dataset(structure=structure, lives=lives, now=now, counts=counts, seconds=seconds)
