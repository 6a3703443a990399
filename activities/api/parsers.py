"""The API's JSON parser: DRF's, with a body nested too deeply for Python's parser (RecursionError, a
500 before) answered as the 400 parse error any other malformed body gets."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error: the body is nested too deeply.") from exc
