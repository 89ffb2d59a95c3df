"""What the system writes is kept as a message and its values and put into words in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from grassroots.cases import services
from grassroots.cases.models import CaseEvent, EventAction, State
from grassroots.cases.seed_names import NAMES
from grassroots.messages import Message
from grassroots.notifications.models import Notification

from .conftest import INSIDE_G1


def test_a_message_is_worded_when_read_in_the_readers_language():
    note = Message(
        gettext_lazy("Report %(reference)s: %(what)s"), reference="202603020000001", what=State.CLOSED.label
    )
    assert note.in_language("en") == "Report 202603020000001: closed"
    assert "202603020000001" in note.in_language("zh-hans") and "closed" not in note.in_language("zh-hans")
    again = Message.from_data(note.as_data())  # as kept in a JSON field
    assert again == note and again.in_language("en") == note.in_language("en")


def test_values_that_are_messages_or_labels_are_translated_with_it_and_names_are_kept():
    inner = Message(
        gettext_lazy("%(what)s (%(card)s)"),
        what=gettext_lazy("urged: deal with it now"),
        card=gettext_lazy("red card"),
    )
    outer = Message(
        gettext_lazy("%(what)s: %(category)s, %(place)s (%(reference)s)"),
        what=inner,
        category="乱扔垃圾",
        place="幸福里",
        reference="1",
    )
    assert outer.in_language("en") == "urged: deal with it now (red card): 乱扔垃圾, 幸福里 (1)"
    assert "红" in outer.in_language("zh-hans") and "urged" not in outer.in_language("zh-hans")


@pytest.mark.django_db
def test_a_notice_written_by_an_english_speaking_actor_reads_in_each_readers_language(city, client):
    with translation.override("en"):  # the village clerk works in English
        case = services.case_report(
            actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
        services.case_accept(actor=city.village, case=case, expected_version=case.version)
    told = Notification.objects.filter(recipient=city.resident).latest("pk")
    assert "accepted" not in told.title  # stored words are the default language's (for SMS)
    client.force_login(city.resident)
    chinese = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your report has been accepted" in english and "Your report has been accepted" not in chinese
    event = CaseEvent.objects.get(case=case, action=EventAction.ACCEPT)
    with translation.override("en"):
        assert event.shown_message == "Your report has been accepted and is being arranged."
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your report has been accepted and is being arranged." in page


@pytest.mark.django_db
def test_a_notification_names_the_service_type_in_the_readers_language(city, client):
    # given a report in G1 (its grid worker is told, in a title naming the service type)
    services.case_report(
        actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    told = Notification.objects.filter(recipient=city.grid_worker).latest("pk")
    assert told.title_message["values"]["category"] == {
        "names": {"": "乱扔垃圾、暴露垃圾", "en": NAMES["0101"][0], "mn": NAMES["0101"][1]}
    }
    # then the inbox shows the English name to an English reader and the Chinese one to a Chinese reader
    client.force_login(city.grid_worker)
    english = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert NAMES["0101"][0] in english and "乱扔垃圾、暴露垃圾" not in english
    assert "乱扔垃圾、暴露垃圾" in chinese
