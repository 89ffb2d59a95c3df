"""The insights admin: the daily figures, the area rows and the bulletins listed inside the administrator's
areas only, and never added, changed or deleted there (derived rows; an immutable document)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from grassroots.areas.codes import Level
from grassroots.cases.models import Case, Category, Source
from grassroots.insights.models import AreaDay, Bulletin, DailyFact, content_hash
from grassroots.insights.services import facts_rebuild
from tests.cases.conftest import COUNTY, G1, OTHER_COUNTY_GRID
from tests.test_admin_scope import client_for, staff_with_every_model_permission


def _case(origin):
    reported = timezone.now() - dt.timedelta(days=1)
    Case.objects.create(
        kind="problem", source=Source.PHONE, category=Category.objects.get(code="0101"), description="x",
        origin_code=origin, area_code=origin, level=Level.GRID, reported_at=reported,
        response_due_at=reported + dt.timedelta(hours=8),
    )  # fmt: skip


def test_a_county_administrator_lists_their_county_only_and_changes_nothing(city):
    _case(G1)
    _case(OTHER_COUNTY_GRID)
    facts_rebuild()
    for code in (COUNTY, OTHER_COUNTY_GRID[:6]):
        Bulletin.objects.create(
            area_code=code, month=dt.date(2025, 1, 1), issued_at=timezone.now(), issued_by=city.county,
            content={"area": {"code": code}}, sha256=content_hash({"area": {"code": code}}),
        )  # fmt: skip
    client = client_for(staff_with_every_model_permission(code=COUNTY))
    for model, inside, outside in (
        (DailyFact, DailyFact.objects.get(area_code=G1), DailyFact.objects.get(area_code=OTHER_COUNTY_GRID)),
        (
            AreaDay,
            AreaDay.objects.get(area_code=COUNTY),
            AreaDay.objects.get(area_code=OTHER_COUNTY_GRID[:6]),
        ),
        (Bulletin, Bulletin.objects.get(area_code=COUNTY), Bulletin.objects.exclude(area_code=COUNTY).get()),
    ):
        base = f"/admin/insights/{model._meta.model_name}/"
        body = client.get(base).content.decode()
        assert f"{base}{inside.pk}/change/" in body and f"{base}{outside.pk}/change/" not in body
        assert client.get(f"{base}{inside.pk}/change/").status_code == 200
        assert client.get(f"{base}{outside.pk}/change/").status_code == 404
        assert client.get(f"{base}add/").status_code == 403
        assert client.post(f"{base}{inside.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Bulletin.objects.count() == 2
