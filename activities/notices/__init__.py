"""The reporting cycle's notices: who is told what when an entry is submitted, returned or approved, a
reporting round opens or its deadline passes with activities unreported, and a delegation is given or
withdrawn. (A deadline that is near: activities.reminders, which shares `focal_points_owing` with the
round notices here.)

The services queue one background task per event (activities.tasks, `enqueue_on_commit`: nothing is
sent for a change that rolls back); the daily job (`reporting_notices_send`) sends the round notices that
fall due by date. Each `send_*` function below works out its recipients as things stand when it runs,
and hands each person's notice to notifications.delivery, which writes it in their language, e-mails it
and puts it on their home page as they chose, and once per person and event (so every function may run
twice). A notice about an entry that has since moved on (say, submitted, then approved before the
worker ran) is not sent.

What a notice may say: the activity, the Range State, the strategy, the round, the status and who acted;
never an entry's restricted details or its evidence. The one exception is a return comment, which may
quote restricted details: it goes only to recipients who may see the entry's restricted details
(permissions.Action.VIEW_RESTRICTED). The words are built from plain values (`_entry_words`), never from
the entry itself, so that a template cannot reach a restricted field.

One module per family: entries.py (an entry submitted, returned, approved; who reviews it), rounds.py (a
round opened, its deadline passed; the daily run), delegations.py (a delegation given, withdrawn),
national_reports.py (a national report submitted, returned, accepted, commented on; the Secretariat's
reminders of it), common.py (what they share); everything is re-exported here, so
`from activities import notices; notices.send_entry_submitted(...)` works."""

from .common import RS, person
from .delegations import send_delegation_granted, send_delegation_withdrawn
from .entries import (
    reporters_of,
    reviewers_of,
    send_entry_approved,
    send_entry_returned,
    send_entry_submitted,
)
from .national_reports import (
    report_comment_recipients,
    report_reviewers_of,
    report_state_side_of,
    send_report_accepted,
    send_report_commented,
    send_report_reminder,
    send_report_returned,
    send_report_submitted,
)
from .rounds import (
    DEADLINE_PASSED_WITHIN_DAYS,
    reporting_notices_send,
    send_deadlines_passed,
    send_round_opened,
    send_round_opened_by_id,
    send_rounds_opened,
)

__all__ = [
    "DEADLINE_PASSED_WITHIN_DAYS",
    "RS",
    "person",
    "report_comment_recipients",
    "report_reviewers_of",
    "report_state_side_of",
    "reporters_of",
    "reporting_notices_send",
    "reviewers_of",
    "send_deadlines_passed",
    "send_delegation_granted",
    "send_delegation_withdrawn",
    "send_entry_approved",
    "send_entry_returned",
    "send_entry_submitted",
    "send_report_accepted",
    "send_report_commented",
    "send_report_reminder",
    "send_report_returned",
    "send_report_submitted",
    "send_round_opened",
    "send_round_opened_by_id",
    "send_rounds_opened",
]
