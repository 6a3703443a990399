"""A partial index on the progress entries' history: the rows written while an entry is approved. The
reports' change marker (activities.changes.ApprovedHistory) reads the newest of them on every report
request; with the index that is one index probe however many drafts were saved since the last approval.

Raw SQL, because the historical model is made by django-simple-history (its Meta takes no indexes);
the same statement works on PostgreSQL and SQLite, and the model state is unchanged."""

from django.db import migrations

INDEX = "activities_hist_progress_approved"
TABLE = "activities_historicalprogressentry"


class Migration(migrations.Migration):
    dependencies = [("activities", "0016_add_strategy_import")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON {TABLE} (history_id) WHERE review_state = 'approved'",
            f"DROP INDEX {INDEX}",
        )
    ]
