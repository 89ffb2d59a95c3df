"""Log lines for production: one JSON object per line, each with the id of the request it belongs to, and
never a phone or ID number (every string of the record passes the free-text masker).

* :data:`request_id` holds the current request's id (set by grassroots.operations.middleware); the
  :class:`RequestIdFilter` puts it on every record as ``request_id`` ("-" outside a request).
* :class:`JsonFormatter` (python-json-logger) writes ``time``, ``level``, ``logger``, ``message``,
  ``request_id``, the extra fields a call passed, and the exception text, each string masked.

settings.LOGGING uses them when ``LOG_FORMAT`` is ``json`` (the default when DEBUG is off).
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from grassroots.masking import mask_numbers_in_text

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_numbers_in_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


class JsonFormatter(_JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # Extra fields are not part of the message the masking filter sees: mask every value here too.
        return _masked(log_data)
