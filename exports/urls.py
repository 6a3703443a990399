from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.ExportJobListView.as_view(), name="list"),
    path("<int:pk>/download/", views.ExportJobDownloadView.as_view(), name="download"),
]
