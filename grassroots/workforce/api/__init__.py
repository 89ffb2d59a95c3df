"""The workforce's JSON API (``/api/v1/workforce``): one router, mounting a module by resource. Every
operation is tagged ``workforce`` (the sub-routers inherit the tag)."""

from __future__ import annotations

from ninja import Router

from . import grids, groups, party, patrols, roster

router = Router(tags=["workforce"])
for part in (grids, party, roster, patrols, groups):
    router.add_router("", part.router)
