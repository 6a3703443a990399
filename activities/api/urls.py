"""REST API v1 routes (namespace "api"), the OpenAPI schema and its interactive docs.

Items are addressable by id and by natural key:
    /api/v1/strategies/<slug>/                          /api/v1/activities/<id>/
    /api/v1/strategies/<slug>/activities/<code>/        (codes contain dots: 1.1.1.a)
    /api/v1/strategies/<slug>/results/<code>/ …/objectives/<number>/ …/themes/<number>/
    /api/v1/range-states/<ISO code>/  /api/v1/actors/<slug>/  /api/v1/work-programme-measures/<code>/
    /api/v1/species/<slug>/  /api/v1/meetings/<slug>/  /api/v1/national-action-plans/<slug>/
    /api/v1/grants/<slug>/   /api/v1/strategies/<slug>/plan-standing/ (Result 10.1, one row per state)
    /api/v1/national-reports/<id>/ (filter the list by ?reporting_round=<id>&range_state=<ISO code>)
"""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.routers import APIRootView, DefaultRouter, SimpleRouter

from . import national, regional, views

app_name = "api"


class RootView(APIRootView):
    # The root is a list of links, not a table: no CSV or XLSX (?format=csv there was a 500).
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]


class Router(DefaultRouter):
    APIRootView = RootView
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
router.register("species", regional.SpeciesViewSet, basename="species")
router.register("meetings", regional.MeetingViewSet, basename="meeting")
router.register("national-action-plans", regional.NationalActionPlanViewSet, basename="national-action-plan")
router.register("grants", regional.GrantViewSet, basename="grant")
router.register("national-reports", national.NationalReportViewSet, basename="national-report")

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
nested.register(
    r"strategies/(?P<strategy_slug>[^/.]+)/plan-standing",
    regional.StrategyPlanStandingViewSet,
    "strategy-plan-standing",
)

# The API docs pages' own Content-Security-Policy: the site's, plus inline styles (Swagger UI's and
# Redoc's pages and the styles Redoc injects), data: images and Redoc's blob: worker. No inline script:
# Swagger UI's initialiser is served as a file (the "split" view) and Redoc takes its settings from
# attributes.
docs_policy = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", docs_policy(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    *nested.urls,
    *router.urls,
]
