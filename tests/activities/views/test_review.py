"""The review queue: the Secretariat's only, oldest first, filterable, with bulk approval."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStateStatus, ProgressEntry
from tests.factories import (
    ActivityFactory,
    EvidenceLinkFactory,
    ObjectiveFactory,
    ResultFactory,
    StrategyFactory,
)

from .pages import RS, signed_in, url

pytestmark = pytest.mark.django_db

# --- review queue --------------------------------------------------------------------------------


def test_review_queue_is_for_the_secretariat_only(client, world):
    assert client.get(reverse("activities:review-queue")).status_code == 302
    assert signed_in(client, world.focal_am).get(reverse("activities:review-queue")).status_code == 403
    assert signed_in(client, world.secretariat).get(reverse("activities:review-queue")).status_code == 200


def test_review_queue_lists_submitted_entries_oldest_first_and_filters(client, world):
    other = StrategyFactory(slug="snow-leopard", short_name="Snow Leopard")
    other.range_states.set([world.am])
    other_activity = ActivityFactory(
        result=ResultFactory(objective=ObjectiveFactory(strategy=other)), code="9.9.9"
    )
    newer = world.submitted(narrative="Newer from Armenia.")
    older = world.submitted(user=world.focal_ir, state=world.ir, narrative="Older from Iran.")
    ProgressEntry.objects.filter(pk=older.pk).update(
        submitted_at=newer.submitted_at - datetime.timedelta(days=3)
    )
    snow = world.submitted(activity=other_activity, narrative="Snow leopard entry.", reporting_round=None)
    world.entry(narrative="A draft is not in the queue.")
    signed_in(client, world.secretariat)
    html = client.get(reverse("activities:review-queue")).content.decode()
    assert (
        html.index("Older from Iran.") < html.index("Newer from Armenia.") < html.index("Snow leopard entry.")
    )
    assert "A draft is not in the queue." not in html
    by_state = client.get(reverse("activities:review-queue"), {"range_state": world.ir.pk}).content.decode()
    assert "Older from Iran." in by_state and "Newer from Armenia." not in by_state
    by_strategy = client.get(reverse("activities:review-queue"), {"strategy": other.pk}).content.decode()
    assert "Snow leopard entry." in by_strategy and "Newer from Armenia." not in by_strategy
    assert url("progress-detail", snow) in by_strategy


def test_bulk_approve_approves_the_selected_and_reports_each_refusal(client, world):
    theirs = [world.submitted(), world.submitted(user=world.focal_ir, state=world.ir)]
    own = world.submitted(user=world.secretariat)
    signed_in(client, world.secretariat)
    response = client.post(
        reverse("activities:review-bulk-approve"), {"entries": [e.pk for e in [*theirs, own]]}, follow=True
    )
    html = response.content.decode()
    assert "Approved 2 entries." in html
    assert "Not approved: Activity 1.1.1" in html and "reported or submitted" in html
    assert ProgressEntry.objects.filter(review_state=RS.APPROVED).count() == 2
    own.refresh_from_db()
    assert own.review_state == RS.SUBMITTED
    assert ActivityStateStatus.objects.count() == 2


@pytest.mark.parametrize("rows", [1, 10])
def test_review_queue_query_count_is_flat(client, django_assert_num_queries, world, rows):
    for n in range(rows):
        entry = world.submitted(
            user=[world.focal_am, world.focal_ir][n % 2], state=[world.am, world.ir][n % 2]
        )
        EvidenceLinkFactory(entry=entry, title=f"Evidence {n}")
    signed_in(client, world.secretariat)
    # 1 session, 2 user, 3 Secretariat group (cached on the user), 4 page count, 5 entries joined to
    # activity/strategy/state/round/reporter/submitter, 6 their contributors (prefetch, for the review
    # rule), 7 their evidence (prefetch), 8 the reviewer's focal states and 9 delegations (asked once by
    # permissions.allowed, then cached), 10 filter's Range States, 11 filter's strategies
    with django_assert_num_queries(11):
        response = client.get(reverse("activities:review-queue"))
    assert response.content.decode().count("Approve<span") == rows
    assert response.content.decode().count("opens in a new tab") == rows


def test_review_queue_shows_evidence_and_amounts_without_leaving_it(client, world):
    entry = world.submitted(amount_spent_usd=Decimal("12500.00"))
    EvidenceLinkFactory(entry=entry, title="Khosrov report", url="https://example.org/khosrov")
    EvidenceLinkFactory(entry=entry, title="Den sites", url="https://example.org/dens", restricted=True)
    world.submitted(user=world.focal_ir, state=world.ir, activity=ActivityFactory(result=world.result))
    html = signed_in(client, world.secretariat).get(reverse("activities:review-queue")).content.decode()
    assert "USD 12,500.00" in html and "Amount spent: not given" in html
    assert (
        '<a href="https://example.org/khosrov" target="_blank" rel="noopener noreferrer">Khosrov report</a>'
        in html
    )
    assert "2 pieces of evidence" in html and "Restricted</strong>" in html
    assert "No evidence attached." in html


def test_review_queue_filters_by_age_and_ignores_hostile_values(client, world):
    old = world.submitted()
    ProgressEntry.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=40))
    new = world.submitted(user=world.focal_ir, state=world.ir, activity=ActivityFactory(result=world.result))
    signed_in(client, world.secretariat)
    html = client.get(reverse("activities:review-queue"), {"age": "30"}).content.decode()
    assert url("progress-detail", old) in html and url("progress-detail", new) not in html
    for hostile in (
        {"age": "-1; DROP TABLE"},
        {"range_state": "<script>"},
        {"strategy": "99999999999999999999"},
    ):
        response = client.get(reverse("activities:review-queue"), hostile)
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert "<script>" not in response.content.decode().split("<main")[1]


def test_a_focal_point_never_sees_the_queue_or_its_evidence(client, world):
    EvidenceLinkFactory(entry=world.submitted(), title="Khosrov report")
    response = signed_in(client, world.focal_ir).get(reverse("activities:review-queue"))
    assert response.status_code == 403 and "Khosrov report" not in response.content.decode()
