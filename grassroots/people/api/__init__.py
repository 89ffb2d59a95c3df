"""JSON API of the register (mounted at /api/v1/people): the same selectors, services and permissions as
the pages. Outside scope → 404; in scope without the role → 403; invalid input → 400 with a code.

Every list and object carries masks only (``id_masked``, ``phone_masked``); the ``/reveal`` operations are
the only answers with a full number, and each writes an audit record. Searches are POSTs so that a number
never appears in a URL or an access log.

The operations are a module by resource (``households``, ``residents``, ``reveal`` …), mounted on the one
router of the register; every operation is tagged ``people`` (the sub-routers inherit the tag).
"""

from __future__ import annotations

from ninja import Router

from . import households, imports, places, proxy, register, residents, reveal

router = Router(tags=["people"])
for part in (register, households, residents, reveal, proxy, places, imports):
    router.add_router("", part.router)
