"""The demo never mixes itself into areas it did not create (no demo_city fixture in this module)."""

import pytest
from django.utils import translation

from grassroots.areas.models import Area
from grassroots.demo.models import LoadedStep
from grassroots.demo.steps import DemoError, load
from tests.factories import area

from .conftest import FOUNDATION


@pytest.fixture(autouse=True, scope="module")
def english_messages():
    """These tests read the English wording (the msgids); tests/test_translations.py checks the Chinese catalogue."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def test_demo_refuses_a_database_with_real_townships_under_the_city():
    area("150825100", "真实的镇")
    with pytest.raises(DemoError) as exc:
        load(scale="small", until=FOUNDATION)
    assert "empty database" in str(exc.value.message)
    assert not LoadedStep.objects.exists()
    assert list(Area.objects.filter(level=4).values_list("name", flat=True)) == ["真实的镇"]


def test_demo_keeps_real_county_units_that_exist():
    county = area("150825", "乌拉特后旗")
    load(scale="small", until=FOUNDATION)
    assert Area.objects.get(code="150825").pk == county.pk
    assert Area.objects.filter(parent=county).exists()
