"""Django admin for the insights tables, read-only and scoped to the administrator's areas (``ScopedAdmin``).

The daily figures are derived from the cases (kept by ``services.facts_refresh``, rebuilt by ``manage.py
insights_rebuild``) and a bulletin is immutable once issued: the admin lists and shows them, and never adds,
changes or deletes one — a hand-edited figure would no longer equal the cases, and an edited bulletin its hash.
"""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin import ScopedAdmin

from .models import COUNT_FIELDS, AreaDay, Bulletin, DailyFact


class _ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DailyFact)
class DailyFactAdmin(_ReadOnlyScopedAdmin):
    list_display = ("area_code", "day", "category", "source", "closing_level", "reported", "closed", "rated")
    list_filter = ("source", "closing_level")
    search_fields = ("area_code",)
    date_hierarchy = "day"
    list_select_related = ("category",)
    fields = ("area_code", "day", "category", "source", "closing_level", *COUNT_FIELDS)
    show_full_result_count = False  # a million cases make a million rows: no COUNT(*) per page


@admin.register(AreaDay)
class AreaDayAdmin(_ReadOnlyScopedAdmin):
    list_display = ("area_code", "parent_code", "day", "top_type", "reported", "closed", "rated")
    search_fields = ("area_code",)
    date_hierarchy = "day"
    list_select_related = ("top_type",)
    fields = ("area_code", "parent_code", "day", "top_type", *COUNT_FIELDS)
    show_full_result_count = False


@admin.register(Bulletin)
class BulletinAdmin(_ReadOnlyScopedAdmin):
    list_display = ("area_code", "month", "issued_at", "issued_by", "sha256")
    search_fields = ("area_code",)
    list_select_related = ("issued_by",)
    fields = ("area_code", "month", "issued_at", "issued_by", "sha256", "content")
