"""Report pages and their CSV / XLSX exports. Public and read-only (approved progress only), except taking a
meeting snapshot, which is a Secretariat POST calling activities.services.meeting_snapshot_take."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from activities import permissions, services
from activities.models import Strategy

from . import aggregations as agg
from . import forms
from .exports import csv_response, xlsx_response

REPORTS = [
    ("dashboard", "Dashboard"),
    ("matrix", "Range State matrix"),
    ("timeline", "Timeline and overdue"),
    ("budget", "Budget"),
    ("pow", "CAMI POW crosswalk"),
    ("national", "National report"),
    ("actors", "Actors"),
    ("snapshots", "Meeting snapshots"),
    ("reporting-rate", "Reporting rate"),
]
# The filters every report shares, carried over when moving from one report to another.
SHARED = ("strategy", "range_state", "date")


def default_strategy():
    return Strategy.objects.annotate(n=Count("activities")).filter(n__gt=0).order_by("-n", "title").first()


class ReportIndexView(View):
    def get(self, request):
        strategies = Strategy.objects.annotate(n=Count("activities")).order_by("-n", "title")
        return render(request, "reporting/index.html", {"strategies": strategies, "reports": REPORTS})


class ReportView(View):
    """Reads the GET filters, builds the report once, and answers with the page, a CSV table or the XLSX."""

    name = ""
    form_class = forms.ReportFilterForm
    template_name = "reporting/report.html"

    def build(self, scope: agg.Scope, data: dict) -> agg.Report | None:
        raise NotImplementedError

    def get(self, request, fmt=None):
        slug = request.GET.get("strategy")
        if not slug:
            strategy = default_strategy()
            if strategy is None:
                raise Http404("No strategy has been recorded yet.")
            query = request.GET.copy()
            query["strategy"] = strategy.slug
            return redirect(f"{request.path}?{query.urlencode()}")
        strategy = get_object_or_404(Strategy, slug=slug)
        form = self.form_class(request.GET, strategy=strategy)
        report = None
        if form.is_valid():
            data = form.cleaned_data
            scope = agg.Scope(strategy=strategy, range_state=data.get("range_state"), as_of=data.get("date"))
            report = self.build(scope, data)
        if fmt and report is None:
            raise Http404("Choose the report's filters first.")
        if fmt == "csv":
            key = request.GET.get("table") or report.tables[0].key
            table = next((t for t in report.tables if t.key == key), None)
            if table is None:
                raise Http404(f"This report has no table “{key}”.")
            return csv_response(report, table)
        if fmt == "xlsx":
            return xlsx_response(report)
        return render(request, self.template_name, self.context(request, strategy, form, report))

    def context(self, request, strategy, form, report) -> dict:
        shared = QueryDict(mutable=True)
        for key in SHARED:
            if request.GET.get(key):
                shared[key] = request.GET[key]
        query = request.GET.copy()
        query.pop("table", None)
        return {
            "strategy": strategy,
            "form": form,
            "report": report,
            "report_name": self.name,
            "reports": [
                (name, label, f"{reverse(f'reporting:{name}')}?{shared.urlencode()}")
                for name, label in REPORTS
            ],
            "query": query.urlencode(),
            "csv_url": reverse(f"reporting:{self.name}-export", kwargs={"fmt": "csv"}),
            "xlsx_url": f"{reverse(f'reporting:{self.name}-export', kwargs={'fmt': 'xlsx'})}?{query.urlencode()}",
        }


class DashboardReportView(ReportView):
    name = "dashboard"
    form_class = forms.DashboardFilterForm
    template_name = "reporting/dashboard.html"

    def build(self, scope, data):
        return agg.strategy_dashboard(scope, since=data.get("since"))


class MatrixReportView(ReportView):
    name = "matrix"
    form_class = forms.MatrixFilterForm
    template_name = "reporting/matrix.html"

    def build(self, scope, data):
        return agg.range_state_matrix(
            scope,
            objective=data.get("objective"),
            priority=data.get("priority"),
            metapopulation=data.get("metapopulation"),
        )


class TimelineReportView(ReportView):
    name = "timeline"

    def build(self, scope, data):
        return agg.timeline(scope)


class BudgetReportView(ReportView):
    name = "budget"

    def build(self, scope, data):
        return agg.budget(scope)


class PowReportView(ReportView):
    name = "pow"
    template_name = "reporting/pow.html"

    def build(self, scope, data):
        return agg.pow_crosswalk(scope)


class NationalReportView(ReportView):
    name = "national"
    form_class = forms.NationalFilterForm
    template_name = "reporting/national.html"

    def build(self, scope, data):
        if not (scope.range_state and data.get("reporting_round")):
            return None  # the page asks for a Range State and a round
        return agg.national_report(scope, data["reporting_round"])


class ActorReportView(ReportView):
    name = "actors"
    template_name = "reporting/actors.html"

    def build(self, scope, data):
        return agg.actor_view(scope)


class SnapshotReportView(ReportView):
    name = "snapshots"
    form_class = forms.SnapshotFilterForm
    template_name = "reporting/snapshots.html"

    def build(self, scope, data):
        if not data.get("before"):
            return None
        return agg.snapshot_comparison(scope, data["before"], data.get("after"))

    def context(self, request, strategy, form, report):
        context = super().context(request, strategy, form, report)
        context["snapshots"] = agg.snapshot_list(strategy)
        if permissions.is_secretariat(request.user):
            context["take_form"] = forms.SnapshotTakeForm()
        return context


class RateReportView(ReportView):
    name = "reporting-rate"
    form_class = forms.RateFilterForm

    def build(self, scope, data):
        return agg.reporting_rate(scope, reporting_round=data.get("reporting_round"))


class SnapshotTakeView(View):
    """The Secretariat freezes the latest approved statuses "as presented to" a meeting."""

    def post(self, request):
        if not permissions.is_secretariat(request.user):
            raise PermissionDenied("Only the Secretariat may take meeting snapshots.")
        strategy = get_object_or_404(Strategy, slug=request.POST.get("strategy"))
        form = forms.SnapshotTakeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose the meeting the status is presented to.")
            return redirect(f"{reverse('reporting:snapshots')}?strategy={strategy.slug}")
        try:
            snapshot = services.meeting_snapshot_take(
                user=request.user, strategy=strategy, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect(f"{reverse('reporting:snapshots')}?strategy={strategy.slug}")
        messages.success(request, f"Snapshot taken: {snapshot}.")
        return redirect(f"{reverse('reporting:snapshots')}?strategy={strategy.slug}&before={snapshot.pk}")
