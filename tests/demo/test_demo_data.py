"""The demonstration data set (demo.loading): loaded through the services with the demo accounts, never
with DEBUG off, once only, removable without touching anything else, announced by a banner, and enough
for every report and every demo account's home page to show something."""

import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from activities import services
from activities.models import (
    Activity,
    ActivityStateStatus,
    Evidence,
    MeetingSnapshot,
    ProgressEntry,
    RangeState,
)
from demo.loading import ROUND_NAME, STRATEGY_SLUG, demo_load
from demo.models import DemoRecord
from notifications.models import Notice
from reporting.reports.registry import REPORTS

BANNER = "Demonstration data is loaded."
# Queued background tasks stay after removal: each finds its entry or round gone and sends nothing.
NOT_COUNTED = {"django_tasks_database.dbtaskresult"}


@pytest.fixture
def world(seeded, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("create_demo_accounts", stdout=StringIO())
    return {u.username: u for u in get_user_model().objects.all()}


def load(capture):
    out = StringIO()
    with capture(execute=True):  # the evidence file is stored when the load commits
        call_command("load_demo_data", stdout=out)
    return out.getvalue()


def remove():
    out = StringIO()
    call_command("remove_demo_data", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_COUNTED and not model._meta.proxy
    }


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    # What changes from one request to the next, and the banner: the rest is what the page shows.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'<section class="demo-banner".*?</section>', "", html, flags=re.S)


def test_the_data_set_has_every_review_state_in_several_range_states_made_by_the_services(
    world, django_capture_on_commit_callbacks
):
    assert "Demonstration data loaded" in load(django_capture_on_commit_callbacks)
    entries = ProgressEntry.objects.filter(pk__in=DemoRecord.objects.ids_of(ProgressEntry))
    states_by_review = {
        review: set(entries.filter(review_state=review).values_list("range_state__iso_code", flat=True))
        for review in ProgressEntry.ReviewState.values
    }
    assert all(len(states) >= 2 for states in states_by_review.values()), states_by_review
    assert entries.get(review_state="returned", range_state__iso_code="AM").review_comment
    assert entries.filter(reporting_round__name=ROUND_NAME, reporting_round__closed_at=None).count() > 10
    # Separation of duties, as the services enforce it: no reviewer contributed to what they reviewed.
    for entry in entries.exclude(reviewed_by=None):
        assert entry.reviewed_by not in entry.contributors.all()
    # Derived as in real use: statuses, history, the snapshot, evidence (a link and a stored file).
    approved = entries.filter(review_state="approved")
    assert ActivityStateStatus.objects.filter(entry__in=approved).count() >= 5
    assert ProgressEntry.history.filter(
        id__in=entries.values("pk"), history_change_reason="Approved"
    ).exists()
    assert MeetingSnapshot.objects.get(pk__in=DemoRecord.objects.ids_of(MeetingSnapshot)).statuses.exists()
    [link, file] = Evidence.objects.filter(entry__in=entries).order_by("pk")
    assert link.url and default_storage.exists(file.file.name)
    assert Notice.objects.filter(recipient=world["focal-armenia"], kind="entry_returned").exists()
    # The texts never pass for a Range State's real report.
    for entry in entries.select_related("range_state"):
        assert entry.narrative.startswith(f"DEMONSTRATION TEXT, not reported by {entry.range_state.name}.")


def test_loading_it_again_changes_nothing(world, django_capture_on_commit_callbacks):
    load(django_capture_on_commit_callbacks)
    before = row_counts()
    assert "already loaded: nothing changed" in load(django_capture_on_commit_callbacks)
    assert row_counts() == before


def test_it_is_never_loaded_with_debug_off(world, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = False
    before = row_counts()
    with pytest.raises(CommandError, match="DEBUG is off, so this looks like production"):
        load(django_capture_on_commit_callbacks)
    assert row_counts() == before
    assert not DemoRecord.objects.exists()


def test_removing_it_leaves_the_seeded_data_and_what_people_entered_exactly_as_they_were(
    world, django_capture_on_commit_callbacks
):
    # Someone's own approved entry on a pair the demonstration data also reports on (Armenia, 1.1.1.a).
    focal, reviewer = world["focal-armenia"], world["reviewer"]
    armenia = RangeState.objects.get(iso_code="AM")
    activity = Activity.objects.get(result__objective__strategy__slug=STRATEGY_SLUG, code="1.1.1.a")
    real = services.progress_entry_create(
        user=focal,
        activity=activity,
        range_state=armenia,
        reporting_date=datetime.date.today() - datetime.timedelta(days=100),
        status="in_progress",
        narrative="Entered by hand.",
    )
    real = services.progress_entry_approve(
        user=reviewer, entry=services.progress_entry_submit(user=focal, entry=real)
    )
    status_before = ActivityStateStatus.objects.values("activity", "range_state", "entry", "status").get(
        entry=real
    )
    before = row_counts()

    with django_capture_on_commit_callbacks(execute=True):
        made = demo_load()
    file_name = Evidence.objects.exclude(file="").get().file.name
    # The demonstration entry is newer: it is the status now, as it would be in real use.
    assert ActivityStateStatus.objects.get(activity=activity, range_state=armenia).entry_id != real.pk
    assert made["entries"]

    with django_capture_on_commit_callbacks(execute=True):
        assert "Demonstration data removed" in remove()

    assert row_counts() == before
    assert (
        ActivityStateStatus.objects.values("activity", "range_state", "entry", "status").get(
            activity=activity, range_state=armenia
        )
        == status_before
    )
    assert ProgressEntry.objects.get(pk=real.pk).narrative == "Entered by hand."
    assert not default_storage.exists(file_name)
    assert "nothing changed" in remove()


def test_removal_refuses_and_removes_nothing_when_someone_reported_in_the_demonstration_round(world):
    demo_load()
    focal = world["focal-iran"]
    demo_round = DemoRecord.objects.get(content_type__model="reportinground").row
    entry = ProgressEntry.objects.filter(reported_by=focal).first()
    services.progress_entry_create(
        user=focal,
        activity=entry.activity,
        range_state=entry.range_state,
        reporting_date=datetime.date.today(),
        status="completed",
        narrative="Entered by hand, in the demonstration round.",
        reporting_round=demo_round,
    )
    before = row_counts()
    with pytest.raises(
        CommandError, match=r"Nothing was removed\. 1 progress entry not from the demonstration"
    ):
        remove()
    assert row_counts() == before


def test_the_banner_is_on_every_page_while_the_data_set_is_loaded_and_only_then(world, client):
    pages = [reverse("activities:strategy-list"), reverse("reporting:index"), reverse("login")]
    for url in pages:
        assert BANNER not in client.get(url).content.decode()
    demo_load()
    for url in pages:
        html = client.get(url).content.decode()
        assert '<section class="demo-banner" aria-labelledby="demo-banner-title">' in html
        assert f'<strong id="demo-banner-title">{BANNER}</strong>' in html
    client.force_login(world["focal-armenia"])
    assert BANNER in client.get(reverse("activities:home")).content.decode()
    remove()
    for url in pages:
        assert BANNER not in client.get(url).content.decode()


def test_every_report_and_every_demo_accounts_home_shows_the_demonstration_data(world, client):
    reports = [f"{reverse(f'reporting:{r.slug}')}?strategy={STRATEGY_SLUG}" for r in REPORTS]
    homes = [(name, reverse("activities:home")) for name in world]
    homes += [
        ("reviewer", reverse("activities:review-queue")),
        ("secretariat", reverse("activities:review-queue")),
    ]
    before = {url: page(client, world["secretariat"], url) for url in reports}
    before |= {(name, url): page(client, world[name], url) for name, url in homes}

    demo_load()

    for url in reports:
        assert page(client, world["secretariat"], url) != before[url], f"{url} shows nothing of the demo"
    for name, url in homes:
        assert page(client, world[name], url) != before[(name, url)], f"{name}'s {url} shows nothing"
