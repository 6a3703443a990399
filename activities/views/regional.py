"""Public pages of the regional picture: meetings (the list, and one meeting with its agenda, documents and
outcomes), species, the Ecoregional Conservation Plan and its landscapes, and funding (organisations,
programmes, grants). None of these holds restricted details; a landscape shows only approved statuses
(the figures come from reporting.reports.public, as on the activity page). What the sources leave out,
the pages say is not given."""

from itertools import groupby

from django.db.models import Count, F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from activities.models import (
    Activity,
    EcoregionalPlan,
    Grant,
    GrantActivity,
    Landscape,
    Meeting,
    NationalActionPlan,
    Organisation,
    Programme,
    Species,
    Strategy,
    ThematicArea,
)
from reporting.reports.public import activities_state_statuses


class MeetingListView(ListView):
    template_name = "activities/meeting_list.html"
    context_object_name = "meetings"

    def get_queryset(self):
        # A meeting the sources date only by its year (the year is taken from the start date where there
        # is one) sorts first in that year; one with neither comes last.
        return Meeting.objects.annotate(document_count=Count("documents")).order_by(
            F("year").asc(nulls_last=True), F("start_date").asc(nulls_first=True), "name"
        )


class MeetingDetailView(DetailView):
    template_name = "activities/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        # days → items → documents, documents with what they revise, strategies adopted, plan reviews
        return Meeting.objects.with_agenda().prefetch_related("plan_reviews")


class SpeciesListView(ListView):
    template_name = "activities/species_list.html"
    context_object_name = "species_list"

    def get_queryset(self):
        return Species.objects.select_related("parent").order_by("common_name")


class SpeciesDetailView(DetailView):
    template_name = "activities/species_detail.html"
    context_object_name = "species"

    def get_queryset(self):
        plans = NationalActionPlan.objects.select_related("range_state").order_by(
            "range_state__name", "period_start"
        )
        return Species.objects.with_names().prefetch_related(
            Prefetch("subspecies", queryset=Species.objects.order_by("common_name")),
            Prefetch("strategies", queryset=Strategy.objects.order_by("title")),
            Prefetch("national_action_plans", queryset=plans),
            Prefetch("programmes", queryset=Programme.objects.order_by("name")),
            Prefetch("grants", queryset=Grant.objects.order_by("-starts_on", "title")),
        )


class EcoregionalPlanListView(ListView):
    template_name = "activities/ecoregionalplan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return EcoregionalPlan.objects.annotate(landscape_count=Count("landscapes")).order_by("title")


class EcoregionalPlanDetailView(DetailView):
    template_name = "activities/ecoregionalplan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        # with_details' thematic areas, and its landscapes with how many items are tagged with each
        landscapes = Landscape.objects.order_by("sort_key").with_tag_counts()
        areas = ThematicArea.objects.order_by("letter").prefetch_related("measures")
        return EcoregionalPlan.objects.prefetch_related(
            Prefetch("landscapes", queryset=landscapes), Prefetch("thematic_areas", queryset=areas)
        )

    def get_context_data(self, **kwargs):
        landscapes = self.object.landscapes.all()
        kinds = Landscape.Kind
        return super().get_context_data(**kwargs) | {
            "conservation": [landscape for landscape in landscapes if landscape.kind == kinds.CONSERVATION],
            "bridging": [landscape for landscape in landscapes if landscape.kind == kinds.BRIDGING],
        }


class LandscapeRedirectView(View):
    """/landscapes/<code>/: the landscape of that code (as the API's landscape filter names it), when one
    plan has it; 404 when none does, or when several plans would make the code ambiguous."""

    def get(self, request, *args, **kwargs):
        found = list(Landscape.objects.filter(code=kwargs["code"]).select_related("plan")[:2])
        if len(found) != 1:
            raise Http404(gettext("No landscape has that code."))
        return redirect("activities:landscape-detail", slug=found[0].plan.slug, code=found[0].code)


class LandscapeDetailView(DetailView):
    """A landscape and the activities tagged with it, by strategy, with each one's latest approved status
    in each Range State of its strategy (the one cell rule, as on the activity page and the matrix)."""

    template_name = "activities/landscape_detail.html"
    context_object_name = "landscape"

    def get_object(self, queryset=None):
        landscapes = Landscape.objects.select_related("plan")
        return get_object_or_404(landscapes, plan__slug=self.kwargs["slug"], code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        activities = list(
            Activity.objects.filter(landscapes=self.object)
            .select_related("strategy")
            .order_by("strategy__title", "strategy_id", "sort_key")
        )
        statuses = activities_state_statuses(activities)
        for activity in activities:
            activity.cells_by_state = statuses[activity.pk]
        by_strategy = [
            (strategy, list(rows)) for strategy, rows in groupby(activities, key=lambda a: a.strategy)
        ]
        return super().get_context_data(**kwargs) | {"by_strategy": by_strategy}


class FundingView(TemplateView):
    template_name = "activities/funding.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "programmes": Programme.objects.select_related("managed_by").order_by("name"),
            "grants": Grant.objects.select_related("programme", "donor", "grantee"),
            "organisations": Organisation.objects.order_by("name"),
        }


class ProgrammeDetailView(DetailView):
    template_name = "activities/programme_detail.html"
    context_object_name = "programme"

    def get_queryset(self):
        return Programme.objects.with_details().prefetch_related(
            Prefetch("grants", queryset=Grant.objects.select_related("grantee"))
        )


class GrantDetailView(DetailView):
    template_name = "activities/grant_detail.html"
    context_object_name = "grant"

    def get_queryset(self):
        lines = GrantActivity.objects.select_related("activity__strategy", "range_state").order_by(
            "activity__strategy__title", "activity__sort_key", "range_state__name"
        )
        return Grant.objects.with_context().prefetch_related(Prefetch("lines", queryset=lines))
