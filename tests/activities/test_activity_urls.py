"""activity_urls reverses an activity's URL once for a whole page: each code must come out exactly as
reverse() gives it, whatever the code holds, and the link must open that activity."""

from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse

from activities.models.activity import activity_url, activity_urls

CODES = ["1.1.1", "1.1.1.a", "10.2", "a b", "ü.1", "50%", "x?y=1", "#3", "<b>&", "+1", "'quoted'", ""]


@pytest.mark.parametrize("code", CODES)
def test_each_code_gives_the_url_reverse_gives(code):
    url = activity_urls("persian-leopard")(code)
    if code:
        assert url == reverse("activities:activity-detail", kwargs={"slug": "persian-leopard", "code": code})
        assert url == activity_url("persian-leopard", code)
        match = resolve(unquote(url))  # as the server decodes the path before resolving it
        assert match.url_name == "activity-detail" and match.kwargs == {
            "slug": "persian-leopard",
            "code": code,
        }
    else:
        # no activity has an empty code; the URL is then the strategy's activities folder, never another page
        assert url.endswith("/strategies/persian-leopard/activities//")
