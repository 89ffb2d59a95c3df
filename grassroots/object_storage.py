"""Stored files on S3-compatible object storage (``STORAGE_BACKEND=s3``), still served by the application.

django-storages' ``S3Storage`` writes and reads the bucket; what it would hand out as a file's address is
a presigned link straight to the bucket, which bypasses ``grassroots/media.py`` (its check that the reader
may see the file's owner, its own content type, ``nosniff``), points the browser at a host the site's
Content-Security-Policy does not allow, and leaves a working link to a private photo in every page that
showed it for as long as the link lives. :class:`AppServedS3Storage` answers ``url()`` with the site's own
``MEDIA_URL`` instead, so a photo on S3 is linked exactly as one on disk and reaches only those who may
see it. The bucket stays private (no ACL is set on the objects).
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class AppServedS3Storage(S3Storage):
    """S3 for the bytes, ``MEDIA_URL`` (``grassroots/media.py``) for the address."""

    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name.lstrip("/")))
