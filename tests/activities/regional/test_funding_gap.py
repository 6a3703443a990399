"""Committed funding beside the estimated cost, and the funding gap, by objective and by Range State
(Activity 12.2.1), against figures worked out by hand; TBD costs are kept apart, never counted as zero."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from activities.funding_gap import funding_gap
from activities.models import Activity, GrantActivity, Strategy
from tests.factories import (
    ActivityFactory,
    GrantActivityFactory,
    GrantFactory,
    ObjectiveFactory,
    RangeStateFactory,
    ResultFactory,
    StrategyFactory,
)

D = Decimal


def _activity(objective, cost_text, **kwargs):
    activity = ActivityFactory.build(result=ResultFactory(objective=objective), cost_text=cost_text, **kwargs)
    activity.full_clean(
        exclude=["strategy"]
    )  # derives cost_kind, cost_usd and cost_per_country from the text
    activity.save()
    return activity


@pytest.fixture
def budget(db):
    """Strategy with Range States X and Y. Objective 1: a1 10,000 (whole strategy), a2 5,000 per country,
    a3 TBD. Objective 2: a4 2,000, a5 N/A. Grant lines:
      g1: a1 in X 4,000 (a whole-strategy cost: the range-wide cell); a2 in X 5,000; a2 in Y 1,000;
          a3 in X 3,000 (no estimate to meet);
      g2: a4 range-wide 2,500 (500 beyond its estimate); a1 range-wide without an amount."""
    strategy = StrategyFactory()
    x, y = RangeStateFactory(name="X"), RangeStateFactory(name="Y")
    strategy.range_states.set([x, y])
    o1, o2 = ObjectiveFactory(strategy=strategy, number=1), ObjectiveFactory(strategy=strategy, number=2)
    a = {
        "a1": _activity(o1, "10,000"),
        "a2": _activity(o1, "5,000 per country"),
        "a3": _activity(o1, "TBD"),
        "a4": _activity(o2, "2,000"),
        "a5": _activity(o2, "N/A"),
    }
    assert a["a2"].cost_per_country and a["a5"].cost_kind == Activity.CostKind.NOT_APPLICABLE
    g1, g2 = GrantFactory(), GrantFactory()
    for grant, activity, state, amount in [
        (g1, "a1", x, "4000"),
        (g1, "a2", x, "5000"),
        (g1, "a2", y, "1000"),
        (g1, "a3", x, "3000"),
        (g2, "a4", None, "2500"),
        (g2, "a1", None, None),
    ]:
        line = GrantActivity(
            grant=grant, activity=a[activity], range_state=state, amount_usd=amount and D(amount)
        )
        line.full_clean()
        line.save()
    return SimpleNamespace(strategy=strategy, a=a, x=x, y=y, g1=g1, g2=g2)


def _figures(row):
    return (
        row.cells,
        row.tbd,
        row.not_applicable,
        row.estimated_usd,
        row.committed_usd,
        row.committed_without_estimate_usd,
        row.gap_usd,
        row.beyond_estimate_usd,
        row.lines_without_amount,
    )


def test_funding_gap_by_objective(budget):
    strategy = budget.strategy
    gap = funding_gap(strategy)
    assert [row.objective.number for row in gap.by_objective] == [1, 2]
    # cells, TBD, N/A, estimated, committed, committed without estimate, gap, beyond, lines without amount
    assert _figures(gap.by_objective[0]) == (3, 1, 0, D(20000), D(10000), D(3000), D(10000), D(0), 1)
    assert _figures(gap.by_objective[1]) == (1, 0, 1, D(2000), D(2500), D(0), D(0), D(500), 0)
    assert _figures(gap.total) == (4, 1, 1, D(22000), D(12500), D(3000), D(10000), D(500), 1)


def test_funding_gap_by_range_state(budget):
    strategy, x = budget.strategy, budget.x
    gap = funding_gap(strategy)
    labels = [row.range_state.name if row.range_state else "range-wide" for row in gap.by_range_state]
    assert labels == ["X", "Y", "range-wide"]
    x, y, range_wide = (_figures(row) for row in gap.by_range_state)
    # a2's 5,000 in X is met in full; X also got 3,000 for the TBD a3, which meets no estimate
    assert x == (1, None, None, D(5000), D(5000), D(3000), D(0), D(0), 0)
    assert y == (1, None, None, D(5000), D(1000), D(0), D(4000), D(0), 0)
    # a1 (10,000, 4,000 committed though the grant names X) and a4 (2,000, 2,500 committed)
    assert range_wide == (2, None, None, D(12000), D(6500), D(0), D(6000), D(500), 1)


def test_both_tables_add_up_to_the_same_totals(budget):
    strategy = budget.strategy
    gap = funding_gap(strategy)
    for name in (
        "estimated_usd",
        "committed_usd",
        "committed_without_estimate_usd",
        "gap_usd",
        "beyond_estimate_usd",
    ):
        assert sum(getattr(r, name) for r in gap.by_range_state) == getattr(gap.total, name), name
    for row in [*gap.by_objective, *gap.by_range_state, gap.total]:
        assert row.gap_usd == row.estimated_usd - row.committed_usd + row.beyond_estimate_usd


def test_tbd_costs_are_never_counted_as_zero(budget):
    strategy = budget.strategy
    gap = funding_gap(strategy)
    # a3 (TBD) has 3,000 committed: if TBD were zero, that would be 3,000 beyond an estimate of 0
    assert gap.total.beyond_estimate_usd == D(500)
    assert gap.total.tbd == 1
    assert gap.total.committed_without_estimate_usd == D(3000)


def test_a_line_the_model_would_refuse_is_counted_as_unplaced_not_dropped(budget):
    strategy, a, g2 = budget.strategy, budget.a, budget.g2
    # written past clean(): a per-country cost funded without saying in which Range State
    GrantActivity.objects.create(grant=g2, activity=a["a2"], range_state=None, amount_usd=D(700))
    gap = funding_gap(strategy)
    assert (gap.unplaced_lines, gap.unplaced_usd) == (1, D(700))
    assert gap.total.committed_usd == D(12500)


def test_grant_lines_for_another_strategy_do_not_count(budget):
    strategy = budget.strategy
    other = ActivityFactory(cost_text="1,000", cost_kind=Activity.CostKind.AMOUNT, cost_usd=D(1000))
    GrantActivityFactory(activity=other, amount_usd=D(900))
    assert funding_gap(strategy).total.committed_usd == D(12500)
    assert funding_gap(other.strategy).total.committed_usd == D(900)


def test_a_grant_line_must_name_a_range_state_for_a_per_country_cost(budget):
    a, g2 = budget.a, budget.g2
    line = GrantActivity(grant=g2, activity=a["a2"], amount_usd=D(100))
    with pytest.raises(ValidationError) as excinfo:
        line.full_clean()
    assert "given per country" in str(excinfo.value.message_dict["range_state"])


def test_a_grant_line_must_name_a_range_state_of_the_activitys_strategy(budget):
    a, g2 = budget.a, budget.g2
    line = GrantActivity(
        grant=g2, activity=a["a4"], range_state=RangeStateFactory(name="Elsewhere"), amount_usd=D(1)
    )
    with pytest.raises(ValidationError) as excinfo:
        line.full_clean()
    assert "is not a Range State of" in str(excinfo.value.message_dict["range_state"])


def test_a_grant_line_is_unique_per_activity_and_state(budget):
    a, x, g1 = budget.a, budget.x, budget.g1
    line = GrantActivity(grant=g1, activity=a["a2"], range_state=x, amount_usd=D(1))
    with pytest.raises(ValidationError):
        line.full_clean()


@pytest.mark.parametrize("more", [0, 12])
def test_funding_gap_query_count_is_flat(budget, django_assert_num_queries, more):
    strategy, a, g1 = budget.strategy, budget.a, budget.g1
    for n in range(more):
        activity = _activity(a["a1"].result.objective, f"{n + 1},000")
        GrantActivityFactory(grant=g1, activity=activity, amount_usd=D(n))
    strategy = Strategy.objects.get(pk=strategy.pk)
    # objectives, Range States, activities' costs, grant lines
    with django_assert_num_queries(4):
        gap = funding_gap(strategy)
    assert gap.total.cells == 4 + more
