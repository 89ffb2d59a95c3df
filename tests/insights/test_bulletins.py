"""Monthly bulletins: issued once for a month that is over, frozen with the SHA-256 of their content, never
changed (the database refuses an UPDATE), shown on an A4 page and as Excel, within the issuer's scope."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.accounts.models import AuditLog
from grassroots.accounts.scoping import OutOfScope
from grassroots.appendonly import AppendOnlyError
from grassroots.errors import NotPermitted
from grassroots.insights import selectors, services
from grassroots.insights.models import Bulletin, content_hash
from tests.cases.conftest import COUNTY, G1, OTHER_COUNTY_GRID, TOWNSHIP, VILLAGE

from .test_dashboard import cases  # noqa: F401 - five cases reported in March 2025


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_a_bulletin_freezes_the_month_with_its_hash(city, cases):  # noqa: F811
    bulletin = services.bulletin_issue(actor=city.county, area_code=COUNTY, month="2025-03")
    assert bulletin.sha256 == content_hash(bulletin.content)
    assert bulletin.content["figures"]["counts"]["reported"] == 4
    assert bulletin.content["figures"]["rates"]["closure"] == {
        "numerator": 1,
        "denominator": 2,
        "percent": "50.00",
    }
    assert bulletin.content["previous_month"] == "2025-02"
    assert [a["code"] for a in bulletin.content["areas"]] == [TOWNSHIP]
    assert selectors.bulletin_intact(bulletin)
    assert AuditLog.objects.filter(action="insights.bulletin_issue", area_code=COUNTY).exists()


def test_a_bulletin_is_never_changed(city, cases):  # noqa: F811
    bulletin = services.bulletin_issue(actor=city.county, area_code=COUNTY, month="2025-03")
    with pytest.raises(AppendOnlyError):
        bulletin.save()
    with pytest.raises(AppendOnlyError):
        Bulletin.objects.filter(pk=bulletin.pk).update(sha256="0" * 64)
    with pytest.raises(Exception), transaction.atomic(), connection.cursor() as cursor:  # noqa: B017 - the trigger
        cursor.execute("UPDATE insights_bulletin SET sha256 = 'x' WHERE id = %s", [bulletin.pk])
    with pytest.raises(services.BulletinError) as refused:
        services.bulletin_issue(actor=city.leader, area_code=COUNTY, month="2025-03")
    assert refused.value.code == "bulletin_issued"
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.create(
            area_code=COUNTY, month=dt.date(2025, 3, 1), issued_at=clock.now(), issued_by=city.county,
            content={}, sha256=content_hash({}),
        )  # fmt: skip


def test_only_a_month_that_is_over_and_in_scope(city, cases):  # noqa: F811
    this_month = f"{clock.today():%Y-%m}"
    with pytest.raises(services.BulletinError) as refused:
        services.bulletin_issue(actor=city.county, area_code=COUNTY, month=this_month)
    assert refused.value.code == "month_not_over"
    with pytest.raises(services.BulletinError) as refused:
        services.bulletin_issue(actor=city.county, area_code=COUNTY, month="2025")
    assert refused.value.code == "invalid_period"
    with pytest.raises(OutOfScope):
        services.bulletin_issue(actor=city.county, area_code=OTHER_COUNTY_GRID, month="2025-03")
    with pytest.raises(OutOfScope):
        services.bulletin_issue(actor=city.grid_worker, area_code=VILLAGE, month="2025-03")
    with pytest.raises(NotPermitted):
        services.bulletin_issue(actor=city.resident, area_code=G1, month="2025-03")
    assert not Bulletin.objects.exists()


def test_issue_on_the_page_then_print_and_excel(client, city, cases):  # noqa: F811
    client.force_login(city.county)
    page = client.get(reverse("insights:bulletins", args=[COUNTY]))
    assert page.status_code == 200
    response = client.post(reverse("insights:bulletins", args=[COUNTY]), {"month": "2025-03"})
    bulletin = Bulletin.objects.get()
    assert response["Location"] == reverse("insights:bulletin", args=[bulletin.pk])
    shown = client.get(response["Location"]).content.decode()
    assert bulletin.sha256 in shown and 'data-intact="yes"' in shown
    assert "Closure rate (结案率, shown as 办结率) = closed / due to close." in shown
    assert "50.00 %" in shown
    # a second issue of the month is refused in words, nothing written
    again = client.post(reverse("insights:bulletins", args=[COUNTY]), {"month": "2025-03"})
    assert again.status_code == 200 and "never changed" in again.content.decode()
    assert Bulletin.objects.count() == 1

    workbook = client.get(reverse("insights:bulletin_xlsx", args=[bulletin.pk]))
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["指标", "下级区域", "服务类型", "文档"]
    values = [[c.value for c in row] for row in book["文档"].iter_rows()]
    assert ["SHA-256", bulletin.sha256] in values
    closure = next(
        row for row in book["指标"].iter_rows(values_only=True) if row[0] == "Closure rate (办结率)"
    )
    assert closure[1:4] == ("50.00", 1, 2)


@pytest.mark.parametrize(
    ("who", "status"),
    [("county", 200), ("leader", 200), ("village", 404), ("outsider", 404), ("resident", 403)],
)
def test_who_reads_a_bulletin(client, city, cases, who, status):  # noqa: F811
    bulletin = services.bulletin_issue(actor=city.county, area_code=COUNTY, month="2025-03")
    client.force_login(getattr(city, who))
    assert client.get(reverse("insights:bulletin", args=[bulletin.pk])).status_code == status
    assert client.get(reverse("insights:bulletin_xlsx", args=[bulletin.pk])).status_code == status
