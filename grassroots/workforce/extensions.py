"""Extension points through which higher apps (cases) add to the workforce pages without workforce
importing them.

Workforce sits below cases in the layering, so it cannot count cases itself. A higher app registers
callables here from its ``AppConfig.ready()``:

* ``workload_providers`` (through :func:`workload_provider_register`): figures of each worker for the
  workload rows (cases reported / handled / closed …).
  ``provider(worker_ids, year) -> {worker_id: {figure: value}}``.
* ``grid_case_providers``: the case figures of the grids under an area, for the grid page's workload.
  ``provider(area_code=code, year=year) -> {grid_code: {"cases_reported": n, "cases_closed": n}}``; a grid
  with no case in the year may be missing from the answer (it counts as zero then). With no provider
  installed the grid page says that case figures are unavailable, rather than showing zeros.

* ``case_checkers``: whether a user may name a case by its id on a workforce record (a patrol finding's
  case). ``checker(user, case_id) -> bool``; with none installed, no case can be named (a record then
  cannot point at a case that its writer cannot see, or that does not exist).

The per-worker workload figures have their own hook, :func:`workload_provider_register`.
"""

from __future__ import annotations

from collections.abc import Callable

workload_providers: list[Callable[[list[int], int], dict[int, dict]]] = []
grid_case_providers: list[Callable[..., dict[str, dict[str, int]]]] = []
case_checkers: list[Callable[[object, int], bool]] = []


def may_name_case(user, case_id) -> bool:
    """Whether ``user`` may name the case ``case_id`` on a record: every installed checker agrees."""
    return bool(case_checkers) and all(check(user, case_id) for check in case_checkers)


def workload_provider_register(provider: Callable[[list[int], int], dict[int, dict]]) -> None:
    """Add a provider of workload figures; registering the same function twice keeps one."""
    if provider not in workload_providers:
        workload_providers.append(provider)


# The figures a grid-case provider answers with, in the order the grid page shows them.
GRID_CASE_FIGURES = ("cases_reported", "cases_closed")


def grid_case_figures_for(grid_code: str, year: int) -> dict[str, int] | None:
    """The case figures of one grid in ``year`` from every installed provider, or None when there is none
    (the page then says so instead of showing zeros)."""
    if not grid_case_providers:
        return None
    figures = dict.fromkeys(GRID_CASE_FIGURES, 0)
    for provider in grid_case_providers:
        figures.update((provider(area_code=grid_code, year=year) or {}).get(grid_code, {}))
    return figures
