"""Page-number pagination with a page size the client chooses (?page_size=) up to a cap.

Spreadsheet formats (CSV, XLSX) get much larger pages, so that a partner opening a URL in a
spreadsheet gets the whole of a strategy's activities at once; the next page is then announced in a
`Link: <…>; rel="next"` header, because a spreadsheet has no place for it."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

EXPORT_FORMATS = {"csv", "xlsx"}


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    max_page_size = 500
    export_page_size = 10_000
    page_size_query_param = "page_size"
    page_size_query_description = (
        "Results per page: default 50, at most 500 (CSV and XLSX: default and at most 10,000)."
    )
    page_query_description = "Page number, from 1."

    def _is_export(self, request) -> bool:
        renderer = getattr(request, "accepted_renderer", None)
        return getattr(renderer, "format", None) in EXPORT_FORMATS

    def get_page_size(self, request):
        cap = self.export_page_size if self._is_export(request) else self.max_page_size
        default = self.export_page_size if self._is_export(request) else self.page_size
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return default
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {cap}, not {raw!r}."]},
                code="invalid",
            )
        return min(size, cap)

    def get_paginated_response(self, data):
        response = Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
        links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", self.get_next_link()),) if url]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = "Number of results matching the filters."
        described["properties"]["next"]["description"] = "URL of the next page; null on the last page."
        described["properties"]["previous"]["description"] = "URL of the previous page; null on the first."
        described["properties"]["results"]["description"] = "This page's results."
        return described
