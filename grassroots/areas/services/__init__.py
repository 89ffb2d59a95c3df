"""Every write to the area tree: areas, grids, village groups, names, boundaries and the file imports.

``tree`` writes one object at a time; ``tree_file`` imports and exports the tree as a spreadsheet;
``boundary_file`` imports and exports grid boundaries as GeoJSON; ``page_imports`` registers the two as kinds
of the imports app's preview-then-confirm pages.
"""

from .boundary_file import boundaries_export, boundaries_import
from .tree import (
    UNSET,
    AreaError,
    area_close,
    area_create,
    area_merge,
    area_rename,
    area_update,
    boundaries_changed,
    grid_create,
    grid_update,
    village_group_create,
)
from .tree_file import ImportFileError, tree_export, tree_import, tree_template

__all__ = [
    "UNSET",
    "AreaError",
    "ImportFileError",
    "area_close",
    "area_create",
    "area_merge",
    "area_rename",
    "area_update",
    "boundaries_changed",
    "boundaries_export",
    "boundaries_import",
    "grid_create",
    "grid_update",
    "tree_export",
    "tree_import",
    "tree_template",
    "village_group_create",
]
