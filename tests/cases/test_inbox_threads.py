"""The inbox gathers what it says about one object on one line, and opening the object reads it all."""

from __future__ import annotations

from django.urls import reverse

from grassroots.cases import services
from grassroots.notifications.models import Notification
from grassroots.notifications.services import notify

from .conftest import INSIDE_G1


def test_one_line_per_case_and_opening_the_case_reads_its_lines(client, city):
    case = services.case_report(
        actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    case = services.case_urge(actor=city.leader, case=case, expected_version=case.version, card="red")
    notify(recipients=[city.grid_worker], title="系统维护通知", body="今晚维护")
    mine = Notification.objects.filter(recipient=city.grid_worker)
    assert mine.count() == 3  # new report, urge, the standalone notice
    client.force_login(city.grid_worker)
    page = client.get(reverse("notifications:inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('class="inbox-item"') == 2 and 'data-thread="2"' in page and "2 new" in page
    client.get(reverse("cases:detail", args=[case.pk]))
    assert mine.filter(read_at__isnull=True).count() == 1  # only the standalone notice is still new
