"""Importing a logframe spreadsheet: bad files and bad cells are refused with nothing written, each with
a clear error at its row and column; an import into an existing strategy changes only what differs,
never deletes, and a confirmation applies exactly its preview or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities import services
from activities.models import Activity, Actor, Objective, Result, Strategy, StrategyImport, Theme
from activities.seeding.checking import Reader, plan_activity
from tests.factories import SecretariatUserFactory, UserFactory

from .workbooks import HEADERS, activity_row, logframe_rows, workbook

pytestmark = pytest.mark.django_db


def nothing_written():
    return not (
        Strategy.objects.exists()
        or Theme.objects.exists()
        or Objective.objects.exists()
        or Result.objects.exists()
        or Activity.objects.exists()
        or Actor.objects.exists()
    )


def preview(data, user=None, **kwargs):
    return services.strategy_import_preview(
        user=user or SecretariatUserFactory(), file_name="logframe.xlsx", data=data, **kwargs
    )


def imported(data, user=None):
    user = user or SecretariatUserFactory()
    pending = preview(data, user)
    assert pending.problems == []
    return services.strategy_import_confirm(user=user, strategy_import=pending)


def test_a_new_strategy_is_created_with_every_cell_parsed_as_the_seed_parses_it():
    imported(workbook())
    strategy = Strategy.objects.get(slug="test-leopard")
    assert (strategy.title, strategy.period_start, strategy.period_end) == (
        "Range-wide Strategy for a Test Leopard",
        2023,
        2032,
    )
    activity = Activity.objects.get(strategy=strategy, code="1.1.1")
    assert activity.result.code == "1.1" and activity.result.objective.theme.number == 1
    assert (activity.cost_kind, activity.cost_usd, activity.cost_per_country) == ("amount", 10000, True)
    assert (activity.timeline_kind, activity.due_year, activity.priority) == ("year", 2025, 3)
    assert sorted(a.slug for a in activity.actors.all()) == ["gos", "ngos"]
    assert sorted(m.code for m in activity.cami_pow_measures.all()) == ["1.3", "19.2"]


@pytest.mark.parametrize(
    ("column", "value", "fixture_key"),
    [
        ("Timeline", "sometime soon", "timeline"),
        ("Timeline", "2027-2024", "timeline"),
        ("Cost (USD)", "about 5k", "cost"),
        ("CAMI POW", "5.6 – 5.11,1 9.7", "cami_pow"),
        ("CAMI POW", "4.15 - 4.1", "cami_pow"),
        ("Priority", "high", "priority"),
        ("Priority", 4, "priority"),
    ],
)
def test_a_cell_the_seed_refuses_is_refused_with_the_seeds_message(column, value, fixture_key):
    rows = [*logframe_rows(1), activity_row("1.1.2", cells={column: value})]
    pending = preview(workbook(rows))
    # the seed's own check of the same value, as a fixture would give it
    seed = Reader("fixture.yaml")
    plan_activity(seed, {"code": "1.1.2", "text": "x", fixture_key: value}, "here", "1.1")
    [seed_message] = seed.problems
    assert pending.problems == [
        {"sheet": "Logframe", "row": 5, "column": column, "message": seed_message.split("here: ", 1)[1]}
    ]
    assert pending.state == StrategyImport.State.REFUSED
    with pytest.raises(ValidationError):
        services.strategy_import_confirm(user=pending.uploaded_by, strategy_import=pending)
    assert nothing_written()


def test_every_bad_cell_of_every_row_is_listed_at_once():
    rows = [
        *logframe_rows(1),
        activity_row("1.1.2", cells={"Timeline": "soon", "Cost (USD)": "lots"}),
        activity_row("1.2.1"),  # belongs to Result 1.2, which the file does not have
        activity_row("1.1.1"),  # a second 1.1.1
        activity_row("1.1.4", cells={"Actors (normalised)": "ngos, aliens"}),
    ]
    problems = preview(workbook(rows)).problems
    assert [(p["row"], p["column"]) for p in problems] == [
        (5, "Timeline"),
        (5, "Cost (USD)"),
        (6, "Activity"),
        (7, "Activity"),
        (8, "Actors (normalised)"),
    ]
    assert "does not belong to Result 1.1" in problems[2]["message"]
    assert problems[3]["message"] == "Activity 1.1.1 appears twice (first on row 4)."
    assert "aliens" in problems[4]["message"]
    assert nothing_written()


def test_wrong_headers_say_which_header_was_expected():
    rows = logframe_rows(1)
    rows[0] = ["Result", "Activity", "Actors", *HEADERS[3:]]
    problems = preview(workbook(rows)).problems
    assert problems == [
        {
            "sheet": "Logframe",
            "row": 1,
            "column": "Actor",
            "message": "Column 3: expected the header “Actor”, found “Actors”.",
        }
    ]
    assert nothing_written()


def test_control_characters_are_refused_at_their_cell():
    rows = [*logframe_rows(1), activity_row("1.1.2", cells={"Indicator": "Report\x7fcompiled"})]
    [problem] = preview(workbook(rows)).problems
    assert (problem["row"], problem["column"]) == (5, "Indicator")
    assert "U+007F" in problem["message"]
    assert nothing_written()


def test_a_formula_is_refused_and_text_that_looks_like_one_is_kept_as_text():
    rows = [*logframe_rows(1), activity_row("1.1.2", cells={"Indicator": '=HYPERLINK("http://evil","x")'})]
    [problem] = preview(workbook(rows)).problems  # openpyxl stores it as a formula, as Excel would
    assert (problem["row"], problem["column"]) == (5, "Indicator")
    assert "holds a formula" in problem["message"]
    assert nothing_written()
    imported(workbook(rows, text_cells=True))  # the same typed as text (as the export writes it)
    assert Activity.objects.get(code="1.1.2").indicator == '=HYPERLINK("http://evil","x")'


def test_a_cell_too_long_for_its_field_is_refused_before_anything_is_written():
    rows = [*logframe_rows(1), activity_row("1.1.2", cells={"Timeline": "2025" + " " * 10 + "x" * 200})]
    problems = preview(workbook(rows)).problems
    assert problems and all(p["row"] == 5 for p in problems)
    assert nothing_written()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"Result,Activity\n1.1,1.1.1\n", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "password-protected"),
    ],
)
def test_a_file_that_is_not_a_readable_xlsx_is_refused(data, message):
    with pytest.raises(ValidationError) as raised:
        preview(data)
    assert message in raised.value.messages[0]
    assert nothing_written() and not StrategyImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.STRATEGY_IMPORT_MAX_MB = 0
    with pytest.raises(ValidationError) as raised:
        preview(workbook())
    assert "larger than 0 MB" in raised.value.messages[0]
    assert nothing_written()


def test_a_sheet_with_too_many_rows_is_refused(settings):
    settings.STRATEGY_IMPORT_MAX_ROWS = 3
    with pytest.raises(ValidationError) as raised:
        preview(workbook(logframe_rows(5)))
    assert "more than 3 rows" in raised.value.messages[0]
    assert nothing_written()


def test_a_sheet_with_headers_only_is_refused():
    with pytest.raises(ValidationError) as raised:
        preview(workbook([HEADERS]))
    assert "no rows below its headers" in raised.value.messages[0]


def test_only_the_secretariat_may_import():
    for user in (UserFactory(), UserFactory(is_staff=True)):
        with pytest.raises(PermissionDenied):
            preview(workbook(), user=user)
    assert nothing_written()


def test_importing_into_an_existing_strategy_changes_only_what_differs_and_keeps_the_rest():
    imported(workbook(logframe_rows(3)))
    activity = Activity.objects.get(code="1.1.1")
    untouched = Activity.objects.get(code="1.1.2").updated_at
    rows = logframe_rows(1)  # the file drops 1.1.2 and 1.1.3 and changes 1.1.1's timeline
    rows[3] = activity_row(
        "1.1.1", "Activity number 1.", result="Result 1.1 Areas protected.", cells={"Timeline": "2027"}
    )
    rows.append(activity_row("1.1.9"))
    pending = preview(workbook(rows))
    section = pending.preview["activities"]
    assert section["created"] == [{"key": "1.1.9", "row": 5}]
    assert section["changed"] == [
        {
            "key": "1.1.1",
            "row": 4,
            "changes": [
                {"field": "timeline_text", "old": "2025", "new": "2027"},
                {"field": "due_year", "old": "2025", "new": "2027"},
            ],
        }
    ]
    assert section["kept"] == ["1.1.2", "1.1.3"]
    services.strategy_import_confirm(user=pending.uploaded_by, strategy_import=pending)
    activity.refresh_from_db()
    assert (activity.timeline_text, activity.due_year) == ("2027", 2027)
    assert set(Activity.objects.values_list("code", flat=True)) == {"1.1.1", "1.1.2", "1.1.3", "1.1.9"}
    assert Activity.objects.get(code="1.1.2").updated_at == untouched


def test_columns_left_out_of_the_file_keep_their_values():
    imported(workbook())
    Activity.objects.filter(code="1.1.1").update(source_note="Checked against the PDF.")
    rows = [row[:8] for row in logframe_rows()]
    pending = preview(workbook(rows))
    assert pending.preview["activities"]["changed"] == []
    assert "Source note" in pending.preview["kept_columns"]
    services.strategy_import_confirm(user=pending.uploaded_by, strategy_import=pending)
    activity = Activity.objects.get(code="1.1.1")
    assert activity.source_note == "Checked against the PDF."
    assert activity.actors.count() == 2


def test_a_file_for_another_strategy_is_refused_when_a_strategy_is_chosen():
    imported(workbook())
    other = Strategy.objects.create(slug="other", title="Other", short_name="Other")
    [problem] = preview(workbook(), strategy=other).problems
    assert problem["column"] == "Slug" and "not “other”" in problem["message"]


def test_two_people_at_once_the_second_confirmation_is_refused_and_writes_nothing():
    imported(workbook())
    alice, bob = SecretariatUserFactory(), SecretariatUserFactory()
    rows_a = logframe_rows()
    rows_a[3] = activity_row("1.1.1", "Alice's text.", result="Result 1.1 Areas protected.")
    rows_b = logframe_rows()
    rows_b[3] = activity_row("1.1.1", "Bob's text.", result="Result 1.1 Areas protected.")
    pending_a = preview(workbook(rows_a), alice)
    pending_b = preview(workbook(rows_b), bob)
    services.strategy_import_confirm(user=alice, strategy_import=pending_a)
    with pytest.raises(ValidationError) as raised:
        services.strategy_import_confirm(user=bob, strategy_import=pending_b)
    assert "has changed since this preview" in raised.value.messages[0]
    assert Activity.objects.get(code="1.1.1").text == "Alice's text."
    pending_b.refresh_from_db()
    assert pending_b.state == StrategyImport.State.PREVIEWED and pending_b.applied_at is None


def test_an_edit_between_preview_and_confirmation_refuses_the_confirmation():
    imported(workbook())
    pending = preview(workbook(logframe_rows(3)))
    Activity.objects.filter(code="1.1.1").update(indicator="Edited in the admin meanwhile")
    with pytest.raises(ValidationError):
        services.strategy_import_confirm(user=pending.uploaded_by, strategy_import=pending)
    assert not Activity.objects.filter(code="1.1.3").exists()


def test_a_preview_is_applied_once():
    user = SecretariatUserFactory()
    pending = preview(workbook(), user)
    services.strategy_import_confirm(user=user, strategy_import=pending)
    with pytest.raises(ValidationError):
        services.strategy_import_confirm(user=user, strategy_import=pending)


@pytest.mark.parametrize(
    ("sheet", "rows", "column", "message"),
    [
        (
            "strategy",
            [["Field", "Value"], ["Slug", "x"], ["Title", "T"]],
            "Field",
            "“Short name” is required",
        ),
        (
            "strategy",
            [["Slug", "x"], ["Title", "T"], ["Short name", "S"], ["Period start", "soon"]],
            "Value",
            "year",
        ),
        (
            "strategy",
            [
                ["Slug", "x"],
                ["Title", "T"],
                ["Short name", "S"],
                ["Period start", 2030],
                ["Period end", 2020],
            ],
            "Period end",
            "ends before",
        ),
        ("strategy", [["Slug", "not a slug!"], ["Title", "T"], ["Short name", "S"]], "Slug", "slug"),
        ("actors", [["Slug", "Name", "Category"], ["ngos", "NGOs", "aliens"]], "Category", "must be one of"),
        (
            "actors",
            [
                ["Slug", "Name", "Category", "Description"],
                ["ngos", "A", "government", ""],
                ["ngos", "B", "government", ""],
            ],
            "Slug",
            "twice",
        ),
    ],
)
def test_bad_strategy_and_actor_sheets_are_refused_at_their_cell(sheet, rows, column, message):
    kwargs = {sheet: [["Field", "Value"], *rows] if sheet == "strategy" and rows[0][0] != "Field" else rows}
    problems = preview(workbook(**kwargs)).problems
    assert any(p["column"] == column and message in p["message"] for p in problems), problems
    assert nothing_written()


def test_a_new_actor_may_not_take_the_name_of_another(db):
    Actor.objects.create(slug="ngo", name="Non-governmental organisations (NGOs)", category="civil_society")
    problems = preview(workbook()).problems
    assert [p["message"] for p in problems if p["sheet"] == "Actors"] == [
        "The name “Non-governmental organisations (NGOs)” belongs to the actor “ngo” already."
    ]


def test_a_true_or_false_priority_is_refused_as_the_seed_refuses_it():
    rows = [*logframe_rows(1), activity_row("1.1.2", cells={"Priority": True})]
    [problem] = preview(workbook(rows)).problems
    assert problem["column"] == "Priority" and "not 'TRUE'" in problem["message"]
