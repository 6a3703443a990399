"""Writes to the strategy domain: the progress workflow, evidence, reporting rounds, delegation, links.

Every service checks permission through activities.permissions (so the web forms and the API obey the
same rules), validates before saving, runs in one transaction and returns what it made or changed.

The workflow of a progress entry:

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                   │  ▲
      └──(edit)           │  └──resubmit── returned ◀──return (with comment)──┘

Only the Secretariat edits an approved entry, and must give a reason; entries of a closed reporting
round are locked. Each change is kept by django-simple-history with its reason.

One module per family: entries.py (the workflow above), national.py (national reports), evidence.py,
rounds.py (reporting rounds, delegation, reporting links, meeting snapshots), tokens.py (API tokens),
offline.py (applying an uploaded offline spreadsheet),
report_reminders.py (the Secretariat's reminders of national reports, from a round's overview);
everything is re-exported here, so `from activities import services; services.progress_entry_submit(...)`
works.
"""

from .entries import (
    EDITABLE_FIELDS,
    RS,
    BulkResult,
    EditConflict,
    _contribute,
    _refresh_state_status,
    progress_entries_bulk_approve,
    progress_entry_approve,
    progress_entry_check_update,
    progress_entry_check_version,
    progress_entry_create,
    progress_entry_delete,
    progress_entry_return,
    progress_entry_submit,
    progress_entry_update,
    public_payload,
)
from .evidence import (
    EVIDENCE_TYPES,
    EvidenceNotStored,
    evidence_add,
    evidence_files_not_stored,
    evidence_max_bytes,
    evidence_remove,
    not_stored_message,
    progress_entry_create_with_evidence,
    progress_entry_update_with_evidence,
    validate_evidence_file,
)
from .national import (
    NRS,
    ReportEditConflict,
    national_report_accept,
    national_report_return,
    national_report_save,
    national_report_submit,
    report_comment_add,
)
from .offline import (
    PreviewOutdated,
    offline_sheet_apply,
)
from .report_reminders import (
    NOT_OWING,
    RemindOutcome,
    last_reminders,
    national_reports_remind,
    reminder_interval,
)
from .rounds import (
    LinkInvalid,
    delegation_grant,
    delegation_revoke,
    meeting_snapshot_annotate,
    meeting_snapshot_take,
    reporting_link_create,
    reporting_link_redeem,
    reporting_link_revoke,
    reporting_round_close,
    reporting_round_open,
    reporting_round_reopen,
    reporting_round_update,
)
from .strategy_import import (
    logframe_diff,
    logframe_snapshot,
    strategy_import_confirm,
    strategy_import_preview,
)
from .tokens import (
    api_token_issue,
)

__all__ = [
    "EDITABLE_FIELDS",
    "EVIDENCE_TYPES",
    "NOT_OWING",
    "NRS",
    "RS",
    "BulkResult",
    "EditConflict",
    "EvidenceNotStored",
    "LinkInvalid",
    "PreviewOutdated",
    "RemindOutcome",
    "ReportEditConflict",
    "_contribute",
    "_refresh_state_status",
    "api_token_issue",
    "delegation_grant",
    "delegation_revoke",
    "evidence_add",
    "evidence_files_not_stored",
    "evidence_max_bytes",
    "evidence_remove",
    "last_reminders",
    "logframe_diff",
    "logframe_snapshot",
    "meeting_snapshot_annotate",
    "meeting_snapshot_take",
    "national_report_accept",
    "national_report_return",
    "national_report_save",
    "national_report_submit",
    "national_reports_remind",
    "not_stored_message",
    "offline_sheet_apply",
    "progress_entries_bulk_approve",
    "progress_entry_approve",
    "progress_entry_check_update",
    "progress_entry_check_version",
    "progress_entry_create",
    "progress_entry_create_with_evidence",
    "progress_entry_delete",
    "progress_entry_return",
    "progress_entry_submit",
    "progress_entry_update",
    "progress_entry_update_with_evidence",
    "public_payload",
    "reminder_interval",
    "report_comment_add",
    "reporting_link_create",
    "reporting_link_redeem",
    "reporting_link_revoke",
    "reporting_round_close",
    "reporting_round_open",
    "reporting_round_reopen",
    "reporting_round_update",
    "strategy_import_confirm",
    "strategy_import_preview",
    "validate_evidence_file",
]
