"""Reporting rounds: the list (where the Secretariat opens a new one), a round's reporting rates,
and closing or reopening it."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from activities import permissions, selectors, services
from activities.forms import ReportingRoundForm, add_service_error
from activities.models import ReportingRound
from activities.permissions import Action

from .base import ExplainsRefusals, SecretariatRequiredMixin


class ReportingRoundListView(ExplainsRefusals, LoginRequiredMixin, ListView):
    """The rounds; the Secretariat opens new ones here (POST)."""

    template_name = "activities/round_list.html"
    context_object_name = "rounds"

    def get_queryset(self):
        return ReportingRound.objects.select_related("strategy")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if permissions.allowed(self.request.user, Action.ROUND_OPEN):
            context.setdefault("form", ReportingRoundForm())
        return context

    def post(self, request):
        permissions.require(request.user, Action.ROUND_OPEN)
        form = ReportingRoundForm(request.POST)
        if form.is_valid():
            try:
                reporting_round = services.reporting_round_open(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, _("Opened the reporting round %(round)s.") % {"round": reporting_round}
                )
                return redirect(reporting_round)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class ReportingRoundDetailView(LoginRequiredMixin, DetailView):
    """A round, and per Range State how many due activities were reported by the deadline."""

    template_name = "activities/round_detail.html"
    context_object_name = "reporting_round"
    queryset = ReportingRound.objects.select_related("strategy")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "rates": selectors.round_reporting_rates(self.object),
            "rate_rule": selectors.REPORTING_RATE_RULE,
            "can_close_or_reopen": permissions.allowed(
                self.request.user, Action.ROUND_REOPEN if self.object.is_closed else Action.ROUND_CLOSE
            ),
            "days_left": (self.object.deadline - timezone.localdate()).days,
        }


class RoundActionView(ExplainsRefusals, SecretariatRequiredMixin, View):
    """A POST that closes or reopens a round through its service, then shows the round."""

    http_method_names = ["post"]
    service = None  # staticmethod(the service that acts on the round)
    done = ""

    def post(self, request, pk):
        reporting_round = get_object_or_404(ReportingRound, pk=pk)
        self.service(user=request.user, reporting_round=reporting_round)
        messages.success(request, self.done)
        return redirect(reporting_round)


class ReportingRoundCloseView(RoundActionView):
    service = staticmethod(services.reporting_round_close)
    done = gettext_lazy("Closed: the round's entries are locked.")


class ReportingRoundReopenView(RoundActionView):
    service = staticmethod(services.reporting_round_reopen)
    done = gettext_lazy("Reopened: the round's entries can be edited and submitted again.")
