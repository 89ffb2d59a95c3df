"""The demo step: five-person groups in 民主村's village groups and elsewhere, topics in every step, all
written through the services; and its reset removes everything it built."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import User
from grassroots.deliberation.models import (
    Committee,
    CommitteeKind,
    Meeting,
    Membership,
    Opinion,
    Signature,
    Topic,
    TopicEvent,
    TopicRating,
)
from grassroots.demo.city import SEED_CODES
from grassroots.demo.deliberation import FIVE_PERSON_STATES, DeliberationStep
from grassroots.demo.steps import SCALES, DemoContext, load
from tests.once import built_once

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city's areas and the deliberation step, built once for the module inside a transaction
    rolled back at the end (each test runs in a savepoint inside it)."""

    def build():
        load(scale="small", until="city")
        ctx = DemoContext(SCALES["small"], 2026)
        step = DeliberationStep()
        return step, ctx, step.run(ctx)

    with built_once(django_db_blocker, build, media=tmp_path_factory.mktemp("media")) as world:
        yield world


def test_the_demo_deliberates_in_minzhu_and_elsewhere(built):
    _step, _ctx, counts = built
    minzhu = SEED_CODES["民主村"]
    groups = Committee.objects.filter(kind=CommitteeKind.FIVE_PERSON_GROUP)
    assert groups.filter(area_code=minzhu).count() == 6
    assert groups.exclude(area_code=minzhu).exists()
    assert Committee.objects.filter(kind=CommitteeKind.REPRESENTATIVES_MEETING, area_code=minzhu).exists()
    assert Committee.objects.filter(kind=CommitteeKind.VILLAGER_COUNCIL).exists()
    # every five-person group has its five seats, each with its own login
    for committee in groups:
        seated = Membership.objects.filter(committee=committee, ended_on__isnull=True)
        assert sorted(seated.values_list("seat", flat=True)) == [1, 2, 3, 4, 5]
        assert seated.filter(user__isnull=False).count() == 5
    # 民主村's first group has a topic in every step
    first = groups.get(area_code=minzhu, village_group__number=1)
    steps = set(Topic.objects.filter(committee=first).values_list("step", flat=True))
    assert {
        "propose",
        "declined",
        "discuss",
        "resolve",
        "sign",
        "publish",
        "carry_out",
        "evaluate",
        "closed",
    } <= steps
    assert Topic.objects.filter(committee=first, round__gt=1).exists()  # a refusal sent one back
    assert counts["topics"] == Topic.objects.count() and counts["topics"] >= len(FIVE_PERSON_STATES)
    assert Meeting.objects.filter(committee=first, recorded_offline=True).exclude(sign_in_sheet="").exists()
    assert TopicRating.objects.exists()
    # and what the services wrote holds together: a published decision has its five signatures
    for topic in Topic.objects.filter(
        published_at__isnull=False, committee__kind=CommitteeKind.FIVE_PERSON_GROUP
    ):
        assert (
            Signature.objects.filter(
                resolution__topic=topic, resolution__round=topic.round, decision="signed"
            ).count()
            == 5
        )
    assert not Topic.objects.filter(is_synthetic=False).exists()
    assert not Committee.objects.filter(is_synthetic=False).exists()


def test_the_demo_reset_removes_what_it_built(built):
    step, ctx, _counts = built
    step.reset(ctx)
    assert not Committee.objects.exists() and not Topic.objects.exists()
    assert not Opinion.objects.exists() and not TopicEvent.objects.exists()
    assert not User.objects.filter(username__startswith="minzhu").exists()
