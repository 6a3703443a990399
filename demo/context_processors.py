from django.conf import settings

from .models import DemoRecord


def demo_data(request) -> dict:
    """Whether the demonstration data set is loaded, for the banner in base.html. Asked only with DEBUG
    on: the set can only be loaded then (demo.loading refuses otherwise), and a production page does not
    pay a query for it."""
    return {"demo_data_loaded": settings.DEBUG and DemoRecord.objects.exists()}
