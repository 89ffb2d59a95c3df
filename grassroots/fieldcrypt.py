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
import os
import time

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


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


@functools.cache
def _newest_key() -> tuple[bytes, bytes]:
    """The newest key's halves as Fernet splits it: (signing key, AES key)."""
    _fernet()  # checks the configured keys
    key = _raw_keys()[0]
    key = base64.urlsafe_b64decode(key.encode() if isinstance(key, str) else key)
    return key[:16], key[16:]


def reset_keys() -> None:
    """Forget cached keys (tests and the rotation command change settings at run time)."""
    _fernet.cache_clear()
    _hash_key.cache_clear()
    _newest_key.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def encrypt_many(plaintexts: list[str]) -> list[str]:
    """The Fernet tokens of many values, in order: what ``encrypt`` gives for each (version byte, time
    stamp, random 16-byte IV, AES-128-CBC of the PKCS7-padded value, HMAC-SHA256 of all that), made for a
    whole batch with one AES key schedule, one time stamp and one call for the random IVs, where ``encrypt``
    sets each of them up per value (the bulk of its cost for a short value such as an ID number). CBC is
    done block by block on the AES block function: each plaintext block XOR the previous ciphertext block
    (the IV for the first), encrypted."""
    if not plaintexts:
        return []
    signing_key, aes_key = _newest_key()
    block = Cipher(algorithms.AES(aes_key), modes.ECB()).encryptor().update  # noqa: S305 - CBC built on it
    head = b"\x80" + int(time.time()).to_bytes(8, "big")
    ivs = os.urandom(16 * len(plaintexts))
    from_bytes, digest, b64 = int.from_bytes, hmac.digest, base64.urlsafe_b64encode
    tokens = []
    for i, plaintext in enumerate(plaintexts):
        data = plaintext.encode()
        pad = 16 - len(data) % 16
        data += bytes((pad,)) * pad
        iv = ivs[16 * i : 16 * i + 16]
        parts = [head, iv]
        previous = from_bytes(iv, "big")
        for j in range(0, len(data), 16):
            ciphertext = block((from_bytes(data[j : j + 16], "big") ^ previous).to_bytes(16, "big"))
            parts.append(ciphertext)
            previous = from_bytes(ciphertext, "big")
        basic = b"".join(parts)
        tokens.append(b64(basic + digest(signing_key, basic, "sha256")).decode())
    return tokens


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
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def reencrypt_all(*, batch_size: int = 1000, progress=None) -> dict[str, int]:
    """Re-encrypt every encrypted column of every model with the newest key (key rotation).

    Rows are read in primary-key order, decrypted with whichever configured key opens them and written back
    encrypted with the newest one, one transaction per batch, so the run can be stopped and restarted.
    Returns the number of rows rewritten per model label. A value no configured key opens raises
    :class:`DecryptionError` naming the model and row, and nothing of that batch is written.
    """
    from django.db import transaction

    reset_keys()
    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        label = model._meta.label
        counts[label] = 0
        last_pk = None
        manager = model._base_manager
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
            with transaction.atomic():
                manager.bulk_update(batch, names)
            counts[label] += len(batch)
            last_pk = batch[-1].pk
            if progress is not None:
                progress(label, counts[label])
    return counts
