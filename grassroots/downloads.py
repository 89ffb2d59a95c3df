"""One way to send a file to download: as an attachment whose name may be Chinese (RFC 6266 ``filename*``),
never stored by a browser or proxy cache (exports hold personal data, masked or not)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
