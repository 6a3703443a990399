"""Status reports: each report of the registry at <slug>/, its exports at <slug>.csv (one table, ?table=)
and <slug>.xlsx, as a meeting document at <slug>.docx and <slug>.pdf (reporting/documents.py)."""

from django.urls import path, re_path

from . import views
from .reports.registry import REPORTS

app_name = "reporting"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("snapshots/take/", views.SnapshotTakeView.as_view(), name="snapshot-take"),
]
for report_type in REPORTS:
    view = views.ReportView.as_view(report_type=report_type)
    urlpatterns += [
        path(f"{report_type.slug}/", view, name=report_type.slug),
        re_path(rf"^{report_type.slug}\.(?P<fmt>csv|xlsx)$", view, name=f"{report_type.slug}-export"),
        re_path(rf"^{report_type.slug}\.(?P<fmt>docx|pdf)$", view, name=f"{report_type.slug}-document"),
    ]
