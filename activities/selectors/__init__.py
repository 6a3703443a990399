"""Reads that pages and forms share, and that are more than one queryset method: an entry's history,
what is due in the open reporting rounds, a round's reporting rates, the values a new entry starts
from, and what a signed-in user's home page lists. Each returns plain data or a queryset; none writes.

Filters and joins on one model are QuerySet methods beside the model (activities/models/); who may see
what is decided by activities.permissions, which these functions ask rather than repeat.

One module per concern: rates.py (a round's reporting rates, the one on-time count), due.py (what the
open rounds ask a state about: the overview and the due list), entries.py (an entry's page and history),
new_entry.py (what a new entry starts from), home.py (a signed-in user's home page), national.py
(national reports); everything is re-exported here, so `from activities import selectors;
selectors.reporting_rates(...)` and `from activities.selectors import reporting_rates` work.
"""

from .due import (
    ROUND_AWAITING,
    ROUND_DRAFT,
    ROUND_NONE,
    ROUND_REPORTED,
    ROUND_RETURNED,
    due_list,
    due_overview,
    flag_behind_timeline,
    open_rounds_for,
)
from .entries import (
    HISTORY_EXCLUDED,
    HISTORY_REASONS,
    RETURNED_PREFIX,
    entry_history,
    entry_page,
    entry_saved_values,
    history_reason_label,
)
from .home import (
    HOME_LIST_LIMIT,
    PENDING,
    delegations_managed_by,
    pending_entries_by_state,
    pending_entries_on,
    reporter_home,
    secretariat_home,
)
from .national import national_report_of, national_report_page, round_national_reports
from .new_entry import PREFILLED_FIELDS, creatable_states, initial_from_approved, new_entry_initial
from .rates import (
    REPORTING_RATE_RULE,
    RS,
    StateReportingRate,
    reporting_rates,
    round_deadline_end,
    round_reporting_rates,
)

__all__ = [
    "HISTORY_EXCLUDED",
    "HISTORY_REASONS",
    "HOME_LIST_LIMIT",
    "PENDING",
    "PREFILLED_FIELDS",
    "REPORTING_RATE_RULE",
    "RETURNED_PREFIX",
    "ROUND_AWAITING",
    "ROUND_DRAFT",
    "ROUND_NONE",
    "ROUND_REPORTED",
    "ROUND_RETURNED",
    "RS",
    "StateReportingRate",
    "creatable_states",
    "delegations_managed_by",
    "due_list",
    "due_overview",
    "entry_history",
    "entry_page",
    "entry_saved_values",
    "flag_behind_timeline",
    "history_reason_label",
    "initial_from_approved",
    "national_report_of",
    "national_report_page",
    "new_entry_initial",
    "open_rounds_for",
    "pending_entries_by_state",
    "pending_entries_on",
    "reporter_home",
    "reporting_rates",
    "round_deadline_end",
    "round_national_reports",
    "round_reporting_rates",
    "secretariat_home",
]
