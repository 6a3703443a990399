"""On the embedded SQLite database, simultaneous edits of one entry give every writer but the first the
documented 409 (EditConflict), never a 500 "database is locked"; simultaneous edits of different entries
all succeed. Real threads, each with its own connection, against a real database file, in a separate
process with the project's settings (see sqlite_writers.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

WRITERS = 8
ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_writers_on_sqlite_get_a_409_never_a_500(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "ignore",
            "-m",
            "tests.concurrency.sqlite_writers",
            str(tmp_path / "db.sqlite3"),
            str(WRITERS),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["errors"] == []
    assert sorted(results["same"]) == [200] + [409] * (WRITERS - 1)
    assert results["own"] == [200] * WRITERS
    assert results["pragmas"]["journal_mode"] == "wal"
    assert results["pragmas"]["busy_timeout"] >= 5000
