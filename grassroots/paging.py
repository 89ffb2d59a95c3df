"""One way to ask for a part of a long list, for every API operation and every page.

API: an operation that returns a list a page at a time takes ``q: Query[Paging]`` (or a query schema derived
from it): ``limit`` 1–200 and ``offset`` 0 to 2³¹−1, declared in the OpenAPI document, so that a value out
of bounds is refused with 422 ``invalid`` before the operation runs, and nothing a client sends reaches the
database as a number it cannot hold (an offset of 2⁶³ used to end in a server error).

Pages: ``page_of(request, items, size)`` reads ``?page=`` as a number from 1 to 2³¹−1; anything else (empty,
words, negative, too large) shows the first page, a number beyond the last page shows the last one.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from ninja import Field, Schema

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_OFFSET = 2**31 - 1
MAX_PAGE = 2**31 - 1


class Paging(Schema):
    """``limit`` items from ``offset`` on (both query parameters)."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"how many items, 1 to {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="how many items to skip (0 to 2³¹−1)")

    def window(self, items):
        """The page's items: a slice of a queryset or a list (a queryset reads only these rows)."""
        return items[self.offset : self.offset + self.limit]

    def window_and_next(self, items) -> dict:
        """The page's ``items`` and the ``next_offset`` to ask for the next page (null after the last), read
        with one row more than the page holds instead of a count."""
        rows = list(items[self.offset : self.offset + self.limit + 1])
        more = len(rows) > self.limit
        return {"items": rows[: self.limit], "next_offset": self.offset + self.limit if more else None}


def page_number(value) -> int:
    """``?page=`` as a page number: 1 to :data:`MAX_PAGE`, else 1."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return 1
    number = int(text)
    return number if 1 <= number <= MAX_PAGE else 1


def page_of(request, items, size: int) -> Page:
    """The page of ``items`` that ``?page=`` asks for (see the module docstring)."""
    return Paginator(items, size).get_page(page_number(request.GET.get("page")))
