"""The hash chain of a notice's versions (DESIGN.md section 3, "Tamper-evident disclosure").

Each version's ``content_hash`` is the sha256 of a canonical JSON document (sorted keys, no spaces, UTF-8)
holding the notice id, the version number, its content, the reason, the time and the previous version's hash;
``previous_hash`` repeats the hash of the version before (empty for the first). Changing any stored byte of a
version — or removing, reordering or inserting one — breaks the chain, and :func:`verify` says where.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not canonical: {type(value).__name__}")


def canonical(document) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    ).encode("utf-8")


def version_hash(
    *, notice_id: int, number: int, content: dict, reason: str, created_at, previous_hash: str
) -> str:
    document = {
        "notice": notice_id,
        "number": number,
        "content": content,
        "reason": reason,
        "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "previous_hash": previous_hash,
    }
    return hashlib.sha256(canonical(document)).hexdigest()


@dataclass
class ChainReport:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)


def verify(notice_id: int, versions) -> ChainReport:
    """Check the versions of one notice (in number order) against their stored hashes."""
    problems: list[str] = []
    previous = ""
    versions = list(versions)
    for expected, version in enumerate(versions, start=1):
        if version.number != expected:
            problems.append(str(_("Version %(n)s is missing or out of order.") % {"n": expected}))
        if version.previous_hash != previous:
            problems.append(
                str(_("Version %(n)s does not point at the version before it.") % {"n": version.number})
            )
        actual = version_hash(
            notice_id=notice_id,
            number=version.number,
            content=version.content,
            reason=version.reason,
            created_at=version.created_at,
            previous_hash=version.previous_hash,
        )
        if actual != version.content_hash:
            problems.append(
                str(_("Version %(n)s was changed after it was published.") % {"n": version.number})
            )
        previous = version.content_hash
    return ChainReport(ok=not problems, checked=len(versions), problems=problems)
