"""Hostile input to the API is a 4xx in the documented error shape that names the parameter, never a 500:
numbers beyond 64 bits in filters, path parameters and bodies (OverflowError), JSON nested deeper than
Python's parser goes (RecursionError). Every API error, 500 included, is JSON in that shape.

The filters and routes are found by walking the URL conf, so that a new one is checked too."""

import django_filters as df
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activities.api import views as api_views
from activities.api.filters import IntegerFilter

from .helpers import as_token, errors
from .test_progress import body, write_token
from .test_progress import setting as _setting

setting = _setting  # the fixture: an activity with a focal point
HUGE = str(2**70)
SLUG = "any-strategy"


def api_routes():
    """(name, pattern, view class) of every route under the api namespace."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "api":
                view = getattr(pattern.callback, "cls", None)
                yield pattern.name, pattern, view

    return list(walk(get_resolver().url_patterns, None))


def integer_parameters():
    cases = []
    for name, _pattern, view in api_routes():
        filterset = getattr(view, "filterset_class", None)
        if not name.endswith("-list") or filterset is None:
            continue
        for param, filter_ in filterset.base_filters.items():
            if isinstance(filter_, df.NumberFilter):
                cases.append((name, param, type(filter_)))
    return cases


def test_every_number_filter_is_a_bounded_integer_filter():
    cases = integer_parameters()
    assert len(cases) >= 20
    assert [(n, p) for n, p, cls in cases if not issubclass(cls, IntegerFilter)] == []


@pytest.mark.parametrize("value", [HUGE, f"-{HUGE}", "-1", "1.5", "1e3"])
@pytest.mark.parametrize(("name", "param"), [(n, p) for n, p, _ in integer_parameters()])
def test_a_number_filter_out_of_range_is_a_400_naming_it(api, name, param, value, db):
    kwargs = {"strategy_slug": SLUG} if name.startswith("strategy-") else {}
    if kwargs:
        from tests.factories import StrategyFactory

        StrategyFactory(slug=SLUG)
    response = api.get(reverse(f"api:{name}", kwargs=kwargs), {param: value})
    assert response.status_code == 400, (name, param, value)
    assert param in errors(response)


def date_time_parameters():
    cases = []
    for name, _pattern, view in api_routes():
        filterset = getattr(view, "filterset_class", None)
        if not name.endswith("-list") or filterset is None:
            continue
        cases += [(name, p) for p, f in filterset.base_filters.items() if isinstance(f, df.IsoDateTimeFilter)]
    return cases


@pytest.mark.parametrize(("name", "param"), date_time_parameters())
def test_a_date_time_with_an_offset_postgresql_cannot_store_is_compared_in_utc(api, name, param, db):
    """ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59: schemathesis found a 500."""
    kwargs = {"strategy_slug": SLUG} if name.startswith("strategy-") and name != "strategy-list" else {}
    if kwargs:
        from tests.factories import StrategyFactory

        StrategyFactory(slug=SLUG)
    response = api.get(reverse(f"api:{name}", kwargs=kwargs), {param: "2025-01-18T05:00:21+19:04"})
    assert response.status_code == 200, (name, param)


def test_every_list_with_incremental_sync_is_checked_for_offsets():
    assert len(date_time_parameters()) >= 10


def detail_routes():
    for name, pattern, view in api_routes():
        groups = list(pattern.pattern.regex.groupindex)
        if (view is not None and name.endswith("-detail")) or name.rsplit("-", 1)[-1] in {
            "submit",
            "approve",
        }:
            yield name, groups


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "groups"), list(detail_routes()))
def test_a_path_number_beyond_64_bits_is_a_json_404(api, name, groups):
    from tests.factories import StrategyFactory

    StrategyFactory(slug=SLUG)
    kwargs = {group: (SLUG if group == "strategy_slug" else HUGE) for group in groups}
    url = reverse(f"api:{name}", kwargs=kwargs)
    response = api.post(url) if name.endswith(("submit", "approve")) else api.get(url)
    assert response.status_code in (401, 404), (url, response.status_code)
    assert response["Content-Type"] == "application/json"
    assert set(errors(response)) == {None}


def test_a_body_id_beyond_64_bits_is_a_400_naming_the_field(api, setting):
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-list"), body(setting, reporting_round=2**70), format="json")
    assert response.status_code == 400
    assert set(errors(response)) == {"reporting_round"}


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_json_nested_too_deeply_is_a_400_parse_error(api, setting, depth):
    as_token(api, write_token(setting["focal"]))
    nested = "[" * depth + "]" * depth
    response = api.generic("POST", reverse("api:progress-list"), nested, content_type="application/json")
    assert response.status_code == 400
    assert errors(response) == {None: "parse_error"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing/", "/api/v1/strategies/s/themes/not-a-number/", "/api/v2/"]
)
def test_api_urls_that_match_no_route_answer_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert errors(response) == {None: "not_found"}


@pytest.mark.django_db
def test_an_unexpected_error_in_the_api_is_a_json_500_and_is_logged(client, monkeypatch, caplog):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api_views.ActorViewSet, "list", broken)
    client.raise_request_exception = False
    response = client.get(reverse("api:actor-list"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert errors(response) == {None: "server_error"}
    assert "a bug" not in response.content.decode()  # no internals leak
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.django_db
def test_pages_outside_the_api_keep_html_errors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
