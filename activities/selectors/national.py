"""A round's national reports: one state's report, its page, and the round's list of them."""

from django.db.models import Exists, OuterRef, Prefetch, Q

from .. import permissions
from ..models import (
    Activity,
    NationalReport,
    ProgressEntry,
    RangeState,
    ReportingRound,
    due_by_year,
)
from ..permissions import Action
from .rates import reporting_rates

RS = ProgressEntry.ReviewState


def national_report_of(reporting_round, range_state) -> NationalReport:
    """The state's national report for the round, or, when it is not started, an unsaved one (version 0)."""
    report = (
        NationalReport.objects.with_context()
        .filter(reporting_round=reporting_round, range_state=range_state)
        .first()
    )
    if report is None:
        report = NationalReport(reporting_round=reporting_round, range_state=range_state, version=0)
    return report


def national_report_page(report: NationalReport, user) -> dict:
    """What a national report's page shows `user`: the report, the activities the round asks about (and
    any other the state filed an entry on in the round), each with the round's entries of the state that
    the user may see, the completeness count (reporting_rates, the one count), and which steps the user
    may take. Restricted details are not on this page; each entry's own page decides who sees them."""
    reporting_round, state = report.reporting_round, report.range_state
    filed = ProgressEntry.objects.of_national_report(report)
    entries = permissions.visible_entries(user, filed).order_by("-reporting_date", "-pk")
    activities = list(
        Activity.objects.filter(strategy_id=reporting_round.strategy_id)
        .filter(due_by_year(reporting_round.deadline.year) | Q(Exists(filed.filter(activity=OuterRef("pk")))))
        .select_related("strategy")  # each activity's URL names its strategy
        .with_translations()
        .prefetch_related(Prefetch("progress_entries", queryset=entries, to_attr="round_entries"))
        .order_by("sort_key")
    )
    round_entries = []
    for activity in activities:
        for entry in activity.round_entries:
            entry.activity = activity  # no query per entry for its activity's code
            round_entries.append(entry)
    (rate,) = reporting_rates(ReportingRound.objects.filter(pk=reporting_round.pk), [state])
    # The private discussion: about sections, and about the entries the user may see (a delegate sees
    # those of their scope). One query.
    comments = (
        list(report.comments.filter(Q(entry__isnull=True) | Q(entry__in=entries.values("pk"))).in_order())
        if report.pk
        else []
    )
    return {
        "report": report,
        "reporting_round": reporting_round,
        "range_state": state,
        "activities": activities,
        "with_the_reporter": [e for e in round_entries if e.review_state in (RS.DRAFT, RS.RETURNED)],
        "awaiting_review": [e for e in round_entries if e.review_state == RS.SUBMITTED],
        "rate": rate,
        "can_edit": permissions.allowed(user, Action.REPORT_EDIT, report),
        "can_submit": permissions.allowed(user, Action.REPORT_SUBMIT, report),
        "can_review": permissions.allowed(user, Action.REPORT_REVIEW, report),
        "comments": comments,
        "round_entries": round_entries,
        "can_comment": permissions.allowed(user, Action.REPORT_COMMENT, report),
    }


def round_national_reports(reporting_round, user) -> list[dict]:
    """A round's national reports, one row per Range State of its strategy that `user` may see (all for
    the Secretariat, their own for focal points and delegates): the report (None: not started) and the
    completeness count. Four queries, whatever the number of states."""
    states = RangeState.objects.filter(strategies=reporting_round.strategy_id).order_by("name")
    visible = permissions.reportable_state_ids(user)
    if visible is not None:
        states = states.filter(pk__in=visible)
    states = list(states)
    if not states:
        return []
    reports = {
        report.range_state_id: report
        for report in NationalReport.objects.filter(
            reporting_round=reporting_round, range_state__in=states
        ).select_related("submitted_by", "reviewed_by")
    }
    rates = reporting_rates(ReportingRound.objects.filter(pk=reporting_round.pk), states)
    return [
        {"state": rate.range_state, "report": reports.get(rate.range_state.pk), "rate": rate}
        for rate in rates
    ]
