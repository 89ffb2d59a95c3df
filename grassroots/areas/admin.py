"""Django admin for the area tree: areas, grids and village groups, scoped to the administrator's areas.

Every write goes through ``areas.services`` (checked codes, kinds and dates, scope, audit). Boundaries are
shown, not typed in: they arrive through the boundary import, which validates them, keeps the bounding box
and tells every process to rebuild its spatial index. Closing and merging areas are their own flows, so
"in force until" and "merged into" are shown here, not edited.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.admin import ScopedAdmin
from grassroots.forms import ModelForm

from . import services
from .models import Area, AreaName, Grid, VillageGroup


def _boundary_json(value) -> str:
    if not value:
        return "—"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > 20000:
        text = text[:20000] + " …"
    return format_html(
        '<pre style="white-space:pre-wrap;word-break:break-all;max-height:16rem;overflow:auto;margin:0">{}</pre>',
        text,
    )


def _changes(form, fields) -> dict:
    """The cleaned values of the fields the form changed, for the ``*_update`` services."""
    return {name: form.cleaned_data[name] for name in fields if name in form.changed_data}


class AreaNameInline(admin.TabularInline):
    """The names an area has had: kept by renaming, read here."""

    model = AreaName
    extra = 0
    fields = ("name", "valid_from", "valid_until")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    scope_field = "code"
    list_display = ("code", "name", "level", "kind", "parent", "is_synthetic", "valid_until")
    list_filter = ("level", "kind", "is_synthetic")
    search_fields = ("code", "name")
    search_help_text = _("Search by code (its first digits find everything under it) or by name.")
    raw_id_fields = ("parent", "successor")
    list_select_related = ("parent",)
    inlines = (AreaNameInline,)
    show_full_result_count = False  # a whole city has tens of thousands of rows: skip the extra COUNT(*)
    editable = ("name", "kind", "valid_from", "is_synthetic")
    shown = ("level", "parent", "valid_until", "successor", "boundary_display", "updated_at")

    @admin.display(description=_("boundary"))
    def boundary_display(self, obj):
        return _boundary_json(obj.boundary)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("code", *self.editable)
        return ("code", *self.editable, *self.shown)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The code is the path every scoped row points at; changing it is a re-coding, not an edit.
        return ("code", *self.shown)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            # A code search is a prefix search: one indexed range scan.
            return queryset.filter(code__startswith=term), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        if change:
            services.area_update(
                actor=request.user, area=obj, request=request, **_changes(form, self.editable)
            )
            return
        data = form.cleaned_data
        created = services.area_create(
            actor=request.user,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            valid_from=data.get("valid_from"),
            is_synthetic=data.get("is_synthetic", False),
            request=request,
        )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    def has_delete_permission(self, request, obj=None):
        # Areas are closed with "in force until", never deleted: rows elsewhere keep pointing at them.
        return False


class GridAddForm(ModelForm):
    """A new grid: its village by code, the rest as the grid form of the pages asks for it."""

    village_code = forms.CharField(
        label=_("village / community code"),
        max_length=12,
        help_text=_("12 digits; the grid is created inside it"),
    )
    number = forms.IntegerField(
        label=_("number"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("the last 3 digits of the grid code; empty: the next free number"),
    )
    name = forms.CharField(label=_("name"), max_length=100, required=False)
    sequence = forms.IntegerField(label=_("sequence"), required=False, min_value=1, max_value=999)
    is_synthetic = forms.BooleanField(label=_("synthetic demo data"), required=False)

    class Meta:
        model = Grid
        fields = ("kind", "target_households")

    def clean_village_code(self):
        code = self.cleaned_data["village_code"].strip()
        self.village = Area.objects.filter(code=code).first()
        if self.village is None:
            raise forms.ValidationError(_("There is no area with this code; check the digits."))
        return code


class GridChangeForm(ModelForm):
    name = forms.CharField(label=_("name"), max_length=100)

    class Meta:
        model = Grid
        fields = ("kind", "sequence", "target_households", "village_groups")
        widgets = {"village_groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].initial = self.instance.area.name
        # Only the groups of the grid's own village can be covered.
        self.fields["village_groups"].queryset = VillageGroup.objects.filter(
            village_id=self.instance.area.parent_id
        )


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    scope_field = "area__code"
    list_display = ("code", "name", "kind", "sequence", "target_households", "has_boundary")
    list_filter = ("kind", "area__is_synthetic")
    search_fields = ("area__code", "area__name")
    list_select_related = ("area",)
    shown = ("boundary_display", "bbox_display", "boundary_updated_at")
    add_fields = ("village_code", "number", "name", "kind", "sequence", "target_households", "is_synthetic")
    fields = ("code", "name", "kind", "sequence", "target_households", "village_groups", *shown)
    readonly_fields = ("code", *shown)
    show_full_result_count = False

    @admin.display(description=_("code"), ordering="area__code")
    def code(self, obj):
        return obj.area.code

    @admin.display(description=_("name"), ordering="area__name")
    def name(self, obj):
        return obj.area.name

    @admin.display(description=_("boundary"), boolean=True)
    def has_boundary(self, obj):
        return obj.boundary is not None

    @admin.display(description=_("boundary"))
    def boundary_display(self, obj):
        return _boundary_json(obj.boundary)

    @admin.display(description=_("bounding box"))
    def bbox_display(self, obj):
        if obj.min_lon is None:
            return "—"
        return f"{obj.min_lon:.6f}, {obj.min_lat:.6f} — {obj.max_lon:.6f}, {obj.max_lat:.6f}"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = GridChangeForm if obj is not None else GridAddForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(area__code__startswith=term), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        if change:
            grid = services.grid_update(
                actor=request.user,
                grid=obj,
                request=request,
                **_changes(form, ("name", "kind", "sequence", "target_households", "village_groups")),
            )
        else:
            data = form.cleaned_data
            grid = services.grid_create(
                actor=request.user,
                village=form.village,
                kind=data["kind"],
                name=data.get("name") or "",
                number=data.get("number"),
                sequence=data.get("sequence"),
                target_households=data.get("target_households"),
                is_synthetic=data.get("is_synthetic", False),
                request=request,
            )
            obj.pk = grid.pk
            obj.__dict__.update({k: v for k, v in grid.__dict__.items() if not k.startswith("_")})
        for warning in getattr(grid, "boundary_warnings", []):
            messages.warning(request, warning)

    def save_related(self, request, form, formsets, change):
        return None  # village groups were set by the service

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VillageGroup)
class VillageGroupAdmin(ScopedAdmin):
    """Village groups are added here; their number and village are fixed once created."""

    scope_field = "village__code"
    list_display = ("village", "number", "name", "is_synthetic")
    list_filter = ("is_synthetic",)
    search_fields = ("name", "village__code", "village__name")
    raw_id_fields = ("village",)
    list_select_related = ("village",)
    fields = ("village", "number", "name", "is_synthetic")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else self.has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        created = services.village_group_create(
            actor=request.user,
            village=obj.village,
            number=obj.number,
            name=obj.name,
            is_synthetic=obj.is_synthetic,
            request=request,
        )
        obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False
