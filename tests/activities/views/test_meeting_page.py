"""The public meeting page: agenda with times, documents by symbol, outcomes; and the strategy page's
link to the meeting that adopted it and to its other versions. Where the sources are silent, it says so."""

import pytest
from django.urls import reverse

from tests.factories import (
    AgendaItemFactory,
    MeetingDayFactory,
    MeetingDocumentFactory,
    MeetingForReportsFactory,
)


def test_seeded_vilm_workshop_page_lists_agenda_times_documents_and_outcomes(seeded, client):
    response = client.get(reverse("activities:meeting-detail", args=["cami-technical-workshop-vilm-2025"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "UNEP/CMS/CAMI-TW/Doc.1/Rev.1" in html
    assert "08:30" in html
    assert html.count('<tr class="agenda-') == 38


def test_a_meeting_the_sources_say_little_about_says_so(seeded, client):
    html = client.get(
        reverse("activities:meeting-detail", args=["caucasus-leopard-nap-review-workshop-tbilisi-2014"])
    ).content.decode()
    assert "2014 (the sources give no dates)" in html
    assert "The sources give no agenda for this meeting." in html
    assert "The sources list no documents for this meeting." in html


def test_strategy_pages_link_the_adopting_meeting_and_the_versions(seeded, client):
    html = client.get(
        reverse("activities:strategy-detail", args=["persian-leopard-2023-2032"])
    ).content.decode()
    assert reverse("activities:meeting-detail", args=["pl-rsm1-tbilisi-2022"]) in html
    revised = client.get(
        reverse("activities:strategy-detail", args=["caucasus-leopard-2017"])
    ).content.decode()
    assert reverse("activities:strategy-detail", args=["caucasus-leopard-2007"]) in revised
    first = client.get(reverse("activities:strategy-detail", args=["caucasus-leopard-2007"])).content.decode()
    assert "The sources do not say where or when this strategy was adopted." in first
    assert reverse("activities:strategy-detail", args=["caucasus-leopard-2017"]) in first


@pytest.mark.parametrize("rows", [1, 8])
def test_meeting_page_query_count_is_flat(db, client, django_assert_num_queries, rows):
    meeting = MeetingForReportsFactory(slug="flat-meeting")
    day = MeetingDayFactory(meeting=meeting)
    for _ in range(rows):
        AgendaItemFactory(day=day).documents.add(MeetingDocumentFactory(meeting=meeting))
    # the meeting; days; items; items' documents; documents (with revises, strategy); strategies; reviews;
    # plus the session-less page's own (none)
    with django_assert_num_queries(7):
        response = client.get(reverse("activities:meeting-detail", args=["flat-meeting"]))
    assert response.status_code == 200


def test_an_unknown_or_hostile_meeting_slug_is_a_404(db, client):
    assert client.get("/meetings/no-such-meeting/").status_code == 404
    assert client.get("/meetings/%3Cscript%3E/").status_code == 404
