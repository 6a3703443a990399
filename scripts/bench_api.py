"""Time the REST API's progress and activity lists with many progress entries (default 200,000) on a
throwaway SQLite database. Prints figures; asserts nothing.

    DJANGO_DEBUG=1 uv run python scripts/bench_api.py [N]
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
db_file = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strategy_tracker.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities.models import Activity, ActivityStateStatus, ProgressEntry  # noqa: E402


def main(n: int) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].update(anon="1000000/minute")
    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    user = get_user_model().objects.create(username="bench")
    activities = list(Activity.objects.select_related("strategy").prefetch_related("strategy__range_states"))
    pairs = [(a, s) for a in activities for s in a.strategy.range_states.all()]
    now = timezone.now()
    start = time.perf_counter()
    batch = []
    for i in range(n):
        activity, state = pairs[i % len(pairs)]
        batch.append(
            ProgressEntry(
                activity=activity,
                range_state=state,
                reporting_date=datetime.date(2023, 1, 1) + datetime.timedelta(days=i % 1000),
                status="in_progress",
                narrative=f"Entry {i}",
                review_state="approved" if i % 2 else "draft",
                reported_by=user,
                reviewed_at=now,
            )
        )
        if len(batch) == 10_000:
            ProgressEntry.objects.bulk_create(batch)
            batch = []
    ProgressEntry.objects.bulk_create(batch)
    latest = ProgressEntry.objects.filter(review_state="approved").order_by("-id")[: len(pairs)]
    ActivityStateStatus.objects.bulk_create(
        [
            ActivityStateStatus(
                activity_id=e.activity_id,
                range_state_id=e.range_state_id,
                entry=e,
                status=e.status,
                reporting_date=e.reporting_date,
                approved_at=now,
            )
            for e in latest
        ],
        ignore_conflicts=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{n:,} progress entries created in {time.perf_counter() - start:.1f} s")
    client = Client()
    since = (now - datetime.timedelta(minutes=5)).isoformat()
    for url in [
        "/api/v1/progress/",
        "/api/v1/progress/?page_size=500",
        "/api/v1/progress/?page=200",
        "/api/v1/progress/?strategy=persian-leopard-2023-2032&range_state=AM&status=in_progress",
        f"/api/v1/progress/?updated_since={since}&page_size=500",
        "/api/v1/progress/?format=csv&page_size=10000",
        "/api/v1/activities/?page_size=100",
        "/api/v1/strategies/persian-leopard-2023-2032/activities/?priority=3&due_year_max=2026",
        "/api/v1/activities/?status=in_progress&range_state=AM",
    ]:
        timings = []
        for _ in range(5):
            settings.DEBUG = True
            reset_queries()
            t = time.perf_counter()
            response = client.get(url.replace("+", "%2B"))
            timings.append(time.perf_counter() - t)
            queries = len(connection.queries)
        assert response.status_code == 200, (url, response.content[:300])
        print(f"{min(timings) * 1000:7.1f} ms (best of 5), {queries} queries  {url}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
