"""REST API v1 routes (namespace "api"), the OpenAPI schema and its interactive docs.

Items are addressable by id and by natural key:
    /api/v1/strategies/<slug>/                          /api/v1/activities/<id>/
    /api/v1/strategies/<slug>/activities/<code>/        (codes contain dots: 1.1.1.a)
    /api/v1/strategies/<slug>/results/<code>/ …/objectives/<number>/ …/themes/<number>/
    /api/v1/range-states/<ISO code>/  /api/v1/actors/<slug>/  /api/v1/work-programme-measures/<code>/
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter, SimpleRouter

from . import views

app_name = "api"


class Router(DefaultRouter):
    # ?format=csv selects a format; no ".csv" URL suffixes, which would clash with dotted codes.
    include_format_suffixes = False


router = Router()
router.register("strategies", views.StrategyViewSet, basename="strategy")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("results", views.ResultViewSet, basename="result")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("range-states", views.RangeStateViewSet, basename="range-state")
router.register(
    "work-programme-measures", views.WorkProgrammeMeasureViewSet, basename="work-programme-measure"
)
router.register("progress", views.ProgressEntryViewSet, basename="progress")

nested = SimpleRouter()
nested.register(r"strategies/(?P<strategy_slug>[^/.]+)/themes", views.StrategyThemeViewSet, "strategy-theme")
nested.register(
    r"strategies/(?P<strategy_slug>[^/.]+)/objectives", views.StrategyObjectiveViewSet, "strategy-objective"
)
nested.register(
    r"strategies/(?P<strategy_slug>[^/.]+)/results", views.StrategyResultViewSet, "strategy-result"
)
nested.register(
    r"strategies/(?P<strategy_slug>[^/.]+)/activities", views.StrategyActivityViewSet, "strategy-activity"
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *nested.urls,
    *router.urls,
]
