"""The one list of reports. The URLs (a page and its exports per report), the index page, the navigation
between reports and the export views all read it; adding a report is one entry here."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from activities import permissions
from reporting import forms

from .actors import actor_progress
from .budget import budget_overview
from .cache import cached_build, report_key
from .consolidated import consolidated_report
from .core import Report, Scope
from .dashboard import strategy_dashboard
from .matrix import range_state_matrix
from .national import national_report
from .plans import national_plan_report
from .pow import pow_crosswalk
from .ranges import range_state_counts
from .rate import reporting_rate
from .snapshots import snapshot_comparison, snapshot_list
from .timeline import timeline_report


@dataclass(frozen=True)
class ReportType:
    """A report as the site offers it: its URL name (`reporting:<slug>`, exports `reporting:<slug>-export`),
    its label, the filter form, how the builder is called with the form's data (None: the form asks for
    more), the page template, and what else only its page shows."""

    slug: str
    label: str
    build: Callable[[Scope, dict], Report | None]
    form_class: type = forms.ReportFilterForm
    template_name: str = "reporting/report.html"
    page_extras: Callable | None = None  # (request, strategy, form) -> dict
    # the page shows report.page["rows"] this many at a time (?page=); the exports keep every row
    rows_per_page: int | None = None
    # whether the build is cached (reporting.reports.cache); the page's tables are cached either way
    cache_build: bool = True

    def report_for(self, strategy, form) -> Report | None:
        """The report for the valid GET filters of `form`; None when they are invalid or incomplete."""
        return self.report_and_key(strategy, form)[0]

    def report_and_key(self, strategy, form) -> tuple[Report | None, str | None]:
        """The report, from the cache when it is there, and its cache key (None with invalid filters)."""
        if not form.is_valid():
            return None, None
        data = form.cleaned_data
        scope = Scope(strategy=strategy, range_state=data.get("range_state"), as_of=data.get("date"))
        key = report_key(self.slug, strategy, data)
        if not self.cache_build:
            return self.build(scope, data), key
        return cached_build(key, lambda: self.build(scope, data)), key


def _dashboard_page(request, strategy, form) -> dict:
    # The Range State map, on the page only (its figures are in the API, not in the dashboard's exports);
    # read only when the page's cached tables are not there (they hold the map).
    if not form.is_valid():
        return {}
    scope = Scope(strategy=strategy, as_of=form.cleaned_data.get("date"))
    return {"range_map": SimpleLazyObject(lambda: range_state_counts(scope))}


def _snapshot_page(request, strategy, form) -> dict:
    # The list of snapshots is shown with or without a comparison; only the Secretariat is offered the form.
    may_take = permissions.allowed(request.user, permissions.Action.SNAPSHOT_TAKE)
    take_form = forms.SnapshotTakeForm() if may_take else None
    return {"snapshots": snapshot_list(strategy), "take_form": take_form}


REPORTS = [
    ReportType(
        "dashboard",
        _("Dashboard"),
        lambda scope, data: strategy_dashboard(scope, since=data.get("since")),
        forms.DashboardFilterForm,
        "reporting/dashboard.html",
        page_extras=_dashboard_page,
    ),
    ReportType(
        "matrix",
        _("Range State matrix"),
        lambda scope, data: range_state_matrix(
            scope,
            objective=data.get("objective"),
            priority=data.get("priority"),
            metapopulation=data.get("metapopulation"),
        ),
        forms.MatrixFilterForm,
        "reporting/matrix.html",
        # 100 activities × 21 states is the most a phone (or a slow link) should be sent at once: the
        # largest strategy's 400 rows made a 1.4 MB page, and its rendering was 90 % of the time
        rows_per_page=100,
        # its rows read their cells when a page of them is shown (matrix.MatrixRows): nothing to store
        cache_build=False,
    ),
    ReportType("timeline", _("Timeline"), lambda scope, data: timeline_report(scope)),
    ReportType("budget", _("Budget"), lambda scope, data: budget_overview(scope)),
    ReportType(
        "plans",
        _("National Action Plans"),
        lambda scope, data: national_plan_report(scope),
        forms.PlanFilterForm,
        "reporting/plans.html",
    ),
    ReportType(
        "pow",
        _("CAMI POW crosswalk"),
        lambda scope, data: pow_crosswalk(scope),
        template_name="reporting/pow.html",
    ),
    ReportType(
        "national",
        _("National report"),
        # the page asks for a Range State and a round
        lambda scope, data: (
            national_report(scope, data["reporting_round"])
            if scope.range_state and data.get("reporting_round")
            else None
        ),
        forms.NationalFilterForm,
        "reporting/national.html",
    ),
    ReportType(
        "actors",
        _("Actors"),
        lambda scope, data: actor_progress(scope),
        template_name="reporting/actors.html",
    ),
    ReportType(
        "snapshots",
        _("Meeting snapshots"),
        lambda scope, data: (
            snapshot_comparison(scope, data["before"], data.get("after")) if data.get("before") else None
        ),
        forms.SnapshotFilterForm,
        "reporting/snapshots.html",
        page_extras=_snapshot_page,
    ),
    ReportType(
        "consolidated",
        _("Range-wide consolidated report"),
        lambda scope, data: consolidated_report(
            scope,
            reporting_round=data.get("reporting_round"),
            before=data.get("before"),
            after=data.get("after"),
        ),
        forms.ConsolidatedFilterForm,
    ),
    ReportType(
        "reporting-rate",
        _("Reporting rate"),
        lambda scope, data: reporting_rate(scope, reporting_round=data.get("reporting_round")),
        forms.RateFilterForm,
    ),
]
