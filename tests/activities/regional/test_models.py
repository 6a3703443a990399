"""The regional models' rules (in the database and in clean()), their querysets' shapes and query
counts, and the tags that let transboundary reporting filter by landscape."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activities.models import (
    Activity,
    AgendaItem,
    CommonName,
    Grant,
    Meeting,
    MeetingDocument,
    NationalActionPlan,
    Programme,
    ProgrammeLink,
    ProgressEntry,
    Species,
    strategy_versions,
)
from tests.factories import (
    ActivityFactory,
    AgendaItemFactory,
    GrantFactory,
    LandscapeFactory,
    MeetingDayFactory,
    MeetingDocumentFactory,
    MeetingForReportsFactory,
    NationalActionPlanFactory,
    ProgrammeFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    SpeciesFactory,
    StrategyFactory,
)


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# --- rules in the database ---------------------------------------------------------------------


def test_the_database_refuses_rows_that_break_the_rules(db):
    day = MeetingDayFactory()
    _refused(
        lambda: AgendaItem.objects.create(
            day=day, position=1, kind="item", number=None, title="Unnumbered item"
        )
    )
    _refused(lambda: AgendaItem.objects.create(day=day, position=2, kind="sub_item", title="Orphan sub-item"))
    _refused(lambda: AgendaItemFactory(day=day, starts_at=datetime.time(11), ends_at=datetime.time(10)))
    _refused(lambda: MeetingDocument.objects.create(meeting=day.meeting, symbol="", title="", kind="working"))
    MeetingDocumentFactory(symbol="UNEP/CMS/X/Doc.1")
    _refused(lambda: MeetingDocumentFactory(symbol="UNEP/CMS/X/Doc.1"))
    _refused(lambda: NationalActionPlanFactory(period_start=2020, period_end=2010))
    programme = ProgrammeFactory()
    _refused(lambda: ProgrammeLink.objects.create(source=programme, relation="supports", target=programme))
    _refused(lambda: ProgrammeFactory(grant_min_usd=Decimal(10), grant_max_usd=Decimal(5)))
    _refused(lambda: GrantFactory(amount_usd=Decimal(-1)))
    _refused(lambda: GrantFactory(starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2024, 1, 1)))


def test_documents_without_a_symbol_may_share_nothing_but_their_meeting(db):
    meeting = MeetingForReportsFactory()
    MeetingDocumentFactory(meeting=meeting, symbol="", title="A study")
    MeetingDocumentFactory(
        meeting=MeetingForReportsFactory(), symbol="", title="A study"
    )  # another meeting's
    _refused(lambda: MeetingDocumentFactory(meeting=meeting, symbol="", title="A study"))


# --- rules in clean() ------------------------------------------------------------------------------


def test_a_plan_supersedes_only_a_plan_of_its_own_range_state(db):
    old = NationalActionPlanFactory()
    plan = NationalActionPlanFactory.build(
        range_state=RangeStateFactory(), supersedes=old, strategy=old.strategy
    )
    with pytest.raises(ValidationError) as excinfo:
        plan.full_clean()
    assert "same Range State" in str(excinfo.value.message_dict["supersedes"])


def test_a_meeting_day_lies_within_the_meetings_dates(db):
    meeting = MeetingForReportsFactory(
        start_date=datetime.date(2025, 5, 6), end_date=datetime.date(2025, 5, 8)
    )
    day = MeetingDayFactory.build(meeting=meeting, date=datetime.date(2025, 5, 9))
    with pytest.raises(ValidationError) as excinfo:
        day.full_clean()
    assert "outside the meeting's dates" in str(excinfo.value.message_dict["date"])


def test_a_sub_item_is_on_its_items_day(db):
    item = AgendaItemFactory()
    other_day = MeetingDayFactory(meeting=item.day.meeting, date=item.day.date + datetime.timedelta(days=1))
    sub = AgendaItem(day=other_day, position=1, kind="sub_item", parent=item, title="Elsewhere")
    with pytest.raises(ValidationError) as excinfo:
        sub.full_clean()
    assert "same day" in str(excinfo.value.message_dict["parent"])


def test_a_meetings_year_follows_its_start_date_and_stands_alone_without_one(db):
    assert MeetingForReportsFactory(start_date=datetime.date(2022, 9, 20)).year == 2022
    assert Meeting.objects.create(slug="only-a-year", name="Workshop", year=2014).year == 2014


@pytest.mark.parametrize(
    ("code", "rtl"),
    [
        ("ar", True),
        ("fa", True),
        ("ur", True),
        ("ku-Arab", True),
        ("ku-Latn", False),
        ("ru", False),
        ("hy", False),
        ("", False),
    ],
)
def test_common_names_know_their_writing_direction(code, rtl):
    assert CommonName(language="x", language_code=code, name="x").is_right_to_left is rtl


# --- querysets ---------------------------------------------------------------------------------


def test_plans_in_force_include_plans_being_revised_within_their_period(db):
    as_of = datetime.date(2025, 6, 1)
    current = NationalActionPlanFactory(period_start=2020, period_end=2026)
    NationalActionPlanFactory(range_state=current.range_state, supersedes=current)  # revision in preparation
    lapsed = NationalActionPlanFactory(period_start=2010, period_end=2014)
    NationalActionPlanFactory(range_state=lapsed.range_state, supersedes=lapsed)
    plain = NationalActionPlanFactory(period_start=2024)  # open-ended
    statuses = {p.pk: (p.status, p.in_force) for p in NationalActionPlan.objects.with_status(as_of=as_of)}
    assert statuses[current.pk] == ("being_revised", True)
    assert statuses[lapsed.pk] == ("being_revised", False)
    assert statuses[plain.pk] == ("in_force", True)
    assert set(NationalActionPlan.objects.in_force(as_of=as_of).values_list("pk", flat=True)) == {
        current.pk,
        plain.pk,
    }


def test_plans_concerning_a_strategy_are_those_of_its_versions_and_its_species(db):
    old = StrategyFactory()
    new = StrategyFactory(supersedes=old)
    cat = SpeciesFactory()
    new.species.add(cat)
    by_old, by_new = NationalActionPlanFactory(strategy=old), NationalActionPlanFactory(strategy=new)
    by_species = NationalActionPlanFactory(strategy=None)
    by_species.species.add(cat)
    unrelated = NationalActionPlanFactory()
    concerning = set(NationalActionPlan.objects.concerning(new))
    assert concerning == {by_old, by_new, by_species}
    assert unrelated not in concerning


def test_strategy_versions_run_oldest_first_from_any_version(db):
    first = StrategyFactory()
    second = StrategyFactory(supersedes=first)
    third = StrategyFactory(supersedes=second)
    for version in (first, second, third):
        assert strategy_versions(version) == [first, second, third]
    alone = StrategyFactory()
    assert strategy_versions(alone) == [alone]
    # a cycle entered by mistake ends the walk instead of looping
    first.supersedes = third
    first.save()
    assert set(strategy_versions(first)) == {first, second, third}


@pytest.mark.parametrize("rows", [1, 10])
def test_a_meetings_agenda_loads_in_a_flat_number_of_queries(db, django_assert_num_queries, rows):
    meeting = MeetingForReportsFactory()
    day = MeetingDayFactory(meeting=meeting)
    for _ in range(rows):
        item = AgendaItemFactory(day=day)
        item.documents.add(MeetingDocumentFactory(meeting=meeting))
    StrategyFactory(adopted_at=meeting)
    # meetings, days, their items, the items' documents, the meeting's documents, strategies adopted
    with django_assert_num_queries(6):
        (loaded,) = Meeting.objects.filter(pk=meeting.pk).with_agenda()
        items = [
            (i.title, [d.symbol for d in i.documents.all()]) for d in loaded.days.all() for i in d.items.all()
        ]
        documents = [(d.symbol, d.revises) for d in loaded.documents.all()]
        strategies = list(loaded.strategies.all())
    assert len(items) == rows and len(documents) == rows and len(strategies) == 1


@pytest.mark.parametrize("rows", [1, 10])
def test_species_and_programmes_load_with_their_details_in_flat_queries(db, django_assert_num_queries, rows):
    for _ in range(rows):
        species = SpeciesFactory(parent=SpeciesFactory())
        species.synonyms.create(scientific_name=f"{species.scientific_name} x")
        species.common_names.create(language="Russian", name="кошка")
        programme = ProgrammeFactory()
        programme.species.add(species)
        programme.outputs.create(number=1, text="Output.")
        ProgrammeLink.objects.create(source=programme, relation="supports", target=ProgrammeFactory())
    # species joined to parent, synonyms, common names
    with django_assert_num_queries(3):
        names = [
            (s.parent, list(s.synonyms.all()), list(s.common_names.all()))
            for s in Species.objects.with_names()
        ]
    assert len(names) == 2 * rows
    # programmes joined to manager; donors, members, species with parent, Range States, outputs,
    # links (with targets), links to it (with sources)
    with django_assert_num_queries(8):
        details = [
            (p.managed_by, list(p.donors.all()), list(p.members_and_partners.all()), [s.parent for s in p.species.all()],
             list(p.range_states.all()), list(p.outputs.all()), [k.target for k in p.links.all()], [k.source for k in p.linked_from.all()])
            for p in Programme.objects.with_details()
        ]  # fmt: skip
    assert len(details) == 2 * rows


# --- landscapes: transboundary reporting filters by them ---------------------------------------------


def test_activities_and_progress_entries_filter_by_landscape(db):
    landscape, other = LandscapeFactory(name="Western Lesser Caucasus"), LandscapeFactory()
    tagged, untagged = ActivityFactory(), ActivityFactory()
    landscape.activities.add(tagged)
    entry, other_entry = ProgressEntryFactory(activity=tagged), ProgressEntryFactory(activity=tagged)
    landscape.progress_entries.add(entry)
    other.progress_entries.add(other_entry)
    assert list(Activity.objects.filter(landscapes=landscape)) == [tagged]
    assert list(ProgressEntry.objects.filter(landscapes=landscape)) == [entry]
    assert untagged not in Activity.objects.filter(landscapes__isnull=False)
    counts = {
        ls.pk: (ls.activity_count, ls.progress_entry_count)
        for ls in type(landscape).objects.with_tag_counts()
    }
    assert counts == {landscape.pk: (1, 1), other.pk: (0, 1)}


def test_grants_filter_by_species_and_strategy(db):
    cat = SpeciesFactory()
    grant = GrantFactory()
    grant.species.add(cat)
    activity = ActivityFactory()
    grant.lines.create(activity=activity, amount_usd=Decimal(5))
    GrantFactory()
    assert list(Grant.objects.filter(species=cat)) == [grant]
    assert list(Grant.objects.funding_strategy(activity.strategy)) == [grant]
