"""Reporting rounds in activities.services: opening, changing, closing (which locks their entries) and
reopening."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import services
from activities.models import ProgressEntry, ReportingRound
from tests.factories import ReportingRoundFactory, StrategyFactory

from .workflow import RS, create, row, submitted


def test_the_secretariat_opens_a_round(w, open_round):
    stored = ReportingRound.objects.get(pk=open_round.pk)
    assert stored.name == "2025 annual"
    assert stored.created_by == w.secretariat
    assert not stored.is_closed


@pytest.mark.parametrize("who", ["focal", "expert", "partner"])
def test_only_the_secretariat_opens_and_closes_rounds(w, open_round, who):
    user = getattr(w, who)
    with pytest.raises(PermissionDenied):
        services.reporting_round_open(
            user=user,
            strategy=w.strategy,
            name="2026",
            opens_on=datetime.date(2026, 1, 1),
            deadline=datetime.date(2026, 6, 30),
        )
    with pytest.raises(PermissionDenied):
        services.reporting_round_close(user=user, reporting_round=open_round)
    assert ReportingRound.objects.count() == 1
    assert ReportingRound.objects.get().closed_at is None


def test_the_secretariat_changes_a_rounds_name_and_dates(w, open_round):
    services.reporting_round_update(
        user=w.secretariat,
        reporting_round=open_round,
        name=" 2025 annual (extended) ",
        deadline=datetime.date(2025, 7, 31),
    )

    stored = ReportingRound.objects.get(pk=open_round.pk)
    assert (stored.name, stored.deadline, stored.strategy) == (
        "2025 annual (extended)",
        datetime.date(2025, 7, 31),
        w.strategy,
    )


@pytest.mark.parametrize("who", ["focal", "expert", "partner"])
def test_only_the_secretariat_changes_a_round(w, open_round, who):
    with pytest.raises(PermissionDenied, match="Only the Secretariat may change a reporting round"):
        services.reporting_round_update(
            user=getattr(w, who), reporting_round=open_round, deadline=datetime.date(2030, 1, 1)
        )

    assert ReportingRound.objects.get(pk=open_round.pk).deadline == datetime.date(2025, 6, 30)


def test_a_changed_round_must_still_open_before_its_deadline(w, open_round):
    with pytest.raises(ValidationError):
        services.reporting_round_update(
            user=w.secretariat, reporting_round=open_round, deadline=datetime.date(2024, 12, 31)
        )

    assert ReportingRound.objects.get(pk=open_round.pk).deadline == datetime.date(2025, 6, 30)


def test_a_rounds_strategy_is_not_changed(w, open_round):
    with pytest.raises(ValueError, match="not editable"):
        services.reporting_round_update(
            user=w.secretariat, reporting_round=open_round, strategy=StrategyFactory()
        )

    assert ReportingRound.objects.get(pk=open_round.pk).strategy == w.strategy


def test_a_round_must_open_before_its_deadline(w):
    with pytest.raises(ValidationError):
        services.reporting_round_open(
            user=w.secretariat,
            strategy=w.strategy,
            name="2026",
            opens_on=datetime.date(2026, 7, 1),
            deadline=datetime.date(2026, 6, 30),
        )
    assert not ReportingRound.objects.exists()


def close(w, reporting_round):
    return services.reporting_round_close(user=w.secretariat, reporting_round=reporting_round)


def test_a_closed_round_locks_editing(w, open_round):
    entry = create(w, reporting_round=open_round)
    close(w, open_round)
    before = row(entry)

    for user in (w.focal, w.expert, w.secretariat):
        with pytest.raises(PermissionDenied, match="is closed"):
            services.progress_entry_update(
                user=user, entry=entry, expected_version=entry.version, narrative="x"
            )
    assert row(entry) == before


def test_a_closed_round_locks_submitting(w, open_round):
    entry = create(w, reporting_round=open_round)
    close(w, open_round)
    before = row(entry)

    with pytest.raises(PermissionDenied, match="is closed"):
        services.progress_entry_submit(user=w.focal, entry=entry)
    assert row(entry) == before


def test_a_closed_round_locks_reviewing(w, open_round):
    entry = submitted(w, reporting_round=open_round)
    close(w, open_round)
    before = row(entry)

    with pytest.raises(PermissionDenied, match="is closed"):
        services.progress_entry_approve(user=w.secretariat, entry=entry)
    with pytest.raises(PermissionDenied, match="is closed"):
        services.progress_entry_return(user=w.secretariat, entry=entry, comment="Late")
    assert row(entry) == before


def test_a_closed_round_locks_evidence(w, open_round):
    entry = create(w, reporting_round=open_round)
    evidence = services.evidence_add(user=w.focal, entry=entry, url="https://example.org/a.pdf")
    close(w, open_round)

    with pytest.raises(PermissionDenied):
        services.evidence_add(user=w.focal, entry=entry, url="https://example.org/b.pdf")
    with pytest.raises(PermissionDenied):
        services.evidence_remove(user=w.secretariat, evidence=evidence)
    assert list(entry.evidence.all()) == [evidence]


def test_nothing_is_created_in_a_closed_round(w, open_round):
    close(w, open_round)

    # Refused by the permission module, so pages never offer it either.
    with pytest.raises(PermissionDenied, match="is closed"):
        create(w, reporting_round=open_round)
    assert not ProgressEntry.objects.exists()


def test_an_entry_cannot_be_moved_into_a_closed_round(w, open_round):
    closed = ReportingRoundFactory(strategy=w.strategy, closed_at=timezone.now())
    entry = create(w, reporting_round=open_round)

    with pytest.raises(ValidationError, match="is closed"):
        services.progress_entry_update(
            user=w.focal, entry=entry, expected_version=entry.version, reporting_round=closed
        )
    assert ProgressEntry.objects.get(pk=entry.pk).reporting_round == open_round


def test_an_entry_cannot_answer_another_strategys_round(w):
    other_round = ReportingRoundFactory()

    with pytest.raises(ValidationError, match="another strategy"):
        create(w, reporting_round=other_round)
    assert not ProgressEntry.objects.exists()


def test_reopening_a_round_unlocks_its_entries(w, open_round):
    entry = create(w, reporting_round=open_round)
    close(w, open_round)
    services.reporting_round_reopen(user=w.secretariat, reporting_round=open_round)

    entry = services.progress_entry_submit(user=w.focal, entry=entry)

    assert ReportingRound.objects.get(pk=open_round.pk).closed_at is None
    entry.refresh_from_db()
    assert entry.review_state == RS.SUBMITTED
