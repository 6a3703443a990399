"""Delegations: a focal point lets a colleague draft (not submit) one activity or objective of one of
their Range States, and revokes it."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from activities import permissions, selectors, services
from activities.forms import DelegationForm
from activities.models import Delegation
from activities.permissions import Action

from .base import ExplainsRefusals, SavesThroughService


class DelegationListView(ExplainsRefusals, SavesThroughService, LoginRequiredMixin, FormView):
    """A focal point lets a colleague draft (not submit) one activity or objective of one of their states."""

    form_class = DelegationForm
    template_name = "activities/delegation_list.html"

    def prepare(self, request, **kwargs):
        permissions.require(request.user, Action.DELEGATIONS_MANAGE)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        active = selectors.delegations_managed_by(self.request.user)
        return super().get_context_data(**kwargs) | {"delegations": active}

    def save(self, form):
        scope = {
            name: form.cleaned_data.get(name) for name in ("delegate", "range_state", "activity", "objective")
        }
        return services.delegation_grant(user=self.request.user, **scope)

    def saved(self, delegation):
        messages.success(self.request, _("Delegated: %(delegation)s.") % {"delegation": delegation})
        return redirect("activities:delegation-list")


class DelegationRevokeView(ExplainsRefusals, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        delegation = get_object_or_404(Delegation.objects.select_related("delegate"), pk=pk)
        services.delegation_revoke(user=request.user, delegation=delegation)
        messages.success(
            request,
            _("Revoked: %(delegate)s can no longer draft there.") % {"delegate": delegation.delegate},
        )
        return redirect("activities:delegation-list")
