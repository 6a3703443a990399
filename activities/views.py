"""Web pages: the public browse pages (strategies, one strategy's logframe, one activity), and progress
reporting for signed-in users (home, entries, the review queue, delegations, reporting links, rounds).

Views get objects, check input and call one service; who may do what is decided only by
activities.permissions (and the services, which ask it again). An entry the user may not view is a
404, so that its existence is not revealed; an action the user may not take is a 403 saying why."""

import datetime
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView

from . import permissions, services
from .forms import (
    BulkApproveForm,
    DelegationForm,
    EvidenceForm,
    ProgressEntryForm,
    ReportingLinkForm,
    ReportingRoundForm,
    ReturnForm,
    ReviewQueueFilter,
    add_service_error,
    initial_from_approved,
)
from .middleware import LINK_SESSION_KEY
from .models import (
    Activity,
    Delegation,
    Evidence,
    ProgressEntry,
    RangeState,
    ReportingLink,
    ReportingRound,
    Strategy,
)
from .permissions import Action
from .querysets import round_reporting_rates

RS = ProgressEntry.ReviewState
PENDING = (RS.DRAFT, RS.SUBMITTED, RS.RETURNED)


# --- public browse pages -------------------------------------------------------------------------


class StrategyListView(ListView):
    template_name = "activities/strategy_list.html"
    context_object_name = "strategies"

    def get_queryset(self):
        return Strategy.objects.with_counts()


class StrategyDetailView(DetailView):
    template_name = "activities/strategy_detail.html"
    context_object_name = "strategy"

    def get_queryset(self):
        return Strategy.objects.with_counts().with_tree()


class ActivityDetailView(DetailView):
    """Public: the activity and its approved progress (never restricted evidence). Signed-in users also
    see the pending entries they may view, and a link to report when they may."""

    template_name = "activities/activity_detail.html"
    context_object_name = "activity"

    def get_object(self, queryset=None):
        activities = Activity.objects.with_context().with_details().with_public_progress()
        return get_object_or_404(activities, strategy__slug=self.kwargs["slug"], code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated:
            pending = self.object.progress_entries.filter(review_state__in=PENDING)
            context["pending_entries"] = permissions.visible_entries(user, pending).select_related(
                "range_state"
            )
            context["can_report"] = ProgressEntryForm.creatable_states(user, self.object).exists()
        return context


# --- shared helpers ------------------------------------------------------------------------------


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


class SecretariatRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.is_secretariat(request.user):
            raise PermissionDenied("This page is for the Secretariat only.")
        return super().dispatch(request, *args, **kwargs)


def _redirect_back(request, default):
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


def _viewable_entry(request, pk) -> ProgressEntry:
    """The entry, or 404 when it does not exist or the user may not see it (the two look the same)."""
    entry = get_object_or_404(ProgressEntry.objects.select_related(*ENTRY_RELATED), pk=pk)
    if not permissions.allowed(request.user, Action.VIEW, entry):
        raise Http404("No such progress entry.")
    return entry


def _evidence_form(*args, **kwargs) -> EvidenceForm:
    return EvidenceForm(*args, max_mb=settings.EVIDENCE_MAX_UPLOAD_MB, **kwargs)


# Bookkeeping fields a reader does not need in the list of what changed.
HISTORY_EXCLUDED = [
    "id",
    "version",
    "created_at",
    "updated_at",
    "activity",
    "reported_by",
    "submitted_by",
    "submitted_at",
    "first_submitted_at",
    "reviewed_by",
    "reviewed_at",
]


def _display(field, value, rounds) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.name == "reporting_round":
        return str(rounds.get(value, value))
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return str(value)


def entry_history(entry: ProgressEntry, *, show_restricted: bool) -> list[dict]:
    """The entry's versions and its evidence's additions and removals, newest first, each with who, when,
    the reason, and the fields changed against the version before (restricted values only if allowed)."""
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    round_ids = {r.reporting_round_id for r in records if r.reporting_round_id}
    rounds = {r.pk: r.name for r in ReportingRound.objects.filter(pk__in=round_ids)} if round_ids else {}
    rows, previous = [], None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_EXCLUDED)
            for change in delta.changes:
                field = ProgressEntry._meta.get_field(change.field)
                hidden = field.name == "restricted_details" and not show_restricted
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": None if hidden else _display(field, change.old, rounds),
                        "new": None if hidden else _display(field, change.new, rounds),
                    }
                )
        reason = record.history_change_reason or ("Created" if record.history_type == "+" else "Changed")
        rows.append(
            {"date": record.history_date, "user": record.history_user, "reason": reason, "changes": changes}
        )
        previous = record
    evidence_records = Evidence.history.filter(entry_id=entry.pk, history_type__in=["+", "-"]).select_related(
        "history_user"
    )
    for record in evidence_records:
        if record.restricted and not show_restricted:
            what = "restricted evidence"
        else:
            what = f"evidence “{record.title or record.url or PurePath(record.file or '').name}”"
        verb = "Added" if record.history_type == "+" else "Removed"
        rows.append({"date": record.history_date, "user": record.history_user, "reason": f"{verb} {what}"})
    return sorted(rows, key=lambda row: row["date"], reverse=True)


def _entry_page(request, entry, *, return_form=None, evidence_form=None):
    user = request.user
    show_restricted = permissions.allowed(user, Action.VIEW_RESTRICTED, entry)
    evidence = entry.evidence.all() if show_restricted else entry.evidence.filter(restricted=False)
    context = {
        "entry": entry,
        "activity": entry.activity,
        "show_restricted": show_restricted,
        "evidence": evidence,
        "history": entry_history(entry, show_restricted=show_restricted),
        "can_edit": permissions.allowed(user, Action.EDIT, entry),
        "can_submit": permissions.allowed(user, Action.SUBMIT, entry),
        "can_review": permissions.allowed(user, Action.REVIEW, entry),
        "return_form": return_form or ReturnForm(),
        "evidence_form": evidence_form or _evidence_form(),
    }
    return render(request, "activities/progressentry_detail.html", context)


# --- signed-in home ------------------------------------------------------------------------------


def rounds_due(states) -> list[dict]:
    """For the given Range States: the open reporting rounds of their strategies, each with, per state,
    the due activities not yet reported (overdue ones flagged). One query per round and state."""
    today = timezone.localdate()
    open_rounds = (
        ReportingRound.objects.filter(closed_at__isnull=True, strategy__range_states__in=states)
        .select_related("strategy")
        .prefetch_related("strategy__range_states")
        .distinct()
        .order_by("deadline", "pk")
    )
    result = []
    for reporting_round in open_rounds:
        members = {state.pk for state in reporting_round.strategy.range_states.all()}
        per_state = []
        for state in (s for s in states if s.pk in members):
            activities = list(
                Activity.objects.not_reported_in_round(reporting_round, state)
                .with_overdue_flag(range_state=state, year=today.year)
                .select_related("strategy")
                .order_by("-is_overdue", "sort_key")
            )
            overdue = sum(1 for a in activities if a.is_overdue)
            per_state.append({"state": state, "activities": activities, "overdue_count": overdue})
        days_left = (reporting_round.deadline - today).days
        result.append(
            {"round": reporting_round, "days_left": days_left, "days_late": -days_left, "states": per_state}
        )
    return result


class ProgressHomeView(LoginRequiredMixin, TemplateView):
    """A signed-in user's starting point, by role: what is due, what is waiting, what came back."""

    template_name = "activities/progress_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["is_secretariat"] = secretariat = permissions.is_secretariat(user)
        if secretariat:
            context["awaiting_review"] = ProgressEntry.objects.filter(review_state=RS.SUBMITTED).count()
            context["open_rounds"] = ReportingRound.objects.filter(closed_at__isnull=True).select_related(
                "strategy"
            )
            return context
        state_ids = permissions.focal_state_ids(user)
        states = list(RangeState.objects.filter(pk__in=state_ids).order_by("name")) if state_ids else []
        context["focal_states"] = states
        context["link_state_id"] = permissions.link_scope_state_id(user)
        context["rounds"] = rounds_due(states) if states else []
        context["delegations"] = Delegation.objects.filter(
            delegate=user, revoked_at__isnull=True, pk__in=[d.pk for d in permissions.delegations(user)]
        ).select_related("range_state", "activity__strategy", "objective__strategy", "granted_by")
        mine = permissions.visible_entries(
            user,
            ProgressEntry.objects.filter(
                review_state__in=PENDING, range_state_id__in=permissions.reportable_state_ids(user)
            ),
        )
        entries = list(mine.select_related("activity__strategy", "range_state").order_by("-updated_at"))
        for state in PENDING:
            context[f"{state}_entries"] = [e for e in entries if e.review_state == state]
        return context


# --- progress entries ----------------------------------------------------------------------------


class ProgressEntryDetailView(View):
    """An entry's page: 404 unless the user may view it; restricted parts only for those allowed."""

    def get(self, request, pk):
        return _entry_page(request, _viewable_entry(request, pk))


class ProgressEntryCreateView(ExplainsRefusals, LoginRequiredMixin, FormView):
    form_class = ProgressEntryForm
    template_name = "activities/progressentry_form.html"

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
            raise PermissionDenied(f"You may not report progress on {self.activity}.")
        return form

    def get_initial(self):
        choices = ProgressEntryForm.creatable_states(self.request.user, self.activity)
        wanted = self.request.GET.get("range_state", "").upper()
        state = choices.filter(iso_code=wanted).first() if wanted else None
        if state is None and not permissions.is_secretariat(self.request.user):
            state = choices.first() if choices.count() == 1 else None
        initial, self.prefilled_from = initial_from_approved(self.activity, state)
        open_rounds = self.activity.strategy.reporting_rounds.filter(closed_at__isnull=True)
        return initial | {"reporting_round": open_rounds.order_by("deadline").first()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # builds the form, and with it the pre-filling
        return context | {"activity": self.activity, "prefilled_from": getattr(self, "prefilled_from", None)}

    def form_valid(self, form):
        try:
            entry = services.progress_entry_create(
                user=self.request.user,
                activity=self.activity,
                range_state=form.cleaned_data["range_state"],
                **form.changes(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Draft saved. It is not yet submitted: submit it when it is ready.")
        return redirect(entry)


class ProgressEntryUpdateView(ExplainsRefusals, LoginRequiredMixin, FormView):
    """Edit with optimistic locking: the form carries the version it started from; a conflicting save
    re-shows the user's text with the saved version beside it, and overwrites nothing."""

    form_class = ProgressEntryForm
    template_name = "activities/progressentry_form.html"

    def prepare(self, request, **kwargs):
        self.entry = _viewable_entry(request, kwargs["pk"])
        permissions.require(request.user, Action.EDIT, self.entry)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        return kwargs | {"instance": self.entry, "user": self.request.user, "activity": self.entry.activity}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"activity": self.entry.activity, "entry": self.entry}

    def form_valid(self, form):
        try:
            entry = services.progress_entry_update(
                user=self.request.user,
                entry=self.entry,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason", ""),
                **form.changes(),
            )
        except services.EditConflict as exc:
            return self.conflict(form, exc)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Changes saved.")
        return redirect(entry)

    def conflict(self, form, exc):
        # The user's text stays in the form; its version becomes the saved one, so that saving again
        # (after comparing) is a deliberate choice rather than a silent overwrite.
        data = self.request.POST.copy()
        data["version"] = exc.current.version
        kwargs = self.get_form_kwargs() | {"data": data, "instance": exc.current}
        again = ProgressEntryForm(**kwargs)
        again.is_valid()
        saved = _compare(exc.current, form.cleaned_data)
        context = self.get_context_data(form=again, conflict=str(exc), saved=saved, current=exc.current)
        return self.render_to_response(context, status=409)


def _compare(current: ProgressEntry, typed: dict) -> list[dict]:
    """The saved value of each editable field, and whether it differs from what the user typed."""
    rows = []
    for name in services.EDITABLE_FIELDS:
        field = ProgressEntry._meta.get_field(name)
        saved = getattr(current, name)
        if field.choices:
            shown = getattr(current, f"get_{name}_display")()
        else:
            shown = "—" if saved in (None, "") else str(saved)
        rows.append({"label": field.verbose_name, "value": shown, "differs": typed.get(name) != saved})
    return rows


class EntryActionView(ExplainsRefusals, LoginRequiredMixin, View):
    """A POST that moves an entry through the workflow: 404 unless viewable, the service decides."""

    http_method_names = ["post"]

    def post(self, request, pk):
        entry = _viewable_entry(request, pk)
        return self.act(request, entry)


class ProgressEntrySubmitView(EntryActionView):
    def act(self, request, entry):
        services.progress_entry_submit(user=request.user, entry=entry)
        messages.success(
            request, "Submitted for review. The Secretariat will approve it or return it to you."
        )
        return _redirect_back(request, entry)


class ProgressEntryApproveView(EntryActionView):
    def act(self, request, entry):
        services.progress_entry_approve(user=request.user, entry=entry)
        messages.success(request, f"Approved: {entry}.")
        return _redirect_back(request, entry)


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
                messages.success(request, f"Returned to the reporter with your comment: {entry}.")
                return _redirect_back(request, entry)
        permissions.require(request.user, Action.REVIEW, entry)
        return _entry_page(request, entry, return_form=form)


class EvidenceCreateView(EntryActionView):
    def act(self, request, entry):
        permissions.require(request.user, Action.EDIT, entry)
        form = _evidence_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.evidence_add(user=request.user, entry=entry, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Evidence added.")
                return redirect(f"{entry.get_absolute_url()}#evidence")
        return _entry_page(request, entry, evidence_form=form)


class EvidenceDeleteView(ExplainsRefusals, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        evidence = get_object_or_404(Evidence, pk=pk)
        entry = _viewable_entry(request, evidence.entry_id)
        if evidence.restricted and not permissions.allowed(request.user, Action.VIEW_RESTRICTED, entry):
            raise Http404("No such evidence.")
        services.evidence_remove(user=request.user, evidence=evidence)
        messages.success(request, "Evidence removed. The history keeps a record of it.")
        return redirect(f"{entry.get_absolute_url()}#evidence")


class EvidenceDownloadView(View):
    """Files are served only through here, after the permission check, never from MEDIA_URL."""

    def get(self, request, pk):
        evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=pk)
        entry = _viewable_entry(request, evidence.entry_id)
        if evidence.restricted and not permissions.allowed(request.user, Action.VIEW_RESTRICTED, entry):
            raise Http404("No such evidence.")
        response = FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=PurePath(evidence.file.name).name,
            content_type=evidence.content_type or "application/octet-stream",
        )
        response["Cache-Control"] = "private, no-store" if evidence.restricted else "private"
        return response


# --- review --------------------------------------------------------------------------------------


class ProgressEntryReviewQueueView(ExplainsRefusals, SecretariatRequiredMixin, ListView):
    """Submitted entries, oldest first, filterable by Range State and strategy."""

    template_name = "activities/progressentry_review.html"
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


class ProgressEntryBulkApproveView(ExplainsRefusals, SecretariatRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = BulkApproveForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("entries", []):
                messages.error(request, error)
            return _redirect_back(request, "activities:review-queue")
        entries = form.cleaned_data["entries"].select_related("activity__strategy", "range_state")
        result = services.progress_entries_bulk_approve(user=request.user, entries=entries)
        if result.approved:
            messages.success(
                request, f"Approved {len(result.approved)} entr{'y' if len(result.approved) == 1 else 'ies'}."
            )
        for entry, reason in result.refused:
            messages.error(request, f"Not approved: {entry} ({reason})")
        return _redirect_back(request, "activities:review-queue")


# --- delegations ---------------------------------------------------------------------------------


class DelegationListView(ExplainsRefusals, LoginRequiredMixin, FormView):
    """A focal point lets a colleague draft (not submit) one activity or objective of one of their states."""

    form_class = DelegationForm
    template_name = "activities/delegation_list.html"

    def prepare(self, request, **kwargs):
        if not (permissions.is_secretariat(request.user) or permissions.focal_state_ids(request.user)):
            raise PermissionDenied("Only national focal points (and the Secretariat) delegate reporting.")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        active = Delegation.objects.filter(revoked_at__isnull=True).select_related(
            "delegate", "range_state", "activity__strategy", "objective__strategy", "granted_by"
        )
        if not permissions.is_secretariat(self.request.user):
            active = active.filter(range_state_id__in=permissions.focal_state_ids(self.request.user))
        return super().get_context_data(**kwargs) | {"delegations": active}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            delegation = services.delegation_grant(
                user=self.request.user,
                delegate=data["delegate"],
                range_state=data["range_state"],
                activity=data.get("activity"),
                objective=data.get("objective"),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Delegated: {delegation}.")
        return redirect("activities:delegation-list")


class DelegationRevokeView(ExplainsRefusals, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        delegation = get_object_or_404(Delegation.objects.select_related("delegate"), pk=pk)
        services.delegation_revoke(user=request.user, delegation=delegation)
        messages.success(request, f"Revoked: {delegation.delegate} can no longer draft there.")
        return redirect("activities:delegation-list")


# --- password-less reporting links ---------------------------------------------------------------


class ReportingLinkListView(ExplainsRefusals, SecretariatRequiredMixin, ListView):
    template_name = "activities/reportinglink_list.html"
    context_object_name = "links"
    paginate_by = 50

    def get_queryset(self):
        return ReportingLink.objects.select_related("user", "range_state", "created_by")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"now": timezone.now()}


@method_decorator(never_cache, name="dispatch")
class ReportingLinkCreateView(ExplainsRefusals, SecretariatRequiredMixin, FormView):
    form_class = ReportingLinkForm
    template_name = "activities/reportinglink_form.html"

    def form_valid(self, form):
        try:
            link, token = services.reporting_link_create(
                user=self.request.user,
                focal_point=form.cleaned_data["focal_point"],
                range_state=form.cleaned_data["range_state"],
                valid_days=form.cleaned_data["valid_days"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        # The token is not stored: this response is the only time the link can be shown.
        url = self.request.build_absolute_uri(reverse("activities:reportinglink-redeem", args=[token]))
        return render(self.request, "activities/reportinglink_created.html", {"link": link, "url": url})


class ReportingLinkRevokeView(ExplainsRefusals, SecretariatRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        link = get_object_or_404(ReportingLink.objects.select_related("user", "range_state"), pk=pk)
        services.reporting_link_revoke(user=request.user, link=link)
        messages.success(request, f"Withdrawn: {link}.")
        return redirect("activities:reportinglink-list")


@method_decorator(never_cache, name="dispatch")
class ReportingLinkRedeemView(View):
    """GET only shows a button (link previews and scanners must not sign anyone in); POST signs in."""

    template_name = "activities/reportinglink_redeem.html"

    def get(self, request, token):
        return render(request, self.template_name)

    def post(self, request, token):
        try:
            link = services.reporting_link_redeem(token=token)
        except services.LinkInvalid as exc:
            return render(request, "activities/reportinglink_invalid.html", {"message": str(exc)}, status=410)
        login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[LINK_SESSION_KEY] = link.pk
        messages.success(
            request, f"Signed in to report for {link.range_state} until {link.expires_at:%-d %B %Y}."
        )
        return redirect("activities:home")


# --- reporting rounds ----------------------------------------------------------------------------


class ReportingRoundListView(ExplainsRefusals, LoginRequiredMixin, ListView):
    """The rounds; the Secretariat opens new ones here (POST)."""

    template_name = "activities/reportinground_list.html"
    context_object_name = "rounds"

    def get_queryset(self):
        return ReportingRound.objects.select_related("strategy")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if permissions.is_secretariat(self.request.user):
            context.setdefault("form", ReportingRoundForm())
        return context

    def post(self, request):
        if not permissions.is_secretariat(request.user):
            raise PermissionDenied("Only the Secretariat may open a reporting round.")
        form = ReportingRoundForm(request.POST)
        if form.is_valid():
            try:
                reporting_round = services.reporting_round_open(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Opened the reporting round {reporting_round}.")
                return redirect(reporting_round)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class ReportingRoundDetailView(LoginRequiredMixin, DetailView):
    """A round, and per Range State how many due activities were reported by the deadline."""

    template_name = "activities/reportinground_detail.html"
    context_object_name = "reporting_round"
    queryset = ReportingRound.objects.select_related("strategy")

    def get_context_data(self, **kwargs):
        rates = round_reporting_rates(self.object)
        return super().get_context_data(**kwargs) | {
            "rates": rates,
            "is_secretariat": permissions.is_secretariat(self.request.user),
            "days_left": (self.object.deadline - timezone.localdate()).days,
        }


class ReportingRoundCloseView(ExplainsRefusals, SecretariatRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        reporting_round = get_object_or_404(ReportingRound, pk=pk)
        services.reporting_round_close(user=request.user, reporting_round=reporting_round)
        messages.success(request, "Closed: the round's entries are locked.")
        return redirect(reporting_round)


class ReportingRoundReopenView(ExplainsRefusals, SecretariatRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        reporting_round = get_object_or_404(ReportingRound, pk=pk)
        services.reporting_round_reopen(user=request.user, reporting_round=reporting_round)
        messages.success(request, "Reopened: the round's entries can be edited and submitted again.")
        return redirect(reporting_round)
