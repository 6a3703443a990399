"""Benchmark every page and endpoint issue 11 names through the full HTTP stack, against its floor.

    DATABASE_URL=postgres://… uv run --no-sync python scripts/benchmark.py [--json out.json]

It starts gunicorn (2 sync workers, production settings: DEBUG off, WhiteNoise's manifest storage) on a
free loopback port, or measures a running server given with --url (then run both with the same
DATABASE_URL and DJANGO_SECRET_KEY: the benchmark signs its sessions with that key). Each request uses
a new connection and sends Accept-Encoding: gzip, as a browser does; after --warmup requests, --runs
timed ones give p50 and p95 (nearest rank: with 20 runs, p95 is the 19th fastest).

The floor of a read is the same rows or aggregates fetched by one raw SQL statement (PostgreSQL only)
and encoded with orjson, timed the same way in this process over a kept-open connection: what the
answer costs at the least. endpoint/floor says how far the stack is from it. For HTML pages the floor
is their data only; rendering and transferring the page is what the ratio then measures.

Also per endpoint: the size of the answer (gzip and plain) and its SQL queries (counted once, in
process, with Django's test client). Reads run first; the writes create drafts for a focal point.

--profile NAME writes a pyinstrument profile of one endpoint (in process) to --out; --explain NAME
prints EXPLAIN (ANALYZE, BUFFERS) of that endpoint's slowest queries. Prints figures; asserts nothing.
"""

import argparse
import datetime
import gzip
import json
import math
import re
import statistics
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _perf
from bench.floors import floors


@dataclass
class Case:
    name: str
    path: str
    who: str | None = None  # None (anonymous), "focal", "reviewer", "token"
    floor: tuple[str, list] | None = None
    method: str = "GET"
    expect: int = 200
    write: bool = False
    results: dict = field(default_factory=dict)


def cases(s) -> list[Case]:
    from django.urls import reverse

    def q(name, **params):
        return f"{reverse(name)}?{urllib.parse.urlencode(params)}"

    largest = s.largest.slug
    found = floors(s)
    out = []
    if s.seeded:
        out.append(
            Case("strategy page (seeded)", reverse("activities:strategy-detail", args=[s.seeded.slug]))
        )
    out.append(Case("strategy page (largest)", reverse("activities:strategy-detail", args=[largest])))
    for name, url in (
        ("dashboard", "reporting:dashboard"),
        ("matrix", "reporting:matrix"),
        ("timeline", "reporting:timeline"),
        ("budget", "reporting:budget"),
        ("pow", "reporting:pow"),
        ("actors", "reporting:actors"),
        ("reporting rate", "reporting:reporting-rate"),
    ):
        out.append(Case(name, q(url, strategy=largest)))
    if s.national_state and s.national_round:
        out.append(
            Case(
                "national report",
                q(
                    "reporting:national",
                    strategy=largest,
                    range_state=s.national_state.iso_code,
                    reporting_round=s.national_round.pk,
                ),
            )
        )
    out.append(Case("activities API (100/page)", q("api:activity-list", page_size=100)))
    out.append(Case("progress API", reverse("api:progress-list")))
    out.append(
        Case(
            "progress API updated_since ~1%",
            q("api:progress-list", updated_since=s.updated_since.isoformat()),
        )
    )
    if s.filter_state:
        out.append(
            Case(
                "progress API state+status",
                q("api:progress-list", range_state=s.filter_state.iso_code, status="in_progress"),
            )
        )
    out.append(Case("progress CSV (10,000 rows)", q("api:progress-list", format="csv")))
    if s.focal_point:
        out.append(Case("focal point's home", reverse("activities:home"), who="focal"))
    if s.reviewer:
        out.append(Case("review queue", reverse("activities:review-queue"), who="reviewer"))
    if s.create_activity:
        a = s.create_activity
        out.append(
            Case(
                "create progress entry (form)",
                reverse("activities:progress-create", args=[a.strategy.slug, a.code]),
                who="focal",
                method="POST",
                expect=302,
                write=True,
            )
        )
        out.append(
            Case(
                "create progress entry (API)",
                reverse("api:progress-list"),
                who="token",
                method="POST",
                expect=201,
                write=True,
            )
        )
    for case in out:
        case.floor = found.get(case.name)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered)) - 1, 0)]


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Runner:
    def __init__(self, base: str, s, *, cookies: dict, token: str | None):
        self.base, self.s, self.cookies, self.token = base, s, cookies, token
        self.created = 0

    def headers(self, case) -> dict:
        headers = {"Accept-Encoding": "gzip", "Host": "127.0.0.1"}
        if case.who in ("focal", "reviewer"):
            headers["Cookie"] = self.cookies[case.who]
        if case.who == "token":
            headers["Authorization"] = f"Token {self.token}"
        return headers

    def once(self, case) -> tuple[float, int, bytes, dict]:
        headers = self.headers(case)
        body = None
        if case.write and case.who == "focal":
            # The form's CSRF token, from the form page (not timed): a browser has it already.
            _, response_headers, page = _perf.request("GET", self.base, case.path, headers=headers)
            page = gzip.decompress(page) if response_headers.get("Content-Encoding") == "gzip" else page
            token = CSRF.search(page).group(1).decode()
            csrf_cookie = re.search(r"csrftoken=([^;]+)", response_headers.get("Set-Cookie", ""))
            headers["Cookie"] += f"; csrftoken={csrf_cookie.group(1)}" if csrf_cookie else ""
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "range_state": self.s.create_state.pk,
                    "reporting_date": "2026-11-15",
                    "status": "in_progress",
                    "narrative": f"Benchmark entry {self.created}: created by scripts/benchmark.py.",
                    "source": "",
                    "confidence": "expert",
                    "restricted_details": "",
                    "amount_spent_usd": "",
                    "reporting_round": "",
                }
            ).encode()
        elif case.write:
            headers["Content-Type"] = "application/json"
            body = json.dumps(
                {
                    "strategy": self.s.create_activity.strategy.slug,
                    "activity": self.s.create_activity.code,
                    "range_state": self.s.create_state.iso_code,
                    "reporting_date": "2026-11-15",
                    "status": "in_progress",
                    "narrative": f"Benchmark entry {self.created}: created by scripts/benchmark.py.",
                }
            ).encode()
        started = time.perf_counter()
        status, response_headers, data = _perf.request(
            case.method, self.base, case.path, body=body, headers=headers
        )
        elapsed = time.perf_counter() - started
        if case.write and status == case.expect:
            self.created += 1
        return elapsed, status, data, response_headers

    def measure(self, case, *, warmup: int, runs: int) -> None:
        timings = []
        for i in range(warmup + runs):
            elapsed, status, data, headers = self.once(case)
            if status != case.expect:
                raise RuntimeError(
                    f"{case.name}: {case.method} {case.path} answered {status}: {data[:300]!r}"
                )
            if i >= warmup:
                timings.append(elapsed)
        plain = gzip.decompress(data) if headers.get("Content-Encoding") == "gzip" else data
        case.results.update(
            p50_ms=statistics.median(timings) * 1000,
            p95_ms=percentile(timings, 0.95) * 1000,
            bytes=len(plain),
            bytes_sent=len(data),
        )


def measure_floor(case, *, warmup: int, runs: int) -> None:
    import orjson
    from django.db import connection

    sql, params = case.floor
    with connection.cursor() as cursor:
        # JIT compilation costs tens of milliseconds on statements the planner thinks expensive; it can
        # be configured away, so the least an answer costs is without it.
        cursor.execute("SET jit = off")
    timings = []
    for i in range(warmup + runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        body = orjson.dumps(rows, default=str)
        elapsed = time.perf_counter() - started
        if i >= warmup:
            timings.append(elapsed)
    case.results.update(
        floor_p50_ms=statistics.median(timings) * 1000,
        floor_p95_ms=percentile(timings, 0.95) * 1000,
        floor_rows=len(rows),
        floor_bytes=len(body),
    )
    case.results["ratio"] = case.results["p50_ms"] / case.results["floor_p50_ms"]


def in_process(case, users: dict, *, capture_queries=True):
    """The same request through Django's test client: its status and the queries it ran."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if case.who in ("focal", "reviewer"):
        client.force_login(users[case.who])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(case.path)
    return response, queries.captured_queries


def explain(case, users, limit: int = 5) -> None:
    from django.db import connection

    response, queries = in_process(case, users)
    print(f"{case.name}: {response.status_code}, {len(queries)} queries; the {limit} slowest, explained:\n")
    for query in sorted(queries, key=lambda q: -float(q["time"]))[:limit]:
        print(f"-- {float(query['time']) * 1000:.1f} ms\n{query['sql'][:2000]}\n")
        if connection.vendor == "postgresql" and query["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                print("\n".join(row[0] for row in cursor.fetchall()), "\n")


def profile(case, users, out: Path) -> None:
    from pyinstrument import Profiler

    in_process(case, users)  # warm
    profiler = Profiler(interval=0.0005)
    profiler.start()
    in_process(case, users)
    profiler.stop()
    out.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^a-z0-9]+", "-", case.name.lower()).strip("-")
    (out / f"{stem}.html").write_text(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"Profile written to {out / (stem + '.html')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A running server (default: start gunicorn on a free port).")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
    parser.add_argument("--only", help="Comma-separated case names (substrings) to run.")
    parser.add_argument("--json", type=Path, help="Write the results here.")
    parser.add_argument("--profile", metavar="NAME", help="Profile one case with pyinstrument instead.")
    parser.add_argument(
        "--explain", metavar="NAME", help="EXPLAIN ANALYZE one case's slowest queries instead."
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/strategy-tracker-profiles"))
    parser.add_argument(
        "--markdown", type=Path, metavar="JSON", help="Print a saved report as a Markdown table."
    )
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return

    _perf.setup_django()
    from django.db import connection

    s = _perf.subjects()
    users = {"focal": s.focal_point, "reviewer": s.reviewer}
    selected = cases(s)
    if args.only:
        wanted = [w.strip() for w in args.only.split(",")]
        selected = [c for c in selected if any(w in c.name for w in wanted)]
    if args.profile or args.explain:
        name = args.profile or args.explain
        case = next((c for c in selected if name in c.name and not c.write), None)
        if case is None:
            sys.exit(f"No read case matches {name!r}: {[c.name for c in selected]}")
        profile(case, users, args.out) if args.profile else explain(case, users)
        return

    before = _perf.machine()
    cookies = {who: _perf.session_cookie(user) for who, user in users.items() if user}
    token = (
        _perf.api_token(s.focal_point, name="scripts/benchmark.py", scope="read_write")
        if s.focal_point
        else None
    )
    for case in selected:
        if not case.write:
            _, queries = in_process(case, users)
            case.results["queries"] = len(queries)
    server = None if args.url else _perf.Server(workers=args.workers).start()
    base = args.url or server.base
    try:
        runner = Runner(base, s, cookies=cookies, token=token)
        for case in sorted(selected, key=lambda c: c.write):  # reads first, then the writes
            runner.measure(case, warmup=args.warmup, runs=args.runs)
            if case.floor and connection.vendor == "postgresql":
                measure_floor(case, warmup=args.warmup, runs=args.runs)
            print(_row(case), flush=True)
    finally:
        if server:
            server.stop()
    after = _perf.machine()

    print()
    print(
        f"{'endpoint':34} {'p50 ms':>8} {'p95 ms':>8} {'floor':>8} {'×floor':>7} {'queries':>7} {'KB gz':>7} {'KB':>7}"
    )
    for case in selected:
        print(_row(case))
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "server": f"gunicorn, {args.workers} sync workers" if not args.url else args.url,
        "conn_max_age": connection.settings_dict.get("CONN_MAX_AGE"),
        "runs": args.runs,
        "warmup": args.warmup,
        "machine_before": before,
        "machine_after": after,
        "database": _perf.database(),
        "results": [{"name": c.name, "method": c.method, "path": c.path, **c.results} for c in selected],
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
        print(f"\nWritten to {args.json}")
    print(
        f"\nLoad average before {before['load_average']}, after {after['load_average']} ({before['cores']} cores)."
    )


def markdown(report: dict) -> str:
    """A saved report as a Markdown table, with what it was measured on."""
    db, m = report["database"], report["machine_before"]
    lines = [
        f"Measured {report['date']} on {m['host']} ({m['cpu']}, {m['cores']} cores), {db.get('version', db['vendor'])}, "
        f"{report['server']}, CONN_MAX_AGE={report['conn_max_age']}; dataset: {db['progress entries']:,} progress "
        f"entries, {db['history rows']:,} history rows, {db['strategies']} strategies. p50/p95 of {report['runs']} runs "
        f"after {report['warmup']} warm-up; load average {m['load_average'][0]:.1f} before, "
        f"{report['machine_after']['load_average'][0]:.1f} after.",
        "",
        "| endpoint | p50 ms | p95 ms | floor p50 ms | ×floor | queries | KB gzip | KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        floor = f"{r['floor_p50_ms']:.1f}" if "floor_p50_ms" in r else "—"
        ratio = f"{r['ratio']:.1f}×" if "ratio" in r else "—"
        lines.append(
            f"| {r['name']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {floor} | {ratio} | {r.get('queries', '—')} "
            f"| {r['bytes_sent'] / 1024:.1f} | {r['bytes'] / 1024:.1f} |"
        )
    return "\n".join(lines)


def _row(case) -> str:
    r = case.results
    floor = f"{r['floor_p50_ms']:8.1f}" if "floor_p50_ms" in r else f"{'—':>8}"
    ratio = f"{r['ratio']:6.1f}×" if "ratio" in r else f"{'—':>7}"
    queries = f"{r['queries']:7d}" if "queries" in r else f"{'—':>7}"
    return (
        f"{case.name:34} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {floor} {ratio} {queries} "
        f"{r['bytes_sent'] / 1024:7.1f} {r['bytes'] / 1024:7.1f}"
    )


if __name__ == "__main__":
    main()
