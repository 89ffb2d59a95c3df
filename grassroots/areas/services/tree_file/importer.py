"""``tree_import``: read, check and (unless a dry run) write, all or nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import User
from grassroots.sheets import find_sheet, open_workbook, read_table, read_upload

from ...tree_workbook import GROUP_COLUMNS, TREE_COLUMNS, tree_max_bytes
from ...validation import ImportReport
from ..area_import import authorise_import, check_then_write
from . import check_rows, check_whole, write
from .plan import TreePlan

TREE_SHEET_NAMES = ("区划", "areas", "tree")
GROUP_SHEET_NAMES = ("村民小组", "village groups")


def tree_import(
    *, actor: User, file, root_code: str | None = None, dry_run: bool = False, request=None
) -> ImportReport:
    """Import the tree from an uploaded workbook; see the module docstring.

    Raises :class:`ImportFileError` when the file as a whole is unusable (not an .xlsx, damaged, too large,
    columns missing); returns the report otherwise. ``report.written`` says whether anything was saved."""
    authorise_import(actor, root_code)
    data = read_upload(file, max_bytes=tree_max_bytes())
    workbook = open_workbook(data)
    report = ImportReport(kind="tree", dry_run=dry_run)
    plan = TreePlan(actor=actor, root_code=root_code, report=report)
    try:
        tree_sheet = find_sheet(workbook, TREE_SHEET_NAMES, first=True)
        plan.read_tree(read_table(tree_sheet, TREE_COLUMNS))
        group_sheet = find_sheet(workbook, GROUP_SHEET_NAMES)
        if group_sheet is not None and group_sheet is not tree_sheet:
            plan.read_groups(read_table(group_sheet, GROUP_COLUMNS))
    finally:
        workbook.close()
    return check_then_write(
        report=report,
        check=lambda: _check(plan),
        write=lambda: write.apply(plan),
        actor=actor,
        action="areas.tree_import",
        root_code=root_code,
        data=data,
        file=file,
        request=request,
        conflict_message=_(
            "Someone changed the same areas while this file was imported. Nothing was saved; import it again."
        ),
    )


def _check(plan: TreePlan) -> None:
    plan.load()
    check_rows.check_rows(plan)
    check_rows.check_groups(plan)
    check_whole.check_whole(plan)
    plan.count()
    plan.report.sort((plan.sheet, plan.group_sheet))
