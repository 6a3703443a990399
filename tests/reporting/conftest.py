"""A small strategy whose report numbers are computed by hand in the tests.

Three Range States (Alpha, Beta, Gamma), four activities:

    Theme 1 / Objective 1 / Result 1.1: A1 (priority 3, due 2024, USD 10,000 per country)
                                         A2 (priority 2, due 2025, cost TBD)
                           Result 1.2:  A3 (priority 1, due 2026, USD 50,000 for the whole strategy)
    Theme 2 / Objective 2 / Result 2.1: A4 (priority 3, every three years from 2023, cost N/A)

Progress goes through the real services (create → submit → approve), so ActivityStateStatus is what the
app maintains. Approved entries (what counts):

    A1 Alpha  2024-03-01 in progress (spent 5,000)  then 2025-03-01 completed (spent 8,000, round 2025)
    A1 Beta   2025-02-01 delayed (spent 1,000, round 2025, first submitted after the deadline)
    A2 Gamma  2025-06-01 not applicable (round 2025)
    A3 range-wide 2025-01-15 in progress (spent 20,000)
    A4 Alpha  2023-06-01 completed

Entries that must not count: A1 Gamma completed (draft, spent 99,999), A2 Alpha completed (submitted),
A2 Beta completed (returned), A4 Beta 2026-01-10 completed (draft).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from activities import services
from activities.models import Activity, ProgressEntry
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    MeetingForReportsFactory,
    MetapopulationForReportsFactory,
    ObjectiveFactory,
    RangeStateFactory,
    ReportingRoundForReportsFactory,
    ResultFactory,
    StaffUserFactory,
    StrategyFactory,
    ThemeFactory,
    WorkProgrammeMeasureFactory,
)

S = ProgressEntry.Status
D = datetime.date


@dataclass
class World:
    strategy: object
    alpha: object
    beta: object
    gamma: object
    a1: object
    a2: object
    a3: object
    a4: object
    round: object
    reporter: object
    reviewer: object
    meeting: object
    metapopulation: object
    entries: dict


def record(
    world_or_users, *, activity, state, date, status, review="approved", spent=None, round=None, evidence=()
):
    """A progress entry taken as far through the workflow as `review` says, by the services."""
    reporter, reviewer = world_or_users
    entry = services.progress_entry_create(
        user=reporter,
        activity=activity,
        range_state=state,
        reporting_date=date,
        status=status,
        narrative=f"{activity.code} {state or 'range-wide'} {status} narrative",
        source="Field report",
        restricted_details="Den site at 39.1N 45.2E",
        amount_spent_usd=spent,
        reporting_round=round,
    )
    for title, url, restricted in evidence:
        services.evidence_add(user=reporter, entry=entry, title=title, url=url, restricted=restricted)
    if review == "draft":
        return entry
    entry = services.progress_entry_submit(user=reporter, entry=entry)
    if review == "submitted":
        return entry
    if review == "returned":
        return services.progress_entry_return(user=reviewer, entry=entry, comment="Attach the report.")
    return services.progress_entry_approve(user=reviewer, entry=entry)


def _submitted_on(entry, day):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    ProgressEntry.objects.filter(pk=entry.pk).update(first_submitted_at=moment)


@pytest.fixture
def world(db):
    strategy = StrategyFactory(slug="test-leopard", title="Test Leopard Strategy", short_name="Test Leopard")
    alpha = RangeStateFactory(iso_code="QA", name="Alpha")
    beta = RangeStateFactory(iso_code="QB", name="Beta")
    gamma = RangeStateFactory(iso_code="QC", name="Gamma")
    strategy.range_states.set([alpha, beta, gamma])
    theme1 = ThemeFactory(strategy=strategy, number=1, title="Knowledge")
    theme2 = ThemeFactory(strategy=strategy, number=2, title="Habitats")
    o1 = ObjectiveFactory(strategy=strategy, theme=theme1, number=1, text="Know the leopard.")
    o2 = ObjectiveFactory(strategy=strategy, theme=theme2, number=2, text="Keep its habitats.")
    r11 = ResultFactory(objective=o1, code="1.1", text="Surveys done.")
    r12 = ResultFactory(objective=o1, code="1.2", text="Database built.")
    r21 = ResultFactory(objective=o2, code="2.1", text="Corridors kept.")
    amount, tbd, na = Activity.CostKind.AMOUNT, Activity.CostKind.TBD, Activity.CostKind.NOT_APPLICABLE
    a1 = ActivityFactory(
        result=r11,
        code="1.1.1",
        priority=3,
        due_year=2024,
        timeline_text="2024",
        cost_text="10,000 per country",
        cost_kind=amount,
        cost_usd=Decimal(10000),
        cost_per_country=True,
    )
    a2 = ActivityFactory(result=r11, code="1.1.2", priority=2, due_year=2025, cost_text="TBD", cost_kind=tbd)
    a3 = ActivityFactory(
        result=r12,
        code="1.2.1",
        priority=1,
        due_year=2026,
        timeline_text="2026",
        cost_text="50,000",
        cost_kind=amount,
        cost_usd=Decimal(50000),
    )
    a4 = ActivityFactory(
        result=r21,
        code="2.1.1",
        priority=3,
        due_year=None,
        start_year=2023,
        timeline_text="Every three years",
        timeline_kind=Activity.TimelineKind.RECURRING,
        recurrence_years=3,
        cost_text="N/A",
        cost_kind=na,
    )
    government, ngo = (
        ActorFactory(slug="gos-t", name="GOs (test)", category="government"),
        ActorFactory(slug="ngos-t", name="NGOs (test)", category="civil_society"),
    )
    ministry = ActorFactory(slug="ministry-t", name="Ministry (test)", category="government")
    a1.actors.set([government, ministry, ngo])  # two government actors: the category counts A1 once
    a2.actors.set([government])
    a4.actors.set([ministry])
    m1, m2 = WorkProgrammeMeasureFactory(code="98.1"), WorkProgrammeMeasureFactory(code="98.2")
    a1.cami_pow_measures.set([m1])
    a3.cami_pow_measures.set([m1])
    a4.cami_pow_measures.set([m2])
    metapopulation = MetapopulationForReportsFactory(
        strategy=strategy, number=1, name="North", range_states=[alpha, beta]
    )

    reporter = StaffUserFactory(username="reporter")
    reviewer = StaffUserFactory(username="reviewer")
    users = (reporter, reviewer)
    rnd = ReportingRoundForReportsFactory(strategy=strategy, name="2025 annual")
    e = {}
    e["a1_alpha_2024"] = record(
        users, activity=a1, state=alpha, date=D(2024, 3, 1), status=S.IN_PROGRESS, spent=5000
    )
    e["a1_alpha"] = record(
        users,
        activity=a1,
        state=alpha,
        date=D(2025, 3, 1),
        status=S.COMPLETED,
        spent=8000,
        round=rnd,
        evidence=[
            ("Survey report", "https://example.org/survey.pdf", False),
            ("Den map", "https://example.org/dens", True),
        ],
    )
    e["a1_beta"] = record(
        users, activity=a1, state=beta, date=D(2025, 2, 1), status=S.DELAYED, spent=1000, round=rnd
    )
    e["a2_gamma"] = record(
        users, activity=a2, state=gamma, date=D(2025, 6, 1), status=S.NOT_APPLICABLE, round=rnd
    )
    e["a3_wide"] = record(
        users, activity=a3, state=None, date=D(2025, 1, 15), status=S.IN_PROGRESS, spent=20000
    )
    e["a4_alpha"] = record(users, activity=a4, state=alpha, date=D(2023, 6, 1), status=S.COMPLETED)
    # must not count
    e["a1_gamma_draft"] = record(
        users,
        activity=a1,
        state=gamma,
        date=D(2025, 4, 1),
        status=S.COMPLETED,
        review="draft",
        spent=99999,
        round=rnd,
    )
    e["a2_alpha_submitted"] = record(
        users, activity=a2, state=alpha, date=D(2025, 5, 1), status=S.COMPLETED, review="submitted", round=rnd
    )
    e["a2_beta_returned"] = record(
        users, activity=a2, state=beta, date=D(2025, 5, 1), status=S.COMPLETED, review="returned", round=rnd
    )
    e["a4_beta_draft"] = record(
        users, activity=a4, state=beta, date=D(2026, 1, 10), status=S.COMPLETED, review="draft"
    )
    _submitted_on(e["a1_alpha"], D(2025, 6, 30))  # on the deadline day: on time
    _submitted_on(e["a1_beta"], D(2025, 7, 5))  # late
    _submitted_on(e["a2_gamma"], D(2025, 6, 1))
    return World(
        strategy,
        alpha,
        beta,
        gamma,
        a1,
        a2,
        a3,
        a4,
        rnd,
        reporter,
        reviewer,
        MeetingForReportsFactory(),
        metapopulation,
        e,
    )
