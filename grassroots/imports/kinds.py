"""The kinds of file import that the two-step import of the pages knows: preview (a dry run), then confirm.

One mechanism serves every such page: :class:`~grassroots.imports.models.ImportRun` keeps the file and its
report, :mod:`grassroots.imports.services` previews, confirms and expires it, and
:mod:`grassroots.imports.views` with the templates ``imports/_upload_field.html``, ``imports/_runs.html``
and ``imports/run.html`` are the shared pieces of the pages. Each kind is registered here once, by the app
that owns it, from its ``AppConfig.ready()`` (areas: ``tree``, ``boundaries``; workforce: ``roster``; cases:
``hotline``), so this app never imports its users.

The registry sits below the model (``ImportRun.kind`` takes its choices from :func:`choices`) and the
selectors (which check each kind's permission), so it imports nothing of the app. Beside it,
:class:`RowError`: how every importer's report names a cell it cannot import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

KIND_MAX_LENGTH = 16  # ImportRun.kind


@dataclasses.dataclass(frozen=True)
class ImportKind:
    """One kind of import.

    * ``name``: stored in ``ImportRun.kind`` (at most 16 characters); ``label``: how the pages name it.
    * ``importer(*, actor, file, root_code, dry_run=False, request=None) -> report``: ``file`` is the kept
      upload (a Django ``File`` with its name); ``root_code`` the area of the page. The report has ``ok``
      (no errors: the preview may be confirmed), ``written`` (the real import saved it) and ``as_dict()``
      (what the run keeps as its report). The importer raises ``ImportFileError`` for a file it cannot
      read at all, and on a dry run writes nothing that stays.
    * ``max_bytes()``: the size limit of an upload, read when one arrives (settings may change it).
    * ``permission``: the rule, for ``accounts.rules.require(user, permission, area_code)``, that lets a
      user preview, confirm and see the runs of this kind for an area.
    """

    name: str
    label: Any
    importer: Callable[..., Any]
    max_bytes: Callable[[], int]
    permission: Callable[..., bool]


@dataclasses.dataclass
class RowError:
    """A cell of an uploaded sheet that cannot be imported: its row, its column's header and why. The reports of
    the roster and of the hotline sheet list them (the run page, the API's answers)."""

    row: int
    column: str
    message: str


_kinds: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    """Make ``kind`` known. Registering the same kind again (a second ``ready()``) changes nothing; another
    kind under a name already taken is a programming error."""
    if not kind.name or len(kind.name) > KIND_MAX_LENGTH:
        raise ValueError(f"An import kind's name has 1 to {KIND_MAX_LENGTH} characters: {kind.name!r}")
    known = _kinds.get(kind.name)
    if known is not None and known != kind:
        raise ValueError(f"Another import kind is already registered as {kind.name!r}")
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> ImportKind:
    """The registered kind ``name``; ``LookupError`` when there is none."""
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No import kind {name!r} is registered") from None


def choices() -> list[tuple[str, Any]]:
    """The choices of ``ImportRun.kind``: every registered kind, in the order of registration."""
    return [(kind.name, kind.label) for kind in _kinds.values()]
