"""Keeping the pre-aggregated figures (``DailyFact``, ``AreaDay``) equal to what the cases say.

The counts are the cases app's own: the fact rows are ``cases.metrics.AGGREGATES`` over the cases reported on a
day and ``cases.metrics.RATING_AGGREGATES`` over the ratings given on a day, grouped by place of report, service
type, channel and closing level, written by ``INSERT … SELECT`` from the queries Django builds for them — so a
count is defined once, in cases/metrics.py, whichever table it is read from.

- :func:`facts_schedule_for_event` is registered with ``cases.events.on_record``: every timeline row schedules,
  for when its transaction commits, the refresh of its case's (place, day of report) slice, and of the event's
  own day when the event is a rating (a rating counts on the day it is given), through the task queue
  (django-tasks).
- :func:`facts_refresh` recomputes one (place, day) slice and the ``AreaDay`` rows of that day for the place
  and every area above it, under one lock per day, in one transaction: idempotent, so a task run twice or late
  leaves the same rows.
- :func:`facts_rebuild` recomputes every row from the cases (``manage.py insights_rebuild``);
  :func:`facts_differences` compares the stored rows with a fresh computation without writing.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, IntegerField, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from grassroots import clock, oncommit
from grassroots.accounts.models import User
from grassroots.accounts.scoping import OutOfScope
from grassroots.areas.codes import CODE_LENGTH, LEVEL_BY_LENGTH, CodeError, Level, level_of, parent_code
from grassroots.cases.metrics import AGGREGATES, RATING_AGGREGATES, Figures, Period, PeriodError
from grassroots.cases.models import Case, CaseEvent, CaseRating, Category, EventAction
from grassroots.errors import DomainError, NotPermitted

from . import selectors
from .models import COUNT_FIELDS, AreaDay, Bulletin, DailyFact, content_hash
from .rules import can_use_insights

KEY_FIELDS = ("area_code", "day", "category_id", "source", "closing_level")
_CASE_COUNTS = tuple(AGGREGATES)
_RATING_COUNTS = tuple(RATING_AGGREGATES)


# --- scheduling -----------------------------------------------------------------------------------------------


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def slices_of_event(event: CaseEvent) -> set[tuple[str, dt.date]]:
    """The (place of report, day) slices whose counts ``event`` may change."""
    case = event.case
    slices = {(case.origin_code, local_day(case.reported_at))}
    if event.action == EventAction.RATE:
        slices.add((case.origin_code, local_day(event.at)))
    return slices


def facts_schedule_for_event(event: CaseEvent) -> None:
    """Enqueue the refresh of every slice ``event`` touches, to run once the writer's transaction commits.

    With the database task queue (the default) the task rows are written in the writer's own transaction: they
    commit or roll back with the case, no worker sees them before the case is committed, and the transition
    commits once instead of twice (the second commit, of the task rows alone, added about 6 ms — a third of
    a transition — on PostgreSQL at a million cases). Any other queue (Redis, or running tasks at once) is
    handed the task on commit, so that its worker never reads the case before it is committed. Inside an
    ``oncommit.batched`` block (a bulk writer's thousands of events, such as the demo's) every queue gets one
    task per slice for all the block's events, on commit."""
    slices = slices_of_event(event)
    if oncommit.queue_commits_with_the_writer(facts_refresh_task) and not oncommit.batching():
        _enqueue_refreshes([slices])
    else:
        oncommit.after_commit(_enqueue_refreshes, slices)


def _enqueue_refreshes(slice_sets: list[set[tuple[str, dt.date]]]) -> None:
    for code, day in sorted(set().union(*slice_sets)):
        facts_refresh_task.enqueue(code, day.isoformat())


@task()
def facts_refresh_task(area_code: str, day: str) -> None:
    facts_refresh(area_code=area_code, day=dt.date.fromisoformat(day))


# --- the SQL that counts --------------------------------------------------------------------------------------


def _compiled(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _fact_select(*, area_code: str | None = None, day: dt.date | None = None) -> tuple[str, tuple]:
    """``SELECT area_code, day, category_id, source, closing_level, <COUNT_FIELDS>`` summed over the cases
    (``AGGREGATES``) and the ratings (``RATING_AGGREGATES``) — the whole table, or the slice of one place and
    day."""
    zone = timezone.get_current_timezone()
    cases = Case.objects.filter(merged_into__isnull=True)
    ratings = CaseRating.objects.all()
    if area_code is not None:
        cases = cases.filter(origin_code=area_code)
        ratings = ratings.filter(origin_code=area_code)
    if day is not None:
        start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        end = start + dt.timedelta(days=1)
        cases = cases.filter(reported_at__gte=start, reported_at__lt=end)
        ratings = ratings.filter(rated_at__gte=start, rated_at__lt=end)
    case_rows = (
        cases.annotate(
            fact_day=TruncDate("reported_at", tzinfo=zone),
            fact_level=Coalesce(F("closing_level"), Value(0), output_field=IntegerField()),
        )
        .values("origin_code", "fact_day", "category_id", "source", "fact_level")
        .annotate(**AGGREGATES)
        .order_by()
    )
    rating_rows = (
        ratings.annotate(fact_day=TruncDate("rated_at", tzinfo=zone))
        .values("origin_code", "fact_day", "category_id", "source")
        .annotate(**RATING_AGGREGATES)
        .order_by()
    )
    case_sql, case_params = _compiled(case_rows)
    rating_sql, rating_params = _compiled(rating_rows)
    q = connection.ops.quote_name

    def column(name: str, counted: tuple[str, ...]) -> str:
        # as integers: the sum of a COUNT (a bigint) would be a numeric, many times slower to add up
        return f"{f'CAST(c.{q(name)} AS integer)' if name in counted else '0'} AS {q(name)}"

    if connection.vendor == "postgresql":
        return _fact_join(case_sql, rating_sql), case_params + rating_params
    case_counts = ", ".join(column(n, _CASE_COUNTS) for n in COUNT_FIELDS)
    rating_counts = ", ".join(column(n, _RATING_COUNTS) for n in COUNT_FIELDS)
    sums = ", ".join(f"SUM(u.{q(n)})" for n in COUNT_FIELDS)
    # the union's columns are named by its first SELECT (SQLite takes no column list after an alias)
    sql = (
        f"SELECT u.area_code, u.day, u.category_id, u.source, u.closing_level, {sums} FROM ("  # noqa: S608 - our names
        f"SELECT c.origin_code AS area_code, c.fact_day AS day, c.category_id AS category_id, "
        f"c.source AS source, c.fact_level AS closing_level, {case_counts} FROM ({case_sql}) c "
        f"UNION ALL "
        f"SELECT c.origin_code, c.fact_day, c.category_id, c.source, 0, {rating_counts} FROM ({rating_sql}) c"
        f") u GROUP BY u.area_code, u.day, u.category_id, u.source, u.closing_level"
    )
    return sql, case_params + rating_params


def _fact_join(case_sql: str, rating_sql: str) -> str:
    """PostgreSQL: the case rows and the rating rows of the same key (place, day, type, channel, closing level
    0) side by side in one row, by a full join of the two groupings (each has one row per key). The same rows
    as summing their union again by the key, which SQLite does (it joins FULL only from 3.39): at a million
    cases nearly every key is a group of its own, and hashing 1.4 million groups of twenty sums took longer
    than the cases' own grouping, where joining hashes the 400,000 rating rows only."""
    q = connection.ops.quote_name
    key = ("origin_code", "fact_day", "category_id", "source")

    def count(name: str) -> str:
        side = "c" if name in _CASE_COUNTS else "r" if name in _RATING_COUNTS else None
        value = f"CAST(COALESCE({side}.{q(name)}, 0) AS integer)" if side else "0"
        return f"{value} AS {q(name)}"

    keys = ", ".join(
        f"COALESCE(c.{q(k)}, r.{q(k)}) AS {q(n)}"
        for k, n in zip(key, ("area_code", "day", "category_id", "source"), strict=True)
    )
    joined = " AND ".join(f"c.{q(k)} = r.{q(k)}" for k in key)
    return (
        f"SELECT {keys}, COALESCE(c.fact_level, 0) AS closing_level, "  # noqa: S608 - our names
        f"{', '.join(count(n) for n in COUNT_FIELDS)} "
        f"FROM ({case_sql}) c FULL JOIN (SELECT g.*, 0 AS fact_level FROM ({rating_sql}) g) r "
        f"ON {joined} AND c.fact_level = r.fact_level"
    )


def _top_types() -> dict[int, int]:
    return selectors.top_types()


def _rollup_select(length: int, *, where: str, params: tuple) -> tuple[str, tuple]:
    """``SELECT area_code, parent_code, day, top_type_id, <sums>`` of the ``DailyFact`` rows matching ``where``
    at the areas whose codes have ``length`` digits."""
    q = connection.ops.quote_name
    tops = _top_types()
    # each service type's top-level type from a join with a small table of (type, top type); a CASE with a
    # branch per type, evaluated for every row, cost as much as the sums
    pairs = ", ".join(f"({int(pk)}, {int(top)})" for pk, top in sorted(tops.items())) or "(0, 0)"
    top_sql = "t.column2"
    level = LEVEL_BY_LENGTH[length]
    parent_sql = f"SUBSTR(area_code, 1, {CODE_LENGTH[Level(level - 1)]})" if level > Level.PROVINCE else "''"
    # a province has no parent: the constant '' is selected but not grouped by (PostgreSQL refuses that)
    parent_group = f"{parent_sql}, " if level > Level.PROVINCE else ""
    sums = ", ".join(f"SUM({q(n)}) AS {q(n)}" for n in COUNT_FIELDS)
    table = q(DailyFact._meta.db_table)
    sql = (
        f"SELECT SUBSTR(area_code, 1, {length}) AS area_code, {parent_sql} AS parent_code, day, "  # noqa: S608
        f"{top_sql} AS top_type_id, {sums} FROM {table} JOIN (VALUES {pairs}) t ON t.column1 = category_id "
        f"WHERE LENGTH(area_code) >= {length} AND ({where}) "
        f"GROUP BY SUBSTR(area_code, 1, {length}), {parent_group}day, {top_sql}"
    )
    return sql, params


def _insert(model, columns: Iterable[str], select: tuple[str, tuple], *, order: str = "") -> None:
    q = connection.ops.quote_name
    sql, params = select
    names = ", ".join(q(c) for c in columns)
    ordered = f" ORDER BY {order}" if order else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(model._meta.db_table)} ({names}) SELECT * FROM ({sql}) s{ordered}",  # noqa: S608
            params,
        )


_FACT_COLUMNS = (*KEY_FIELDS, *COUNT_FIELDS)
_ROLLUP_COLUMNS = ("area_code", "parent_code", "day", "top_type_id", *COUNT_FIELDS)


def _lock_day(day: dt.date) -> None:
    """One refresh of a day at a time (PostgreSQL; SQLite writes one transaction at a time anyway): two
    refreshes of places under the same area on the same day would otherwise both rewrite that area's rows."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"insights:{day.isoformat()}".encode()) - 2**31
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# The areas that keep ``AreaDay`` rows: every level above the grid (a grid's figures are its facts).
AREA_LENGTHS = tuple(sorted(length for level, length in CODE_LENGTH.items() if level != Level.GRID))


def _areas_from(code: str) -> list[str]:
    """``code`` and every area above it that keeps area rows."""
    out = [code]
    while (above := parent_code(out[-1])) is not None:
        out.append(above)
    return [c for c in out if len(c) in AREA_LENGTHS]


# --- writing ----------------------------------------------------------------------------------------------------


def facts_refresh(*, area_code: str, day: dt.date) -> None:
    """Recompute the facts of the cases reported (and the ratings given) on ``day`` at ``area_code``, then the
    day's ``AreaDay`` rows of that place and of every area above it."""
    try:
        level_of(area_code)
    except CodeError:
        return  # no case is routed to a malformed code; nothing to count
    with transaction.atomic():
        _lock_day(day)
        DailyFact.objects.filter(area_code=area_code, day=day).delete()
        _insert(DailyFact, _FACT_COLUMNS, _fact_select(area_code=area_code, day=day))
        for code in _areas_from(area_code):
            AreaDay.objects.filter(area_code=code, day=day).delete()
            _insert(
                AreaDay,
                _ROLLUP_COLUMNS,
                _rollup_select(len(code), where="day = %s AND area_code LIKE %s", params=(day, code + "%")),
            )


def _level_select(length: int, *, below: int | None) -> tuple[str, tuple]:
    """``SELECT area_code, parent_code, day, top_type_id, <sums>`` of every area whose code has ``length``
    digits, built from the level below rather than from the facts: the ``AreaDay`` rows of its children
    (codes of ``below`` digits, already written) and the ``DailyFact`` rows routed to the area itself (a case
    routed to a village, not to one of its grids). The same sums as :func:`_rollup_select`, over far fewer
    rows: a county's children are its townships' rows, not its cases' facts."""
    q = connection.ops.quote_name
    if below is None:  # the lowest level kept: from the facts of its subtree
        return _rollup_select(length, where="1 = 1", params=())
    own, params = _rollup_select(length, where=f"LENGTH(area_code) = {int(length)}", params=())
    level = LEVEL_BY_LENGTH[length]
    parent_sql = f"SUBSTR(area_code, 1, {CODE_LENGTH[Level(level - 1)]})" if level > Level.PROVINCE else "''"
    parent_group = f"{parent_sql}, " if level > Level.PROVINCE else ""
    cols = ", ".join(q(n) for n in COUNT_FIELDS)
    sums = ", ".join(f"SUM({q(n)})" for n in COUNT_FIELDS)
    table = q(AreaDay._meta.db_table)
    children = (
        f"SELECT SUBSTR(area_code, 1, {length}) AS area_code, day, top_type_id, {cols} "  # noqa: S608
        f"FROM {table} WHERE LENGTH(area_code) = {int(below)}"
    )
    own_rows = f"SELECT area_code, day, top_type_id, {cols} FROM ({own}) o"  # noqa: S608
    sql = (
        f"SELECT area_code, {parent_sql}, day, top_type_id, {sums} FROM ("  # noqa: S608
        f"{children} UNION ALL {own_rows}) u GROUP BY area_code, {parent_group}day, top_type_id"
    )
    return sql, params


def _secondary_structures(model) -> list[tuple[str, str, str]]:
    """The (name, DROP statement, CREATE statement) of every index and constraint of ``model``'s table that can
    be made again after its rows are written — which costs far less than keeping them current row by row (and,
    on PostgreSQL, than checking a deferred foreign key per row at commit). PostgreSQL: all but the primary
    key. SQLite: the indexes made by CREATE INDEX (a unique constraint is part of its table)."""
    table = model._meta.db_table
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            return [(name, f"DROP INDEX {q(name)}", sql) for name, sql in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
    return [
        (
            name,
            f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}",
            f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}",
        )
        for name, definition in constraints
    ] + [(name, f"DROP INDEX {q(name)}", definition) for name, definition in indexes]


def facts_rebuild() -> dict[str, int]:
    """Every fact and area row again from the cases, in one transaction. Returns the number of rows of each.

    The facts come from the cases and ratings; each level of area rows from the level below (villages from the
    facts, townships from the villages, … the province from its cities). The tables' secondary indexes (and on
    PostgreSQL their constraints but the primary key) are dropped first and made again after the rows are
    written.

    PostgreSQL: the sorts and hashes of the grouping and the index builds get the memory to stay off disk
    (``hash_mem_multiplier``: a million cases make 1.4 million facts, nearly one group per row), every grouping
    is hashed (``enable_sort = off``: the planner guesses that a ``LENGTH(area_code)`` filter keeps 0.5 % of
    the rows and sorted a level's million rows on disk), and no JIT — ``SET LOCAL``, this transaction only.
    Its facts join the cases' and the ratings' groupings rather than grouping their union again
    (:func:`_fact_join`). SQLite: rows are written in the order of the table's unique key (its one index
    left) and with a larger page cache for the connection while it runs."""
    postgres = connection.vendor == "postgresql"
    q = connection.ops.quote_name
    with transaction.atomic():
        rebuilt: list[str] = []
        cache_size = 0
        with connection.cursor() as cursor:
            if postgres:
                # TRUNCATE refuses tables with deferred checks pending in this transaction: run them first
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL work_mem = '256MB'")
                # the groupings are nearly one group per row (a million cases make 1.4 million facts, and
                # those 1.15 million village rows): their hash tables need more than work_mem to stay in memory
                cursor.execute("SET LOCAL hash_mem_multiplier = 4")
                # the planner cannot tell how many rows a LENGTH(area_code) filter keeps (it guesses 0.5 %)
                # and sorted a level's million rows on disk instead of hashing them
                cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                # compiling the sums' expressions (JIT) costs more than it saves here (measured at 200,000)
                cursor.execute("SET LOCAL jit = off")
            else:
                cursor.execute("PRAGMA cache_size")
                cache_size = cursor.fetchone()[0]
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB
            for model in (AreaDay, DailyFact):
                for _name, drop, create in _secondary_structures(model):
                    cursor.execute(drop)
                    rebuilt.append(create)
            if postgres:
                names = ", ".join(q(m._meta.db_table) for m in (AreaDay, DailyFact))
                cursor.execute(f"TRUNCATE {names}")
            else:
                for model in (AreaDay, DailyFact):
                    cursor.execute(f"DELETE FROM {q(model._meta.db_table)}")  # noqa: S608 - our table names
        # SQLite: in key order, so that its unique index grows at its end
        _insert(DailyFact, _FACT_COLUMNS, _fact_select(), order="" if postgres else "1, 2, 3, 4, 5")
        below = None
        for length in sorted(AREA_LENGTHS, reverse=True):
            _insert(
                AreaDay,
                _ROLLUP_COLUMNS,
                _level_select(length, below=below),
                order="" if postgres else "1, 3, 4",
            )
            below = length
        with connection.cursor() as cursor:
            for statement in rebuilt:
                cursor.execute(statement)
            # statistics of the new rows (SQLite without them read a year of the facts through the day index
            # for the hotspots' norm instead of each place's rows through the place index: 3.4 s against 0.1 s)
            cursor.execute(f"ANALYZE {q(DailyFact._meta.db_table)}")
            cursor.execute(f"ANALYZE {q(AreaDay._meta.db_table)}")
            if not postgres:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
        return {"facts": DailyFact.objects.count(), "areas": AreaDay.objects.count()}


def _differing(select: tuple[str, tuple], model, columns: tuple[str, ...], *, where: str = "1 = 1") -> int:
    """How many rows the computation ``select`` and the stored table disagree on (in one and not the other), counted
    by the database (``EXCEPT`` both ways)."""
    q = connection.ops.quote_name
    sql, params = select
    names = ", ".join(q(c) for c in columns)
    table = q(model._meta.db_table)
    stored = f"SELECT {names} FROM {table} WHERE {where}"  # noqa: S608
    missing = f"SELECT COUNT(*) FROM (SELECT * FROM ({sql}) f EXCEPT {stored}) d"  # noqa: S608
    extra = f"SELECT COUNT(*) FROM ({stored} EXCEPT SELECT * FROM ({sql}) f) d"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(missing, params)
        count = cursor.fetchone()[0]
        cursor.execute(extra, params)
        return count + cursor.fetchone()[0]


def facts_differences() -> dict[str, int]:
    """How many stored rows differ from a fresh computation (rows missing, extra or with other counts), without
    writing: {"facts": n, "areas": m}; all zero when the figures are current. The areas are compared with the
    sums of the stored facts: a stale fact shows in "facts", a stale area sum in "areas"."""
    areas = 0
    for length in AREA_LENGTHS:
        areas += _differing(
            _rollup_select(length, where="1 = 1", params=()),
            AreaDay,
            _ROLLUP_COLUMNS,
            where=f"LENGTH(area_code) = {int(length)}",
        )
    return {"facts": _differing(_fact_select(), DailyFact, _FACT_COLUMNS), "areas": areas}


# --- monthly bulletins -----------------------------------------------------------------------------------------


class BulletinError(DomainError):
    code = "bulletin_refused"
    status = 409


def _frozen(figures: Figures) -> dict:
    return {
        "counts": {name: getattr(figures.counts, name) for name in COUNT_FIELDS},
        "rates": {
            r.key: {
                "numerator": r.numerator,
                "denominator": r.denominator,
                "percent": None if r.percent is None else str(r.percent),
            }
            for r in figures.ordered
        },
        "score": None if figures.score is None else str(figures.score),
    }


def bulletin_issue(*, actor: User, area_code: str, month: str) -> Bulletin:
    """Issue the bulletin of ``area_code`` for ``month`` (YYYY-MM, a month already over): its figures, the
    month before, the areas below and the service types, frozen with their hash. Once per area and month.

    Raises ``NotPermitted`` without a role that reads figures, ``OutOfScope`` outside the actor's scope,
    ``BulletinError`` for a month not over or already issued."""
    from grassroots.accounts.services import audit_record

    if not can_use_insights(actor):
        raise NotPermitted(_("Your role does not show case figures."))
    try:
        level_of(area_code)
    except CodeError:
        raise OutOfScope from None
    if not selectors.may_see(user=actor, code=area_code):
        raise OutOfScope
    try:
        period = Period.parse(month)
    except PeriodError as exc:
        raise BulletinError(exc.message, code="invalid_period", status=422) from None
    if len(period.key) != 7:
        raise BulletinError(
            _("A bulletin is for one month: write it as 2026-03."), code="invalid_period", status=422
        )
    if period.end > clock.today():
        raise BulletinError(
            _("The month %(month)s is not over yet: its bulletin can be issued from %(day)s.")
            % {"month": period.key, "day": period.end.isoformat()},
            code="month_not_over",
        )
    board = selectors.dashboard_for(area_code=area_code, period=period)
    name = selectors.area_names(codes=[area_code]).get(area_code, area_code)
    content = {
        "area": {"code": area_code, "name": name},
        "month": period.key,
        "days": [period.start.isoformat(), period.last_day.isoformat()],
        "previous_month": board.previous.key,
        "basically_counts": board.figures.basically_counts,
        "figures": _frozen(board.figures),
        "previous": _frozen(board.previous_figures),
        "areas": [{"code": r.key, "name": r.label, **_frozen(r.figures)} for r in board.children],
        "service_types": [{"code": r.key, "name": r.label, **_frozen(r.figures)} for r in board.types],
    }
    with transaction.atomic():
        if Bulletin.objects.filter(area_code=area_code, month=period.start).exists():
            raise BulletinError(
                _("The bulletin of %(area)s for %(month)s has been issued already; it is never changed.")
                % {"area": name, "month": period.key},
                code="bulletin_issued",
            )
        bulletin = Bulletin.objects.create(
            area_code=area_code,
            month=period.start,
            issued_at=clock.now(),
            issued_by=actor,
            content=content,
            sha256=content_hash(content),
        )
        audit_record(
            actor=actor,
            action="insights.bulletin_issue",
            target=bulletin,
            area_code=area_code,
            detail={"month": period.key, "sha256": bulletin.sha256},
        )
    return bulletin


# --- acting on a hotspot (未诉先办) -----------------------------------------------------------------------------


PATROL_TASK_DAYS = 2  # a patrol task from a hotspot is due this many days after it is set


@dataclass(frozen=True)
class HotspotPlace:
    """Where the cases of a hotspot are: their centre (when every one has a point), the grid most of them were
    routed to, the address most often written, and a description naming them."""

    category: Category
    lon: float | None
    lat: float | None
    area_code: str
    address: str
    description: str


def _place_of(*, kind: str, cases: list[Case]) -> HotspotPlace:
    from collections import Counter

    category = cases[0].category
    points = [(c.lon, c.lat) for c in cases if c.lon is not None and c.lat is not None]
    lon = lat = None
    if points and len(points) == len(cases):
        lon = sum(p[0] for p in points) / len(points)
        lat = sum(p[1] for p in points) / len(points)
    codes = Counter(c.origin_code for c in cases)
    addresses = Counter(c.address for c in cases if c.address)
    area_code = codes.most_common(1)[0][0]
    address = addresses.most_common(1)[0][0] if addresses else ""
    first, last = cases[0].reported_at, cases[-1].reported_at
    # stored text, read by the staff who handle the case: in the site's language, whoever pressed the button
    with translation.override(settings.LANGUAGE_CODE):
        reason = {
            selectors.HotspotKind.CLUSTER: _("reports of the same service type close together"),
            selectors.HotspotKind.DENSITY: _("reports far above this grid's norm"),
            selectors.HotspotKind.REOPENED: _("cases reopened again and again"),
        }[kind]
        description = _(
            "Proactive case (未诉先办): %(count)d %(reason)s — %(type)s, %(first)s to %(last)s. "
            "Find the cause and deal with it before it is reported again. Cases: %(refs)s."
        ) % {
            "count": len(cases),
            "reason": reason,
            "type": category.name,
            "first": timezone.localtime(first).date().isoformat(),
            "last": timezone.localtime(last).date().isoformat(),
            "refs": ", ".join(c.reference for c in cases[:40]) + (" …" if len(cases) > 40 else ""),
        }
    return HotspotPlace(category, lon, lat, area_code, address, description)


def _hotspot_checked(*, actor: User, area_code: str, kind: str, category_id: int, case_ids) -> list[Case]:
    if not can_use_insights(actor):
        raise NotPermitted(_("Your role does not show case figures."))
    if not selectors.may_see(user=actor, code=area_code):
        raise OutOfScope
    if kind not in selectors.HotspotKind.ALL:
        raise HotspotError(_("Unknown kind of hotspot."), code="invalid_hotspot", status=422)
    cases = selectors.hotspot_cases_for(user=actor, case_ids=case_ids, category_id=category_id)
    if any(not c.origin_code.startswith(area_code) for c in cases):
        raise OutOfScope
    return cases


class HotspotError(DomainError):
    code = "hotspot_refused"
    status = 422


def hotspot_open_case(*, actor: User, area_code: str, kind: str, category_id: int, case_ids) -> Case:
    """Open a proactive case (channel ``proactive``) for a hotspot of ``area_code``: the cases behind it (each
    one the actor's to see, of the one service type) named in its description, at their centre or at the grid
    most of them came from, through the one intake pipeline (``case_open_proactive``). The idempotency key is
    the hotspot's (its kind, type and cases): pressed twice, or by a page sent twice, it makes one case; the
    second answer is the first case (``case.replayed``)."""
    from grassroots.cases.services import case_open_proactive

    cases = _hotspot_checked(
        actor=actor, area_code=area_code, kind=kind, category_id=category_id, case_ids=case_ids
    )
    place = _place_of(kind=kind, cases=cases)
    return case_open_proactive(
        actor=actor,
        category=place.category,
        description=place.description,
        lon=place.lon,
        lat=place.lat,
        area_code=place.area_code,
        address=place.address,
        idempotency_key="hotspot-" + selectors.hotspot_key(kind, category_id, [c.pk for c in cases]),
    )


def hotspot_set_patrol_task(*, actor: User, area_code: str, kind: str, category_id: int, case_ids):
    """Ask the worker of the hotspot's grid (where most of its cases came from, or where its centre lies) to
    patrol it within :data:`PATROL_TASK_DAYS` days (``workforce.services.patrols.patrol_task_set``).
    Idempotent like :func:`hotspot_open_case`. Returns (task, created)."""
    from grassroots.areas.codes import Level as AreaLevel
    from grassroots.areas.routing import route_point
    from grassroots.workforce.services.patrols import patrol_task_set

    cases = _hotspot_checked(
        actor=actor, area_code=area_code, kind=kind, category_id=category_id, case_ids=case_ids
    )
    place = _place_of(kind=kind, cases=cases)
    grid = place.area_code if level_of(place.area_code) == AreaLevel.GRID else None
    if grid is None and place.lon is not None:
        grid = route_point(place.lon, place.lat).grid_code
    if grid is None:
        raise HotspotError(
            _("These cases were not routed to one grid; open a proactive case for their area instead."),
            code="no_grid",
        )
    return patrol_task_set(
        actor=actor,
        grid_code=grid,
        description=place.description[:500],
        due_on=clock.today() + dt.timedelta(days=PATROL_TASK_DAYS),
        lon=place.lon,
        lat=place.lat,
        key="hotspot-" + selectors.hotspot_key(kind, category_id, [c.pk for c in cases]),
    )
