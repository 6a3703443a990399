"""The seeded regional picture is faithful to the source texts: counts, and a table of values read from
the sources by the literal readers in sources.py — the Vilm agenda row by row, the Persian Leopard's
names, the Caucasus plans and landscapes, the SOS Central Asia programme — with nothing the sources do
not give. Loaded once for the module, as in test_seed.py."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from activities.models import (
    AgendaItem,
    EcoregionalPlan,
    Meeting,
    MeetingDocument,
    NationalActionPlan,
    Organisation,
    PlanReview,
    Programme,
    Species,
    Strategy,
    agenda_slots,
    strategy_versions,
)

from . import sources

VILM = "cami-technical-workshop-vilm-2025"


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    """The seed, as loaded once for this module."""


# --- counts --------------------------------------------------------------------------------------


def test_counts_of_the_regional_picture(seeded):
    _days, rows = sources.agenda()
    counts = {
        "species": Species.objects.count(),
        "Persian Leopard common names": Species.objects.get(slug="persian-leopard").common_names.count(),
        "Persian Leopard synonyms": Species.objects.get(slug="persian-leopard").synonyms.count(),
        "plans": NationalActionPlan.objects.count(),
        "plan reviews": PlanReview.objects.count(),
        "meetings": Meeting.objects.count(),
        "meeting documents": MeetingDocument.objects.count(),
        "Vilm agenda rows": AgendaItem.objects.filter(day__meeting__slug=VILM).count(),
        "Vilm numbered items": len(set(AgendaItem.objects.filter(day__meeting__slug=VILM).exclude(number=None).values_list("number", flat=True))),
        "landscapes": EcoregionalPlan.objects.get().landscapes.count(),
        "thematic areas": EcoregionalPlan.objects.get().thematic_areas.count(),
        "programmes": Programme.objects.count(),
        "SOS outputs": Programme.objects.get(slug="sos-central-asia").outputs.count(),
        "SOS members and partners": Programme.objects.get(slug="sos-central-asia").members_and_partners.count(),
        "organisations": Organisation.objects.count(),
    }  # fmt: skip
    assert counts == {
        "species": 4,  # Leopard, Persian Leopard, snow leopard, goitered gazelle
        "Persian Leopard common names": len(sources.common_names()) == 11 and 11,
        "Persian Leopard synonyms": 2,
        "plans": 6,
        "plan reviews": 1,
        "meetings": 4,  # Tbilisi 2014, 2017 and 2022, Vilm 2025
        "meeting documents": 12,
        "Vilm agenda rows": len(rows) == 38 and 38,
        "Vilm numbered items": 21,
        "landscapes": len(sources.landscapes()) == 20 and 20,
        "thematic areas": 4,
        "programmes": 5,
        "SOS outputs": len(sources.sos_outputs()) == 3 and 3,
        "SOS members and partners": len(sources.sos_members()) == 7 and 7,
        "organisations": 9,
    }


# --- the Vilm agenda, row by row -----------------------------------------------------------------

EXPECTED = re.compile(r"\s*Expected [Oo]utcome:\s*")


def test_every_agenda_row_is_the_sources(seeded):
    days, rows = sources.agenda()
    items = list(
        AgendaItem.objects.filter(day__meeting__slug=VILM)
        .select_related("day", "parent")
        .order_by("day__date", "position")
    )
    assert len(items) == len(rows)
    for item, row in zip(items, rows, strict=True):
        where = f"{row.day} {row.title!r}"
        assert item.day.date == datetime.datetime.strptime(row.day.title(), "%A %d %B %Y").date(), where
        assert item.day.hours == days[row.day], where
        number = f"{item.number}. " if item.number is not None else ""
        assert number + item.title == row.title, where
        assert item.time_text == row.time, where
        assert item.documents_text == row.documents, where
        outcome = EXPECTED.search(row.comments)
        label = outcome.group(0).strip() if outcome else ""
        assert (
            " ".join(part for part in (item.comments, label, item.expected_outcome) if part) == row.comments
        ), where
        if row.time:
            start, end = (datetime.time.fromisoformat(t.strip()) for t in re.split("[–-]", row.time))
            assert (item.starts_at, item.ends_at) == (start, end), where
        else:
            assert item.starts_at is None and item.ends_at is None, where
        # documents by symbol (or by title for the study without one)
        symbols = {d.symbol or d.title for d in item.documents.all()}
        assert symbols == (
            {row.documents.split()[0] if row.documents.startswith("UNEP/") else row.documents}
            if row.documents
            else set()
        ), where


def test_agenda_kinds_numbers_and_sub_items(seeded):
    items = AgendaItem.objects.filter(day__meeting__slug=VILM).order_by("day__date", "position")
    by_kind = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item.title)
    assert by_kind["break"] == [
        "COFFEE BREAK",
        "LUNCH",
        "COFFEE BREAK",
        "COFFEE BREAK",
        "LUNCH",
        "BREAK",
        "LUNCH",
        "BREAK",
    ]
    assert len(by_kind["session"]) == 6  # openings and closes of days, the guided tour
    assert [i.title for i in AgendaItem.objects.filter(parent__number=18)] == [
        "CAMI Species Focal Points TOR",
        "Technical support TOR",
    ]
    # item 6 heads two rows, either side of lunch on day 1
    assert list(
        AgendaItem.objects.filter(day__meeting__slug=VILM, number=6).values_list("time_text", flat=True)
    ) == ["", "14:00 – 15:30"]
    assert sorted(set(items.exclude(number=None).values_list("number", flat=True))) == list(range(1, 22))


def test_rows_without_a_time_run_in_the_slot_above(seeded):
    day = Meeting.objects.get(slug=VILM).days.order_by("date").first()
    slots = agenda_slots(day.items.order_by("position"))
    first_time, first_rows = slots[0]
    assert first_time == "08:30 – 10:45"
    assert [item.number for item in first_rows] == [1, 2, 3, 4]


def test_the_agenda_documents_and_what_revises_what(seeded):
    meeting = Meeting.objects.get(slug=VILM)
    header = sources.agenda_header()
    documents = {d.symbol or d.title: d for d in meeting.documents.all()}
    assert set(documents) == {
        "UNEP/CMS/CAMI-TW/Doc.1", "UNEP/CMS/CAMI-TW/Doc.1/Rev.1", "UNEP/CMS/CAMI-TW/Doc.2", "UNEP/CMS/CAMI-TW/Doc.3",
        "UNEP/CMS/CAMI-TW/Doc.4", "UNEP/CMS/CAMI-TW/Doc.5", "UNEP/CMS/CAMI-TW/Inf.1",
        "Potential for Community-based Wildlife Management in Central Asia",
    }  # fmt: skip
    assert (
        "UNEP/CMS/CAMI-TW/Doc.1/Rev.1" in header and meeting.document_symbol == "UNEP/CMS/CAMI-TW/Doc.1/Rev.1"
    )
    assert documents["UNEP/CMS/CAMI-TW/Doc.1/Rev.1"].revises == documents["UNEP/CMS/CAMI-TW/Doc.1"]
    assert "(inf.1) under agenda item 15" in documents["UNEP/CMS/CAMI-TW/Doc.1/Rev.1"].description
    # the agenda gives no title for Inf.1: none is made up
    assert documents["UNEP/CMS/CAMI-TW/Inf.1"].title == ""
    assert " ".join(meeting.summary.split()) in " ".join(header.split())
    assert (meeting.start_date, meeting.end_date, meeting.place) == (
        datetime.date(2025, 5, 6),
        datetime.date(2025, 5, 8),
        "Vilm, Germany",
    )


# --- meetings, strategies, versions ---------------------------------------------------------------


def test_meetings_and_what_they_adopted(seeded):
    rows = {
        m.slug: (m.kind, m.place, m.year, m.start_date, [s.slug for s in m.strategies.all()])
        for m in Meeting.objects.prefetch_related("strategies")
    }
    assert rows == {
        "caucasus-leopard-nap-review-workshop-tbilisi-2014": ("workshop", "Tbilisi, Georgia", 2014, None, []),
        "caucasus-leopard-workshop-tbilisi-2017": ("workshop", "Tbilisi, Georgia", 2017, datetime.date(2017, 4, 25), ["caucasus-leopard-2017"]),
        "pl-rsm1-tbilisi-2022": ("range_state_meeting", "Tbilisi, Georgia", 2022, datetime.date(2022, 9, 20), ["persian-leopard-2023-2032"]),
        VILM: ("workshop", "Vilm, Germany", 2025, datetime.date(2025, 5, 6), []),
    }  # fmt: skip
    outcome = MeetingDocument.objects.get(symbol="UNEP/CMS/PL-RS1/Outcome")
    assert (outcome.meeting.slug, outcome.strategy.slug, outcome.kind) == (
        "pl-rsm1-tbilisi-2022",
        "persian-leopard-2023-2032",
        "outcome",
    )
    assert (
        MeetingDocument.objects.get(symbol="UNEP/CMS/CAMI/RS-PL1/Inf.2/Rev.1").languages
        == "English, Persian and Russian"
    )
    for symbol in (
        "UNEP/CMS/PL-RS1/Outcome",
        "UNEP/CMS/CAMI/RS-PL1/Inf.1/Rev.1",
        "UNEP/CMS/CAMI/RS-PL1/Inf.2/Rev.1",
    ):
        assert symbol in sources._text("001")


def test_the_2017_caucasus_strategy_supersedes_the_2007_one_which_is_only_named(seeded):
    old, new = (
        Strategy.objects.get(slug="caucasus-leopard-2007"),
        Strategy.objects.get(slug="caucasus-leopard-2017"),
    )
    assert new.supersedes == old and old.superseded_by == new
    assert (
        [s.slug for s in strategy_versions(old)]
        == [s.slug for s in strategy_versions(new)]
        == ["caucasus-leopard-2007", "caucasus-leopard-2017"]
    )
    assert "Strategy for the Conservation of the Leopard in the Caucasus Ecoregion 2007" in sources._text(
        "000"
    )
    # the slides give nothing else about the 2007 Strategy
    assert (old.period_start, old.adopted_at, old.vision, old.goal) == (None, None, "", "")
    assert not old.objectives.exists() and not old.range_states.exists()


# --- plans ---------------------------------------------------------------------------------------


def test_plans_are_those_the_slides_list_with_their_years(seeded):
    names = {"Armenia": "AM", "Azerbaijan": "AZ", "Georgia": "GE"}
    expected = {(names[c], start, end, year) for c, start, end, year in sources.national_action_plans()}
    seeded_plans = {
        (p.range_state.iso_code, p.period_start, p.period_end, p.year_developed)
        for p in NationalActionPlan.objects.filter(kind="nap")
    }
    assert seeded_plans == expected
    # no plan has a year of adoption: the slides give none
    assert not NationalActionPlan.objects.exclude(year_adopted=None).exists()
    successors = {p.slug: p.supersedes.slug for p in NationalActionPlan.objects.exclude(supersedes=None)}
    assert successors == {
        "armenia-national-action-plan-2020-2030": "armenia-national-action-plan-2010-2020",
        "azerbaijan-national-action-plan-2022-2027": "azerbaijan-national-action-plan-2009-2014",
    }
    roadmap = NationalActionPlan.objects.get(kind="roadmap")
    assert (roadmap.range_state.iso_code, roadmap.strategy, roadmap.period_start, roadmap.year_developed) == (
        "IR",
        None,
        None,
        None,
    )
    assert "implements the Strategy" in roadmap.source_note


def test_the_2014_review(seeded):
    review = PlanReview.objects.get()
    assert (review.year, review.method, review.meeting.place) == (
        2014,
        "a questionnaire and an expert workshop",
        "Tbilisi, Georgia",
    )
    assert "questionnaire and an expert workshop in 2014 (Tbilisi, Georgia)" in sources._text("000")
    assert {p.period_start for p in review.plans_reviewed.all()} == {2009, 2010}
    assert {p.slug for p in review.plans_informed.all()} == {
        "armenia-national-action-plan-2020-2030",
        "azerbaijan-national-action-plan-2022-2027",
    }


# --- species ---------------------------------------------------------------------------------------


def test_persian_leopard_names_are_the_introductions(seeded):
    leopard = Species.objects.get(slug="persian-leopard")
    assert (leopard.scientific_name, leopard.rank, leopard.parent.scientific_name) == (
        "Panthera pardus tulliana",
        "subspecies",
        "Panthera pardus",
    )
    assert [(n.language, n.name) for n in leopard.common_names.order_by("position")] == sources.common_names()
    intro = sources.introduction()
    for synonym in leopard.synonyms.all():
        assert (synonym.as_written or synonym.scientific_name) in intro
        assert synonym.reference in intro
    assert leopard.red_list_category == ""  # the strategy gives none
    rtl = {n.language for n in leopard.common_names.all() if n.is_right_to_left}
    assert rtl == {"Arabic", "Farsi/ Dari", "Kurdish", "Urdu"}


def test_species_of_the_sos_programme_with_their_red_list_category(seeded):
    page = sources.sos_page()
    rows = {
        s.scientific_name: (s.red_list_category, s.rank)
        for s in Species.objects.filter(programmes__slug="sos-central-asia")
    }
    assert rows == {"Panthera uncia": ("VU", "species"), "Gazella subgutturosa": ("VU", "species")}
    assert "both listed as Vulnerable on the IUCN Red List" in page
    for name in rows:
        assert f"({name})" in page


def test_lists_filter_by_species(seeded):
    leopard = Species.objects.get(slug="persian-leopard")
    assert set(Strategy.objects.filter(species=leopard).values_list("slug", flat=True)) == {
        "persian-leopard-2023-2032", "caucasus-leopard-2007", "caucasus-leopard-2017",
    }  # fmt: skip
    assert NationalActionPlan.objects.filter(species=leopard).count() == 6
    assert list(Programme.objects.filter(species__slug="snow-leopard").values_list("slug", flat=True)) == [
        "sos-central-asia"
    ]


# --- the ECP --------------------------------------------------------------------------------------


def test_the_ecp_landscapes_and_thematic_areas(seeded):
    plan = EcoregionalPlan.objects.get()
    assert {(ls.code, ls.name) for ls in plan.landscapes.all()} == set(sources.landscapes().items())
    kinds = {ls.code: ls.kind for ls in plan.landscapes.all()}
    assert {c for c, k in kinds.items() if k == "conservation"} == {str(n) for n in range(1, 14)}
    assert {c for c, k in kinds.items() if k == "bridging"} == set("ABCDEFG")
    # conservation landscapes in their numbering, then the bridging ones
    assert [ls.code for ls in plan.landscapes.all()] == [
        *(str(n) for n in range(1, 14)),
        *"ABCDEFG",
    ]
    assert {a.letter: a.title for a in plan.thematic_areas.all()} == sources.thematic_areas()
    assert (plan.area_km2, plan.targets_year, plan.actions_year) == (sources.area_km2(), 2035, 2025)
    assert "Key Biodiversity Areas (KBAs)" in plan.approach
    # the slides give no target or action texts, and tag no activity with a landscape
    assert not any(area.measures.exists() for area in plan.thematic_areas.all())
    assert not plan.landscapes.filter(activities__isnull=False).exists()


# --- SOS Central Asia ------------------------------------------------------------------------------


def test_the_sos_central_asia_programme(seeded):
    sos = Programme.objects.with_details().get(slug="sos-central-asia")
    page = sources.sos_page()
    assert sos.period_text in page and (sos.starts_on, sos.ends_on) == (
        datetime.date(2018, 11, 1),
        datetime.date(2022, 12, 31),
    )
    assert (sos.grant_count_min, sos.grant_count_max) == (3, 20)
    assert (sos.grant_min_usd, sos.grant_max_usd) == (Decimal(25000), Decimal(200000))
    assert "3 to 20 grants of 25,000 to 200,000 USD each" in page
    assert {s.iso_code for s in sos.range_states.all()} == {"KZ", "KG", "TJ", "UZ"}
    assert sos.range_states_note in page
    assert {o.number: o.text for o in sos.outputs.all()} == sources.sos_outputs()
    assert sorted(o.name for o in sos.members_and_partners.all()) == sorted(sources.sos_members())
    links = {(link.relation, link.target.slug) for link in sos.links.all()}
    assert links == {
        ("nested_in", "save-our-species"),
        ("supports", "cami"),
        ("coordinates_with", "gslep"),
        ("draws_on", "save-our-species"),
        ("draws_on", "ithcp"),
    }
    for link in sos.links.all():
        assert " ".join(link.source_text.split()) in " ".join(page.split())
    # the page names no donor, no manager of SOS Central Asia and no grant: none is made up
    assert sos.managed_by is None and not sos.donors.exists() and not sos.grants.exists()
    # the page's two paragraphs, each in full (it also shows their first lines cut short with "…")
    flat = " ".join(page.split())
    first, second = sos.overview.split(" The SOS Central Asia initiative will be nested")
    assert first in flat and f"The SOS Central Asia initiative will be nested{second}" in flat
