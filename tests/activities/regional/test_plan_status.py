"""Each Range State's standing with its National Action Plans as of a date (Result 10.1): the statuses,
whether a plan is in force and whether it postdates the strategy's adoption, against expectations
worked out by hand from the plans' periods and years."""

import datetime

import pytest
from django.core.management import call_command

from activities.models import NationalActionPlan, PlanStatus, Strategy
from activities.plan_status import national_plan_standing
from tests.factories import (
    MeetingForReportsFactory,
    NationalActionPlanFactory,
    RangeStateFactory,
    SpeciesFactory,
    StrategyFactory,
)

S = PlanStatus


@pytest.fixture
def regional(db):
    """A strategy adopted at a meeting of 20-22 September 2022 (adoption year 2022) for a species, with
    seven Range States A-G, and plans concerning it (by its species or by implementing it)."""
    leopard = SpeciesFactory()
    strategy = StrategyFactory(
        adopted_at=MeetingForReportsFactory(
            start_date=datetime.date(2022, 9, 20), end_date=datetime.date(2022, 9, 22)
        )
    )
    strategy.species.add(leopard)
    states = {letter: RangeStateFactory(name=f"State {letter}") for letter in "ABCDEFG"}
    strategy.range_states.set(states.values())
    earlier = StrategyFactory()  # an earlier regional strategy that some plans implement

    def plan(letter, name, **kwargs):
        obj = NationalActionPlanFactory(
            range_state=states[letter], title=name, strategy=kwargs.pop("strategy", earlier), **kwargs
        )
        obj.species.add(leopard)
        return obj

    a1 = plan("A", "A1", period_start=2010, period_end=2020, year_developed=2008)
    plan("A", "A2", period_start=2020, period_end=2030, year_developed=2019, supersedes=a1)
    b1 = plan("B", "B1", period_start=2009, period_end=2014, year_developed=2008)
    plan("B", "B2", period_start=2022, period_end=2027, year_developed=2020, supersedes=b1)
    plan("C", "C1", period_start=2010, period_end=2014, year_developed=2010)
    plan("D", "D1", kind=NationalActionPlan.Kind.ROADMAP, strategy=None)
    plan("E", "E1", period_start=2023, period_end=2032, year_adopted=2023, strategy=strategy)
    g1 = plan("G", "G1", period_start=2020, period_end=2026, year_developed=2022)
    # a revision in preparation: recorded with its intended period, no year yet
    plan("G", "G2", period_start=2027, period_end=2036, supersedes=g1)
    # a plan of State A for another species and strategy does not concern this strategy
    NationalActionPlanFactory(range_state=states["A"], title="A-other", period_start=2020, period_end=2030)
    return strategy


def _statuses(as_of):
    plans = NationalActionPlan.objects.with_status(as_of=as_of)
    return {p.title: p.status for p in plans if not p.title.startswith("A-")}


def test_statuses_in_2025_follow_periods_and_successors(regional):
    assert _statuses(datetime.date(2025, 6, 1)) == {
        "A1": S.SUPERSEDED,  # A2's period started in 2020
        "A2": S.IN_FORCE,
        "B1": S.SUPERSEDED,  # B2's period started in 2022
        "B2": S.IN_FORCE,
        "C1": S.EXPIRED,  # ended 2014, no successor
        "D1": S.UNKNOWN,  # no period, no year
        "E1": S.IN_FORCE,
        "G1": S.BEING_REVISED,  # G2 recorded without a year, not started
        "G2": S.NOT_YET_IN_FORCE,  # starts 2027
    }


def test_statuses_in_2021_ignore_successors_not_yet_in_effect(regional):
    assert _statuses(datetime.date(2021, 1, 1)) == {
        "A1": S.SUPERSEDED,  # 2020 is the first year of A2
        "A2": S.IN_FORCE,
        "B1": S.EXPIRED,  # B2 was developed in 2020 but only starts in 2022
        "B2": S.NOT_YET_IN_FORCE,
        "C1": S.EXPIRED,
        "D1": S.UNKNOWN,
        "E1": S.NOT_YET_IN_FORCE,  # adopted 2023
        "G1": S.BEING_REVISED,
        "G2": S.NOT_YET_IN_FORCE,
    }


def test_a_plan_is_in_force_through_its_last_year_and_superseded_in_its_successors_first(regional):
    assert _statuses(datetime.date(2019, 12, 31))["A1"] == S.IN_FORCE
    assert _statuses(datetime.date(2020, 1, 1))["A1"] == S.SUPERSEDED
    assert _statuses(datetime.date(2014, 12, 31))["C1"] == S.IN_FORCE
    assert _statuses(datetime.date(2015, 1, 1))["C1"] == S.EXPIRED


def test_standing_per_range_state_in_2025(regional):
    rows = national_plan_standing(regional, as_of=datetime.date(2025, 6, 1))
    table = {
        row.range_state.name[-1]: (
            [p.title for p in row.plans],
            [p.title for p in row.plans_in_force],
            row.has_plan_in_force,
            row.postdates_adoption,
            row.implements_strategy,
        )
        for row in rows
    }
    assert table == {
        "A": (["A1", "A2"], ["A2"], True, False, False),  # A2 made 2019, before 2022
        "B": (["B1", "B2"], ["B2"], True, False, False),  # B2 made 2020
        "C": (["C1"], [], False, None, False),
        "D": (["D1"], [], None, None, False),  # the roadmap may be in force: its period is unknown
        "E": (["E1"], ["E1"], True, True, True),  # adopted 2023, implements the strategy
        "F": ([], [], False, None, False),
        "G": (["G1", "G2"], ["G1"], True, None, False),  # in force while revised; made in 2022 itself
    }
    assert [row.range_state.name for row in rows] == [f"State {c}" for c in "ABCDEFG"]


def test_standing_in_2021(regional):
    rows = {
        row.range_state.name[-1]: row
        for row in national_plan_standing(regional, as_of=datetime.date(2021, 1, 1))
    }
    assert [p.title for p in rows["B"].plans_in_force] == []
    assert rows["B"].has_plan_in_force is False
    assert rows["E"].has_plan_in_force is False


def test_standing_without_an_adopting_meeting_cannot_tell_whether_plans_postdate_it(regional):
    regional.adopted_at = None
    regional.save()
    rows = national_plan_standing(regional, as_of=datetime.date(2025, 6, 1))
    assert {row.postdates_adoption for row in rows} == {None}


@pytest.mark.parametrize("extra_states", [0, 10])
def test_standing_query_count_is_flat(regional, django_assert_num_queries, extra_states):
    for _ in range(extra_states):
        state = RangeStateFactory()
        regional.range_states.add(state)
        plan = NationalActionPlanFactory(range_state=state, period_start=2020, period_end=2030)
        plan.species.add(*regional.species.all())
    strategy = Strategy.objects.get(pk=regional.pk)
    # the adopting meeting; the strategy's newer versions (none), asked for the plans it concerns and
    # for "implements"; its Range States; the plans with their status
    with django_assert_num_queries(5):
        rows = national_plan_standing(strategy, as_of=datetime.date(2025, 6, 1))
    assert len(rows) == 7 + extra_states


# --- the seeded plans --------------------------------------------------------------------------


def test_seeded_standing_for_the_persian_leopard_strategy_in_2025(db):
    call_command("seed", verbosity=0)
    strategy = Strategy.objects.get(slug="persian-leopard-2023-2032")
    rows = {
        row.range_state.iso_code: row
        for row in national_plan_standing(strategy, as_of=datetime.date(2025, 6, 1))
    }
    assert len(rows) == 12
    # Armenia 2020-2030 (2019) and Azerbaijan 2022-2027 (2020) are in force but predate the Strategy's
    # endorsement in September 2022; Georgia's 2010-2014 plan has expired; Iran's roadmap has no dates.
    summary = {
        code: ([p.title for p in row.plans_in_force], row.has_plan_in_force, row.postdates_adoption)
        for code, row in rows.items()
        if row.plans
    }
    assert summary == {
        "AM": (["Armenia – National Action Plan 2020-2030"], True, False),
        "AZ": (["Azerbaijan – National Action Plan 2022-2027"], True, False),
        "GE": ([], False, None),
        "IR": ([], None, None),
    }
    assert {code for code, row in rows.items() if not row.plans} == {
        "AF", "IQ", "KZ", "PK", "RU", "TR", "TM", "UZ",
    }  # fmt: skip
    assert not any(row.implements_strategy for row in rows.values())


def test_seeded_standing_for_the_revised_caucasus_strategy_in_2025(db):
    call_command("seed", verbosity=0)
    strategy = Strategy.objects.get(slug="caucasus-leopard-2017")
    rows = {
        row.range_state.iso_code: row
        for row in national_plan_standing(strategy, as_of=datetime.date(2025, 6, 1))
    }
    summary = {
        code: (row.has_plan_in_force, row.postdates_adoption, row.implements_strategy)
        for code, row in rows.items()
    }
    # adopted at the April 2017 workshop: the 2019 and 2020 updates postdate it and implement it
    assert summary == {
        "AM": (True, True, True),
        "AZ": (True, True, True),
        "GE": (False, None, False),
        "IR": (None, None, False),
    }
    superseded = NationalActionPlan.objects.with_status(as_of=datetime.date(2025, 6, 1)).filter(
        status=S.SUPERSEDED
    )
    assert {p.slug for p in superseded} == {
        "armenia-national-action-plan-2010-2020",
        "azerbaijan-national-action-plan-2009-2014",
    }
