"""The national report's pages: the focal point writes and submits it, the Secretariat accepts or
returns it, a round's overview lists each state's report; outsiders are refused, restricted details
never appear, and the query counts stay flat as activities and states grow."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import NationalReport, ProgressEntry, ReportComment
from tests.factories import ActivityFactory, FocalPointFactory, RangeStateFactory, UserFactory

from .pages import RS, signed_in

NRS = NationalReport.Status

SECTIONS = {
    "prepared_by": "A. Malkhasyan",
    "contributors_text": "WWF Armenia",
    "contacts": "focal@example.am",
    "achievements": "Camera traps in Khosrov.",
    "challenges": "Poaching of prey.",
    "needs": "Rangers.",
    "way_forward": "Zangezur survey.",
    "nap_status": "Drafted.",
}


def page(world, state=None):
    return reverse("activities:national-report", args=[world.round.pk, (state or world.am).iso_code.lower()])


def overview(world):
    return reverse("activities:national-report-list", args=[world.round.pk])


def saved(world, user=None, **fields):
    return services.national_report_save(
        user=user or world.focal_am,
        reporting_round=world.round,
        range_state=world.am,
        expected_version=0,
        **(SECTIONS | fields),
    )


@pytest.mark.django_db
def test_the_focal_point_starts_the_report_from_its_page(client, world):
    signed_in(client, world.focal_am)
    response = client.get(page(world))
    assert response.status_code == 200
    assert "Not started" in response.content.decode()

    response = client.post(page(world), {"step": "save", "version": 0, **SECTIONS})

    assert response.status_code == 302
    report = NationalReport.objects.get()
    assert report.status == NRS.IN_PREPARATION and report.achievements == "Camera traps in Khosrov."


@pytest.mark.django_db
def test_hostile_text_is_refused_on_the_field_and_kept_in_the_form(client, world):
    signed_in(client, world.focal_am)
    response = client.post(page(world), {"step": "save", "version": 0, **SECTIONS, "needs": "Rangers\x07"})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["needs"][0].code == "control_characters"
    assert not NationalReport.objects.exists()
    # markup comes back escaped, never as markup
    response = client.post(page(world), {"step": "save", "version": 0, **SECTIONS, "needs": "<b>x</b>"})
    response = client.get(page(world))
    assert "<b>x</b>" not in response.content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()


@pytest.mark.django_db
def test_a_stale_edit_is_shown_as_a_conflict_and_saves_nothing(client, world):
    saved(world)
    signed_in(client, world.focal_am)
    client.post(page(world), {"step": "save", "version": 1, **SECTIONS, "needs": "First"})
    response = client.post(page(world), {"step": "save", "version": 1, **SECTIONS, "needs": "Second"})
    assert response.status_code == 200
    assert "changed by focal-am while you were editing" in response.content.decode()
    assert NationalReport.objects.get().needs == "First"


@pytest.mark.django_db
def test_another_states_focal_point_and_visitors_are_refused(client, world):
    saved(world)
    signed_in(client, world.focal_ir)
    assert client.get(page(world)).status_code == 403
    response = client.post(page(world), {"step": "save", "version": 1, **SECTIONS, "needs": "Hijacked"})
    assert response.status_code == 403
    assert NationalReport.objects.get().needs == SECTIONS["needs"]
    # the overview lists their own state only
    response = client.get(overview(world))
    assert [row["state"] for row in response.context["rows"]] == [world.ir]
    client.logout()
    assert client.get(page(world)).status_code == 302  # to sign in
    signed_in(client, UserFactory(username="partner"))
    assert client.get(overview(world)).status_code == 403


@pytest.mark.django_db
def test_submitting_lists_the_drafts_and_submits_them_with_the_report(client, world):
    saved(world)
    draft = world.entry(restricted_details="Den at grid 38S 512 4410")
    signed_in(client, world.focal_am)
    response = client.get(page(world))
    content = response.content.decode()
    assert "Den at grid" not in content  # restricted details are not on the report's page
    assert response.context["with_the_reporter"] == [draft]

    response = client.post(page(world), {"step": "submit", "confirmed": "on"})
    assert response.status_code == 200
    assert "1.1.1" in " ".join(response.context["submit_form"].non_field_errors())
    assert NationalReport.objects.get().status == NRS.IN_PREPARATION

    response = client.post(page(world), {"step": "submit", "confirmed": "on", "include": [draft.pk]})
    assert response.status_code == 302
    assert NationalReport.objects.get().status == NRS.SUBMITTED
    draft.refresh_from_db()
    assert draft.review_state == RS.SUBMITTED


@pytest.mark.django_db
def test_the_secretariat_returns_per_section_and_the_focal_point_sees_the_comment(client, world):
    report = saved(world)
    services.national_report_submit(user=world.focal_am, report=report, confirmed=True)
    signed_in(client, world.secretariat)
    response = client.post(page(world), {"step": "return", "section_needs": "Give amounts in USD."})
    assert response.status_code == 302
    assert NationalReport.objects.get().return_comments == {"needs": "Give amounts in USD."}

    signed_in(client, world.focal_am)
    response = client.get(page(world))
    assert "Give amounts in USD." in response.content.decode()
    assert response.context["can_edit"] and response.context["can_submit"]


@pytest.mark.django_db
def test_accepting_from_the_page_approves_the_entries_but_not_ones_own(client, world):
    draft = world.entry()
    report = saved(world)
    services.national_report_submit(user=world.focal_am, report=report, confirmed=True, include=[draft.pk])
    signed_in(client, world.focal_am)
    assert client.post(page(world), {"step": "accept"}).status_code == 403
    signed_in(client, world.secretariat)
    assert client.post(page(world), {"step": "accept"}).status_code == 302
    draft.refresh_from_db()
    assert draft.review_state == RS.APPROVED
    assert NationalReport.objects.get().status == NRS.ACCEPTED


@pytest.mark.django_db
def test_the_overview_shows_every_states_status_and_completeness(client, world):
    report = saved(world)
    services.national_report_submit(user=world.focal_am, report=report, confirmed=True)
    world.approved()
    signed_in(client, world.secretariat)
    response = client.get(overview(world))
    assert response.status_code == 200
    rows = {row["state"].iso_code: row for row in response.context["rows"]}
    assert rows["AM"]["report"].status == NRS.SUBMITTED and rows["IR"]["report"] is None
    assert (rows["AM"]["rate"].reported, rows["AM"]["rate"].due) == (1, 1)
    content = response.content.decode()
    assert "Not started" in content and "1 of 1" in content


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.django_db
def test_the_overview_query_count_is_flat(client, world, django_assert_num_queries, rows):
    for _ in range(rows):
        state = RangeStateFactory()
        world.strategy.range_states.add(state)
        FocalPointFactory(range_state=state)
    saved(world)
    signed_in(client, world.secretariat)
    # session, user, Secretariat group; the round; Range States; reports; due counts; entry counts;
    # the last reminder per state
    with django_assert_num_queries(9):
        response = client.get(overview(world))
    assert response.status_code == 200 and len(response.context["rows"]) == rows + 2


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.django_db
def test_the_report_page_query_count_is_flat(client, world, django_assert_num_queries, rows):
    for n in range(rows):
        activity = ActivityFactory(result=world.result, code=f"1.1.{n + 2}", due_year=world.activity.due_year)
        world.entry(activity=activity)
    saved(world)
    signed_in(client, world.focal_am)
    # session, user; the round; the Range State; the report; the user's Secretariat group, focal points,
    # delegations; activities joined to strategy; the round's entries (prefetch); due counts; entry
    # counts; the discussion's comments
    with django_assert_num_queries(13):
        response = client.get(page(world))
    assert response.status_code == 200
    assert len(response.context["activities"]) == rows + 1
    assert ProgressEntry.objects.count() == rows


@pytest.mark.django_db
def test_the_private_discussion_is_for_the_report_and_its_state_only(client, world):
    saved(world)
    draft = world.entry()
    signed_in(client, world.secretariat)
    response = client.post(
        page(world), {"step": "comment", "subject": "section:needs", "text": "Which amounts?"}
    )
    assert response.status_code == 302
    signed_in(client, world.focal_am)
    response = client.post(
        page(world), {"step": "comment", "subject": f"entry:{draft.pk}", "text": "Survey report attached."}
    )
    assert response.status_code == 302
    content = client.get(page(world)).content.decode()
    assert "Which amounts?" in content and "Survey report attached." in content
    comments = list(ReportComment.objects.order_by("pk"))
    assert [(c.section, c.entry_id, c.author) for c in comments] == [
        ("needs", None, world.secretariat),
        ("", draft.pk, world.focal_am),
    ]
    assert comments[1].history.count() == 1  # kept in the history

    # hostile input: another state's entry, an unknown section, control characters, nothing
    foreign = world.entry(user=world.focal_ir, state=world.ir)
    for data in (
        {"subject": f"entry:{foreign.pk}", "text": "x"},
        {"subject": "section:den_sites", "text": "x"},
        {"subject": "section:needs", "text": "bell\x07"},
        {"subject": "section:needs", "text": "   "},
    ):
        response = client.post(page(world), {"step": "comment", **data})
        assert response.status_code == 200 and response.context["comment_form"].errors, data
    assert ReportComment.objects.count() == 2

    # another state's focal point and the public see none of it
    signed_in(client, world.focal_ir)
    response = client.post(page(world), {"step": "comment", "subject": "section:needs", "text": "x"})
    assert response.status_code == 403
    client.logout()
    for url in (
        reverse("activities:strategy-detail", args=[world.strategy.slug]),
        world.activity.get_absolute_url(),
    ):
        assert "Which amounts?" not in client.get(url).content.decode()
