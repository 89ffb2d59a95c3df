"""The writing pass: the spooled rows written batch by batch inside the import's transaction — households
upserted by (grid, number), residents by the keyed hash of their ID number, moves, name suffixes, heads and
key-group labels."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterator

from django.db import connection
from django.db.models import OuterRef, Subquery

from grassroots import clock, fieldcrypt, personal
from grassroots.accounts.models import User
from grassroots.masking import mask_id_number, mask_phone

from ... import names, person_numbers
from ...codes import Relation
from ...models import GridMove, Household, KeyGroupLabel, NameSuffix, Resident, ResidentStatus
from . import sheet
from .sheet import Row


@dataclasses.dataclass
class Counts:
    households_created: int = 0
    households_updated: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    unchanged: int = 0


def read_spool(spool) -> Iterator[list[Row]]:
    """The spooled rows, a batch (of BATCH rows, the last one fewer) at a time."""
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - our own temporary file, written just above
        except EOFError:
            return


HOUSEHOLD_COMPARED = ("address", "building", "unit", "room", "residence_type")
RESIDENT_COMPARED = ("name", "relation", "ethnicity", "political_status", "occupation", "notes")


class _NewResident:
    """What the rest of a batch needs of a resident just inserted (its id, grid, household, name), without
    a model instance."""

    __slots__ = ("area_code", "household_id", "name", "pk")
    household_id: int
    area_code: str
    name: str
    pk: int  # 0 until the row is inserted

    def __init__(self, household_id: int, area_code: str, name: str):
        self.household_id, self.area_code, self.name, self.pk = household_id, area_code, name, 0


class _Insert:
    """Many rows of one model written as column values, their ids returned in the order of the rows.

    The import gives the values of ``columns`` ready for the database (encrypted, hashed, dates adapted);
    every other column gets its model default, prepared once per call, and ``created_at``/``updated_at`` the
    time of the call. Cheaper than ``bulk_create``, which builds a model instance per row and prepares every
    value of every row through its field.

    PostgreSQL: the ids are taken from the table's sequence first (``nextval`` over ``generate_series``),
    then the rows go in by ``COPY … FROM STDIN`` (psycopg formats the rows in C; the server loads them without
    planning a statement per row). SQLite: ``INSERT … RETURNING id`` of as many rows per statement as it takes
    (SQLite ≥ 3.35 returns them in the order of the rows, as ``bulk_create`` relies on)."""

    def __init__(self, model, columns: tuple[str, ...]):
        self.model, self.columns = model, columns
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = set(columns) - set(fields)
        assert not unknown, unknown
        self.rest = [f for name, f in fields.items() if name not in columns]

    def _rest(self) -> tuple:
        now = clock.now()
        rest = tuple(
            now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            for f in self.rest
        )
        return tuple(f.get_db_prep_save(v, connection) for f, v in zip(self.rest, rest, strict=True))

    def run(self, rows: list[tuple]) -> list[int]:
        if not rows:
            return []
        rest = self._rest()
        names = [*self.columns, *(f.column for f in self.rest)]
        qn = connection.ops.quote_name
        table = self.model._meta.db_table
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(rows)],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
            copy_rows(table, ("id", *names), ((pk, *row, *rest) for pk, row in zip(ids, rows, strict=True)))
            return ids
        head = f"INSERT INTO {qn(table)} ({', '.join(qn(n) for n in names)}) VALUES "  # noqa: S608 - our names
        row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
        returning = f" RETURNING {qn('id')}"
        ids = []
        limit = connection.features.max_query_params or 999
        per_statement = min(sheet.BATCH, max(1, limit // len(names)))
        with connection.cursor() as cursor:
            for i in range(0, len(rows), per_statement):
                chunk = rows[i : i + per_statement]
                cursor.execute(
                    head + ", ".join([row_sql] * len(chunk)) + returning,
                    [v for row in chunk for v in (*row, *rest)],
                )
                ids.extend(pk for (pk,) in cursor.fetchall())
        return ids


def copy_rows(table: str, columns: tuple[str, ...], rows) -> None:
    """Rows of plain column values into ``table``, by ``COPY`` on PostgreSQL and a prepared ``INSERT`` run
    per row (``executemany``) on SQLite. No ids come back."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608
            list(rows),
        )


_HOUSEHOLD_INSERT = _Insert(
    Household,
    ("area_id", "area_code", "number", "address", "building", "unit", "room", "residence_type", "phone",
     "phone_hash", "phone_masked"),
)  # fmt: skip
_RESIDENT_INSERT = _Insert(
    Resident,
    ("household_id", "area_code", "name", "name_pinyin", "name_initials", "id_number", "id_hash", "id_masked",
     "birth_date", "sex", "relation", "ethnicity", "phone", "phone_hash", "phone_masked", "political_status",
     "occupation", "notes"),
)  # fmt: skip


def write_households(batch: list[Row], area_by_code: dict, known: dict, counts: Counts) -> None:
    wanted: dict[tuple[str, str], Row] = {}
    for row in batch:
        wanted.setdefault((row.grid_code, row.household_number), row)
    missing = [k for k in wanted if k not in known]
    if missing:
        codes = {k[0] for k in missing}
        numbers = {k[1] for k in missing}
        loaded: dict[tuple[str, str], Household] = {}
        for h in Household.objects.filter(area_code__in=codes, number__in=numbers).defer("phone"):
            key = (h.area_code, h.number)
            if key in wanted:
                loaded[key] = h
    else:
        loaded = {}
    create: list[tuple[tuple[str, str], tuple]] = []
    update: list[Household] = []
    update_fields = {"updated_at"}
    for key, row in wanted.items():
        if key in known:
            continue  # already written (or compared) earlier in this import
        stored = loaded.get(key)
        phone_hash = personal.phone_hash(row.household_phone) if row.household_phone else None
        if stored is None:
            phone = row.household_phone
            create.append(
                (
                    key,
                    (
                        area_by_code[row.grid_code].pk,
                        row.grid_code,
                        row.household_number,
                        row.address,
                        row.building,
                        row.unit,
                        row.room,
                        row.residence_type,
                        fieldcrypt.encrypt(phone) if phone else "",
                        phone_hash,
                        mask_phone(phone) if phone else "",
                    ),
                )
            )
            continue
        known[key] = [stored.pk, stored.head_id]  # light: [pk, head] is all the residents' pass needs
        changed = [f for f in HOUSEHOLD_COMPARED if getattr(stored, f) != getattr(row, f)]
        for f in changed:
            setattr(stored, f, getattr(row, f))
        if row.household_phone and phone_hash != stored.phone_hash:
            stored.phone, stored.phone_hash, stored.phone_masked = person_numbers.phone_columns(
                row.household_phone
            )
            changed += ["phone", "phone_hash", "phone_masked"]
        if changed:
            update_fields.update(changed)
            update.append(stored)
    if create:
        ids = _HOUSEHOLD_INSERT.run([values for _key, values in create])
        for (key, _values), pk in zip(create, ids, strict=True):
            known[key] = [pk, None]
        counts.households_created += len(create)
    if update:
        now = clock.now()
        for h in update:
            h.updated_at = now
        Household.objects.bulk_update(update, sorted(update_fields))
        counts.households_updated += len(update)


def write_residents(
    batch: list[Row],
    known_households: dict,
    actor: User,
    counts: Counts,
    touched: set[int],
    new_heads: list[int],
) -> None:
    existing = {
        r.id_hash: r
        for r in Resident.objects.filter(id_hash__in=[row.id_hash for row in batch]).defer(
            "id_number", "phone"
        )
    }
    adapt_date = connection.ops.adapt_datefield_value
    # The numbers of the new residents encrypted in one go (fieldcrypt.encrypt_many), taken in row order below.
    plaintexts = []
    for row in batch:
        if row.id_hash not in existing:
            plaintexts.append(row.id_number)
            if row.phone:
                plaintexts.append(row.phone)
    tokens = iter(fieldcrypt.encrypt_many(plaintexts))
    changes = _ResidentChanges()
    heads: list[tuple[list, Resident | _NewResident]] = []
    label_rows: list[tuple[Resident | _NewResident, list[tuple[str, int]]]] = []
    for row in batch:
        household = known_households[(row.grid_code, row.household_number)]  # [pk, head_id]
        household_id = household[0]
        r: Resident | _NewResident
        stored = existing.get(row.id_hash)
        if stored is None:
            # A new resident goes in as a row of column values (see _Insert), each computed once here:
            # the numbers encrypted above, the ID's keyed hash from the checking pass.
            changes.create.append(_resident_values(row, household_id, tokens, adapt_date))
            r = _NewResident(household_id, row.grid_code, row.name)
            changes.created.append(r)
        else:
            r = stored
            if not changes.compare(r, row, household_id, actor, touched):
                counts.unchanged += 1
        if row.relation == Relation.HEAD:
            heads.append((household, r))
        if row.key_groups:
            label_rows.append((r, row.key_groups))
    changes.save(counts)
    for household, r in heads:
        if household[1] != r.pk:
            household[1] = r.pk
            new_heads.append(household[0])
    if label_rows:
        _write_labels(label_rows, actor, touched)


def _resident_values(row: Row, household_id: int, tokens: Iterator[str], adapt_date) -> tuple:
    """The column values of a new resident, in the order of ``_RESIDENT_INSERT``; ``tokens`` gives the
    encrypted ID number (and phone number, when there is one) of the row."""
    phone = row.phone
    return (
        household_id,
        row.grid_code,
        row.name,
        names.pinyin_of(row.name),
        names.initials_of(row.name),
        next(tokens),
        row.id_hash,
        mask_id_number(row.id_number),
        adapt_date(row.birth_date),
        row.sex,
        row.relation,
        row.ethnicity,
        next(tokens) if phone else "",
        personal.phone_hash(phone) if phone else None,
        mask_phone(phone) if phone else "",
        row.political_status,
        row.occupation,
        row.notes,
    )


class _ResidentChanges:
    """What a batch changes about residents, gathered row by row and written together by ``save``."""

    def __init__(self) -> None:
        self.create: list[tuple] = []
        self.created: list[_NewResident] = []
        self.update: list[Resident] = []
        self.update_fields = {"updated_at"}
        self.renamed: list[Resident] = []
        self.moves: list[GridMove] = []

    def compare(self, r: Resident, row: Row, household_id: int, actor: User, touched: set[int]) -> bool:
        """Take the row's values into the stored resident ``r``; a move to another household is recorded.
        Whether anything changed."""
        changed = [f for f in RESIDENT_COMPARED if getattr(r, f) != getattr(row, f)]
        for f in changed:
            setattr(r, f, getattr(row, f))
        if "name" in changed:
            r.name_pinyin, r.name_initials = names.pinyin_of(r.name), names.initials_of(r.name)
            changed += ["name_pinyin", "name_initials"]
            self.renamed.append(r)
        if row.phone and personal.phone_hash(row.phone) != r.phone_hash:
            r.phone, r.phone_hash, r.phone_masked = person_numbers.phone_columns(row.phone)
            changed += ["phone", "phone_hash", "phone_masked"]
        if r.status != ResidentStatus.PRESENT:
            r.status = ResidentStatus.PRESENT
            changed.append("status")
        if r.household_id != household_id:
            self.moves.append(
                GridMove(
                    resident=r,
                    from_code=r.area_code,
                    to_code=row.grid_code,
                    from_household_id=r.household_id,
                    to_household_id=household_id,
                    area_code=row.grid_code,
                    reason="表格导入",
                    moved_by=actor,
                )
            )
            if r.household_id:
                touched.add(r.household_id)
            r.household_id, r.area_code = household_id, row.grid_code
            changed += ["household", "area_code"]
            self.renamed.append(r)
        if changed:
            self.update_fields.update(changed)
            self.update.append(r)
        return bool(changed)

    def save(self, counts: Counts) -> None:
        """Insert the new residents (their ids set on them), update the changed ones, record the moves and
        rewrite the name suffixes of the new, renamed and moved ones."""
        if self.create:
            for new, pk in zip(self.created, _RESIDENT_INSERT.run(self.create), strict=True):
                new.pk = pk
            counts.residents_created += len(self.create)
        if self.update:
            now = clock.now()
            for resident in self.update:
                resident.updated_at = now
            Resident.objects.bulk_update(self.update, sorted(self.update_fields))
            counts.residents_updated += len(self.update)
        if self.moves:
            GridMove.objects.bulk_create(self.moves)
            for resident in self.renamed:
                KeyGroupLabel.objects.filter(resident=resident).update(area_code=resident.area_code)
        if self.renamed:
            NameSuffix.objects.filter(resident_id__in=[r.pk for r in self.renamed]).delete()
        named: list[Resident | _NewResident] = [*self.created, *self.renamed]
        suffixes = [(r.pk, r.area_code, s) for r in named for s in names.suffixes_of(r.name)]
        if suffixes:
            # Three plain columns, no ids wanted back: the ORM's per-row cost saved.
            copy_rows(NameSuffix._meta.db_table, ("resident_id", "area_code", "suffix"), suffixes)


def set_heads(household_ids: list[int]) -> None:
    """Point each household at its head, set-wise at the end: one UPDATE per thousand households (updating
    households one by one in the middle of the import was slower than all the inserts together)."""
    now = clock.now()
    head = (
        Resident.objects.filter(
            household_id=OuterRef("pk"), relation=Relation.HEAD, status=ResidentStatus.PRESENT
        )
        .order_by("-id")
        .values("id")[:1]
    )
    for i in range(0, len(household_ids), 1000):
        Household.objects.filter(pk__in=household_ids[i : i + 1000]).update(
            head_id=Subquery(head), updated_at=now
        )


def _write_labels(
    label_rows: list[tuple[Resident | _NewResident, list[tuple[str, int]]]], actor: User, touched: set[int]
) -> None:
    ids = [r.pk for r, _groups in label_rows]
    existing = {(lab.resident_id, lab.kind): lab for lab in KeyGroupLabel.objects.filter(resident_id__in=ids)}
    create, update = [], []
    for r, groups in label_rows:
        for kind, attention in groups:
            label = existing.get((r.pk, kind))
            if label is None:
                create.append(
                    KeyGroupLabel(
                        resident_id=r.pk,
                        area_code=r.area_code,
                        kind=kind,
                        attention=attention,
                        created_by=actor,
                    )
                )
            elif label.attention != attention:
                label.attention = attention
                update.append(label)
            else:
                continue
            if r.household_id is not None:
                touched.add(r.household_id)
    KeyGroupLabel.objects.bulk_create(create)
    if update:
        KeyGroupLabel.objects.bulk_update(update, ["attention"])
