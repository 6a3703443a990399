"""The strategy page's outline (themes, objectives, results, activities and their status strips) is a
cached fragment, keyed by the language and the change marker of everything it shows: an approval, a
translation or an edit shows on the next view, drafts never enter it, each language has its own."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import Activity, ProgressEntry
from activities.models.translations import ActivityTranslation
from tests.factories import ActivityFactory, FocalPointFactory, ProgressEntryFactory, RangeStateFactory

from ..api.helpers import secretariat_user

RS = ProgressEntry.ReviewState
DONE = "Completed"


@pytest.fixture
def strategy_world(db):
    state = RangeStateFactory(iso_code="QI")
    activity = ActivityFactory(code="1.1.1", text="Survey the leopard population")
    activity.strategy.range_states.add(state)
    focal = FocalPointFactory(range_state=state).user
    return {"state": state, "activity": activity, "strategy": activity.strategy, "focal": focal}


def _outline(client, world, **headers) -> str:
    html = client.get(reverse("activities:strategy-detail", args=[world["strategy"].slug]), **headers)
    assert html.status_code == 200
    text = html.content.decode()
    return text[text.index('<nav class="toc"') : text.index('<section id="range-states">')]


def _strip(outline: str) -> str:
    """The status strip of activity 1.1.1."""
    return outline.split('id="activity-1.1.1"')[1].split("</article>")[0]


def test_an_approval_shows_on_the_next_view(client, strategy_world):
    world = strategy_world
    assert DONE not in _strip(_outline(client, world))
    entry = ProgressEntryFactory(
        activity=world["activity"],
        range_state=world["state"],
        status=ProgressEntry.Status.COMPLETED,
        review_state=RS.SUBMITTED,
    )
    assert DONE not in _strip(_outline(client, world)), "awaiting review: not public"
    services.progress_entry_approve(user=secretariat_user(), entry=entry)
    assert DONE in _strip(_outline(client, world))


def test_drafts_never_enter_the_cached_outline(client, strategy_world):
    world = strategy_world
    ProgressEntryFactory(
        activity=world["activity"],
        range_state=world["state"],
        status=ProgressEntry.Status.COMPLETED,
        review_state=RS.DRAFT,
        narrative="Den found near the pass",
    )
    # the focal point, who may see the draft, views first: the fragment they fill is the public one
    client.force_login(world["focal"])
    assert DONE not in _strip(_outline(client, world))
    client.logout()
    outline = _outline(client, world)
    assert DONE not in _strip(outline)
    assert "Den found" not in outline


def test_each_language_has_its_own_outline_and_a_new_translation_shows(client, strategy_world):
    world = strategy_world
    english = _outline(client, world)
    russian = _outline(client, world, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Survey the leopard population" in english
    assert russian != english  # not the English fragment served to a Russian reader
    translation = ActivityTranslation.objects.create(
        master=world["activity"], language_code="ru", text_translated="Учёт леопарда"
    )
    assert "Учёт леопарда" in _outline(client, world, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Учёт леопарда" not in _outline(client, world)
    translation.text_translated = "Учёт численности леопарда"
    translation.save()
    assert "Учёт численности леопарда" in _outline(client, world, HTTP_ACCEPT_LANGUAGE="ru")


def test_an_edited_activity_shows_on_the_next_view(client, strategy_world):
    world = strategy_world
    _outline(client, world)
    activity = world["activity"]
    activity.text = "Survey leopards and their prey"
    activity.save()
    assert "Survey leopards and their prey" in _outline(client, world)


def test_a_repeated_view_renders_the_outline_from_the_cache(
    client, strategy_world, django_assert_max_num_queries
):
    from django.core.cache import cache

    from activities.views.browse import outline_key

    world = strategy_world
    first = _outline(client, world)
    assert cache.get(outline_key(world["strategy"])) is not None
    assert _outline(client, world) == first


def test_a_new_release_renders_the_outline_afresh(client, strategy_world, settings):
    """The outline is kept a day; a deployment that changes how it is written must not serve the previous
    release's copy (a row changed behind the app's back stands in for the new code)."""
    settings.CODE_RELEASE = "release-1"
    _outline(client, strategy_world)
    Activity.objects.filter(pk=strategy_world["activity"].pk).update(text="Written by the next release")
    assert "Written by the next release" not in _outline(client, strategy_world)
    settings.CODE_RELEASE = "release-2"
    assert "Written by the next release" in _outline(client, strategy_world)
