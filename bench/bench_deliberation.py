"""Deliberation at the seed city's scale: 1,187 five-person groups, twelve thousand topics, fifty thousand
ratings; then the public reads and the members' writes.

What it does, on the database named by ``--database-url`` (SQLite file or PostgreSQL; created if missing):

1. migrates it and writes (fixed seed, bulk inserts) the areas of 151 villages with their village groups,
   one five-person group per village group (1,187 committees, five seats each), ``--topics`` topic rows
   spread over them, and ``--ratings`` residents' ratings — the lists and roll-ups read these;
2. drives ``--driven`` topics through the services the way members do (agenda, five opinions, a resolution,
   five votes, five signatures, publication), timing each write: a member's action is one call to
   ``workflow.perform`` (lock the topic, check the tables, write the record and its timeline line, settle
   the step, notify);
3. measures, warm, the median of ``--repeat`` requests through the Django test client, with the number of
   queries: the committee list of the city (API, anonymous), the topic page of a decided topic (three
   rounds: a failed vote, a refusal, five signatures), its timeline (API), and the city's rating roll-up.

Run from the repository root::

    .venv/bin/python bench/bench_deliberation.py --database-url sqlite:////tmp/grassroots-deliberation.sqlite3
    .venv/bin/python bench/bench_deliberation.py --database-url postgres://postgres@127.0.0.1:5432/grassroots_deliberation_bench

The machine is shared: the load average is printed beside the figures. Results go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITY = "1508"
SEED = 20260601


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    if url.startswith("postgres"):
        import dj_database_url
        import psycopg
        from psycopg import sql

        config = dj_database_url.parse(url)
        with psycopg.connect(dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"] or 5432,
                             autocommit=True) as admin:  # fmt: skip
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _generate(args) -> dict:
    """Villages, groups, committees, seats, topics and ratings in bulk (reused when present)."""
    from django.contrib.auth.hashers import make_password

    from grassroots.accounts.models import Role, RoleGrant, User
    from grassroots.areas.codes import Level
    from grassroots.areas.models import Area, AreaKind, Grid, GridKind, VillageGroup
    from grassroots.deliberation.models import (
        ChosenHow,
        Committee,
        CommitteeKind,
        Membership,
        ProcessKey,
        SeatRole,
        Topic,
        TopicKind,
        TopicRating,
    )

    if Committee.objects.filter(name__startswith="bench ").exists():
        return {"reused": True}
    rng = random.Random(SEED)
    province, _ = Area.objects.get_or_create(
        code="15", defaults={"name": "内蒙古自治区", "level": Level.PROVINCE, "kind": AreaKind.PROVINCE}
    )
    city, _ = Area.objects.get_or_create(
        code=CITY,
        defaults={"name": "巴彦淖尔市", "level": Level.CITY, "kind": AreaKind.CITY, "parent": province},
    )
    county, _ = Area.objects.get_or_create(code="150802", defaults={"name": "临河区", "level": Level.COUNTY, "kind": AreaKind.DISTRICT, "parent": city})  # fmt: skip
    villages, grids = [], []
    for t in range(13):
        town = Area.objects.create(code=f"150802{150 + t:03d}", name=f"bench镇{t}", level=Level.TOWNSHIP, kind=AreaKind.TOWN, parent=county, is_synthetic=True)  # fmt: skip
        for v in range(12 if t < 12 else 7):  # 151 villages
            village = Area.objects.create(code=f"{town.code}{201 + v:03d}", name=f"bench村{t}-{v}", level=Level.VILLAGE, kind=AreaKind.VILLAGE, parent=town, is_synthetic=True)  # fmt: skip
            villages.append(village)
            grid_area = Area.objects.create(code=f"{village.code}001", name="网格1", level=Level.GRID, kind=AreaKind.GRID, parent=village, is_synthetic=True)  # fmt: skip
            grids.append(Grid(area=grid_area, kind=GridKind.RURAL, sequence=1))
    Grid.objects.bulk_create(grids)
    groups = []
    for n in range(1187):  # 1,187 village groups over 151 villages
        village = villages[n % len(villages)]
        groups.append(VillageGroup(village=village, number=n // len(villages) + 1, name=f"{n // len(villages) + 1}组", is_synthetic=True))  # fmt: skip
    groups = VillageGroup.objects.bulk_create(groups)
    committees = Committee.objects.bulk_create(
        [
            Committee(
                kind=CommitteeKind.FIVE_PERSON_GROUP,
                name=f"bench {g.village.name}{g.name}五人小组",
                area=g.village,
                area_code=g.village.code,
                village_group=g,
                process=ProcessKey.FIVE_PERSON,
                is_synthetic=True,
            )
            for g in groups
        ]
    )
    password = make_password("bench-password-2026")
    users = User.objects.bulk_create(
        [
            User(username=f"bench-m{c.pk}-{s}", display_name=f"成员{s}", password=password, is_synthetic=True)
            for c in committees
            for s in range(1, 6)
        ]
    )
    grid_of = {
        g.area.parent_id: g.area
        for g in Grid.objects.select_related("area").filter(area__code__startswith="150802")
    }
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=u, role=Role.RESIDENT, area=grid_of[c.area_id], area_code=grid_of[c.area_id].code)
            for i, c in enumerate(committees)
            for u in users[i * 5 : i * 5 + 5]
        ]
    )
    roles = [SeatRole.GROUP_LEADER, SeatRole.PARTY_GROUP_LEADER] + [SeatRole.ELECTED_VILLAGER] * 3
    Membership.objects.bulk_create(
        [
            Membership(
                committee=c,
                area_code=c.area_code,
                seat=s + 1,
                role=roles[s],
                name=f"成员{s + 1}",
                user=users[i * 5 + s],
                chosen_how=ChosenHow.ELECTED,
                started_on="2024-01-01",
            )
            for i, c in enumerate(committees)
            for s in range(5)
        ]
    )
    from grassroots import clock

    now = clock.now()
    steps = [
        "propose",
        "discuss",
        "resolve",
        "sign",
        "publish",
        "carry_out",
        "evaluate",
        "closed",
        "declined",
    ]
    topics = Topic.objects.bulk_create(
        [
            Topic(
                committee=c,
                area_code=c.area_code,
                process=ProcessKey.FIVE_PERSON,
                kind=rng.choice(TopicKind.values),
                title=f"bench 议题 {n}",
                description="bench",
                proposer_name="居民",
                proposed_at=now,
                step=rng.choice(steps),
                is_synthetic=True,
            )
            for n in range(args.topics)
            for c in [committees[rng.randrange(len(committees))]]
        ],
        batch_size=2000,
    )
    evaluated = [t for t in topics if t.step in ("evaluate", "closed")]
    raters = User.objects.bulk_create(
        [
            User(username=f"bench-r{n}", password=password, is_synthetic=True)
            for n in range(args.ratings // 10 + 1)
        ],
        batch_size=2000,
    )
    ratings, seen = [], set()
    while len(ratings) < args.ratings:
        topic, user = rng.choice(evaluated), rng.choice(raters)
        if (topic.pk, user.pk) in seen:
            continue
        seen.add((topic.pk, user.pk))
        ratings.append(TopicRating(topic=topic, area_code=topic.area_code, user=user, created_at=now,
                                   rating=rng.choices(["satisfied", "basically", "unsatisfied"], [70, 22, 8])[0]))  # fmt: skip
    TopicRating.objects.bulk_create(ratings, batch_size=5000)
    return {"committees": len(committees), "topics": len(topics), "ratings": len(ratings)}


def _drive(args) -> tuple[dict, int]:
    """Drive topics through the services, timing each member's action; returns timings and a decided topic."""
    from grassroots.deliberation import services
    from grassroots.deliberation.models import Committee, Membership

    committees = list(Committee.objects.filter(name__startswith="bench ").order_by("id")[: args.driven])
    timings: dict[str, list[float]] = {}

    def timed(label, call, **kwargs):
        started = time.perf_counter()
        result = call(**kwargs)
        timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
        return result

    decided = None
    for n, committee in enumerate(committees):
        members = [
            m.user
            for m in Membership.objects.filter(committee=committee).select_related("user").order_by("seat")
        ]
        topic = timed("propose", services.topic_propose, actor=members[0], committee=committee, kind="group_affairs",
                      title=f"bench 驱动议题 {n}", description="bench")  # fmt: skip
        topic = timed("agenda", services.topic_put_on_agenda, actor=members[1], topic=topic)
        rounds = 3 if n == 0 else 1
        for r in range(rounds):
            for m in members:
                topic = timed(
                    "opinion", services.opinion_record, actor=m, topic=topic, stance="support", text="同意"
                )
            topic = timed("draft", services.resolution_draft, actor=members[0], topic=topic, text="决议")
            for i, m in enumerate(members):
                choice = "disagree" if (r == 0 and rounds == 3 and i < 3) else "agree"
                topic = timed("ballot", services.ballot_cast, actor=m, topic=topic, choice=choice)
            if topic.step != "sign":
                continue
            for i, m in enumerate(members):
                if r == 1 and rounds == 3 and i == 4:
                    topic = timed("refuse", services.signature_refuse, actor=m, topic=topic, reason="理由")
                    break
                topic = timed("sign", services.signature_sign, actor=m, topic=topic)
        topic = timed("publish", services.decision_publish, actor=members[0], topic=topic)
        decided = decided or topic.pk
    return {k: statistics.median(v) for k, v in timings.items()}, decided


def _reads(args, decided: int) -> list[tuple[str, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    urls = [
        ("committee list of the city (API, anonymous)", f"/api/v1/deliberation/committees?area={CITY}"),
        ("topic page of a decided topic (3 rounds)", f"/deliberation/topics/{decided}/"),
        ("its timeline (API)", f"/api/v1/deliberation/topics/{decided}/timeline"),
        ("rating roll-up of the city (API)", f"/api/v1/deliberation/areas/{CITY}/ratings"),
        ("deliberation home (anonymous, first page)", "/deliberation/"),
    ]
    rows = []
    for label, url in urls:
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
        rows.append((label, statistics.median(times), len(queries.captured_queries)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/grassroots-deliberation.sqlite3")
    parser.add_argument("--topics", type=int, default=12_000)
    parser.add_argument("--ratings", type=int, default=50_000)
    parser.add_argument("--driven", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    _setup(args.database_url)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    started = time.perf_counter()
    made = _generate(args)
    print(f"data: {made} in {time.perf_counter() - started:.1f} s")
    writes, decided = _drive(args)
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print("member actions through the services (median ms):")
    for label, ms in writes.items():
        print(f"  {label:10s} {ms:7.1f}")
    print("reads (median ms, queries):")
    for label, ms, queries in _reads(args, decided):
        print(f"  {label:45s} {ms:7.1f} ms  {queries:3d} queries")


if __name__ == "__main__":
    main()
