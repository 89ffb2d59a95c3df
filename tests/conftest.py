import pytest

from grassroots import fieldcrypt


@pytest.fixture(autouse=True)
def _fresh_keys(settings):
    """Each test starts from the configured field keys (some tests rotate them)."""
    fieldcrypt.reset_keys()
    yield
    fieldcrypt.reset_keys()


@pytest.fixture(autouse=True)
def _no_axes_lockouts(settings):
    settings.AXES_ENABLED = False
