"""Offline reporting by spreadsheet, from a national report's page: download the round's due activities
as XLSX, upload the filled sheet, see the preview (row by row, errors per cell, conflicts side by
side), confirm. The parsed upload waits for the confirmation in the session (server-side), with the
file's SHA-256: the confirmation applies what was previewed or nothing."""

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from activities import offline_sheet, permissions, selectors, services
from activities.models import RangeState, ReportingRound
from activities.permissions import Action
from activities.validators import MAX_ID

from .base import ExplainsRefusals

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetUploadForm(forms.Form):
    sheet = forms.FileField(
        label=gettext_lazy("The filled spreadsheet"),
        help_text=gettext_lazy("The .xlsx file you downloaded from this page and filled in."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )


class SheetConfirmForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput)
    leave_out_conflicts = forms.BooleanField(
        label=gettext_lazy("Leave out the rows in conflict: the app's version of those entries stays."),
        required=False,
    )


class SheetMixin(ExplainsRefusals, LoginRequiredMixin):
    def prepare(self, request, **kwargs):
        self.reporting_round = get_object_or_404(
            ReportingRound.objects.select_related("strategy"), pk=min(kwargs["pk"], MAX_ID)
        )
        self.range_state = get_object_or_404(
            RangeState, iso_code=kwargs["iso"].upper(), strategies=self.reporting_round.strategy_id
        )
        self.report = selectors.national_report_of(self.reporting_round, self.range_state)
        # Whoever may prepare the state's report may report its entries offline (the entries' own
        # rules are asked again by the services for each row on confirmation).
        permissions.require(request.user, Action.REPORT_EDIT, self.report)

    @property
    def session_key(self) -> str:
        return f"offline-sheet:{self.reporting_round.pk}:{self.range_state.pk}"


class NationalReportSheetDownloadView(SheetMixin, View):
    """The XLSX of the round's due activities for the state, pre-filled."""

    def get(self, request, **kwargs):
        content = offline_sheet.build_workbook(
            reporting_round=self.reporting_round, range_state=self.range_state, user=request.user
        )
        response = HttpResponse(content, content_type=XLSX)
        name = offline_sheet.file_name(self.reporting_round, self.range_state)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


class NationalReportSheetView(SheetMixin, TemplateView):
    """Upload (GET: the form), preview (POST step=upload) and confirm (POST step=confirm)."""

    template_name = "activities/nationalreport_sheet.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("upload_form", SheetUploadForm())
        return super().get_context_data(
            report=self.report,
            reporting_round=self.reporting_round,
            range_state=self.range_state,
            max_mb=f"{offline_sheet.max_bytes() / 1024 / 1024:.1f}",
            max_rows=offline_sheet.max_rows(),
            **kwargs,
        )

    def post(self, request, **kwargs):
        if request.POST.get("step") == "confirm":
            return self.confirm(request)
        return self.preview(request)

    def preview(self, request):
        form = SheetUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(upload_form=form))
        upload = form.cleaned_data["sheet"]
        try:
            plan = offline_sheet.plan_upload(
                upload=upload,
                reporting_round=self.reporting_round,
                range_state=self.range_state,
                user=request.user,
            )
        except offline_sheet.SheetRefused as exc:
            form.add_error("sheet", str(exc))
            return self.render_to_response(self.get_context_data(upload_form=form))
        upload.seek(0)
        digest = hashlib.sha256(upload.read()).hexdigest()
        if plan.errors:
            request.session.pop(self.session_key, None)
        else:
            request.session[self.session_key] = {
                "digest": digest,
                "actions": plan.stored(),
                "conflicts": len(plan.of("conflict")),
            }
        confirm_form = SheetConfirmForm(initial={"digest": digest})
        if not plan.of("conflict"):
            del confirm_form.fields["leave_out_conflicts"]
        return self.render_to_response(
            self.get_context_data(plan=plan, confirm_form=confirm_form, upload_form=SheetUploadForm())
        )

    def confirm(self, request):
        stored = request.session.get(self.session_key)
        form = SheetConfirmForm(request.POST)
        if not form.is_valid() or not stored or form.cleaned_data["digest"] != stored["digest"]:
            messages.error(
                request,
                _(
                    "This preview is no longer current (another upload replaced it, or it was confirmed): upload the sheet again."
                ),
            )
            return redirect(request.path)
        if stored["conflicts"] and not form.cleaned_data["leave_out_conflicts"]:
            messages.error(
                request,
                _(
                    "Some rows are in conflict with changes made in the app. Tick “leave out the rows in conflict” to save the others, or download the sheet again."
                ),
            )
            return redirect(request.path)
        try:
            written = services.offline_sheet_apply(
                user=request.user,
                reporting_round=self.reporting_round,
                range_state=self.range_state,
                actions=stored["actions"],
            )
        except (services.PreviewOutdated, ValidationError, PermissionDenied) as exc:
            request.session.pop(self.session_key, None)
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, message)
            return redirect(request.path)
        request.session.pop(self.session_key, None)
        messages.success(
            request,
            ngettext(
                "%(count)s entry is saved as a draft of this round. Submit it with the national report.",
                "%(count)s entries are saved as drafts of this round. Submit them with the national report.",
                len(written),
            )
            % {"count": len(written)},
        )
        return redirect(self.report.get_absolute_url())
