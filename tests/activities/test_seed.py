"""The seeded strategies are faithful to the source documents: counts, every field of every activity
against the source text, and the cross-references between them.

These tests only read the seed, so it is loaded once for the module: each test still runs in its
own transaction, rolled back to the seeded state afterwards."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from activities.models import (
    Activity,
    CrossReference,
    NationalActionPlan,
    Objective,
    Result,
    Strategy,
)
from tests.activities.pl_source import read_table

PL = "persian-leopard-2023-2032"
CAUCASUS = "caucasus-leopard-2017"


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    # Loaded inside a transaction that is rolled back when the module is done, so that no other
    # module sees the seed; each test's own transaction is a savepoint within it.
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    """The seed, as loaded once for this module (it overrides the per-test fixture of conftest.py)."""


# --- counts ----------------------------------------------------------------------------------------


def test_persian_leopard_counts_match_the_source_table(seeded):
    source = read_table()
    strategy = Strategy.objects.get(slug=PL)
    assert strategy.themes.count() == len(source.themes) == 4
    assert strategy.objectives.count() == len(source.objectives) == 11
    assert strategy.results.count() == len(source.results) == 31
    assert strategy.activities.count() == len(source.activities) == 91


def test_numbering_gaps_are_kept_not_renumbered(seeded):
    strategy = Strategy.objects.get(slug=PL)
    assert list(strategy.objectives.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
    assert list(
        Result.objects.filter(objective__strategy=strategy, objective__number=9).values_list(
            "code", flat=True
        )
    ) == [
        "9.1",
        "9.2",
        "9.4",
    ]


def test_caucasus_strategy_records_what_is_known_and_declares_what_is_missing(seeded):
    strategy = Strategy.objects.get(slug=CAUCASUS)
    assert strategy.version == "Revised Version 2017"
    assert strategy.vision.startswith("Leopards and all wildlife prosper")
    assert strategy.themes.count() == 4
    assert list(strategy.objectives.values_list("number", flat=True)) == list(range(1, 11))
    # The slides do not say which objective is under which theme: nothing is guessed.
    assert not strategy.objectives.filter(theme__isnull=False).exists()
    assert strategy.results.count() == 0 and strategy.activities.count() == 0
    assert (strategy.declared_result_count, strategy.declared_activity_count) == (29, 76)
    assert strategy.adopted_at.place == "Tbilisi, Georgia"
    assert str(strategy.adopted_at.start_date) == "2017-04-25"


def test_caucasus_national_action_plans_are_those_in_the_slides(seeded):
    # The three plans "developed" under the 2007 heading implement the 2007 Strategy, the two "updated"
    # ones the Revised Version 2017; the slides do not say which strategy Iran's roadmap implements.
    plans = NationalActionPlan.objects.filter(range_state__iso_code__in=["AM", "AZ", "GE", "IR"])
    rows = {
        (
            p.range_state.iso_code,
            p.period_start,
            p.period_end,
            p.year_developed,
            p.kind,
            p.strategy and p.strategy.slug,
        )
        for p in plans
    }
    assert rows == {
        ("AM", 2010, 2020, 2008, "nap", "caucasus-leopard-2007"),
        ("AZ", 2009, 2014, 2008, "nap", "caucasus-leopard-2007"),
        ("GE", 2010, 2014, 2010, "nap", "caucasus-leopard-2007"),
        ("IR", None, None, None, "roadmap", None),
        ("AM", 2020, 2030, 2019, "nap", CAUCASUS),
        ("AZ", 2022, 2027, 2020, "nap", CAUCASUS),
    }


def test_persian_leopard_header_fields(seeded):
    strategy = Strategy.objects.get(slug=PL)
    assert (strategy.period_start, strategy.period_end) == (2023, 2032)
    assert strategy.document_symbol == "UNEP/CMS/PL-RS1/Outcome"
    assert strategy.adopted_at.name == "First Range State Meeting for the Persian Leopard"
    assert (str(strategy.adopted_at.start_date), str(strategy.adopted_at.end_date)) == (
        "2022-09-20",
        "2022-09-22",
    )
    assert strategy.vision.startswith(
        "Viable populations of Persian Leopard range across transboundary landscapes"
    )
    assert set(strategy.range_states.values_list("iso_code", flat=True)) == {
        "AF", "AM", "AZ", "GE", "IR", "IQ", "KZ", "PK", "RU", "TR", "TM", "UZ",
    }  # fmt: skip
    assert [f["number"] for f in strategy.footnotes] == list(range(1, 14))
    assert {
        "abbreviation": "METT",
        "full_title": "Management Effectiveness Tracking Tool",
    } in strategy.abbreviations


def test_figure_1_metapopulations(seeded):
    strategy = Strategy.objects.get(slug=PL)
    members = {
        m.name: set(m.range_states.values_list("iso_code", flat=True)) for m in strategy.metapopulations.all()
    }
    assert members == {
        "Caucasus": {"AM", "AZ", "GE", "IR", "RU", "TR"},
        "Alborz-Kopet Dagh": {"IR", "KZ", "TM", "UZ"},
        "Zagros": {"IR", "IQ", "TR"},
        "eastern range": {"AF", "PK", "TJ", "UZ"},
    }
    # Figure 1 names Tajikistan; the Introduction's list of Range States does not.
    assert not strategy.range_states.filter(iso_code="TJ").exists()


# --- every field of every activity, against the source text --------------------------------------


def _careful_reading(source_rows):
    """The source rows as a careful reader resolves them: merged actor cells continue the row above, the
    two rows shifted one column right (a non-empty ninth cell) are read one column to the left, and a
    priority cell that holds a POW code is read as that row's POW reference."""
    previous_actors = None
    for row in source_rows:
        cells = row.cells
        if any(row.extra_cells):
            assert cells[0] == "", f"{row.code}: a shifted row starts with an empty cell"
            cells = [*cells[1:], *row.extra_cells]
        actors, indicator, timeline, cost, pow_text, priority = cells
        continued = actors == ""
        actors = previous_actors if continued else actors
        previous_actors = actors
        if priority not in ("1", "2", "3") and pow_text == "" and "." in priority:
            pow_text, priority = priority, ""
        yield (
            row,
            {
                "actors_text": actors,
                "actors_continued": continued,
                "indicator": indicator,
                "timeline_text": timeline,
                "cost_text": cost,
                "cami_pow_text": pow_text,
                "priority": int(priority) if priority else None,
            },
        )


def test_every_activity_field_matches_the_source(seeded):
    activities = {a.code: a for a in Activity.objects.filter(strategy__slug=PL).select_related("result")}
    source = read_table()
    for row, expected in _careful_reading(source.activities):
        activity = activities[row.code]
        assert activity.text == row.text, row.code
        assert activity.result.code == row.result_code, row.code
        for field, value in expected.items():
            assert getattr(activity, field) == value, f"Activity {row.code}: {field}"


def test_theme_objective_and_result_texts_match_the_source(seeded):
    source = read_table()
    strategy = Strategy.objects.get(slug=PL)
    assert {t.number: t.title for t in strategy.themes.all()} == source.themes
    assert {o.number: o.text for o in strategy.objectives.all()} == source.objectives
    assert {r.code: r.text for r in strategy.results.all()} == source.results


# (code, priority, timeline, kind, start, due, every, cost, usd, per country, cost kind)
SAMPLE = [
    ("1.1.1.a", 3, "2025", "year", None, 2025, None, "10,000 per country", Decimal(10_000), True, "amount"),
    ("1.1.3", 2, "2028", "year", None, 2028, None, "TBD by organisations", None, False, "tbd"),
    ("4.1.2", 2, "2027", "year", None, 2027, None, "TBD for each rescue centre", None, False, "tbd"),
    ("4.1.3", 2, "2023-24", "span", 2023, 2024, None, "20,000", Decimal(20_000), False, "amount"),
    (
        "4.3.1",
        1,
        "2023 (drafted) 2025 (endorsed)",
        "milestones",
        2023,
        2025,
        None,
        "N/A",
        None,
        False,
        "not_applicable",
    ),
    ("5.2.2", 2, "2028", "year", None, 2028, None, "TBD (state-dependent)", None, False, "tbd"),
    ("5.3.1", 3, "2025", "year", None, 2025, None, "50.000", Decimal(50_000), False, "amount"),
    ("5.4.2", 2, "2026-2027", "span", 2026, 2027, None, "250,000", Decimal(250_000), False, "amount"),
    ("8.1.2", 2, "2031", "year", None, 2031, None, "20 M", Decimal(20_000_000), False, "amount"),
    ("8.1.3", 2, "2031", "year", None, 2031, None, "2.25 M", Decimal(2_250_000), False, "amount"),
    ("9.2.3", 2, "Regularly", "recurring", None, None, None, "TBD", None, False, "tbd"),
    ("10.1.1", 2, "2026", "year", None, 2026, None, "25,000 per country", Decimal(25_000), True, "amount"),
    ("10.2.1", 2, "Every five years", "recurring", None, None, 5, "TBD", None, False, "tbd"),
    ("11.1.4", 2, "Every three years", "recurring", None, None, 3, "TBD", None, False, "tbd"),
    ("3.5.1", 2, "Every 6 years", "recurring", None, None, 6, "TBD", None, False, "tbd"),
    ("11.2.2", 1, "ASAP", "asap", None, None, None, "TBD", None, False, "tbd"),
    ("11.3.2", 2, "2024-2027", "span", 2024, 2027, None, "TBD", None, False, "tbd"),
    ("12.2.1", 2, "TBD", "tbd", None, None, None, "10,000", Decimal(10_000), False, "amount"),
    ("7.1.1.b", 2, "2025", "year", None, 2025, None, "50,000", Decimal(50_000), False, "amount"),
    ("7.1.2", 2, "2025", "year", None, 2025, None, "50,000", Decimal(50_000), False, "amount"),
    ("3.2.2", None, "2028", "year", None, 2028, None, "TBD", None, False, "tbd"),
]


@pytest.mark.parametrize(
    (
        "code",
        "priority",
        "timeline",
        "kind",
        "start",
        "due",
        "every",
        "cost",
        "usd",
        "per_country",
        "cost_kind",
    ),
    SAMPLE,
    ids=[row[0] for row in SAMPLE],
)
def test_sample_activities_have_the_source_values(
    seeded, code, priority, timeline, kind, start, due, every, cost, usd, per_country, cost_kind
):
    a = Activity.objects.get(strategy__slug=PL, code=code)
    assert a.priority == priority
    assert (a.timeline_text, a.timeline_kind, a.start_year, a.due_year, a.recurrence_years) == (
        timeline,
        kind,
        start,
        due,
        every,
    )
    assert (a.cost_text, a.cost_usd, a.cost_per_country, a.cost_kind) == (cost, usd, per_country, cost_kind)


# (code, actors text, continued from the row above, normalised actors)
ACTOR_SAMPLE = [
    ("1.1.1.a", "NGOs, research and GOs, invited experts and local/regional stakeholders", False,
     {"ngos", "research", "gos", "experts", "local-stakeholders"}),
    # Blank in the source: merged with 1.1.2's cell above, through 1.1.3.
    ("1.1.4", "NGOs, GOs, experts and local/regional stakeholders", True, {"ngos", "gos", "experts", "local-stakeholders"}),
    # Blank on a new page: the merged cell continues from 9.2.2 across the page break.
    ("9.2.3", "NGOs, GOs, scientific institutions, universities, identified key people", True,
     {"ngos", "gos", "research", "academia", "key-people"}),
    # Shifted row: the actors stand in the source's Indicator column.
    ("7.1.1.b", "NGOs, GOs (local authorities), local communities (livestock owners, farmers), scientists", False,
     {"ngos", "gos", "national-authorities", "local-communities", "land-users", "research"}),
    # Shifted and blank: continues 7.1.1.b's cell, not the indicator of anything.
    ("7.1.2", "NGOs, GOs (local authorities), local communities (livestock owners, farmers), scientists", True,
     {"ngos", "gos", "national-authorities", "local-communities", "land-users", "research"}),
    ("11.2.1", "National customs, border guards, national monitoring groups, relevant authorities, CITES, TRAFFIC", False,
     {"customs", "border-guards", "working-groups", "national-authorities", "cites", "traffic"}),
    ("4.1.3", "EAZA Felid TAG and Persian Leopard EEP in cooperation with national authorities and experts", False,
     {"eaza", "national-authorities", "experts"}),
    ("12.2.1", "Consultant in cooperation with governmental agencies, CMS, IGOs, NGOs, and scientific institutions", False,
     {"consultants", "gos", "cms", "igos", "ngos", "research"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "text", "continued", "slugs"), ACTOR_SAMPLE, ids=[r[0] for r in ACTOR_SAMPLE]
)
def test_sample_activities_have_the_source_actors(seeded, code, text, continued, slugs):
    a = Activity.objects.get(strategy__slug=PL, code=code)
    assert (a.actors_text, a.actors_continued) == (text, continued)
    assert set(a.actors.values_list("slug", flat=True)) == slugs


# (code, POW text as in the source, measure codes)
POW_SAMPLE = [
    ("1.1.1.a", "1.3, 19.2, 19.5", ["1.3", "19.2", "19.5"]),
    ("1.1.1.b", "", []),
    ("7.1.1.a", "TBD", []),
    ("9.1.1", "5.2, 5.6, 5.8, 19.10.", ["5.2", "5.6", "5.8", "19.10"]),
    ("11.2.1", "2.2 - 2.4, 19.6", ["2.2", "2.3", "2.4", "19.6"]),
    ("7.1.1.b", "4.1 - 4.15, 5.3, 19.3, 19.7", [*(f"4.{n}" for n in range(1, 16)), "5.3", "19.3", "19.7"]),
    ("12.2.2", "31.1 - 31.12", [f"31.{n}" for n in range(1, 13)]),
    # Garbled cells: the fixture states the reading, the source text is kept.
    ("5.4.1", "5.6 – 5.11,5, 15,19. 2", ["5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "5.15", "19.2"]),
    ("5.4.2", "5.6 – 5.11,1 9.10, 19.11", ["5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "19.10", "19.11"]),
    ("5.4.3", "5.6 – 5.11,1 9.7", ["5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "19.7"]),
    # The source's priority cell holds this row's POW code.
    ("3.2.2", "19.7", ["19.7"]),
]


@pytest.mark.parametrize(("code", "text", "codes"), POW_SAMPLE, ids=[r[0] for r in POW_SAMPLE])
def test_sample_activities_have_the_source_pow_measures(seeded, code, text, codes):
    a = Activity.objects.get(strategy__slug=PL, code=code)
    assert a.cami_pow_text == text
    assert sorted(a.cami_pow_measures.values_list("code", flat=True)) == sorted(codes)


def test_rows_resolved_by_reading_carry_a_note_saying_how(seeded):
    noted = set(
        Activity.objects.filter(strategy__slug=PL).exclude(source_note="").values_list("code", flat=True)
    )
    assert noted == {"3.2.2", "5.4.1", "5.4.2", "5.4.3", "7.1.1.b", "7.1.2"}


def test_all_activities_involving_ngos_is_one_query(seeded, django_assert_num_queries):
    expected = sum(
        "NGO" in reading["actors_text"] for _row, reading in _careful_reading(read_table().activities)
    )
    with django_assert_num_queries(1):
        found = Activity.objects.filter(actors__slug="ngos").count()
    assert found == expected == 75


# --- cross-references ----------------------------------------------------------------------------


def _targets(refs):
    return sorted(str(r.target) for r in refs)


def test_reference_to_a_split_activity_points_at_both_parts(seeded):
    activity = Activity.objects.get(strategy__slug=PL, code="7.1.2")
    assert _targets(activity.references.all()) == ["Activity 7.1.1.a", "Activity 7.1.1.b"]


def test_result_references_and_ranges_become_links(seeded):
    result = Result.objects.get(strategy__slug=PL, code="1.1")
    assert _targets(result.references.all()) == ["Result 5.1", "Result 5.2"]
    activity = Activity.objects.get(strategy__slug=PL, code="11.1.1")
    assert {"Activity 11.3.1", "Activity 11.3.2", "Activity 11.3.3"} <= set(
        _targets(activity.references.all())
    )
    objective_ref = Activity.objects.get(strategy__slug=PL, code="1.2.6").references.get()
    assert objective_ref.to_objective == Objective.objects.get(strategy__slug=PL, number=10)
    # and they can be followed backwards
    assert (
        Activity.objects.get(strategy__slug=PL, code="1.1.4")
        .referenced_by.filter(from_activity__code="1.1.2")
        .exists()
    )


def test_every_seeded_reference_resolves(seeded):
    unresolved = CrossReference.objects.filter(to_activity=None, to_result=None, to_objective=None)
    assert list(unresolved) == []
