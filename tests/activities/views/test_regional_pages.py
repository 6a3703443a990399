"""The public pages of the regional picture: the meeting list, species, the Ecoregional Conservation Plan
and its landscapes, and funding. Seeded pages are checked against values read off the source texts by
hand; factory-built pages check what the seed has none of (grants, tagged activities) and that query
counts stay flat; drafts and restricted details never appear; hostile slugs are 404s."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import ProgressEntry, RangeState
from tests.factories import (
    ActivityFactory,
    EcoregionalPlanFactory,
    GrantActivityFactory,
    GrantFactory,
    LandscapeFactory,
    MeetingDocumentFactory,
    MeetingForReportsFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SpeciesFactory,
    ThematicAreaFactory,
)


def page(client, name, *args, **params):
    response = client.get(reverse(f"activities:{name}", args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def row_of(html, text):
    """The table row that contains `text`, as one string."""
    rows = [row for row in re.findall(r"<tr.*?</tr>", html, flags=re.S) if text in row]
    assert len(rows) == 1, rows
    return rows[0]


def text_of(html):
    """The text a reader sees: inline elements run on, block ones and cells are spaced apart."""
    inline = re.sub(r"</?(?:a|abbr|bdi|i|span|time|strong)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline))


# --- meetings ----------------------------------------------------------------------------------------


def test_seeded_meeting_list_gives_dates_places_kinds_and_document_counts(seeded, client):
    html = page(client, "meeting-list")
    assert "4 meetings, earliest first" in html
    vilm = text_of(row_of(html, "cami-technical-workshop-vilm-2025"))
    assert "6–8 May 2025" in vilm and "Vilm, Germany" in vilm and "Workshop" in vilm
    assert vilm.strip().endswith("8")  # Doc.1, Doc.1/Rev.1, Doc.2-Doc.5, Inf.1 and the study
    tbilisi = text_of(row_of(html, "pl-rsm1-tbilisi-2022"))
    assert "20–22 September 2022" in tbilisi and "Tbilisi, Georgia" in tbilisi
    assert tbilisi.strip().endswith("4")
    review = text_of(row_of(html, "caucasus-leopard-nap-review-workshop-tbilisi-2014"))
    assert "2014 (the sources give no dates)" in review and "none listed" in review
    # earliest first: the 2014 workshop (year only) before 2022 before 2025
    assert html.index("tbilisi-2014") < html.index("pl-rsm1-tbilisi-2022") < html.index("vilm-2025")


def test_meeting_pages_link_back_to_the_meeting_list(seeded, client):
    html = page(client, "meeting-detail", "pl-rsm1-tbilisi-2022")
    assert reverse("activities:meeting-list") in html


@pytest.mark.parametrize("rows", [1, 10])
def test_meeting_list_query_count_is_flat(db, client, django_assert_num_queries, rows):
    for _ in range(rows):
        MeetingDocumentFactory(meeting=MeetingForReportsFactory())
    with django_assert_num_queries(1):  # the meetings with their document counts
        html = page(client, "meeting-list")
    assert html.count("<tr><td>") == rows


# --- species -----------------------------------------------------------------------------------------


def test_seeded_species_list_names_each_with_rank_and_red_list_category(seeded, client):
    html = page(client, "species-list")
    snow = text_of(row_of(html, "/species/snow-leopard/"))
    assert "Panthera uncia" in snow and "Vulnerable (VU)" in snow
    persian = text_of(row_of(html, "/species/persian-leopard/"))
    assert "Panthera pardus tulliana" in persian and "Subspecies" in persian
    assert "subspecies of Panthera pardus" in persian and "Not given in the sources." in persian


def test_seeded_persian_leopard_page_gives_synonyms_common_names_and_strategies(seeded, client):
    html = page(client, "species-detail", "persian-leopard")
    assert "Panthera pardus saxicolor" in html and "Panthera pardus ciscaucasica" in html
    assert "written in the source as “ciscaucasica”" in html and "Kitchener et al 2017" in html
    assert html.count('<span class="name" lang=') == 11
    assert '<span class="name" lang="fa" dir="rtl">پلنگ ایرانی/ پلنگ فارسی</span>' in html
    assert '<span class="name" lang="ku-Arab" dir="rtl">پلنگی فارسی</span>' in html
    assert '<span class="name" lang="ru" dir="ltr">переднеазиатский леопард</span>' in html
    assert reverse("activities:strategy-detail", args=["persian-leopard-2023-2032"]) in html
    assert reverse("activities:species-detail", args=["leopard"]) in html  # the parent species
    # the strategy gives no Red List category for the subspecies, and the page says so
    red_list = html[html.index("IUCN Red List category") :]
    assert text_of(red_list).split(" Distribution")[0].strip().endswith("Not given in the sources.")
    assert "No programme or grant recorded for this species." in html


def test_seeded_snow_leopard_page_gives_its_category_and_source_and_the_programme(seeded, client):
    html = page(client, "species-detail", "snow-leopard")
    assert "Vulnerable (" in html and "both listed as Vulnerable on the" in html
    assert reverse("activities:programme-detail", args=["sos-central-asia"]) in html
    assert "The sources give none." in html  # no synonyms
    assert "No strategy recorded for this species." in html


@pytest.mark.parametrize("rows", [1, 10])
def test_species_pages_query_counts_are_flat(db, client, django_assert_num_queries, rows):
    parent = SpeciesFactory(slug="felid")
    species = SpeciesFactory(slug="flat-cat", parent=parent)
    for n in range(rows):
        species.synonyms.create(position=n, scientific_name=f"Felis synonymus{n}")
        species.common_names.create(
            position=n, language=f"Language {n}", language_code="fa", name=f"پلنگ {n}"
        )
        species.strategies.add(ActivityFactory().strategy)
        species.grants.add(GrantFactory())
        SpeciesFactory(parent=species)
    with django_assert_num_queries(1):  # the species with their parents
        page(client, "species-list")
    # the species and parent; synonyms; common names; subspecies; strategies; plans; programmes; grants
    with django_assert_num_queries(8):
        html = page(client, "species-detail", "flat-cat")
    assert html.count('dir="rtl">پلنگ') == rows


# --- the ecoregional plan and landscapes -------------------------------------------------------------


def test_seeded_ecoregional_plan_page_gives_landscapes_areas_area_and_approach(seeded, client):
    assert reverse("activities:ecoregionalplan-detail", args=["ecp-caucasus-2020"]) in page(
        client, "ecoregionalplan-list"
    )
    html = page(client, "ecoregionalplan-detail", "ecp-caucasus-2020")
    assert "13 Conservation Landscapes" in html and "7 Bridging Landscapes" in html
    conservation = html[html.index('id="conservation-landscapes"') : html.index('id="bridging-landscapes"')]
    assert conservation.count("<tr><td>") == 13
    assert conservation.index(">Kuma-Manych<") < conservation.index(">Hyrcan<")
    assert html[html.index('id="bridging-landscapes"') :].count("<tr><td>") == 7
    assert "586,800 km²" in html
    assert "Key Biodiversity Areas (KBAs) approach" in html
    assert "Targets for 2035 and Actions by 2025" in html
    assert "The Ecological Network – Promotion and Development" in html
    assert html.count("The sources give no target or action texts for this thematic area.") == 4


def test_landscape_by_code_redirects_to_its_plan_and_unknown_codes_are_404(seeded, client):
    response = client.get("/landscapes/13/")
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:landscape-detail", args=["ecp-caucasus-2020", "13"])
    html = client.get(response["Location"]).content.decode()
    assert "Hyrcan" in html and "Conservation Landscape" in html
    assert "No activity has been tagged with this landscape yet." in html
    assert "The sources do not say which countries this landscape lies in." in html
    for hostile in ["/landscapes/99/", "/landscapes/%3Cscript%3E/", "/landscapes/1%27%20OR%201=1/"]:
        assert client.get(hostile).status_code == 404
    assert client.get("/ecoregional-plans/ecp-caucasus-2020/landscapes/Z/").status_code == 404
    assert client.get("/ecoregional-plans/no-such-plan/").status_code == 404


def test_a_code_two_plans_share_is_not_guessed(db, client):
    LandscapeFactory(code="1")
    LandscapeFactory(code="1")
    assert client.get("/landscapes/1/").status_code == 404


def test_landscape_page_shows_only_approved_statuses_never_drafts_or_restricted_details(world, client):
    landscape = LandscapeFactory(code="5", name="Caspian")
    landscape.activities.add(world.activity)
    world.approved(status=ProgressEntry.Status.COMPLETED, restricted_details="Den at N39.1 E46.2")
    world.submitted(
        user=world.focal_ir, state=world.ir, status=ProgressEntry.Status.DELAYED, narrative="Pending text"
    )
    landscape.progress_entries.add(*ProgressEntry.objects.all())
    html = page(client, "landscape-detail", landscape.plan.slug, "5")
    armenia = text_of(row_of(html, "Armenia"))
    assert "Completed" in armenia
    iran = text_of(row_of(html, "Iran"))
    assert "Not reported" in iran and "none approved" in iran
    assert "Delayed" not in html and "Pending text" not in html
    assert "N39.1" not in html and "Den at" not in html
    assert reverse("activities:activity-detail", args=["persian-leopard", "1.1.1"]) in html


@pytest.mark.parametrize("rows", [1, 10])
def test_landscape_and_plan_pages_query_counts_are_flat(world, client, django_assert_num_queries, rows):
    plan = EcoregionalPlanFactory(slug="flat-plan")
    landscape = LandscapeFactory(plan=plan, code="1")
    for n in range(rows):
        activity = ActivityFactory(result=world.result, code=f"1.1.{n + 2}")
        landscape.activities.add(activity)
        world.approved(activity=activity)
        LandscapeFactory(plan=plan, kind="bridging", code=chr(65 + n))
        ThematicAreaFactory(plan=plan).measures.create(kind="target", code=f"T{n}", text=f"Target {n}")
    other = ActivityFactory()  # an activity of another strategy, with other Range States
    other.strategy.range_states.add(RangeState.objects.create(iso_code="TM", name="Turkmenistan"))
    landscape.activities.add(other)
    # the landscape with its plan; the activities with their strategies; the strategies' Range States;
    # the latest approved statuses
    with django_assert_num_queries(4):
        html = page(client, "landscape-detail", "flat-plan", "1")
    assert html.count('<article class="activity"') == rows + 1
    assert "Turkmenistan" in html
    # the plan; landscapes with their tag counts; thematic areas; their targets and actions
    with django_assert_num_queries(4):
        html = page(client, "ecoregionalplan-detail", "flat-plan")
    assert html.count("<strong>Target") == rows


# --- funding -----------------------------------------------------------------------------------------


def test_seeded_funding_page_lists_programmes_organisations_and_says_no_grant_is_recorded(seeded, client):
    html = page(client, "funding")
    assert reverse("activities:programme-detail", args=["sos-central-asia"]) in html
    assert "Save Our Species – Central Asia" in html
    assert "Association for the Conservation of Biodiversity of Kazakhstan" in html
    assert "No grant has been recorded: the sources describe programmes but name no grant" in html


def test_seeded_sos_central_asia_page_gives_every_field_the_source_gives(seeded, client):
    html = page(client, "programme-detail", "sos-central-asia")
    text = text_of(html)
    assert "Nov, 2018 - Dec, 2022" in text
    assert "3 to 20 grants" in text
    assert "USD 25,000 to USD 200,000" in text
    assert "Panthera uncia" in text and "Gazella subgutturosa" in text and "Vulnerable" in text
    members = html[html.index("Members and partners</h2>") :]
    assert members[: members.index("</ul>")].count("<li") == 7
    outputs = html[html.index("Outputs</h2>") :]
    assert outputs[: outputs.index("</ol>")].count("<li") == 3
    assert reverse("activities:programme-detail", args=["cami"]) in html
    assert "The sources name no grant made under this programme." in html


def test_grant_page_gives_amounts_period_states_species_and_funded_activities(world, client):
    species = SpeciesFactory(slug="persian-leopard-test", common_name="Persian Leopard")
    grant = GrantFactory(slug="khosrov-cameras", title="Khosrov camera traps", amount_usd=Decimal("50000"))
    grant.range_states.set([world.am])
    grant.species.set([species])
    GrantActivityFactory(grant=grant, activity=world.activity, range_state=world.am, amount_usd=12500)
    html = page(client, "grant-detail", "khosrov-cameras")
    text = text_of(html)
    assert "USD 50,000" in text and "USD 12,500" in text
    assert "1 January 2024" in text and "31 December 2025" in text
    assert "Armenia" in text and "Persian Leopard" in text
    assert world.activity.get_absolute_url() in html
    assert reverse("activities:programme-detail", args=[grant.programme.slug]) in html
    listed = page(client, "funding")
    assert reverse("activities:grant-detail", args=["khosrov-cameras"]) in listed


def test_a_grant_the_sources_say_little_about_says_so(db, client):
    GrantFactory(slug="bare", programme=None, donor=None, grantee=None, starts_on=None, ends_on=None)
    html = page(client, "grant-detail", "bare")
    assert html.count("Not given in the sources.") == 6  # programme, donor, grantee, amount, states, species
    assert "The sources do not say which activities this grant funds." in html


@pytest.mark.parametrize("rows", [1, 10])
def test_funding_pages_query_counts_are_flat(db, client, django_assert_num_queries, rows):
    programme = ProgrammeFactory(slug="flat-programme")
    grant = GrantFactory(slug="flat-grant", programme=programme)
    for n in range(rows):
        OrganisationFactory()
        GrantFactory(programme=programme)
        programme.members_and_partners.add(OrganisationFactory())
        programme.outputs.create(number=n + 1, text=f"Output {n}")
        GrantActivityFactory(grant=grant)
    # programmes with their managers; grants with programme, donor and grantee; organisations
    with django_assert_num_queries(3):
        page(client, "funding")
    # the programme and manager; donors; members; species; Range States; outputs; links both ways; grants
    with django_assert_num_queries(9):
        page(client, "programme-detail", "flat-programme")
    # the grant with programme, donor, grantee; Range States; species; lines with activity, strategy, state
    with django_assert_num_queries(4):
        html = page(client, "grant-detail", "flat-grant")
    assert html.count("not split out") == rows


@pytest.mark.parametrize(
    "path",
    [
        "/species/no-such-species/",
        "/species/%3Cscript%3E/",
        "/funding/grants/no-such-grant/",
        "/funding/programmes/%27%20OR%201%3D1/",
        "/ecoregional-plans/..%2F/",
        "/meetings/" + "x" * 500 + "/",
    ],
)
def test_unknown_or_hostile_slugs_are_404s(db, client, path):
    assert client.get(path).status_code == 404


# --- species and landscape filters on the HTML lists -------------------------------------------------


def test_strategy_list_filters_by_species_as_the_api_does(db, client):
    from tests.factories import StrategyFactory

    leopard, gazelle = SpeciesFactory(slug="leopard-x"), SpeciesFactory(slug="gazelle-x")
    StrategyFactory(slug="leopard-strategy", title="Leopard strategy").species.add(leopard)
    StrategyFactory(slug="gazelle-strategy", title="Gazelle strategy").species.add(gazelle)
    StrategyFactory(slug="no-species-strategy", title="Other strategy")
    html = page(client, "strategy-list", species="leopard-x")
    assert "/strategies/leopard-strategy/" in html
    assert "/strategies/gazelle-strategy/" not in html and "/strategies/no-species-strategy/" not in html
    assert '<option value="leopard-x" selected>' in html
    both = client.get(reverse("activities:strategy-list") + "?species=leopard-x&species=gazelle-x")
    assert both.content.decode().count('<article class="card"') == 2
    assert page(client, "strategy-list").count('<article class="card"') == 3


def test_strategy_list_says_which_species_filter_value_it_does_not_know(db, client):
    from tests.factories import StrategyFactory

    StrategyFactory(slug="some-strategy")
    for hostile in ["no-such-species", "<script>alert(1)</script>", "x" * 5000, "' OR 1=1 --"]:
        response = client.get(reverse("activities:strategy-list"), {"species": hostile})
        assert response.status_code == 400
        html = response.content.decode()
        assert "This filter cannot be applied:" in html and "is not one of the available choices" in html
        assert "/strategies/some-strategy/" not in html  # nothing listed, rather than everything
        assert "<script>alert" not in html


def test_strategy_page_search_filters_by_landscape_as_the_api_does(world, client):
    landscape = LandscapeFactory(code="12", name="Arasbaran")
    landscape.activities.add(world.activity)
    untagged = ActivityFactory(result=world.result, code="1.1.2", text="Train rangers.")
    url = reverse("activities:strategy-detail", args=["persian-leopard"])
    html = client.get(url, {"landscape": "12"}).content.decode()
    assert "1 activity tagged with the chosen landscape" in html
    assert world.activity.get_absolute_url() in html and untagged.get_absolute_url() not in html
    assert '<option value="12" selected>' in html
    html = client.get(url, {"landscape": "12", "q": "rangers"}).content.decode()
    assert "0 activities match “rangers”" in html
    response = client.get(url, {"landscape": "99"})
    assert response.status_code == 400
    assert "99 is not one of the available choices" in response.content.decode()
    assert client.get(url, {"landscape": ""}).status_code == 200  # "Any landscape"
