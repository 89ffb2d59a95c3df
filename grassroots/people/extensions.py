"""Extension points through which higher apps (cases) join the register without the register importing them.

The register sits below cases in the layering, so it cannot call the case workflow. Instead a higher app
registers callables here from its ``AppConfig.ready()``:

* ``need_handlers``: "a need found becomes a case in one step". When a visit is recorded with a need and the
  worker asks for a case, every handler is called *inside the visit's transaction* as
  ``handler(visit=visit, actor=actor) -> str | None`` and returns the case's reference (stored on
  ``Visit.case_reference``). If a handler raises, the visit is not recorded either. With no handler
  installed the need is kept on the visit, shown as "not yet a case", and nothing pretends otherwise.
* ``household_panels`` / ``resident_panels``: blocks on the household and person pages ("its cases").
  ``panel(request=request, household=household) -> Panel | None`` (or ``resident=resident``); the page
  renders each panel's title, rows and link. With none installed the pages say that cases are not
  available yet.
* ``merge_handlers``: ``handler(kept=resident, merged=resident, actor=actor)`` inside the merge's transaction,
  so that case rows pointing at the merged record follow it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass
class PanelRow:
    text: str
    url: str = ""
    note: str = ""


@dataclasses.dataclass
class Panel:
    title: str
    rows: list[PanelRow]
    link_text: str = ""
    link_url: str = ""
    empty_text: str = ""


need_handlers: list[Callable[..., str | None]] = []
household_panels: list[Callable[..., Panel | None]] = []
resident_panels: list[Callable[..., Panel | None]] = []
merge_handlers: list[Callable[..., None]] = []


def panels_for(handlers, **kwargs) -> list[Panel]:
    found = []
    for handler in handlers:
        panel = handler(**kwargs)
        if panel is not None:
            found.append(panel)
    return found
