"""gunicorn's configuration: `gunicorn -c deploy/gunicorn.conf.py` (from the repository's root).

Every value can be changed by the environment (GUNICORN_*). Reload code without dropping a request with
`kill -HUP <master pid>` (systemd: `systemctl reload strategy-tracker`): new workers start with the new
code, and the old ones finish their requests before they exit.
"""

import multiprocessing
import os

wsgi_app = "strategy_tracker.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the app is CPU- and database-bound; (2 x cores) + 1 is gunicorn's advice.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request taking longer than this is killed (its worker is replaced); exports finish well within it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On reload or stop, workers get this long to finish the requests they are serving.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Replace each worker after this many requests (plus jitter, so they do not all restart at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# nginx on the same machine sets X-Forwarded-Proto; trust it only from there.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# Logs to stdout/stderr (the service manager keeps them). The access log is one JSON object a line,
# with the request id nginx set, so that it joins the app's own JSON logs.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}i)s", '
    '"remote": "%({x-forwarded-for}i)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": "%(B)s", "ms": %(M)s, "user_agent": "%(a)s"}'
)
pidfile = os.environ.get("GUNICORN_PID_FILE") or None
