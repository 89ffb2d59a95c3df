"""What the area imports (the tree, the boundaries) share: who may import what, and the last step — checked
and written in one transaction, audited, a concurrent change refused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from grassroots.accounts import rules
from grassroots.accounts.models import User
from grassroots.accounts.scoping import has_role
from grassroots.accounts.services import audit_record
from grassroots.errors import NotPermitted
from grassroots.sheets import file_label

from ..validation import ImportReport
from .tree import AreaError


def authorise_import(actor: User, root_code: str | None) -> None:
    """Imports and exports are for administrators: of ``root_code`` when given, else of any area (each
    row is then checked against their scope)."""
    if root_code:
        rules.require(actor, rules.can_manage_area, root_code)
    elif not has_role(actor, rules.ADMIN_ROLES):
        raise NotPermitted(_("Only administrators import and export areas."))


def in_reach(actor: User, root_code: str | None, code: str) -> bool:
    return (not root_code or code.startswith(root_code)) and rules.can_manage_area(actor, code)


def out_of_reach_message(code: str, root_code: str | None):
    if root_code:
        return _("Code %(code)s lies outside %(root)s, the area this import is for.") % {
            "code": code,
            "root": root_code,
        }
    return _("Code %(code)s lies outside the areas you administer.") % {"code": code}


def check_then_write(
    *,
    report: ImportReport,
    check: Callable[[], None],
    write: Callable[[], None],
    actor: User,
    action: str,
    root_code: str | None,
    data: bytes,
    file,
    request=None,
    conflict_message,
) -> ImportReport:
    """A dry run only checks. Otherwise the check and the write happen in one transaction (so that nothing
    changes between them), nothing is written when the check found errors, and the import is audited with
    the file's hash and the counts. A concurrent change of the same rows is a 409 conflict (nothing saved)
    with ``conflict_message``. ``report.written`` says whether anything was saved."""
    if report.dry_run:
        check()
        return report
    try:
        with transaction.atomic():
            check()
            if report.errors:
                return report
            write()
            audit_record(
                actor=actor,
                action=action,
                area_code=root_code or "",
                request=request,
                detail={
                    "file_sha256": hashlib.sha256(data).hexdigest(),
                    "file_name": file_label(file),
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
    except IntegrityError:
        raise AreaError(conflict_message, code="import_conflict", status=409) from None
    report.written = True
    return report
