"""Public, read-only browse pages (placeholder until the screens land)."""

from django.views.generic import DetailView, ListView

from .models import Activity, Strategy


class StrategyListView(ListView):
    model = Strategy


class StrategyDetailView(DetailView):
    model = Strategy


class ActivityDetailView(DetailView):
    model = Activity
