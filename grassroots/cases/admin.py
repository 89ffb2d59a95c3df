"""Admin for what administrators maintain: service types and their limits, the working calendar.

Cases are shown read-only (every change goes through the workflow). The calendar pages warn about any
year, from last year to next, whose official holiday schedule has not been entered: deadlines there count
weekends only until an administrator enters the State Council's notice on the working calendar page
(``cases/views_calendar.py``, linked from the warning) or runs ``manage.py cases_seed_calendar``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.admin import ScopedAdmin
from grassroots.worktime.calendar import years_without_schedule

from .models import CalendarYear, Case, CaseEvent, CaseRating, Category, CategoryLimit, WorkingDay


class CategoryLimitInline(admin.TabularInline):
    model = CategoryLimit
    extra = 0


@admin.register(Category)
class CategoryAdmin(ScopedAdmin):
    scope_field = None  # the city's service types: superusers only

    list_display = [
        "code",
        "name",
        "parent",
        "category_class",
        "default_urgency",
        "handler_level",
        "handler_type",
        "is_active",
    ]
    list_filter = ["category_class", "handler_type", "is_active"]
    search_fields = ["code", "name", "name_en", "name_mn"]
    inlines = [CategoryLimitInline]
    raw_id_fields = ["parent"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = [
        "at",
        "action",
        "old_state",
        "new_state",
        "version",
        "actor_name",
        "note",
        "internal",
        "message",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CaseRatingInline(admin.TabularInline):
    """Each closure round's rating: records, never edited."""

    model = CaseRating
    extra = 0
    can_delete = False
    fields = ["round", "rating", "really_solved", "channel", "comment", "rated_at", "assignee_name"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = ["id", "category", "state", "area_code", "level", "source", "reported_at", "closing_level"]
    list_filter = ["state", "source", "urgency", "level"]
    search_fields = ["=id", "area_code", "description"]
    inlines = [CaseRatingInline, CaseEventInline]
    list_select_related = ["category"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _warn_missing_years(request) -> None:
    year = clock.today().year
    missing = years_without_schedule([year - 1, year, year + 1])
    if missing:
        messages.warning(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _(
                    "No official holiday schedule has been entered for %(years)s: deadlines there count "
                    "weekends only."
                )
                % {"years": ", ".join(str(y) for y in missing)},
                reverse("cases:calendar"),
                _("Enter the State Council's notice on the working calendar page."),
            ),
        )


@admin.register(WorkingDay)
class WorkingDayAdmin(ScopedAdmin):
    scope_field = None  # the working calendar holds for every area: superusers only

    list_display = ["date", "is_working", "note", "is_local"]
    list_filter = ["is_working", "is_local"]
    date_hierarchy = "date"
    search_fields = ["note"]

    def changelist_view(self, request, extra_context=None):
        _warn_missing_years(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        obj.is_local = True  # an administrator's entry survives re-seeding
        super().save_model(request, obj, form, change)


@admin.register(CalendarYear)
class CalendarYearAdmin(ScopedAdmin):
    """Read-only: a year is entered with its holidays, on the working calendar page."""

    scope_field = None

    list_display = ["year", "source", "entered_by", "entered_at"]
    readonly_fields = ["year", "source", "entered_by", "entered_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        _warn_missing_years(request)
        return super().changelist_view(request, extra_context)
