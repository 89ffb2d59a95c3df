"""The area tree as an Excel workbook: import (all or nothing, idempotent, row-level errors) and export.

The workbook has a sheet 区划 (one area or grid per row, see ``tree_workbook.TREE_COLUMNS``) and an optional
sheet 村民小组 (village groups). An import reads every row first, checks it against the database and the
rows above it, then checks the file as a whole (successors, sub-areas of closed areas, grid numbers,
village groups). Any error: nothing is written and the report lists every error with its row and column.
No error: everything is written in one transaction. Rows that match what is stored count as unchanged,
so importing the same file twice writes nothing the second time.

By phase: ``plan.py`` reads the rows and loads what they refer to, ``check_rows.py`` checks each row,
``check_whole.py`` the file as a whole, ``write.py`` writes, ``importer.py`` runs them; ``export.py`` writes
the workbook back.
"""

from grassroots.sheets import ImportFileError

from .export import tree_export, tree_template
from .importer import tree_import

__all__ = ["ImportFileError", "tree_export", "tree_import", "tree_template"]
