"""Report pages and their CSV / XLSX exports, one view for every report of the registry. Public and
read-only (approved progress only), except taking a meeting snapshot, which is a Secretariat POST calling
activities.services.meeting_snapshot_take."""

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from activities import permissions, services
from activities.models import Strategy
from activities.permissions import Action
from exports import services as exports

from . import forms
from .documents import DocumentForm, document_response
from .exports import export_response
from .reports import cache as report_cache
from .reports.registry import REPORTS, ReportType

# The filters every report shares, carried over when moving from one report to another.
SHARED = ("strategy", "range_state", "date")


def strategies_with_activity_counts():
    """Strategies, those with the most activities first: the index lists them, the first is the default."""
    return Strategy.objects.annotate(n=Count("activities")).order_by("-n", "title")


class ReportIndexView(View):
    def get(self, request):
        context = {"strategies": strategies_with_activity_counts(), "reports": REPORTS}
        return render(request, "reporting/index.html", context)


class ReportView(View):
    """Reads the GET filters, builds the report once, and answers with the page, a CSV table or the XLSX."""

    report_type: ReportType = None  # set from the registry by urls.py

    def get(self, request, fmt=None):
        slug = request.GET.get("strategy")
        if not slug:
            return _with_default_strategy(request)
        strategy = get_object_or_404(Strategy, slug=slug)
        form = self.report_type.form_class(request.GET, strategy=strategy)
        report, cache_key = self.report_type.report_and_key(strategy, form)
        if fmt in ("docx", "pdf"):
            return _document(request, report, fmt)
        if fmt == "xlsx" and _xlsx_in_background(request, report):
            return _xlsx_job(request, self.report_type, strategy, form)
        if fmt:
            response = export_response(report, fmt, table_key=request.GET.get("table"))
            response.export_rows = _rows(report)  # for exports.services.replay
            return response
        context = _page_context(request, self.report_type, strategy, form, report)
        context["report_cache"] = _page_cache(request, cache_key, context)
        return render(request, self.report_type.template_name, context)


def _page_cache(request, report_key, context) -> tuple:
    """How the page's tables ({% block report %}, the same for every reader) are cached: seconds and a
    key of the report's key, the page of rows shown and the query string (its links carry it)."""
    rows_page = context.get("rows_page")
    parts = (report_key or "", str(rows_page.number if rows_page else ""), request.GET.urlencode())
    return report_cache.seconds(), hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def _rows(report) -> int:
    return sum(len(table.rows) for table in report.tables) if report else 0


def _xlsx_in_background(request, report) -> bool:
    """A signed-in person's workbook of more than EXPORT_JOB_ROWS rows is made by the worker (exports)."""
    return report is not None and exports.runs_in_background(request, rows=_rows(report))


def _xlsx_job(request, report_type, strategy, form):
    """Queue the workbook, with the filters the form read (already checked), and go to "Your exports"."""
    params = {key: request.GET.getlist(key) for key in ("strategy", *form.fields) if key in request.GET}
    title = f"{report_type.label} – {strategy.short_name or strategy.title}"
    return exports.export_job_queue(request, kind="report", title=title, params=params)


def _document(request, report, fmt):
    """The report as a meeting document; a malformed symbol or date is a 400 that names it."""
    if report is None:
        raise Http404(_("Choose the report's filters first."))
    form = DocumentForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{form[name].label}: {' '.join(msgs)}" for name, msgs in form.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    return document_response(report, fmt, **form.cleaned_data)


def _with_default_strategy(request):
    """A report asked for without a strategy redirects to the same filters with the default one, so that
    every report's address can be shared."""
    strategy = strategies_with_activity_counts().filter(n__gt=0).first()
    if strategy is None:
        raise Http404(_("No strategy has been recorded yet."))
    query = request.GET.copy()
    query["strategy"] = strategy.slug
    return redirect(f"{request.path}?{query.urlencode()}")


def _page_context(request, report_type, strategy, form, report) -> dict:
    shared = QueryDict(mutable=True)
    for key in SHARED:
        if request.GET.get(key):
            shared[key] = request.GET[key]
    query = request.GET.copy()
    query.pop("table", None)
    query.pop("page", None)  # the exports have every row
    export = f"reporting:{report_type.slug}-export"
    context = {
        "strategy": strategy,
        "form": form,
        "report": report,
        "report_name": report_type.slug,
        "reports": [
            (r.slug, r.label, f"{reverse(f'reporting:{r.slug}')}?{shared.urlencode()}") for r in REPORTS
        ],
        "query": query.urlencode(),
        "csv_url": reverse(export, kwargs={"fmt": "csv"}),
        "xlsx_url": f"{reverse(export, kwargs={'fmt': 'xlsx'})}?{query.urlencode()}",
        **{
            f"{fmt}_url": f"{reverse(f'reporting:{report_type.slug}-document', kwargs={'fmt': fmt})}?{query.urlencode()}"
            for fmt in ("docx", "pdf")
        },
    }
    # A large workbook is made by the worker: its link is then a page to follow, not a file to save.
    context["xlsx_in_background"] = _xlsx_in_background(request, report)
    if report_type.page_extras:
        context |= report_type.page_extras(request, strategy, form)
    if report_type.rows_per_page and report:
        context |= _rows_page(request, report, report_type.rows_per_page)
    return context


def _rows_page(request, report, per_page: int) -> dict:
    """One page of the report's rows (an unreadable or too large ?page= gives the first or the last),
    and the addresses of the pages before and after it with the same filters."""
    page = Paginator(report.page["rows"], per_page).get_page(request.GET.get("page"))

    def address(number):
        query = request.GET.copy()
        query["page"] = number
        return f"?{query.urlencode()}"

    return {
        "rows_page": page,
        "previous_rows": address(page.previous_page_number()) if page.has_previous() else None,
        "next_rows": address(page.next_page_number()) if page.has_next() else None,
    }


class SnapshotTakeView(View):
    """The Secretariat freezes the latest approved statuses "as presented to" a meeting."""

    def post(self, request):
        permissions.require(request.user, Action.SNAPSHOT_TAKE)
        strategy = get_object_or_404(Strategy, slug=request.POST.get("strategy"))
        page = f"{reverse('reporting:snapshots')}?strategy={strategy.slug}"
        form = forms.SnapshotTakeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the meeting the status is presented to."))
            return redirect(page)
        try:
            snapshot = services.meeting_snapshot_take(
                user=request.user, strategy=strategy, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect(page)
        messages.success(request, _("Snapshot taken: %(snapshot)s.") % {"snapshot": snapshot})
        return redirect(f"{page}&before={snapshot.pk}")
