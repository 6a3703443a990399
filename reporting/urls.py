"""Status reports: each page at <name>/, its exports at <name>.csv (one table, ?table=) and <name>.xlsx."""

from django.urls import path, re_path

from . import views

app_name = "reporting"

REPORT_VIEWS = {
    "dashboard": views.DashboardReportView,
    "matrix": views.MatrixReportView,
    "timeline": views.TimelineReportView,
    "budget": views.BudgetReportView,
    "pow": views.PowReportView,
    "national": views.NationalReportView,
    "actors": views.ActorReportView,
    "snapshots": views.SnapshotReportView,
    "reporting-rate": views.RateReportView,
}

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("snapshots/take/", views.SnapshotTakeView.as_view(), name="snapshot-take"),
]
for name, view in REPORT_VIEWS.items():
    urlpatterns += [
        path(f"{name}/", view.as_view(), name=name),
        re_path(rf"^{name}\.(?P<fmt>csv|xlsx)$", view.as_view(), name=f"{name}-export"),
    ]
