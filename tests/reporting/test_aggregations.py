"""Report numbers against hand computation on the world of conftest.py (see its docstring)."""

import datetime
from decimal import Decimal

import pytest

from activities import services
from activities.models import ProgressEntry
from reporting import reports as agg

from .conftest import S, record

D = datetime.date
NR = agg.NOT_REPORTED


def counts(row_values):
    """The status columns of a rollup row as a dict, zeros left out."""
    return {status: n for status, n in zip(agg.STATUS_ORDER, row_values, strict=True) if n}


def rows_by_code(table):
    return {row[1]: row for row in table.rows}


# --- dashboard ---------------------------------------------------------------------------------------------


def test_dashboard_counts_approved_cells_only_and_rolls_them_up(world):
    report = agg.strategy_dashboard(agg.Scope(world.strategy))
    rollup = rows_by_code(report.table("rollup"))
    # 4 activities × 3 states = 12 cells; approved state statuses: A1 Alpha completed, A1 Beta delayed,
    # A2 Gamma not applicable, A4 Alpha completed; A3's range-wide "in progress" stands for its three
    # states, which have none of their own. The draft, submitted and returned entries add nothing.
    total = report.page["total"]
    assert total.cells == 12
    assert counts(total.values()) == {
        S.COMPLETED: 2,
        S.IN_PROGRESS: 3,
        S.DELAYED: 1,
        S.NOT_APPLICABLE: 1,
        NR: 5,
    }
    assert total.completion == pytest.approx(2 / 11)  # not-applicable cells left out
    # Result 1.1 (A1, A2): 6 cells
    assert rollup["Result 1.1"][3:5] == [2, 6]
    assert counts(rollup["Result 1.1"][5:12]) == {S.COMPLETED: 1, S.DELAYED: 1, S.NOT_APPLICABLE: 1, NR: 3}
    assert rollup["Result 1.1"][12] == pytest.approx(1 / 5)
    # Result 1.2 (A3): its only entry is range-wide, and it stands for each state (no state reported)
    assert counts(rollup["Result 1.2"][5:12]) == {S.IN_PROGRESS: 3}
    assert rollup["Result 1.2"][12] == 0
    # Objective 1 and Theme 1 add up 1.1 and 1.2
    assert rollup["Objective 1"][3:5] == [3, 9]
    assert counts(rollup["Theme 1"][5:12]) == {
        S.COMPLETED: 1,
        S.IN_PROGRESS: 3,
        S.DELAYED: 1,
        S.NOT_APPLICABLE: 1,
        NR: 3,
    }
    assert rollup["Theme 1"][12] == pytest.approx(1 / 8)
    assert counts(rollup["Theme 2"][5:12]) == {S.COMPLETED: 1, NR: 2}
    # range-wide statuses are also listed apart: A3 in progress, three activities without one
    assert dict(report.table("rangewide").rows) == {
        S.COMPLETED: 0,
        S.IN_PROGRESS: 1,
        S.DELAYED: 0,
        S.NOT_STARTED: 0,
        S.CANCELLED: 0,
        S.NOT_APPLICABLE: 0,
        NR: 3,
    }


def test_dashboard_completion_by_priority(world):
    report = agg.strategy_dashboard(agg.Scope(world.strategy))
    rows = {row[0]: row for row in report.table("priority").rows}
    high, medium, low = rows["3 – high"], rows["2 – medium"], rows["1 – low"]
    assert high[1:3] == [2, 6] and counts(high[3:10]) == {S.COMPLETED: 2, S.DELAYED: 1, NR: 3}
    assert high[10] == pytest.approx(2 / 6)
    assert counts(medium[3:10]) == {S.NOT_APPLICABLE: 1, NR: 2} and medium[10] == 0
    assert counts(low[3:10]) == {S.IN_PROGRESS: 3}  # A3, by its range-wide status


def test_dashboard_as_of_a_date_uses_the_latest_approved_entry_up_to_it(world):
    report = agg.strategy_dashboard(agg.Scope(world.strategy, as_of=D(2024, 12, 31)))
    # A1 Alpha was in progress (2024-03-01); A4 Alpha completed (2023); nothing else yet
    assert counts(report.page["total"].values()) == {S.COMPLETED: 1, S.IN_PROGRESS: 1, NR: 10}


def test_dashboard_for_one_range_state(world):
    report = agg.strategy_dashboard(agg.Scope(world.strategy, range_state=world.alpha))
    total = report.page["total"]
    assert total.cells == 4
    # A1 and A4 completed; A3 in progress range-wide, Alpha having no status of its own; A2 not reported
    assert counts(total.values()) == {S.COMPLETED: 2, S.IN_PROGRESS: 1, NR: 1}


def test_dashboard_lists_what_changed_since_a_date(world):
    report = agg.strategy_dashboard(agg.Scope(world.strategy), since=D(2024, 12, 31))
    changes = {(row[0], row[2]): (row[3], row[5]) for row in report.table("changes").rows}
    assert changes == {
        ("1.1.1", "Alpha"): (S.IN_PROGRESS, S.COMPLETED),
        ("1.1.1", "Beta"): (NR, S.DELAYED),
        ("1.1.2", "Gamma"): (NR, S.NOT_APPLICABLE),
        ("1.2.1", "Range-wide"): (NR, S.IN_PROGRESS),
    }  # A4 Alpha (completed in 2023) did not change; A1 Gamma's draft is no change
    row = next(r for r in report.table("changes").rows if r[2] == "Alpha")
    assert row[4] == D(2024, 3, 1) and row[6] == D(2025, 3, 1)
    assert row[7] == "1.1.1 Alpha completed narrative"  # the entry behind the change


# --- matrix ------------------------------------------------------------------------------------------------


def test_matrix_cells_show_latest_approved_status_date_and_confidence(world):
    ProgressEntry.objects.filter(
        activity__code="1.1.1", range_state__name="Alpha", review_state=ProgressEntry.ReviewState.APPROVED
    ).update(confidence=ProgressEntry.Confidence.DOCUMENTED)
    report = agg.range_state_matrix(agg.Scope(world.strategy))
    rows = {row["activity"]["code"]: row["cells"] for row in report.page["rows"]}
    assert [s.name for s in report.page["states"]] == ["Alpha", "Beta", "Gamma"]
    assert rows["1.1.1"] == [
        {"status": S.COMPLETED, "date": D(2025, 3, 1), "confidence": "Confirmed by document"},
        {"status": S.DELAYED, "date": D(2025, 2, 1), "confidence": "Expert judgement"},
        {"status": NR, "date": None, "confidence": ""},  # the draft does not count
        {"status": NR, "date": None, "confidence": ""},
    ]
    # the range-wide column
    assert rows["1.2.1"][3] == {
        "status": S.IN_PROGRESS,
        "date": D(2025, 1, 15),
        "confidence": "Expert judgement",
    }
    assert [c["status"] for c in rows["1.1.2"]] == [
        NR,
        NR,
        S.NOT_APPLICABLE,
        NR,
    ]  # submitted/returned left out
    export = report.table("matrix")
    assert [c.label for c in export.columns[3:6]] == ["Alpha status", "Alpha reported on", "Alpha confidence"]
    assert export.rows[0][3:6] == [S.COMPLETED, D(2025, 3, 1), "Confirmed by document"]


def test_matrix_filters_by_priority_objective_and_metapopulation(world):
    report = agg.range_state_matrix(
        agg.Scope(world.strategy), priority=3, metapopulation=world.metapopulation
    )
    assert [row["activity"]["code"] for row in report.page["rows"]] == ["1.1.1", "2.1.1"]
    assert [s.name for s in report.page["states"]] == ["Alpha", "Beta"]
    objective2 = world.a4.result.objective
    report = agg.range_state_matrix(agg.Scope(world.strategy), objective=objective2)
    assert [row["activity"]["code"] for row in report.page["rows"]] == ["2.1.1"]


def test_matrix_as_of_a_date(world):
    report = agg.range_state_matrix(agg.Scope(world.strategy, as_of=D(2024, 12, 31)))
    rows = {row["activity"]["code"]: row["cells"] for row in report.page["rows"]}
    assert rows["1.1.1"][0] == {
        "status": S.IN_PROGRESS,
        "date": D(2024, 3, 1),
        "confidence": "Expert judgement",
    }
    assert rows["1.1.1"][1]["status"] == NR


# --- timeline ----------------------------------------------------------------------------------------------


def codes(table):
    return [row[0] for row in table.rows]


def test_timeline_behind_due_soon_and_recurring(world):
    report = agg.timeline_report(agg.Scope(world.strategy, as_of=D(2025, 12, 31)))  # the year checked: 2025
    assert codes(report.table("behind")) == ["1.1.1"]  # due 2024, completed in 1 of 3 states
    assert report.table("behind").rows[0][5:7] == [1, 3]
    due = {row[0]: row for row in report.table("due").rows}
    assert set(due) == {"1.1.2", "1.2.1"}
    assert due["1.1.2"][5] == 1 and due["1.1.2"][8] == "No"  # Gamma: not applicable counts as done
    # A4: every three years, last completed report 2023-06-01 → next due by 2026
    assert report.table("recurring").rows == [
        ["2.1.1", world.a4.text, "Every three years", 3, D(2023, 6, 1), 2026, "On schedule"]
    ]


def test_timeline_recurring_activity_falls_behind_and_drafts_do_not_reset_it(world):
    # In 2027 the report due by 2026 is missing: A4 Beta's 2026 "completed" is a draft.
    report = agg.timeline_report(agg.Scope(world.strategy, as_of=D(2027, 1, 1)))
    assert report.table("recurring").rows[0][4:] == [D(2023, 6, 1), 2026, "Behind the plan's timeline"]
    assert codes(report.table("behind")) == ["1.1.1", "1.1.2", "1.2.1"]


def test_timeline_range_wide_completion_completes_an_activity(world):
    record(
        (world.reporter, world.reviewer),
        activity=world.a3,
        state=None,
        date=D(2025, 9, 1),
        status=S.COMPLETED,
    )
    report = agg.timeline_report(agg.Scope(world.strategy, as_of=D(2025, 12, 31)))
    due = {row[0]: row for row in report.table("due").rows}
    assert due["1.2.1"][8] == "Yes"


# --- budget ------------------------------------------------------------------------------------------------


def test_budget_keeps_tbd_apart_and_multiplies_per_country_costs(world):
    report = agg.budget_overview(agg.Scope(world.strategy))
    rollup = {row[1] or row[0]: row for row in report.table("rollup").rows}
    # columns: level, code, title, activities, with amount, TBD, N/A, whole, per country × 3, estimate, spent
    assert rollup["Total"][3:] == [4, 2, 1, 1, Decimal(50000), Decimal(30000), Decimal(80000), Decimal(29000)]
    assert rollup["Result 1.1"][3:] == [2, 1, 1, 0, 0, Decimal(30000), Decimal(30000), Decimal(9000)]
    assert rollup["Theme 2"][3:7] == [1, 0, 0, 1]
    per_activity = {row[0]: row for row in report.table("activities").rows}
    assert per_activity["1.1.2"][6] is None  # TBD: no estimate, never zero
    # A1: 10,000 per country × 3; spent = latest approved entries only: Alpha 8,000 (not also the 2024
    # entry's 5,000) + Beta 1,000; the draft's 99,999 is left out
    assert per_activity["1.1.1"][4:9] == [Decimal(10000), "Yes", Decimal(30000), Decimal(9000), 2]
    assert any("multiplied by the number of Range States in scope (3" in note for note in report.notes)


def test_budget_for_one_range_state_counts_per_country_costs_once(world):
    report = agg.budget_overview(agg.Scope(world.strategy, range_state=world.alpha))
    total = report.table("rollup").rows[-1]
    assert total[7:] == [Decimal(50000), Decimal(10000), Decimal(60000), Decimal(8000)]


# --- POW, actors -------------------------------------------------------------------------------------------


def test_pow_crosswalk_lists_measures_with_their_activities_and_status(world):
    report = agg.pow_crosswalk(agg.Scope(world.strategy))
    measures = {m["code"]: m for m in report.page["measures"]}
    assert [a["code"] for a in measures["98.1"]["activities"]] == ["1.1.1", "1.2.1"]
    a1 = measures["98.1"]["activities"][0]["counts"]
    assert counts(a1.values()) == {S.COMPLETED: 1, S.DELAYED: 1, NR: 1}
    assert counts(measures["98.1"]["activities"][1]["counts"].values()) == {S.IN_PROGRESS: 3}  # range-wide
    assert [a["code"] for a in measures["98.2"]["activities"]] == ["2.1.1"]


def test_actor_view_counts_each_activity_once_per_actor_type(world):
    report = agg.actor_progress(agg.Scope(world.strategy))
    by_type = {row[0]: row for row in report.table("categories").rows}
    government = by_type["Government"]
    # A1 (two government actors, counted once), A2, A4: 3 activities, 9 cells
    assert government[1:3] == [3, 9]
    assert counts(government[3:10]) == {S.COMPLETED: 2, S.DELAYED: 1, S.NOT_APPLICABLE: 1, NR: 5}
    assert government[10] == pytest.approx(2 / 8)
    assert by_type["Civil society"][1:3] == [1, 3]
    by_actor = {row[0]: row for row in report.table("actors").rows}
    assert by_actor["Ministry (test)"][2:4] == [2, 6]


# --- national report ---------------------------------------------------------------------------------------


def test_national_report_lists_due_activities_with_the_rule_for_each_status(world):
    report = agg.national_report(agg.Scope(world.strategy, range_state=world.alpha), world.round)
    rows = {row[0]: row for row in report.table("national").rows}
    # due in 2025: A1 (due 2024), A2 (due 2025), A4 (recurring); A3 is due in 2026
    assert list(rows) == ["1.1.1", "1.1.2", "2.1.1"]
    assert rows["1.1.1"][4:7] == [S.COMPLETED, D(2025, 3, 1), "Reported in this round"]
    assert rows["1.1.2"][4:7] == [NR, None, "Not reported"]  # only a submitted entry: not approved
    assert rows["2.1.1"][4:7] == [S.COMPLETED, D(2023, 6, 1), "Carried forward"]
    assert rows["1.1.1"][7] == "1.1.1 Alpha completed narrative"
    assert (
        rows["1.1.1"][11] == "Survey report <https://example.org/survey.pdf>"
    )  # the restricted link is left out
    flat = repr(report.tables)
    assert "Den site" not in flat and "dens" not in flat
    assert dict(report.table("summary").rows)[S.COMPLETED] == 2


# --- snapshots ---------------------------------------------------------------------------------------------


def test_snapshot_compared_with_today_and_with_a_later_snapshot(world):
    users = (world.reporter, world.reviewer)
    first = services.meeting_snapshot_take(
        user=world.reviewer, meeting=world.meeting, strategy=world.strategy
    )
    record(users, activity=world.a2, state=world.beta, date=D(2026, 2, 1), status=S.COMPLETED)
    record(
        users, activity=world.a1, state=world.alpha, date=D(2024, 1, 1), status=S.CANCELLED
    )  # older: no change
    second = services.meeting_snapshot_take(
        user=world.reviewer, meeting=world.meeting, strategy=world.strategy
    )
    record(users, activity=world.a1, state=world.beta, date=D(2026, 3, 1), status=S.COMPLETED)

    report = agg.snapshot_comparison(agg.Scope(world.strategy), first, second)
    assert [(r[0], r[2], r[3], r[5]) for r in report.table("changes").rows] == [
        ("1.1.2", "Beta", NR, S.COMPLETED)
    ]
    report = agg.snapshot_comparison(agg.Scope(world.strategy), first, None)  # with today
    assert [(r[0], r[2], r[3], r[5]) for r in report.table("changes").rows] == [
        ("1.1.1", "Beta", S.DELAYED, S.COMPLETED),
        ("1.1.2", "Beta", NR, S.COMPLETED),
    ]
    assert report.page["changed_activities"] == 2
    report = agg.snapshot_comparison(agg.Scope(world.strategy, range_state=world.alpha), first, None)
    assert report.table("changes").rows == []


# --- reporting rate ----------------------------------------------------------------------------------------


def test_reporting_rate_counts_approved_entries_of_due_activities_on_time_and_late(world):
    report = agg.reporting_rate(agg.Scope(world.strategy))
    rows = {row[2]: row for row in report.table("rates").rows}
    # due: A1, A2, A4 = 3. Alpha: A1 approved, first submitted on the deadline day; A2 only submitted.
    assert rows["Alpha"][3:8] == [3, 1, 1, 0, 2]
    assert rows["Beta"][3:8] == [
        3,
        1,
        0,
        1,
        2,
    ]  # submitted after the deadline; the returned A2 does not count
    assert rows["Gamma"][3:8] == [3, 1, 1, 0, 2]  # the A1 draft does not count
    assert rows["Alpha"][8] == pytest.approx(1 / 3)
    assert rows["Beta"][9] == 0
