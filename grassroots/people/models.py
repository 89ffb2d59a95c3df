"""The register: households, residents, key-group labels, places, visits, proxy services, imports.

Every row carries ``area_code``, the code of its grid (a place may sit higher: a county department), and is
read only through ``accounts.scoping.scoped``. ID and phone numbers are personal data: stored encrypted
(``fieldcrypt.EncryptedTextField``) with a keyed hash beside them for exact lookup and de-duplication, and a
mask beside that, so that lists, searches and exports never decrypt anything. The services keep the three
columns in step; nothing here computes them in ``save()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from grassroots import fieldcrypt

from .codes import Attention, Ethnicity, KeyGroup, PlaceKind, PoliticalStatus, Relation, ResidenceType

_PATTERN = ["varchar_pattern_ops"]  # prefix (LIKE 'x%') scans on PostgreSQL in any collation


class Household(models.Model):
    """A household (户) living in a grid."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="households", verbose_name=_("grid")
    )
    area_code = models.CharField(_("grid code"), max_length=15, editable=False)
    number = models.CharField(
        _("household number"), max_length=32, blank=True, help_text=_("unique within the grid")
    )
    address = models.CharField(pgettext_lazy("home", "address"), max_length=200)
    building = models.CharField(_("building"), max_length=20, blank=True)  # 楼栋
    unit = models.CharField(pgettext_lazy("building", "unit"), max_length=20, blank=True)  # 单元
    room = models.CharField(_("room / door number"), max_length=20, blank=True)  # 门牌号
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    head = models.ForeignKey(
        "Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("head of household"),
    )
    phone = fieldcrypt.EncryptedTextField(_("phone"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    residence_type = models.CharField(
        _("residence type"), max_length=16, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Visit schedule, kept by the services from the members' key-group labels (None: no schedule).
    visit_interval_days = models.PositiveSmallIntegerField(_("visit every (days)"), null=True, blank=True)
    last_visited_on = models.DateField(_("last visited on"), null=True, blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["area_code", "address", "id"]
        indexes = [
            models.Index(fields=["area_code"], name="household_area", opclasses=_PATTERN),
            models.Index(fields=["area_code", "next_visit_due"], name="household_visit_due"),
            models.Index(fields=["phone_hash"], name="household_phone_hash"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "number"], condition=~Q(number=""), name="household_number_unique"
            )
        ]

    def __str__(self):
        return self.address

    @property
    def full_address(self) -> str:
        parts = [self.address]
        # A bare number is said with its word around it (3栋 / building 3); "3号楼" stays as written.
        if self.building:
            building = self.building
            parts.append(
                pgettext("address", "building %(n)s") % {"n": building} if building.isdigit() else building
            )
        if self.unit:
            unit = self.unit
            parts.append(pgettext("address", "unit %(n)s") % {"n": unit} if unit.isdigit() else unit)
        if self.room:
            parts.append(self.room)
        return " ".join(str(p) for p in parts)


class ResidentStatus(models.TextChoices):
    PRESENT = "present", _("on the register")  # 在册
    MOVED_OUT = "moved_out", _("moved away")  # 迁出
    DECEASED = "deceased", _("deceased")  # 死亡
    MERGED = "merged", _("merged into another record")  # 已合并 (duplicate)


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class Resident(models.Model):
    """A person (人) on the register, usually a member of a household."""

    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("household"),
    )
    area_code = models.CharField(_("grid code"), max_length=15, editable=False)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    name_pinyin = models.CharField(_("pinyin"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True, editable=False)
    id_number = fieldcrypt.EncryptedTextField(_("ID number"), blank=True, default="")
    id_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    relation = models.CharField(
        _("relation to the head"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    ethnicity = models.CharField(_("ethnic group"), max_length=2, choices=Ethnicity.choices, blank=True)
    phone = fieldcrypt.EncryptedTextField(_("phone"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    political_status = models.CharField(
        _("political status"),
        max_length=20,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ResidentStatus.choices, default=ResidentStatus.PRESENT
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        verbose_name=_("merged into"),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["area_code", "name", "id"]
        indexes = [
            models.Index(fields=["area_code"], name="resident_area", opclasses=_PATTERN),
            # The search column first, the scope beside it: a prefix seek, then the scope checked in the index.
            models.Index(
                fields=["name_initials", "area_code"], name="resident_initials_area", opclasses=_PATTERN * 2
            ),
            models.Index(
                fields=["name_pinyin", "area_code"], name="resident_pinyin_area", opclasses=_PATTERN * 2
            ),
            models.Index(fields=["name", "birth_date"], name="resident_name_birth"),
            models.Index(fields=["phone_hash"], name="resident_phone_hash"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_present(self) -> bool:
        return self.status == ResidentStatus.PRESENT


class NameSuffix(models.Model):
    """Each suffix of a resident's name, so that a substring search is an indexed prefix search (names.py)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="name_suffixes")
    area_code = models.CharField(max_length=15)
    suffix = models.CharField(max_length=100)

    class Meta:
        indexes = [
            models.Index(fields=["suffix", "area_code"], name="name_suffix_scope", opclasses=_PATTERN * 2),
        ]


class KeyGroupLabel(models.Model):
    """A key-group label (重点人群) on a resident, with how closely they are followed. Sensitive."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="labels", verbose_name=_("resident")
    )
    area_code = models.CharField(_("grid code"), max_length=15, editable=False)
    kind = models.CharField(_("key group"), max_length=24, choices=KeyGroup.choices)
    attention = models.PositiveSmallIntegerField(
        _("attention level"), choices=Attention.choices, default=Attention.GENERAL
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("key-group label")
        verbose_name_plural = _("key-group labels")
        ordering = ["-attention", "kind"]
        constraints = [models.UniqueConstraint(fields=["resident", "kind"], name="label_unique_kind")]
        indexes = [models.Index(fields=["area_code", "kind"], name="label_area_kind", opclasses=_PATTERN * 2)]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_attention_display()}"


class GridMove(models.Model):
    """History: a household moved to another grid, or a resident to another household (or grid)."""

    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.CASCADE, related_name="moves"
    )
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.CASCADE, related_name="moves"
    )
    from_code = models.CharField(_("from grid"), max_length=15)
    to_code = models.CharField(_("to grid"), max_length=15)
    from_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(max_length=15, editable=False)  # where the subject is now
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_at = models.DateTimeField(_("moved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("move")
        verbose_name_plural = _("moves")
        ordering = ["-moved_at", "-id"]


class Place(models.Model):
    """A place or organisation (场所, 单位): also a unit a case can be dispatched to."""

    kind = models.CharField(_("kind"), max_length=24, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="places", verbose_name=_("area")
    )
    area_code = models.CharField(_("area code"), max_length=15, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = fieldcrypt.EncryptedTextField(_("contact phone"), blank=True, default="")
    contact_phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    contact_phone_masked = models.CharField(_("contact phone"), max_length=20, blank=True, editable=False)
    accepts_cases = models.BooleanField(
        _("cases can be dispatched to it"), default=False, help_text=_("departments and co-building units")
    )
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(pgettext_lazy("place", "active"), default=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("place or organisation")
        verbose_name_plural = _("places and organisations")
        ordering = ["area_code", "kind", "name"]
        indexes = [models.Index(fields=["area_code", "kind"], name="place_area_kind", opclasses=_PATTERN * 2)]

    def __str__(self):
        return self.name


class Visit(models.Model):
    """A visit (走访) by a grid worker to a household."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="visits", verbose_name=_("household")
    )
    area_code = models.CharField(_("grid code"), max_length=15, editable=False)
    visited_on = models.DateField(_("visited on"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("visitor"),
    )
    visitor_name = models.CharField(_("visited by"), max_length=150)
    met_with = models.CharField(_("met with"), max_length=200, blank=True)
    found = models.TextField(pgettext_lazy("visit", "what was found"))
    need = models.TextField(_("need found"), blank=True)
    # Extension point for the cases app: a need "becomes a case in one step" through the handlers in
    # extensions.py; the handler writes the case's reference here. Empty while no handler is installed.
    case_reference = models.CharField(_("case"), max_length=64, blank=True)
    # A visit recorded without signal waits on the phone and may be sent more than once (an answer lost on
    # the way back): the key its form was given makes it one visit.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["area_code", "visited_on"], name="visit_area_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["visitor", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="visit_once_per_key",
            )
        ]


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="people/visits/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")


class ServiceStatus(models.TextChoices):
    REQUESTED = (
        "requested",
        pgettext_lazy("proxy service", "requested"),
    )  # 已受理: the worker took the request
    IN_PROGRESS = "in_progress", _("in progress")  # 办理中
    DONE = "done", _("done")  # 已办结
    CANCELLED = "cancelled", _("cancelled")  # 已取消


class ProxyService(models.Model):
    """A proxy service (代办帮办): something a grid worker does on a resident's behalf, step by step."""

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="services", verbose_name=_("resident")
    )
    area_code = models.CharField(_("grid code"), max_length=15, editable=False)
    item = models.CharField(_("service item"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.REQUESTED
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(pgettext_lazy("proxy service", "requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("proxy service")
        verbose_name_plural = _("proxy services")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area_code", "status"], name="service_area_status")]

    def __str__(self):
        return self.item


class ProxyServiceStep(models.Model):
    """One step of a proxy service: what was done, by whom, the status before and after."""

    service = models.ForeignKey(ProxyService, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class ImportStatus(models.TextChoices):
    REJECTED = "rejected", _("rejected, nothing written")
    DONE = "done", _("imported")


class RegisterImport(models.Model):
    """One spreadsheet import: who, into which area, what it changed, and every row error (in Chinese)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_code = models.CharField(_("area code"), max_length=15)
    file_name = models.CharField(_("file"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    households_created = models.PositiveIntegerField(default=0)
    households_updated = models.PositiveIntegerField(default=0)
    residents_created = models.PositiveIntegerField(default=0)
    residents_updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # [{"row": 12, "column": "身份证号", "message": "..."}], at most MAX_REPORTED_ERRORS of them.
    errors = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-created_at", "-id"]
