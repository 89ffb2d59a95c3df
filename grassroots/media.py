"""Serving stored files back from the site's own origin: the content type from our own extension only,
never sniffed, and private files only to those who may see what owns them.

Every file Grassroots stores was named by us (``grassroots/photos.py`` names photos ``<random>.jpg``; other
uploads are kept under a random name ending ``.bin``), so the extension is a fact we wrote, not a claim of
the sender. :func:`file_response` answers with the type of that extension (an image), or, for anything else,
``application/octet-stream`` as an attachment; always with ``X-Content-Type-Options: nosniff`` and a
``Content-Security-Policy`` that runs nothing, so no stored file can become a page of this origin.

``MEDIA_URL`` is served by :func:`serve`, which answers only for files whose folder an app has registered
with :func:`media_reader_register` together with the check that the user may see the object owning the
file (a case photo: the case; a visit photo: the visit's household; an activity photo: the team). Any
other stored file (disclosure attachments, sign-in sheets, which have their own scoped views, imports) is
not found here. The answer is never cached by a shared cache.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.utils.http import content_disposition_header

# What we write, and the only types we answer with besides an opaque download.
CONTENT_TYPES: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
OPAQUE = "application/octet-stream"
NOTHING_RUNS = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

# folder prefix ("cases/") → may this user see the file of this name?
MediaReader = Callable[[object, str], bool]
_readers: dict[str, MediaReader] = {}


def media_reader_register(prefix: str, may_read: MediaReader) -> None:
    """Let :func:`serve` answer for the files under ``prefix`` to users for whom ``may_read(user, name)``
    holds (an app registers its folder from its ``AppConfig.ready()`` with a check through its selectors)."""
    _readers[prefix.strip("/") + "/"] = may_read


def content_type_of(name: str) -> str:
    """The type of a stored file, from the extension we gave it; anything else is opaque."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(name) else ""
    return CONTENT_TYPES.get(extension, OPAQUE)


def file_response(name: str, *, private: bool = True, download_name: str = "") -> FileResponse:
    """A stored file, typed by its extension only, never sniffed; opaque types as an attachment."""
    if not name or not default_storage.exists(name):
        raise Http404
    content_type = content_type_of(name)
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = NOTHING_RUNS
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=86400"
    if content_type == OPAQUE:
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=download_name or posixpath.basename(name)
        )
    return response


def _clean(name: str) -> str:
    normal = posixpath.normpath(name.replace("\\", "/")).lstrip("/")
    if normal.startswith("..") or "\x00" in normal or normal in ("", "."):
        raise Http404
    return normal


def serve(request: HttpRequest, name: str) -> FileResponse:
    """``MEDIA_URL<name>``: a file of a registered folder, for a user who may see its owner; else 404."""
    name = _clean(name)
    prefix = max((p for p in _readers if name.startswith(p)), key=len, default=None)
    if prefix is None or not request.user.is_authenticated:
        raise Http404
    if not _readers[prefix](request.user, name):
        raise Http404
    return file_response(name)
