"""Every read of cases that a page or the API needs, scoped (views and the API call these, never the ORM)."""

from __future__ import annotations
