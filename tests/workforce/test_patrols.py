"""Patrols: start, positions validated and thinned, findings, end; the track for supervisors only; the
retention command deletes old tracks."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.accounts.models import Role, RoleGrant
from grassroots.accounts.scoping import OutOfScope, forget_grants
from grassroots.areas.models import Grid
from grassroots.errors import NotPermitted
from grassroots.workforce import selectors
from grassroots.workforce.models import AssignmentRole, Patrol, PatrolFinding, PatrolPoint
from grassroots.workforce.services import WorkforceError, patrols
from grassroots.workforce.services.patrols import Position
from tests.factories import area

from .conftest import G1, G2
from .factories import assignment

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)


def at(seconds: int) -> dt.datetime:
    return START + dt.timedelta(seconds=seconds)


def walk(seconds: list[int]) -> list[Position]:
    return [Position(at(s), 111.0 + s / 1e5, 40.0 + s / 1e5) for s in seconds]


@pytest.fixture
def patrol(world):
    with clock.frozen(START):
        return patrols.patrol_start(actor=world.worker_user, worker=world.worker)


def test_a_patrol_from_start_to_end(world, patrol):
    with clock.frozen(at(600)):
        kept = patrols.patrol_positions_add(
            actor=world.worker_user, patrol=patrol, positions=walk([0, 5, 20, 40])
        )
        finding = patrols.patrol_finding_add(
            actor=world.worker_user, patrol=patrol, description="井盖缺失", lon=111.0, lat=40.0
        )
    with clock.frozen(at(5400)):
        ended = patrols.patrol_end(actor=world.worker_user, patrol=patrol)
    assert kept == 3  # 5 s after the first is dropped at a 15 s rate
    assert ended.point_count == 3 and ended.hours == 1.5
    assert finding.area_code == G1 and finding.case_id is None
    assert patrols.patrol_finding_link_case(finding_id=finding.pk, case_id=77) == 1
    assert PatrolFinding.objects.get().case_id == 77
    with pytest.raises(WorkforceError) as caught, clock.frozen(at(5500)):
        patrols.patrol_positions_add(actor=world.worker_user, patrol=patrol, positions=walk([5500]))
    assert caught.value.code == "patrol_ended"


def test_one_open_patrol_per_worker(world, patrol):
    with pytest.raises(WorkforceError) as caught, clock.frozen(at(60)):
        patrols.patrol_start(actor=world.worker_user, worker=world.worker)
    assert caught.value.code == "patrol_open"


@pytest.mark.parametrize(
    "bad",
    [
        Position(at(30), 200.0, 40.0),
        Position(at(-3600), 111.0, 40.0),  # before the patrol
        Position(at(3 * 3600), 111.0, 40.0),  # in the future
        Position(dt.datetime(2026, 5, 4, 8, 1), 111.0, 40.0),  # no time zone
    ],
)
def test_a_batch_with_one_bad_position_saves_nothing(world, patrol, bad):
    with pytest.raises(WorkforceError), clock.frozen(at(600)):
        patrols.patrol_positions_add(actor=world.worker_user, patrol=patrol, positions=[*walk([0, 30]), bad])
    assert PatrolPoint.objects.count() == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(min_value=0, max_value=3000), max_size=60))
def test_kept_positions_are_never_closer_than_the_rate(world, offsets):
    Patrol.objects.all().delete()
    with clock.frozen(START):
        patrol = patrols.patrol_start(actor=None, worker=world.worker)
    with clock.frozen(at(3600)):
        kept = patrols.patrol_positions_add(actor=None, patrol=patrol, positions=walk(offsets))
    times = list(
        PatrolPoint.objects.filter(patrol=patrol)
        .order_by("recorded_at")
        .values_list("recorded_at", flat=True)
    )
    assert len(times) == kept == Patrol.objects.get(pk=patrol.pk).point_count
    assert all((b - a).total_seconds() >= 15 for a, b in itertools.pairwise(times))
    if offsets:
        assert times[0] == at(min(offsets))


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("worker_user", "ok"),
        ("other_worker_user", "403"),  # another worker of the same grid
        ("village_staff", "403"),
        ("resident", "403"),
        ("outside_staff", "404"),
    ],
)
def test_patrol_actions_permission_matrix(world, who, outcome):
    actor = getattr(world, who)
    with clock.frozen(START):
        if outcome == "ok":
            patrol = patrols.patrol_start(actor=actor, worker=world.worker)
        else:
            with pytest.raises(OutOfScope if outcome == "404" else NotPermitted):
                patrols.patrol_start(actor=actor, worker=world.worker)
            assert Patrol.objects.count() == 0
            patrol = patrols.patrol_start(actor=None, worker=world.worker)
    with clock.frozen(at(60)):
        for action in (
            lambda: patrols.patrol_positions_add(actor=actor, patrol=patrol, positions=walk([30])),
            lambda: patrols.patrol_finding_add(actor=actor, patrol=patrol, description="x"),
            lambda: patrols.patrol_end(actor=actor, patrol=patrol),
        ):
            if outcome == "ok":
                action()
            else:
                with pytest.raises(OutOfScope if outcome == "404" else NotPermitted):
                    action()
    if outcome != "ok":
        patrol.refresh_from_db()
        assert patrol.ended_at is None and patrol.point_count == 0
        assert not PatrolFinding.objects.exists()


@pytest.mark.parametrize(
    ("who", "sees_patrol", "sees_track"),
    [
        ("worker_user", True, False),  # their own patrol, but the track is for supervisors
        ("village_staff", True, True),
        ("township_staff", True, True),
        ("supervisor", True, True),
        ("other_worker_user", False, False),
        ("resident", False, False),
        ("outside_staff", False, False),
    ],
)
def test_track_is_visible_to_supervisors_only(world, patrol, who, sees_patrol, sees_track):
    with clock.frozen(at(600)):
        patrols.patrol_positions_add(actor=None, patrol=patrol, positions=walk([0, 60]))
    user = getattr(world, who)
    listed = list(selectors.patrol_list_for(user=user))
    assert (patrol in listed) is sees_patrol
    if not sees_patrol:
        with pytest.raises(OutOfScope):
            selectors.patrol_get_for(user=user, pk=patrol.pk)
    if sees_track:
        assert len(selectors.patrol_track_for(user=user, patrol=patrol)) == 2
    else:
        with pytest.raises(OutOfScope):
            selectors.patrol_track_for(user=user, patrol=patrol)


def test_retention_command_deletes_old_tracks_only(world, settings):
    # given an old patrol and a recent one, each with positions
    settings.PATROL_TRACK_RETENTION_DAYS = 30
    now = dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)
    old_start = now - dt.timedelta(days=31)
    recent_start = now - dt.timedelta(days=29)
    made = []
    for start in (old_start, recent_start):
        with clock.frozen(start):
            p = patrols.patrol_start(actor=None, worker=world.worker)
        with clock.frozen(start + dt.timedelta(minutes=10)):
            patrols.patrol_positions_add(
                actor=None,
                patrol=p,
                positions=[Position(start + dt.timedelta(seconds=s), 111, 40) for s in (0, 60)],
            )
            patrols.patrol_finding_add(actor=None, patrol=p, description="垃圾")
            patrols.patrol_end(actor=None, patrol=p)
        made.append(p)
    # when the periodic command runs
    with clock.frozen(now):
        call_command("patrol_tracks_purge")
    # then the old track is gone, its patrol and findings stay; the recent track is kept
    old, recent = (Patrol.objects.get(pk=p.pk) for p in made)
    assert not PatrolPoint.objects.filter(patrol=old).exists()
    assert old.track_deleted_at is not None and old.point_count == 0
    assert PatrolFinding.objects.filter(patrol=old).exists()
    assert PatrolPoint.objects.filter(patrol=recent).count() == 2
    assert recent.track_deleted_at is None


def test_patrol_list_query_count_is_pinned(world, patrol, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert [p.worker.name for p in selectors.patrol_list_for(user=world.supervisor)] == ["李巡"]


def test_a_patrol_counts_in_the_one_grid_its_worker_serves(world):
    # given a worker whose own area is their village, serving one grid of it
    world.worker.area_code = G1[:12]
    world.worker.save(update_fields=["area_code"])
    g1 = Grid.objects.get(area__code=G1)
    assignment(world.worker, g1, AssignmentRole.WORKER, dt.date(2020, 1, 1))
    # when they start a patrol without naming a grid, then it is counted in that grid
    patrol = patrols.patrol_start(actor=world.worker_user, worker=world.worker)
    assert patrol.area_code == G1
    patrols.patrol_end(actor=world.worker_user, patrol=patrol)
    assert selectors.grid_figures(grid_code=G1, year=patrol.started_at.year)["patrols"] == 1


def test_a_worker_of_several_grids_names_one_of_theirs_or_patrols_their_area(world):
    # given a worker of the village, with the grid-worker role over it, serving two grids
    world.worker.area_code = G1[:12]
    world.worker.save(update_fields=["area_code"])
    RoleGrant.objects.create(
        user=world.worker_user, role=Role.GRID_WORKER, area=area(G1[:12]), area_code=G1[:12]
    )
    forget_grants(world.worker_user)
    for code in (G1, G2):
        assignment(
            world.worker, Grid.objects.get(area__code=code), AssignmentRole.WORKER, dt.date(2020, 1, 1)
        )
    # when they name neither, then the patrol is in their own area
    first = patrols.patrol_start(actor=world.worker_user, worker=world.worker)
    assert first.area_code == G1[:12]
    patrols.patrol_end(actor=world.worker_user, patrol=first)
    # when they name the second grid, then it is there
    second = patrols.patrol_start(actor=world.worker_user, worker=world.worker, grid_code=G2)
    assert second.area_code == G2
    patrols.patrol_end(actor=world.worker_user, patrol=second)
    # and a grid they do not serve is refused with a clear message, nothing started
    with pytest.raises(WorkforceError) as caught:
        patrols.patrol_start(actor=world.worker_user, worker=world.worker, grid_code="150825100001009")
    assert caught.value.code == "patrol_grid" and "150825100001009" in str(caught.value.message)
    assert Patrol.objects.filter(worker=world.worker).count() == 2


def test_the_patrol_page_offers_the_grids_the_worker_may_patrol(client, world):
    # given a worker serving two grids, whose login holds the grid-worker role over the first only
    world.worker.area_code = G1[:12]
    world.worker.save(update_fields=["area_code"])
    for code in (G1, G2):
        assignment(
            world.worker, Grid.objects.get(area__code=code), AssignmentRole.WORKER, dt.date(2020, 1, 1)
        )
    client.force_login(world.worker_user)
    # when they open the patrol page, then only the first grid is offered (one grid: no choice shown)
    assert selectors.patrol_grid_choices(user=world.worker_user, worker=world.worker) == [
        (G1, Grid.objects.get(area__code=G1).area.name)
    ]
    assert 'name="grid_code"' not in client.get("/grids/patrols/").content.decode()
    # when they start with the grid they may patrol, then the patrol counts there
    client.post("/grids/patrols/", {"grid_code": G1})
    assert Patrol.objects.get(worker=world.worker).area_code == G1


def test_a_patrol_done_offline_arrives_once_however_often_the_phone_sends_it(world, patrol):
    # given positions and a finding kept on a phone without signal, sent twice (the first answer lost)
    with clock.frozen(at(600)):
        for _ in range(2):
            patrols.patrol_positions_add(actor=world.worker_user, patrol=patrol, positions=walk([0, 20, 40]))
            found = patrols.patrol_finding_add(
                actor=world.worker_user, patrol=patrol, description="围栏断了", idempotency_key="f-1"
            )
        # then each is kept once; another key is another finding
        other = patrols.patrol_finding_add(
            actor=world.worker_user, patrol=patrol, description="围栏断了", idempotency_key="f-2"
        )
    assert PatrolPoint.objects.filter(patrol=patrol).count() == 3
    assert PatrolFinding.objects.filter(patrol=patrol).count() == 2 and other.pk != found.pk
