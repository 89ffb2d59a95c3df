"""Open311 answers in the specification's two formats: JSON (lists are bare arrays) and XML (a root element
holding one element per item; lists inside an item hold one element per value, named in :data:`ITEM_TAGS`).

An answer is built once as plain values (dicts, lists, text, numbers, booleans, None) and written in the
format the address asked for; an empty or None value is an empty XML element and a JSON null.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# The element of each item inside a list-valued field.
ITEM_TAGS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            element.append(_element(key, inner))
    elif isinstance(value, list | tuple):
        item = ITEM_TAGS.get(tag, "item")
        for inner in value:
            element.append(_element(item, inner))
    else:
        element.text = _text(value)
    return element


def to_xml(root: str, item: str | None, body: Any) -> bytes:
    """``body`` (a list of items, each an ``item`` element, or one dict) as an XML document under ``root``."""
    top = ET.Element(root)
    if isinstance(body, list):
        for row in body:
            top.append(_element(item or "item", row))
    else:
        for key, inner in body.items():
            top.append(_element(key, inner))
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="unicode")).encode()


def answer(fmt: str, body: Any, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """The answer in ``fmt`` (``json`` or ``xml``)."""
    content = json.dumps(body, ensure_ascii=False).encode() if fmt == "json" else to_xml(root, item, body)
    return HttpResponse(content, status=status, content_type=FORMATS[fmt])


def errors(fmt: str, status: int, descriptions: list[str], headers: dict | None = None) -> HttpResponse:
    """The specification's error answer: a list of ``{code, description}`` (code: the HTTP status)."""
    body = [{"code": status, "description": str(text)} for text in descriptions]
    response = answer(fmt, body, root="errors", item="error", status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
