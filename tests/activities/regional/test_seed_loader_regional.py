"""The seed loader for the regional sections: safe to re-run, updating rows in place, refusing
references to rows nobody defines (with their location, writing nothing), and never dropping what
people entered (tags on landscapes, plans added in the admin)."""

import pytest

from activities.models import (
    AgendaItem,
    Landscape,
    Meeting,
    NationalActionPlan,
    Species,
    Strategy,
)
from activities.seeding import SeedError, seed_load
from tests.factories import ActivityFactory, NationalActionPlanFactory, RangeStateFactory

MINI = """
range_states: [{iso_code: QA, name: Testland}]
species:
  - {slug: cat, common_name: Cat, scientific_name: Felis catus}
meetings:
  - slug: mini-meeting
    name: Mini meeting
    kind: workshop
    start_date: 2025-05-06
    end_date: 2025-05-07
    documents:
      - {symbol: DOC/1, title: Agenda, kind: agenda}
      - {symbol: DOC/1/Rev.1, title: Agenda, kind: agenda, revises: DOC/1}
    days:
      - date: 2025-05-06
        hours: 09:00 to 17:00 CET
        agenda:
          - {number: 1, title: Opening, time: '09:00 – 10:00', documents: [DOC/1/Rev.1], expected_outcome: Opened.}
          - {kind: break, title: COFFEE BREAK, time: '10:00 – 10:30'}
          - number: 2
            title: Experts
            sub_items:
              - {title: First part}
              - {title: Second part}
strategy:
  slug: mini
  title: Mini strategy
  short_name: Mini
  range_states: [QA]
  species: [cat]
national_action_plans:
  - {slug: qa-plan-1, range_state: QA, title: Plan 1, implements: mini, period_start: 2010, period_end: 2014}
  - {slug: qa-plan-2, range_state: QA, title: Plan 2, implements: mini, period_start: 2015, period_end: 2025, supersedes: qa-plan-1, species: [cat]}
ecoregional_plans:
  - slug: mini-ecp
    title: Mini ecoregional plan
    short_name: Mini ECP
    landscapes:
      - {kind: conservation, code: '1', name: One}
      - {kind: conservation, code: '2', name: Two}
      - {kind: bridging, code: A, name: Alpha}
"""


def _write(tmp_path, text):
    path = tmp_path / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    return [path]


def test_a_regional_fixture_loads_and_reloads_without_changes(db, tmp_path):
    paths = _write(tmp_path, MINI)
    seed_load(paths=paths)
    items = {i.position: (i.pk, i.title, i.parent and i.parent.title) for i in AgendaItem.objects.all()}
    assert items == {
        1: (items[1][0], "Opening", None),
        2: (items[2][0], "COFFEE BREAK", None),
        3: (items[3][0], "Experts", None),
        4: (items[4][0], "First part", "Experts"),
        5: (items[5][0], "Second part", "Experts"),
    }
    assert NationalActionPlan.objects.get(slug="qa-plan-2").supersedes.slug == "qa-plan-1"
    assert list(Strategy.objects.get(slug="mini").species.values_list("slug", flat=True)) == ["cat"]
    report = seed_load(paths=paths)
    assert not report.changed_anything, report.summary()
    assert {
        i.position: (i.pk, i.title, i.parent and i.parent.title) for i in AgendaItem.objects.all()
    } == items


def test_editing_an_agenda_row_updates_it_in_place(db, tmp_path):
    paths = _write(tmp_path, MINI)
    seed_load(paths=paths)
    before = AgendaItem.objects.get(number=1).pk
    _write(tmp_path, MINI.replace("expected_outcome: Opened.", "expected_outcome: Opened on time."))
    report = seed_load(paths=paths)
    assert AgendaItem.objects.get(number=1).pk == before
    assert report.changes == [
        "Meeting mini-meeting 2025-05-06 agenda row 1: expected_outcome 'Opened.' → 'Opened on time.'"
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("range_state: QA, title: Plan 1", "range_state: QB, title: Plan 1"),
            r"national_action_plans\[0\]: unknown Range State 'QB'",
        ),
        (
            ("species: [cat]\nnational", "species: [dog]\nnational"),
            r"strategy.species: unknown species 'dog'",
        ),
        (("documents: [DOC/1/Rev.1]", "documents: [DOC/9]"), r"agenda\[0\]: unknown document 'DOC/9'"),
        (("time: '09:00 – 10:00'", "time: 'nine to ten'"), r"time 'nine to ten' is not 'HH:MM – HH:MM'"),
        (
            ("{kind: break, title: COFFEE", "{number: 9, kind: break, title: COFFEE"),
            "numbered rows are agenda items",
        ),
        (("supersedes: qa-plan-1", "supersedes: qa-plan-0"), "unknown National Action Plan 'qa-plan-0'"),
        (("kind: workshop", "kind: picnic"), "kind must be one of"),
        (("- date: 2025-05-06", "- date: 2025-06-06"), "is outside the meeting's dates"),
        (("{kind: bridging, code: A", "{kind: bridging, code: '2'"), "landscape 2 appears twice"),
        (
            ("period_start: 2015, period_end: 2025", "period_start: 2025, period_end: 2015"),
            "ends before it starts",
        ),
    ],
)
def test_bad_regional_fixtures_are_refused_with_their_location_and_write_nothing(db, tmp_path, edit, message):
    assert edit[0] in MINI
    with pytest.raises(SeedError, match=message):
        seed_load(paths=_write(tmp_path, MINI.replace(*edit)))
    assert not Meeting.objects.exists() and not Species.objects.exists() and not Strategy.objects.exists()


def test_a_landscape_dropped_from_the_fixture_is_kept_while_something_is_tagged_with_it(db, tmp_path):
    paths = _write(tmp_path, MINI)
    seed_load(paths=paths)
    Landscape.objects.get(code="1").activities.add(ActivityFactory())
    _write(
        tmp_path,
        MINI.replace("      - {kind: conservation, code: '1', name: One}\n", "").replace(
            "      - {kind: conservation, code: '2', name: Two}\n", ""
        ),
    )
    report = seed_load(paths=paths)
    assert set(Landscape.objects.values_list("code", flat=True)) == {"1", "A"}
    assert report.deleted["landscapes"] == 1


def test_plans_added_in_the_admin_are_not_deleted_by_a_reseed(db, tmp_path):
    paths = _write(tmp_path, MINI)
    seed_load(paths=paths)
    entered = NationalActionPlanFactory(range_state=RangeStateFactory(), slug="entered-by-hand")
    report = seed_load(paths=paths)
    assert NationalActionPlan.objects.filter(pk=entered.pk).exists()
    assert not report.changed_anything
