"""The default service types: the seed's examples and the urban event/component classes, seeded once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from grassroots.cases.models import Category, CategoryLimit

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
