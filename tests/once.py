"""Build something once for a whole test module, inside a transaction rolled back after the module.

Each test of the module then runs in a savepoint inside that transaction (as Django's ``setUpTestData``
does), so a costly world — the demo city, a year of cases — is built once per module and per xdist worker,
and no test sees another's writes. Use it from a module-scoped fixture::

    @pytest.fixture(scope="module")
    def built(django_db_setup, django_db_blocker, tmp_path_factory):
        with built_once(django_db_blocker, media=tmp_path_factory.mktemp("media")):
            yield load(scale="small")
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from django.db import transaction
from django.test import override_settings

T = TypeVar("T")

# Argon2 is slow by design; tests hash with MD5 (tests/conftest.py sets this list for every test). Argon2 stays
# second so that a hash made with it still verifies.
FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]


@contextlib.contextmanager
def built_once(django_db_blocker, build: Callable[[], T], *, media: Path | None = None) -> Iterator[T]:
    """Run ``build()`` in the module's transaction and give its result to the ``with`` body; roll everything
    back when the body ends (the module's last test is done). With ``media``, MEDIA_ROOT points there
    meanwhile. A failed build rolls back at once, so that half a world never leaks into other modules."""
    overrides: dict = {"PASSWORD_HASHERS": FAST_HASHERS}
    if media is not None:
        overrides["MEDIA_ROOT"] = media
    with override_settings(**overrides):
        atomic = transaction.atomic()
        with django_db_blocker.unblock():
            atomic.__enter__()
            try:
                result = build()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(*sys.exc_info())
                raise
        try:
            yield result
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
