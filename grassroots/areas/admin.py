"""Django admin for the area tree: areas, grids and village groups, scoped to the administrator's areas.

Boundaries are shown, not typed in: they arrive through the boundary import, which validates them, keeps the
bounding box and tells every process to rebuild its spatial index.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.admin import ScopedAdmin

from .codes import CodeError, level_of, parent_code, validate_code
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


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ("code", "name", "kind", "parent", "valid_from", "valid_until", "successor", "is_synthetic")

    def clean(self):
        data = super().clean()
        code, parent = data.get("code"), data.get("parent")
        if not code:
            return data
        try:
            level = validate_code(code, parent=parent.code if parent else None)
            if level_of(code) > 1 and parent is None:
                raise CodeError(
                    _("Choose the parent area (code %(parent)s).") % {"parent": parent_code(code)}
                )
        except CodeError as exc:
            self.add_error("code", exc.message)
            return data
        self.instance.level = level
        return data


class AreaNameInline(admin.TabularInline):
    model = AreaName
    extra = 0
    fields = ("name", "valid_from", "valid_until")


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    form = AreaForm
    scope_field = "code"
    list_display = ("code", "name", "level", "kind", "parent", "is_synthetic", "valid_until")
    list_filter = ("level", "kind", "is_synthetic")
    search_fields = ("code", "name")
    search_help_text = _("Search by code (its first digits find everything under it) or by name.")
    raw_id_fields = ("parent", "successor")
    list_select_related = ("parent",)
    readonly_fields = ("level", "boundary_display", "updated_at")
    fields = (
        "code",
        "name",
        "level",
        "kind",
        "parent",
        "valid_from",
        "valid_until",
        "successor",
        "is_synthetic",
        "boundary_display",
        "updated_at",
    )
    inlines = (AreaNameInline,)
    show_full_result_count = False  # a whole city has tens of thousands of rows: skip the extra COUNT(*)

    @admin.display(description=_("boundary"))
    def boundary_display(self, obj):
        return _boundary_json(obj.boundary)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            # A code search is a prefix search: one indexed range scan.
            return queryset.filter(code__startswith=term), False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # The code is the path every scoped row points at; changing it is a re-coding, not an edit.
            return ("code", "parent", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Areas are closed with "in force until", never deleted: rows elsewhere keep pointing at them.
        return False


class VillageGroupInline(admin.TabularInline):
    model = Grid.village_groups.through
    extra = 0
    raw_id_fields = ("villagegroup",)
    verbose_name = _("village group covered")
    verbose_name_plural = _("village groups covered")


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    scope_field = "area__code"
    list_display = ("code", "name", "kind", "sequence", "target_households", "has_boundary")
    list_filter = ("kind", "area__is_synthetic")
    search_fields = ("area__code", "area__name")
    list_select_related = ("area",)
    raw_id_fields = ("area",)
    fields = (
        "area",
        "kind",
        "sequence",
        "target_households",
        "boundary_display",
        "bbox_display",
        "boundary_updated_at",
    )
    readonly_fields = ("boundary_display", "bbox_display", "boundary_updated_at")
    inlines = (VillageGroupInline,)
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

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(area__code__startswith=term), False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("area", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VillageGroup)
class VillageGroupAdmin(ScopedAdmin):
    scope_field = "village__code"
    list_display = ("village", "number", "name", "is_synthetic")
    list_filter = ("is_synthetic",)
    search_fields = ("name", "village__code", "village__name")
    raw_id_fields = ("village",)
    list_select_related = ("village",)
    show_full_result_count = False
