"""What the pages say matches what is true: open work by default, marks explained, closed matters not called
'being dealt with', cards named in words."""

from __future__ import annotations

from django.urls import reverse

from grassroots.cases import services

from .conftest import INSIDE_G1


def _report(city, description="垃圾"):
    return services.case_report(
        actor=city.resident, category="0101", description=description, lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )


def _close(city, case):
    case = services.case_take(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_handle(actor=city.grid_worker, case=case, expected_version=case.version, note="好了")
    return services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)


def test_the_queue_shows_open_cases_unless_asked_for_all_and_explains_its_marks(client, city):
    closed = _close(city, _report(city, "已经清理"))
    open_case = _report(city, "还没处理")
    client.force_login(city.village)
    page = client.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert open_case.reference in page and closed.reference not in page
    assert "data-legend" in page and "overdue" in page
    everything = client.get(reverse("cases:queue"), {"state": ""}).content.decode()
    assert closed.reference in everything and open_case.reference in everything


def test_a_closed_neighbour_is_not_said_to_be_dealt_with(client, city):
    _close(city, _report(city))
    client.force_login(city.other_resident)
    html = client.get(
        reverse("cases:duplicates"), {"category": "0101", "lon": INSIDE_G1[0], "lat": INSIDE_G1[1]},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()  # fmt: skip
    assert "report it again" in html and "already being dealt with" not in html


def test_an_urged_case_names_its_card_in_words(client, city):
    case = _report(city)
    services.case_urge(actor=city.leader, case=case, expected_version=case.version, card="yellow")
    client.force_login(city.village)
    html = client.get(reverse("cases:detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 time" in html and "yellow card" in html


def test_a_desk_saves_its_filters_as_a_named_view_and_opens_it_in_one_tap(client, city):
    from grassroots.cases.models import SavedQueueView

    client.force_login(city.village)
    response = client.post(
        reverse("cases:queue_view_save"), {"name": "本村超期", "query": "state=open&overdue=on&page=3&x=1"}
    )
    view = SavedQueueView.objects.get(user=city.village)
    assert view.query == "state=open&overdue=on"  # the queue's filters only: no paging, nothing else
    assert response["Location"].endswith("?state=open&overdue=on")
    page = client.get(reverse("cases:queue")).content.decode()
    assert "本村超期" in page and "?state=open&amp;overdue=on" in page
    # someone else's view cannot be deleted; one's own can
    client.force_login(city.township)
    assert client.post(reverse("cases:queue_view_delete", args=[view.pk])).status_code == 404
    client.force_login(city.village)
    client.post(reverse("cases:queue_view_delete", args=[view.pk]))
    assert not SavedQueueView.objects.exists()
    # a resident has no queue to save
    client.force_login(city.resident)
    client.post(reverse("cases:queue_view_save"), {"name": "x", "query": "state=open"})
    assert not SavedQueueView.objects.exists()
