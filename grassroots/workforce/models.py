"""Grid workers and their assignments to grids (the minimal part the foundation needs for routing).

The full workforce (party organisations, member check-in, teams, patrols) builds on these two models.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import fieldcrypt
from grassroots.masking import mask_phone


def _name_and_kind(record) -> str:
    """How a worker, a party organisation or a team is named in lists and choices: 名称（类别）."""
    return f"{record.name}（{record.get_kind_display()}）"


class WorkerKind(models.TextChoices):
    FULL_TIME = "full_time", _("full-time grid worker")  # 专职网格员
    PART_TIME = "part_time", _("part-time grid worker")  # 兼职网格员
    RED = (
        "red",
        _("red grid worker"),
    )  # 红色网格员: retired cadres and party members who register with the branch


class GridWorker(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_worker",
        verbose_name=_("login"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    phone = fieldcrypt.EncryptedTextField(_("mobile phone"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, null=True, blank=True, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=WorkerKind.choices)
    is_party_member = models.BooleanField(_("party member"), default=False)
    # The work phone is shown whole, as a tap-to-call link, to the residents of the grids the worker serves
    # (selectors.grid_workers_for_resident); the worker may hide it from them. Masked everywhere else.
    phone_hidden_from_residents = models.BooleanField(
        _("hide my work phone from the grid's residents"), default=False
    )
    # The area the worker belongs to (their grid, or the village for instructors): scoping key.
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        ordering = ["area_code", "name"]

    __str__ = _name_and_kind

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class AssignmentRole(models.TextChoices):
    LEADER = "leader", _("grid leader")  # 网格长
    WORKER = "worker", _("grid worker")  # 网格员
    INSTRUCTOR = "instructor", _("grid instructor")  # 网格指导员


class Assignment(models.Model):
    """A worker serves a grid in a role from ``started_on`` until ``ended_on`` (exclusive; open when null)."""

    worker = models.ForeignKey(
        GridWorker, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("worker")
    )
    grid = models.ForeignKey(
        "areas.Grid", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("grid")
    )
    area_code = models.CharField(_("area code"), max_length=15, db_index=True, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        ordering = ["area_code", "role", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
                name="assignment_range",
            ),
            # One open assignment per worker, grid and role (services also refuse closed overlaps).
            models.UniqueConstraint(
                fields=["worker", "grid", "role"],
                condition=Q(ended_on__isnull=True),
                name="assignment_one_open",
            ),
        ]
        indexes = [models.Index(fields=["grid", "ended_on"])]

    def __str__(self):
        return f"{self.worker} · {self.get_role_display()} · {self.area_code}"


# --- red grid workers' duties -------------------------------------------------------------------------


class RedDuty(models.TextChoices):
    POLICY = "policy", _("policy promotion")  # 政策宣传
    INFORMATION = "information", _("information relay")  # 信息传递
    LIVELIHOOD = "livelihood", _("livelihood service")  # 民生服务
    LIAISON = "liaison", _("resident liaison")  # 联系群众
    CIVILITY = "civility", _("civility")  # 文明创建
    PATROL = "patrol", _("public-security patrol")  # 治安巡逻
    HYGIENE = "hygiene", _("hygiene supervision")  # 卫生监督


class WorkerDuty(models.Model):
    """A red grid worker takes on ``duty`` in the area ``area_code`` (a grid or a village)."""

    worker = models.ForeignKey(
        GridWorker, on_delete=models.CASCADE, related_name="duties", verbose_name=_("worker")
    )
    duty = models.CharField(_("duty"), max_length=16, choices=RedDuty.choices)
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)

    class Meta:
        verbose_name = _("red grid worker duty")
        verbose_name_plural = _("red grid worker duties")
        ordering = ["area_code", "duty"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "duty", "area_code"], name="worker_duty_unique"),
        ]

    def __str__(self):
        return f"{self.worker.name} · {self.get_duty_display()} · {self.area_code}"


# --- party organisations and member check-in (报到) ----------------------------------------------------


class PartyOrgKind(models.TextChoices):
    COMMITTEE = "committee", _("party committee")  # 党委
    GENERAL_BRANCH = "general_branch", _("party general branch")  # 党总支
    BRANCH = "branch", _("party branch")  # 党支部
    GROUP = "group", _("party group")  # 党小组


class PartyOrganisation(models.Model):
    """A party organisation bound to an area. A branch bound to a grid is that grid's party branch, where
    in-service members living in the grid check in."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=PartyOrgKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    is_grid_branch = models.BooleanField(_("grid party branch"), default=False)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["area_code", "kind", "name"]

    __str__ = _name_and_kind


class MemberKind(models.TextChoices):
    """Who a party member is, for check-in (报到). Each kind checks in by its own rule
    (``workforce/check_in_rules.py``): by residence to the branch of the grid where they live, or by
    organisation to a branch of a grid where their unit is."""

    LOCAL = "local", _("member of a branch here")  # 组织关系在本地村/社区党组织
    IN_SERVICE = "in_service", _("in-service member")  # 在职党员：到居住地报到
    RETIRED = "retired", _("retired member or old cadre")  # 离退休党员、老干部：到居住地报到
    ORGANISATION = "organisation", _("member of a property company or co-building unit")  # 物业、共建单位党员


class PartyMember(models.Model):
    """A party member with their own branch (组织关系所在支部). ``home_grid_code`` is where they live;
    ``unit`` is the property company or co-building unit a member of that kind works in."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_member",
        verbose_name=_("login"),
    )
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="members", verbose_name=_("branch")
    )
    area_code = models.CharField(_("area code"), max_length=15, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=MemberKind.choices, default=MemberKind.LOCAL)
    home_grid_code = models.CharField(_("grid where they live"), max_length=15, blank=True, db_index=True)
    unit = models.ForeignKey(
        "people.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_members",
        verbose_name=_("unit"),
        help_text=_("the property company or co-building unit the member works in"),
    )
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["area_code", "name"]

    def __str__(self):
        return self.name


class CheckInStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")  # the member asked; the branch has not answered
    CONFIRMED = "confirmed", _("confirmed")  # the branch confirmed; hours may be logged
    DECLINED = "declined", _("declined")  # the branch declined (with a reason)


class CheckIn(models.Model):
    """A party member checks in (报到) to a grid's party branch for one year, pledging a service: by
    residence (the grid where they live) or by organisation (a grid where their unit is), as their kind
    says. The hours they serve are :class:`ServiceRecord` rows."""

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("member")
    )
    branch = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="check_ins",
        verbose_name=_("grid party branch"),
    )
    # The branch's grid: scoping key, and the grid whose figures count the hours.
    area_code = models.CharField(_("area code"), max_length=15, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    # The member's kind when they checked in: the roll lists the year's check-ins by it.
    kind = models.CharField(
        _("kind"), max_length=16, choices=MemberKind.choices, default=MemberKind.IN_SERVICE
    )
    pledge = models.TextField(_("service pledged"))
    status = models.CharField(
        _("status"), max_length=16, choices=CheckInStatus.choices, default=CheckInStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        verbose_name = _("member check-in")
        verbose_name_plural = _("member check-ins")
        ordering = ["-year", "area_code", "member__name"]
        constraints = [
            # One live check-in per member and year (a declined one may be followed by a new request).
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=~Q(status="declined"),
                name="check_in_one_per_year",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.year} · {self.area_code}"


class ServiceRecord(models.Model):
    """Hours a checked-in member served on a day, and what they did."""

    check_in = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, related_name="services", verbose_name=_("check-in")
    )
    area_code = models.CharField(_("area code"), max_length=15, db_index=True, editable=False)
    served_on = models.DateField(_("day"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    description = models.CharField(_("what was done"), max_length=300)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="service_hours_range"),
        ]


# --- volunteer teams (志愿服务队) and villager councils (村民理事会) -------------------------------------


class GroupKind(models.TextChoices):
    TEAM = "team", _("volunteer team")  # 志愿服务队
    COUNCIL = "council", _("villager council")  # 村民理事会


class ServiceGroup(models.Model):
    """A volunteer team or a villager council in an area; its activities are open to the area's residents."""

    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=100)
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    leader_name = models.CharField(_("leader"), max_length=100, blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer team or council")
        verbose_name_plural = _("volunteer teams and councils")
        ordering = ["area_code", "kind", "name"]

    __str__ = _name_and_kind


class GroupMember(models.Model):
    group = models.ForeignKey(
        ServiceGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("group")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    is_leader = models.BooleanField(_("leader"), default=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-is_leader", "name"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="group_member_unique")]

    def __str__(self):
        return self.name


class GroupActivity(models.Model):
    group = models.ForeignKey(
        ServiceGroup, on_delete=models.CASCADE, related_name="activities", verbose_name=_("group")
    )
    area_code = models.CharField(_("area code"), max_length=15, db_index=True, editable=False)
    held_on = models.DateField(_("day"))
    description = models.CharField(_("what was done"), max_length=300)
    participants = models.ManyToManyField(
        GroupMember, blank=True, related_name="activities", verbose_name=_("who took part")
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    photo = models.ImageField(_("photo"), upload_to="workforce/activities/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="activity_hours_range"),
        ]


# --- patrols (巡查) -----------------------------------------------------------------------------------


class Patrol(models.Model):
    """A grid worker's patrol from start to end. Its track (:class:`PatrolPoint`) is the worker's personal
    data: only their supervisors see it, and it is deleted after ``PATROL_TRACK_RETENTION_DAYS``."""

    worker = models.ForeignKey(
        GridWorker, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("worker")
    )
    area_code = models.CharField(_("area code"), max_length=15, db_index=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    point_count = models.PositiveIntegerField(_("positions kept"), default=0)
    track_deleted_at = models.DateTimeField(_("track deleted at"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_at__isnull=True), name="patrol_one_open"
            ),
        ]
        indexes = [models.Index(fields=["started_at"])]

    def __str__(self):
        return f"{self.worker.name} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self):
        if self.ended_at is None:
            return Decimal("0")
        seconds = (self.ended_at - self.started_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))


class PatrolPoint(models.Model):
    patrol = models.ForeignKey(
        Patrol, on_delete=models.CASCADE, related_name="points", verbose_name=_("patrol")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        verbose_name = _("patrol position")
        verbose_name_plural = _("patrol positions")
        ordering = ["patrol", "recorded_at"]
        indexes = [models.Index(fields=["patrol", "recorded_at"])]


class PatrolFinding(models.Model):
    """Something found on a patrol. ``case_id`` is the id of the case reported for it in the cases app
    (a plain integer: workforce sits below cases and never imports it; the cases app may fill it in)."""

    patrol = models.ForeignKey(
        Patrol, on_delete=models.CASCADE, related_name="findings", verbose_name=_("patrol")
    )
    area_code = models.CharField(_("area code"), max_length=15, db_index=True, editable=False)
    description = models.CharField(_("what was found"), max_length=300)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    case_id = models.PositiveBigIntegerField(_("case id"), null=True, blank=True, db_index=True)
    # A finding recorded without signal waits on the phone and may be sent more than once (an answer lost on
    # the way back): the key its form was given makes it one finding.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patrol", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="finding_once_per_key",
            )
        ]


class PatrolTask(models.Model):
    """A place a supervisor asks a grid's worker to patrol (巡查任务), e.g. where the same problem keeps being
    reported. The grid's responsible worker at the time it is set is named; the worker marks it done with a
    word on what they found. ``idempotency_key`` makes setting it idempotent: the same key from the same person gives
    the task made the first time."""

    area_code = models.CharField(_("grid"), max_length=15, db_index=True)
    worker = models.ForeignKey(
        GridWorker,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_tasks",
        verbose_name=_("worker"),
    )
    description = models.CharField(_("what to look at"), max_length=500)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    due_on = models.DateField(_("patrol by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    created_at = models.DateTimeField(_("set at"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, default="")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.CharField(_("what was found"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("patrol task")
        verbose_name_plural = _("patrol tasks")
        ordering = ["done_at", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="patrol_task_key_once",
            ),
        ]

    def __str__(self):
        return f"{self.area_code} · {self.due_on:%Y-%m-%d}"
