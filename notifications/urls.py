from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NoticeListView.as_view(), name="notice-list"),
    path("<int:pk>/", views.NoticeOpenView.as_view(), name="notice-open"),
    path("<int:pk>/dismiss/", views.NoticeDismissView.as_view(), name="notice-dismiss"),
    path("read/", views.NoticeReadAllView.as_view(), name="notices-read"),
    path("preferences/", views.NoticePreferencesView.as_view(), name="preferences"),
]
