"""/api/v1/national-reports/: who reads which field (everyone: status, dates, completeness; the
Secretariat and the state's own focal points: the texts and the private discussion), strict filters,
hostile parameters, flat query counts, and completeness equal to the round's reporting rate."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import ReportComment
from tests.activities.api.helpers import as_token
from tests.activities.views.pages import World
from tests.factories import APITokenFactory, DelegationFactory, RangeStateFactory, UserFactory

LIST = "/api/v1/national-reports/"
SECRET = "SECRET-DEN-SITE-4471"
COMPLETE = {
    "prepared_by": "A. Malkhasyan",
    "contacts": "focal@example.am",
    "achievements": "Camera-trap survey.",
    "challenges": f"Poaching near {SECRET}.",
    "needs": "Funding.",
    "way_forward": "Extend.",
    "nap_status": "Drafted.",
}
PUBLIC = {
    "id",
    "url",
    "strategy",
    "reporting_round",
    "reporting_round_name",
    "deadline",
    "range_state",
    "status",
    "submitted_at",
    "first_submitted_at",
    "reviewed_at",
    "created_at",
    "updated_at",
    "completeness",
}
CONTENT = {
    "prepared_by",
    "contributors_text",
    "contacts",
    "achievements",
    "challenges",
    "needs",
    "way_forward",
    "nap_status",
    "return_comments",
    "comments",
}


@pytest.fixture
def world(db):
    w = World()
    w.approved()  # Armenia: 1 of 1 activity reported
    report = services.national_report_save(
        user=w.focal_am, reporting_round=w.round, range_state=w.am, expected_version=0, **COMPLETE
    )
    w.report = services.national_report_submit(user=w.focal_am, report=report, confirmed=True)
    services.report_comment_add(
        user=w.secretariat, report=w.report, text=f"Is {SECRET} right?", section="challenges"
    )
    w.expert = UserFactory(username="expert-am")
    DelegationFactory(delegate=w.expert, granted_by=w.focal_am, range_state=w.am, activity=w.activity)
    return w


def reader(api, world, who):
    if who == "anonymous":
        return api
    if who == "partner token":
        return as_token(api, APITokenFactory(user=UserFactory(username="partner")))
    api.force_authenticate(getattr(world, who))
    return api


@pytest.mark.parametrize(
    ("who", "sees_content"),
    [
        ("anonymous", False),
        ("partner token", False),
        ("focal_ir", False),  # another state's focal point
        ("expert", False),  # a delegate in the state: drafts an activity, reads the report on its page
        ("focal_am", True),
        ("secretariat", True),
    ],
)
def test_each_reader_gets_the_fields_their_role_allows(api, world, who, sees_content):
    response = reader(api, world, who).get(LIST)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert set(row) == (PUBLIC | CONTENT if sees_content else PUBLIC)
    assert row["range_state"] == "AM" and row["status"] == "submitted"
    assert row["completeness"] == {"reported": 1, "due": 1, "awaiting_review": 0}
    detail = api.get(row["url"]).json()
    assert detail == row
    body = response.content.decode() + str(detail)
    assert (SECRET in body) is sees_content
    if sees_content:
        assert row["challenges"] == COMPLETE["challenges"]
        [comment] = row["comments"]
        assert comment["section"] == "challenges" and comment["author"] == "sec-one"
        assert comment["activity"] is None


def test_completeness_is_the_rounds_reporting_rate(api, world):
    from activities.models import ReportingRound
    from activities.selectors import reporting_rates

    (rate,) = reporting_rates(ReportingRound.objects.filter(pk=world.round.pk), [world.am])
    [row] = api.get(LIST).json()["results"]
    assert row["completeness"] == {
        "reported": rate.reported,
        "due": rate.due,
        "awaiting_review": rate.awaiting,
    }


def test_the_list_filters_by_round_state_strategy_and_status(api, world):
    query = {"reporting_round": world.round.pk, "range_state": "AM", "strategy": world.strategy.slug}
    assert len(api.get(LIST, query | {"status": "submitted"}).json()["results"]) == 1
    assert api.get(LIST, query | {"status": "accepted"}).json()["results"] == []


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("reporting_round", "999999999999999999999"),
        ("reporting_round", "-1"),
        ("reporting_round", "' OR 1=1 --"),
        ("range_state", "ZZ"),
        ("range_state", "a" * 5000),
        ("status", "approved"),
        ("strategy", "no-such-strategy"),
        ("colour", "red"),
        ("updated_since", "yesterday"),
        ("page", "0"),
    ],
)
def test_hostile_parameters_are_a_400_or_404_naming_them(api, world, parameter, value):
    response = api.get(LIST, {parameter: value})
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert [e["field"] for e in response.json()["errors"]] == [parameter]


@pytest.mark.parametrize("key", ["999999999999999999999", "am", "-1", "0"])
def test_an_unknown_report_is_a_404(api, world, key):
    assert api.get(f"{LIST}{key}/").status_code == 404


def test_the_api_is_read_only(api, world):
    api.force_authenticate(world.secretariat)
    assert api.post(LIST, {}, format="json").status_code == 405
    assert api.patch(f"{LIST}{world.report.pk}/", {"status": "accepted"}, format="json").status_code == 405
    assert api.delete(f"{LIST}{world.report.pk}/").status_code == 405


def more_reports(world, rows):
    for n in range(rows):
        state = RangeStateFactory(iso_code=f"Q{chr(65 + n)}", name=f"State {n}")
        world.strategy.range_states.add(state)
        report = services.national_report_save(
            user=world.secretariat,
            reporting_round=world.round,
            range_state=state,
            expected_version=0,
            needs="x",
        )
        ReportComment.objects.create(report=report, section="needs", author=world.colleague, text="?")


@pytest.mark.parametrize("rows", [0, 8])
@pytest.mark.parametrize(
    ("who", "queries"),
    [
        # page count, reports with round/strategy/state, reporting_rates' two queries
        ("anonymous", 4),
        # + the comments prefetch, with their authors and entries' activities (the test user's Secretariat
        # membership is already known: force_authenticate hands over the same user object)
        ("secretariat", 5),
    ],
)
def test_the_list_query_count_is_flat(api, world, django_assert_num_queries, rows, who, queries):
    more_reports(world, rows)
    client = reader(api, world, who)
    with django_assert_num_queries(queries):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows + 1


def test_the_schema_lists_the_resource(api, db):
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    assert "/api/v1/national-reports/" in schema["paths"]
    required = schema["components"]["schemas"]["NationalReport"]["required"]
    assert "completeness" in required and not CONTENT & set(required)
