"""Password-less reporting links: the Secretariat makes and withdraws them; a focal point signs in
with one to report for its one Range State."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView

from activities import services
from activities.forms import ReportingLinkForm
from activities.middleware import LINK_SESSION_KEY
from activities.models import ReportingLink
from activities.names import range_state_name
from activities.security import link_failures

from .base import ExplainsRefusals, SavesThroughService, SecretariatRequiredMixin


class ReportingLinkListView(ExplainsRefusals, SecretariatRequiredMixin, ListView):
    template_name = "activities/reportinglink_list.html"
    context_object_name = "links"
    paginate_by = 50

    def get_queryset(self):
        return ReportingLink.objects.select_related("user", "range_state", "created_by")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"now": timezone.now()}


@method_decorator(never_cache, name="dispatch")
class ReportingLinkCreateView(ExplainsRefusals, SavesThroughService, SecretariatRequiredMixin, FormView):
    form_class = ReportingLinkForm
    template_name = "activities/reportinglink_form.html"

    def save(self, form):
        return services.reporting_link_create(user=self.request.user, **form.cleaned_data)

    def saved(self, result):
        link, token = result
        # The token is not stored: this response is the only time the link can be shown.
        url = self.request.build_absolute_uri(reverse("activities:reportinglink-redeem", args=[token]))
        return render(self.request, "activities/reportinglink_created.html", {"link": link, "url": url})


class ReportingLinkRevokeView(ExplainsRefusals, SecretariatRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        link = get_object_or_404(ReportingLink.objects.select_related("user", "range_state"), pk=pk)
        services.reporting_link_revoke(user=request.user, link=link)
        messages.success(request, _("Withdrawn: %(link)s.") % {"link": link})
        return redirect("activities:reportinglink-list")


@method_decorator(never_cache, name="dispatch")
class ReportingLinkRedeemView(View):
    """GET only shows a button (link previews and scanners must not sign anyone in); POST signs in."""

    template_name = "activities/reportinglink_redeem.html"

    def get(self, request, token):
        return render(request, self.template_name)

    def post(self, request, token):
        # Failed redemptions are limited per address, so that tokens cannot be guessed (activities.security).
        wait = link_failures.retry_after(request)
        if wait is not None:
            message = gettext(
                "Too many reporting links that did not work were tried from this address. "
                "Try again in %(minutes)s minutes, or ask the Secretariat."
            ) % {"minutes": max(1, round(wait / 60))}
            response = render(
                request, "activities/reportinglink_invalid.html", {"message": message}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        try:
            link = services.reporting_link_redeem(token=token)
        except services.LinkInvalid as exc:
            link_failures.record_failure(request)
            return render(request, "activities/reportinglink_invalid.html", {"message": str(exc)}, status=410)
        login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[LINK_SESSION_KEY] = link.pk
        messages.success(
            request,
            _("Signed in to report for %(state)s until %(date)s.")
            % {
                "state": range_state_name(link.range_state),
                "date": date_format(timezone.localtime(link.expires_at), "DATE_FORMAT"),
            },
        )
        return redirect("activities:home")
