"""The demo step: boards for the villages, a year of notices of every kind through the services, an objection
with its answer, one correction, every chain intact; its reset removes what it built."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.areas.models import Grid
from grassroots.demo.city import SEED_CODES
from grassroots.demo.disclosure import DisclosureStep, clerk_hint
from grassroots.demo.steps import SCALES, DemoContext, load
from grassroots.disclosure import selectors
from grassroots.disclosure.models import Board, Notice, NoticeKind, NoticeState, NoticeVersion, Objection

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_a_year_on_the_village_boards(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # given the demo city and a resident of 民主村
    load(scale="small", until="city")
    minzhu = SEED_CODES["民主村"]
    grid = Grid.objects.filter(area__code__startswith=minzhu).select_related("area").first()
    resident = User.objects.create(username="demo-resident-test")
    RoleGrant.objects.create(user=resident, role=Role.RESIDENT, area=grid.area, area_code=grid.area.code)
    ctx = DemoContext(SCALES["small"], 2026)
    # when the step runs
    counts = DisclosureStep().run(ctx)
    # then every kind is there, 民主村 first, with an objection answered and a correction
    assert counts["boards"] == Board.objects.count() > 1
    kinds = set(Notice.objects.filter(board__area_code=minzhu).values_list("kind", flat=True))
    assert kinds == set(NoticeKind.values)
    assert Objection.objects.exclude(answer="").exists()
    assert Notice.objects.filter(state=NoticeState.CONFIRMED, kind=NoticeKind.ALLOWANCE).exists()
    assert NoticeVersion.objects.filter(number=2).count() >= 1
    assert all(selectors.verify_notice(n).ok for n in Notice.objects.all())
    # and demo_load can name its clerk and the villages with notices, 民主村 first
    username, villages = clerk_hint()
    assert User.objects.filter(username=username).exists() and villages[0] == "民主村"
    assert len(villages) == Board.objects.filter(notices__isnull=False).distinct().count()
    # and its reset removes it
    DisclosureStep().reset(ctx)
    assert not Board.objects.exists() and not Notice.objects.exists()
    assert clerk_hint() is None
