"""Logs are JSON lines with the request id; Sentry is configured without personal data."""

import io
import json
import logging
import logging.config
import os
import subprocess
import sys
import uuid

from django.conf import settings
from django_guid.log_filters import CorrelationId


def json_handler():
    stream = io.StringIO()
    configurator = logging.config.DictConfigurator(settings.LOGGING)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(dict(settings.LOGGING["formatters"]["json"])))
    handler.addFilter(CorrelationId())
    return handler, stream


def test_each_log_line_is_json_with_the_request_id_nginx_sent(db, client):
    handler, stream = json_handler()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    request_id = uuid.uuid4().hex
    try:
        response = client.get("/no-such-page/", headers={"X-Request-ID": request_id})
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert response["X-Request-ID"] == request_id
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["request_id"] == request_id
    assert (record["level"], record["logger"]) == ("WARNING", "django.request")
    assert "/no-such-page/" in record["message"]


def test_a_hostile_request_id_is_replaced_by_a_new_one(db, client):
    response = client.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"})
    assert "Set-Cookie" not in response.get("X-Request-ID", "")
    response = client.get("/no-such-page/", headers={"X-Request-ID": "<script>"})
    assert len(response["X-Request-ID"]) == 32
    assert "<" not in response["X-Request-ID"]


def test_sentry_is_configured_only_with_a_dsn_and_sends_no_personal_data():
    code = (
        "import django, sentry_sdk; django.setup(); "
        "c = sentry_sdk.get_client(); o = c.options; "
        "print(c.is_active(), o['send_default_pii'], o['max_request_body_size'], o['include_local_variables'])"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "strategy_tracker.settings", "DJANGO_SECRET_KEY": "x" * 50}
    with_dsn = env | {"SENTRY_DSN": "https://public@sentry.invalid/1"}
    run = lambda e: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], env=e, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    ).stdout.split()
    assert run(with_dsn) == ["True", "False", "never", "False"]
    assert run({k: v for k, v in env.items() if k != "SENTRY_DSN"})[0] == "False"


def test_a_pdf_report_logs_no_line_per_page(seeded, client):
    # WeasyPrint logs each step and each page at INFO; at the production level (INFO) a long report
    # buried the request's own lines. Its warnings (a missing font, an unsupported property) still log.
    handler, stream = json_handler()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        response = client.get("/reports/reporting-rate.pdf?strategy=persian-leopard-2023-2032")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    loggers = [json.loads(line)["logger"] for line in stream.getvalue().splitlines()]
    assert "weasyprint.progress" not in loggers
    assert len(loggers) < 5, loggers
