"""Building progress entries in each review state through the services, for the service tests."""

import datetime

from django.forms.models import model_to_dict

from activities import services
from activities.models import ProgressEntry

RS = ProgressEntry.ReviewState
ST = ProgressEntry.Status


def create(
    w, *, user=None, activity=None, range_state="A", reporting_date=datetime.date(2025, 6, 30), **kwargs
):
    return services.progress_entry_create(
        user=user or w.focal,
        activity=activity or w.activity,
        range_state=w.armenia if range_state == "A" else range_state,
        reporting_date=reporting_date,
        status=kwargs.pop("status", ST.IN_PROGRESS),
        narrative=kwargs.pop("narrative", "Camera traps installed in two reserves."),
        **kwargs,
    )


def submitted(w, **kwargs):
    return services.progress_entry_submit(user=w.focal, entry=create(w, **kwargs))


def returned(w, **kwargs):
    return services.progress_entry_return(
        user=w.secretariat, entry=submitted(w, **kwargs), comment="Add the report."
    )


def approved(w, **kwargs):
    return services.progress_entry_approve(user=w.secretariat, entry=submitted(w, **kwargs))


def approved_range_wide(w, **kwargs):
    # Range-wide progress is the Secretariat's: one member reports it, another approves it.
    entry = create(w, user=w.secretariat, range_state=None, **kwargs)
    entry = services.progress_entry_submit(user=w.secretariat, entry=entry)
    return services.progress_entry_approve(user=w.other_secretariat, entry=entry)


IN_STATE = {RS.DRAFT: create, RS.SUBMITTED: submitted, RS.RETURNED: returned, RS.APPROVED: approved}


def row(entry):
    """Everything stored about an entry, to show a refused action changed nothing."""
    fresh = ProgressEntry.objects.get(pk=entry.pk)
    return model_to_dict(fresh) | {
        "version": fresh.version,
        "history": fresh.history.count(),
        "updated_at": fresh.updated_at,
    }
