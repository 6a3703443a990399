"""Root URLs: public pages and progress reporting, sign-in, reports, the REST API, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("activities.api.urls")),
    path("reports/", include("reporting.urls")),
    path("", include("activities.urls")),
]
