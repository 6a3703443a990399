"""Root URLs: public pages and progress reporting, sign-in, reports, the REST API, the admin."""

from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language
from activities.views import accounts
from reporting.api import StrategyRangeMapView

urlpatterns = [
    path("", include("ops.urls")),  # /healthz and /readyz, for load balancers
    # Before the admin's own: the admin signs in on the site's sign-in page (code step, lockout).
    path("admin/login/", accounts.AdminLoginView.as_view()),
    path("admin/", admin.site.urls),
    # Signing in: the password, then the code for accounts with two-factor sign-in.
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/two-factor/", accounts.TwoFactorEnrolView.as_view(), name="two-factor-enrol"),
    path("accounts/two-factor/code/", accounts.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher posts here (no JavaScript needed); Django's set_language, plus the profile.
    path("i18n/setlang/", set_language, name="set_language"),
    # The Range State map's figures: in reporting (the read side), which activities' API may not import.
    path(
        "api/v1/strategies/<slug:slug>/range-map/",
        StrategyRangeMapView.as_view(),
        name="strategy-range-map",
    ),
    path("api/v1/", include("activities.api.urls")),
    path("reports/", include("reporting.urls")),
    path("notices/", include("notifications.urls")),
    path("exports/", include("exports.urls")),
    path("", include("activities.urls")),
]

# Under /api/ every error is JSON in the API's one error shape; elsewhere Django's pages.
handler400 = "activities.api.exceptions.bad_request"
handler403 = "activities.api.exceptions.permission_denied"
handler404 = "activities.api.exceptions.not_found"
handler500 = "activities.api.exceptions.server_error"
