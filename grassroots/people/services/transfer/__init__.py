"""Spreadsheet import and export of the register, by phase.

Import (``register_import``, ``importer.py``): one row per resident, household columns repeated on each
member's row, Chinese headers (``sheet.py``: the columns, the limits and ``template_bytes``). The file is
checked like every upload (``sniff_xlsx``: not an old .xls, not a zip bomb) and read once, streaming, with the
project's spreadsheet reader (``parse.py``); every row is checked and the checked rows are spooled to a
temporary file (``validate.py``). If any row has an error, nothing is written and the report lists every error
by row and column, in Chinese. Otherwise everything is written in one transaction (``write.py``): households are
upserted by (grid, household number), residents by the keyed hash of the ID number, so importing the same file
again changes nothing.

Export (``register_export``, ``export.py``): residents of an area with their households, masked (ID first 6 +
last 4, phones 3 + 4), numbers inside free text masked too, each text cell protected against formula
injection, the first row saying who exported it and when; an audit record is written.
"""

from .export import neutralise, register_export
from .importer import register_import
from .sheet import COLUMNS, XLSX, template_bytes

__all__ = ["COLUMNS", "XLSX", "neutralise", "register_export", "register_import", "template_bytes"]
