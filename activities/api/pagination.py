"""Page-number pagination with a page size the client chooses (?page_size=) up to a cap.

Spreadsheet formats (CSV, XLSX) get much larger pages, so that a partner opening a URL in a
spreadsheet gets the whole of a strategy's activities at once; the next page is then announced in a
`Link: <…>; rel="next"` header, because a spreadsheet has no place for it."""

from django.core.paginator import InvalidPage
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

EXPORT_FORMATS = {"csv", "xlsx"}


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    max_page_size = 500
    export_page_size = 10_000
    page_size_query_param = "page_size"
    page_size_query_description = _(
        "Results per page: default 50, at most 500 (CSV and XLSX: default and at most 10,000)."
    )
    page_query_description = _("Page number, from 1. A page beyond the last is a 404.")
    last_page_strings = ()  # the schema says a number: "?page=last" is not one

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
                {
                    self.page_size_query_param: [
                        gettext("A whole number from 1 to %(max)s, not %(value)s.")
                        % {"max": cap, "value": repr(raw)}
                    ]
                },
                code="invalid",
            )
        return min(size, cap)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError(
                {self.page_query_param: [f"A page number from 1, not {raw!r}."]}, code="invalid"
            )
        return raw

    def paginate_lazily(self, queryset, request, view=None):
        """paginate_queryset without reading the page: the page's slice of `queryset`, still a queryset,
        for a response that reads its rows itself (a streamed export). The count is still asked, for the
        next link."""
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(
                self.invalid_page_message.format(page_number=page_number, message=str(exc))
            ) from exc
        return self.page.object_list

    def next_link_header(self) -> str | None:
        url = self.get_next_link()
        return f'<{url}>; rel="next"' if url else None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        # The bound the code enforces, so that the schema tells the truth. A larger page size than the
        # cap is not an error: the page is the cap's size, with a next link (so there is no maximum).
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters

    def get_paginated_response(self, data):
        response = Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
        if link := self.next_link_header():
            response["Link"] = link
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = _("Number of results matching the filters.")
        described["properties"]["next"]["description"] = _("URL of the next page; null on the last page.")
        described["properties"]["previous"]["description"] = _("URL of the previous page; null on the first.")
        described["properties"]["results"]["description"] = _("This page's results.")
        return described
