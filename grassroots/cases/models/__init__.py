"""Cases (事件/诉求): categories, the case itself, its timeline, photos, and the working calendar.

The workflow — which action moves a case from which state to which, and who may take it — is in
``workflow.py``; this module only says what is kept. ``area_code`` is the area that currently owns the case
(its grid, or the village/township/county it was escalated to; scoping uses it), ``origin_code`` where the
case was routed when reported (never changes; the "where" of dashboards).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import fieldcrypt, geo
from grassroots.appendonly import AppendOnlyModel
from grassroots.areas.codes import Level
from grassroots.masking import mask_phone
from grassroots.messages import Message, Names
from grassroots.worktime.models import LimitUnit


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")  # 一般
    URGENT = "urgent", _("urgent")  # 较急
    EMERGENCY = "emergency", _("emergency")  # 紧急


class HandlerType(models.TextChoices):
    """Who normally takes a category (the dispatcher's first suggestion)."""

    GRID_WORKER = "grid_worker", _("grid worker")  # 网格员
    COMMUNITY = "community", _("village / community committee")  # 村(社区)两委
    TOWNSHIP = "township", _("township / street office")  # 乡镇/街道
    DEPARTMENT = "department", _("functional department")  # 职能部门
    UNIT = "unit", _("co-building unit / property company")  # 共建单位/物业


class CategoryClass(models.TextChoices):
    """The family a category belongs to in urban-management practice."""

    EVENT = "event", _("event")  # 事件
    COMPONENT = "component", _("component")  # 部件
    SERVICE = "service", _("service request")  # 民生服务/代办
    CONSULTATION = "consultation", _("consultation")  # 政策咨询


class Category(models.Model):
    """A service type (服务类型), one node of a tree: 2-digit top classes, 4-digit subclasses, ..."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # The name in other languages, shown to readers of that language (shown_name); empty: the name above.
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, default="")
    name_mn = models.CharField(
        _("name in Mongolian (traditional script)"), max_length=100, blank=True, default=""
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    category_class = models.CharField(
        _("class"), max_length=16, choices=CategoryClass.choices, default=CategoryClass.EVENT
    )
    description = models.TextField(_("description"), blank=True)
    default_urgency = models.CharField(
        _("default urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    handler_level = models.PositiveSmallIntegerField(
        _("level that normally handles it"), choices=Level.choices, default=Level.GRID
    )
    handler_type = models.CharField(
        _("handler type"), max_length=16, choices=HandlerType.choices, default=HandlerType.GRID_WORKER
    )
    # 常用语: replies a handler can pick instead of typing.
    canned_replies = models.JSONField(_("canned replies"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.shown_name}"

    @property
    def shown_name(self) -> str:
        """The name in the reader's language (``name_en`` for English) where it is filled, else as entered."""
        return self.names().text()

    def names(self) -> Names:
        """The name in every language it was entered in, to keep in a message (grassroots/messages.py)."""
        return Names(self.name, en=self.name_en, mn=self.name_mn)


class CategoryLimit(models.Model):
    """Response and handling limits of a category for one urgency. Missing → the parent's → defaults."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="limits")
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    response_amount = models.PositiveIntegerField(_("respond within"))
    response_unit = models.CharField(
        _("unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.HOURS
    )
    handling_amount = models.PositiveIntegerField(_("handle within"))
    handling_unit = models.CharField(
        _("unit"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.DAYS
    )

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="category_limit_unique"),
            models.CheckConstraint(
                condition=Q(response_amount__gt=0) & Q(handling_amount__gt=0), name="category_limit_positive"
            ),
        ]

    def __str__(self):
        return f"{self.category.code} {self.urgency}"


class CaseKind(models.TextChoices):
    PROBLEM = "problem", _("problem")  # 问题
    SUGGESTION = "suggestion", _("suggestion")  # 建议
    REQUEST = "request", _("request")  # 诉求
    SERVICE = "service", _("service")  # 服务 (代办帮办)


class Source(models.TextChoices):
    """The channel a case came in through."""

    MOBILE_WEB = "mobile_web", _("mobile web form")  # 随手拍
    API = "api", _("app / API")
    PHONE = "phone", _("phone call")  # 电话
    HOTLINE = "hotline", _("hotline")  # 12345 热线
    VISIT = "visit", _("household visit")  # 走访
    WALK_IN = "walk_in", _("walk-in")  # 来访
    ON_THE_SPOT = "on_the_spot", _("resolved on the spot")  # 即报即办 (grid worker)
    # 巡查发现: found by a grid worker on patrol, reported on the way (report page or API with the patrol) or
    # entered at the desk afterwards.
    PATROL = "patrol", _("patrol finding")
    DISCLOSURE = "disclosure", _("objection to a public notice")  # 公示异议
    # 未诉先办: opened by staff from a hotspot of the figures (reports recurring at a place) before anyone
    # reports the matter again.
    PROACTIVE = "proactive", _("proactive, from a hotspot")


class State(models.TextChoices):
    REPORTED = "reported", _("reported")  # 上报: waiting to be accepted at its level
    ACCEPTED = "accepted", _("accepted")  # 受理/立案: accepted, waiting to be dispatched
    DISPATCHED = "dispatched", _("dispatched")  # 派遣: with a handler
    HANDLED = "handled", _("handled")  # 处置反馈: the handler reported back, waiting for verification
    CLOSED = "closed", _("closed")  # 核查结案: verified (or resolved on the spot, or merged)
    # 作废/不予受理: with a reason the reporter sees
    CANCELLED = "cancelled", pgettext_lazy("case", "cancelled")
    SHELVED = "shelved", _("shelved")  # 挂账: parked, clock paused; unshelve returns to previous_state


OPEN_STATES = frozenset({State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.HANDLED, State.SHELVED})


class CloseReason(models.TextChoices):
    VERIFIED = "verified", _("verified")
    ON_THE_SPOT = "on_the_spot", _("resolved on the spot")
    MERGED = "merged", _("merged into another case")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")  # 满意
    BASICALLY = "basically", _("basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("unsatisfied")  # 不满意


class AssigneeKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("grid worker")
    USER = "user", _("staff member")
    DEPARTMENT = "department", _("department")
    UNIT = "unit", _("co-building unit")


class CoveringIndex(models.Index):
    """An index whose ``covering`` columns let a query be answered from the index alone: on PostgreSQL
    they are ``INCLUDE``d (stored, not keys), elsewhere (SQLite has no INCLUDE) they follow the keys."""

    def __init__(self, *, covering=(), **kwargs):
        self.covering = tuple(covering)
        super().__init__(**kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["covering"] = self.covering
        return path, args, kwargs

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.features.supports_covering_indexes:
            index = models.Index(
                fields=self.fields, name=self.name, opclasses=self.opclasses, include=self.covering
            )
        else:
            index = models.Index(fields=[*self.fields, *self.covering], name=self.name)
        return index.create_sql(model, schema_editor, using=using, **kwargs)


# What the metrics read of each case of a cohort (metrics.AGGREGATES and the cohort's filters).
METRICS_COLUMNS = (
    "merged_into", "state", "accepted_at", "response_due_at", "dispatched_at", "handled_at", "handling_due_at",
    "closed_at", "rework_count", "reopen_count", "closing_level", "assignee_kind", "assignee_name", "category",
    "self_verified_count",
)  # fmt: skip


class Case(models.Model):
    # Not stored: the intake services set these on the case they return (whether an earlier report with the
    # same key was returned instead; the events and photos that this call wrote), so that callers answer
    # without reading them back.
    replayed: bool
    written_events: list[CaseEvent]
    written_photos: list[CasePhoto]
    written_attempt: CallbackAttempt  # set by a callback (effects._callback) on the case it returns
    round_calls: list[CallbackAttempt]  # set by selectors.with_round_calls for the callback list
    # set by selectors.callback_rows_for: what a callback row shows its reader
    reporter_display: str
    phone_masked: str
    own_work: bool

    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices, default=CaseKind.PROBLEM)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service type")
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    # Plain text; every template and API consumer escapes it.
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)

    # Who reported: a login (resident, grid worker) and/or the caller's name and phone taken by staff.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=100, blank=True)
    reporter_phone = fieldcrypt.EncryptedTextField(_("reporter's phone"), blank=True, default="")
    reporter_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, default="")
    # SHA-256 of the request the key was first sent with: the key answers that request only (empty for cases
    # kept before keys were bound, which answer their key whatever is sent).
    idempotency_fingerprint = models.CharField(
        _("idempotency fingerprint"), max_length=64, blank=True, default=""
    )

    # Where: the point as stored (WGS-84), the coordinate system it came in, and the routing result.
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    crs = models.CharField(_("coordinate system"), max_length=16, blank=True, default="wgs84")
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    origin_code = models.CharField(_("routed to"), max_length=15, db_index=True)
    area_code = models.CharField(_("area code"), max_length=15)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    routing_method = models.CharField(_("routing method"), max_length=32, blank=True)
    routing_distance_m = models.FloatField(_("distance to the grid (m)"), null=True, blank=True)
    # How the place was decided, as written in the site's language (cases from before keep only this) and as a
    # message naming the area, put into words in the reader's language (shown_routing_explanation).
    routing_explanation = models.TextField(_("routing explanation"), blank=True)
    routing_explanation_data = models.JSONField(default=dict, blank=True, editable=False)

    # The workflow.
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REPORTED)
    previous_state = models.CharField(
        _("state before shelving"), max_length=16, choices=State.choices, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    assignee_kind = models.CharField(
        _("assignee kind"), max_length=16, choices=AssigneeKind.choices, blank=True
    )
    assignee_ref = models.CharField(_("assignee reference"), max_length=64, blank=True)
    assignee_name = models.CharField(_("assignee"), max_length=150, blank=True)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assignee login"),
    )
    # Who reported the case handled in this closure round, and who verified its closure: verification is
    # independent of handling (workflow: neither they nor the assignee may verify, nor rate it). A reopening
    # clears both.
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported handled by"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    # Closures verified by the person who had handled the case (or reported it handled, or had it assigned),
    # counted from the timelines of the cases closed so before the workflow refused it (cases 0011); the
    # workflow now refuses such a verification, so no closure adds to it.
    self_verified_count = models.PositiveSmallIntegerField(_("closures verified by their handler"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopen count"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("urge count"), default=0)
    last_urge_card = models.CharField(_("last urge card"), max_length=8, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )
    close_reason = models.CharField(_("closed as"), max_length=16, choices=CloseReason.choices, blank=True)
    closing_level = models.PositiveSmallIntegerField(
        _("closed at level"), choices=Level.choices, null=True, blank=True
    )
    closing_code = models.CharField(_("closed by area"), max_length=15, blank=True)
    # A pending extension request: {"amount", "unit", "reason", "by"} (null when none is pending).
    extension_request = models.JSONField(_("pending extension request"), null=True, blank=True)

    # Times and deadlines (aware datetimes).
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    shelved_at = models.DateTimeField(_("shelved at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("respond by"), null=True, blank=True)
    handling_due_at = models.DateTimeField(_("handle by"), null=True, blank=True)
    handling_started_at = models.DateTimeField(_("handling clock started"), null=True, blank=True)
    # Working seconds spent shelved, summed over every shelving (the clock stops while shelved).
    shelved_seconds = models.PositiveIntegerField(_("working seconds shelved"), default=0)
    # Set once by the deadline scan (idempotency markers for its reminders and escalations).
    response_overdue_at = models.DateTimeField(_("response overdue since"), null=True, blank=True)
    handling_warned_at = models.DateTimeField(_("handling reminder sent"), null=True, blank=True)
    handling_overdue_at = models.DateTimeField(_("handling overdue since"), null=True, blank=True)

    # The latest rating given (procedural close and real resolution are different facts), and the closure round
    # it belongs to (0: never rated). Every round's rating is kept in CaseRating, which the figures read; these
    # copies serve the pages and the workflow's guards, and a reopening leaves them as they are.
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    really_solved = models.BooleanField(_("really solved"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rated_round = models.PositiveSmallIntegerField(_("round of the latest rating"), default=0)

    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["area_code", "state", "-reported_at"], name="case_queue"),
            # The queue's scope; its level, channel and report time ride along so that filtering a county's
            # queue by level or channel, and sorting the page's ids, read no table rows (SQLite read every
            # case of the county for those filters).
            CoveringIndex(
                fields=["area_code"],
                name="case_area_prefix",
                opclasses=["varchar_pattern_ops"],
                covering=["level", "source", "reported_at"],
            ),
            models.Index(
                fields=["origin_code"], name="case_origin_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["reporter", "-reported_at"], name="case_reporter"),
            models.Index(fields=["assignee_user", "state"], name="case_assignee"),
            models.Index(fields=["state", "handling_due_at"], name="case_handling_due"),
            models.Index(fields=["category", "reported_at"], name="case_category_time"),
            # The metrics of an area and a period read the cohort from this index alone (a county's year:
            # ~0.1 s on PostgreSQL instead of ~0.5 s reading the table; docs/performance.md).
            CoveringIndex(
                fields=["origin_code", "reported_at"],
                name="case_metrics_cover",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                covering=METRICS_COLUMNS,
            ),
            # The hotspots' window (insights): the reports of the last days with their point, type, place and
            # what excludes them, from the index alone (the city's 30 days read ~38,000 table pages without it).
            CoveringIndex(
                fields=["reported_at"],
                name="case_window_points",
                covering=["origin_code", "category", "lon", "lat", "state", "source", "merged_into", "id"],
            ),
            # The proactive cases opened for hotspots, found by their key (insights marks the hotspots acted on):
            # a small index of those cases alone; SQLite read the whole table for the key.
            models.Index(
                fields=["idempotency_key"], condition=Q(source="proactive"), name="case_proactive_key"
            ),
            # The queue's overdue filter: the cases of two states in an area, with the running clocks'
            # deadlines and the sort key read from the index (SQLite read every case of the county).
            CoveringIndex(
                fields=["state", "area_code"],
                name="case_state_area",
                opclasses=["text_ops", "varchar_pattern_ops"],
                covering=["response_due_at", "handling_due_at", "reported_at"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="case_idempotency_unique",
            ),
            # A case entered by staff for a caller without a login: the key is the staff member's.
            models.UniqueConstraint(
                fields=["entered_by", "idempotency_key"],
                condition=~Q(idempotency_key="") & Q(reporter__isnull=True),
                name="case_entry_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.CLOSED)
                | (Q(closing_level__isnull=False) & Q(closed_at__isnull=False)),
                name="case_closed_has_level",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.SHELVED) | Q(shelved_at__isnull=False), name="case_shelved_has_time"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True)
                | (
                    Q(lon__gte=geo.LON_MIN)
                    & Q(lon__lte=geo.LON_MAX)
                    & Q(lat__gte=geo.LAT_MIN)
                    & Q(lat__lte=geo.LAT_MAX)
                ),
                name="case_point_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.category.name if self.category_id else ''}".strip()

    @property
    def shown_routing_explanation(self) -> str:
        """How the place was decided, in the reader's language (as stored, for cases from before)."""
        if self.routing_explanation_data:
            return Message.from_data(self.routing_explanation_data).text()
        return self.routing_explanation

    @property
    def reference(self) -> str:
        """The number a resident quotes on the phone: report date + id."""
        if self.pk is None or self.reported_at is None:
            return ""
        return f"{self.reported_at:%Y%m%d}{self.pk:07d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def round(self) -> int:
        """The closure round the case is in: 1, and one more after each reopening."""
        return self.reopen_count + 1

    @property
    def rated_this_round(self) -> bool:
        return self.rated_round == self.round

    @property
    def callback_phone(self) -> str:
        """The number to call the reporter back on: the one taken with the report, else their login's."""
        if self.reporter_phone:
            return self.reporter_phone
        return self.reporter.phone if self.reporter_id and self.reporter else ""


class EventAction(models.TextChoices):
    """What a timeline row records: the workflow actions plus the events no actor chooses."""

    REPORT = "report", _("reported")
    ACCEPT = "accept", _("accepted")
    CANCEL = "cancel", State.CANCELLED.label  # the timeline says what the state says
    DISPATCH = "dispatch", _("dispatched")
    RETURN = "return", _("returned")
    ESCALATE = "escalate", _("escalated")
    HANDLE = "handle", _("handled")
    VERIFY_PASS = "verify_pass", _("verified")
    VERIFY_FAIL = "verify_fail", _("verification failed")
    SHELVE = "shelve", _("shelved")
    UNSHELVE = "unshelve", _("unshelved")
    REQUEST_EXTENSION = "request_extension", _("extension requested")
    APPROVE_EXTENSION = "approve_extension", _("extension approved")
    REJECT_EXTENSION = "reject_extension", _("extension rejected")
    URGE = "urge", _("urged")
    MERGE = "merge", _("merged as a duplicate")
    REOPEN = "reopen", _("reopened")
    RATE = "rate", _("rated")
    NOTE = "note", _("note")
    RESOLVE_ON_THE_SPOT = "resolve_on_the_spot", _("resolved on the spot")
    DUPLICATE_MERGED = "duplicate_merged", _("a duplicate was merged in")
    RESPONSE_OVERDUE = "response_overdue", _("response overdue")
    HANDLING_WARNING = "handling_warning", _("handling deadline near")
    HANDLING_OVERDUE = "handling_overdue", _("handling overdue")
    CALLBACK = "callback", _("called back")  # 回访: staff called the reporter (reached or not)
    # 退回热线: a hotline work order that is not this platform's matter goes back to the 12345 hotline
    RETURN_TO_HOTLINE = "return_to_hotline", _("returned to the hotline")


class CaseEvent(models.Model):
    """One row of a case's timeline: who did what, when, what changed (old → new), and what the reporter
    is told. ``internal`` rows (staff notes) are never shown to the reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    action = models.CharField(_("action"), max_length=24, choices=EventAction.choices)
    old_state = models.CharField(
        pgettext_lazy("state", "from"), max_length=16, choices=State.choices, blank=True
    )
    new_state = models.CharField(_("to"), max_length=16, choices=State.choices, blank=True)
    # The case's version after this event (0 for events that do not change the workflow state).
    version = models.PositiveIntegerField(_("version"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    area_code = models.CharField(_("area code"), max_length=15)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    internal = models.BooleanField(_("staff only"), default=False)
    message = models.TextField(_("message to the reporter"), blank=True)
    # The same message kept as its words and values (grassroots.messages), shown in each reader's language.
    message_data = models.JSONField(_("message as written"), default=dict, blank=True)
    # {"field": [old, new], ...} plus action details (card, target, rating ...).
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["action", "at"])]

    def __str__(self):
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def shown_message(self) -> str:
        """The message to the reporter in the reader's language (as stored, for rows from before)."""
        return Message.from_data(self.message_data).text() if self.message_data else self.message


class RatingChannel(models.TextChoices):
    """Who gave a rating: the reporter themself, or staff asking the reporter (回访)."""

    REPORTER = "reporter", _("by the reporter")  # on the case page or in the app
    CALLBACK = "callback", _("callback survey")  # 回访: staff asked the reporter by phone or in person


class CaseRating(AppendOnlyModel):
    """One closure round's rating (评价) and its answer to "was it really solved?" (实质性解决).

    A case is in round 1 until it is first reopened, then in round 2, and so on; each round is rated at most
    once, by the reporter or through a callback. Rows are never edited (the database refuses UPDATE) and a
    reopening starts a new round instead of clearing anything, so an unsatisfied rating stays counted.

    The figures read these rows alone: ``origin_code``, the service type, the case's channel and the round's
    handler are copied from the case when the rating is given (none of them changes later for that round).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("case"))
    round = models.PositiveSmallIntegerField(_("closure round"))
    channel = models.CharField(_("rated through"), max_length=16, choices=RatingChannel.choices)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    # None: not answered (only rows carried over from before the question was asked every time).
    really_solved = models.BooleanField(_("really solved"), null=True, blank=True)
    comment = models.TextField(_("in the reporter's words"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    rated_at = models.DateTimeField(_("rated at"))
    origin_code = models.CharField(_("routed to"), max_length=15)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("case channel"), max_length=16, choices=Source.choices)
    assignee_kind = models.CharField(
        _("handler kind"), max_length=16, choices=AssigneeKind.choices, blank=True
    )
    assignee_name = models.CharField(_("handler"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["case", "round"]
        indexes = [
            # The ratings of an area given in a period, with what the figures count and group by, from the
            # index alone.
            CoveringIndex(
                fields=["origin_code", "rated_at"],
                name="case_rating_area_time",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                covering=[
                    "rating",
                    "really_solved",
                    "channel",
                    "source",
                    "category",
                    "assignee_kind",
                    "assignee_name",
                ],
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="case_rating_once_per_round"),
            models.CheckConstraint(condition=Q(round__gte=1), name="case_rating_round_positive"),
        ]

    def __str__(self):
        return f"{self.case_id} #{self.round} {self.rating}"


# Kept in modules of their own; part of this app's models like the rest.
# The working calendar lives in grassroots.worktime (disclosure counts its windows with it too).
from grassroots.worktime.models import CalendarSource, CalendarYear, ReferenceVersion, WorkingDay  # noqa: E402

from .callbacks import CallbackAttempt, CallbackOutcome  # noqa: E402
from .hotline import HotlineChannel, HotlineOrder, HotlineSheetLayout  # noqa: E402
from .photos import CasePhoto, PhotoStage  # noqa: E402
from .saved import SavedQueueView  # noqa: E402

__all__ = [
    "METRICS_COLUMNS",
    "OPEN_STATES",
    "AssigneeKind",
    "CalendarSource",
    "CalendarYear",
    "CallbackAttempt",
    "CallbackOutcome",
    "Case",
    "CaseEvent",
    "CaseKind",
    "CasePhoto",
    "CaseRating",
    "Category",
    "CategoryClass",
    "CategoryLimit",
    "CloseReason",
    "CoveringIndex",
    "EventAction",
    "HandlerType",
    "HotlineChannel",
    "HotlineOrder",
    "HotlineSheetLayout",
    "LimitUnit",
    "PhotoStage",
    "Rating",
    "RatingChannel",
    "ReferenceVersion",
    "SavedQueueView",
    "Source",
    "State",
    "Urgency",
    "WorkingDay",
]  # fmt: skip
