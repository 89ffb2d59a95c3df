"""The views of the import pages, generic over the kind: every page that previews an upload and imports it
on confirmation (the areas' import / export page, the workforce roster, the 12345 hotline's daily sheet)
declares one :class:`RunPages` and calls it from its own views, which keep their URLs, their permission
check, their forms and their words. The two steps behave alike everywhere.

The kinds are registered in :mod:`grassroots.imports.kinds`; the logic is in
:mod:`grassroots.imports.services`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render

from grassroots.pages import refusals_into

from . import selectors, services
from .models import ImportRun


@dataclasses.dataclass(frozen=True)
class RunPages:
    """The uploads of one import page.

    * ``kinds``: the registered kinds the page imports (a run of another kind is not found there);
    * ``run_url`` / ``confirm_url``: the URL names of one upload's page and of its confirmation, each called
      with the area code and the run's pk;
    * ``template``: one upload's page (``imports/run.html`` extended, or the page's own);
    * ``imported(report)``: the message when the file was imported; ``changed``: the message when the data
      changed since the preview so that nothing was;
    * ``row(report_row)``: what a row of the report shows beside its values (labels of its outcome);
    * ``texts``: the words of ``imports/run.html`` that are the page's own (``heading``, ``back``, the
      page's URL name ``page_url``, the prefix of the element ids ``prefix``).
    """

    kinds: tuple[str, ...]
    run_url: str
    confirm_url: str
    template: str
    imported: Callable[[dict], str]
    changed: Any
    row: Callable[[dict], dict] | None = None
    texts: dict[str, Any] = dataclasses.field(default_factory=dict)

    def recent(self, request, code: str):
        """The latest uploads of the page's kinds for the area (the page lists them with ``imports/_runs.html``)."""
        return selectors.import_run_list_for(user=request.user, code=code, kinds=self.kinds)

    def preview(self, request, form, *, code: str):
        """Preview the valid ``form``'s file as an import of the form's kind into ``code`` and send the user
        to the run's page. A file that cannot be read at all becomes the error of the form's file field (and
        None is returned, for the page to show the form again); a refusal for want of a role is raised."""
        with refusals_into(form, field="file"):
            run = services.import_preview(
                actor=request.user,
                kind=form.kind,
                root_code=code,
                file=form.cleaned_data["file"],
                request=request,
            )
            return redirect(self.run_url, code=code, pk=run.pk)
        return None

    def show(self, request, code: str, pk: int, *, area, **context):
        """One upload's page: its report (its rows with what :attr:`row` adds) and the confirmation button
        for the one who may confirm it. ``area`` is the page's area, as the page looked it up."""
        run = selectors.import_run_get_for(user=request.user, code=code, pk=pk, kinds=self.kinds)
        report = run.report or {}
        rows = report.get("rows", [])
        if self.row is not None:
            rows = [{**r, **self.row(r)} for r in rows]
        return render(
            request,
            self.template,
            {
                **self.texts,
                "area": area,
                "run": run,
                "report": report,
                "rows": rows,
                "may_confirm": run.awaits_confirmation_by(request.user),
                "confirm_url": self.confirm_url,
                **context,
            },
        )

    def confirm(self, request, code: str, pk: int):
        """Confirm the upload and tell the outcome as a message: :attr:`imported` when the file was imported,
        :attr:`changed` when the data changed since the preview so that nothing was, the reason when the
        run could not be confirmed (already done, expired, damaged); then back to the upload's page."""
        run = selectors.import_run_get_for(user=request.user, code=code, pk=pk, kinds=self.kinds)
        with refusals_into(request):
            run = services.import_confirm(actor=request.user, run=run, request=request)
            if run.status == ImportRun.Status.IMPORTED:
                messages.success(request, self.imported(run.report))
            else:
                messages.error(request, str(self.changed))
        return redirect(self.run_url, code=code, pk=pk)
