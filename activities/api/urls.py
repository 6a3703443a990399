"""REST API v1 (issue: Partner REST API v1)."""

app_name = "api"

urlpatterns = []
