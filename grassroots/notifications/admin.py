"""Administrators see every notification's delivery: the notification with its attempts, and the delivery
log on its own (filter by channel, gateway and status). Both are read-only: the log is written by the
delivery task only, and phone numbers appear masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.admin import ScopedAdmin

from .models import DeliveryAttempt, Notification, WeChatBinding

ATTEMPT_FIELDS = [
    "at",
    "channel",
    "gateway",
    "attempt",
    "status",
    "to_masked",
    "segments",
    "code",
    "message_id",
    "gateway_message",
    "next_at",
]


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(_ReadOnly, admin.TabularInline):
    model = DeliveryAttempt
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS
    extra = 0
    ordering = ["at", "id"]


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    list_display = [
        "title",
        "recipient",
        "topic",
        "target_type",
        "target_id",
        "created_at",
        "read_at",
        "delivered_at",
    ]
    list_filter = ["topic", "read_at", "delivered_at"]
    search_fields = ["title", "target_id"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at", "delivered_at", "delivery_log", "channels", "topic"]
    inlines = [DeliveryAttemptInline]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(_ReadOnly, ScopedAdmin):
    scope_field = "notification__area_code"

    list_display = [
        "at",
        "channel",
        "gateway",
        "status",
        "attempt",
        "to_masked",
        "segments",
        "code",
        "notification",
    ]
    list_filter = ["channel", "gateway", "status"]
    search_fields = ["=notification__id", "message_id", "code"]
    date_hierarchy = "at"
    list_select_related = ["notification"]
    fields = ["notification", "recipient", *ATTEMPT_FIELDS]
    readonly_fields = fields


@admin.register(WeChatBinding)
class WeChatBindingAdmin(_ReadOnly, ScopedAdmin):
    scope_field = None  # a person's WeChat login, in no area: superusers only

    list_display = ["user", "openid_end", "connected_at"]
    fields = ["user", "connected_at"]
    readonly_fields = fields

    @admin.display(description=_("OpenID"))
    def openid_end(self, obj):
        return f"…{obj.openid[-4:]}"
