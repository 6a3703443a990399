"""Load test: 60 s of mixed reads with concurrent progress submissions against gunicorn on loopback, then
proof that every write the server acknowledged is in the database.

    DATABASE_URL=postgres://… uv run --no-sync python scripts/loadtest.py [--duration 60] [--json out.json]

Two wrk processes run at once (Debian's `wrk`: apt-get install wrk):
- reads: --read-connections (default 6) connections over the benchmark's read endpoints (pages, reports,
  API lists, a focal point's home, the review queue), drawn at random with the weights in READ_MIX;
- writes: --write-connections (default 2) connections, each a focal point's partner system creating a
  progress entry through the API (POST /api/v1/progress/) and submitting it (POST …/submit/), in turn.

Why wrk: it is a small C client that costs the server next to no CPU on this 2-core machine (a Python
load generator such as locust would take a good share of a core from the server it measures), and its
Lua hooks are enough to script the writes and to record every acknowledged one (each write carries a
unique marker; the hook writes the id of each 201/200 answer to a file per thread).

After the run every acknowledged create must exist with its marker, activity, Range State and author,
and every acknowledged submit must have left the entry submitted with its history row. Entries that
committed without an acknowledgement (a request cut off when the 60 s ended) are counted, not errors.
Prints figures and exits non-zero if an acknowledged write is missing.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _perf

# Relative weights of the reads, by benchmark case name: public pages and the API most, exports rarely.
READ_MIX = {
    "strategy page (seeded)": 8,
    "strategy page (largest)": 4,
    "dashboard": 4,
    "matrix": 3,
    "timeline": 2,
    "budget": 2,
    "pow": 2,
    "national report": 2,
    "actors": 2,
    "reporting rate": 2,
    "activities API (100/page)": 6,
    "progress API": 6,
    "progress API updated_since ~1%": 6,
    "progress API state+status": 4,
    "progress CSV (10,000 rows)": 1,
    "focal point's home": 4,
    "review queue": 3,
}

LUA_COMMON = r"""
local json_escape = function(s) return (s:gsub('\\', '\\\\'):gsub('"', '\\"')) end
threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("bad") or 0) end
  io.write("WRK_JSON ")
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "status_errors": %d, "unexpected": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status, bad,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
"""

LUA_READS = r"""
local paths = {PATHS}
local cookies = {COOKIES}
bad = 0
function init(args)
  math.randomseed(tid * 7919)
end
function request()
  local i = paths[math.random(#paths)]
  local headers = {["Accept-Encoding"] = "gzip"}
  if cookies[i[2]] then headers["Cookie"] = cookies[i[2]] end
  return wrk.format("GET", i[1], headers)
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
"""

LUA_WRITES = r"""
local token = "{TOKEN}"
local marker = "{MARKER}"
local strategy, activity, state = "{STRATEGY}", "{ACTIVITY}", "{STATE}"
local create_path, submit_path = "{CREATE}", "{SUBMIT}"
local log
local n = 0
local pending = nil   -- the id created last, to submit next
local last = nil      -- what the last request was: {"create", n} or {"submit", id}
bad = 0
function init(args)
  log = io.open("{DIR}/acks-" .. tid .. ".txt", "w")
end
function request()
  local headers = {["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"}
  if pending then
    last = {"submit", pending}
    pending = nil
    return wrk.format("POST", submit_path:gsub("ID", last[2]), headers, "")
  end
  n = n + 1
  local label = marker .. "-" .. tid .. "-" .. n
  last = {"create", label}
  local body = '{"strategy": "' .. strategy .. '", "activity": "' .. activity .. '", "range_state": "' .. state ..
    '", "reporting_date": "2026-11-15", "status": "in_progress", "narrative": "' .. json_escape(label) .. '"}'
  return wrk.format("POST", create_path, headers, body)
end
function response(status, headers, body)
  if last == nil then return end
  if last[1] == "create" then
    if status == 201 then
      local id = body:match('"id":%s*(%d+)')
      log:write("create " .. id .. " " .. last[2] .. "\n")
      log:flush()
      pending = id
    else
      bad = bad + 1
    end
  else
    if status == 200 then
      log:write("submit " .. last[2] .. "\n")
      log:flush()
    else
      bad = bad + 1
    end
  end
  last = nil
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for these values


def run_wrk(script: Path, base: str, *, connections: int, threads: int, duration: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout=10s",
            "-s",
            str(script),
            base,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def parse(output: str) -> dict:
    match = re.search(r"WRK_JSON (\{.*\})", output)
    if not match:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    figures = json.loads(match.group(1))
    seconds = figures["duration_us"] / 1e6
    figures["requests_per_s"] = figures["requests"] / seconds if seconds else 0
    figures["errors"] = sum(
        figures[k]
        for k in ("connect_errors", "read_errors", "write_errors", "timeouts", "status_errors", "unexpected")
    )
    return figures


def check_writes(directory: Path, marker: str, s) -> dict:
    """Every acknowledged write, looked up in the database."""
    from activities.models import ProgressEntry

    created, submitted = {}, set()
    for path in directory.glob("acks-*.txt"):
        for line in path.read_text().splitlines():
            parts = line.split()
            if parts[0] == "create":
                created[int(parts[1])] = parts[2]
            elif parts[0] == "submit":
                submitted.add(int(parts[1]))
    found = {
        e.pk: e
        for e in ProgressEntry.objects.filter(pk__in=list(created)).select_related("activity", "range_state")
    }
    missing = [pk for pk in created if pk not in found]
    wrong = [
        pk
        for pk, label in created.items()
        if pk in found
        and not (
            found[pk].narrative == label
            and found[pk].activity_id == s.create_activity.pk
            and found[pk].range_state_id == s.create_state.pk
            and found[pk].reported_by_id == s.focal_point.pk
        )
    ]
    not_submitted = [
        pk
        for pk in submitted
        if pk not in found
        or found[pk].review_state != ProgressEntry.ReviewState.SUBMITTED
        or not found[pk].history.filter(history_change_reason="Submitted").exists()
    ]
    in_database = ProgressEntry.objects.filter(narrative__startswith=f"{marker}-").count()
    return {
        "acknowledged_creates": len(created),
        "acknowledged_submits": len(submitted),
        "missing": missing,
        "wrong": wrong,
        "not_submitted": not_submitted,
        "entries_with_marker": in_database,
        "committed_unacknowledged": in_database - len(found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A running server (default: start gunicorn on a free port).")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--read-connections", type=int, default=6)
    parser.add_argument("--write-connections", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    _perf.setup_django()
    import benchmark
    from django.urls import reverse

    s = _perf.subjects()
    if not (s.focal_point and s.create_activity):
        sys.exit("The dataset has no focal point who can report: run manage.py generate_dataset first.")
    cookies = {"focal": _perf.session_cookie(s.focal_point)}
    if s.reviewer:
        cookies["reviewer"] = _perf.session_cookie(s.reviewer)
    token = _perf.api_token(s.focal_point, name="scripts/loadtest.py", scope="read_write")
    reads = [
        (c.path, c.who or "")
        for c in benchmark.cases(s)
        if not c.write
        for _ in range(READ_MIX.get(c.name, 1))
    ]
    marker = f"loadtest-{uuid.uuid4().hex[:8]}"
    directory = Path(tempfile.mkdtemp(prefix="strategy-tracker-load-"))
    reads_lua = directory / "reads.lua"
    reads_lua.write_text(
        LUA_COMMON
        + LUA_READS.replace(
            "{PATHS}", "{" + ", ".join(f"{{{lua_string(p)}, {lua_string(w)}}}" for p, w in reads) + "}"
        ).replace(
            "{COOKIES}",
            "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in cookies.items()) + "}",
        )
    )
    writes_lua = directory / "writes.lua"
    writes_lua.write_text(
        LUA_COMMON
        + LUA_WRITES.replace("{TOKEN}", token)
        .replace("{MARKER}", marker)
        .replace("{STRATEGY}", s.create_activity.strategy.slug)
        .replace("{ACTIVITY}", s.create_activity.code)
        .replace("{STATE}", s.create_state.iso_code)
        .replace("{CREATE}", reverse("api:progress-list"))
        .replace("{SUBMIT}", reverse("api:progress-submit", args=[0]).replace("/0/", "/ID/"))
        .replace("{DIR}", str(directory))
    )

    before = _perf.machine()
    server = None if args.url else _perf.Server(workers=args.workers).start()
    base = args.url or server.base
    try:
        for path, _ in reads[:: max(len(reads) // 10, 1)]:  # warm both workers a little
            _perf.request("GET", base, path)
        started = time.monotonic()
        read_run = run_wrk(
            reads_lua, base, connections=args.read_connections, threads=1, duration=args.duration
        )
        write_run = run_wrk(
            writes_lua,
            base,
            connections=args.write_connections,
            threads=args.write_connections,
            duration=args.duration,
        )
        read_output, _ = read_run.communicate()
        write_output, _ = write_run.communicate()
        elapsed = time.monotonic() - started
    finally:
        if server:
            server.stop()
    after = _perf.machine()
    read_figures, write_figures = parse(read_output), parse(write_output)
    writes = check_writes(directory, marker, s)

    total = read_figures["requests"] + write_figures["requests"]
    print(
        f"Mixed load for {elapsed:.0f} s: {args.read_connections} read + {args.write_connections} write connections"
    )
    print(
        f"{'':8} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>7}"
    )
    for label, f in (("reads", read_figures), ("writes", write_figures)):
        print(
            f"{label:8} {f['requests']:9d} {f['requests_per_s']:7.1f} {f['p50_us'] / 1000:7.0f} {f['p90_us'] / 1000:7.0f} "
            f"{f['p95_us'] / 1000:7.0f} {f['p99_us'] / 1000:7.0f} {f['max_us'] / 1000:7.0f} {f['errors']:7d}"
        )
    print(f"{'total':8} {total:9d} {total / elapsed:7.1f}")
    print(
        f"Writes acknowledged: {writes['acknowledged_creates']} creates, {writes['acknowledged_submits']} submits; "
        f"missing {len(writes['missing'])}, wrong {len(writes['wrong'])}, not submitted {len(writes['not_submitted'])}; "
        f"committed without acknowledgement {writes['committed_unacknowledged']}."
    )
    print(f"Load average before {before['load_average']}, after {after['load_average']}.")
    if args.json:
        report = {
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "duration_s": elapsed,
            "server": f"gunicorn, {args.workers} sync workers" if not args.url else args.url,
            "connections": {"reads": args.read_connections, "writes": args.write_connections},
            "reads": read_figures,
            "writes": write_figures,
            "requests_per_s": total / elapsed,
            "write_check": writes,
            "machine_before": before,
            "machine_after": after,
            "database": _perf.database(),
        }
        args.json.write_text(json.dumps(report, indent=2, default=str))
        print(f"Written to {args.json}")
    if writes["missing"] or writes["wrong"] or writes["not_submitted"]:
        sys.exit("Some acknowledged writes are not in the database.")


if __name__ == "__main__":
    main()
