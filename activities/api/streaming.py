"""The progress list as CSV, streamed: the same columns and cells as the serializer and the CSV renderer
give (ProgressEntrySerializer, renderers.flatten), without building a serializer, a model instance or
a URL per row. Up to 10,000 rows leave as they are read, a chunk at a time, so memory stays flat.

Rows come from values_list() (only the columns the file has; how each becomes its cell is planned once
per file), read with a server-side cursor; the evidence of each chunk of entries is one query; each
row's URL is the one reversed prefix plus its id; who may see restricted details is asked of
activities.permissions once per Range State, activity and objective."""

import io
from itertools import islice
from types import SimpleNamespace

from django.http import StreamingHttpResponse
from django.urls import reverse
from rest_framework import ISO_8601
from rest_framework.fields import DateTimeField
from rest_framework.settings import api_settings

from activities import permissions
from activities.exporting import CSVWriter
from activities.models import Evidence
from activities.permissions import Action

from . import renderers, serializers

CHUNK = 2_000
RESTRICTED = ("review_comment", "restricted_details")
# serializer field → the values_list() column it reads
COLUMNS = {
    "id": "id",
    "strategy": "activity__strategy__slug",
    "activity": "activity__code",
    "activity_id": "activity_id",
    "range_state": "range_state__iso_code",
    "reporting_round": "reporting_round_id",
    "reporting_date": "reporting_date",
    "status": "status",
    "narrative": "narrative",
    "source": "source",
    "confidence": "confidence",
    "amount_spent_usd": "amount_spent_usd",
    "review_state": "review_state",
    "review_comment": "review_comment",
    "submitted_at": "submitted_at",
    "reviewed_at": "reviewed_at",
    "version": "version",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "restricted_details": "restricted_details",
}
# fields whose JSON form is not the database value (dates, times, decimals): the serializer's own fields
# format them, so the CSV reads exactly as before
FORMATTED = ("reporting_date", "amount_spent_usd", "submitted_at", "reviewed_at", "created_at", "updated_at")
EVIDENCE_COLUMNS = (
    "entry_id",
    "id",
    "title",
    "url",
    "file",
    "content_type",
    "size",
    "restricted",
    "created_at",
)
SENTINEL = 987654321987  # an id no URL contains otherwise: reversed once, then replaced by each row's id


def progress_csv_response(*, request, queryset, filename: str) -> StreamingHttpResponse:
    """The entries of `queryset` (already filtered, permission-narrowed, ordered and sliced to one page)."""
    response = StreamingHttpResponse(_lines(request, queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _url_maker(request, view_name: str):
    template = request.build_absolute_uri(reverse(view_name, args=[SENTINEL]))
    before, after = template.split(str(SENTINEL))
    return lambda pk: f"{before}{pk}{after}"


def _restricted_rule(user, index):
    """permissions.allowed(user, VIEW_RESTRICTED, entry) for a values_list() row, asked once per distinct
    (Range State, activity, objective): the only things the rule reads of an entry to view it."""
    decided = {}
    at = [index[c] for c in ("range_state_id", "activity_id", "activity__result__objective_id")]
    pk_at, review_at = index["id"], index["review_state"]

    def may_see(row) -> bool:
        key = (row[at[0]], row[at[1]], row[at[2]])
        if key not in decided:
            state_id, activity_id, objective_id = key
            entry = SimpleNamespace(
                pk=row[pk_at],
                range_state_id=state_id,
                review_state=row[review_at],
                activity=SimpleNamespace(pk=activity_id, result=SimpleNamespace(objective_id=objective_id)),
            )
            decided[key] = permissions.allowed(user, Action.VIEW_RESTRICTED, entry)
        return decided[key]

    return may_see


# how each CSV column is made from a row (see _columns)
PLAIN, FORMATTED_VALUE, SECRET, URL, EVIDENCE = range(5)


def _columns(header, index, formatters) -> list[tuple]:
    """Per column of the file, in order: how its cell is made and from which value of the row."""
    plan = []
    for name in header:
        if name == "url":
            plan.append((URL, index["id"], None))
        elif name == "evidence":
            plan.append((EVIDENCE, index["id"], None))
        elif name in RESTRICTED:
            plan.append((SECRET, index[COLUMNS[name]], None))
        elif name in formatters:
            plan.append((FORMATTED_VALUE, index[COLUMNS[name]], formatters[name]))
        else:
            plan.append((PLAIN, index[COLUMNS[name]], None))
    return plan


def _lines(request, queryset):
    user = request.user
    entry_fields = serializers.ProgressEntrySerializer(context={"request": request}).fields
    evidence_fields = serializers.EvidenceSerializer(context={"request": request}).fields
    formatters = {name: _formatter(entry_fields[name]) for name in FORMATTED}
    evidence_created = _formatter(evidence_fields["created_at"])
    header = [
        name for name in entry_fields if name not in RESTRICTED or permissions.may_see_some_restricted(user)
    ]
    names = (*COLUMNS.values(), "range_state_id", "activity__result__objective_id")
    index = {name: i for i, name in enumerate(names)}
    plan = _columns(header, index, formatters)
    entry_url = _url_maker(request, "api:progress-detail")
    file_url = _url_maker(request, "activities:evidence-download")
    may_see = _restricted_rule(user, index)

    out = io.StringIO()
    writer = CSVWriter(out)
    writer.writerow(header)
    yield _drain(out)

    rows = queryset.prefetch_related(None).values_list(*names).iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        evidence = _evidence_of(chunk, index["id"])
        for row in chunk:
            allowed = may_see(row)
            cells = []
            for kind, at, formatter in plan:
                value = row[at]
                if kind == PLAIN:
                    cells.append(value)
                elif kind == FORMATTED_VALUE:
                    cells.append(None if value is None else formatter(value))
                elif kind == SECRET:
                    cells.append(value if allowed else None)
                elif kind == URL:
                    cells.append(entry_url(value))
                else:
                    items = [
                        _evidence_item(item, evidence_created, file_url)
                        for item in evidence.get(value, ())
                        if allowed or not item["restricted"]
                    ]
                    cells.append(renderers._cell(items))
            writer.writerow(cells)
        yield _drain(out)


def _formatter(field):
    """field.to_representation, or for an ISO 8601 date-time field the same text made without looking
    up the request's time zone and the field's settings for each of the file's tens of thousands of
    values (DateTimeField.to_representation: in the zone, isoformat, +00:00 written Z)."""
    if (
        not isinstance(field, DateTimeField)
        or getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601
    ):
        return field.to_representation
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None:
        return field.to_representation

    def iso(value) -> str:
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


def _evidence_of(chunk, id_at) -> dict:
    """The evidence of a chunk of entries, by entry id: one query."""
    evidence = {}
    for item in (
        Evidence.objects.filter(entry_id__in=[row[id_at] for row in chunk])
        .order_by("entry_id", "pk")
        .values(*EVIDENCE_COLUMNS)
    ):
        evidence.setdefault(item["entry_id"], []).append(item)
    return evidence


def _evidence_item(item, created, file_url) -> dict:
    """One evidence item as EvidenceSerializer writes it (its CSV cell is renderers._summary of this)."""
    is_file = bool(item["file"])
    return {
        "id": item["id"],
        "kind": "file" if is_file else "link",
        "title": item["title"],
        # files only through the permission-checked download view, never from MEDIA_URL
        "url": file_url(item["id"]) if is_file else item["url"],
        "content_type": item["content_type"],
        "size": item["size"],
        "restricted": item["restricted"],
        "created_at": created(item["created_at"]) if item["created_at"] is not None else None,
    }


def _drain(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text
