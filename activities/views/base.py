"""What the page modules share: refusals shown as a 403 page saying why, forms saved through one
service, the Secretariat-only mixin, the way back after a form, and loading an entry the user may see."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from activities import permissions
from activities.forms import add_service_error
from activities.models import ProgressEntry
from activities.permissions import Action


class ExplainsRefusals:
    """Show a refused action as a 403 page that says why: the services' messages are written for users
    (e.g. "The reporting round is closed"). `prepare()` loads and checks what the view acts on."""

    def prepare(self, request, **kwargs):
        pass

    def dispatch(self, request, *args, **kwargs):
        try:
            if request.user.is_authenticated:
                self.prepare(request, **kwargs)
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "activities/forbidden.html", {"message": str(exc)}, status=403)


class SavesThroughService:
    """A form view whose valid form goes to one service (`save`): a ValidationError the service raises
    is shown on the form, beside the field it names, with the user's input kept; what the service
    saved is then answered by `saved` (a message and a redirect, or a page)."""

    def save(self, form):
        raise NotImplementedError

    def saved(self, result):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.save(form)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        return self.saved(result)


class SecretariatRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.is_secretariat(request.user):
            raise PermissionDenied(_("This page is for the Secretariat only."))
        return super().dispatch(request, *args, **kwargs)


def redirect_back(request, default):
    """Back to the page the form was on (`next`), if it is on this site; otherwise to `default`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


ENTRY_RELATED = (
    "activity__strategy",
    "activity__result__objective",
    "range_state",
    "reporting_round",
    "reported_by",
    "submitted_by",
    "reviewed_by",
)


def viewable_entry(request, pk) -> ProgressEntry:
    """The entry, or 404 when it does not exist or the user may not see it (the two look the same)."""
    entry = get_object_or_404(ProgressEntry.objects.select_related(*ENTRY_RELATED), pk=pk)
    if not permissions.allowed(request.user, Action.VIEW, entry):
        raise Http404(_("No such progress entry."))
    return entry
