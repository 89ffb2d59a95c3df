"""The areas app's kinds of page import: the tree (Excel) and the boundaries (GeoJSON), previewed and
confirmed through the imports app's one mechanism."""

from __future__ import annotations

from grassroots.accounts import rules
from grassroots.imports import kinds

from ..models import AreaImport
from ..tree_workbook import tree_max_bytes
from .boundary_file import boundaries_import, boundaries_max_bytes
from .tree_file import tree_import


def register_import_kinds() -> None:
    """Register the areas app's own imports (from ``AreasConfig.ready()``)."""
    for kind, importer, max_bytes in (
        (AreaImport.TREE, tree_import, tree_max_bytes),
        (AreaImport.BOUNDARIES, boundaries_import, boundaries_max_bytes),
    ):
        kinds.register(
            kinds.ImportKind(
                name=kind.value,
                label=kind.label,
                importer=importer,
                max_bytes=max_bytes,
                permission=rules.can_manage_area,
            )
        )
