"""Status reports (issue: Status reports)."""

app_name = "reporting"

urlpatterns = []
