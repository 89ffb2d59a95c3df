"""Every write to the register, by topic: ``registry`` (households, residents, labels, moves, show in full,
merge), ``work`` (places, visits, proxy services), ``transfer`` (spreadsheet import and export)."""

from .registry import (
    household_create,
    household_move,
    household_update,
    label_remove,
    label_set,
    resident_create,
    resident_merge,
    resident_move,
    resident_update,
    reveal,
)
from .work import (
    SERVICE_TRANSITIONS,
    ServiceAction,
    place_create,
    place_update,
    service_act,
    service_actions_for,
    service_request,
    visit_record,
)

__all__ = [
    "SERVICE_TRANSITIONS",
    "ServiceAction",
    "household_create",
    "household_move",
    "household_update",
    "label_remove",
    "label_set",
    "place_create",
    "place_update",
    "resident_create",
    "resident_merge",
    "resident_move",
    "resident_update",
    "reveal",
    "service_act",
    "service_actions_for",
    "service_request",
    "visit_record",
]
