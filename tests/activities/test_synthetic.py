"""The synthetic benchmark dataset (activities/synthetic/, manage.py generate_dataset): what it writes is
what the services would have written for the same actions, and the same seed gives the same data."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from activities import services
from activities.models import (
    Activity,
    ActivityStateStatus,
    DomainEvent,
    Evidence,
    ProgressEntry,
    RangeState,
    ReportingRound,
    Strategy,
)
from activities.synthetic import DatasetError, Targets, generate
from activities.synthetic.progress import APPROVE, CREATE, EDIT, EVIDENCE, RETURN, SUBMIT
from tests.factories import ProgressEntryFactory

# Small enough to replay through the services in seconds, dense enough (about five entries per activity
# and state) that latest-status ties, status changes, returns and corrections all occur.
SMALL = Targets(strategies=2, activities=12, range_states=5, entries=250)


def _entry_columns():
    return [f.attname for f in ProgressEntry._meta.concrete_fields if f.attname != "id"]


def dump() -> dict:
    """Every table the progress workflow writes, with ids replaced by their rank (so two databases that
    created the same rows in the same order compare equal)."""
    entry_ids = list(ProgressEntry.objects.order_by("pk").values_list("pk", flat=True))
    entry = {pk: rank for rank, pk in enumerate(entry_ids)}
    evidence_ids = list(Evidence.objects.order_by("pk").values_list("pk", flat=True))
    evidence = {pk: rank for rank, pk in enumerate(evidence_ids)}
    columns = _entry_columns()
    history_model = ProgressEntry.history.model
    history_columns = [
        "id",
        *columns,
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user_id",
    ]
    evidence_columns = [
        f.attname for f in Evidence._meta.concrete_fields if f.attname not in ("id", "entry_id")
    ]
    return {
        "entries": list(ProgressEntry.objects.order_by("pk").values_list(*columns)),
        "history": [
            (entry[row[0]], *row[1:])
            for row in history_model.objects.order_by("history_id").values_list(*history_columns)
        ],
        "contributors": sorted(
            (entry[entry_id], user_id)
            for entry_id, user_id in ProgressEntry.contributors.through.objects.values_list(
                "progressentry_id", "user_id"
            )
        ),
        "events": [
            (kind, payload | {"entry_id": entry[payload["entry_id"]]}, created_at)
            for kind, payload, created_at in DomainEvent.objects.order_by("pk").values_list(
                "kind", "payload", "created_at"
            )
        ],
        "statuses": [
            (activity, state, entry[entry_id], *rest)
            for activity, state, entry_id, *rest in ActivityStateStatus.objects.order_by("pk").values_list(
                "activity_id",
                "range_state_id",
                "entry_id",
                "status",
                "reporting_date",
                "approved_at",
                "updated_at",
            )
        ],
        "evidence": [
            (entry[entry_id], *rest)
            for entry_id, *rest in Evidence.objects.order_by("pk").values_list("entry_id", *evidence_columns)
        ],
        "evidence history": [
            (evidence[pk], entry[entry_id], *rest)
            for pk, entry_id, *rest in Evidence.history.model.objects.order_by("history_id").values_list(
                "id", "entry_id", *evidence_columns, "history_date", "history_change_reason", "history_type"
            )
        ],
    }


def replay_through_services(dataset) -> None:
    """Clear what the generator derived and play the same actions, at the same times, through the
    services; reporting rounds are reopened and closed again at their closing time."""
    ActivityStateStatus.objects.all().delete()
    DomainEvent.objects.all().delete()
    Evidence.objects.all().delete()
    ProgressEntry.objects.all().delete()
    # Last: deleting through the ORM records each deletion in the history.
    Evidence.history.model.objects.all().delete()
    ProgressEntry.history.model.objects.all().delete()
    rounds = {r.pk: r for r in ReportingRound.objects.all()}
    closings = [(r.closed_at, "close", r.pk, 0) for r in rounds.values() if r.closed_at]
    ReportingRound.objects.update(closed_at=None)
    for r in rounds.values():
        r.closed_at = None
    users = {u.pk: u for u in get_user_model().objects.all()}
    activities = {a.pk: a for a in Activity.objects.select_related("strategy", "result")}
    states = {s.pk: s for s in RangeState.objects.all()}
    secretariat = users[dataset.structure.secretariat[0]]
    lives = {life.pk: life for life in dataset.lives}
    timeline = sorted(
        [(a[0], "act", life.pk, i) for life in dataset.lives for i, a in enumerate(life.actions)] + closings
    )
    made = {}
    for at, what, key, i in timeline:
        with mock.patch("django.utils.timezone.now", return_value=at):
            if what == "close":
                services.reporting_round_close(user=secretariat, reporting_round=rounds[key])
                continue
            life = lives[key]
            _, kind, user_id, data = life.actions[i]
            user = users[user_id]
            if kind == CREATE:
                fields = dict(data)
                fields["reporting_round"] = rounds.get(fields["reporting_round"])
                made[key] = services.progress_entry_create(
                    user=user,
                    activity=activities[life.activity],
                    range_state=states.get(life.state),
                    **fields,
                )
            elif kind == EVIDENCE:
                services.evidence_add(user=user, entry=made[key], **data)
            elif kind == EDIT:
                made[key] = services.progress_entry_update(
                    user=user,
                    entry=made[key],
                    expected_version=made[key].version,
                    reason=data["reason"],
                    **data["changes"],
                )
            elif kind == SUBMIT:
                made[key] = services.progress_entry_submit(user=user, entry=made[key])
            elif kind == RETURN:
                made[key] = services.progress_entry_return(
                    user=user, entry=made[key], comment=data["comment"]
                )
            elif kind == APPROVE:
                made[key] = services.progress_entry_approve(user=user, entry=made[key])


def test_generated_progress_is_what_the_services_write_for_the_same_actions(db):
    dataset = generate(seed=3, targets=SMALL)
    generated = dump()
    kinds = {action[1] for life in dataset.lives for action in life.actions}
    # The plan exercises every step of the workflow; recent entries are still drafts or awaiting review.
    assert kinds == {CREATE, EVIDENCE, EDIT, SUBMIT, RETURN, APPROVE}
    assert {row[_entry_columns().index("review_state")] for row in generated["entries"]} >= {
        "draft",
        "submitted",
        "approved",
    }
    assert any(
        reason.startswith("Corrected") or "corrected" in reason
        for *_, reason, _, _ in generated["history"]
        if reason
    )

    replay_through_services(dataset)

    replayed = dump()
    for table in generated:
        assert len(generated[table]) == len(replayed[table]), table
        assert generated[table] == replayed[table], table


def test_latest_status_is_the_one_the_approval_service_chooses(seeded):
    generate(seed=5, targets=Targets(strategies=4, activities=130, range_states=16, entries=2500))
    generated = {
        (row.activity_id, row.range_state_id): (row.entry_id, row.status, row.reporting_date, row.approved_at)
        for row in ActivityStateStatus.objects.all()
    }
    approved = ProgressEntry.objects.approved()
    pairs = approved.values_list("activity_id", "range_state_id").distinct()
    assert len(generated) == pairs.count() > 400
    # Some pairs have two approved entries for the same date whose approval order differs from their
    # creation order: there the tie-break by approval time decides, not the id.
    ties = 0
    for activity_id, state_id in generated:
        same = approved.filter(activity_id=activity_id, range_state_id=state_id)
        newest = same.order_by("-reporting_date", "-pk").first()
        ties += newest.pk != generated[(activity_id, state_id)][0]
    assert ties > 0

    ActivityStateStatus.objects.all().delete()
    for activity_id, state_id in generated:
        services._refresh_state_status(
            approved.filter(activity_id=activity_id, range_state_id=state_id).first()
        )
    recomputed = {
        (row.activity_id, row.range_state_id): (row.entry_id, row.status, row.reporting_date, row.approved_at)
        for row in ActivityStateStatus.objects.all()
    }
    assert recomputed == generated


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    def generated_with(seed) -> dict:
        with transaction.atomic():
            generate(seed=seed, targets=SMALL)
            tables = {
                model._meta.label: list(model.objects.order_by("pk").values_list())
                for model in (Strategy, Activity, RangeState, ReportingRound, get_user_model())
            } | dump()
            # The ids themselves, too: the next run starts from the same free ids again.
            tables["entry ids"] = list(ProgressEntry.objects.order_by("pk").values_list("pk", flat=True))
            transaction.set_rollback(True)
        return tables

    first = generated_with(3)
    assert first == generated_with(3)
    other = generated_with(4)
    assert other["entries"] != first["entries"]
    assert other["activities.Activity"] != first["activities.Activity"]


def test_generating_into_a_database_with_progress_is_refused_and_changes_nothing(db):
    ProgressEntryFactory()
    strategies = Strategy.objects.count()
    with pytest.raises(DatasetError, match="already holds progress entries"):
        generate(seed=1, targets=SMALL)
    assert Strategy.objects.count() == strategies
    assert ProgressEntry.objects.count() == 1


def test_command_refuses_production_settings_and_reaches_the_scaled_targets(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_dataset", "--scale", "0.001", verbosity=0)
    assert not ProgressEntry.objects.exists()

    call_command("generate_dataset", "--scale", "0.001", "--allow-production", verbosity=0)
    assert ProgressEntry.objects.count() == 1000
    assert RangeState.objects.count() == 20
    assert Strategy.objects.filter(slug="persian-leopard-2023-2032").exists()  # seeded first
    assert ProgressEntry.objects.filter(activity__strategy__slug="persian-leopard-2023-2032").exists()
    # Every approval left a history row and an event; nothing is dated after the dataset's today.
    approved = ProgressEntry.objects.approved()
    assert DomainEvent.objects.filter(kind=DomainEvent.Kind.PROGRESS_APPROVED).count() == approved.count()
    assert ProgressEntry.history.filter(history_change_reason="Approved").count() == approved.count()
    end = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    assert not ProgressEntry.history.filter(history_date__gte=end).exists()


def test_generated_dataset_pages_load_for_the_people_in_it(db, client):
    dataset = generate(seed=2, targets=SMALL)
    largest = Strategy.objects.get(pk=dataset.structure.largest.pk)
    assert client.get(reverse("activities:strategy-detail", args=[largest.slug])).status_code == 200
    matrix = client.get(reverse("reporting:matrix"), {"strategy": largest.slug})
    assert matrix.status_code == 200
    assert b"Synthetic" in matrix.content
    focal = get_user_model().objects.get(
        pk=dataset.structure.focal_points[dataset.structure.largest.states[0]][0]
    )
    client.force_login(focal)
    home = client.get(reverse("activities:home"))
    assert home.status_code == 200
    assert "2026 annual" in home.content.decode()
    client.force_login(get_user_model().objects.get(pk=dataset.structure.secretariat[0]))
    assert client.get(reverse("activities:review-queue")).status_code == 200
