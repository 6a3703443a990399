"""The national report: what one Range State reported for a reporting round, printable."""

from django.db.models import Case, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import Activity, Evidence, ProgressEntry, ReportingRound
from activities.names import choice_labels

from .core import (
    APPROVED_ONLY,
    NOT_REPORTED,
    STATUS_ORDER,
    Column,
    Report,
    Scope,
    StatusCounts,
    Table,
    long_date,
)


def national_report(scope: Scope, reporting_round: ReportingRound) -> Report:
    """Every activity the round asks about, for one Range State: the approved entry chosen by the rule
    below, its narrative and its public evidence. Four queries: activities with the chosen entry's id,
    the entries, their public evidence, the strategy's Range States (for the locator map)."""
    strategy, state = scope.strategy, scope.range_state
    cutoff = min(reporting_round.deadline, scope.as_of) if scope.as_of else reporting_round.deadline
    candidates = (  # the round's own entries first, then "the latest" as everywhere else
        ProgressEntry.objects.approved()
        .filter(activity=OuterRef("pk"), range_state=state)
        .filter(Q(reporting_round=reporting_round) | Q(reporting_date__lte=cutoff))
        .annotate(
            in_round=Case(
                When(reporting_round=reporting_round, then=1), default=0, output_field=IntegerField()
            )
        )
        .latest_first("-in_round")
    )
    activities = list(  # query 1
        Activity.objects.due_in_round(reporting_round)
        .select_related("result__objective__theme")
        .annotate(entry_id=Subquery(candidates.values("pk")[:1]))
        .order_by("sort_key")
    )
    entries = {  # query 2 (query 3: public evidence only — restricted evidence is never in a report)
        e.pk: e
        for e in ProgressEntry.objects.filter(
            pk__in=[a.entry_id for a in activities if a.entry_id]
        ).prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(restricted=False).order_by("pk"),
                to_attr="public_evidence",
            )
        )
    }
    table = Table(
        "national",
        # Translators: the title of a national report's table, e.g. "Armenia: 2025 annual".
        _("%(state)s: %(round)s") % {"state": state.name, "round": reporting_round.name},
        [
            Column("activity", _("Activity"), "activity"),
            Column("text", _("Activity text")),
            Column("objective", _("Objective"), "int"),
            Column("priority", _("Priority"), "int"),
            Column("status", pgettext("column", "Status"), "status"),
            Column("reporting_date", _("Status as of"), "date"),
            # Translators: a column heading: whether the entry was reported in this round or carried forward.
            Column("basis", pgettext("national report", "Basis")),
            Column("narrative", _("Narrative")),
            Column("source", _("Source of the information")),
            Column("confidence", _("Confidence")),
            Column("spent", _("Amount spent (USD)"), "usd"),
            Column("evidence", _("Evidence (public)")),
        ],
    )
    sections, counts = [], StatusCounts(activities=len(activities), cells=len(activities))
    confidences = choice_labels(ProgressEntry, "confidence")
    for activity in activities:
        entry = entries.get(activity.entry_id)
        objective = activity.result.objective
        if not sections or sections[-1]["objective"].pk != objective.pk:
            sections.append({"objective": objective, "items": []})
        if entry is None:
            basis = _("Not reported")
        elif entry.reporting_round_id == reporting_round.pk:
            basis = _("Reported in this round")
        else:
            # Translators: an earlier approved entry stands for this round, which has none of its own.
            basis = _("Carried forward")
        sections[-1]["items"].append({"activity": activity, "entry": entry, "basis": basis})
        if entry:
            counts.add(entry.status, 1)
        table.rows.append(
            [
                activity.code,
                activity.text,
                objective.number,
                activity.priority,
                entry.status if entry else NOT_REPORTED,
                entry.reporting_date if entry else None,
                basis,
                entry.narrative if entry else "",
                entry.source if entry else "",
                confidences.get(entry.confidence, entry.confidence) if entry else "",
                entry.amount_spent_usd if entry else None,
                "; ".join(_evidence_text(e) for e in entry.public_evidence) if entry else "",
            ]
        )
    summary = Table(
        "summary",
        _("Summary"),
        [
            Column("status", pgettext("column", "Status"), "status"),
            Column("activities", _("Activities"), "int"),
        ],
        [[s, counts.count(s)] for s in STATUS_ORDER],
    )
    return Report(
        title=_("National report: %(state)s") % {"state": state.name},
        strategy=strategy,
        filters=[
            (_("Strategy"), str(strategy)),
            (_("Range State"), state.name),
            (
                _("Reporting round"),
                # Translators: e.g. "2025 annual (Annual report), deadline 31 March 2026".
                _("%(round)s (%(kind)s), deadline %(deadline)s")
                % {
                    "round": reporting_round.name,
                    "kind": reporting_round.get_kind_display(),
                    "deadline": long_date(reporting_round.deadline),
                },
            ),
        ]
        + ([(_("Entries up to"), long_date(scope.as_of))] if scope.as_of else []),
        tables=[table, summary],
        notes=[
            APPROVED_ONLY,
            _(
                "Activities listed: those the round asks about — due by the round's year, already started, "
                "recurring or wanted as soon as possible. Activities whose timeline is TBD or that start later "
                "are not yet due."
            ),
            _(
                "For each activity: the latest approved entry of %(state)s filed in this round; if there is "
                "none, the latest approved entry with a reporting date up to the round's deadline "
                "(%(cutoff)s), marked “carried forward”; otherwise “not reported”. Restricted details and "
                "restricted evidence are never included."
            )
            % {"state": state.name, "cutoff": long_date(cutoff)},
            _(
                "Only %(state)s's own entries are listed: a range-wide entry is not a state's report. (The "
                "dashboard and the other status reports let a range-wide status stand for a state that has "
                "none of its own.)"
            )
            % {"state": state.name},
        ],
        page={
            "sections": sections,
            "counts": counts,
            "round": reporting_round,
            "state": state,
            # the locator map: the state within the strategy's range (query 4)
            "range_iso_codes": list(strategy.range_states.values_list("iso_code", flat=True)),
        },
    )


def _evidence_text(evidence) -> str:
    if evidence.url:
        return f"{evidence.title or evidence.url} <{evidence.url}>"
    if evidence.title:
        return _("%(title)s (file held by the Secretariat)") % {"title": evidence.title}
    return _("file (file held by the Secretariat)")
