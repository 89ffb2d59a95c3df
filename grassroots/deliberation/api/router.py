"""The one router of the deliberation API; each module of this package adds its operations to it."""

from ninja import Router

router = Router(tags=["deliberation"])
