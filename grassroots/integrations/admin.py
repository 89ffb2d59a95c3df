"""The administrator's pages for integrations: API keys (issue one to a named system on an area, the secret
shown once on the page that follows; see when each was last used; revoke), webhook subscriptions (made for a
key, the signing secret shown once; enabled and disabled) and their delivery log. Scoped like every admin
page (``accounts.admin.ScopedAdmin``): an area's administrator sees and manages only what lies in their areas."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from grassroots.accounts.admin import ScopedAdmin
from grassroots.forms import ModelForm

from .models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookSubscription
from .selectors import api_key_list_for
from .services.keys import api_key_issue, api_key_revoke
from .services.webhooks import kinds_of, webhook_set_active, webhook_subscribe


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


# --- webhooks -----------------------------------------------------------------------------------------------


class WebhookSubscribeForm(ModelForm):
    url = forms.URLField(label=_("address"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ("key", "url", "on_case", "on_notice", "on_topic")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "at", "status_code", "succeeded", "duration_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ScopedAdmin):
    """Subscriptions are made (the secret is shown once), enabled and disabled; their deliveries are the log."""

    list_display = (
        "key",
        "url",
        "events",
        "is_active",
        "consecutive_failures",
        "disabled_reason",
        "created_at",
    )
    list_filter = ("is_active", "on_case", "on_notice", "on_topic")
    search_fields = ("url", "key__name", "key__prefix", "area_code")
    list_select_related = ("key",)
    raw_id_fields = ("key",)
    fields = (
        "key", "area_code", "url", "on_case", "on_notice", "on_topic", "is_active", "consecutive_failures",
        "disabled_at", "disabled_reason", "created_by", "created_at",
    )  # fmt: skip
    actions = ["enable", "disable"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = WebhookSubscribeForm
            kwargs["fields"] = WebhookSubscribeForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return WebhookSubscribeForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "key":  # only the active keys of the administrator's areas
            kwargs["queryset"] = api_key_list_for(user=request.user).filter(revoked_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("events"))
    def events(self, obj):
        return ", ".join(kinds_of(obj))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        subscription, secret = webhook_subscribe(
            actor=request.user, key=data["key"], url=data["url"], on_case=data["on_case"],
            on_notice=data["on_notice"], on_topic=data["on_topic"], request=request,
        )  # fmt: skip
        obj.pk = subscription.pk
        obj.__dict__.update({k: v for k, v in subscription.__dict__.items() if not k.startswith("_")})
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _(
                    "The signing secret of this subscription is below. Copy it now: it is shown only this once."
                ),
                secret,
            ),
        )

    def log_addition(self, request, obj, message):
        pass  # in the audit log (webhook.subscribe)

    @admin.action(description=_("Enable the selected subscriptions"))
    def enable(self, request, queryset):
        for subscription in queryset.select_related("key"):
            webhook_set_active(actor=request.user, subscription=subscription, active=True, request=request)

    @admin.action(description=_("Disable the selected subscriptions"))
    def disable(self, request, queryset):
        for subscription in queryset.select_related("key"):
            webhook_set_active(
                actor=request.user, subscription=subscription, active=False, reason=str(_("disabled by an administrator")),
                request=request,
            )  # fmt: skip


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdmin):
    """The delivery log: each event sent to a subscription, its payload and every try. Read-only."""

    scope_field = "subscription__area_code"
    list_display = (
        "created_at",
        "subscription",
        "event_type",
        "state",
        "attempts",
        "delivered_at",
        "next_attempt_at",
    )
    list_filter = ("state", "event_type")
    search_fields = ("event_ref", "subscription__url")
    list_select_related = ("subscription", "subscription__key")
    date_hierarchy = "created_at"
    inlines = [WebhookAttemptInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
