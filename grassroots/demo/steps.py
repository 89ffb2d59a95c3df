"""The demo generator as a list of steps, each run once per database.

To add a generator (households, cases, deliberation, disclosure ...), write a class with

    name   a stable key (recorded in :class:`~grassroots.demo.models.LoadedStep`)
    label  what it builds, for the command's output
    run(ctx)   -> dict[str, int]   builds its rows in bulk and returns counts for the summary
    reset(ctx) -> None              deletes what ``run`` built (``--reset`` calls it, last step first)

and add its dotted path to :data:`STEPS` (one line). A step reads what earlier steps built from the
database, never from their return values: it may run on a later day than they did, when a new step is
added to a database that already holds the demo. Randomness comes from ``ctx.rng(name)`` and
``ctx.faker(name)``, seeded from the demo seed and the step's own key, so adding a step never changes what
the others generate.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from faker import Faker

from grassroots import oncommit
from grassroots.errors import DomainError

from .models import LoadedStep

STEPS: list[str] = [
    "grassroots.demo.city.CityStep",
    "grassroots.demo.grid_workers.GridWorkersStep",
    "grassroots.demo.logins.LoginsStep",
    "grassroots.demo.people.PeopleStep",
    "grassroots.demo.workforce.WorkforceStep",
    "grassroots.demo.cases.CasesStep",
    "grassroots.demo.deliberation.DeliberationStep",
    "grassroots.demo.disclosure.DisclosureStep",
]

DEFAULT_SEED = 2026


class DemoError(DomainError):
    code = "demo_error"


@dataclass(frozen=True)
class Scale:
    """How big a demo city is. ``None`` per county means the seed city's own counts (``places.COUNTIES``)."""

    name: str
    communities_per_county: int | None
    villages_per_county: int | None
    community_grids: int  # community and dedicated grids in all
    rural_grids: int


SCALES: dict[str, Scale] = {
    # Two communities and two villages in each county-level unit: enough to click through every surface.
    "small": Scale("small", 2, 2, community_grids=70, rural_grids=84),
    # The seed city: 140 communities with 1,551 community and dedicated grids; 652 villages and gacha with
    # 4,462 rural grids (DESIGN.md section 4). For benchmarks.
    "city": Scale("city", None, None, community_grids=1551, rural_grids=4462),
}


@dataclass(frozen=True)
class DemoContext:
    scale: Scale
    seed: int

    def rng(self, purpose: str) -> random.Random:
        """A random generator private to ``purpose`` (string seeds hash the same in every process)."""
        return random.Random(f"{self.seed}:{purpose}")

    def faker(self, purpose: str) -> Faker:
        fake = Faker("zh_CN")
        fake.seed_instance(self.rng(f"faker:{purpose}").getrandbits(64))
        return fake


class Step(Protocol):
    name: str
    label: str

    def run(self, ctx: DemoContext) -> dict[str, int]: ...

    def reset(self, ctx: DemoContext) -> None: ...


@dataclass
class StepOutcome:
    name: str
    label: str
    ran: bool  # False: it had run before on this database
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class LoadReport:
    scale: str
    seed: int
    steps: list[StepOutcome]


def steps() -> list[Step]:
    return [import_string(path)() for path in STEPS]


def load(
    *, scale: str | None = None, seed: int | None = None, reset: bool = False, until: str | None = None
) -> LoadReport:
    """Run every step that has not run on this database yet (all of them after ``reset``).

    ``scale`` and ``seed`` default to those the demo here was built with (small and :data:`DEFAULT_SEED`
    on an empty database). ``until`` names the last step to run (tests and benchmarks of the early steps
    need not wait for the later ones). Each step runs in its own transaction together with its
    :class:`LoadedStep` record, so a failed step leaves nothing behind and the next run starts it again.
    """
    if scale is None or seed is None:
        first = LoadedStep.objects.order_by("loaded_at", "id").first() if not reset else None
        scale = scale or (first.scale if first else "small")
        seed = seed if seed is not None else (first.seed if first else DEFAULT_SEED)
    if scale not in SCALES:
        raise DemoError(_("Unknown scale %(scale)s; choose small or city.") % {"scale": scale})
    ctx = DemoContext(SCALES[scale], seed)
    all_steps = steps()
    names = [step.name for step in all_steps]
    if until is not None and until not in names:
        raise DemoError(
            _("Unknown step %(step)s; the steps are %(names)s.") % {"step": until, "names": ", ".join(names)}
        )
    if reset:
        unload(ctx, all_steps)
    outcomes = _run(ctx, all_steps[: names.index(until) + 1 if until else None], scale, seed)
    return LoadReport(scale, seed, outcomes)


# SQLite's page cache for the loader's connection while it builds (the settings' default is 64 MB): the
# register step writes some 300 MB in one transaction, and a cache that holds its tables' upper index pages
# spares re-reading them for every batch. The connection's own setting; other processes keep theirs.
BUILD_CACHE_KIB = 256 * 1024


@contextmanager
def building() -> Iterator[None]:
    """The loader's connection while it builds: no query log, and on SQLite a larger page cache.

    Under DEBUG (the development default, and what ``scripts/run`` uses) Django keeps the SQL of every query,
    and on SQLite asks the database to quote each parameter for that log: a tenth of the register step went
    there. The loader only writes, so its connection uses the plain cursor while it builds; ``DEBUG`` itself is
    unchanged (pages, errors and logging read it), and a caller that asked for the log itself (a test counting
    queries sets ``force_debug_cursor``) keeps it. Durability is left as configured: the build commits once per
    step, so ``synchronous`` would save next to nothing, and ``OFF`` could leave a corrupt file after a power
    cut instead of a demo to build again.
    """
    quiet = not connection.force_debug_cursor
    if quiet:
        connection.make_debug_cursor = connection.make_cursor  # type: ignore[method-assign]
    cache_size = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache_size = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA cache_size = {-BUILD_CACHE_KIB}")
    try:
        yield
    finally:
        if cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {cache_size}")
        if quiet:
            del connection.make_debug_cursor


def _run(ctx: DemoContext, to_run: list[Step], scale: str, seed: int) -> list[StepOutcome]:
    outcomes = []
    with ExitStack() as build:  # the build's settings from the first step that runs (a second run only reads)
        for step in to_run:
            done = LoadedStep.objects.filter(name=step.name).first()
            if done is not None:
                if (done.scale, done.seed) != (scale, seed):
                    raise DemoError(
                        _(
                            "The demo here was built at scale %(scale)s with seed %(seed)s; add --reset to "
                            "rebuild it at scale %(new_scale)s with seed %(new_seed)s."
                        )
                        % {"scale": done.scale, "seed": done.seed, "new_scale": scale, "new_seed": seed}
                    )
                outcomes.append(StepOutcome(step.name, str(step.label), ran=False, counts=done.counts))
                continue
            if not any(o.ran for o in outcomes):
                build.enter_context(building())
            started = time.perf_counter()
            # one transaction per step; what follows its commit (fact upkeep, webhooks) per batch, not per row
            with transaction.atomic(), oncommit.batched():
                counts = step.run(ctx)
                seconds = time.perf_counter() - started
                LoadedStep.objects.create(
                    name=step.name, scale=scale, seed=seed, counts=counts, seconds=seconds
                )
            outcomes.append(StepOutcome(step.name, str(step.label), ran=True, counts=counts, seconds=seconds))
    return outcomes


def unload(ctx: DemoContext, all_steps: list[Step] | None = None) -> None:
    """Delete what the steps built, last step first."""
    for step in reversed(all_steps or steps()):
        try:
            with transaction.atomic():
                step.reset(ctx)
                LoadedStep.objects.filter(name=step.name).delete()
        except ProtectedError as exc:
            blocking = sorted({obj._meta.verbose_name for obj in exc.protected_objects})
            raise DemoError(
                _(
                    "The demo cannot be removed: %(rows)s still refer to it. Delete those first, or start "
                    "from an empty database."
                )
                % {"rows": ", ".join(str(b) for b in blocking)}
            ) from exc
