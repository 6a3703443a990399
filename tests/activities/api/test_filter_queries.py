"""Filters that join no to-many relation need no DISTINCT (django-filter adds one by default): the
progress list filtered by Range State and status runs plain queries, flat as entries grow, and the
filters that do cross a many-to-many relation (actor, CAMI POW measure) still list each row once."""

import pytest
from django.urls import reverse

from activities.models import ProgressEntry
from tests.factories import ActivityFactory, ActorFactory, RangeStateFactory, WorkProgrammeMeasureFactory

from .helpers import approved_entry

URL = reverse("api:progress-list")


@pytest.mark.parametrize("rows", [2, 20])
def test_progress_filtered_by_state_status_and_priority_is_flat_and_needs_no_distinct(
    api, django_assert_num_queries, rows
):
    state, other = RangeStateFactory(iso_code="QA"), RangeStateFactory(iso_code="QB")
    for i in range(rows):
        activity = ActivityFactory(priority=3)
        approved_entry(activity, state, "in_progress")
        approved_entry(activity, other, "in_progress")
        approved_entry(ActivityFactory(priority=1), state, "completed" if i % 2 else "delayed")
    params = {"range_state": "QA", "status": ["in_progress", "delayed"], "priority": ["3", "2"]}
    params |= {"review_state": "approved", "page_size": 100}
    # change marker (the ETag); the Range State named (form validation); count; entries joined to
    # activity, strategy, result and Range State; evidence (prefetch)
    with django_assert_num_queries(5) as captured:
        response = api.get(URL, params)
    assert response.status_code == 200
    assert response.json()["count"] == rows
    assert {(e["range_state"], e["status"]) for e in response.json()["results"]} == {("QA", "in_progress")}
    assert not [q["sql"] for q in captured.captured_queries if "DISTINCT" in q["sql"].upper()]


def test_actor_and_measure_filters_list_an_entry_once_without_distinct(api, django_assert_num_queries):
    state = RangeStateFactory(iso_code="QA")
    both, one, neither = ActivityFactory(), ActivityFactory(), ActivityFactory()
    ngos, customs = ActorFactory(slug="ngos"), ActorFactory(slug="customs")
    m47, m19 = WorkProgrammeMeasureFactory(code="4.7"), WorkProgrammeMeasureFactory(code="19.2")
    both.actors.add(ngos, customs)
    both.cami_pow_measures.add(m47, m19)
    one.actors.add(customs)
    one.cami_pow_measures.add(m19)
    entries = {a: approved_entry(a, state) for a in (both, one, neither)}
    expected = sorted([entries[both].pk, entries[one].pk], reverse=True)
    for params in (
        {"actor": ["ngos", "customs"]},
        {"cami_pow": ["4.7", "19.2"]},
        {"actor": ["ngos", "customs"], "cami_pow": ["19.2"]},
    ):
        # change marker; the actors or measures named (form validation, one query per filter); count;
        # entries; evidence
        with django_assert_num_queries(
            4 + len([k for k in params if k in ("actor", "cami_pow")])
        ) as captured:
            body = api.get(URL, params).json()
        assert [e["id"] for e in body["results"]] == expected, params
        assert body["count"] == 2
        assert not [q["sql"] for q in captured.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert ProgressEntry.objects.count() == 3
