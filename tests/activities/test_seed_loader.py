"""The seed loader: safe to re-run, changing rows in place, refusing to lose progress people entered,
and refusing bad fixtures with every problem and its location, writing nothing."""

import shutil
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from activities.models import (
    Activity,
    CrossReference,
    ProgressEntry,
    RangeState,
    Strategy,
    Theme,
)
from activities.seeding import FIXTURES_DIR, SeedError, seed_load
from tests.factories import ProgressEntryFactory, UserFactory

PL = "persian-leopard-2023-2032"
CAUCASUS = "caucasus-leopard-2017"


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
range_states: [{iso_code: QA, name: Testland}]
actors: [{slug: ngos, name: NGOs, category: civil_society}]
strategy:
  slug: mini
  title: Mini strategy
  short_name: Mini
  range_states: [QA]
  themes:
    - number: 1
      title: Theme one
      objectives:
        - number: 1
          text: Objective one.
          results:
            - code: '1.1'
              text: Result one (see Activity 1.1.9).
              activities:
                - {code: 1.1.1, text: Do it (see Activity 1.1.2)., actors: [ngos], timeline: '2025', cost: TBD, priority: 2}
                - {code: 1.1.2, text: Then this., timeline: ASAP, cost: '5,000', priority: 3}
"""


def test_a_reference_to_a_code_the_strategy_lacks_is_kept_unresolved(db, tmp_path):
    seed_load(paths=[_write(tmp_path / "mini.yaml", MINIMAL)])
    ref = CrossReference.objects.get(from_result__code="1.1")
    assert (ref.kind, ref.code, ref.target) == ("activity", "1.1.9", None)
    assert CrossReference.objects.get(from_activity__code="1.1.1").to_activity.code == "1.1.2"


# --- the loader: idempotent, in place, refusing to lose progress ---------------------------------


def test_seeding_twice_changes_nothing(seeded):
    before = {a.code: (a.pk, a.due_year) for a in Activity.objects.all()}
    refs_before = set(CrossReference.objects.values_list("pk", flat=True))
    report = seed_load()
    assert not report.changed_anything, report.summary()
    assert {a.code: (a.pk, a.due_year) for a in Activity.objects.all()} == before
    assert set(CrossReference.objects.values_list("pk", flat=True)) == refs_before


def test_seed_command_reports_when_nothing_changed(seeded, capsys):
    call_command("seed")
    assert "already up to date" in capsys.readouterr().out


def _copy_fixtures(tmp_path):
    for path in FIXTURES_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / "persian_leopard_2023_2032.yaml"


def test_editing_a_fixture_updates_in_place_and_keeps_progress(seeded, tmp_path):
    fixture = _copy_fixtures(tmp_path)
    activity = Activity.objects.get(strategy__slug=PL, code="1.1.2")
    entry = ProgressEntryFactory(activity=activity, range_state=RangeState.objects.get(iso_code="AM"))
    text = fixture.read_text(encoding="utf-8")
    marker = "uptake (see Activity 1.1.4).\n"
    start = text.index(marker)
    timeline_at = text.index("timeline: '2025'", start)
    fixture.write_text(
        text[:timeline_at] + "timeline: '2026'" + text[timeline_at + len("timeline: '2025'") :],
        encoding="utf-8",
    )

    report = seed_load(paths=sorted(tmp_path.glob("*.yaml")))

    activity.refresh_from_db()
    assert activity.due_year == 2026 and activity.timeline_text == "2026"
    assert ProgressEntry.objects.get(pk=entry.pk).activity_id == activity.pk
    assert report.changes == [
        f"{PL} Activity 1.1.2: timeline_text '2025' → '2026'",
        f"{PL} Activity 1.1.2: due_year 2025 → 2026",
    ]


def test_removing_an_activity_that_has_progress_is_refused_and_changes_nothing(seeded, tmp_path):
    fixture = _copy_fixtures(tmp_path)
    activity = Activity.objects.get(strategy__slug=PL, code="12.2.3")
    ProgressEntryFactory(activity=activity, range_state=None, reported_by=UserFactory())
    text = fixture.read_text(encoding="utf-8")
    fixture.write_text(text[: text.index("                - code: 12.2.3")], encoding="utf-8")
    # and an unrelated edit, which must not land either
    text = fixture.read_text(encoding="utf-8").replace(
        "title: Human Dimension.", "title: Human Dimension (edited)."
    )
    fixture.write_text(text, encoding="utf-8")

    with pytest.raises(
        SeedError, match=r"Activity 12\.2\.3 is no longer in the fixture but has progress entries"
    ):
        seed_load(paths=sorted(tmp_path.glob("*.yaml")))

    assert Activity.objects.filter(pk=activity.pk).exists()
    assert Theme.objects.get(strategy__slug=PL, number=3).title == "Human Dimension."


def test_removing_an_activity_without_progress_deletes_it(db, tmp_path):
    path = _write(tmp_path / "mini.yaml", MINIMAL)
    seed_load(paths=[path])
    path.write_text(
        MINIMAL.replace(
            "                - {code: 1.1.2, text: Then this., timeline: ASAP, cost: '5,000', priority: 3}\n",
            "",
        )
    )
    report = seed_load(paths=[path])
    assert list(Activity.objects.values_list("code", flat=True)) == ["1.1.1"]
    assert report.deleted["activities"] == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("timeline: '2025'", "timeline: soonish"), "mini.yaml: .*Activity 1.1.1: timeline 'soonish'"),
        (("cost: '5,000'", "cost: 5k USD"), "Activity 1.1.2: cost"),
        (("priority: 3", "priority: 4"), "Activity 1.1.2: priority must be 1, 2, 3 or null"),
        (("actors: [ngos]", "actors: [ngo]"), "unknown actor 'ngo'"),
        (("text: Then this.", "txt: Then this."), r"unknown key\(s\) \['txt'\]"),
        (("{code: 1.1.2", "{code: 2.1.2"), "activity code '2.1.2' does not belong to Result 1.1"),
    ],
)
def test_bad_fixtures_are_refused_with_their_location_and_write_nothing(db, tmp_path, edit, message):
    path = _write(tmp_path / "mini.yaml", MINIMAL.replace(*edit))
    with pytest.raises(SeedError, match=message):
        seed_load(paths=[path])
    assert not Strategy.objects.exists() and not RangeState.objects.exists()


def test_seed_command_prints_every_problem(db, tmp_path):
    path = _write(
        tmp_path / "mini.yaml",
        MINIMAL.replace("timeline: ASAP", "timeline: whenever").replace("priority: 2", "priority: 7"),
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("seed", str(path))
    assert "timeline 'whenever'" in str(excinfo.value)
    assert "priority must be 1, 2, 3 or null, not 7" in str(excinfo.value)


def test_dry_run_writes_nothing(db, capsys):
    call_command("seed", "--dry-run")
    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert not Strategy.objects.exists()


def test_editing_a_source_cell_rederives_its_parsed_value(seeded):
    activity = Activity.objects.get(strategy__slug=PL, code="1.1.2")
    activity.timeline_text, activity.cost_text = "2024-2027", "2.5 M"
    activity.full_clean()
    assert (activity.timeline_kind, activity.start_year, activity.due_year) == ("span", 2024, 2027)
    assert (activity.cost_kind, activity.cost_usd) == ("amount", Decimal(2_500_000))


def test_an_unreadable_source_cell_is_a_field_error(seeded):
    activity = Activity.objects.get(strategy__slug=PL, code="1.1.2")
    activity.timeline_text, activity.cost_text = "when possible", "lots"
    with pytest.raises(ValidationError) as excinfo:
        activity.full_clean()
    assert set(excinfo.value.message_dict) == {"timeline_text", "cost_text"}
