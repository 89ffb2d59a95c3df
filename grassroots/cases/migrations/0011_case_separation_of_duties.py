"""Separation of duties: verification (核查) is independent of handling.

Each case now records who reported it handled in its current closure round (``handled_by``) and who verified its
closure (``verified_by``); the workflow refuses a verification by either of them or by the case's assignee, and
a rating by any of them. The closures verified so before the rule are counted from the case timelines into
``self_verified_count``, which the figures show (docs/metrics.md): a case's events are replayed in order — the
assignee's login from each change of it, the actor of each ``handle``, each ``verify_pass`` compared with both, a
``reopen`` starting a new round — and the current round's handler and verifier are kept on the case. Only cases
with a ``handle`` event are read; their events stream in one query, cases are updated in batches.
"""

import django.db.models.deletion
import grassroots.cases.models
from django.conf import settings
from django.db import migrations, models


def _replay(events):
    """(handled_by, verified_by, self-verified closures) of one case from its events, oldest first."""
    assignee = handler = verifier = None
    self_verified = 0
    for action, actor_id, changes in events:
        change = (changes or {}).get("assignee_user_id")
        if change and len(change) == 2:
            assignee = change[1]
        if action == "handle":
            handler = actor_id
        elif action == "verify_pass":
            if actor_id is not None and actor_id in (handler, assignee):
                self_verified += 1
            verifier = actor_id
        elif action == "reopen":
            handler = verifier = None
    return handler, verifier, self_verified


def duties_from_history(apps, schema_editor=None):
    """Fill ``handled_by``, ``verified_by`` and ``self_verified_count`` of every handled case from its timeline
    (idempotent: each value is computed afresh)."""
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    handled = CaseEvent.objects.filter(action="handle").values("case_id")
    events = (
        CaseEvent.objects.filter(case_id__in=handled)
        .exclude(action__in=["urge", "report", "duplicate_merged"])
        .order_by("case_id", "at", "id")
        .values_list("case_id", "action", "actor_id", "changes")
    )
    users = set(User.objects.values_list("pk", flat=True))
    batch, current, rows = [], None, []

    def flush_case():
        if current is None:
            return
        handler, verifier, count = _replay(rows)
        batch.append(
            Case(
                pk=current,
                handled_by_id=handler if handler in users else None,
                verified_by_id=verifier if verifier in users else None,
                self_verified_count=count,
            )
        )

    for case_id, action, actor_id, changes in events.iterator(chunk_size=5000):
        if case_id != current:
            flush_case()
            current, rows = case_id, []
            if len(batch) >= 2000:
                Case.objects.bulk_update(batch, ["handled_by", "verified_by", "self_verified_count"])
                batch = []
        rows.append((action, actor_id, changes))
    flush_case()
    Case.objects.bulk_update(batch, ["handled_by", "verified_by", "self_verified_count"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_case_entry_idempotency'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_metrics_cover',
        ),
        migrations.AddField(
            model_name='case',
            name='handled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reported handled by'),
        ),
        migrations.AddField(
            model_name='case',
            name='self_verified_count',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='closures verified by their handler'),
        ),
        migrations.AddField(
            model_name='case',
            name='verified_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='verified by'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=grassroots.cases.models.CoveringIndex(covering=('merged_into', 'state', 'accepted_at', 'response_due_at', 'dispatched_at', 'handled_at', 'handling_due_at', 'closed_at', 'rework_count', 'reopen_count', 'closing_level', 'assignee_kind', 'assignee_name', 'category', 'self_verified_count'), fields=['origin_code', 'reported_at'], name='case_metrics_cover', opclasses=['varchar_pattern_ops', 'timestamptz_ops']),
        ),
        migrations.RunPython(duties_from_history, migrations.RunPython.noop),
    ]
