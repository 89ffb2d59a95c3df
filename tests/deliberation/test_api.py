"""The JSON API: the whole five-person journey from phones with bearer tokens, tallies and paper meetings
as multipart, lists with pinned query counts, and the OpenAPI schema."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grassroots.accounts.models import Role
from grassroots.accounts.services import api_token_issue
from grassroots.deliberation import actions
from grassroots.deliberation.models import Meeting, Signature, Tally, TopicEvent
from grassroots.deliberation.transitions import Action
from tests.deliberation.factories import (
    GRID,
    VILLAGE,
    five_person_group,
    five_person_to,
    four_two_committee,
    propose,
    resident,
)
from tests.factories import user_with

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation"


def photo(name="sheet.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 190, 170)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


class Phone:
    """A member's phone: every call carries their own bearer token."""

    def __init__(self, client, user):
        self.client, self.auth = (
            client,
            {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='phone')}"},
        )

    def post(self, path, body=None):
        return self.client.post(f"{API}{path}", body or {}, content_type="application/json", **self.auth)

    def get(self, path):
        return self.client.get(f"{API}{path}", **self.auth)


def test_the_five_person_journey_through_the_api(client):
    group = five_person_group()
    phones = [Phone(client, m) for m in group.members]
    villager = Phone(client, resident(GRID, display_name="陈大妈"))
    made = villager.post(
        f"/committees/{group.committee.pk}/topics",
        {"kind": "dispute_mediation", "title": "宅基地边界纠纷", "description": "两户之间的院墙边界有争议。"},
    )
    assert made.status_code == 201
    topic = made.json()
    assert topic["step"] == "propose" and topic["available_actions"] == []
    tid = topic["id"]
    assert phones[0].get(f"/topics/{tid}").json()["available_actions"][:2] == ["put_on_agenda", "decline"]
    assert (
        phones[0].post(f"/topics/{tid}/actions/put_on_agenda", {"version": topic["version"]}).json()["step"]
        == "discuss"
    )
    for phone in phones:
        body = phone.post(
            f"/topics/{tid}/actions/opinion", {"stance": "support", "text": "按老界址调解"}
        ).json()
    assert body["step"] == "resolve"
    body = (
        phones[1].post(f"/topics/{tid}/actions/draft", {"text": "以1998年老界址为准, 院墙后退0.3米。"}).json()
    )
    assert body["status"]["resolution_text"].startswith("以1998年")
    for phone in phones:
        body = phone.post(f"/topics/{tid}/actions/ballot", {"choice": "agree"}).json()
    assert body["step"] == "sign"
    for phone in phones[:4]:
        assert phone.post(f"/topics/{tid}/actions/sign").status_code == 200
    refused = phones[4].post(f"/topics/{tid}/actions/refuse", {"reason": "后退尺寸需现场丈量"}).json()
    assert (refused["step"], refused["round"]) == ("discuss", 2)
    for phone in phones:
        phone.post(f"/topics/{tid}/actions/opinion", {"stance": "support", "text": "现场丈量后同意"})
    phones[0].post(f"/topics/{tid}/actions/draft", {"text": "现场丈量, 院墙后退0.25米。"})
    for phone in phones:
        phone.post(f"/topics/{tid}/actions/ballot", {"choice": "agree"})
    for phone in phones:
        body = phone.post(f"/topics/{tid}/actions/sign").json()
    assert body["step"] == "publish"
    assert phones[0].post(f"/topics/{tid}/actions/publish", {}).json()["step"] == "carry_out"
    body = (
        phones[0]
        .post(f"/topics/{tid}/actions/progress", {"status": "done", "percent": 100, "note": "院墙已重砌"})
        .json()
    )
    assert body["step"] == "evaluate"
    assert villager.post(f"/topics/{tid}/ratings", {"rating": "satisfied"}).status_code == 201
    # every signature came from the member's own phone
    assert set(Signature.objects.values_list("channel", flat=True)) == {"api"}
    assert Signature.objects.filter(decision="signed").count() == 9
    # and anyone can read the resolutions with their signatures, and the timeline
    resolutions = client.get(f"{API}/topics/{tid}/resolutions").json()
    assert [r["status"] for r in resolutions] == ["returned", "passed"]
    assert [s["decision"] for s in resolutions[0]["signatures"]] == ["signed"] * 4 + ["refused"]
    timeline = client.get(f"{API}/topics/{tid}/timeline").json()
    assert timeline[0]["who"] == "陈*妈"  # residents' names are masked for the public
    assert len(timeline) == TopicEvent.objects.filter(topic_id=tid).count()


def test_refusals_come_back_as_code_and_message(client):
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "resolve")
    phone = Phone(client, group.members[0])
    response = phone.post(f"/topics/{topic.pk}/actions/close_vote")
    assert response.status_code == 409 and response.json()["code"] == "no_vote_open"
    response = phone.post(
        f"/topics/{topic.pk}/actions/opinion",
        {"stance": "support", "text": "x", "version": topic.version - 1},
    )
    assert response.status_code == 409 and response.json()["code"] == "topic_conflict"
    response = phone.post(f"/topics/{topic.pk}/actions/ballot", {"choice": "maybe"})
    assert response.status_code in (409, 400)


def test_correcting_an_opinion_through_the_api_keeps_both(client):
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    phone = Phone(client, group.members[0])
    phone.post(f"/topics/{topic.pk}/actions/opinion", {"stance": "oppose", "text": "反对"})
    opinion_id = topic.opinions.get().pk
    correct = f"/topics/{topic.pk}/actions/correct_opinion"
    response = phone.post(correct, {"opinion_id": opinion_id, "stance": "support", "text": "同意"})
    assert response.status_code == 200
    kinds = [e["kind"] for e in client.get(f"{API}/topics/{topic.pk}/timeline").json()]
    assert kinds[-2:] == ["opinion", "opinion_corrected"]
    other = Phone(client, group.members[1])
    assert (
        other.post(correct, {"opinion_id": opinion_id, "stance": "oppose", "text": "改"}).status_code == 403
    )


def test_the_party_members_count_is_sent_as_a_form_with_the_sheet_photo(client):
    group = four_two_committee()
    topic = propose(group.committee)
    secretary = group.members[0]
    for m in group.members[:4]:
        if m == secretary and topic.step == "propose":
            Phone(client, m).post(f"/topics/{topic.pk}/actions/put_on_agenda")
        Phone(client, m).post(f"/topics/{topic.pk}/actions/opinion", {"stance": "support", "text": "同意"})
    client.force_login(secretary)
    response = client.post(
        f"{API}/topics/{topic.pk}/actions/tally",
        {
            "text": "土地流转方案",
            "expected": 30,
            "present": 22,
            "agree": 18,
            "disagree": 3,
            "abstain": 1,
            "held_on": "2025-04-01",
            "place": "党群服务中心",
            "sign_in_sheet": photo(),
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["step"] == "decide"
    tally = Tally.objects.get()
    assert tally.sign_in_sheet.name.startswith("deliberation/tallies/") and tally.body


def test_a_paper_meeting_is_recorded_afterwards_with_its_sheet(client, django_capture_on_commit_callbacks):
    group = five_person_group()
    topic = propose(group.committee)
    client.force_login(group.members[0])
    without = client.post(
        f"{API}/committees/{group.committee.pk}/meetings/offline",
        {
            "title": "一组五人小组会",
            "starts_at": "2025-03-01T19:00:00+08:00",
            "place": "组长家",
            "minutes": "讨论修路",
        },
    )
    assert without.status_code == 422  # the photo is required
    with django_capture_on_commit_callbacks(execute=True):  # what the record's commit runs (notifications)
        response = client.post(
            f"{API}/committees/{group.committee.pk}/meetings/offline",
            {
                "title": "一组五人小组会",
                "starts_at": "2025-03-01T19:00:00+08:00",
                "place": "组长家",
                "minutes": "讨论修路",
                "present": [m.pk for m in group.memberships[:4]],
                "topic_ids": [topic.pk],
                "sign_in_sheet": photo(),
            },
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "held" and body["recorded_offline"] and body["has_sign_in_sheet"]
    assert [a["present"] for a in body["attendance"]] == [True] * 4 + [False]
    assert body["agenda"] == [topic.pk]
    meeting = Meeting.objects.get()
    # the photo is served to whoever can see the committee
    assert client.get(f"/deliberation/sheets/meeting/{meeting.pk}/").status_code == 200


def test_members_sign_in_to_a_meeting_from_their_phones(client):
    group = five_person_group()
    client.force_login(group.members[0])
    made = client.post(
        f"{API}/committees/{group.committee.pk}/meetings",
        {"title": "议事会", "starts_at": "2030-03-01T19:00:00+08:00", "place": "村部"},
        content_type="application/json",
    ).json()
    phone = Phone(client, group.members[2])
    signed = phone.post(f"/meetings/{made['id']}/sign-in").json()
    assert [a["signed_at"] is not None for a in signed["attendance"]] == [False, False, True, False, False]
    outsider = Phone(client, resident(GRID))
    assert outsider.post(f"/meetings/{made['id']}/sign-in").status_code == 403


def test_area_ratings_roll_up_over_committees(client):
    group = five_person_group()
    other = five_person_group(number=2, boss=group.manager, names=["甲", "乙", "丙", "丁", "戊"])
    for g, ratings in ((group, ["satisfied", "basically"]), (other, ["unsatisfied"])):
        topic = five_person_to(propose(g.committee), g.members, "evaluate")
        for rating in ratings:
            Phone(client, resident(GRID)).post(f"/topics/{topic.pk}/ratings", {"rating": rating})
    body = client.get(f"{API}/areas/{VILLAGE}/ratings").json()
    assert (body["satisfied"], body["basically"], body["unsatisfied"], body["topics"]) == (1, 1, 1, 2)
    assert body["satisfaction"] == pytest.approx(2 / 3)
    assert client.get(f"{API}/areas/{VILLAGE[:9]}/ratings").json()["total"] == 3


def test_lists_pin_their_query_count(client, django_assert_num_queries):
    group = five_person_group()
    for n in range(3):
        five_person_to(propose(group.committee, title=f"议题{n}"), group.members, "resolve")
    five_person_group(number=2, boss=group.manager)
    with django_assert_num_queries(1):
        listed = client.get(f"{API}/committees").json()
    assert [c["open_topics"] for c in listed] == [3, 0]  # counted once each, not once per member
    with django_assert_num_queries(2):
        assert len(client.get(f"{API}/committees/{group.committee.pk}/topics").json()) == 3
    topic = group.committee.topics.first()
    with django_assert_num_queries(2):
        assert len(client.get(f"{API}/topics/{topic.pk}/timeline").json()) == 8


def test_a_logged_in_resident_sees_the_private_committees_of_their_village_only(client):
    group = five_person_group(is_public=False)
    client.force_login(user_with(Role.RESIDENT, GRID))
    assert [c["id"] for c in client.get(f"{API}/committees").json()] == [group.committee.pk]
    client.force_login(user_with(Role.RESIDENT, "150802100202001"))
    assert client.get(f"{API}/committees").json() == []


def test_the_openapi_schema_documents_every_deliberation_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = {p for p in schema["paths"] if p.startswith(API)}
    for expected in (
        "/topics/{topic_id}/actions/sign",
        "/topics/{topic_id}/actions/refuse",
        "/topics/{topic_id}/actions/tally",
        "/topics/{topic_id}/actions/correct_opinion",
        "/committees/{committee_id}/meetings/offline",
        "/areas/{code}/ratings",
    ):
        assert API + expected in paths


def test_every_step_action_is_one_operation_with_its_own_body_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    served = [row for row in actions.ROWS if row.schema is not None]
    assert {str(row.name) for row in served} == set(Action)
    for row in served:
        operation = schema["paths"][f"{API}/topics/{{topic_id}}/actions/{row.name}"]["post"]
        (content,) = operation["requestBody"]["content"].values()
        body = content["schema"]
        name = body["$ref"].rsplit("/", 1)[-1] if "$ref" in body else None
        fields = schema["components"]["schemas"][name]["properties"] if name else body["properties"]
        assert set(row.schema.model_fields) <= set(fields), row.name
        assert operation["summary"] == row.summary
