"""Django admin for users, role grants and the audit log, and ``ScopedAdmin``, the base of every admin page.

Superusers see every row. Other staff reach the admin through an administrator role on an area: they see and
change only the rows inside that area (``ScopedAdmin``, through ``accounts.scoping.scoped``; another area's
row is a 404), and their writes go through the same services as the rest of the platform, so grants and
phone numbers are checked and audited the same way. Every model registered in the admin — the project's and
the libraries' (permission groups, login attempts, task results: :func:`restrict_unscoped`) — has a
``ScopedAdmin``; one without an area (``scope_field = None``) is for superusers only. A delete through the
admin writes an audit record first (``admin.delete``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import personal
from grassroots.errors import DomainError, NotPermitted
from grassroots.forms import CheckedTextMixin

from . import services
from .models import AuditLog, Role, RoleGrant, User
from .rules import ADMIN_ROLES, OVERSIGHT_ROLES, can_manage_area, can_manage_user, can_view_audit
from .scoping import OutOfScope, has_role, is_unrestricted, scoped
from .selectors import user_list_for


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows are limited to the administrator's areas; the base of every admin page.

    ``scope_field`` names the area-code column (``area_code``, ``code``, ``area__code`` …); ``None`` for rows
    that lie nowhere (reference data, library tables, a person's WeChat binding): superusers only. Staff
    without a superuser flag need an administrator role (``scope_roles``); Django's per-model permission
    table is not consulted for them, the role on the area is the permission. A row outside their areas does
    not exist for them (404). Deletes are audited (``admin.delete``) before the row goes.
    """

    scope_field: str | None = "area_code"
    scope_roles = ADMIN_ROLES
    # The fields of the add page, when they are not those of the change page (``fields``).
    add_fields: tuple[str, ...] | None = None

    def area_code_of(self, obj) -> str:
        value = obj
        for part in self.scope_field.split("__"):
            value = getattr(value, part, None)
        return value or ""

    def may_manage(self, request, obj) -> bool:
        return can_manage_area(request.user, self.area_code_of(obj))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_unrestricted(request.user):
            return qs
        if self.scope_field is None:
            return qs.none()
        return scoped(qs, request.user, field=self.scope_field, roles=self.scope_roles)

    def _allowed(self, request, obj=None) -> bool:
        if is_unrestricted(request.user):
            return True
        if self.scope_field is None:
            return False
        if not request.user.is_staff or not has_role(request.user, self.scope_roles):
            return False
        return obj is None or self.may_manage(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None and self.add_fields is not None:
            return self.add_fields
        return super().get_fields(request, obj)

    def get_object(self, request, object_id, from_field=None):
        """The row, looked up in the scoped queryset; outside it (or missing) a 404, never a redirect that
        tells the two apart."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise OutOfScope
        return obj

    def delete_model(self, request, obj):
        _audit_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _audit_delete(request, obj)
        super().delete_queryset(request, queryset)

    def has_module_permission(self, request):
        return self._allowed(request)

    def save_model(self, request, obj, form, change):
        # Typing the id of a row from another area into a raw-id field must not move data out of scope.
        if not is_unrestricted(request.user) and not self.may_manage(request, obj):
            raise NotPermitted(_("This is outside the areas you administer; choose an area inside them."))
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            self.get_object(request, unquote(object_id))  # 404 before the form, outside scope
        return _refusal_as_message(super().changeform_view, request, object_id, form_url, extra_context)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)


def _audit_delete(request, obj) -> None:
    services.audit_record(
        actor=request.user,
        action="admin.delete",
        target=obj,
        request=request,
        detail={"model": obj._meta.label_lower},
    )


def restrict_unscoped(site: admin.AdminSite = admin.site) -> None:
    """Give every registered model that has no ``ScopedAdmin`` (the libraries' own: permission groups,
    login attempts, task results) one for superusers only: they lie in no area, and a staff user's model
    permissions must not open them city-wide. Run once the admin modules are loaded (``AccountsConfig``)."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, ScopedAdmin | SuperusersOnly):
            continue
        base = type(model_admin)
        site.unregister(model)
        site.register(model, type(f"Superusers{base.__name__}", (SuperusersOnly, base), {}))


class SuperusersOnly:
    """Narrows a library's ModelAdmin to superusers (what the library itself allows them stays as it is)."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)  # type: ignore[misc]
        return qs if is_unrestricted(request.user) else qs.none()

    def has_module_permission(self, request):
        return is_unrestricted(request.user) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request, obj=None):
        return is_unrestricted(request.user) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request, *args):
        return is_unrestricted(request.user) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request, obj=None):
        return is_unrestricted(request.user) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):
        return is_unrestricted(request.user) and super().has_delete_permission(request, obj)  # type: ignore[misc]


def _refusal_as_message(view, request, *args):
    """Run an admin form view; when a service refuses (outside the administrator's scope, a number already
    in use …) the transaction has rolled back: say why and return to the form."""
    try:
        return view(request, *args)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    except Http404:
        # OutOfScope from a service: the area or user lies outside the administrator's areas.
        messages.error(request, _("This is outside the areas you administer; choose an area inside them."))
    return HttpResponseRedirect(request.get_full_path())


def _clean_phone(raw: str, *, user: User | None = None) -> str:
    """The digits of a mobile number, refused here when malformed or used by another account."""
    if not raw:
        return ""
    digits = personal.normalise_phone(raw)
    if not personal.is_mobile(digits):
        raise ValidationError(_("A mobile number has 11 digits and starts with 1."))
    taken = User.objects.filter(phone_hash=personal.phone_hash(digits))
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError(_("Another account already uses this mobile number."))
    return digits


# --- users ------------------------------------------------------------------------------------------------


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("mobile phone"),
            required=False,
            max_length=20,
            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            **kwargs,
        )


class UserCreateForm(CheckedTextMixin, AdminUserCreationForm):
    """A new login with an optional phone and, for area administrators, the first role grant."""

    display_name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=100, required=False)
    new_phone = PhoneField(help_text=_("11 digits; used to log in. Stored encrypted."))
    role = forms.ChoiceField(label=_("role"), choices=[("", "---------"), *Role.choices], required=False)
    area_code = forms.CharField(
        label=_("area code"), max_length=15, required=False, help_text=_("the area the role is held on")
    )

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)

    def clean_new_phone(self):
        return _clean_phone(self.cleaned_data.get("new_phone", ""))

    def clean(self):
        data = super().clean()
        if bool(data.get("role")) != bool(data.get("area_code")):
            raise ValidationError(_("Give both a role and an area code, or neither."))
        if data.get("area_code"):
            # The area model lives in a higher app; reach it through the grant's foreign key.
            area_model = RoleGrant._meta.get_field("area").related_model
            data["area"] = area_model.objects.filter(code=data["area_code"]).first()
            if data["area"] is None:
                self.add_error("area_code", _("There is no area with this code; check the digits."))
        return data


class UserEditForm(CheckedTextMixin, UserChangeForm):
    new_phone = PhoneField(
        help_text=_("Enter a new 11-digit number to replace the stored one; leave empty to keep it.")
    )
    clear_phone = forms.BooleanField(label=_("remove the mobile phone"), required=False)

    class Meta(UserChangeForm.Meta):
        model = User
        exclude = ("phone",)

    def clean_new_phone(self):
        return _clean_phone(self.cleaned_data.get("new_phone", ""), user=self.instance)


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = (
        "username",
        "display_name",
        "phone_masked_display",
        "is_active",
        "is_staff",
        "is_synthetic",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "is_synthetic", "grants__role")
    search_fields = ("username", "display_name")
    readonly_fields = ("phone_masked_display", "last_login", "date_joined")
    ordering = ("username",)
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "display_name",
                    "new_phone",
                    "usable_password",
                    "password1",
                    "password2",
                    "role",
                    "area_code",
                ),
            },
        ),
    )

    @admin.display(description=_("mobile phone"))
    def phone_masked_display(self, obj):
        return obj.phone_masked or "—"

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        personal = (
            _("Personal info"),
            {"fields": ("display_name", "phone_masked_display", "new_phone", "clear_phone", "email")},
        )
        status = ["is_active", "is_staff", "is_synthetic"]
        if is_unrestricted(request.user):
            status += ["is_superuser", "groups", "user_permissions"]
        return (
            (None, {"fields": ("username", "password")}),
            personal,
            (_("Permissions"), {"fields": status}),
            (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        )

    def get_queryset(self, request):
        return user_list_for(user=request.user)

    def may_manage(self, request, obj) -> bool:
        return can_manage_user(request.user, obj)

    def has_add_permission(self, request):
        return is_unrestricted(request.user) or (
            request.user.is_staff and has_role(request.user, ADMIN_ROLES)
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            phone = form.cleaned_data.get("new_phone") or ""
            if phone or form.cleaned_data.get("clear_phone"):
                services.user_phone_set(actor=request.user, user=obj, phone=phone, request=request)
            return
        data = form.cleaned_data
        password = data.get("password1") if data.get("usable_password", "true") != "false" else None
        created = services.user_create(
            username=data["username"],
            password=password,
            display_name=data.get("display_name", ""),
            phone=data.get("new_phone", ""),
            actor=request.user,
            validate=False,  # the form has run the validators already
        )
        if data.get("role"):
            services.role_grant(
                actor=request.user, user=created, role=data["role"], area=data["area"], request=request
            )
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})


# --- role grants ------------------------------------------------------------------------------------------


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdmin):
    """A grant is added or revoked, never edited: change the role by revoking and granting again."""

    list_display = ("user", "role", "area", "area_code", "granted_by", "granted_at")
    list_filter = ("role",)
    search_fields = ("area_code", "user__username", "user__display_name", "area__name")
    raw_id_fields = ("user", "area")
    list_select_related = ("user", "area", "granted_by")
    readonly_fields = ("area_code", "granted_by", "granted_at")
    fields = ("user", "role", "area", "area_code", "granted_by", "granted_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("user", "role", "area", *self.readonly_fields)
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # The change page only shows the grant; the role and area are fixed once granted.
        return self.has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        grant = services.role_grant(
            actor=request.user, user=obj.user, role=obj.role, area=obj.area, request=request
        )
        obj.pk = grant.pk
        obj.area_code = grant.area_code

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, grant=obj, request=request)

    def delete_queryset(self, request, queryset):
        for grant in queryset.select_related("user"):
            services.role_revoke(actor=request.user, grant=grant, request=request)


# --- audit log --------------------------------------------------------------------------------------------


@admin.register(AuditLog)
class AuditLogAdmin(ScopedAdmin):
    """Read-only: the log is append-only (and the database refuses updates and deletes too)."""

    scope_roles = OVERSIGHT_ROLES
    list_display = ("created_at", "actor_name", "action", "target_type", "target_id", "area_code")
    list_filter = ("action", "target_type")
    search_fields = ("actor_name", "action", "target_id", "area_code", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)

    def may_manage(self, request, obj) -> bool:
        return can_view_audit(request.user, obj.area_code)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
