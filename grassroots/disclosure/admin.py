"""Read-only admin for disclosure: boards, catalogue, notices, versions and objections are written through the
services (pages and API), so that every publication is hashed and every change is a new version."""

from django.contrib import admin

from grassroots.accounts.admin import ScopedAdmin

from .models import Board, CatalogueItem, Notice, NoticeVersion, Objection


class ReadOnly(ScopedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CatalogueInline(admin.TabularInline):
    model = CatalogueItem
    extra = 0
    can_delete = False
    readonly_fields = ("section", "title", "frequency", "since")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Board)
class BoardAdmin(ReadOnly):
    list_display = ("name", "area_code", "village_group", "name_style")
    search_fields = ("name", "area_code")
    inlines = [CatalogueInline]


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ("pk", "board", "kind", "section", "state", "published_on", "window_ends_on")
    list_filter = ("kind", "section", "state")
    search_fields = ("area_code",)
    list_select_related = ("board",)


@admin.register(NoticeVersion)
class NoticeVersionAdmin(ReadOnly):
    scope_field = "notice__area_code"

    list_display = ("notice", "number", "created_at", "content_hash")
    list_select_related = ("notice",)


@admin.register(Objection)
class ObjectionAdmin(ReadOnly):
    list_display = ("notice", "raised_at", "answered_at", "case")
    list_select_related = ("notice",)
