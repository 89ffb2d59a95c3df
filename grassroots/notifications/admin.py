from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "target_type", "target_id", "created_at", "read_at", "delivered_at"]
    list_filter = ["read_at", "delivered_at"]
    search_fields = ["title", "target_id"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at", "delivered_at", "delivery_log"]
