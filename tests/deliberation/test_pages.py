"""The pages: public reading without login, proposing from the phone, member actions, meetings, and the
managers' pages for founding a committee and seating its members."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from grassroots.accounts.models import Role
from grassroots.deliberation import actions
from grassroots.deliberation.models import Committee, Meeting, Membership, Opinion, Topic
from tests.deliberation.factories import (
    GRID,
    VILLAGE,
    five_person_group,
    five_person_to,
    propose,
    resident,
    village_group,
)
from tests.factories import UserFactory, user_with

pytestmark = pytest.mark.django_db


def photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (220, 220, 200)).save(buf, "JPEG")
    return SimpleUploadedFile("sheet.jpg", buf.getvalue(), content_type="image/jpeg")


def test_anyone_reads_a_public_topic_with_every_opinion_vote_and_signature(client):
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "carry_out")
    page = client.get(reverse("deliberation:topic", args=[topic.pk])).content.decode()
    for name in ("王组长", "李党小组长", "张村民", "赵村民", "刘村民"):
        assert page.count(name) >= 3  # opinion, vote and signature of every member
    assert 'id="signatures"' in page and 'id="timeline"' in page
    assert 'id="act"' not in page  # no forms for a visitor


def test_a_user_with_no_role_follows_a_public_topic(client):
    group = five_person_group()
    topic = propose(group.committee)
    visitor = UserFactory()
    client.force_login(visitor)
    page = client.get(reverse("deliberation:topic", args=[topic.pk])).content.decode()
    assert 'id="follow-button"' in page and 'id="form-comment"' not in page
    client.post(reverse("deliberation:topic_act", args=[topic.pk, "follow"]))
    assert topic.follows.filter(user=visitor).exists()


def test_a_resident_proposes_from_the_phone(client):
    group = five_person_group()
    client.force_login(resident(GRID, display_name="陈大妈"))
    form = client.get(reverse("deliberation:propose", args=[group.committee.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("deliberation:propose", args=[group.committee.pk]),
        {"kind": "development_proposal", "title": "建文化广场", "description": "村委会旁空地可建小广场"},
    )
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "deliberation:topic", args=[topic.pk]
    )
    assert topic.proposer_name == "陈大妈" and topic.step == "propose"


def test_an_empty_proposal_shows_the_errors_and_saves_nothing(client):
    group = five_person_group()
    client.force_login(resident(GRID))
    response = client.post(
        reverse("deliberation:propose", args=[group.committee.pk]), {"kind": "", "title": ""}
    )
    assert response.status_code == 200 and not Topic.objects.exists()


def test_a_member_acts_from_the_topic_page_and_a_stale_page_is_refused(client):
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    client.force_login(group.members[0])
    page = client.get(reverse("deliberation:topic", args=[topic.pk])).content.decode()
    assert 'id="form-opinion"' in page
    url = reverse("deliberation:topic_act", args=[topic.pk, "opinion"])
    client.post(url, {"version": topic.version, "stance": "support", "text": "同意"})
    assert Opinion.objects.count() == 1
    client.force_login(group.members[1])
    response = client.post(url, {"version": topic.version, "stance": "support", "text": "同意"}, follow=True)
    assert Opinion.objects.count() == 1  # the page was stale: someone acted in between
    assert any("Reload" in str(m) or "刷新" in str(m) for m in response.context["messages"])


def test_a_member_corrects_an_opinion_from_the_page(client):
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    client.force_login(group.members[0])
    client.post(
        reverse("deliberation:topic_act", args=[topic.pk, "opinion"]), {"stance": "oppose", "text": "反对"}
    )
    original = Opinion.objects.get()
    page = client.get(reverse("deliberation:topic", args=[topic.pk])).content.decode()
    assert "form-correct" in page
    client.post(
        reverse("deliberation:topic_act", args=[topic.pk, "correct_opinion"]),
        {"opinion": original.pk, "stance": "support", "text": "同意"},
    )
    assert list(Opinion.objects.values_list("stance", "corrects")) == [
        ("oppose", None),
        ("support", original.pk),
    ]


def test_a_meeting_is_called_signed_in_to_and_recorded_with_the_paper_sheet(
    client, django_capture_on_commit_callbacks
):
    group = five_person_group()
    topic = propose(group.committee)
    client.force_login(group.members[0])
    response = client.post(
        reverse("deliberation:meeting_new", args=[group.committee.pk]),
        {"title": "三月议事会", "starts_at": "2030-03-01T19:00", "place": "村部", "topics": [topic.pk]},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    client.post(reverse("deliberation:meeting_act", args=[meeting.pk, "sign_in"]))
    # marking the others present from paper needs the photo of the sheet
    record = reverse("deliberation:meeting_act", args=[meeting.pk, "record"])
    present = [m.pk for m in group.memberships[:3]]
    client.post(record, {"minutes": "讨论了修路", "present": present})
    assert Meeting.objects.get().status == "planned"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(record, {"minutes": "讨论了修路", "present": present, "sign_in_sheet": photo()})
    meeting = Meeting.objects.get()
    assert meeting.status == "held" and meeting.recorded_offline and meeting.sign_in_sheet
    page = client.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert "讨论了修路" in page
    assert client.get(reverse("deliberation:sheet", args=["meeting", meeting.pk])).status_code == 200
    assert topic.events.filter(kind="meeting").exists()


def test_staff_found_a_five_person_group_and_seat_its_members_from_the_pages(client):
    village_group(VILLAGE, 3)
    staff = user_with(Role.VILLAGE_STAFF, VILLAGE)
    client.force_login(staff)
    response = client.post(
        reverse("deliberation:committee_new"),
        {
            "kind": "five_person_group",
            "name": "三组五人小组",
            "area_code": VILLAGE,
            "village_group": 3,
            "is_public": "on",
        },
    )
    committee = Committee.objects.get()
    assert response.status_code == 302 and committee.village_group.number == 3
    member = resident(GRID, username="zhangsan")
    response = client.post(
        reverse("deliberation:member_new", args=[committee.pk]),
        {
            "seat": 1,
            "role": "group_leader",
            "username": "zhangsan",
            "chosen_how": "ex_officio",
            "started_on": "2025-01-01",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get().user == member
    # seat 2 is for the party group leader: the page says so and seats nobody
    response = client.post(
        reverse("deliberation:member_new", args=[committee.pk]),
        {
            "seat": 2,
            "role": "elected_villager",
            "name": "李四",
            "chosen_how": "elected",
            "started_on": "2025-01-01",
        },
    )
    assert response.status_code == 200 and Membership.objects.count() == 1
    # ending a membership keeps it in the history
    client.post(
        reverse("deliberation:member_end", args=[Membership.objects.get().pk]),
        {"ended_on": "2025-06-01", "reason": "外出务工"},
    )
    history = client.get(reverse("deliberation:committee_history", args=[committee.pk])).content.decode()
    assert "外出务工" in history


def test_the_committee_and_index_pages_pin_their_query_count(client, django_assert_max_num_queries):
    group = five_person_group()
    for n in range(5):
        propose(group.committee, title=f"议题{n}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("deliberation:committee", args=[group.committee.pk])).status_code == 200
    for n in range(5):
        propose(group.committee, title=f"更多议题{n}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("deliberation:committee", args=[group.committee.pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("deliberation:index")).status_code == 200


def test_the_area_page_rolls_up_ratings(client):
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "evaluate")
    client.force_login(resident(GRID))
    client.post(reverse("deliberation:topic_act", args=[topic.pk, "rate"]), {"rating": "satisfied"})
    client.logout()
    page = client.get(reverse("deliberation:area", args=[VILLAGE])).content.decode()
    assert "100%" in page


@pytest.mark.parametrize(
    "url",
    [
        "/deliberation/committees/99999999999999999999/",
        "/deliberation/topics/99999999999999999999/",
        "/deliberation/meetings/99999999999999999999/",
        "/deliberation/sheets/tally/99999999999999999999/",
    ],
)
def test_an_id_no_column_can_hold_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_a_new_action_without_a_template_of_its_own_gets_a_form_of_its_fields():
    group = five_person_group()
    topic = propose(group.committee)
    row = dataclasses.replace(actions.TOPIC_ACTIONS["publish"], name="publish_again", label="Publish again")
    html = render_to_string(row.templates, {"row": row, "form": row.form(auto_id="again-%s"), "topic": topic})
    assert reverse("deliberation:topic_act", args=[topic.pk, "publish_again"]) in html
    assert 'name="note"' in html and 'name="version"' in html and "Publish again" in html
