from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.StrategyListView.as_view(), name="strategy-list"),
    path("strategies/<slug:slug>/", views.StrategyDetailView.as_view(), name="strategy-detail"),
    path(
        "strategies/<slug:slug>/activities/<str:code>/",
        views.ActivityDetailView.as_view(),
        name="activity-detail",
    ),
]
