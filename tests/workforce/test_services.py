import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots import clock, fieldcrypt
from grassroots.accounts.models import AuditLog, Role
from grassroots.accounts.scoping import OutOfScope
from grassroots.errors import DomainError, NotPermitted
from grassroots.workforce import services
from grassroots.workforce.models import Assignment, AssignmentRole, GridWorker, WorkerKind
from tests.factories import area, grid, user_with

from .factories import GridWorkerFactory, assignment

pytestmark = pytest.mark.django_db

GRID = "150825100001001"
OTHER_GRID = "150826100001001"  # another banner
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def frozen_day():
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        yield DAY


def test_worker_phone_is_encrypted_at_rest_with_a_keyed_hash():
    # given a grid
    grid(GRID)
    # when a worker is registered with a formatted number
    worker = services.worker_create(
        actor=None,
        name="李红",
        kind=WorkerKind.RED,
        area_code=GRID,
        phone="+86 171-0000-1234",
        is_party_member=True,
    )
    # then the number is stored encrypted, found by its hash, and masked for lists
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash FROM workforce_gridworker WHERE id = %s", [worker.pk])
        stored, stored_hash = cursor.fetchone()
    assert "17100001234" not in stored
    assert stored_hash == fieldcrypt.keyed_hash("17100001234")
    assert GridWorker.objects.get(phone_hash=stored_hash).phone == "17100001234"
    assert worker.phone_masked == "171****1234"
    assert worker.is_party_member


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"phone": "12345"}, "bad_phone"),
        ({"kind": "volunteer"}, "unknown_kind"),
        ({"area_code": "150825100"}, "bad_area"),  # a township: workers belong to grids or villages
        ({"area_code": "150825100009"}, "bad_area"),  # no such area
        ({"name": "  "}, "name_required"),
    ],
)
def test_worker_create_refuses_bad_input_and_creates_nothing(fields, code):
    grid(GRID)
    area("150825100")
    given = {
        "name": "王芳",
        "kind": WorkerKind.FULL_TIME,
        "area_code": GRID,
        "phone": "17100001234",
        **fields,
    }
    with pytest.raises(DomainError) as exc:
        services.worker_create(actor=None, **given)
    assert exc.value.code == code
    assert str(exc.value.message)
    assert GridWorker.objects.count() == 0


def test_instructor_belongs_to_a_village_and_a_login_to_one_worker():
    area("150825100001")
    user = user_with(Role.GRID_WORKER, "150825100001")
    services.worker_create(
        actor=None, name="赵强", kind=WorkerKind.PART_TIME, area_code="150825100001", user=user
    )
    with pytest.raises(DomainError) as exc:
        services.worker_create(
            actor=None, name="钱多", kind=WorkerKind.PART_TIME, area_code="150825100001", user=user
        )
    assert exc.value.code == "user_taken"
    assert GridWorker.objects.count() == 1


ALLOWED = {Role.ADMINISTRATOR, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF}
GRANT_AREA = {
    Role.RESIDENT: GRID,
    Role.GRID_WORKER: GRID,
    Role.VILLAGE_STAFF: "150825100001",
    Role.TOWNSHIP_STAFF: "150825100",
}


def _actor(role, *, inside: bool):
    code = GRANT_AREA.get(role, "150825")
    if not inside:
        code = "150826" + code[6:]
    return user_with(role, code)


@pytest.mark.parametrize("inside", [True, False], ids=["inside", "outside"])
@pytest.mark.parametrize("role", list(Role))
def test_worker_create_permission_matrix(role, inside):
    # given a grid and an actor whose grant is inside or outside its banner
    grid(GRID)
    actor = _actor(role, inside=inside)
    audits = AuditLog.objects.count()
    # when they register a worker on the grid
    call = lambda: services.worker_create(actor=actor, name="孙丽", kind=WorkerKind.FULL_TIME, area_code=GRID)  # noqa: E731
    if inside and role in ALLOWED:
        worker = call()
        # then it is created and audited
        assert GridWorker.objects.filter(pk=worker.pk).exists()
        assert AuditLog.objects.filter(action="worker.create", target_id=str(worker.pk)).exists()
    else:
        # then outside scope is "not found", inside without the role is "not permitted"; nothing changed
        with pytest.raises(NotPermitted if inside else OutOfScope):
            call()
        assert GridWorker.objects.count() == 0
        assert AuditLog.objects.count() == audits


@pytest.mark.parametrize("inside", [True, False], ids=["inside", "outside"])
@pytest.mark.parametrize("role", list(Role))
def test_assignment_start_and_end_permission_matrix(role, inside, frozen_day):
    g = grid(GRID)
    worker = GridWorkerFactory(area_code=GRID)
    existing = assignment(worker, g, AssignmentRole.LEADER, DAY - dt.timedelta(days=30))
    actor = _actor(role, inside=inside)
    if inside and role in ALLOWED:
        started = services.assignment_start(actor=actor, worker=worker, grid=g, role=AssignmentRole.WORKER)
        ended = services.assignment_end(actor=actor, assignment=existing, reason="调岗")
        assert started.started_on == DAY and started.area_code == GRID
        assert ended.ended_on == DAY
        assert AuditLog.objects.filter(action__in=["assignment.start", "assignment.end"]).count() == 2
    else:
        expected = NotPermitted if inside else OutOfScope
        with pytest.raises(expected):
            services.assignment_start(actor=actor, worker=worker, grid=g, role=AssignmentRole.WORKER)
        with pytest.raises(expected):
            services.assignment_end(actor=actor, assignment=existing)
        assert list(Assignment.objects.values_list("role", "ended_on")) == [(AssignmentRole.LEADER, None)]
        assert not AuditLog.objects.filter(action__startswith="assignment.").exists()


def test_village_staff_cannot_assign_a_worker_of_another_village(frozen_day):
    # given a worker of village 001 and village staff of village 002 (same township)
    worker = GridWorkerFactory(area_code=GRID)
    other = grid("150825100002001")
    staff = user_with(Role.VILLAGE_STAFF, "150825100002")
    # when the staff assign that worker to their own grid, then they are refused
    with pytest.raises(OutOfScope):
        services.assignment_start(actor=staff, worker=worker, grid=other, role=AssignmentRole.WORKER)
    assert Assignment.objects.count() == 0


def test_ending_keeps_history_and_a_new_assignment_may_follow(frozen_day):
    # given a worker who led the grid and stepped down
    g = grid(GRID)
    worker = GridWorkerFactory(area_code=GRID)
    first = services.assignment_start(
        actor=None, worker=worker, grid=g, role=AssignmentRole.LEADER, started_on=dt.date(2025, 1, 1)
    )
    services.assignment_end(actor=None, assignment=first, ended_on=dt.date(2025, 6, 1))
    # when they lead it again from a later day
    second = services.assignment_start(actor=None, worker=worker, grid=g, role=AssignmentRole.LEADER)
    # then both rows remain: the closed one and the open one
    rows = list(Assignment.objects.order_by("started_on").values_list("started_on", "ended_on"))
    assert rows == [(dt.date(2025, 1, 1), dt.date(2025, 6, 1)), (DAY, None)]
    assert second.pk != first.pk


def test_overlapping_assignment_of_same_worker_grid_and_role_is_refused(frozen_day):
    g = grid(GRID)
    worker = GridWorkerFactory(area_code=GRID)
    services.assignment_start(actor=None, worker=worker, grid=g, role=AssignmentRole.WORKER)
    # the same role again is refused, with a message that says what to do
    with translation.override("en"), pytest.raises(DomainError) as exc:  # the test reads the English wording
        services.assignment_start(actor=None, worker=worker, grid=g, role=AssignmentRole.WORKER)
    assert exc.value.code == "assignment_overlaps"
    with translation.override("en"):
        assert "end that assignment first" in str(exc.value.message)
    # another role on the same grid, or the same role on another grid, is fine
    services.assignment_start(actor=None, worker=worker, grid=g, role=AssignmentRole.LEADER)
    services.assignment_start(
        actor=None, worker=worker, grid=grid("150825100001002"), role=AssignmentRole.WORKER
    )
    assert Assignment.objects.count() == 3


def test_start_before_a_closed_assignment_ends_is_refused(frozen_day):
    g = grid(GRID)
    worker = GridWorkerFactory(area_code=GRID)
    assignment(worker, g, AssignmentRole.WORKER, dt.date(2025, 1, 1), dt.date(2025, 6, 1))
    with pytest.raises(DomainError) as exc:
        services.assignment_start(
            actor=None, worker=worker, grid=g, role=AssignmentRole.WORKER, started_on=dt.date(2025, 5, 31)
        )
    assert exc.value.code == "assignment_overlaps"
    # the end day is exclusive: starting on it is fine
    services.assignment_start(
        actor=None, worker=worker, grid=g, role=AssignmentRole.WORKER, started_on=dt.date(2025, 6, 1)
    )


def test_end_refuses_a_day_not_after_the_start_and_a_second_end(frozen_day):
    g = grid(GRID)
    worker = GridWorkerFactory(area_code=GRID)
    a = services.assignment_start(actor=None, worker=worker, grid=g, role=AssignmentRole.WORKER)
    with pytest.raises(DomainError) as exc:
        services.assignment_end(actor=None, assignment=a, ended_on=DAY)
    assert exc.value.code == "assignment_end_before_start"
    services.assignment_end(actor=None, assignment=a, ended_on=DAY + dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        services.assignment_end(actor=None, assignment=a, ended_on=DAY + dt.timedelta(days=5))
    assert exc.value.code == "assignment_ended"
    assert Assignment.objects.get(pk=a.pk).ended_on == DAY + dt.timedelta(days=1)


def test_unknown_role_is_refused():
    g = grid(GRID)
    worker = GridWorkerFactory(area_code=GRID)
    with pytest.raises(DomainError) as exc:
        services.assignment_start(actor=None, worker=worker, grid=g, role="captain")
    assert exc.value.code == "unknown_role"


def test_database_keeps_one_open_assignment_per_worker_grid_and_role():
    g = grid(GRID)
    worker = GridWorkerFactory(area_code=GRID)
    assignment(worker, g, AssignmentRole.WORKER, dt.date(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        assignment(worker, g, AssignmentRole.WORKER, dt.date(2025, 2, 1))


# Operations: ("start", day offset) or ("end", day offset) on one worker, grid and role.
operations = st.lists(
    st.tuples(st.sampled_from(["start", "end"]), st.integers(min_value=0, max_value=60)), max_size=12
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_property_assignments_of_one_worker_grid_and_role_never_overlap(ops):
    # given any sequence of starts and ends, each either accepted or refused with a domain error
    Assignment.objects.all().delete()
    g = grid(GRID)
    worker = GridWorker.objects.filter(area_code=GRID).first() or GridWorkerFactory(area_code=GRID)
    base = dt.date(2026, 1, 1)
    for action, offset in ops:
        day = base + dt.timedelta(days=offset)
        try:
            if action == "start":
                services.assignment_start(
                    actor=None, worker=worker, grid=g, role=AssignmentRole.WORKER, started_on=day
                )
            else:
                open_one = Assignment.objects.filter(worker=worker, ended_on__isnull=True).first()
                if open_one is not None:
                    services.assignment_end(actor=None, assignment=open_one, ended_on=day)
        except DomainError:
            pass
    # then the kept intervals [started_on, ended_on) are pairwise disjoint and at most one is open
    far = dt.date(9999, 1, 1)
    spans = sorted((a.started_on, a.ended_on or far) for a in Assignment.objects.filter(worker=worker))
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        assert end <= next_start
    assert sum(1 for _, end in spans if end == far) <= 1
