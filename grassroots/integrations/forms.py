"""The bodies of the Open311 POSTs, read through the project's forms (``grassroots.forms``: control
characters refused, naming the field). Unknown fields are ignored, as the specification's clients send
more than we keep (``email``, ``device_id``, mySociety's ``update_id`` …)."""

from __future__ import annotations

from django import forms

from grassroots.forms import Form


def _text(max_length: int | None = None) -> forms.CharField:
    return forms.CharField(required=False, max_length=max_length, strip=True)


class Open311Body(Form):
    jurisdiction_id = _text(15)


class Open311RequestBody(Open311Body):
    """``POST requests``; each ``attribute[code]`` sent becomes a field of its own."""

    service_code = _text(16)
    description = _text()
    lat = _text(32)
    long = _text(32)
    address_string = _text(200)
    address_id = _text(15)
    first_name = _text(50)
    last_name = _text(50)
    phone = _text(30)
    media_url = _text(500)
    account_id = _text(100)
    idempotency_key = _text(64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.data:
            if name.startswith("attribute[") and name.endswith("]"):
                self.fields[name] = _text(64)

    def attributes(self) -> dict[str, str]:
        return {
            name[len("attribute[") : -1]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("attribute[")
        }


class Open311UpdateBody(Open311Body):
    """mySociety's ``POST servicerequestupdates``."""

    service_request_id = _text(32)
    status = _text(32)
    description = _text()
