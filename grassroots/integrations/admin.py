"""The administrator's page for API keys: issue one to a named system on an area (the secret is shown once,
on the page that follows), see when each was last used, revoke. Scoped like every admin page
(``accounts.admin.ScopedAdmin``): an area's administrator sees and issues keys only inside their areas."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from grassroots.accounts.admin import ScopedAdmin
from grassroots.forms import ModelForm

from .models import ApiKey
from .services.keys import api_key_issue, api_key_revoke


class ApiKeyIssueForm(ModelForm):
    area_code = forms.CharField(label=_("area code"), max_length=15, help_text=_("the area the key reaches"))

    class Meta:
        model = ApiKey
        fields = ("name", "role", "rate_per_minute")

    def clean_area_code(self):
        code = self.cleaned_data["area_code"].strip()
        area_model = ApiKey._meta.get_field("area").related_model
        area = area_model.objects.filter(code=code).first()  # type: ignore[union-attr]
        if area is None:
            raise forms.ValidationError(_("There is no area with this code; check the digits."))
        self.cleaned_data["area"] = area
        return code


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdmin):
    """Keys are issued and revoked, never edited: to change one, issue a new key and revoke the old."""

    list_display = (
        "name",
        "prefix",
        "role",
        "area_code",
        "rate_per_minute",
        "issued_at",
        "last_used_at",
        "state",
    )
    list_filter = ("role",)
    search_fields = ("name", "prefix", "area_code")
    list_select_related = ("area",)
    add_fields = ("name", "role", "area_code", "rate_per_minute")
    fields = (
        "name", "prefix", "role", "area", "area_code", "rate_per_minute", "issued_by", "issued_at",
        "last_used_at", "revoked_at", "revoked_by", "revoke_reason",
    )  # fmt: skip
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyIssueForm
            kwargs["fields"] = ("name", "role", "rate_per_minute")
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else ()

    @admin.display(description=_("state"))
    def state(self, obj):
        return _("revoked") if obj.revoked_at else _("active")

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit log and the deliveries point at the key

    def save_model(self, request, obj, form, change):
        if change:
            return
        key, raw = api_key_issue(
            actor=request.user,
            name=form.cleaned_data["name"],
            area=form.cleaned_data["area"],
            role=form.cleaned_data["role"],
            rate_per_minute=form.cleaned_data["rate_per_minute"],
            request=request,
        )
        obj.pk = key.pk
        obj.__dict__.update({k: v for k, v in key.__dict__.items() if not k.startswith("_")})
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _("The key for %(name)s is below. Copy it now: it is shown only this once.")
                % {"name": key.name},
                raw,
            ),
        )

    def log_addition(self, request, obj, message):
        pass  # the issue is in the audit log (api_key.issue)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        done = sum(api_key_revoke(actor=request.user, key=key, request=request) for key in queryset)
        self.message_user(
            request,
            ngettext("%(n)d key revoked.", "%(n)d keys revoked.", done) % {"n": done},
            messages.SUCCESS,
        )
