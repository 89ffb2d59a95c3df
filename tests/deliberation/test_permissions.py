"""The permission matrix: who × inside / outside the committee's village → allowed, or 403 / 404 with
nothing changed. Checked through the JSON API (same services as the pages) and, for the main cases, the
pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grassroots.accounts.models import Role
from grassroots.deliberation import services
from grassroots.deliberation.models import Comment, Follow, Membership, Signature, Topic, TopicRating
from tests.deliberation.factories import (
    GRID,
    OTHER_GRID,
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    five_person_group,
    five_person_to,
    propose,
)
from tests.factories import UserFactory, user_with

pytestmark = pytest.mark.django_db
API = "/api/v1/deliberation"

ACTORS = {
    "anonymous": lambda g: None,
    "no role": lambda g: UserFactory(),
    "resident inside": lambda g: user_with(Role.RESIDENT, GRID),
    "resident on the village": lambda g: user_with(Role.RESIDENT, VILLAGE),
    "resident outside": lambda g: user_with(Role.RESIDENT, OTHER_GRID),
    "grid worker inside": lambda g: user_with(Role.GRID_WORKER, GRID),
    "village staff inside": lambda g: g.manager,
    "village staff outside": lambda g: user_with(Role.VILLAGE_STAFF, OTHER_VILLAGE),
    "township staff inside": lambda g: user_with(Role.TOWNSHIP_STAFF, TOWNSHIP),
    "member": lambda g: g.members[0],
    "member of another group": lambda g: five_person_group(number=2, boss=g.manager).members[0],
}


def _client(client, actor):
    if actor is not None:
        client.force_login(actor)
    return client


def _world(is_public: bool, step: str = "sign"):
    group = five_person_group(is_public=is_public)
    topic = five_person_to(propose(group.committee), group.members, step)
    return group, topic


# expected outcome per actor: "ok", 401 (log in), 403 (sees it, may not), 404 (cannot see it)
VIEW_PRIVATE = {
    "anonymous": 404,
    "no role": 404,
    "resident inside": "ok",
    "resident on the village": "ok",
    "resident outside": 404,
    "grid worker inside": "ok",
    "village staff inside": "ok",
    "village staff outside": 404,
    "township staff inside": "ok",
    "member": "ok",
    "member of another group": "ok",  # a resident of the same village
}


@pytest.mark.parametrize("who", ACTORS)
def test_a_private_committees_topic_is_seen_only_inside_the_village(client, who):
    group, topic = _world(is_public=False)
    actor = ACTORS[who](group)
    response = _client(client, actor).get(f"{API}/topics/{topic.pk}")
    page = client.get(reverse("deliberation:topic", args=[topic.pk]))
    expected = VIEW_PRIVATE[who]
    assert response.status_code == (200 if expected == "ok" else expected)
    assert page.status_code == (200 if expected == "ok" else expected)


@pytest.mark.parametrize("who", ACTORS)
def test_a_public_committees_topic_is_seen_by_everyone_without_login(client, who):
    group, topic = _world(is_public=True)
    actor = ACTORS[who](group)
    c = _client(client, actor)
    assert c.get(f"{API}/topics/{topic.pk}").status_code == 200
    assert c.get(f"{API}/topics/{topic.pk}/timeline").status_code == 200
    page = c.get(reverse("deliberation:topic", args=[topic.pk]))
    assert page.status_code == 200
    assert "硬化道路".encode() in page.content  # the resolution under signature is visible


PROPOSE = {
    "anonymous": 401,
    "no role": 403,
    "resident inside": "ok",
    "resident on the village": "ok",
    "resident outside": 403,  # the committee is public: they see it, but may not propose
    "grid worker inside": 403,
    "village staff inside": "ok",
    "village staff outside": 403,
    "township staff inside": "ok",
    "member": "ok",
    "member of another group": "ok",
}


@pytest.mark.parametrize("who", ACTORS)
def test_who_may_propose_and_comment(client, who):
    group, topic = _world(is_public=True)
    actor = ACTORS[who](group)
    c = _client(client, actor)
    before = (Topic.objects.count(), Comment.objects.count())
    proposed = c.post(
        f"{API}/committees/{group.committee.pk}/topics",
        {"kind": "group_affairs", "title": "路灯", "description": "村口路灯坏了"},
        content_type="application/json",
    )
    commented = c.post(f"{API}/topics/{topic.pk}/comments", {"text": "支持"}, content_type="application/json")
    expected = PROPOSE[who]
    if expected == "ok":
        assert (proposed.status_code, commented.status_code) == (201, 201)
        assert (Topic.objects.count(), Comment.objects.count()) == (before[0] + 1, before[1] + 1)
    else:
        assert (proposed.status_code, commented.status_code) == (expected, expected)
        assert (Topic.objects.count(), Comment.objects.count()) == before


SIGN = {
    "anonymous": 401,
    "no role": 404,
    "resident inside": 403,
    "resident on the village": 403,
    "resident outside": 404,
    "grid worker inside": 403,
    "village staff inside": 403,
    "village staff outside": 404,
    "township staff inside": 403,
    "member": "ok",
    "member of another group": 403,
}


@pytest.mark.parametrize("who", ACTORS)
def test_only_a_member_signs_and_only_as_themself(client, who):
    group, topic = _world(is_public=False)
    actor = ACTORS[who](group)
    c = _client(client, actor)
    response = c.post(f"{API}/topics/{topic.pk}/actions/sign", {}, content_type="application/json")
    expected = SIGN[who]
    if expected == "ok":
        assert response.status_code == 200
        assert list(Signature.objects.values_list("signer_id", "channel")) == [(actor.pk, "api")]
    else:
        assert response.status_code == expected
        assert not Signature.objects.exists()
        assert Topic.objects.get(pk=topic.pk).version == topic.version


RATE = {
    "anonymous": 401,
    "no role": 403,
    "resident inside": "ok",
    "resident on the village": "ok",
    "resident outside": 403,
    "grid worker inside": 403,
    "village staff inside": 403,
    "village staff outside": 403,
    "township staff inside": 403,
    "member": "ok",  # members are residents of the area too
    "member of another group": "ok",
}


@pytest.mark.parametrize("who", ACTORS)
def test_residents_of_the_village_rate_the_result(client, who):
    group, topic = _world(is_public=True, step="evaluate")
    actor = ACTORS[who](group)
    response = _client(client, actor).post(
        f"{API}/topics/{topic.pk}/ratings", {"rating": "satisfied"}, content_type="application/json"
    )
    expected = RATE[who]
    assert response.status_code == (201 if expected == "ok" else expected)
    assert TopicRating.objects.count() == (1 if expected == "ok" else 0)


FOLLOW = {who: ("ok" if who != "anonymous" else 401) for who in ACTORS}


@pytest.mark.parametrize("who", ACTORS)
def test_anyone_logged_in_who_sees_a_public_topic_may_follow_it(client, who):
    group, topic = _world(is_public=True)
    actor = ACTORS[who](group)
    response = _client(client, actor).post(f"{API}/topics/{topic.pk}/follow")
    expected = FOLLOW[who]
    assert response.status_code == (204 if expected == "ok" else expected)
    assert Follow.objects.filter(topic=topic).exclude(user=topic.proposed_by).count() == (
        1 if expected == "ok" else 0
    )


MANAGE = {
    "anonymous": 401,
    "no role": 404,
    "resident inside": 403,
    "resident on the village": 403,
    "resident outside": 404,
    "grid worker inside": 403,
    "village staff inside": "ok",
    "village staff outside": 404,
    "township staff inside": "ok",
    "member": 403,
    "member of another group": 403,
}


@pytest.mark.parametrize("who", ACTORS)
def test_only_staff_of_the_village_seat_and_unseat_members(client, who):
    group, _topic = _world(is_public=False, step="propose")
    actor = ACTORS[who](group)
    c = _client(client, actor)
    leaving = group.memberships[4]
    ended = c.post(
        f"{API}/memberships/{leaving.pk}/end",
        {"ended_on": "2025-01-01", "reason": "迁出"},
        content_type="application/json",
    )
    expected = MANAGE[who]
    if expected == "ok":
        assert ended.status_code == 200
        seated = c.post(
            f"{API}/committees/{group.committee.pk}/members",
            {
                "seat": 5,
                "role": "elected_villager",
                "chosen_how": "elected",
                "started_on": "2025-01-02",
                "name": "孙村民",
            },
            content_type="application/json",
        )
        assert seated.status_code == 201
        assert Membership.objects.filter(committee=group.committee).count() == 6
    else:
        assert ended.status_code == expected
        assert Membership.objects.get(pk=leaving.pk).ended_on is None


def test_only_staff_hide_a_comment_and_the_placeholder_stays(client):
    group, topic = _world(is_public=True)
    comment = services.comment_add(actor=user_with(Role.RESIDENT, GRID), topic=topic, text="骂人的话")
    member = _client(client, group.members[0])
    assert (
        member.post(
            f"{API}/comments/{comment.pk}/hide", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    staff = _client(client, group.manager)
    response = staff.post(
        f"{API}/comments/{comment.pk}/hide", {"reason": "人身攻击"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["text"] == ""
    listed = client.get(f"{API}/topics/{topic.pk}/comments").json()
    assert listed[0]["hidden_reason"] == "人身攻击" and listed[0]["text"] == ""


def test_pages_refuse_with_403_and_a_message_that_says_what_to_do(client):
    group, topic = _world(is_public=True)
    outsider = user_with(Role.RESIDENT, OTHER_GRID)
    client.force_login(outsider)
    response = client.get(reverse("deliberation:propose", args=[group.committee.pk]))
    assert response.status_code == 403
    response = client.post(
        reverse("deliberation:topic_act", args=[topic.pk, "sign"]), {"version": topic.version}
    )
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_anonymous_actions_on_pages_go_to_the_login(client):
    _group, topic = _world(is_public=True)
    response = client.post(reverse("deliberation:topic_act", args=[topic.pk, "follow"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
