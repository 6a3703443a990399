"""schemathesis against the API's own OpenAPI schema (/api/v1/schema/) with every check: anonymously and
with a Secretariat member's read-write token, on a small world (an approved entry), with bounded,
derandomised examples. Any failure fails the test, except those ALLOWED: each has its reason and a
test that the failure is that case and no other. The figures (cases run, response statuses, failures
per check, of which allowed) are printed at the end of the run (tests/conftest.py)."""

import collections
import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from activities.api.throttling import AnonymousThrottle, UserOrTokenThrottle
from tests.factories import APITokenFactory, ProgressEntryFactory, SecretariatUserFactory
from tests.schemathesis import FIGURES_DIR

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_headers_conformance,
    st_checks.response_schema_conformance,
    st_checks.negative_data_rejection,
    st_checks.positive_data_acceptance,
    st_checks.missing_required_header,
    st_checks.unsupported_method,
    st_checks.use_after_free,
    st_checks.ensure_resource_availability,
    st_checks.ignored_auth,
]
# Natural keys a request names (filters, the body, the nested routes' strategy slug): the schema cannot
# list every key that exists, so a well-formed but unknown key is valid for the schema and refused here.
NATURAL_KEYS = {
    "strategy",
    "actor",
    "cami_pow",
    "range_state",
    "result",
    "activity",
    "reporting_round",
    "species",
    "landscape",
}
UNKNOWN_KEY_CODES = {"invalid_choice", "not_found", "does_not_exist"}


def _unknown_natural_key(case, response) -> bool:
    if response.status_code == 404:  # a nested route whose strategy slug does not exist
        return "{slug}" in case.path and "slug" in (case.path_parameters or {})
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        return False
    return response.status_code == 400 and all(
        error["field"] in NATURAL_KEYS and error["code"] in UNKNOWN_KEY_CODES for error in errors
    )


def _public_read(case, response) -> bool:
    return case.method in ("GET", "HEAD") and response.status_code in (200, 304, 400, 404)


# check → (why the failure is expected, the test that a failure is that case and no other).
ALLOWED = {
    "ignored_auth": (
        "Public reads ignore authentication by design: anonymous clients read public data, and a request "
        "whose credentials schemathesis removed or garbled is answered as anonymous (a GET only; writes "
        "without a valid token are 401).",
        _public_read,
    ),
    "positive_data_acceptance": (
        "Well-formed but unknown natural keys (strategy, actor, cami_pow, range_state, result, activity, "
        "reporting_round, species, landscape; a nested route's strategy slug) are a 400 or 404 naming them, by design (a "
        "misspelt key must not return everything); the schema cannot list every key that exists.",
        _unknown_natural_key,
    ),
}
FIGURES = {
    "cases": collections.Counter(),
    "failures": collections.Counter(),
    "allowed": collections.Counter(),
    "statuses": collections.Counter(),
}


def _load():
    from django.conf import settings as django_settings

    from strategy_tracker.wsgi import application

    # schemathesis calls the WSGI app as host "localhost"
    if "localhost" not in django_settings.ALLOWED_HOSTS:
        django_settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, "localhost"]
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


schema = _load()


@pytest.fixture(autouse=True)
def world(db, monkeypatch):
    # a small world (the seed takes a second, and every operation is one test): an approved entry
    entry = ProgressEntryFactory(review_state="approved")
    entry.activity.strategy.range_states.add(entry.range_state)
    # hundreds of requests per operation: the rate limits would answer most of them with 429
    for throttle in (AnonymousThrottle, UserOrTokenThrottle):
        monkeypatch.setattr(throttle, "rate", "1000000/minute", raising=False)
    # schemathesis calls the WSGI app itself, not through Django's test client, which would stop each
    # request from closing the test's database connection (on PostgreSQL it is inside the test's
    # transaction, so Django closes it as unusable and the next query fails)
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _check_of(failure) -> str:
    # each schemathesis failure class names the check(s) it comes from
    checks = getattr(failure, "checks", ())
    return getattr(failure, "check_name", None) or (checks[0] if checks else type(failure).__name__)


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    controller = os.getppid() if worker else os.getpid()
    FIGURES_DIR.mkdir(exist_ok=True)
    path = FIGURES_DIR / f"{controller}-{worker or 'main'}.json"
    path.write_text(json.dumps({k: dict(v) for k, v in FIGURES.items()}, indent=1))


def _run(case, headers=None, who="anonymous"):
    FIGURES["cases"][who] += 1
    # identity: schemathesis' WSGI client does not undo GZipMiddleware's compression
    headers = {"Accept-Encoding": "identity", **(headers or {})}
    response = case.call(headers=headers)
    FIGURES["statuses"][str(response.status_code)] += 1
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (Exception, BaseExceptionGroup) as exc:  # a FailureGroup of one or more failed checks
        unexpected = []
        for failure in getattr(exc, "exceptions", [exc]):
            name = _check_of(failure)
            FIGURES["failures"][name] += 1
            if name in ALLOWED and ALLOWED[name][1](case, response):
                FIGURES["allowed"][name] += 1
            else:
                unexpected.append(failure)
        if unexpected:
            raise


@schema.parametrize()
@settings(max_examples=6, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_the_api_keeps_its_schema_anonymously(case):
    _run(case)


@schema.parametrize()
@settings(max_examples=6, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_the_api_keeps_its_schema_with_a_read_write_token(case):
    token = APITokenFactory(user=SecretariatUserFactory(), scope="read_write")
    _run(case, headers={"Authorization": f"Token {token.key}"}, who="token")
