"""Public, read-only browse pages: the strategies, one strategy's whole logframe, one activity."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import Activity, Strategy


class StrategyListView(ListView):
    template_name = "activities/strategy_list.html"
    context_object_name = "strategies"

    def get_queryset(self):
        return Strategy.objects.with_counts()


class StrategyDetailView(DetailView):
    template_name = "activities/strategy_detail.html"
    context_object_name = "strategy"

    def get_queryset(self):
        return Strategy.objects.with_counts().with_tree()


class ActivityDetailView(DetailView):
    template_name = "activities/activity_detail.html"
    context_object_name = "activity"

    def get_object(self, queryset=None):
        activities = Activity.objects.with_context().with_details().with_approved_progress()
        return get_object_or_404(activities, strategy__slug=self.kwargs["slug"], code=self.kwargs["code"])
