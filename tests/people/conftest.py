import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Register tests create many users; a fast hasher keeps them quick (login is tested in accounts)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
