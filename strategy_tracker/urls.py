"""Root URLs: the public browse pages, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("activities.urls")),
]
