from collections import Counter

import pytest
from django.db import connection

from grassroots import clock, fieldcrypt
from grassroots.areas.models import Grid, GridKind
from grassroots.demo.city import SEED_CODES
from grassroots.workforce.models import Assignment, AssignmentRole, GridWorker, WorkerKind
from grassroots.workforce.selectors import active_on, responsible_workers_for

pytestmark = pytest.mark.django_db


def test_workers_of_all_three_kinds_are_synthetic_with_encrypted_synthetic_phones(demo_city):
    kinds = Counter(GridWorker.objects.values_list("kind", flat=True))
    assert set(kinds) == {WorkerKind.FULL_TIME, WorkerKind.PART_TIME, WorkerKind.RED}
    assert not GridWorker.objects.filter(is_synthetic=False).exists()
    assert not GridWorker.objects.filter(kind=WorkerKind.RED, is_party_member=False).exists()
    assert GridWorker.objects.filter(is_party_member=False).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash FROM workforce_gridworker")
        stored = cursor.fetchall()
    workers = list(GridWorker.objects.all())
    assert all(not ciphertext.startswith("17") for ciphertext, _ in stored)
    for worker in workers:
        assert len(worker.phone) == 11 and worker.phone[:3] in ("170", "171")
        assert worker.phone_hash == fieldcrypt.keyed_hash(worker.phone)
    assert len({w.phone for w in workers}) == len(workers)


def test_every_grid_has_a_leader_workers_and_an_instructor(demo_city, django_assert_num_queries):
    grids = list(Grid.objects.select_related("area"))
    today_roles = Counter(
        (code, role)
        for code, role in Assignment.objects.filter(active_on(clock.today())).values_list("area_code", "role")
    )
    for grid in grids:
        code = grid.area.code
        assert today_roles[(code, AssignmentRole.LEADER)] == 1
        assert today_roles[(code, AssignmentRole.WORKER)] >= 1
        assert today_roles[(code, AssignmentRole.INSTRUCTOR)] == 1
    # routing names the grid leader first, the instructor last
    with django_assert_num_queries(1):
        workers = responsible_workers_for(SEED_CODES["一中街坊平房区"])
    leader = Assignment.objects.get(area_code=SEED_CODES["一中街坊平房区"], role=AssignmentRole.LEADER)
    instructor = Assignment.objects.get(
        area_code=SEED_CODES["一中街坊平房区"], role=AssignmentRole.INSTRUCTOR
    )
    assert workers[0] == leader.worker and workers[-1] == instructor.worker
    assert workers[1].kind == WorkerKind.FULL_TIME


def test_community_grids_have_full_time_workers_and_rural_grids_part_time_ones(demo_city):
    served = Assignment.objects.filter(role=AssignmentRole.WORKER, ended_on__isnull=True).select_related(
        "worker", "grid"
    )
    kinds_by_grid_kind = Counter((a.grid.kind, a.worker.kind) for a in served)
    assert kinds_by_grid_kind[(GridKind.COMMUNITY, WorkerKind.FULL_TIME)] > 0
    assert kinds_by_grid_kind[(GridKind.RURAL, WorkerKind.PART_TIME)] > 0
    assert kinds_by_grid_kind[(GridKind.COMMUNITY, WorkerKind.PART_TIME)] == 0
    assert kinds_by_grid_kind[(GridKind.RURAL, WorkerKind.FULL_TIME)] == 0
    # instructors belong to their village, workers to their grid
    for a in Assignment.objects.filter(role=AssignmentRole.INSTRUCTOR).select_related("worker")[:50]:
        assert a.worker.area_code == a.area_code[:12]
    # some history is kept: assignments that ended the day the current worker started
    ended = Assignment.objects.filter(ended_on__isnull=False)
    assert ended.exists()
    for a in ended:
        assert Assignment.objects.filter(area_code=a.area_code, role=a.role, started_on=a.ended_on).exists()
