"""Django admin for deliberation, scoped to the administrator's areas, to look things up.

Committees, seats and topics change through the pages, the API and the services (which check permissions
and write the audit log and the timeline); here they are read-only. Opinions, ballots and signatures are
never edited anywhere: they are shown read-only inside their topic.
"""

from __future__ import annotations

from django.contrib import admin

from grassroots.accounts.admin import ScopedAdmin

from .models import Ballot, Committee, Meeting, Membership, Opinion, Signature, Topic, TopicEvent


class _ReadOnly:
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(_ReadOnly, admin.TabularInline):
    model = Membership
    fields = (
        "seat",
        "role",
        "name",
        "user",
        "chosen_how",
        "started_on",
        "term_ends_on",
        "ended_on",
        "end_reason",
    )
    readonly_fields = fields


class OpinionInline(_ReadOnly, admin.TabularInline):
    model = Opinion
    fields = ("recorded_at", "round", "step", "author_name", "stance", "text", "corrects", "channel")
    readonly_fields = fields


class BallotInline(_ReadOnly, admin.TabularInline):
    model = Ballot
    fields = ("recorded_at", "resolution", "voter_name", "choice", "corrects", "channel")
    readonly_fields = fields


class SignatureInline(_ReadOnly, admin.TabularInline):
    model = Signature
    fields = (
        "recorded_at",
        "resolution",
        "signer_name",
        "signer_username",
        "decision",
        "reason",
        "channel",
        "ip_address",
    )
    readonly_fields = fields


class EventInline(_ReadOnly, admin.TabularInline):
    model = TopicEvent
    fields = ("at", "kind", "step", "to_step", "round", "actor_name", "text")
    readonly_fields = fields


class _ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)


@admin.register(Committee)
class CommitteeAdmin(_ReadOnlyAdmin):
    list_display = ("name", "kind", "area_code", "village_group", "process", "is_public", "is_synthetic")
    list_filter = ("kind", "process", "is_public", "is_synthetic")
    search_fields = ("name", "area_code")
    inlines = [MembershipInline]


@admin.register(Topic)
class TopicAdmin(_ReadOnlyAdmin):
    list_display = ("title", "committee", "kind", "step", "round", "proposed_at", "published_at")
    list_filter = ("kind", "step", "process", "is_synthetic")
    search_fields = ("title", "area_code")
    list_select_related = ("committee",)
    inlines = [EventInline, OpinionInline, BallotInline, SignatureInline]


@admin.register(Meeting)
class MeetingAdmin(_ReadOnlyAdmin):
    list_display = ("title", "committee", "starts_at", "place", "status", "recorded_offline")
    list_filter = ("status", "recorded_offline")
    list_select_related = ("committee",)
