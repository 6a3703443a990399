"""National reports: a round's overview (every Range State's report the user may see) and a report's
page, where the focal point writes the cover and sections and submits, and the Secretariat accepts or
returns it. Every step goes through one service; who may take it is activities.permissions's to say."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from activities import permissions, selectors, services
from activities.forms import add_service_error
from activities.models import RangeState, ReportingRound
from activities.names import range_state_name as local_name
from activities.national_forms import (
    NationalReportForm,
    NationalReportReturnForm,
    NationalReportSubmitForm,
    ReportCommentForm,
)
from activities.permissions import Action
from activities.validators import MAX_ID

from .base import ExplainsRefusals


class RoundNationalReportsView(ExplainsRefusals, LoginRequiredMixin, TemplateView):
    """A round's national reports: status, dates and completeness per Range State the user may see."""

    template_name = "activities/nationalreport_list.html"

    def prepare(self, request, **kwargs):
        self.reporting_round = get_object_or_404(
            ReportingRound.objects.select_related("strategy"), pk=min(kwargs["pk"], MAX_ID)
        )
        self.rows = selectors.round_national_reports(self.reporting_round, request.user)
        if not self.rows:
            raise PermissionDenied(
                _("National reports are for the Secretariat and the Range States' focal points.")
            )

    def get_context_data(self, **kwargs):
        last = services.last_reminders(self.reporting_round)
        for row in self.rows:
            row["last_reminder"] = last.get(row["state"].pk)
            row["owing"] = not row["report"] or row["report"].status not in services.NOT_OWING
        return super().get_context_data(
            reporting_round=self.reporting_round,
            rows=self.rows,
            can_remind=permissions.allowed(self.request.user, Action.REPORT_REMIND)
            and not self.reporting_round.is_closed,
            reminder_hours=round(services.reminder_interval().total_seconds() / 3600),
            **kwargs,
        )

    def post(self, request, **kwargs):
        """Remind the focal points of the states not yet submitted (all, or the one named by `state`)."""
        permissions.require(request.user, Action.REPORT_REMIND)
        state = None
        if iso := request.POST.get("state", "").strip():
            state = next(
                (row["state"] for row in self.rows if row["state"].iso_code.lower() == iso.lower()), None
            )
            if state is None:
                messages.error(request, _("Choose a Range State of this round's strategy."))
                return redirect(request.path)
        try:
            outcome = services.national_reports_remind(
                user=request.user, reporting_round=self.reporting_round, range_state=state
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(request.path)
        for message in reminder_confirmation(outcome):
            messages.info(request, message)
        return redirect(request.path)


def reminder_confirmation(outcome) -> list[str]:
    """The confirmation of a click on "remind", one sentence per Range State."""
    lines = []
    for state, users in outcome.reminded:
        names = ", ".join(user.get_full_name() or user.get_username() for user in users)
        lines.append(_("%(state)s reminded: %(people)s.") % {"state": local_name(state), "people": names})
    for state, sent_at, next_at in outcome.too_soon:
        lines.append(
            _("%(state)s was already reminded on %(sent)s; it is not reminded again before %(next)s.")
            % {
                "state": local_name(state),
                "sent": date_format(timezone.localtime(sent_at), "DATETIME_FORMAT"),
                "next": date_format(timezone.localtime(next_at), "DATETIME_FORMAT"),
            }
        )
    for state in outcome.no_focal_point:
        lines.append(_("%(state)s has no focal point to remind.") % {"state": local_name(state)})
    for state in outcome.submitted:
        lines.append(
            _("%(state)s has submitted its national report: nothing to remind of.")
            % {"state": local_name(state)}
        )
    if not lines:
        lines.append(_("Every Range State has submitted its national report: nobody was reminded."))
    return lines


class NationalReportView(ExplainsRefusals, LoginRequiredMixin, TemplateView):
    """A national report's page (GET), and saving its cover and sections (POST)."""

    template_name = "activities/nationalreport_detail.html"

    def prepare(self, request, **kwargs):
        reporting_round = get_object_or_404(
            ReportingRound.objects.select_related("strategy"), pk=min(kwargs["pk"], MAX_ID)
        )
        state = get_object_or_404(
            RangeState, iso_code=kwargs["iso"].upper(), strategies=reporting_round.strategy_id
        )
        self.report = selectors.national_report_of(reporting_round, state)
        permissions.require(request.user, Action.REPORT_VIEW, self.report)

    def get_context_data(self, **kwargs):
        page = selectors.national_report_page(self.report, self.request.user)
        kwargs.setdefault(
            "form", NationalReportForm(instance=self.report, initial={"version": self.report.version})
        )
        kwargs.setdefault("submit_form", NationalReportSubmitForm(entries=page["with_the_reporter"]))
        kwargs.setdefault("return_form", NationalReportReturnForm(entries=page["awaiting_review"]))
        kwargs.setdefault("comment_form", ReportCommentForm(entries=page["round_entries"]))
        return super().get_context_data(**page, **kwargs)

    def post(self, request, **kwargs):
        step = request.POST.get("step", "save")
        handler = {
            "save": self.save,
            "submit": self.submit,
            "accept": self.accept,
            "return": self.send_back,
            "comment": self.comment,
        }
        if step not in handler:
            return self.get(request, **kwargs)
        return handler[step](request)

    def done(self, message):
        messages.success(self.request, message)
        return redirect(self.report.get_absolute_url())

    def save(self, request):
        permissions.require(request.user, Action.REPORT_EDIT, self.report)
        form = NationalReportForm(request.POST, instance=self.report)
        if form.is_valid():
            try:
                services.national_report_save(
                    user=request.user,
                    reporting_round=self.report.reporting_round,
                    range_state=self.report.range_state,
                    expected_version=form.cleaned_data["version"],
                    **form.changes(),
                )
            except services.ReportEditConflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return self.done(_("The national report is saved. It is not yet submitted."))
        return self.render_to_response(self.get_context_data(form=form))

    def submit(self, request):
        permissions.require(request.user, Action.REPORT_SUBMIT, self.report)
        pending = selectors.national_report_page(self.report, request.user)["with_the_reporter"]
        form = NationalReportSubmitForm(request.POST, entries=pending)
        if form.is_valid():
            try:
                services.national_report_submit(
                    user=request.user,
                    report=self.report,
                    confirmed=form.cleaned_data["confirmed"],
                    include=form.cleaned_data["include"],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return self.done(_("The national report is submitted to the Secretariat, with its entries."))
        return self.render_to_response(self.get_context_data(submit_form=form))

    def accept(self, request):
        services.national_report_accept(user=request.user, report=self.report)
        return self.done(_("The national report is accepted, and its entries approved."))

    def send_back(self, request):
        permissions.require(request.user, Action.REPORT_REVIEW, self.report)
        awaiting = selectors.national_report_page(self.report, request.user)["awaiting_review"]
        form = NationalReportReturnForm(request.POST, entries=awaiting)
        if form.is_valid():
            try:
                services.national_report_return(
                    user=request.user,
                    report=self.report,
                    comments=form.section_comments(),
                    entry_comments=form.entry_comments(),
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return self.done(_("The national report is returned to its focal point with your comments."))
        return self.render_to_response(self.get_context_data(return_form=form))

    def comment(self, request):
        permissions.require(request.user, Action.REPORT_COMMENT, self.report)
        entries = selectors.national_report_page(self.report, request.user)["round_entries"]
        form = ReportCommentForm(request.POST, entries=entries)
        if form.is_valid():
            try:
                services.report_comment_add(
                    user=request.user, report=self.report, text=form.cleaned_data["text"], **form.about()
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return self.done(_("Your comment is added to the discussion."))
        return self.render_to_response(self.get_context_data(comment_form=form))
