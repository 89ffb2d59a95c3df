"""The GeoReport v2 specification's field lists (and mySociety's for its updates extension), and a reader
that turns an answer in either format into the same plain values, so that one test checks both."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

DISCOVERY = {"changeset", "contact", "key_service", "endpoints"}
DISCOVERY_ENDPOINT = {"specification", "url", "changeset", "type", "formats"}
SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
SERVICE_DEFINITION = {"service_code", "attributes"}
ATTRIBUTE = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
ATTRIBUTE_VALUE = {"key", "name"}
REQUEST = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
POSTED = {"service_request_id", "service_notice", "account_id"}  # "token" instead of the id when queued
TOKEN = {"service_request_id", "token"}
ERROR = {"code", "description"}
UPDATE = {"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}

# The XML root and item element of each answer.
ROOTS = {
    "discovery": ("discovery", None),
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
    "updates": ("service_request_updates", "request_update"),
}
LISTS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}

W3C_WITH_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")


def _from_element(element: ET.Element):
    if element.tag in LISTS:
        return [_from_element(child) for child in element]
    if len(element):
        return {child.tag: _from_element(child) for child in element}
    return element.text or ""


def read(response, kind: str):
    """The answer as plain values; XML texts stay texts (``""`` for empty)."""
    content_type = response["Content-Type"]
    if content_type.startswith("application/json"):
        return json.loads(response.content)
    assert content_type.startswith("text/xml"), content_type
    root_tag, item_tag = ROOTS[kind]
    root = ET.fromstring(response.content)  # noqa: S314  (the answer of our own server, in a test)
    assert root.tag == root_tag, (root.tag, root_tag)
    if item_tag is None:
        return {child.tag: _from_element(child) for child in root}
    assert all(child.tag == item_tag for child in root), [c.tag for c in root]
    return [_from_element(child) for child in root]


def plain(value) -> str:
    """A value as XML writes it, to compare the two formats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
