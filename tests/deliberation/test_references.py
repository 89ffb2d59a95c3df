"""Action inputs of deliberation that name another object — the login a committee member acts (votes, signs)
from, the meeting a resolution or a count belongs to — looked up in the actor's scope, by the API and the
pages alike: in scope works; a foreign value is refused with 400 (``detail.field`` names it) and nothing
changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.deliberation import services
from grassroots.deliberation.models import Membership, Resolution
from grassroots.deliberation.workflow import DeliberationError
from tests.deliberation.factories import (
    GRID,
    OTHER_GRID,
    VILLAGE,
    five_person_group,
    five_person_to,
    four_two_committee,
    manager,
    propose,
    resident,
)
from tests.factories import UserFactory, user_with

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation"


@pytest.fixture
def committee():
    boss = manager()
    c = services.committee_create(
        actor=boss, kind="villager_council", name="民主村村民理事会", area_code=VILLAGE
    )
    return c, boss


def foreign_logins():
    """Logins that exist but are not of the committee's village: a resident of the next village, staff of
    another county, a login with no role anywhere, and a name that is nobody's."""
    return {
        "resident_of_another_village": resident(OTHER_GRID, username="linju").username,
        "staff_of_another_county": user_with(Role.VILLAGE_STAFF, "150826100200", username="waixian").username,
        "login_without_a_role": UserFactory(username="wuming").username,
        "nobody": "meiyouzhegeren",
    }


def _appoint_body(username: str) -> dict:
    return {
        "role": "councillor",
        "chosen_how": "elected",
        "started_on": "2025-01-01",
        "name": "成员",
        "username": username,
    }


def test_api_seats_a_login_of_the_village_and_refuses_any_other(client, committee):
    c, boss = committee
    client.force_login(boss)
    url = f"{API}/committees/{c.pk}/members"
    for name, username in foreign_logins().items():
        response = client.post(url, _appoint_body(username), content_type="application/json")
        assert response.status_code == 400, (name, response.content)
        body = response.json()
        assert body["code"] == "no_such_account" and body["detail"]["field"] == "username", name
    assert not Membership.objects.exists()
    villager = resident(GRID, username="cunmin")
    response = client.post(url, _appoint_body("cunmin"), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Membership.objects.get().user == villager


def test_page_seats_a_login_of_the_village_and_refuses_any_other(client, committee):
    c, boss = committee
    client.force_login(boss)
    url = reverse("deliberation:member_new", args=[c.pk])
    for name, username in foreign_logins().items():
        response = client.post(url, _appoint_body(username))
        assert response.status_code == 200, name
        assert username in response.content.decode(), name  # the field says which value names nobody
    assert not Membership.objects.exists()
    resident(GRID, username="cunmin")
    assert client.post(url, _appoint_body("cunmin")).status_code == 302
    assert Membership.objects.count() == 1


def test_the_service_refuses_a_member_login_from_outside_the_village(committee):
    c, boss = committee
    outsider = resident(OTHER_GRID)
    with pytest.raises(DeliberationError) as refused:
        services.membership_appoint(
            actor=boss,
            committee=c,
            role="councillor",
            chosen_how="elected",
            started_on=dt.date(2025, 1, 1),
            user=outsider,
            name="外村人",
        )
    assert refused.value.code == "no_such_account"
    assert not Membership.objects.exists()


# --- the meeting a resolution or a count belongs to ---------------------------------------------------------


def _meeting(committee, actor):
    return services.meeting_schedule(
        actor=actor,
        committee=committee,
        title="议事会",
        starts_at=timezone.now() + dt.timedelta(days=1),
        place="村委会",
    )


@pytest.fixture
def at_resolve():
    group = five_person_group()
    other = four_two_committee(boss=group.manager)
    topic = five_person_to(propose(group.committee), group.members, "resolve")
    return {
        "topic": topic,
        "group": group,
        "own": _meeting(group.committee, group.manager),
        "foreign": _meeting(other.committee, group.manager),
    }


def test_api_resolution_names_a_meeting_of_its_committee_only(client, at_resolve):
    topic, group = at_resolve["topic"], at_resolve["group"]
    client.force_login(group.members[0])
    url = f"{API}/topics/{topic.pk}/actions/draft"
    for meeting_id in (at_resolve["foreign"].pk, 2**40):
        response = client.post(
            url, {"text": "方案", "meeting_id": meeting_id}, content_type="application/json"
        )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "wrong_meeting"
        assert response.json()["detail"]["field"] == "meeting_id"
    assert not Resolution.objects.exists()
    done = client.post(
        url, {"text": "方案", "meeting_id": at_resolve["own"].pk}, content_type="application/json"
    )
    assert done.status_code == 200, done.content
    assert Resolution.objects.get().meeting == at_resolve["own"]


def test_page_resolution_names_a_meeting_of_its_committee_only(client, at_resolve):
    topic, group = at_resolve["topic"], at_resolve["group"]
    client.force_login(group.members[0])
    url = reverse("deliberation:topic_act", args=[topic.pk, "draft"])
    for meeting_id in (at_resolve["foreign"].pk, 999999):
        client.post(url, {"text": "方案", "meeting": meeting_id, "version": topic.version})
    assert not Resolution.objects.exists()
    client.post(url, {"text": "方案", "meeting": at_resolve["own"].pk, "version": topic.version})
    assert Resolution.objects.get().meeting == at_resolve["own"]


def test_api_count_names_a_meeting_of_its_committee_only(client):
    group = four_two_committee()
    other = five_person_group(boss=group.manager)
    topic = propose(group.committee)
    secretary = group.members[0]
    services.topic_put_on_agenda(actor=secretary, topic=topic)
    for m in group.members[:4]:
        topic = services.opinion_record(actor=m, topic=topic, stance="support", text="同意")
    client.force_login(secretary)
    body = {
        "text": "土地流转方案", "expected": 30, "present": 22, "agree": 18, "disagree": 3, "abstain": 1,
        "held_on": "2025-04-01", "place": "党群服务中心",
    }  # fmt: skip
    foreign = _meeting(other.committee, group.manager)
    response = client.post(f"{API}/topics/{topic.pk}/actions/tally", {**body, "meeting_id": foreign.pk})
    assert response.status_code == 400 and response.json()["detail"]["field"] == "meeting_id"
    own = _meeting(group.committee, group.manager)
    response = client.post(f"{API}/topics/{topic.pk}/actions/tally", {**body, "meeting_id": own.pk})
    assert response.status_code == 200, response.content


# --- the village, group, agenda, attendance and case a committee's actions name ----------------------------------


def test_a_committee_is_founded_on_a_village_and_group_of_ones_own_only(client):
    from tests.deliberation.factories import OTHER_VILLAGE, village, village_group

    boss = manager()
    village(OTHER_VILLAGE)
    village_group(OTHER_VILLAGE, 4)
    client.force_login(boss)
    url = f"{API}/committees"
    council = {"kind": "villager_council", "name": "理事会", "is_public": True}
    assert (
        client.post(url, {**council, "area_code": OTHER_VILLAGE}, content_type="application/json").status_code
        == 404
    )
    # group 4 exists, but in the other village: the number is looked up in the committee's own village
    five = {"kind": "five_person_group", "name": "五人小组", "area_code": VILLAGE, "village_group_number": 4}
    refused = client.post(url, five, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "bad_group"
    assert (
        client.post(url, {**council, "area_code": VILLAGE}, content_type="application/json").status_code
        == 201
    )


def test_an_agenda_and_an_attendance_name_the_committees_own_topics_and_members(client):
    group = five_person_group()
    other = four_two_committee(boss=group.manager)
    own_topic, foreign_topic = propose(group.committee), propose(other.committee)
    client.force_login(group.manager)
    url = f"{API}/committees/{group.committee.pk}/meetings"
    body = {
        "title": "议事会",
        "starts_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "place": "村委会",
    }
    refused = client.post(url, {**body, "topic_ids": [foreign_topic.pk]}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "bad_agenda"
    made = client.post(url, {**body, "topic_ids": [own_topic.pk]}, content_type="application/json")
    assert made.status_code == 201, made.content
    record = f"{API}/meetings/{made.json()['id']}/record"
    stranger = other.memberships[0].pk
    refused = client.post(record, {"minutes": "纪要", "present": [stranger]})
    assert refused.status_code == 400 and refused.json()["code"] == "bad_attendance"
    member = group.memberships[0].pk
    from tests.deliberation.test_api import photo

    assert (
        client.post(record, {"minutes": "纪要", "present": [member], "sign_in_sheet": photo()}).status_code
        == 200
    )


def test_a_topic_links_a_case_its_linker_can_see_and_no_other(client):
    from grassroots.cases import services as cases
    from tests.cases.conftest import ensure_seed
    from tests.deliberation.factories import OTHER_VILLAGE, village

    ensure_seed()
    group = five_person_group()
    topic = propose(group.committee)
    village(OTHER_VILLAGE)
    elsewhere = user_with(Role.VILLAGE_STAFF, OTHER_VILLAGE)
    foreign = cases.case_enter(
        actor=elsewhere,
        source="phone",
        category="0101",
        description="x",
        area_code=OTHER_GRID,
        reporter_name="甲",
    )
    own = cases.case_enter(
        actor=group.manager,
        source="phone",
        category="0101",
        description="x",
        area_code=GRID,
        reporter_name="乙",
    )
    client.force_login(group.manager)
    url = f"{API}/topics/{topic.pk}/links"
    for case_id in (foreign.pk, 999999):
        refused = client.post(
            url, {"kind": "case", "target_id": str(case_id)}, content_type="application/json"
        )
        assert refused.status_code == 400 and refused.json()["code"] == "no_such_case"
    done = client.post(url, {"kind": "case", "target_id": str(own.pk)}, content_type="application/json")
    assert done.status_code == 201, done.content


def test_page_hides_a_comment_of_the_topic_it_is_on_only(client):
    group = five_person_group()
    topic, other_topic = propose(group.committee), propose(group.committee)
    villager = resident(GRID)
    own = services.comment_add(actor=villager, topic=topic, text="意见")
    elsewhere = services.comment_add(actor=villager, topic=other_topic, text="意见")
    client.force_login(group.manager)
    url = reverse("deliberation:topic_act", args=[topic.pk, "hide_comment"])
    assert client.post(url, {"comment": elsewhere.pk, "reason": "人身攻击"}).status_code == 404
    assert client.post(url, {"comment": own.pk, "reason": "人身攻击"}).status_code == 302
    own.refresh_from_db()
    elsewhere.refresh_from_db()
    assert own.hidden_at is not None and elsewhere.hidden_at is None


def test_a_correction_names_an_opinion_of_its_own_topic_only(client):
    group = five_person_group()
    topic = five_person_to(propose(group.committee), group.members, "discuss")
    other_topic = five_person_to(propose(group.committee), group.members, "discuss")
    author = group.members[0]
    services.opinion_record(actor=author, topic=other_topic, stance="oppose", text="反对")
    elsewhere = other_topic.opinions.get()
    client.force_login(author)
    body = {"opinion_id": elsewhere.pk, "stance": "support", "text": "同意"}
    url = f"{API}/topics/{topic.pk}/actions/correct_opinion"
    assert client.post(url, body, content_type="application/json").status_code == 404
    page = reverse("deliberation:topic_act", args=[topic.pk, "correct_opinion"])
    assert client.post(page, {**body, "opinion": elsewhere.pk}).status_code == 404
    assert not elsewhere.corrections.exists()
    own = f"{API}/topics/{other_topic.pk}/actions/correct_opinion"
    assert client.post(own, body, content_type="application/json").status_code == 200
    assert elsewhere.corrections.count() == 1
