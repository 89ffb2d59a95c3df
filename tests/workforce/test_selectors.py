import datetime as dt

import pytest

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.workforce.models import AssignmentRole, WorkerKind
from grassroots.workforce.selectors import assignment_list_for_grid, responsible_workers_for
from tests.factories import UserFactory, grid, user_with

from .factories import GridWorkerFactory, assignment

pytestmark = pytest.mark.django_db

GRID = "150825100001001"
DAY = dt.date(2026, 3, 2)
LONG_AGO = dt.date(2025, 1, 1)


@pytest.fixture
def served_grid():
    """A grid with an instructor, a red worker, a part-time and a full-time worker, a leader, one worker
    who left and one who starts next week."""
    g = grid(GRID)
    people = {
        name: GridWorkerFactory(name=name, kind=kind, area_code=GRID)
        for name, kind in [
            ("指导员", WorkerKind.PART_TIME),
            ("红色", WorkerKind.RED),
            ("兼职", WorkerKind.PART_TIME),
            ("专职", WorkerKind.FULL_TIME),
            ("网格长", WorkerKind.FULL_TIME),
            ("离任", WorkerKind.FULL_TIME),
            ("新人", WorkerKind.FULL_TIME),
        ]
    }
    assignment(people["指导员"], g, AssignmentRole.INSTRUCTOR, LONG_AGO)
    assignment(people["红色"], g, AssignmentRole.WORKER, LONG_AGO)
    assignment(people["兼职"], g, AssignmentRole.WORKER, LONG_AGO)
    assignment(people["专职"], g, AssignmentRole.WORKER, LONG_AGO)
    assignment(people["网格长"], g, AssignmentRole.LEADER, LONG_AGO)
    assignment(people["网格长"], g, AssignmentRole.WORKER, LONG_AGO + dt.timedelta(days=1))  # listed once
    assignment(people["离任"], g, AssignmentRole.LEADER, LONG_AGO, dt.date(2025, 12, 31))
    assignment(people["新人"], g, AssignmentRole.WORKER, DAY + dt.timedelta(days=7))
    # another grid's worker never shows up
    assignment(GridWorkerFactory(name="邻居"), grid("150825100001002"), AssignmentRole.LEADER, LONG_AGO)
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        yield g


def test_responsible_workers_are_leader_first_then_workers_by_kind_then_instructors(
    served_grid, django_assert_num_queries
):
    with django_assert_num_queries(1):
        names = [w.name for w in responsible_workers_for(GRID)]
    assert names == ["网格长", "专职", "兼职", "红色", "指导员"]


def test_responsible_workers_of_one_role_and_kind_by_start_then_name_then_id():
    g = grid(GRID)
    workers = [GridWorkerFactory(name=n, kind=WorkerKind.FULL_TIME) for n in ("Ma", "Li", "Li", "Zhao")]
    assignment(workers[0], g, AssignmentRole.WORKER, LONG_AGO)
    assignment(workers[1], g, AssignmentRole.WORKER, LONG_AGO + dt.timedelta(days=3))
    assignment(workers[2], g, AssignmentRole.WORKER, LONG_AGO + dt.timedelta(days=3))
    assignment(workers[3], g, AssignmentRole.WORKER, LONG_AGO + dt.timedelta(days=2))
    # the earliest start first, whatever the name; on the same day by name, then by id
    assert responsible_workers_for(GRID, on=DAY) == [workers[0], workers[3], workers[1], workers[2]]


def test_responsible_workers_on_another_day():
    g = grid(GRID)
    leader = GridWorkerFactory(name="甲")
    assignment(leader, g, AssignmentRole.LEADER, LONG_AGO, dt.date(2025, 12, 31))
    assert [w.name for w in responsible_workers_for(GRID, on=dt.date(2025, 6, 1))] == ["甲"]
    assert responsible_workers_for(GRID, on=dt.date(2025, 12, 31)) == []
    assert responsible_workers_for("150825100001999") == []


def test_assignment_list_shows_current_assignments_to_any_role_in_scope(
    served_grid, django_assert_num_queries
):
    resident = user_with(Role.RESIDENT, GRID)
    with django_assert_num_queries(2):  # the user's grants, then the list with its workers
        rows = [(a.worker.name, a.role) for a in assignment_list_for_grid(user=resident, grid_code=GRID)]
    assert rows == [
        ("网格长", AssignmentRole.LEADER),
        ("专职", AssignmentRole.WORKER),
        ("网格长", AssignmentRole.WORKER),
        ("兼职", AssignmentRole.WORKER),
        ("红色", AssignmentRole.WORKER),
        ("指导员", AssignmentRole.INSTRUCTOR),
    ]


def test_assignment_list_with_history_puts_current_first(served_grid):
    staff = user_with(Role.VILLAGE_STAFF, "150825100001")
    rows = list(assignment_list_for_grid(user=staff, grid_code=GRID, include_ended=True))
    assert len(rows) == 8
    assert [a.worker.name for a in rows[:6]] == ["网格长", "专职", "网格长", "兼职", "红色", "指导员"]
    # then the not-yet-started and the ended ones
    assert {a.worker.name for a in rows[6:]} == {"离任", "新人"}


@pytest.mark.parametrize(
    "who",
    [
        lambda: user_with(Role.GRID_WORKER, "150825100001002"),  # neighbouring grid
        lambda: user_with(Role.COUNTY_STAFF, "150826"),  # another banner
        lambda: UserFactory(),  # no role at all
    ],
)
def test_assignment_list_is_empty_outside_scope(served_grid, who):
    assert list(assignment_list_for_grid(user=who(), grid_code=GRID, include_ended=True)) == []
