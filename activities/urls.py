from django.urls import path

from .views import (
    browse,
    delegation,
    links,
    national,
    offline,
    progress,
    regional,
    review,
    rounds,
    strategy_import,
)

app_name = "activities"

urlpatterns = [
    # public browse pages
    path("", browse.StrategyListView.as_view(), name="strategy-list"),
    path("strategies/<slug:slug>/", browse.StrategyDetailView.as_view(), name="strategy-detail"),
    path(
        "strategies/<slug:slug>/logframe.xlsx",
        strategy_import.StrategyExportView.as_view(),
        name="strategy-export",
    ),
    path("strategy-imports/", strategy_import.StrategyImportView.as_view(), name="strategy-import"),
    path(
        "strategy-imports/<int:pk>/",
        strategy_import.StrategyImportPreviewView.as_view(),
        name="strategy-import-preview",
    ),
    path(
        "strategies/<slug:slug>/activities/<str:code>/",
        browse.ActivityDetailView.as_view(),
        name="activity-detail",
    ),
    path("meetings/", regional.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", regional.MeetingDetailView.as_view(), name="meeting-detail"),
    path("species/", regional.SpeciesListView.as_view(), name="species-list"),
    path("species/<slug:slug>/", regional.SpeciesDetailView.as_view(), name="species-detail"),
    path("ecoregional-plans/", regional.EcoregionalPlanListView.as_view(), name="ecoregionalplan-list"),
    path(
        "ecoregional-plans/<slug:slug>/",
        regional.EcoregionalPlanDetailView.as_view(),
        name="ecoregionalplan-detail",
    ),
    path(
        "ecoregional-plans/<slug:slug>/landscapes/<str:code>/",
        regional.LandscapeDetailView.as_view(),
        name="landscape-detail",
    ),
    path("landscapes/<str:code>/", regional.LandscapeRedirectView.as_view(), name="landscape-by-code"),
    path("funding/", regional.FundingView.as_view(), name="funding"),
    path("funding/programmes/<slug:slug>/", regional.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("funding/grants/<slug:slug>/", regional.GrantDetailView.as_view(), name="grant-detail"),
    # progress reporting
    path("home/", progress.ProgressHomeView.as_view(), name="home"),
    path(
        "strategies/<slug:slug>/activities/<str:code>/progress/new/",
        progress.ProgressEntryCreateView.as_view(),
        name="progress-create",
    ),
    path("progress/<int:pk>/", progress.ProgressEntryDetailView.as_view(), name="progress-detail"),
    path("progress/<int:pk>/edit/", progress.ProgressEntryUpdateView.as_view(), name="progress-edit"),
    path("progress/<int:pk>/submit/", progress.ProgressEntrySubmitView.as_view(), name="progress-submit"),
    path("progress/<int:pk>/approve/", progress.ProgressEntryApproveView.as_view(), name="progress-approve"),
    path("progress/<int:pk>/return/", progress.ProgressEntryReturnView.as_view(), name="progress-return"),
    path("progress/<int:pk>/evidence/", progress.EvidenceCreateView.as_view(), name="evidence-add"),
    path("progress/evidence/<int:pk>/remove/", progress.EvidenceDeleteView.as_view(), name="evidence-remove"),
    path(
        "progress/evidence/<int:pk>/download/",
        progress.EvidenceDownloadView.as_view(),
        name="evidence-download",
    ),
    path("review/", review.ProgressEntryReviewQueueView.as_view(), name="review-queue"),
    path("review/approve/", review.ProgressEntryBulkApproveView.as_view(), name="review-bulk-approve"),
    path("delegations/", delegation.DelegationListView.as_view(), name="delegation-list"),
    path("delegations/<int:pk>/revoke/", delegation.DelegationRevokeView.as_view(), name="delegation-revoke"),
    path("reporting-links/", links.ReportingLinkListView.as_view(), name="reportinglink-list"),
    path("reporting-links/new/", links.ReportingLinkCreateView.as_view(), name="reportinglink-create"),
    path(
        "reporting-links/<int:pk>/revoke/",
        links.ReportingLinkRevokeView.as_view(),
        name="reportinglink-revoke",
    ),
    path("report/<str:token>/", links.ReportingLinkRedeemView.as_view(), name="reportinglink-redeem"),
    path("rounds/", rounds.ReportingRoundListView.as_view(), name="round-list"),
    path("rounds/<int:pk>/", rounds.ReportingRoundDetailView.as_view(), name="round-detail"),
    path("rounds/<int:pk>/close/", rounds.ReportingRoundCloseView.as_view(), name="round-close"),
    path("rounds/<int:pk>/reopen/", rounds.ReportingRoundReopenView.as_view(), name="round-reopen"),
    path(
        "rounds/<int:pk>/national-reports/",
        national.RoundNationalReportsView.as_view(),
        name="national-report-list",
    ),
    path(
        "rounds/<int:pk>/national-reports/<str:iso>/",
        national.NationalReportView.as_view(),
        name="national-report",
    ),
    path(
        "rounds/<int:pk>/national-reports/<str:iso>/spreadsheet/",
        offline.NationalReportSheetView.as_view(),
        name="national-report-sheet",
    ),
    path(
        "rounds/<int:pk>/national-reports/<str:iso>/spreadsheet.xlsx",
        offline.NationalReportSheetDownloadView.as_view(),
        name="national-report-sheet-download",
    ),
]
