"""Who is told what (``alerts.ALERTS``), as a matrix: for every occasion of a topic's life — proposed, put on
the agenda, a count recorded, a resolution put to the vote, every vote in, every signature step reached — and
every role around it, the notification that role gets, or none.

Roles: the party branch (secretary and branch member), the villagers' committee (chair and member), the
villagers' representatives, the proposer (who follows from the start), a resident who follows, a resident who
does not, and the village staff who manage the committee.
"""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.deliberation import alerts, services
from grassroots.deliberation.models import Topic
from grassroots.notifications.models import Notification
from tests.deliberation.factories import GRID, five_person_group, four_two_committee, propose, resident

pytestmark = pytest.mark.django_db

ROLES = ("party", "committee", "representative", "proposer", "follower", "bystander", "manager")

# The notification each role gets on each occasion: "new" (a new topic to put on the agenda), "turn" (your turn
# in the step the topic reached), "vote" (a resolution to vote on), "step" (the followers' notice), or None.
FOUR_TWO_MATRIX = {
    "proposed": {"party": "new"},
    "put on the agenda": {"party": "turn", "committee": "turn", "proposer": "step", "follower": "step"},
    "every opinion in": {"party": "turn", "proposer": "step", "follower": "step"},
    "party members' count recorded": {
        "party": "turn",
        "committee": "turn",
        "proposer": "step",
        "follower": "step",
    },
    "resolution put to the vote": {"party": "vote", "committee": "vote", "representative": "vote"},
    "every vote in": {"party": "turn", "committee": "turn", "proposer": "step", "follower": "step"},
}


def _kind(title: str, topic: Topic) -> str:
    rows = {alerts._texts(a, topic)["title"]: a for a in alerts.ALERTS}
    alert = rows[title]
    if alert.on == alerts.MOVED:
        return "turn" if alert.to == alerts.Audience.MUST_ACT else "step"
    return "new" if alert.on == "proposed" else "vote"


def _told(people: dict, topic: Topic, since: int) -> dict[str, set]:
    topic = Topic.objects.select_related("committee").get(pk=topic.pk)
    got = {}
    for role, users in people.items():
        titles = Notification.objects.filter(
            pk__gt=since, recipient__in=users, target_id=str(topic.pk)
        ).values_list("recipient_id", "title")
        kinds = {(user, _kind(title, topic)) for user, title in titles}
        got[role] = {kind for _user, kind in kinds}
        assert len(titles) == len(kinds) <= len(users), (role, list(titles))  # once each, at most
        if kinds:
            assert {user for user, _kind_ in kinds} == {u.pk for u in users}, role  # the whole role, or none
    return got


def _last() -> int:
    last = Notification.objects.order_by("-pk").first()
    return last.pk if last else 0


def _expect(matrix_row: dict) -> dict[str, set]:
    return {role: {matrix_row[role]} if matrix_row.get(role) else set() for role in ROLES}


def test_who_is_told_on_every_occasion_of_a_four_deliberations_topic():
    group = four_two_committee()
    m = group.members  # secretary, branch member, chair, committee member, three representatives
    proposer, follower, bystander = resident(GRID), resident(GRID), resident(GRID)
    people = {
        "party": m[:2],
        "committee": m[2:4],
        "representative": m[4:],
        "proposer": [proposer],
        "follower": [follower],
        "bystander": [bystander],
        "manager": [group.manager],
    }
    seen = {}

    since = _last()
    topic = propose(group.committee, by=proposer)
    seen["proposed"] = _told(people, topic, since)
    services.topic_follow(actor=follower, topic=topic)

    since = _last()
    topic = services.topic_put_on_agenda(actor=m[0], topic=topic)
    seen["put on the agenda"] = _told(people, topic, since)

    since = _last()
    for member in m[:4]:
        topic = services.opinion_record(actor=member, topic=topic, stance="support", text="同意")
    seen["every opinion in"] = _told(people, topic, since)

    since = _last()
    counts = {"expected": 30, "present": 22, "agree": 18, "disagree": 3, "abstain": 1}
    topic = services.tally_record(actor=m[0], topic=topic, text="方案", held_on=dt.date(2025, 4, 1), **counts)
    seen["party members' count recorded"] = _told(people, topic, since)

    since = _last()
    topic = services.resolution_draft(actor=m[2], topic=topic, text="同意土地流转方案")
    assert not Notification.objects.filter(pk__gt=since, recipient=m[2]).exists()  # not of their own draft
    seen["resolution put to the vote"] = _told({**people, "committee": [m[3]]}, topic, since)

    since = _last()
    for member in m:
        topic = services.ballot_cast(actor=member, topic=topic, choice="agree")
    seen["every vote in"] = _told(people, topic, since)

    assert seen == {occasion: _expect(row) for occasion, row in FOUR_TWO_MATRIX.items()}


def test_every_member_of_a_five_person_group_is_told_to_sign_and_a_refusal_tells_them_to_discuss_again():
    group = five_person_group()
    follower = resident(GRID)
    topic = propose(group.committee)
    services.topic_follow(actor=follower, topic=topic)
    topic = services.topic_put_on_agenda(actor=group.members[0], topic=topic)
    for member in group.members:
        topic = services.opinion_record(actor=member, topic=topic, stance="support", text="同意")
    topic = services.resolution_draft(actor=group.members[0], topic=topic, text="硬化道路")
    people = {"members": group.members, "follower": [follower], "manager": [group.manager]}

    since = _last()
    for member in group.members:
        topic = services.ballot_cast(actor=member, topic=topic, choice="agree")
    assert topic.step == "sign"
    assert _told(people, topic, since) == {"members": {"turn"}, "follower": {"step"}, "manager": set()}

    since = _last()
    topic = services.signature_sign(actor=group.members[0], topic=topic)
    assert _told(people, topic, since) == {"members": set(), "follower": set(), "manager": set()}

    since = _last()
    topic = services.signature_refuse(actor=group.members[1], topic=topic, reason="补偿没有说清")
    assert topic.step == "discuss"
    assert _told(people, topic, since) == {"members": {"turn"}, "follower": {"step"}, "manager": set()}
