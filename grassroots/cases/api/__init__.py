"""JSON API for cases (mounted at /api/v1/cases): submit, staff entry, list, detail, every workflow action,
categories; and the 12345 hotline exchange's router (``hotline_router``, mounted at /api/v1/hotline).

Submitting, and staff entry of a call or visit (``/entries``), is multipart (form fields + up to 9 ``photos``)
with an ``Idempotency-Key`` header: a retry with the same key returns the case made the first time (200
instead of 201) and never a second case. Every action goes through the same services as the pages, so the permissions are the workflow table's; refusals
come back as ``{code, message}`` with 403, 404 (outside scope) or 409 (wrong state or stale version).
Descriptions and notes are returned as plain text: clients must escape them when rendering HTML.
"""

from . import actions, callbacks, figures, reports  # noqa: F401  (each adds its operations to the router)
from .common import router
from .hotline import router as hotline_router

__all__ = ["hotline_router", "router"]
