"""Fill ProgressEntry.contributors from what the history already knows, so that separation of duties
holds for entries reported before the field existed: the reporter and every submitter, each editor
whose version changed a reported field, and whoever added or removed evidence. (Who issued a link or a
token used before now is not known, and is not guessed.)"""

from django.db import migrations

# services.EDITABLE_FIELDS when this migration was written (a migration never imports the code).
CONTENT_FIELDS = (
    "reporting_date",
    "status",
    "narrative",
    "source",
    "confidence",
    "restricted_details",
    "amount_spent_usd",
    "reporting_round_id",
)
BATCH = 5000


def record_contributors(apps, schema_editor):
    ProgressEntry = apps.get_model("activities", "ProgressEntry")
    HistoricalProgressEntry = apps.get_model("activities", "HistoricalProgressEntry")
    HistoricalEvidence = apps.get_model("activities", "HistoricalEvidence")
    Through = ProgressEntry.contributors.through
    existing = set(ProgressEntry.objects.values_list("pk", flat=True).iterator(chunk_size=BATCH))
    pending: set[tuple[int, int]] = set()

    def add(entry_id, user_id):
        if entry_id in existing and user_id is not None:
            pending.add((entry_id, user_id))
            if len(pending) >= BATCH:
                flush()

    def flush():
        Through.objects.bulk_create(
            [Through(progressentry_id=e, user_id=u) for e, u in pending], ignore_conflicts=True
        )
        pending.clear()

    for entry_id, reporter, submitter in ProgressEntry.objects.values_list(
        "pk", "reported_by_id", "submitted_by_id"
    ).iterator(chunk_size=BATCH):
        add(entry_id, reporter)
        add(entry_id, submitter)
    previous = None
    versions = HistoricalProgressEntry.objects.order_by("id", "history_date", "history_id").values(
        "id", "history_type", "history_user_id", "submitted_by_id", *CONTENT_FIELDS
    )
    for version in versions.iterator(chunk_size=BATCH):
        add(version["id"], version["submitted_by_id"])
        same_entry = previous is not None and previous["id"] == version["id"]
        if version["history_type"] == "+" or not same_entry:
            add(version["id"], version["history_user_id"])
        elif any(version[f] != previous[f] for f in CONTENT_FIELDS):
            add(version["id"], version["history_user_id"])
        previous = version
    evidence_changes = HistoricalEvidence.objects.filter(history_type__in=["+", "-"]).values_list(
        "entry_id", "history_user_id"
    )
    for entry_id, user_id in evidence_changes.iterator(chunk_size=BATCH):
        add(entry_id, user_id)
    flush()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_separation_of_duties"),
    ]

    operations = [
        migrations.RunPython(record_contributors, migrations.RunPython.noop, elidable=True),
    ]
