from decimal import Decimal

import pytest

from activities.parsing import (
    Cost,
    Timeline,
    code_sort_key,
    parse_cost,
    parse_pow,
    parse_references,
    parse_timeline,
)


def test_codes_sort_naturally():
    codes = ["10.1.1", "1.1.2", "1.1.1.b", "1.10.1", "1.1.1.a", "2.1"]
    assert sorted(codes, key=code_sort_key) == ["1.1.1.a", "1.1.1.b", "1.1.2", "1.10.1", "2.1", "10.1.1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", Timeline("year", due_year=2025)),
        ("2023-24", Timeline("span", start_year=2023, due_year=2024)),
        ("2024-2027", Timeline("span", start_year=2024, due_year=2027)),
        ("2023 (drafted) 2025 (endorsed)", Timeline("milestones", start_year=2023, due_year=2025)),
        ("Every three years", Timeline("recurring", recurrence_years=3)),
        ("Every five years", Timeline("recurring", recurrence_years=5)),
        ("Every 6 years", Timeline("recurring", recurrence_years=6)),
        ("Regularly", Timeline("recurring")),
        ("ASAP", Timeline("asap")),
        ("TBD", Timeline("tbd")),
    ],
)
def test_every_timeline_form_in_the_source_is_parsed(text, expected):
    assert parse_timeline(text) == expected


@pytest.mark.parametrize("text", ["soon", "2027-2025", "Every few years", "20255"])
def test_unknown_timeline_forms_are_refused(text):
    with pytest.raises(ValueError, match="timeline"):
        parse_timeline(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10,000", Cost("amount", Decimal(10_000))),
        ("10,000 per country", Cost("amount", Decimal(10_000), per_country=True)),
        ("50.000", Cost("amount", Decimal(50_000))),  # a dot as thousands separator: fifty thousand
        ("500,000", Cost("amount", Decimal(500_000))),
        ("2.25 M", Cost("amount", Decimal(2_250_000))),
        ("20 M", Cost("amount", Decimal(20_000_000))),
        ("TBD", Cost("tbd")),
        ("TBD (state-dependent)", Cost("tbd")),
        ("TBD by organisations", Cost("tbd")),
        ("TBD for each rescue centre", Cost("tbd")),
        ("N/A", Cost("not_applicable")),
    ],
)
def test_every_cost_form_in_the_source_is_parsed(text, expected):
    assert parse_cost(text) == expected


@pytest.mark.parametrize("text", ["about 5k", "1.5", "10,00", "EUR 3,000"])
def test_unreadable_costs_are_refused_rather_than_guessed(text):
    with pytest.raises(ValueError, match="cost"):
        parse_cost(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.3, 19.2, 19.5", ["1.3", "19.2", "19.5"]),
        ("19.10.", ["19.10"]),
        ("19.2.", ["19.2"]),
        ("2.2 - 2.4", ["2.2", "2.3", "2.4"]),
        ("7.1 – 7.5, 19.10", ["7.1", "7.2", "7.3", "7.4", "7.5", "19.10"]),
        ("TBD", []),
        ("", []),
    ],
)
def test_pow_cells_become_measure_codes_with_ranges_expanded(text, expected):
    assert parse_pow(text) == expected


def test_pow_range_4_1_to_4_15_names_fifteen_measures():
    assert parse_pow("4.1 - 4.15") == [f"4.{n}" for n in range(1, 16)]


@pytest.mark.parametrize("text", ["5.6 – 5.11,5, 15,19. 2", "5.6 – 5.11,1 9.7", "4.15 - 4.1"])
def test_garbled_pow_cells_are_refused(text):
    with pytest.raises(ValueError):
        parse_pow(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(see Activity 1.1.4).", [("activity", "1.1.4")]),
        ("by 2028 (see Results 5.1 & 5.2).", [("result", "5.1"), ("result", "5.2")]),
        ("(see R 1.1) by 2031", [("result", "1.1")]),
        ("(see Results 3.3, & 12.1).", [("result", "3.3"), ("result", "12.1")]),
        ("(see Results 1.2. & 5.3).", [("result", "1.2"), ("result", "5.3")]),
        (
            "(also see Activities 3.1.1, 3.1.2 & 11.3.1-11.3.3)",
            [("activity", c) for c in ("3.1.1", "3.1.2", "11.3.1", "11.3.2", "11.3.3")],
        ),
        (
            "(see Activities 2.1.2 & 5.1.1 – 5.1.2)",
            [("activity", "2.1.2"), ("activity", "5.1.1"), ("activity", "5.1.2")],
        ),
        ("as defined under 11.1.2 (see", [("activity", "11.1.2")]),
        ("(parliament, government; see Objective 10).", [("objective", "10")]),
        ("the surveyed habitats under Activity 3.1.2. taking", [("activity", "3.1.2")]),
        ("by 2030 with 10,000 people", []),
    ],
)
def test_cross_references_are_found_in_source_texts(text, expected):
    assert parse_references(text) == expected
