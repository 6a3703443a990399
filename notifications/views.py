"""A person's notices: the list, following one (marks it read), dismissing, marking all read, and the
page where they choose which notices they receive."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from . import selectors, services
from .forms import NoticePreferencesForm
from .models import Notice


def _own(action, request, pk) -> Notice:
    try:
        return action(user=request.user, notice_id=pk)
    except Notice.DoesNotExist:
        raise Http404("No such notice.") from None


def _back(request, default: str):
    """To `next` if it is a page of this site (the home page, the list), else to `default`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


class NoticeListView(LoginRequiredMixin, ListView):
    """All the notices the user chose to see on their home page, dismissed ones too, newest first."""

    template_name = "notifications/notice_list.html"
    context_object_name = "notices"
    paginate_by = 25

    def get_queryset(self):
        return Notice.objects.filter(recipient=self.request.user, on_home=True).order_by("-created_at", "-pk")


class NoticeOpenView(LoginRequiredMixin, View):
    """Follow a notice's link: it is then read."""

    def get(self, request, pk):
        notice = _own(services.notice_read, request, pk)
        if not url_has_allowed_host_and_scheme(notice.url, {request.get_host()}, require_https=False):
            return redirect("notifications:notice-list")
        return redirect(notice.url)


class NoticeDismissView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        _own(services.notice_dismiss, request, pk)
        return _back(request, reverse("activities:home"))


class NoticeReadAllView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        services.notices_read_all(user=request.user)
        return _back(request, reverse("notifications:notice-list"))


class NoticePreferencesView(LoginRequiredMixin, FormView):
    template_name = "notifications/preferences.html"
    form_class = NoticePreferencesForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"rows": selectors.preference_rows(self.request.user)}

    def get_context_data(self, **kwargs):
        language = translation.get_language_info(selectors.language_of(self.request.user))
        return super().get_context_data(**kwargs) | {"language": language["name_translated"]}

    def form_valid(self, form):
        services.notice_preferences_save(user=self.request.user, choices=form.choices())
        messages.success(self.request, _("Your choice of notices is saved."))
        return redirect("notifications:preferences")
