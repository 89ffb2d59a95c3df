"""Django admin for grid workers and their assignments, scoped to the administrator's areas.

Adding a worker or an assignment and ending an assignment go through the workforce services, which check the
scope, refuse overlapping assignments and write the audit log. Assignments are history: never deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.admin import ScopedAdmin
from grassroots.forms import ModelForm

from . import services
from .models import Assignment, CheckIn, GridWorker, PartyOrganisation, Patrol, PatrolTask, ServiceGroup
from .rules import can_manage_workforce


class GridWorkerForm(ModelForm):
    new_phone = forms.CharField(
        label=_("mobile phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("11 digits. Stored encrypted; lists show it masked."),
    )

    class Meta:
        model = GridWorker
        fields = ("name", "kind", "is_party_member", "area_code", "user", "is_synthetic")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ("grid", "role", "started_on", "ended_on")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GridWorker)
class GridWorkerAdmin(ScopedAdmin):
    form = GridWorkerForm
    list_display = ("name", "kind", "phone_masked_display", "is_party_member", "area_code", "is_synthetic")
    list_filter = ("kind", "is_party_member", "is_synthetic")
    search_fields = ("name", "area_code")
    raw_id_fields = ("user",)
    add_fields = ("name", "kind", "is_party_member", "area_code", "new_phone", "user", "is_synthetic")
    # The phone is set when the worker is registered; lists and this page only ever show its mask.
    fields = (
        "name",
        "kind",
        "is_party_member",
        "area_code",
        "phone_masked_display",
        "user",
        "is_synthetic",
        "created_at",
    )
    readonly_fields = ("phone_masked_display", "created_at")
    inlines = (AssignmentInline,)
    show_full_result_count = False

    @admin.display(description=_("mobile phone"))
    def phone_masked_display(self, obj):
        return obj.phone_masked or "—"

    def may_manage(self, request, obj) -> bool:
        return can_manage_workforce(request.user, obj.area_code)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("area_code", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.worker_create(
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            area_code=data["area_code"],
            phone=data.get("new_phone", ""),
            is_party_member=data.get("is_party_member", False),
            user=data.get("user"),
            is_synthetic=data.get("is_synthetic", False),
            request=request,
        )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    def has_delete_permission(self, request, obj=None):
        # Workers carry history (assignments, later cases and visits): retire them by ending assignments.
        return False


class AssignmentForm(ModelForm):
    class Meta:
        model = Assignment
        fields = ("worker", "grid", "role", "started_on", "ended_on")


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    """Start an assignment here; end it by setting "until". The worker, grid, role and start stay fixed."""

    form = AssignmentForm
    list_display = ("worker", "grid", "role", "started_on", "ended_on", "area_code")
    list_filter = ("role", "ended_on")
    search_fields = ("area_code", "worker__name")
    raw_id_fields = ("worker", "grid")
    list_select_related = ("worker", "grid__area")
    add_fields = ("worker", "grid", "role", "started_on")
    fields = ("worker", "grid", "area_code", "role", "started_on", "ended_on")
    show_full_result_count = False

    def may_manage(self, request, obj) -> bool:
        return can_manage_workforce(
            request.user, obj.area_code or (obj.grid.area.code if obj.grid_id else "")
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("area_code",)
        readonly = ["worker", "grid", "role", "started_on", "area_code"]
        if obj.ended_on is not None:
            readonly.append("ended_on")
        return readonly

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.assignment_start(
                actor=request.user,
                worker=obj.worker,
                grid=obj.grid,
                role=obj.role,
                started_on=obj.started_on,
                request=request,
            )
            obj.pk, obj.area_code = created.pk, created.area_code
            return
        if "ended_on" in form.changed_data and obj.ended_on is not None:
            services.assignment_end(
                actor=request.user, assignment=obj, ended_on=obj.ended_on, request=request
            )

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyScopedAdmin(ScopedAdmin):
    """Party organisations, check-ins, teams and patrols are written through the pages and the API (which
    check the rules and audit); the admin only lists them, inside the administrator's areas."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(_ReadOnlyScopedAdmin):
    list_display = ("name", "kind", "area_code", "is_grid_branch")
    list_filter = ("kind", "is_grid_branch")
    search_fields = ("name", "area_code")


@admin.register(CheckIn)
class CheckInAdmin(_ReadOnlyScopedAdmin):
    list_display = ("member", "kind", "branch", "year", "status", "area_code")
    list_filter = ("status", "kind", "year")
    list_select_related = ("member", "branch")


@admin.register(ServiceGroup)
class ServiceGroupAdmin(_ReadOnlyScopedAdmin):
    list_display = ("name", "kind", "leader_name", "area_code")
    list_filter = ("kind",)


@admin.register(Patrol)
class PatrolAdmin(_ReadOnlyScopedAdmin):
    # The track itself is not shown here: it is the worker's personal data, for supervisors' pages only.
    list_display = ("worker", "area_code", "started_at", "ended_at", "point_count", "track_deleted_at")
    fields = ("worker", "area_code", "started_at", "ended_at", "point_count", "track_deleted_at", "note")
    list_select_related = ("worker",)


@admin.register(PatrolTask)
class PatrolTaskAdmin(_ReadOnlyScopedAdmin):
    # set from a hotspot (insights) and marked done by the worker on the patrol page, both audited
    list_display = ("area_code", "worker", "due_on", "created_by", "created_at", "done_at")
    fields = ("area_code", "worker", "description", "lon", "lat", "due_on", "created_by", "created_at", "done_at",
              "done_note")  # fmt: skip
    list_select_related = ("worker", "created_by")
