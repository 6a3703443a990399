"""The admin for the regional picture (species, meetings' agendas and documents, plan reviews,
ecoregional plans and landscapes, funding): every page loads, changelists stay flat as rows grow,
and the grant lines refuse what the funding gap could not read."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin

from activities.models import (
    Activity,
    AgendaItem,
    CommonName,
    EcoregionalMeasure,
    EcoregionalPlan,
    Grant,
    GrantActivity,
    Landscape,
    MeetingDay,
    MeetingDocument,
    Organisation,
    PlanReview,
    Programme,
    ProgrammeLink,
    ProgrammeOutput,
    Species,
    SpeciesSynonym,
    ThematicArea,
)
from tests.factories import (
    ActivityFactory,
    AgendaItemFactory,
    GrantActivityFactory,
    GrantFactory,
    LandscapeFactory,
    MeetingDocumentFactory,
    NationalActionPlanFactory,
    OrganisationFactory,
    PlanReviewFactory,
    ProgrammeFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    SpeciesFactory,
    StrategyFactory,
    ThematicAreaFactory,
)

from .rows import admin_url, listed

MODULES = (
    "activities.admin.species",
    "activities.admin.meetings",
    "activities.admin.ecoregional",
    "activities.admin.funding",
)


def species_with_links():
    # One parent for all, so that the changelist lists as many species as were built.
    parent = SpeciesFactory(slug="parent-species", common_name="Parent", scientific_name="Felis")
    species = SpeciesFactory(parent=parent, rank=Species.Rank.SUBSPECIES)
    species.strategies.add(StrategyFactory(), StrategyFactory())
    species.synonyms.create(scientific_name=f"{species.scientific_name} alter", position=1)
    species.common_names.create(language="Russian", language_code="ru", name="леопард", position=1)
    return species


def agenda_item_with_documents():
    item = AgendaItemFactory()
    item.documents.add(
        MeetingDocumentFactory(meeting=item.day.meeting), MeetingDocumentFactory(meeting=item.day.meeting)
    )
    return item


def plan_review():
    review = PlanReviewFactory()
    review.plans_reviewed.add(NationalActionPlanFactory(), NationalActionPlanFactory())
    return review


def landscape_with_tags():
    landscape = LandscapeFactory()
    landscape.activities.add(ActivityFactory())
    landscape.progress_entries.add(ProgressEntryFactory())
    return landscape


def measure():
    return EcoregionalMeasure.objects.create(
        thematic_area=ThematicAreaFactory(), kind="target", code="1", text="A target."
    )


def programme_with_links(*, link=False):
    programme = ProgrammeFactory()
    programme.species.add(SpeciesFactory(), SpeciesFactory())
    programme.outputs.create(number=1, text="An output.")
    if link:
        ProgrammeLink.objects.create(source=programme, relation="supports", target=ProgrammeFactory())
    return programme


def grant_with_lines():
    grant = GrantFactory(amount_usd=Decimal(50000))
    grant.range_states.add(RangeStateFactory(), RangeStateFactory())
    GrantActivityFactory(grant=grant, amount_usd=Decimal(1000))
    return grant


ROW_BUILDERS = {
    Species: species_with_links,
    SpeciesSynonym: lambda: species_with_links().synonyms.get(),
    CommonName: lambda: species_with_links().common_names.get(),
    MeetingDay: lambda: AgendaItemFactory().day,
    AgendaItem: agenda_item_with_documents,
    MeetingDocument: lambda: MeetingDocumentFactory(strategy=StrategyFactory()),
    PlanReview: plan_review,
    EcoregionalPlan: lambda: LandscapeFactory().plan,
    Landscape: landscape_with_tags,
    ThematicArea: ThematicAreaFactory,
    EcoregionalMeasure: measure,
    Organisation: OrganisationFactory,
    Programme: programme_with_links,
    ProgrammeOutput: lambda: programme_with_links().outputs.get(),
    ProgrammeLink: lambda: programme_with_links(link=True).links.get(),
    Grant: grant_with_lines,
    GrantActivity: lambda: grant_with_lines().lines.get(),
}


def registered_here():
    return {
        model
        for model, model_admin in admin.site._registry.items()
        if type(model_admin).__module__ in MODULES
    }


def test_every_model_registered_here_has_a_row_builder():
    assert registered_here() == set(ROW_BUILDERS)


@pytest.mark.parametrize("model", ROW_BUILDERS, ids=lambda model: model.__name__)
def test_changelist_add_and_change_pages_load(staff_client, model):
    obj = ROW_BUILDERS[model]()
    for url in (admin_url(model, "changelist"), admin_url(model, "change", obj.pk), admin_url(model, "add")):
        assert staff_client.get(url).status_code == 200, url


# Every count starts with the session and the logged-in user, and has the admin's two counts (rows
# matching the filters, and all rows for "N total"); the rest is named per model.
CHANGELIST_QUERIES = [
    # strategy filter choices; species joined to their parent; strategies (prefetch)
    pytest.param(Species, 7, id="Species"),
    # species filter choices; synonyms joined to species
    pytest.param(SpeciesSynonym, 6, id="SpeciesSynonym"),
    # species filter choices, distinct languages; names joined to species
    pytest.param(CommonName, 7, id="CommonName"),
    # meeting filter choices; days joined to meeting, with row counts
    pytest.param(MeetingDay, 6, id="MeetingDay"),
    # meeting filter choices; rows joined to day and meeting; documents (prefetch)
    pytest.param(AgendaItem, 7, id="AgendaItem"),
    # meeting filter choices; documents joined to meeting, revised document and strategy
    pytest.param(MeetingDocument, 6, id="MeetingDocument"),
    # distinct years and meeting filter choices; reviews joined to meeting; plans reviewed (prefetch)
    pytest.param(PlanReview, 8, id="PlanReview"),
    # distinct target years; plans with landscape counts
    pytest.param(EcoregionalPlan, 6, id="EcoregionalPlan"),
    # plan filter choices; landscapes joined to plan with tag counts
    pytest.param(Landscape, 6, id="Landscape"),
    # plan filter choices; areas joined to plan
    pytest.param(ThematicArea, 6, id="ThematicArea"),
    # plan filter choices; measures joined to area and plan
    pytest.param(EcoregionalMeasure, 6, id="EcoregionalMeasure"),
    # programme filter choices; organisations
    pytest.param(Organisation, 6, id="Organisation"),
    # species and Range State filter choices; programmes joined to manager; species (prefetch)
    pytest.param(Programme, 8, id="Programme"),
    # programme filter choices; outputs joined to programme
    pytest.param(ProgrammeOutput, 6, id="ProgrammeOutput"),
    # links joined to both programmes
    pytest.param(ProgrammeLink, 5, id="ProgrammeLink"),
    # programme, Range State and species filter choices; grants joined to programme, donor and grantee;
    # Range States (prefetch)
    pytest.param(Grant, 9, id="Grant"),
    # strategy and Range State filter choices; lines joined to grant, activity with strategy, Range State
    pytest.param(GrantActivity, 7, id="GrantActivity"),
]


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.parametrize(("model", "queries"), CHANGELIST_QUERIES)
def test_changelist_query_count_is_flat(staff_client, django_assert_num_queries, model, queries, rows):
    for _ in range(rows):
        ROW_BUILDERS[model]()
    url = admin_url(model, "changelist")
    with django_assert_num_queries(queries):
        response = staff_client.get(url)
    assert response.status_code == 200
    # species list their shared parent too
    assert len(listed(response)) == rows + (model is Species)


def test_changelist_query_counts_cover_every_model_registered_here():
    assert {param.values[0] for param in CHANGELIST_QUERIES} == registered_here()


# --- grant lines --------------------------------------------------------------------------------


def _grant_form(grant, lines):
    data = {
        "slug": grant.slug,
        "title": grant.title,
        "amount_usd": str(grant.amount_usd),
        "starts_on": "2024-01-01",
        "ends_on": "2025-12-31",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, (activity, state, amount) in enumerate(lines):
        data[f"lines-{i}-activity"] = str(activity.pk)
        data[f"lines-{i}-range_state"] = str(state.pk) if state else ""
        data[f"lines-{i}-amount_usd"] = amount
    return data


@pytest.fixture
def grant_and_activities(db):
    strategy = StrategyFactory()
    state = RangeStateFactory()
    strategy.range_states.add(state)
    whole = ActivityFactory(result__objective__strategy=strategy)
    per_country = ActivityFactory(
        result__objective__strategy=strategy,
        cost_text="10,000 per country",
        cost_kind=Activity.CostKind.AMOUNT,
        cost_usd=Decimal(10000),
        cost_per_country=True,
    )
    grant = GrantFactory(amount_usd=Decimal(5000), starts_on=datetime.date(2024, 1, 1))
    return grant, state, whole, per_country


def test_grant_lines_are_saved_from_the_grant_page(staff_client, grant_and_activities):
    grant, state, whole, per_country = grant_and_activities
    response = staff_client.post(
        admin_url(Grant, "change", grant.pk),
        _grant_form(grant, [(whole, None, "2000"), (per_country, state, "3000")]),
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert {(line.activity_id, line.amount_usd) for line in grant.lines.all()} == {
        (whole.pk, Decimal(2000)),
        (per_country.pk, Decimal(3000)),
    }


def test_grant_lines_adding_up_to_more_than_the_grant_are_refused(staff_client, grant_and_activities):
    grant, state, whole, per_country = grant_and_activities
    response = staff_client.post(
        admin_url(Grant, "change", grant.pk),
        _grant_form(grant, [(whole, None, "4000"), (per_country, state, "3000")]),
    )
    assert response.status_code == 200
    assert "more than the grant" in response.content.decode()
    assert not grant.lines.exists()


def test_a_grant_line_for_a_per_country_cost_without_a_range_state_is_refused(
    staff_client, grant_and_activities
):
    grant, *_, per_country = grant_and_activities
    response = staff_client.post(
        admin_url(Grant, "change", grant.pk), _grant_form(grant, [(per_country, None, "100")])
    )
    assert response.status_code == 200
    assert "say which Range State this funding is for" in response.content.decode()
    assert not grant.lines.exists()
