"""The stored files (photos, attachments, imported workbooks) through Django's storage API, so that a backup
reads the local media directory and an S3-compatible bucket alike."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import Storage

CHUNK = 1024 * 1024


def walk(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in ``storage``, depth first, in name order."""
    try:
        directories, names = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(names):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        yield from walk(storage, f"{directory}/{sub}" if directory else sub)


class HashingReader:
    """A file object that hashes what is read through it (a member is written to the archive in one pass)."""

    def __init__(self, source: IO[bytes]):
        self.source = source
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return chunk


def sha256_of(source: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def describe(storage: Storage, name: str) -> dict:
    with storage.open(name, "rb") as handle:
        sha256, size = sha256_of(handle)
    return {"name": name, "bytes": size, "sha256": sha256}
