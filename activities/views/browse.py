"""The public browse pages: the strategies, one strategy's logframe, and one activity.

They show progress as the reports count it: the figures come from reporting.reports.public, the read
side's one definition of each (the only place the activities app reads from reporting: these are pages,
not domain code)."""

from django.conf import settings
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView

from activities import changes, permissions, selectors
from activities.content import translation_prefetches
from activities.models import Activity, CommonName, Species, Strategy
from activities.models.logframe import logframe_prefetches
from activities.permissions import Action
from activities.views.filters import (
    ActivityLandscapeFilter,
    StrategySpeciesFilter,
    filter_errors,
    landscape_choices,
    species_choices,
    without_blanks,
)
from reporting.reports.public import activity_state_statuses, strategy_headlines, strategy_progress

# A search of the strategy longer than this is cut: the codes and texts it looks in are shorter.
SEARCH_MAX_LENGTH = 100

# How long a rendered outline is kept; a change to anything it shows gives a new key before that.
OUTLINE_CACHE_SECONDS = 86400


class StrategyListView(ListView):
    """The strategies, optionally those concerning a species (?species=, the API's filter); an unknown
    species is a 400 page naming it."""

    template_name = "activities/strategy_list.html"
    context_object_name = "strategies"

    def get(self, request, *args, **kwargs):
        strategies = Strategy.objects.with_counts().prefetch_related(
            *translation_prefetches(Strategy), "range_states"
        )
        self.filterset = StrategySpeciesFilter(without_blanks(request.GET), queryset=strategies)
        self.filter_errors = filter_errors(self.filterset)
        response = super().get(request, *args, **kwargs)
        if self.filter_errors:
            response.status_code = 400
        return response

    def get_queryset(self):
        return self.filterset.queryset.none() if self.filter_errors else self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        headlines = strategy_headlines(list(context["strategies"]))
        for strategy in context["strategies"]:
            strategy.headline = headlines[strategy.pk]
        chosen = [slug for slug in self.request.GET.getlist("species") if slug and not self.filter_errors]
        return context | {
            "filter_errors": self.filter_errors,
            "species_choices": species_choices(),
            "chosen_species": chosen,
        }


class StrategyDetailView(DetailView):
    template_name = "activities/strategy_detail.html"
    context_object_name = "strategy"

    def get_queryset(self):
        names = Prefetch("common_names", queryset=CommonName.objects.order_by("position"))
        species = Species.objects.order_by("common_name").prefetch_related(names)
        # the versions before and after this one, joined: the page links them without a query; the
        # logframe only when the outline has to be rendered (strategy_outline)
        return (
            Strategy.objects.with_counts()
            .with_header()
            .select_related("supersedes", "superseded_by")
            .prefetch_related(Prefetch("species", queryset=species))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        strategy = self.object
        progress = strategy_progress(strategy)
        context["may_import"] = permissions.allowed(self.request.user, Action.STRATEGY_IMPORT)
        query = self.request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
        # ?landscape= narrows the search (or, alone, lists the activities tagged with the landscape)
        activities = Activity.objects.for_strategy(strategy)
        landscapes = ActivityLandscapeFilter(without_blanks(self.request.GET), queryset=activities)
        errors = filter_errors(landscapes)
        chosen = [code for code in self.request.GET.getlist("landscape") if code and not errors]
        found = None
        if errors:
            found = []
        elif query or chosen:
            matching = landscapes.qs.matching(query, language=get_language()) if query else landscapes.qs
            found = list(matching.with_translations().order_by("sort_key"))
            for activity in found:
                activity.cells = progress.activities[activity.pk]
        else:
            context["outline"] = strategy_outline(strategy, progress)
        return context | {
            "progress": progress,
            "query": query,
            "found": found,
            "filter_errors": errors,
            "landscape_choices": landscape_choices(),
            "chosen_landscapes": chosen,
        }

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["filter_errors"]:
            response.status_code = 400  # an unknown landscape: the page says which, and lists nothing
        return response


class ActivityDetailView(DetailView):
    """Public: the activity and its approved progress (never restricted evidence). Signed-in users also
    see the pending entries they may view, and a link to report when they may."""

    template_name = "activities/activity_detail.html"
    context_object_name = "activity"

    def get_object(self, queryset=None):
        activities = (
            Activity.objects.with_context()
            .with_details()
            .with_public_progress()
            .with_translations("", "strategy", "result", "result__objective", "result__objective__theme")
        )
        return get_object_or_404(activities, strategy__slug=self.kwargs["slug"], code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["state_statuses"] = activity_state_statuses(self.object)
        if user.is_authenticated:
            context["pending_entries"] = selectors.pending_entries_on(self.object, user)
            context["can_report"] = selectors.creatable_states(user, self.object).exists()
        return context


def outline_key(strategy) -> str:
    """The cache key of the strategy's outline in the active language (reads the change marker)."""
    return make_template_fragment_key(
        "strategy_outline",
        [strategy.pk, get_language(), settings.CODE_RELEASE, changes.marker("strategy_outline")],
    )


def strategy_outline(strategy, progress) -> str:
    """The strategy page's outline (activities/_outline.html), from the cache when nothing it shows has
    changed: it is keyed by the strategy, the language, the code's release and the change marker of
    everything it shows, so an approval, an edit, a translation or a deployment gives a new key and nothing
    has to invalidate it. Only on a miss are the logframe and each activity's fields fetched (a dozen
    queries, most of the page's time)."""
    key = outline_key(strategy)
    outline = cache.get(key)
    if outline is None:
        prefetch_related_objects([strategy], *logframe_prefetches())
        _attach_progress(strategy, progress)
        # approved statuses only, the same for everyone: rendered without the request, so nothing of
        # the reader's (their rights, their drafts) can enter what others are served
        outline = render_to_string("activities/_outline.html", {"strategy": strategy, "progress": progress})
        cache.set(key, outline, OUTLINE_CACHE_SECONDS)
    return outline


def _attach_progress(strategy, progress) -> None:
    """Hang each objective's and activity's cells on the prefetched tree, for the outline to show."""
    objectives = [o for theme in strategy.themes.all() for o in theme.objectives.all()]
    for objective in objectives + list(strategy.objectives_without_theme):
        objective.cells = progress.objectives.get(objective.pk)
        for result in objective.results.all():
            for activity in result.activities.all():
                activity.cells = progress.activities[activity.pk]
