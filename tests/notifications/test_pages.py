"""A person's notices on their home page and their own pages: reading, dismissing, choosing which they
receive; nobody else's notice is reachable; the pages' query counts stay flat."""

import pytest
from django.urls import reverse

from notifications.models import MANDATORY, Kind, Notice, NoticePreference
from tests.activities.views.pages import World, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


def notice(user, n=0, kind=Kind.ENTRY_APPROVED, **fields):
    values = {"text": f"Your entry {n} was approved.", "url": f"/progress/{n}/"} | fields
    return Notice.objects.create(recipient=user, kind=kind, key=f"entry:{n}:v3", **values)


def page(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_shows_the_newest_notices_with_a_link_to_the_rest_and_to_the_choices(client, world):
    for n in range(7):
        notice(world.focal_am, n)
    notice(world.focal_ir, 99, text="Iran's notice.")
    notice(world.focal_am, 50, text="Dismissed one.", dismissed_at="2025-01-01T00:00Z")
    notice(world.focal_am, 51, text="Not wanted on the home page.", on_home=False)
    html = page(signed_in(client, world.focal_am), "activities:home")
    assert "Your entry 6 was approved." in html and "Your entry 2 was approved." in html
    assert "Your entry 1 was approved." not in html  # five shown, newest first
    assert "All your notices (more than shown here)" in html
    assert reverse("notifications:preferences") in html
    assert "Iran's notice." not in html and "Dismissed one." not in html and "Not wanted" not in html
    assert html.count(">New<") == 5


def test_the_secretariat_home_page_shows_notices_too(client, world):
    notice(world.secretariat, 1, kind=Kind.ENTRY_SUBMITTED, text="focal-am submitted an entry for review.")
    assert "focal-am submitted an entry for review." in page(
        signed_in(client, world.secretariat), "activities:home"
    )


def test_following_a_notice_marks_it_read_and_leads_to_its_page(client, world):
    mine = notice(world.focal_am, 7)
    response = signed_in(client, world.focal_am).get(reverse("notifications:notice-open", args=[mine.pk]))
    assert response.status_code == 302 and response.url == "/progress/7/"
    mine.refresh_from_db()
    assert mine.is_read
    assert ">New<" not in page(client, "activities:home")


def test_a_notice_leading_off_the_site_goes_to_the_list_instead(client, world):
    odd = notice(world.focal_am, 8, url="https://evil.example/phish")
    response = signed_in(client, world.focal_am).get(reverse("notifications:notice-open", args=[odd.pk]))
    assert response.url == reverse("notifications:notice-list")


def test_dismissing_takes_a_notice_off_the_home_page_and_keeps_it_in_the_list(client, world):
    mine = notice(world.focal_am, 3)
    signed_in(client, world.focal_am)
    response = client.post(
        reverse("notifications:notice-dismiss", args=[mine.pk]), {"next": reverse("activities:home")}
    )
    assert response.status_code == 302 and response.url == reverse("activities:home")
    assert "Your entry 3 was approved." not in page(client, "activities:home")
    assert "Your entry 3 was approved." in page(client, "notifications:notice-list")


def test_nobody_reads_or_dismisses_anothers_notice(client, world):
    theirs = notice(world.focal_ir, 4)
    signed_in(client, world.focal_am)
    assert client.get(reverse("notifications:notice-open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:notice-dismiss", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:notices-read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None and theirs.dismissed_at is None
    assert "Your entry 4" not in page(client, "notifications:notice-list")


def test_dismiss_sends_back_only_to_this_site(client, world):
    mine = notice(world.focal_am, 5)
    signed_in(client, world.focal_am)
    response = client.post(
        reverse("notifications:notice-dismiss", args=[mine.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("activities:home")
    assert client.get(reverse("notifications:notice-dismiss", args=[mine.pk])).status_code == 405


def test_mark_all_read(client, world):
    for n in range(3):
        notice(world.focal_am, n)
    signed_in(client, world.focal_am).post(reverse("notifications:notices-read"))
    assert not Notice.objects.filter(recipient=world.focal_am, read_at__isnull=True).exists()


def test_the_pages_need_a_signed_in_user(client, world):
    for name in ("notifications:notice-list", "notifications:preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the choice of notices -----------------------------------------------------------------------


def test_the_preferences_page_lists_every_kind_and_locks_the_mandatory_ones(client, world):
    html = page(signed_in(client, world.focal_am), "notifications:preferences")
    for kind in Kind:
        assert str(kind.label).replace("'", "&#x27;") in html
    for kind in MANDATORY:
        for channel in ("email", "on_home"):
            assert f'name="{kind}-{channel}" disabled id="id_{kind}-{channel}" checked' in html
    assert 'name="entry_approved-email" id="id_entry_approved-email" checked' in html
    assert "Required: a returned entry stays with its reporter" in html
    assert "in English" in html  # the profile's language, else the site's


def test_saving_the_preferences_stores_the_optional_kinds_and_ignores_the_mandatory_ones(client, world):
    signed_in(client, world.focal_am)
    # everything unticked, except approvals on the home page; and a forged "off" for a mandatory kind
    response = client.post(reverse("notifications:preferences"), {"entry_approved-on_home": "on"})
    assert response.status_code == 302
    stored = {p.kind: (p.email, p.on_home) for p in NoticePreference.objects.filter(user=world.focal_am)}
    assert stored[Kind.ENTRY_APPROVED] == (False, True)
    assert stored[Kind.DEADLINE_NEAR] == (False, False)
    assert set(stored).isdisjoint(MANDATORY)
    html = page(client, "notifications:preferences")
    assert 'name="entry_approved-email" id="id_entry_approved-email">' in html  # unticked now
    assert 'name="entry_returned-email" disabled id="id_entry_returned-email" checked' in html


def test_a_person_without_an_email_address_is_told_so_on_the_preferences_page(client, world):
    world.focal_am.email = ""
    world.focal_am.save()
    assert "Your account has no e-mail address" in page(
        signed_in(client, world.focal_am), "notifications:preferences"
    )


# --- query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 12])
def test_home_query_count_is_flat_as_notices_grow(client, django_assert_num_queries, world, rows):
    for n in range(rows):
        notice(world.focal_am, n)
    signed_in(client, world.focal_am)
    # 1 session, 2 user, 3 notices (the newest, one more to know if there are more), 4 Secretariat
    # group?, 5 focal states, 6 those Range States, 7 open rounds + strategy, 8 their strategies'
    # Range States, 9 entries counted per round and state (the overview's x of y), 10 due activities
    # (one round and state), 11 delegations, 12 pending entries counted by review state
    with django_assert_num_queries(12):
        response = client.get(reverse("activities:home"))
    assert response.content.decode().count("was approved.</a>") == min(rows, 5)


@pytest.mark.parametrize("rows", [1, 30])
def test_notice_list_query_count_is_flat(client, django_assert_num_queries, world, rows):
    for n in range(rows):
        notice(world.focal_am, n)
    signed_in(client, world.focal_am)
    # 1 session, 2 user, 3 count (for the pages), 4 the page of notices
    with django_assert_num_queries(4):
        response = client.get(reverse("notifications:notice-list"))
    assert response.content.decode().count("was approved.</a>") == min(rows, 25)


@pytest.mark.parametrize("rows", [0, 4])
def test_preferences_page_query_count_is_flat(client, django_assert_num_queries, world, rows):
    for kind in list(set(Kind) - set(MANDATORY))[:rows]:
        NoticePreference.objects.create(user=world.focal_am, kind=kind, email=False)
    signed_in(client, world.focal_am)
    # 1 session, 2 user, 3 the stored choices, 4 the profile (the language notices are written in)
    with django_assert_num_queries(4):
        assert client.get(reverse("notifications:preferences")).status_code == 200


def test_the_admin_lists_notices_and_choices(staff_client, world):
    notice(world.focal_am, 1)
    NoticePreference.objects.create(user=world.focal_am, kind=Kind.ENTRY_APPROVED, email=False)
    for model in ("notice", "noticepreference"):
        assert staff_client.get(reverse(f"admin:notifications_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:notifications_notice_add")).status_code == 403
    UserFactory()
