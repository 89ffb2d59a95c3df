"""The 12345 hotline exchange, inbound: the hotline's work orders become cases (channel ``hotline``), from its
daily sheet (the import page, two steps through ``imports.ImportRun``) or pushed one by one as JSON
(``POST /api/v1/cases/hotline/orders``).

Each order goes through the one intake pipeline (``intake._take_in`` with a :class:`ReportInput`) and is kept
as a :class:`~grassroots.cases.models.HotlineOrder` beside its case, under the hotline's order number, unique
in its city. Sending an order again makes nothing new: the same content answers ``unchanged``; other content
answers ``changed`` with the fields that differ, and is not applied (the desk sees it; the case stays as
first received). The city's sheet layout (:class:`~grassroots.cases.models.HotlineSheetLayout`) says how
its sheet names each column and how its types of request map to our service types.

``orders.py``: the city's layout and one order (also ``POST /api/v1/hotline/orders``); ``sheet.py``: the
daily sheet (the import page's kind ``hotline``).
"""

from .orders import (
    CRS_CHOICES,
    FIELD_KEYS,
    FIELD_LABELS,
    FIELDS,
    IMPORT_KIND,
    MAX_REPORTED_ROWS,
    HotlineError,
    OrderInput,
    OrderInvalid,
    TakeResult,
    city_of,
    columns_for,
    intake_field,
    layout_for,
    layout_save,
    order_take,
)
from .sheet import (
    RowError,
    RowOutcome,
    SheetResult,
    hotline_import,
    hotline_import_file,
    hotline_max_bytes,
    register_import_kind,
    sheet_template,
)

__all__ = [
    "CRS_CHOICES",
    "FIELDS",
    "FIELD_KEYS",
    "FIELD_LABELS",
    "IMPORT_KIND",
    "MAX_REPORTED_ROWS",
    "HotlineError",
    "OrderInput",
    "OrderInvalid",
    "RowError",
    "RowOutcome",
    "SheetResult",
    "TakeResult",
    "city_of",
    "columns_for",
    "hotline_import",
    "hotline_import_file",
    "hotline_max_bytes",
    "intake_field",
    "layout_for",
    "layout_save",
    "order_take",
    "register_import_kind",
    "sheet_template",
]
