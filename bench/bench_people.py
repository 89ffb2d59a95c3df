"""Register benchmark at city scale: import rate and peak memory, search latency.

Builds, from a fixed seed, the demo generator's city-scale tree (6,013 grids of Bayannur) and a register of
about 1.5 million synthetic residents in about 510,000 households (community grids ≈ 300 households, rural
grids 5–15), written with the same columns the register's services write (ciphertext, keyed hash, mask,
pinyin, initials, name suffixes). ID numbers are valid and clearly synthetic (order codes 900–999).

Then it measures

* ``import``: a 100,000-row spreadsheet of new residents imported into one county of the populated register,
  in a fresh process, with its rows per second and the peak resident memory of that process; then the same
  file again (idempotent: nothing changes);
* ``search``: warm latency of ``people.selectors.search_for`` (the selector the page and the API call) by
  name, name substring, pinyin initials, full pinyin, ID number, phone and address, for a city-level leader, a
  township staff member and a grid worker.

Run from the repository root (each step reuses what the previous one built)::

    .venv/bin/python bench/bench_people.py generate --database-url sqlite:////tmp/grassroots-people.sqlite3
    .venv/bin/python bench/bench_people.py import   --database-url sqlite:////tmp/grassroots-people.sqlite3
    .venv/bin/python bench/bench_people.py search   --database-url sqlite:////tmp/grassroots-people.sqlite3

and the same with ``--database-url postgres://postgres@127.0.0.1:5432/grassroots_people_bench`` (the
database is created if missing). ``--residents`` scales the register down for a quick run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20261127
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石"
    "姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅鹏飞宇浩然子轩欣怡雨涵晨阳俊峰海燕凤琴云"
    "宁德福贵荣春秋冬雪梦婷嘉豪博文思源天佑巴特尔其木格乌云娜仁图雅苏日那顺"
)
STREETS = [
    "幸福",
    "团结",
    "建设",
    "胜利",
    "和平",
    "民主",
    "友谊",
    "新华",
    "光明",
    "长青",
    "文化",
    "育才",
    "丰收",
    "富民",
    "振兴",
    "黄河",
]
IMPORT_COUNTY = "150826"  # 杭锦后旗: the county the 100,000-row file goes into


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    if database_url.startswith("postgres"):
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    import django
    from django.conf import settings

    django.setup()
    # As in production: no query log. The development default (DEBUG on without a SECRET_KEY, which the
    # register's keys are derived from) keeps the text of the last 9,000 statements, which at 100,000 rows
    # is tens of MB and seconds of formatting that a deployment never has.
    settings.DEBUG = False


# --- generate -----------------------------------------------------------------------------------------------


class Ids:
    """Unique synthetic ID numbers per county without remembering them: the n-th number of a county has
    order code 900 + n % 100 and a birth date from a permutation of 32,000 days after 1930-01-01."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def make(self, county: str, start: int = 0) -> str:
        from grassroots.people import idnumber

        n = self.next.get(county, start)
        self.next[county] = n + 1
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=((n // 100) * 7919) % 32000)
        return idnumber.compose(county, birth, 900 + n % 100)


class Names:
    def __init__(self, rng: random.Random):
        from pypinyin import Style, lazy_pinyin

        self.rng = rng
        self.weights = [1 / (i + 3) for i in range(len(SURNAMES))]
        self.full = {ch: lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in SURNAMES + GIVEN}
        from grassroots.people.names import SURNAME_READINGS

        self.surname_full = {ch: SURNAME_READINGS.get(ch, self.full[ch]) for ch in SURNAMES}

    def make(self) -> tuple[str, str, str]:
        surname = self.rng.choices(SURNAMES, self.weights)[0]
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2, 2))))
        syllables = [self.surname_full[surname]] + [self.full[ch] for ch in given]
        return surname + given, "".join(syllables), "".join(s[0] for s in syllables)


def generate(args) -> None:
    """Write the register with plain multi-row inserts (the ORM's per-object cost would dominate at this
    size); the columns are those the services write, computed by the same functions."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from grassroots import clock, fieldcrypt, personal
    from grassroots.areas.models import Grid, GridKind
    from grassroots.demo.city import plan_city, write_city
    from grassroots.demo.steps import SCALES
    from grassroots.masking import mask_id_number
    from grassroots.people import names
    from grassroots.people.models import Resident

    started = time.perf_counter()
    call_command("migrate", "people", verbosity=0)  # the register and what it stands on
    if not Grid.objects.exists():
        with transaction.atomic():
            write_city(plan_city(SCALES["city"], SEED))
        print(f"city tree written ({time.perf_counter() - started:.0f} s)", flush=True)
    if Resident.objects.exists():
        print(f"register already there: {Resident.objects.count():,} residents")
        return
    rng = random.Random(SEED)
    ids, pool = Ids(), Names(rng)
    grids = list(Grid.objects.select_related("area").order_by("area__code"))
    share = args.residents / 1_500_000
    now = clock.now()
    phone = 0
    hh_id = r_id = 0
    households, residents, suffixes = [], [], []
    h_cols = ("id", "area_id", "area_code", "number", "address", "building", "unit", "room", "phone", "phone_masked",
              "residence_type", "tags", "notes", "is_synthetic", "created_at", "updated_at")  # fmt: skip
    r_cols = ("id", "household_id", "area_code", "name", "name_pinyin", "name_initials", "id_number", "id_hash",
              "id_masked", "birth_date", "sex", "relation", "ethnicity", "phone", "phone_hash", "phone_masked",
              "political_status", "occupation", "status", "notes", "is_synthetic", "created_at", "updated_at")  # fmt: skip
    s_cols = ("resident_id", "area_code", "suffix")

    def insert(table, cols, rows):
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608
        with connection.cursor() as cursor:
            for i in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[i : i + 5000])

    def flush():
        with transaction.atomic():
            insert("people_household", h_cols, households)
            insert("people_resident", r_cols, residents)
            insert("people_namesuffix", s_cols, suffixes)
        print(
            f"  {hh_id:,} households, {r_id:,} residents, {time.perf_counter() - started:.0f} s", flush=True
        )
        households.clear()
        residents.clear()
        suffixes.clear()

    for g in grids:
        rural = g.kind == GridKind.RURAL
        count = max(1, round((rng.randint(5, 15) if rural else rng.randint(250, 350)) * share))
        street = rng.choice(STREETS)
        county = g.area.code[:6]
        for n in range(1, count + 1):
            hh_id += 1
            address = f"{g.area.name}{n}号" if rural else f"{street}路{rng.randint(1, 300)}号"
            households.append((hh_id, g.area_id, g.area.code, f"{n:04d}", address, "", "", "", "", "",
                               "registered", "[]", "", True, now, now))  # fmt: skip
            for m in range(rng.choice((1, 2, 2, 3, 3, 3, 4, 5))):
                r_id += 1
                name, full, initials = pool.make()
                number = ids.make(county)
                digits, phone_hash, phone_masked = "", None, ""
                if rng.random() < 0.7:
                    phone += 1
                    digits, phone_hash, phone_masked = personal.phone_columns(f"172{phone:08d}")
                residents.append((
                    r_id, hh_id, g.area.code, name, full, initials, fieldcrypt.encrypt(number), personal.id_hash(number),
                    mask_id_number(number), f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                    "male" if int(number[16]) % 2 else "female", "head" if m == 0 else "other", "01",
                    fieldcrypt.encrypt(digits) if digits else "", phone_hash, phone_masked, "masses", "", "present", "",
                    True, now, now,
                ))  # fmt: skip
                suffixes.extend((r_id, g.area.code, s) for s in names.suffixes_of(name))
        if len(households) >= 20000:
            flush()
    if households:
        flush()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("people_household", "people_resident"):
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                cursor.execute(sql)
            cursor.execute(
                "UPDATE people_household h SET head_id = r.id FROM people_resident r WHERE r.household_id = h.id AND r.relation = 'head'"
            )
        else:
            cursor.execute(
                "UPDATE people_household SET head_id = (SELECT r.id FROM people_resident r WHERE r.household_id = people_household.id AND r.relation = 'head')"
            )
        cursor.execute("ANALYZE")
    print(f"generated {hh_id:,} households and {r_id:,} residents in {time.perf_counter() - started:.0f} s")


# --- import -------------------------------------------------------------------------------------------------


def write_import_file(path: Path, rows: int, round_: int = 0) -> None:
    """A 100,000-row file of new residents for the grids of IMPORT_COUNTY (fixed seed)."""
    from openpyxl import Workbook

    from grassroots.areas.codes import Level
    from grassroots.areas.models import Area
    from grassroots.people.services.transfer import COLUMNS

    rng = random.Random(SEED + 1 + round_)
    ids, pool = Ids(), Names(rng)
    grids = list(
        Area.objects.filter(level=Level.GRID, code__startswith=IMPORT_COUNTY).values_list("code", flat=True)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民登记")
    ws.append([header for _key, header, _required in COLUMNS])
    written, household = 0, 0
    while written < rows:
        household += 1
        grid = rng.choice(grids)
        address = f"{rng.choice(STREETS)}路{rng.randint(1, 300)}号{household}"
        for m in range(min(rng.choice((1, 2, 3, 3, 4)), rows - written)):
            name, _full, _initials = pool.make()
            values = {
                "grid_code": grid, "household_number": f"B{household:06d}" if not round_ else f"R{round_}B{household:06d}", "address": address,
                "name": name, "id_number": ids.make(IMPORT_COUNTY, start=2_800_000 + round_ * 100_000),
                "relation": "户主" if m == 0 else rng.choice(["配偶", "子", "女", "父母"]),
                "ethnicity": rng.choice(["汉族", "汉族", "汉族", "蒙古族"]), "phone": f"173{written:08d}",
                "political_status": "群众", "occupation": rng.choice(["农民", "务工", ""]),
                "key_groups": "独居老人:重点" if rng.random() < 0.02 else "",
            }  # fmt: skip
            ws.append([values.get(key, "") for key, _h, _r in COLUMNS])
            written += 1
    wb.save(path)


def run_import(args) -> None:
    """Import the file in a fresh process and report its rate and peak memory."""
    from grassroots.accounts.models import User
    from grassroots.people.services.transfer import register_import

    class Upload:
        def __init__(self, path):
            self.path, self.name, self.size = path, Path(path).name, Path(path).stat().st_size

        def chunks(self):
            with open(self.path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    yield chunk

    actor = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-people", password=None
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    record = register_import(actor=actor, area_code=IMPORT_COUNTY, upload=Upload(args.file))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"status {record.status}, rows {record.rows:,}, new households {record.households_created:,}, "
        f"new residents {record.residents_created:,}, updated {record.residents_updated:,}, unchanged "
        f"{record.unchanged:,}, errors {record.error_count}; {seconds:.1f} s = {record.rows / seconds:,.0f} rows/s "
        f"(CPU {cpu:.1f} s = {record.rows / cpu:,.0f} rows/CPU-s); "
        f"peak RSS {peak:,.0f} MiB"
    )
    if record.errors:
        print(record.errors[:5])


def do_import(args) -> None:
    path = Path(args.workdir) / ("import-100k.xlsx" if not args.round else f"import-100k-r{args.round}.xlsx")
    if not path.exists():
        started = time.perf_counter()
        write_import_file(path, args.rows, args.round)
        print(
            f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.0f} s"
        )
    from grassroots.people.models import Resident

    before = Resident.objects.count()
    for label in ("first import", "same file again"):
        out = subprocess.run(  # noqa: S603 - this script, with the caller's own arguments
            [sys.executable, __file__, "import-once", "--database-url", args.database_url, "--file", str(path)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        print(f"{label}: {out.stdout.strip()}")
    print(f"residents {before:,} → {Resident.objects.count():,}")


# --- search -------------------------------------------------------------------------------------------------


def do_search(args) -> None:
    from django.db import connection, reset_queries

    from grassroots.accounts.models import Role, RoleGrant, User
    from grassroots.areas.models import Area
    from grassroots.people.models import Household, Resident
    from grassroots.people.selectors import SearchField, search_for

    rng = random.Random(SEED + 2)

    def user(name, role, code):
        u = User.objects.filter(username=name).first()
        if u is None:
            u = User.objects.create_user(name, password=None)
            RoleGrant.objects.create(user=u, role=role, area=Area.objects.get(code=code), area_code=code)
        return u

    total = Resident.objects.count()
    pks = [rng.randint(1, total) for _ in range(400)]
    sample = list(Resident.objects.filter(pk__in=pks).select_related("household"))
    grid_code = sample[0].area_code
    users = {
        "leader (city 1508)": user("bench-leader", Role.LEADER, "1508"),
        f"township ({grid_code[:9]})": user("bench-township", Role.TOWNSHIP_STAFF, grid_code[:9]),
        f"grid worker ({grid_code})": user("bench-grid", Role.GRID_WORKER, grid_code),
    }
    in_grid = list(Resident.objects.filter(area_code=grid_code).select_related("household")[:200])

    def queries(people):
        with_phone = [r for r in people if r.phone_hash]
        return {
            "name (full)": [(r.name, SearchField.AUTO) for r in people],
            "name substring (given name)": [(r.name[1:] or r.name, SearchField.NAME) for r in people],
            "pinyin initials": [(r.name_initials, SearchField.AUTO) for r in people],
            "pinyin (full, prefix)": [(r.name_pinyin[:6], SearchField.AUTO) for r in people],
            "ID number (exact)": [(r.id_number, SearchField.AUTO) for r in people],
            "phone (exact)": [(r.phone, SearchField.AUTO) for r in with_phone],
            "address substring": [(r.household.address[:5], SearchField.ADDRESS) for r in people],
        }

    print(
        f"{connection.vendor}: {total:,} residents, {Household.objects.count():,} households; warm, ms per search"
    )
    print(f"{'who':<34} {'search':<30} {'median':>7} {'p95':>7} {'max':>7} {'cpu':>7} {'hits':>6}")
    for who, u in users.items():
        people = in_grid if "grid worker" in who else sample
        for label, items in queries(people).items():
            items = items[: args.repeat]
            for q, field in items[:3]:
                search_for(user=u, q=q, field=field)  # warm caches and connections
            times, cpu, hits = [], [], 0
            for q, field in items:
                reset_queries()
                t, c = time.perf_counter(), time.process_time()
                result = search_for(user=u, q=q, field=field)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                hits += len(result.residents) + len(result.households)
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(
                f"{who:<34} {label:<30} {statistics.median(times):7.1f} {p95:7.1f} {times[-1]:7.1f} "
                f"{statistics.median(cpu):7.1f} {hits / len(items):6.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", choices=["generate", "import", "search", "import-once"])
    parser.add_argument("--database-url", default="sqlite:////tmp/grassroots-people.sqlite3")
    parser.add_argument("--residents", type=int, default=1_500_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--round", type=int, default=0, help="another file of new residents (1 or 2)")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--file")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()
    setup(args.database_url)
    {"generate": generate, "import": do_import, "search": do_search, "import-once": run_import}[args.step](
        args
    )


if __name__ == "__main__":
    main()
