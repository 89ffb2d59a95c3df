"""Build the demo city step by step from an empty database, printing each step's wall and CPU time.

The CPU time (``getrusage`` of this process) is what a step costs whatever else runs on the machine; on a
shared machine the wall time is a multiple of it. PostgreSQL's own CPU is not counted. Run from the
repository root, on an empty database::

    DATABASE_URL=sqlite:////tmp/grassroots-demo-city.sqlite3 .venv/bin/python bench/bench_demo_steps.py city
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/grassroots_demo_city .venv/bin/python bench/bench_demo_steps.py city
    DATABASE_URL=... .venv/bin/python bench/bench_demo_steps.py small people   # stop after a step
    DATABASE_URL=... .venv/bin/python bench/bench_demo_steps.py city --profile /tmp/prof   # cProfile per step

``--profile DIR`` writes ``DIR/<step>.prof`` for each step (read with ``python -m pstats``); the profiler
roughly doubles the CPU time, so figures are taken without it.

Results go to docs/performance.md by hand ("Demo at city scale, and backups").
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scale", nargs="?", default="city")
    parser.add_argument("until", nargs="?", default=None, help="the last step to run")
    parser.add_argument("--profile", metavar="DIR", help="write a cProfile of each step to DIR/<step>.prof")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from grassroots.demo.steps import load, steps

    profile_dir = Path(args.profile) if args.profile else None
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
    wall, used = time.perf_counter(), cpu()
    call_command("migrate", verbosity=0)
    print(f"migrate: wall {time.perf_counter() - wall:.1f} s, cpu {cpu() - used:.1f} s", flush=True)
    all_wall, all_cpu = time.perf_counter(), cpu()
    for step in steps():
        wall, used = time.perf_counter(), cpu()
        if profile_dir:
            import cProfile

            profiler = cProfile.Profile()
            outcome = profiler.runcall(load, scale=args.scale, until=step.name).steps[-1]
            profiler.dump_stats(profile_dir / f"{step.name}.prof")
        else:
            outcome = load(scale=args.scale, until=step.name).steps[-1]
        counts = ", ".join(f"{k} {v:,}" for k, v in outcome.counts.items())
        print(
            f"{step.name}: wall {time.perf_counter() - wall:.1f} s, cpu {cpu() - used:.1f} s ({counts})",
            flush=True,
        )
        if step.name == args.until:
            break
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"all steps: wall {time.perf_counter() - all_wall:.1f} s, cpu {cpu() - all_cpu:.1f} s, peak RSS {peak} MiB"
    )


if __name__ == "__main__":
    main()
