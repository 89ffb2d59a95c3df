"""The default service types: the seed's examples and the urban event/component classes, seeded once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from grassroots.cases.models import Category, CategoryLimit
from grassroots.cases.seed_names import NAMES
from tests.factories import UserFactory

from .conftest import ensure_seed

pytestmark = pytest.mark.django_db


def test_the_seed_covers_the_examples_from_the_report_and_urban_classes():
    ensure_seed()
    names = set(Category.objects.values_list("name", flat=True))
    for example in ("乱扔垃圾、暴露垃圾", "公告栏、宣传栏损坏", "邻里纠纷", "困难帮扶、临时救助", "证件代办"):
        assert example in names
    top = {c.code: c for c in Category.objects.filter(parent__isnull=True)}
    assert {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13"} <= set(top)
    assert top["02"].category_class == "component" and top["11"].category_class == "consultation"
    assert top["13"].default_urgency == "emergency"
    # every top class has a limit for every urgency, and canned replies where it makes sense
    for category in top.values():
        if category.code != "99":
            assert category.limits.count() == 3, category.code
    assert top["09"].canned_replies


def test_seeding_again_adds_nothing_and_keeps_an_administrators_edits():
    ensure_seed()
    before = (Category.objects.count(), CategoryLimit.objects.count())
    Category.objects.filter(code="0101").update(name="乱扔垃圾")
    call_command("seed_categories", verbosity=0)
    assert (Category.objects.count(), CategoryLimit.objects.count()) == before
    assert Category.objects.get(code="0101").name == "乱扔垃圾"


def test_every_seeded_service_type_has_an_english_name_shown_to_english_readers(client):
    # given the seeded service types
    ensure_seed()
    assert not Category.objects.filter(name_en="").exists()
    litter = Category.objects.get(code="0101")
    # then a reader in English sees the English name, a reader in Chinese the Chinese one
    with translation.override("en"):
        assert litter.shown_name == NAMES["0101"][0] and str(litter) == "0101 " + NAMES["0101"][0]
    with translation.override("zh-hans"):
        assert litter.shown_name == "乱扔垃圾、暴露垃圾"
    # and so does the service types' API
    client.force_login(UserFactory())
    english = client.get("/api/v1/cases/categories", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get("/api/v1/cases/categories", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert {c["code"]: c["name"] for c in english}["0101"] == NAMES["0101"][0]
    assert {c["code"]: c["name"] for c in chinese}["0101"] == "乱扔垃圾、暴露垃圾"


def test_a_service_type_without_an_english_name_shows_its_own_and_seeding_keeps_an_administrators_wording():
    ensure_seed()
    Category.objects.filter(code="0102").update(name_en="")
    Category.objects.filter(code="0103").update(name_en="Unswept street")
    with translation.override("en"):
        assert Category.objects.get(code="0102").shown_name == "积存垃圾渣土"
    call_command("seed_categories", verbosity=0)
    assert Category.objects.get(code="0102").name_en == NAMES["0102"][0]  # filled where empty
    assert Category.objects.get(code="0103").name_en == "Unswept street"  # an edit stays
