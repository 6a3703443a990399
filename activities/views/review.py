"""The Secretariat's review queue: submitted entries, oldest first, approved one by one or in bulk."""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView

from activities import permissions, services
from activities.forms import BulkApproveForm, ReturnForm, ReviewQueueFilter
from activities.models import ProgressEntry
from activities.permissions import Action

from .base import ExplainsRefusals, SecretariatRequiredMixin, redirect_back


class ProgressEntryReviewQueueView(ExplainsRefusals, SecretariatRequiredMixin, ListView):
    """Submitted entries, oldest first, filterable by Range State and strategy."""

    template_name = "activities/review_queue.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = ReviewQueueFilter(self.request.GET, queryset=ProgressEntry.objects.awaiting_review())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for entry in context["entries"]:
            entry.can_review = permissions.allowed(self.request.user, Action.REVIEW, entry)
        return context | {"filter": self.filterset, "return_form": ReturnForm()}


def report_bulk_approval(request, result: services.BulkResult) -> None:
    """One message for what was approved, and one per refused entry saying why."""
    if approved := len(result.approved):
        messages.success(
            request,
            ngettext("Approved %(n)d entry.", "Approved %(n)d entries.", approved) % {"n": approved},
        )
    for entry, reason in result.refused:
        messages.error(
            request, _("Not approved: %(entry)s (%(reason)s)") % {"entry": entry, "reason": reason}
        )


class ProgressEntryBulkApproveView(ExplainsRefusals, SecretariatRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = BulkApproveForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("entries", []):
                messages.error(request, error)
            return redirect_back(request, "activities:review-queue")
        entries = form.cleaned_data["entries"].select_related("activity__strategy", "range_state")
        result = services.progress_entries_bulk_approve(user=request.user, entries=entries)
        report_bulk_approval(request, result)
        return redirect_back(request, "activities:review-queue")
