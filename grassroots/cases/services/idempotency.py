"""Idempotent intake: a report sent again with the same ``Idempotency-Key`` answers the case made the first
time; the same key with another request is refused (422), as the IETF idempotency-key draft describes. A key is
bound to a fingerprint of the request (every argument of the service that took it)."""

import hashlib
import json

from django.utils.translation import gettext_lazy as _

from ..models import (
    Case,
)
from ..workflow import CaseError, ReportInvalid


class IdempotencyKeyReused(CaseError):
    """The idempotency key was first sent with another request."""

    code = "idempotency_key_reused"
    status = 422


def _canonical(value):
    """A request's value as plain data: an object stored in the database by its label and id, an uploaded
    file by the SHA-256 of its content (read and rewound), a list item by item."""
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return f"{value._meta.label}:{value.pk}"
    if hasattr(value, "read") and hasattr(value, "seek"):
        digest = hashlib.sha256()
        value.seek(0)
        for chunk in value.chunks() if hasattr(value, "chunks") else [value.read()]:
            digest.update(chunk)
        value.seek(0)
        return f"sha256:{digest.hexdigest()}"
    return value


def request_fingerprint(arguments: dict) -> str:
    """SHA-256 of what a report asked for: every argument of the service that took it (the caller's locals
    at its start, so an argument added later is bound too) but the actor and the key itself."""
    fields = {
        name: _canonical(value)
        for name, value in arguments.items()
        if name not in ("actor", "idempotency_key")
    }
    text = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def earlier_case(reporter, key: str, arguments: dict, *, entered_by=None) -> Case | None:
    """The case made earlier with ``key`` when the request is the same; raises :class:`IdempotencyKeyReused`
    when the key was sent with another request; ``None`` for a new key. A key belongs to the reporter's login,
    or, for a case entered by staff for a caller without one (``reporter`` None), to the staff member who
    entered it."""
    if not key or (reporter is None and entered_by is None):
        return None
    # Through the unique (reporter, key) or (entered_by, key) index: its condition repeated (SQLite uses a
    # partial index only when the query states its condition) and no ordering (the model's would sort by
    # report time). The id alone first: nearly every key is new, and building the query for the case's sixty
    # columns cost a report as much again; a replay reads its case by that id.
    if reporter is not None:
        owned = Case.objects.filter(reporter=reporter, idempotency_key=key)
    else:
        owned = Case.objects.filter(reporter__isnull=True, entered_by=entered_by, idempotency_key=key)
    found = list(
        owned.exclude(idempotency_key="").order_by().values_list("pk", "idempotency_fingerprint")[:1]
    )
    if not found:
        return None
    pk, fingerprint = found[0]
    if fingerprint and fingerprint != request_fingerprint(arguments):
        raise IdempotencyKeyReused(
            _(
                "This Idempotency-Key was already sent with a different report. Send the same report to retry "
                "it; a new report needs a new key."
            ),
            detail={"idempotency_key": key},
        )
    case = Case.objects.get(pk=pk)
    case.replayed = True
    return case


def checked_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > 64:
        raise ReportInvalid(
            _("The idempotency key is at most 64 characters."), detail={"idempotency_key": "too long"}
        )
    return key
