"""Every write to cases, one module per kind of work:

- ``intake``: a report from each channel, through one pipeline (:class:`ReportInput` → checked → routed →
  written with its first timeline events in one transaction); ``idempotency``: retries answered, not repeated;
- ``actions``: the workflow actions, each a check of its payload and a call of
  :func:`grassroots.cases.workflow.transition`; ``registry``: which of them serves each action of the pages
  and the API, with its inputs and label;
- ``hotline``: the 12345 hotline's work orders in (sheet and API, idempotent on the order number) and their
  outcomes back;
- ``scan``: the deadline scan; ``calendar_notice``: a year's holiday notice.

Callers import from here (``from grassroots.cases import services``); the modules are the package's own layout.
"""

from __future__ import annotations

from ..workflow import CaseError, ReportInvalid
from .actions import (
    URGE_CARDS,
    case_accept,
    case_cancel,
    case_dispatch,
    case_dispatch_many,
    case_escalate,
    case_extension_decide,
    case_extension_request,
    case_handle,
    case_merge,
    case_rate,
    case_reopen,
    case_return,
    case_return_to_hotline,
    case_shelve,
    case_take,
    case_unshelve,
    case_urge,
    case_verify,
    dispatch_target_for_user,
    dispatch_target_for_worker,
)
from .calendar_notice import calendar_notice_enter
from .idempotency import IdempotencyKeyReused
from .intake import (
    DESK_SOURCES,
    SELF_SERVICE_SOURCES,
    ReportInput,
    case_enter,
    case_open_for_objection,
    case_open_proactive,
    case_receive,
    case_report,
    case_resolve_on_the_spot,
)
from .intake_checks import ENTRY_CLOCK_SKEW, ENTRY_MAX_AGE, MAX_DESCRIPTION, category_by_code
from .scan import ScanResult, deadlines_scan
from .views_saved import queue_view_delete, queue_view_save

__all__ = [
    "DESK_SOURCES",
    "ENTRY_CLOCK_SKEW",
    "ENTRY_MAX_AGE",
    "MAX_DESCRIPTION",
    "SELF_SERVICE_SOURCES",
    "URGE_CARDS",
    "CaseError",
    "IdempotencyKeyReused",
    "ReportInput",
    "ReportInvalid",
    "ScanResult",
    "calendar_notice_enter",
    "case_accept",
    "case_cancel",
    "case_dispatch",
    "case_dispatch_many",
    "case_enter",
    "case_escalate",
    "case_extension_decide",
    "case_extension_request",
    "case_handle",
    "case_merge",
    "case_open_for_objection",
    "case_open_proactive",
    "case_rate",
    "case_receive",
    "case_reopen",
    "case_report",
    "case_resolve_on_the_spot",
    "case_return",
    "case_return_to_hotline",
    "case_shelve", "case_take",
    "case_unshelve",
    "case_urge",
    "case_verify",
    "category_by_code",
    "deadlines_scan",
    "dispatch_target_for_user",
    "dispatch_target_for_worker", "queue_view_delete", "queue_view_save",
]  # fmt: skip
