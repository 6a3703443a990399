"""Progress reporting for signed-in users: the home page, a progress entry's page, creating and editing
entries, moving them through the workflow, and their evidence."""

from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from activities import permissions, selectors, services
from activities.forms import (
    EvidenceBatchForm,
    EvidenceForm,
    ProgressEntryForm,
    ReturnForm,
    add_service_error,
)
from activities.models import Activity, Evidence
from activities.permissions import Action
from notifications import selectors as notice_selectors

from .base import ExplainsRefusals, SavesThroughService, redirect_back, viewable_entry


class ProgressHomeView(LoginRequiredMixin, TemplateView):
    """A signed-in user's starting point, by role: what is due, what is waiting, what came back."""

    template_name = "activities/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs |= notice_selectors.home_notices(user)
        if permissions.is_secretariat(user):
            return super().get_context_data(is_secretariat=True, **selectors.secretariat_home(), **kwargs)
        return super().get_context_data(
            is_secretariat=False, **selectors.reporter_home(user, self.request.GET), **kwargs
        )


# --- an entry's page -----------------------------------------------------------------------------


def new_evidence_form(*args, **kwargs) -> EvidenceForm:
    return EvidenceForm(*args, max_mb=settings.EVIDENCE_MAX_UPLOAD_MB, **kwargs)


def entry_page(request, entry, *, return_form=None, evidence_form=None):
    """The entry's page, with the forms it shows (as posted, when they came back with errors)."""
    forms = {
        "return_form": return_form or ReturnForm(),
        "evidence_form": evidence_form or new_evidence_form(),
    }
    return render(
        request, "activities/progress_detail.html", selectors.entry_page(entry, request.user) | forms
    )


class ProgressEntryDetailView(View):
    """An entry's page: 404 unless the user may view it; restricted parts only for those allowed."""

    def get(self, request, pk):
        return entry_page(request, viewable_entry(request, pk))


# --- creating and editing ------------------------------------------------------------------------


class AttachesEvidence:
    """A create or edit form that takes evidence (files and links) in the same post: both forms are
    checked, each shows its own errors, and nothing is saved unless both are valid."""

    def evidence_form(self):
        if not hasattr(self, "_evidence_form"):
            bound = (self.request.POST, self.request.FILES) if self.request.method == "POST" else ()
            self._evidence_form = EvidenceBatchForm(*bound, max_mb=settings.EVIDENCE_MAX_UPLOAD_MB)
        return self._evidence_form

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        evidence_valid = self.evidence_form().is_valid()  # both checked, so both show their errors
        if form.is_valid() and evidence_valid:
            return self.form_valid(form)
        return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"evidence_form": self.evidence_form()}

    def report_not_stored(self, names):
        for name in names:
            messages.error(self.request, services.not_stored_message(name))


class ProgressEntryCreateView(
    ExplainsRefusals, AttachesEvidence, SavesThroughService, LoginRequiredMixin, FormView
):
    form_class = ProgressEntryForm
    template_name = "activities/progress_form.html"

    def prepare(self, request, **kwargs):
        self.activity = get_object_or_404(
            Activity.objects.select_related("strategy", "result__objective"),
            strategy__slug=kwargs["slug"],
            code=kwargs["code"],
        )

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "activity": self.activity}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not form.fields["range_state"].queryset.exists() and form.fields["range_state"].required:
            raise PermissionDenied(
                _("You may not report progress on %(activity)s.") % {"activity": self.activity}
            )
        return form

    def get_initial(self):
        initial, self.prefilled_from = selectors.new_entry_initial(
            self.request.user, self.activity, range_state_code=self.request.GET.get("range_state", "")
        )
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # builds the form, and with it the pre-filling
        return context | {"activity": self.activity, "prefilled_from": getattr(self, "prefilled_from", None)}

    def save(self, form):
        range_state = form.cleaned_data["range_state"]
        entry, not_stored = services.progress_entry_create_with_evidence(
            user=self.request.user,
            activity=self.activity,
            range_state=range_state,
            evidence=self.evidence_form().evidence(),
            **form.changes(),
        )
        self.report_not_stored(not_stored)
        return entry

    def saved(self, entry):
        messages.success(self.request, _("Draft saved. It is not yet submitted: submit it when it is ready."))
        return redirect(entry)


class ProgressEntryUpdateView(
    ExplainsRefusals, AttachesEvidence, SavesThroughService, LoginRequiredMixin, FormView
):
    """Edit with optimistic locking: the form carries the version it started from; a conflicting save
    re-shows the user's text with the saved version beside it, and overwrites nothing."""

    form_class = ProgressEntryForm
    template_name = "activities/progress_form.html"

    def prepare(self, request, **kwargs):
        self.entry = viewable_entry(request, kwargs["pk"])
        permissions.require(request.user, Action.EDIT, self.entry)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        return kwargs | {"instance": self.entry, "user": self.request.user, "activity": self.entry.activity}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"activity": self.entry.activity, "entry": self.entry}

    def save(self, form):
        entry, not_stored = services.progress_entry_update_with_evidence(
            user=self.request.user,
            entry=self.entry,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data.get("reason", ""),
            evidence=self.evidence_form().evidence(),
            **form.changes(),
        )
        self.report_not_stored(not_stored)
        return entry

    def saved(self, entry):
        messages.success(self.request, _("Changes saved."))
        if entry.review_state == entry.ReviewState.SUBMITTED and permissions.is_secretariat(
            self.request.user
        ):
            # Separation of duties: whoever changed the content leaves the review to a colleague.
            messages.info(self.request, _("You changed this entry's content: a colleague will review it."))
        return redirect(entry)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.EditConflict as exc:
            return self.conflict(form, exc)

    def conflict(self, form, exc):
        # The user's text stays in the form; its version becomes the saved one, so that saving again
        # (after comparing) is a deliberate choice rather than a silent overwrite.
        data = self.request.POST.copy()
        data["version"] = exc.current.version
        again = ProgressEntryForm(**self.get_form_kwargs() | {"data": data, "instance": exc.current})
        again.is_valid()
        saved = selectors.entry_saved_values(exc.current, form.cleaned_data)
        context = self.get_context_data(form=again, conflict=str(exc), saved=saved, current=exc.current)
        return self.render_to_response(context, status=409)


# --- the workflow --------------------------------------------------------------------------------


class EntryActionView(ExplainsRefusals, LoginRequiredMixin, View):
    """A POST that moves an entry through the workflow: 404 unless viewable, the service decides."""

    http_method_names = ["post"]

    def post(self, request, pk):
        entry = viewable_entry(request, pk)
        return self.act(request, entry)


class ProgressEntrySubmitView(EntryActionView):
    def act(self, request, entry):
        services.progress_entry_submit(user=request.user, entry=entry)
        messages.success(
            request, _("Submitted for review. The Secretariat will approve it or return it to you.")
        )
        return redirect_back(request, entry)


class ProgressEntryApproveView(EntryActionView):
    def act(self, request, entry):
        services.progress_entry_approve(user=request.user, entry=entry)
        messages.success(request, _("Approved: %(entry)s.") % {"entry": entry})
        return redirect_back(request, entry)


class ProgressEntryReturnView(EntryActionView):
    def act(self, request, entry):
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                services.progress_entry_return(
                    user=request.user, entry=entry, comment=form.cleaned_data["comment"]
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, _("Returned to the reporter with your comment: %(entry)s.") % {"entry": entry}
                )
                return redirect_back(request, entry)
        permissions.require(request.user, Action.REVIEW, entry)
        return entry_page(request, entry, return_form=form)


# --- evidence ------------------------------------------------------------------------------------


class EvidenceCreateView(EntryActionView):
    def act(self, request, entry):
        permissions.require(request.user, Action.EDIT, entry)
        form = new_evidence_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.evidence_add(user=request.user, entry=entry, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Evidence added."))
                return redirect(f"{entry.get_absolute_url()}#evidence")
        return entry_page(request, entry, evidence_form=form)


def viewable_evidence(request, evidence) -> Evidence:
    """The evidence, or 404 unless the user may see its entry and, when restricted, its restricted parts."""
    entry = viewable_entry(request, evidence.entry_id)
    if evidence.restricted and not permissions.allowed(request.user, Action.VIEW_RESTRICTED, entry):
        raise Http404(_("No such evidence."))
    evidence.entry = entry
    return evidence


class EvidenceDeleteView(ExplainsRefusals, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        evidence = viewable_evidence(request, get_object_or_404(Evidence, pk=pk))
        services.evidence_remove(user=request.user, evidence=evidence)
        messages.success(request, _("Evidence removed. The history keeps a record of it."))
        return redirect(f"{evidence.entry.get_absolute_url()}#evidence")


class EvidenceDownloadView(View):
    """Files are served only through here, after the permission check, never from MEDIA_URL."""

    def get(self, request, pk):
        evidence = viewable_evidence(request, get_object_or_404(Evidence.objects.exclude(file=""), pk=pk))
        response = FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=PurePath(evidence.file.name).name,
            content_type=evidence.content_type or "application/octet-stream",
        )
        response["Cache-Control"] = "private, no-store" if evidence.restricted else "private"
        return response
