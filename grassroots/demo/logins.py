"""One demo login per role (and a superuser), all with the same password, printed when the demo loads.

The chain of logins follows one case's way up: a resident and the grid worker of 塞上社区's first grid, the
community's staff, 巴音宝力格镇, 乌拉特后旗 (county staff, a department, the command centre), and the city
(leader, administrator). The grid worker's login is linked to that grid's full-time worker; beside it one
login for each other kind of grid worker: a part-time worker of 团利村's first grid (rural grids have them)
and a red grid worker of 塞上社区's first grid. The party member (a resident of that grid whose branch, the
banner's retired cadres' branch, is in the same county) is linked to their member record by the workforce
step, with this year's check-in waiting for the grid branch.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from grassroots import personal
from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.accounts.services import role_grant, user_create
from grassroots.areas.models import Area
from grassroots.workforce.models import AssignmentRole, GridWorker, WorkerKind

from .city import CITY_CODE, SEED_CODES
from .steps import DemoContext, DemoError

PASSWORD = "Grassroots-2026"  # noqa: S105 - printed for everyone: these are demo logins
SAISHANG_GRID = SEED_CODES["塞上社区"] + "001"
# The first grid of 团利村, 乌拉特后旗's first village (not community) in the demo: rural grids have part-time
# workers, community grids have none.
TUANLI_GRID = "150825101201001"
PARTY_MEMBER_USERNAME = "partymember"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str | None  # None: the superuser, who needs no grant
    role_zh: str
    role_en: str
    display_name: str
    phone: str
    area_code: str | None
    worker_kind: str | None = None  # a grid worker's login is linked to a worker of this kind on its grid

    @property
    def is_staff(self) -> bool:
        """Django admin access: the administrator and the superuser."""
        return self.role in (None, Role.ADMINISTRATOR)


LOGINS: tuple[DemoLogin, ...] = (
    # username, role, Chinese and English role names, display name, phone, area
    DemoLogin("resident", Role.RESIDENT, "居民", "resident", "示例居民", "17000000001", SAISHANG_GRID),
    DemoLogin(
        "gridworker",
        Role.GRID_WORKER,
        "专职网格员",
        "full-time grid worker",
        "示例网格员",
        "17000000002",
        SAISHANG_GRID,
        WorkerKind.FULL_TIME,
    ),
    DemoLogin(
        "parttime",
        Role.GRID_WORKER,
        "兼职网格员",
        "part-time grid worker",
        "示例兼职网格员",
        "17000000011",
        TUANLI_GRID,
        WorkerKind.PART_TIME,
    ),
    DemoLogin(
        "redworker",
        Role.GRID_WORKER,
        "红色网格员",
        "red grid worker",
        "示例红色网格员",
        "17000000012",
        SAISHANG_GRID,
        WorkerKind.RED,
    ),
    DemoLogin(
        PARTY_MEMBER_USERNAME,
        Role.RESIDENT,
        "党员(居民)",
        "party member (resident)",
        "示例党员",
        "17000000013",
        SAISHANG_GRID,
    ),
    DemoLogin(
        "village",
        Role.VILLAGE_STAFF,
        "村(社区)干部",
        "village / community staff",
        "示例社区干部",
        "17000000003",
        SEED_CODES["塞上社区"],
    ),
    DemoLogin(
        "township",
        Role.TOWNSHIP_STAFF,
        "乡镇(街道)干部",
        "township / street staff",
        "示例镇干部",
        "17000000004",
        SEED_CODES["巴音宝力格镇"],
    ),
    DemoLogin(
        "county",
        Role.COUNTY_STAFF,
        "旗县干部",
        "county / banner staff",
        "示例旗干部",
        "17000000005",
        "150825",
    ),
    DemoLogin(
        "department",
        Role.DEPARTMENT_HANDLER,
        "职能部门经办人",
        "department handler",
        "示例部门经办人",
        "17000000006",
        "150825",
    ),
    DemoLogin(
        "supervisor", Role.SUPERVISOR, "指挥中心监督员", "supervisor", "示例监督员", "17000000007", "150825"
    ),
    DemoLogin("leader", Role.LEADER, "领导", "leader", "示例领导", "17000000008", CITY_CODE),
    DemoLogin(
        "administrator",
        Role.ADMINISTRATOR,
        "系统管理员",
        "administrator",
        "示例管理员",
        "17000000009",
        CITY_CODE,
    ),
    DemoLogin("admin", None, "超级用户", "superuser", "超级用户", "17000000010", None),
)


@dataclass(frozen=True)
class LoginRow:
    login: DemoLogin
    exists: bool
    area_name: str
    path: str  # where to log in


def login_rows() -> list[LoginRow]:
    """The demo logins as they stand in the database, for the table the command prints (two queries)."""
    existing = set(
        User.objects.filter(username__in=[x.username for x in LOGINS]).values_list("username", flat=True)
    )
    names = dict(
        Area.objects.filter(code__in=[x.area_code for x in LOGINS if x.area_code]).values_list("code", "name")
    )
    return [
        LoginRow(
            login=x,
            exists=x.username in existing,
            area_name=names.get(x.area_code, "") if x.area_code else "—",
            path="/admin/" if x.role is None else "/accounts/login/",
        )
        for x in LOGINS
    ]


class LoginsStep:
    name = "logins"
    label = _("demo logins")

    def run(self, ctx: DemoContext) -> dict[str, int]:
        areas = {
            a.code: a for a in Area.objects.filter(code__in=[x.area_code for x in LOGINS if x.area_code])
        }
        # One hash for all: the password is printed for everyone anyway, and each hash costs a fraction
        # of a second by design.
        validate_password(PASSWORD)
        password_hash = make_password(PASSWORD)
        for login in LOGINS:
            if login.area_code and login.area_code not in areas:
                continue  # an area this scale of the demo does not have
            user = _user(login, password_hash)
            if login.role is not None:
                role_grant(actor=None, user=user, role=login.role, area=areas[login.area_code])
            if login.role == Role.GRID_WORKER:
                _link_grid_worker(user, login)
        return {"logins": len(LOGINS)}

    def reset(self, ctx: DemoContext) -> None:
        users = User.objects.filter(username__in=[x.username for x in LOGINS], is_synthetic=True)
        GridWorker.objects.filter(user__in=users).update(user=None)
        RoleGrant.objects.filter(user__in=users).delete()
        for user in users:
            try:
                with transaction.atomic():
                    user.delete()
            except ProtectedError:
                pass  # it acted (the audit log names it): keep it; the next load reuses it


def _user(login: DemoLogin, password_hash: str) -> User:
    user = User.objects.filter(username=login.username).first()
    if user is not None and not user.is_synthetic:
        raise DemoError(
            _(
                "The demo needs the username %(username)s, which a real account uses; rename that account first."
            )
            % {"username": login.username}
        )
    if user is None:
        user = user_create(
            username=login.username,
            password=None,
            display_name=login.display_name,
            phone=login.phone,
            is_synthetic=True,
        )
    user.password = password_hash
    user.is_active = True
    user.is_staff = login.is_staff
    user.is_superuser = login.role is None
    user.save()
    return user


def _link_grid_worker(user: User, login: DemoLogin) -> None:
    """A grid worker's login belongs to a worker of its kind on its grid, who takes the login's name and
    phone so that the two read the same everywhere."""
    worker = (
        GridWorker.objects.filter(
            assignments__area_code=login.area_code,
            assignments__role=AssignmentRole.WORKER,
            assignments__ended_on__isnull=True,
            kind=login.worker_kind or WorkerKind.FULL_TIME,
            user__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if worker is None:
        return
    worker.user = user
    worker.phone = login.phone
    worker.phone_hash = personal.phone_hash(login.phone)
    worker.save(update_fields=["user", "phone", "phone_hash"])
    user.display_name = worker.name
    user.save(update_fields=["display_name"])
