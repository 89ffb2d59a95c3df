"""Ratings become records: one CaseRating per closure round, never edited (UPDATE refused by a trigger).

Until now a reopening emptied the case's rating, so an unsatisfied rating that led to a reopening was lost from
the case (but not from its timeline). Each case's ratings are rebuilt here from its timeline — every ``rate``
event, in the round it was given (one more round after each ``reopen``) — and a rating still on the case with no
event behind it becomes its current round's record. The case keeps a copy of its latest rating, with its round.
Cases never reopened (nearly all) are copied in bulk: a city's million cases take about a minute.
"""

import django.db.models.deletion
import grassroots.cases.models
from django.conf import settings
from django.db import migrations, models

from grassroots.appendonly import refuse_updates


def _handler_at(changes_list, position, case):
    """Who held the case at ``position`` of its timeline: the last assignment before it, else the first
    assignment after it (its old value), else the case's handler now."""
    def pair(changes, side):
        kind = changes.get("assignee_kind")
        name = changes.get("assignee_name")
        return ((kind[side] if kind else None), (name[side] if name else None))

    before = [c for c in changes_list[:position] if "assignee_name" in c or "assignee_kind" in c]
    after = [c for c in changes_list[position:] if "assignee_name" in c or "assignee_kind" in c]
    kind = name = None
    for changes in reversed(before):
        k, n = pair(changes, 1)
        kind = k if kind is None else kind
        name = n if name is None else name
    for changes in after:
        k, n = pair(changes, 0)
        kind = k if kind is None else kind
        name = n if name is None else name
    return (kind if kind is not None else case.assignee_kind) or "", (
        name if name is not None else case.assignee_name
    ) or ""


def ratings_from_history(apps, schema_editor=None):
    """Write the CaseRating rows of every rated case (idempotent: rounds already recorded are skipped).

    A case never reopened (nearly all) holds its one rating on the case: those are copied in bulk. A reopened
    case's earlier ratings were emptied from the case, so its timeline is read, one case at a time."""
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CaseRating = apps.get_model("cases", "CaseRating")
    first_rounds = CaseRating.objects.filter(round=1).values("case_id")
    never_reopened = Case.objects.filter(reopen_count=0).exclude(rating="").exclude(pk__in=first_rounds)
    columns = (
        "pk", "rating", "really_solved", "rating_comment", "reporter_id", "rated_at", "closed_at", "reported_at",
        "origin_code", "category_id", "source", "assignee_kind", "assignee_name",
    )
    batch = []
    for row in never_reopened.values(*columns).order_by("pk").iterator(chunk_size=5000):
        batch.append(
            CaseRating(
                case_id=row["pk"], round=1, channel="reporter", rating=row["rating"],
                really_solved=row["really_solved"], comment=row["rating_comment"], rated_by_id=row["reporter_id"],
                rated_at=row["rated_at"] or row["closed_at"] or row["reported_at"], origin_code=row["origin_code"],
                category_id=row["category_id"], source=row["source"], assignee_kind=row["assignee_kind"],
                assignee_name=row["assignee_name"],
            )
        )
        if len(batch) >= 5000:
            CaseRating.objects.bulk_create(batch)
            batch = []
    CaseRating.objects.bulk_create(batch)
    Case.objects.filter(reopen_count=0).exclude(rating="").update(rated_round=1)

    reopened = Case.objects.filter(reopen_count__gt=0)
    rated = set(
        CaseEvent.objects.filter(action="rate", case__in=reopened).values_list("case_id", flat=True)
    ) | set(reopened.exclude(rating="").values_list("pk", flat=True))
    for pk in sorted(rated):
        case = Case.objects.get(pk=pk)
        recorded = set(CaseRating.objects.filter(case=case).values_list("round", flat=True))
        events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        changes_list = [e.changes or {} for e in events]
        rows, round_ = {}, 1
        for position, event in enumerate(events):
            changes = changes_list[position]
            if event.action == "reopen":
                round_ += 1
            elif event.action == "rate" and round_ not in rows:
                detail = changes.get("detail") or {}
                rating = detail.get("rating") or (changes.get("rating") or [None, None])[1]
                if not rating:
                    continue
                if "really_solved" in detail:
                    solved = detail["really_solved"]
                else:
                    solved = (changes.get("really_solved") or [None, None])[1]
                rows[round_] = {
                    "rating": rating, "really_solved": solved, "comment": event.note,
                    "rated_by_id": event.actor_id, "rated_at": event.at,
                    "handler": _handler_at(changes_list, position, case),
                }
        current = case.reopen_count + 1
        if case.rating and current not in rows:
            rows[current] = {
                "rating": case.rating, "really_solved": case.really_solved, "comment": case.rating_comment,
                "rated_by_id": case.reporter_id,
                "rated_at": case.rated_at or case.closed_at or case.reported_at,
                "handler": (case.assignee_kind, case.assignee_name),
            }
        for number, row in sorted(rows.items()):
            if number in recorded:
                continue
            kind, name = row["handler"]
            CaseRating.objects.create(
                case=case, round=number, channel="reporter", rating=row["rating"],
                really_solved=row["really_solved"], comment=row["comment"], rated_by_id=row["rated_by_id"],
                rated_at=row["rated_at"], origin_code=case.origin_code, category_id=case.category_id,
                source=case.source, assignee_kind=kind, assignee_name=name,
            )
        if rows:
            number = max(rows)
            latest = rows[number]
            Case.objects.filter(pk=pk).update(
                rating=latest["rating"], really_solved=latest["really_solved"], rating_comment=latest["comment"],
                rated_at=latest["rated_at"], rated_round=number,
            )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_case_metrics_cover_category'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseRating',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('round', models.PositiveSmallIntegerField(verbose_name='closure round')),
                ('channel', models.CharField(choices=[('reporter', 'by the reporter'), ('callback', 'callback survey')], max_length=16, verbose_name='rated through')),
                ('rating', models.CharField(choices=[('satisfied', 'satisfied'), ('basically', 'basically satisfied'), ('unsatisfied', 'unsatisfied')], max_length=16, verbose_name='rating')),
                ('really_solved', models.BooleanField(blank=True, null=True, verbose_name='really solved')),
                ('comment', models.TextField(blank=True, verbose_name="in the reporter's words")),
                ('rated_at', models.DateTimeField(verbose_name='rated at')),
                ('origin_code', models.CharField(max_length=15, verbose_name='routed to')),
                ('source', models.CharField(choices=[('mobile_web', 'mobile web form'), ('api', 'app / API'), ('phone', 'phone call'), ('hotline', 'hotline'), ('visit', 'household visit'), ('walk_in', 'walk-in'), ('on_the_spot', 'resolved on the spot'), ('patrol', 'patrol finding'), ('disclosure', 'objection to a public notice')], max_length=16, verbose_name='case channel')),
                ('assignee_kind', models.CharField(blank=True, choices=[('grid_worker', 'grid worker'), ('user', 'staff member'), ('department', 'department'), ('unit', 'co-building unit')], max_length=16, verbose_name='handler kind')),
                ('assignee_name', models.CharField(blank=True, max_length=150, verbose_name='handler')),
            ],
            options={
                'verbose_name': 'rating',
                'verbose_name_plural': 'ratings',
                'ordering': ['case', 'round'],
            },
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='case_metrics_cover',
        ),
        migrations.AddField(
            model_name='case',
            name='rated_round',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='round of the latest rating'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=grassroots.cases.models.CoveringIndex(covering=('merged_into', 'state', 'accepted_at', 'response_due_at', 'dispatched_at', 'handled_at', 'handling_due_at', 'closed_at', 'rework_count', 'reopen_count', 'closing_level', 'assignee_kind', 'assignee_name', 'category'), fields=['origin_code', 'reported_at'], name='case_metrics_cover', opclasses=['varchar_pattern_ops', 'timestamptz_ops']),
        ),
        migrations.AddField(
            model_name='caserating',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ratings', to='cases.case', verbose_name='case'),
        ),
        migrations.AddField(
            model_name='caserating',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.category'),
        ),
        migrations.AddField(
            model_name='caserating',
            name='rated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by'),
        ),
        migrations.AddIndex(
            model_name='caserating',
            index=grassroots.cases.models.CoveringIndex(covering=('rating', 'really_solved', 'channel', 'source', 'category', 'assignee_kind', 'assignee_name'), fields=['origin_code', 'rated_at'], name='case_rating_area_time', opclasses=['varchar_pattern_ops', 'timestamptz_ops']),
        ),
        migrations.AddConstraint(
            model_name='caserating',
            constraint=models.UniqueConstraint(fields=('case', 'round'), name='case_rating_once_per_round'),
        ),
        migrations.AddConstraint(
            model_name='caserating',
            constraint=models.CheckConstraint(condition=models.Q(('round__gte', 1)), name='case_rating_round_positive'),
        ),
        migrations.RunPython(ratings_from_history, migrations.RunPython.noop),
        refuse_updates("cases_caserating", function="cases_refuse_update"),
    ]
