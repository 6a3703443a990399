from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    # public browse pages
    path("", views.StrategyListView.as_view(), name="strategy-list"),
    path("strategies/<slug:slug>/", views.StrategyDetailView.as_view(), name="strategy-detail"),
    path(
        "strategies/<slug:slug>/activities/<str:code>/",
        views.ActivityDetailView.as_view(),
        name="activity-detail",
    ),
    # progress reporting
    path("home/", views.ProgressHomeView.as_view(), name="home"),
    path(
        "strategies/<slug:slug>/activities/<str:code>/progress/new/",
        views.ProgressEntryCreateView.as_view(),
        name="progress-create",
    ),
    path("progress/<int:pk>/", views.ProgressEntryDetailView.as_view(), name="progress-detail"),
    path("progress/<int:pk>/edit/", views.ProgressEntryUpdateView.as_view(), name="progress-edit"),
    path("progress/<int:pk>/submit/", views.ProgressEntrySubmitView.as_view(), name="progress-submit"),
    path("progress/<int:pk>/approve/", views.ProgressEntryApproveView.as_view(), name="progress-approve"),
    path("progress/<int:pk>/return/", views.ProgressEntryReturnView.as_view(), name="progress-return"),
    path("progress/<int:pk>/evidence/", views.EvidenceCreateView.as_view(), name="evidence-add"),
    path("progress/evidence/<int:pk>/remove/", views.EvidenceDeleteView.as_view(), name="evidence-remove"),
    path(
        "progress/evidence/<int:pk>/download/",
        views.EvidenceDownloadView.as_view(),
        name="evidence-download",
    ),
    path("review/", views.ProgressEntryReviewQueueView.as_view(), name="review-queue"),
    path("review/approve/", views.ProgressEntryBulkApproveView.as_view(), name="review-bulk-approve"),
    path("delegations/", views.DelegationListView.as_view(), name="delegation-list"),
    path("delegations/<int:pk>/revoke/", views.DelegationRevokeView.as_view(), name="delegation-revoke"),
    path("reporting-links/", views.ReportingLinkListView.as_view(), name="reportinglink-list"),
    path("reporting-links/new/", views.ReportingLinkCreateView.as_view(), name="reportinglink-create"),
    path(
        "reporting-links/<int:pk>/revoke/",
        views.ReportingLinkRevokeView.as_view(),
        name="reportinglink-revoke",
    ),
    path("report/<str:token>/", views.ReportingLinkRedeemView.as_view(), name="reportinglink-redeem"),
    path("rounds/", views.ReportingRoundListView.as_view(), name="round-list"),
    path("rounds/<int:pk>/", views.ReportingRoundDetailView.as_view(), name="round-detail"),
    path("rounds/<int:pk>/close/", views.ReportingRoundCloseView.as_view(), name="round-close"),
    path("rounds/<int:pk>/reopen/", views.ReportingRoundReopenView.as_view(), name="round-reopen"),
]
