from django.contrib import admin

from .models import JobLock, JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """The periodic jobs' runs, read only: what ran when, where, and what it said."""

    list_display = ["job", "scheduled_for", "outcome", "holder", "started_at", "finished_at"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "scheduled_for"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JobLock)
class JobLockAdmin(admin.ModelAdmin):
    """Who holds each periodic job now. Deleting a row frees a job whose scheduler died before its lock ran out."""

    list_display = ["job", "holder", "locked_until"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
