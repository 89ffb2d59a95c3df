"""Admin for the register: masks only, scoped. Encrypted columns are neither listed nor editable here, so the
admin can never show a whole ID or phone number; "show in full" lives on the register's pages, with its audit.
Every page is a ``ScopedAdmin`` (an administrator sees the rows of their areas only; deletes are audited)."""

from django.contrib import admin

from grassroots.accounts.admin import ScopedAdmin

from .models import Household, KeyGroupLabel, Place, ProxyService, RegisterImport, Resident, Visit

SECRET = ("id_number", "id_hash", "phone", "phone_hash", "contact_phone", "contact_phone_hash")


class MaskedAdmin(ScopedAdmin):
    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), *SECRET]

    def has_add_permission(self, request):
        return False  # personal data is written through the register's services (validation, hashes, audit)


@admin.register(Household)
class HouseholdAdmin(MaskedAdmin):
    list_display = ("address", "number", "area_code", "phone_masked", "residence_type", "next_visit_due")
    list_filter = ("residence_type", "is_synthetic")
    search_fields = ("address", "number", "area_code")
    readonly_fields = (
        "area",
        "area_code",
        "head",
        "phone_masked",
        "visit_interval_days",
        "last_visited_on",
        "next_visit_due",
    )


@admin.register(Resident)
class ResidentAdmin(MaskedAdmin):
    list_display = ("name", "id_masked", "phone_masked", "area_code", "relation", "status")
    list_filter = ("status", "sex", "is_synthetic")
    search_fields = ("name", "name_pinyin", "name_initials", "area_code")
    readonly_fields = (
        "household",
        "area_code",
        "name",
        "id_masked",
        "phone_masked",
        "birth_date",
        "sex",
        "merged_into",
    )


@admin.register(KeyGroupLabel)
class KeyGroupLabelAdmin(ScopedAdmin):
    list_display = ("resident", "kind", "attention", "area_code")
    list_filter = ("kind", "attention")
    raw_id_fields = ("resident",)
    readonly_fields = ("area_code", "created_by")


@admin.register(Place)
class PlaceAdmin(MaskedAdmin):
    list_display = (
        "name",
        "kind",
        "area_code",
        "contact_name",
        "contact_phone_masked",
        "accepts_cases",
        "is_active",
    )
    list_filter = ("kind", "accepts_cases", "is_active")
    search_fields = ("name", "area_code")
    readonly_fields = ("area", "area_code", "contact_phone_masked")


@admin.register(Visit)
class VisitAdmin(ScopedAdmin):
    list_display = ("household", "visited_on", "visitor_name", "case_reference")
    readonly_fields = (
        "household",
        "area_code",
        "visitor",
        "visitor_name",
        "visited_on",
        "found",
        "need",
        "met_with",
    )


@admin.register(ProxyService)
class ProxyServiceAdmin(ScopedAdmin):
    list_display = ("item", "resident", "status", "area_code", "created_at")
    list_filter = ("status",)
    readonly_fields = ("resident", "area_code", "status", "version", "handler", "completed_at")


@admin.register(RegisterImport)
class RegisterImportAdmin(ScopedAdmin):
    list_display = ("file_name", "area_code", "status", "rows", "error_count", "created_by", "created_at")
    readonly_fields = [f.name for f in RegisterImport._meta.fields]
