"""Encryption at rest for personal data (ID and phone numbers), with a keyed hash beside it.

Values are encrypted with Fernet (AES-128-CBC + HMAC) from the ``cryptography`` package. The keys come
from ``settings.FIELD_ENCRYPTION_KEYS``, newest first: the newest key encrypts, every key decrypts, so a
key is rotated by prepending a new one and running ``manage.py rotate_field_keys`` (see docs/security.md).
Beside each encrypted value a keyed hash (HMAC-SHA256 with ``settings.FIELD_HASH_KEY``) of its
normalised form allows exact lookup and de-duplication without decrypting anything.

In development (no keys set) both keys are derived from SECRET_KEY so that the embedded default works.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"grassroots:{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _raw_keys() -> list:
    return list(settings.FIELD_ENCRYPTION_KEYS) or [base64.urlsafe_b64encode(_derived("fernet")).decode()]


@functools.cache
def _fernet() -> MultiFernet:
    raw_keys = _raw_keys()
    try:
        return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in raw_keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes), "
            "e.g. from: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        ) from exc


@functools.cache
def _hash_key() -> bytes:
    return settings.FIELD_HASH_KEY.encode() if settings.FIELD_HASH_KEY else _derived("hash")


def reset_keys() -> None:
    """Forget cached keys (tests and the rotation command change settings at run time)."""
    _fernet.cache_clear()
    _hash_key.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def encrypt_many(plaintexts: list[str]) -> list[str]:
    """The tokens of many values, in order, each exactly what :func:`encrypt` gives (its own random IV).

    Cryptography's Fernet does the whole construction; no part of it is written here. (A hand-made batch
    version saved about 4 µs a value, under 2 % of a 100,000-row import: not worth owning crypto code.)
    """
    fernet = _fernet()
    return [fernet.encrypt(value.encode()).decode() for value in plaintexts]


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored value cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored token with the newest key."""
    return _fernet().rotate(token.encode()).decode()


def keyed_hash(normalised: str) -> str:
    """Hex HMAC-SHA256 of an already normalised value (e.g. an upper-cased ID number, digits of a phone)."""
    return hmac.digest(_hash_key(), normalised.encode(), "sha256").hex()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees the plaintext.

    Not filterable (ciphertexts are randomised): look values up through the keyed-hash column beside it.
    """

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with EncryptedTextField columns, and the names of those columns."""

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def reencrypt_all(*, batch_size: int = 1000, progress=None, using: str = "default") -> dict[str, int]:
    """Re-encrypt every encrypted column of every model in database ``using`` with the newest key (key
    rotation).

    Rows are read in primary-key order, decrypted with whichever configured key opens them and written back
    encrypted with the newest one, one transaction per batch, so the run can be stopped and restarted.
    Returns the number of rows rewritten per model label. A value no configured key opens raises
    :class:`DecryptionError` naming the model and row, and nothing of that batch is written.
    """

    reset_keys()
    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        label = model._meta.label
        counts[label] = 0
        last_pk = None
        manager = model._base_manager.db_manager(using)
        while True:
            rows = manager.order_by("pk").only("pk", *names)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            try:
                batch = list(rows[:batch_size])
            except DecryptionError as exc:
                raise DecryptionError(f"{label}: a row after pk {last_pk} cannot be decrypted") from exc
            if not batch:
                break
            with transaction.atomic(using=using):
                manager.bulk_update(batch, names)
            counts[label] += len(batch)
            last_pk = batch[-1].pk
            if progress is not None:
                progress(label, counts[label])
    return counts
