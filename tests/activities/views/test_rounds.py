"""Reporting-round pages: opening a round, its on-time rates per Range State, and closing it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import ProgressEntry
from tests.factories import ActivityFactory

from .pages import RS, form_data, signed_in, url

pytestmark = pytest.mark.django_db

# --- rounds --------------------------------------------------------------------------------------


def test_a_closed_round_locks_its_entries(client, world):
    entry = world.entry(reporting_round=world.round)
    signed_in(client, world.secretariat).post(url("round-close", world.round))
    world.round.refresh_from_db()
    assert world.round.is_closed
    signed_in(client, world.focal_am)
    html = client.get(url("progress-detail", entry)).content.decode()
    assert (
        "is closed: this entry is locked" in html
        and "Submit for review" not in html
        and "Edit</a>" not in html
    )
    response = client.post(url("progress-submit", entry))
    assert response.status_code == 403 and "Nothing has been changed" in response.content.decode()
    assert (
        client.post(url("progress-edit", entry), form_data(world, version=entry.version)).status_code == 403
    )
    entry.refresh_from_db()
    assert entry.review_state == RS.DRAFT and entry.version == 1
    signed_in(client, world.secretariat).post(url("round-reopen", world.round))
    assert signed_in(client, world.focal_am).post(url("progress-submit", entry)).status_code == 302


def test_round_page_shows_on_time_rates_per_state_in_text(client, world):
    ActivityFactory(result=world.result, code="1.1.2")
    # an entry counts once approved (on time or late by its first submission)
    world.approved(reporting_round=world.round)
    late = world.submitted(user=world.focal_ir, state=world.ir, reporting_round=world.round)
    ProgressEntry.objects.filter(pk=late.pk).update(
        first_submitted_at=timezone.now() + datetime.timedelta(days=40)
    )
    services.progress_entry_approve(user=world.colleague, entry=late)
    html = signed_in(client, world.focal_am).get(url("round-detail", world.round)).content.decode()

    def row(state):
        cells = html[html.index(f'<th scope="row">{state}') :].split("</tr>")[0]
        return re.findall(r'<td class="num">([^<]*)</td>', cells)

    # on-time rate, due, on time, late, not reported (of which awaiting approval): in numbers and words,
    # never colour alone
    assert row("Armenia") == ["50%", "2", "1", "0", "1", "0"]
    assert row("Iran") == ["0%", "2", "0", "1", "1", "0"]
    assert "Close the round" not in html


@pytest.mark.parametrize("rows", [1, 10])
def test_round_page_query_count_is_flat(client, django_assert_num_queries, world, rows):
    for n in range(rows):
        activity = ActivityFactory(result=world.result, code=f"1.1.{n + 10}")
        world.approved(activity=activity)
        world.submitted(activity=activity, user=world.focal_ir, state=world.ir)
    signed_in(client, world.focal_am)
    # 1 session, 2 user, 3 the round + strategy, 4 the strategy's Range States, 5 the round with its due
    # count, 6 entries counted per state, 7 Secretariat group?
    with django_assert_num_queries(7):
        response = client.get(url("round-detail", world.round))
    assert response.status_code == 200
    assert [(r.on_time, r.awaiting) for r in response.context["rates"]] == [(rows, 0), (0, rows)]


def test_the_secretariat_opens_a_round_with_errors_per_field(client, world):
    signed_in(client, world.secretariat)
    data = {
        "strategy": world.strategy.pk,
        "name": "2026 annual",
        "kind": "annual",
        "opens_on": "2026-01-01",
        "deadline": "2025-01-01",
    }
    html = client.post(reverse("activities:round-list"), data).content.decode()
    assert "There is a problem" in html
    response = client.post(reverse("activities:round-list"), data | {"deadline": "2026-06-30"})
    assert response.status_code == 302
    assert signed_in(client, world.focal_am).post(reverse("activities:round-list"), data).status_code == 403
