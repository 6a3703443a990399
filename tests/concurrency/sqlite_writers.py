"""Real concurrent writers against a file-based SQLite database (the embedded default), as a separate
process with the project's own settings: `python -m tests.concurrency.sqlite_writers DB_PATH WRITERS`.

Migrates a fresh database, makes one draft entry per writer and a shared one, then starts WRITERS
threads at once (each its own database connection, as each request thread of a server has): first all
edit the shared entry from the same version, then each edits its own entry. Prints the status codes as
JSON: {"same": [...], "own": [...], "errors": [...], "pragmas": {...}}."""

import json
import os
import sys
import threading


def main(db_path: str, writers: int) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-insecure-key")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "strategy_tracker.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from django.urls import reverse
    from rest_framework.test import APIClient

    from activities import services
    from tests.factories import ActivityFactory, APITokenFactory, FocalPointFactory

    focal = FocalPointFactory().user
    state = focal.focal_points.get().range_state
    activity = ActivityFactory()
    activity.strategy.range_states.add(state)

    def entry():
        return services.progress_entry_create(
            user=focal,
            activity=activity,
            range_state=state,
            reporting_date="2025-06-30",
            status="in_progress",
            narrative="Started.",
        )

    with connection.cursor() as cursor:
        pragmas = {
            name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "busy_timeout")
        }
    shared = entry()
    own = [entry() for _ in range(writers)]
    tokens = [APITokenFactory(user=focal, scope="read_write") for _ in range(writers)]
    connection.close()
    results = {"same": [], "own": [], "errors": [], "pragmas": pragmas}
    lock = threading.Lock()

    def run(phase: str, index: int, barrier: threading.Barrier):
        from django.db import connection as thread_connection

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[index].key}")
        target = shared if phase == "same" else own[index]
        url = reverse("api:progress-detail", args=[target.pk])
        barrier.wait()
        try:
            response = client.patch(
                url, {"version": target.version, "narrative": f"Edit {index}"}, format="json"
            )
            with lock:
                results[phase].append(response.status_code)
                if response.status_code >= 500:
                    results["errors"].append(response.content.decode()[:300])
        except Exception as exc:  # a 500 the test client re-raised
            with lock:
                results[phase].append(500)
                results["errors"].append(repr(exc)[:300])
        finally:
            thread_connection.close()

    for phase in ("same", "own"):
        barrier = threading.Barrier(writers)
        threads = [threading.Thread(target=run, args=(phase, i, barrier)) for i in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
