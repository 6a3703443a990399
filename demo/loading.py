"""The demonstration data set: what `make run` shows besides the real, seeded strategies, so that every
report and every demo account's home page has something to show.

It is built through the services, as the demo accounts would build it by hand (activities.services: an
open reporting round, entries drafted, submitted, returned and approved, evidence, a meeting snapshot),
so that the derived tables (the latest approved status per activity and Range State), the history, the
domain events and the notices are exactly those of real use; and separation of duties holds (focal
points report, the Secretariat reviews; nobody reviews what they reported).

Every row the loader makes is marked (demo.models.DemoRecord); `demo_remove` removes those rows and what
the services derived from them, and nothing else. Its texts say that they are demonstration text: they
never say anything about the real progress of a real Range State.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from activities import notices, services
from activities.models import (
    Activity,
    ActivityStateStatus,
    DomainEvent,
    Evidence,
    Meeting,
    MeetingSnapshot,
    ProgressEntry,
    RangeState,
    ReportingRound,
    Strategy,
)
from notifications.models import Notice

from .models import DemoRecord

STRATEGY_SLUG = "persian-leopard-2023-2032"
ROUND_NAME = "Demonstration round (not real data)"
MEETING_SLUG = "demonstration-meeting"
MEETING_NAME = "Demonstration meeting (not a real meeting)"
SOURCE = "Demonstration data set (not a real source)"
RETURN_COMMENT = "Demonstration comment: please name the document this status is taken from."

S = ProgressEntry.Status


class DemoError(Exception):
    """The demonstration data set cannot be loaded or removed; the message says why and what to do."""


@dataclass(frozen=True)
class Planned:
    """One demonstration entry: who reports it, on what, and how far it goes through review."""

    state: str  # ISO code
    activity: str  # code in the Persian Leopard Strategy
    status: str
    review: str  # "draft", "submitted", "returned" or "approved"
    reporter: str  # demo account
    reviewer: str = "reviewer"
    days_ago: int = 7
    in_round: bool = True
    amount: int | None = None
    evidence: bool = False
    restricted: bool = False


# Before the snapshot: an earlier, approved status (outside the round), so that the snapshot, the
# timeline and the changes report have a "before".
EARLIER = [
    Planned("AM", "1.1.1.a", S.NOT_STARTED, "approved", "focal-armenia", days_ago=400, in_round=False),
    Planned("IR", "1.1.1.a", S.NOT_STARTED, "approved", "focal-iran", "secretariat", 400, False),
    Planned("GE", "1.1.1.a", S.IN_PROGRESS, "approved", "secretariat", days_ago=380, in_round=False),
]
# The round's entries, after the snapshot: every review state, in several Range States.
IN_ROUND = [
    Planned("AM", "1.1.1.a", S.IN_PROGRESS, "approved", "focal-armenia", amount=12000, evidence=True),
    Planned("AM", "1.2.1", S.COMPLETED, "approved", "focal-armenia", amount=4500, restricted=True),
    Planned("AM", "1.3.1", S.IN_PROGRESS, "submitted", "focal-armenia"),
    Planned("AM", "2.1.1", S.DELAYED, "returned", "focal-armenia"),
    Planned("AM", "4.1.1", S.NOT_STARTED, "draft", "focal-armenia"),
    Planned("AM", "3.1.1", S.IN_PROGRESS, "draft", "expert-armenia"),  # the delegate's draft (objective 3)
    Planned("IR", "1.1.1.a", S.DELAYED, "approved", "focal-iran", "secretariat", amount=8000),
    Planned("IR", "1.2.1", S.IN_PROGRESS, "approved", "focal-iran"),
    Planned("IR", "1.3.1", S.IN_PROGRESS, "returned", "focal-iran"),
    Planned("IR", "2.1.1", S.NOT_STARTED, "submitted", "focal-iran"),
    Planned("IR", "4.1.1", S.IN_PROGRESS, "draft", "focal-iran"),
    # Range States without a demo focal point: the Secretariat reports for them, a colleague reviews.
    Planned("GE", "1.1.1.a", S.COMPLETED, "approved", "secretariat", amount=3000),
    Planned("GE", "1.2.1", S.IN_PROGRESS, "submitted", "secretariat"),
    Planned("AZ", "1.1.1.a", S.IN_PROGRESS, "approved", "secretariat"),
    Planned("AZ", "2.1.1", S.NOT_STARTED, "approved", "secretariat"),
    Planned("TR", "1.2.1", S.DELAYED, "approved", "secretariat"),
]
ACCOUNTS = {"secretariat", "reviewer", "focal-armenia", "focal-iran", "expert-armenia"}


def demo_loaded() -> bool:
    return DemoRecord.objects.exists()


def _mark(*rows) -> None:
    DemoRecord.objects.bulk_create(
        DemoRecord(content_type=ContentType.objects.get_for_model(row), object_id=row.pk) for row in rows
    )


def narrative(state: RangeState, activity: Activity) -> str:
    return (
        f"DEMONSTRATION TEXT, not reported by {state.name}. This entry on activity {activity.code} was made "
        "up to show how the tracker works; it says nothing about real progress in this Range State. "
        "Remove the demonstration data with `manage.py remove_demo_data`."
    )


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.strategy = Strategy.objects.filter(slug=STRATEGY_SLUG).first()
        if self.strategy is None:
            raise DemoError(f"The strategy “{STRATEGY_SLUG}” is not there: run `manage.py seed` first.")
        users = {u.username: u for u in get_user_model().objects.filter(username__in=ACCOUNTS)}
        if missing := sorted(ACCOUNTS - users.keys()):
            raise DemoError(
                f"The demo account(s) {', '.join(missing)} are missing: run `manage.py create_demo_accounts` "
                "first."
            )
        self.users = users
        self.states = {s.iso_code: s for s in self.strategy.range_states.all()}
        self.activities = {a.code: a for a in Activity.objects.for_strategy(self.strategy)}
        self.told = []  # the notices the worker would send: (function, arguments)

    def load(self) -> dict:
        reviewer = self.users["reviewer"]
        self.round = services.reporting_round_open(
            user=reviewer,
            strategy=self.strategy,
            name=ROUND_NAME,
            opens_on=self.today - datetime.timedelta(days=21),
            deadline=self.today + datetime.timedelta(days=30),
        )
        _mark(self.round)
        entries = [self.entry(planned) for planned in EARLIER]
        meeting = Meeting.objects.create(
            slug=MEETING_SLUG,
            name=MEETING_NAME,
            summary="Demonstration data: a made-up meeting, to show a snapshot of the status "
            "“as presented to” a meeting and its comparison with today.",
            source_note="Not a real meeting: part of the demonstration data set.",
        )
        _mark(meeting)
        snapshot = services.meeting_snapshot_take(
            user=reviewer,
            meeting=meeting,
            strategy=self.strategy,
            note="Demonstration snapshot: the demonstration statuses before the demonstration round.",
        )
        _mark(snapshot)
        entries += [self.entry(planned) for planned in IN_ROUND]
        return {"round": self.round, "entries": entries, "snapshot": snapshot}

    def entry(self, planned: Planned) -> ProgressEntry:
        state, activity = self.states[planned.state], self.activities[planned.activity]
        reporter, reviewer = self.users[planned.reporter], self.users[planned.reviewer]
        entry = services.progress_entry_create(
            user=reporter,
            activity=activity,
            range_state=state,
            reporting_date=self.today - datetime.timedelta(days=planned.days_ago),
            status=planned.status,
            narrative=narrative(state, activity),
            source=SOURCE,
            confidence=ProgressEntry.Confidence.ESTIMATE,
            restricted_details=(
                "DEMONSTRATION: restricted details (e.g. den sites) are shown only to the Secretariat and "
                "this Range State's reporters, never on public pages, exports or e-mails."
                if planned.restricted
                else ""
            ),
            amount_spent_usd=planned.amount,
            reporting_round=self.round if planned.in_round else None,
        )
        _mark(entry)
        if planned.evidence:
            self.evidence(entry, reporter)
        if planned.review == "draft":
            return entry
        # A delegate drafts; the focal point submits (permissions).
        submitter = self.users["focal-armenia"] if reporter.username == "expert-armenia" else reporter
        entry = services.progress_entry_submit(user=submitter, entry=entry)
        self.told.append((notices.send_entry_submitted, entry.pk, entry.version))
        if planned.review == "approved":
            entry = services.progress_entry_approve(user=reviewer, entry=entry)
            self.told.append((notices.send_entry_approved, entry.pk, entry.version))
        elif planned.review == "returned":
            entry = services.progress_entry_return(user=reviewer, entry=entry, comment=RETURN_COMMENT)
            self.told.append((notices.send_entry_returned, entry.pk, entry.version))
        return entry

    def evidence(self, entry, user) -> None:
        link = services.evidence_add(
            user=user,
            entry=entry,
            title="Demonstration link (not a real document)",
            url="https://example.org/demonstration-evidence",
        )
        upload = SimpleUploadedFile(
            "demonstration-evidence.txt",
            b"Demonstration evidence file: made up to show how evidence is attached to a progress entry. "
            b"It is not a real document.\n",
            content_type="text/plain",
        )
        file = services.evidence_add(
            user=user, entry=entry, title="Demonstration file (not a real document)", file=upload
        )
        _mark(link, file)

    def tell(self) -> int:
        """Send the notices the background worker would send for what was loaded, so that the demo
        accounts' home pages show them at once. Each is sent once (notifications.delivery), so the
        queued tasks that a worker may run later send nothing more."""
        sent = notices.send_round_opened(self.round, today=self.today)
        for send, *args in self.told:
            sent += send(*args)
        return sent


def demo_load(*, today: datetime.date | None = None) -> dict | None:
    """Load the demonstration data set, through the services; return what was made (round, entries,
    snapshot, notices sent), or None when it is loaded already (then nothing changes). Refuses with
    DEBUG off: demonstration data never goes into a production database."""
    if not settings.DEBUG:
        raise DemoError(
            "DEBUG is off, so this looks like production: demonstration data is never loaded there. "
            "Load it only on a development copy (DJANGO_DEBUG=1, as `make run` sets it)."
        )
    if demo_loaded():
        return None
    loader = _Loader(today or timezone.localdate())
    with transaction.atomic():
        made = loader.load()
    # The demo accounts' addresses are at example.org: the notices go on their home pages, and the
    # e-mails nowhere (the console backend would print a screenful of them as `make run` starts).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        made["notices"] = loader.tell()
    return made


# --- removal -------------------------------------------------------------------------------------


def _entry_keys(entry_ids, round_ids) -> Q:
    """The notices about the demonstration entries and round (their keys: activities.notices)."""
    condition = Q(pk__in=[])
    for pk in entry_ids:
        condition |= Q(key__startswith=f"entry:{pk}:")
    for pk in round_ids:
        condition |= Q(key__startswith=f"round:{pk}:")
    return condition


def _refuse_if_real_data_depends_on(entry_ids, round_ids, meeting_ids, snapshot_ids) -> None:
    """Rows someone entered that point at demonstration rows would lose what they point at: say which,
    and remove nothing."""
    problems = []
    foreign = ProgressEntry.objects.filter(reporting_round_id__in=round_ids).exclude(pk__in=entry_ids)
    if n := foreign.count():
        problems.append(
            f"{n} progress entr{'y' if n == 1 else 'ies'} not from the demonstration data answer the "
            f"round “{ROUND_NAME}” (e.g. entry {foreign.first().pk}): move them to another round first."
        )
    snapshots = (
        MeetingSnapshot.objects.filter(Q(meeting_id__in=meeting_ids) | Q(statuses__entry_id__in=entry_ids))
        .exclude(pk__in=snapshot_ids)
        .distinct()
    )
    if ids := sorted(snapshots.values_list("pk", flat=True)):
        problems.append(
            "Meeting snapshot(s) not from the demonstration data include demonstration entries or "
            f"meetings (snapshot {', '.join(map(str, ids))}): delete them in the admin first."
        )
    if problems:
        raise DemoError("Nothing was removed. " + " ".join(problems))


def demo_remove() -> dict[str, int] | None:
    """Remove the demonstration data set: the marked rows, and what the services derived from them (their
    history, statuses, events, notices, files). Seeded and user-entered rows stay as they are; where a
    demonstration entry was an activity's latest approved status in a Range State, the status goes
    back to the latest approved entry left, if any. Returns how many rows of each kind went, or None
    when no demonstration data is loaded. Works with DEBUG off, to clean a database that has it."""
    if not demo_loaded():
        return None
    records = DemoRecord.objects.all()
    entry_ids = records.ids_of(ProgressEntry)
    round_ids = records.ids_of(ReportingRound)
    meeting_ids = records.ids_of(Meeting)
    snapshot_ids = records.ids_of(MeetingSnapshot)
    with transaction.atomic():
        _refuse_if_real_data_depends_on(entry_ids, round_ids, meeting_ids, snapshot_ids)
        # Every evidence of a demonstration entry goes with it, whoever added it; files too, after commit.
        evidence = Evidence.objects.filter(entry_id__in=entry_ids)
        history = Evidence.history.filter(entry_id__in=entry_ids)
        files = set(evidence.exclude(file="").values_list("file", flat=True))
        files |= set(history.exclude(file="").values_list("file", flat=True))
        pairs = set(
            ActivityStateStatus.objects.filter(entry_id__in=entry_ids).values_list(
                "activity_id", "range_state_id"
            )
        )
        counts = {
            "notices": Notice.objects.filter(_entry_keys(entry_ids, round_ids)).delete()[0],
            "events": DomainEvent.objects.filter(payload__entry_id__in=entry_ids).delete()[0],
            "snapshots": MeetingSnapshot.objects.filter(pk__in=snapshot_ids).delete()[0],
            "evidence": evidence.delete()[0],
            "entries": ProgressEntry.objects.filter(pk__in=entry_ids).delete()[0],
            "history": history.delete()[0] + ProgressEntry.history.filter(id__in=entry_ids).delete()[0],
            "rounds": ReportingRound.objects.filter(pk__in=round_ids).delete()[0],
            "meetings": Meeting.objects.filter(pk__in=meeting_ids).delete()[0],
        }
        counts["statuses restored"] = _restore_statuses(pairs)
        records.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return counts


def _restore_statuses(pairs) -> int:
    """Point each activity's status in a Range State back at its latest approved entry left (the rule of
    services._refresh_state_status), where a demonstration entry was it."""
    restored = 0
    for activity_id, range_state_id in pairs:
        latest = ProgressEntry.objects.latest_approved(activity=activity_id, range_state=range_state_id)
        if latest is None:
            continue  # the row went with the demonstration entry it pointed at
        ActivityStateStatus.objects.create(
            activity_id=activity_id,
            range_state_id=range_state_id,
            entry=latest,
            status=latest.status,
            reporting_date=latest.reporting_date,
            approved_at=latest.reviewed_at or timezone.now(),
        )
        restored += 1
    return restored
