"""Pages of the workforce: the grid, member check-in, patrols and workload (thin: parse, call, render)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.accounts.scoping import STAFF_ROLES, has_role, scope_codes
from grassroots.areas import selectors as area_selectors
from grassroots.areas.models import GridKind
from grassroots.errors import DomainError
from grassroots.forms import form_errors
from grassroots.pages import refusal_text, refusals_into

from . import forms, navigation, rules, selectors
from .check_in import rule_for
from .models import CheckInStatus
from .services import party, worker_phone_setting_set
from .services import patrols as patrols_service


@login_required
def grid(request, code: str):
    """A grid: its code, kind, village, village groups, target households, boundary and who serves it."""
    grid = area_selectors.grid_get_for(user=request.user, code=code)
    return render(
        request,
        "workforce/grid.html",
        {
            "grid": grid,
            "area": grid.area,
            "breadcrumbs": area_selectors.area_breadcrumbs(grid.area)[:-1],
            "assignments": list(selectors.assignment_list_for_grid(user=request.user, grid_code=code)),
            "show_roll": rules.can_view_party(request.user, code),
            # The grids of its village, so that the neighbours show around it (as far as the user may see).
            "grids_geojson_url": reverse(
                "api:area_grids_geojson",
                kwargs={"code": grid.area.parent.code if grid.area.parent_id else code},
            ),
            "grid_kinds": GridKind.choices,
        },
    )


# --- member check-in (报到) ------------------------------------------------------------------------------


@login_required
def check_in_mine(request):
    """The party member's own page: their kind and where it checks in to (or why not yet), the check-in
    with their pledge, then the hours served."""
    member = selectors.member_for_user(request.user)
    navigation.note_membership(request, member is not None)
    if member is None:
        raise Http404
    rule = rule_for(member.kind)
    targets = party.check_in_targets(member)
    form = forms.PledgeForm(branches=targets.branches, pledge_examples=rule.pledge_examples)
    if request.method == "POST":
        form = forms.PledgeForm(request.POST, branches=targets.branches, pledge_examples=rule.pledge_examples)
        if form.is_valid():
            chosen = next((b for b in targets.branches if b.pk == form.cleaned_data.get("branch")), None)
            with refusals_into(form):
                check_in = party.check_in_request(
                    actor=request.user,
                    member=member,
                    pledge=form.cleaned_data["pledge"],
                    branch=chosen,
                    request=request,
                )
                messages.success(
                    request,
                    _("Your check-in was sent to %(branch)s; it counts once the branch confirms it.")
                    % {"branch": check_in.branch.name},
                )
                return redirect("workforce:check_in_mine")
    check_ins = list(
        selectors.check_in_list_for(user=request.user).filter(member=member).prefetch_related("services")
    )
    this_year = clock.today().year
    # this year's live check-in (at most one), whose state the form's card states instead of the form
    current = next((c for c in check_ins if c.year == this_year and c.status != "declined"), None)
    return render(
        request,
        "workforce/check_in_mine.html",
        {
            "member": member,
            "rule": rule,
            "targets": targets,
            "form": form,
            "check_ins": check_ins,
            # one live check-in a year: the form is offered while this year's is missing or declined
            "may_check_in": current is None,
            "current": current,
            "declined_this_year": next(
                (c for c in check_ins if c.year == this_year and c.status == "declined"), None
            )
            if current is None
            else None,
            "year": this_year,
        },
    )


@login_required
def branch_roll(request, code: str):
    """The roll of a grid's party branch: its own members, and the year's check-ins by kind."""
    year = request.GET.get("year", "")
    roll = selectors.grid_branch_roll_for(
        user=request.user, grid_code=code, year=int(year) if year.isdigit() and len(year) == 4 else None
    )
    return render(
        request,
        "workforce/branch_roll.html",
        {
            "code": code,
            "roll": roll,
            "area": area_selectors.area_get_for(user=request.user, code=code),
            "may_decide": rules.can_manage_party(request.user, code),
        },
    )


@login_required
def check_in_list(request):
    """The branch's page: check-ins to confirm or decline, and those already decided."""
    rows = list(selectors.check_in_list_for(user=request.user).exclude(member__user_id=request.user.pk))
    managed = {c.pk for c in rows if rules.can_manage_party(request.user, c.area_code)}
    # what waits for this user's answer first, the rest in the list's order
    rows.sort(key=lambda c: not (c.status == CheckInStatus.REQUESTED and c.pk in managed))
    return render(
        request,
        "workforce/check_in_list.html",
        {
            "check_ins": rows,
            "managed": managed,
            "pending": sum(1 for c in rows if c.status == CheckInStatus.REQUESTED and c.pk in managed),
        },
    )


@login_required
def check_in_xlsx(request):
    """The check-ins the page lists (the user's scope), as a workbook; free text with its numbers masked."""
    from django.utils import timezone

    from grassroots.downloads import attachment
    from grassroots.masking import mask_numbers_in_text
    from grassroots.sheets import XLSX_CONTENT_TYPE, Column, write_workbook

    rows = selectors.check_in_list_for(user=request.user).exclude(member__user_id=request.user.pk)
    columns = (
        Column("member", "党员", "member", width=12),
        Column("kind", "报到类型", "kind", width=14),
        Column("branch", "支部", "branch", width=24),
        Column("area_code", "区划代码", "area code", width=16),
        Column("year", "年度", "year", width=8),
        Column("pledge", "承诺服务", "service pledged", width=40),
        Column("status", "状态", "status", width=10),
        Column("hours", "服务时长", "hours", width=10),
        Column("requested_at", "申请时间", "requested at", width=17),
        Column("decided_at", "处理时间", "decided at", width=17),
        Column("decline_reason", "退回理由", "reason for declining", width=30),
    )

    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    data = write_workbook(
        [
            (
                "报到",
                columns,
                (
                    [
                        c.member.name,
                        c.get_kind_display(),
                        c.branch.name,
                        c.area_code,
                        c.year,
                        mask_numbers_in_text(c.pledge),
                        c.get_status_display(),
                        float(c.total_hours or 0),
                        when(c.requested_at),
                        when(c.decided_at),
                        mask_numbers_in_text(c.decline_reason),
                    ]
                    for c in rows.iterator()
                ),
            )
        ]
    )
    return attachment(data, f"党员报到-{clock.today():%Y%m%d}.xlsx", XLSX_CONTENT_TYPE)


@login_required
@require_POST
def check_in_decide(request, pk: int, decision: str):
    check_in = selectors.check_in_get_for(user=request.user, pk=pk)
    form = forms.DeclineForm(request.POST)
    # the branch's roll sends its own decisions back to itself
    to_roll = form.is_valid() and form.cleaned_data["back"] == "roll"
    back = (
        redirect("workforce:branch_roll", code=check_in.area_code)
        if to_roll
        else redirect("workforce:check_in_list")
    )
    if decision != "confirm" and not form.is_valid():
        messages.error(request, form_errors(form))
        return back
    with refusals_into(request):
        if decision == "confirm":
            party.check_in_confirm(actor=request.user, check_in=check_in, request=request)
            messages.success(request, _("Check-in confirmed."))
        else:
            party.check_in_decline(
                actor=request.user, check_in=check_in, reason=form.cleaned_data["reason"], request=request
            )
            messages.success(request, _("Check-in declined."))
    return back


@login_required
@require_POST
def service_log(request, pk: int):
    check_in = selectors.check_in_get_for(user=request.user, pk=pk)
    form = forms.ServiceLogForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Write the day as 2026-05-04.") if "served_on" in form.errors else form_errors(form)
        )
    else:
        with refusals_into(request):
            party.service_log(
                actor=request.user,
                check_in=check_in,
                hours=form.cleaned_data["hours"],
                description=form.cleaned_data["description"],
                served_on=form.cleaned_data["served_on"],
                request=request,
            )
            messages.success(request, _("Hours recorded."))
    if check_in.member.user_id == request.user.pk:
        return redirect("workforce:check_in_mine")
    return redirect("workforce:check_in_list")


# --- a resident's grid workers, and a worker's choice to hide their phone from them ---------------------


@login_required
def my_grid_workers(request):
    """The resident's own grid workers with a tap-to-call work phone (linked from the header)."""
    return render(
        request,
        "workforce/my_grid_workers.html",
        {"resident_grids": selectors.grid_workers_for_resident(request.user)},
    )


@login_required
@require_POST
def my_phone_setting(request):
    """The worker shows or hides their work phone from the residents of their grids."""
    worker = selectors.worker_for_user(request.user)
    if worker is None:
        raise Http404
    form = forms.PhoneSettingForm(request.POST)
    if form.is_valid():
        hidden = form.cleaned_data["hidden"]
        worker_phone_setting_set(actor=request.user, worker=worker, hidden=hidden, request=request)
        messages.success(
            request,
            _("Your work phone is now hidden from your grids' residents.")
            if hidden
            else _("Your grids' residents now see your work phone."),
        )
    return redirect("workforce:patrol_list")


# --- the way in --------------------------------------------------------------------------------------------


@login_required
def home(request):
    """Where the header's workforce link leads: supervisors to their area's workload, grid workers to
    their patrols, other staff to the member check-ins."""
    supervised = scope_codes(request.user, roles=rules.SUPERVISOR_ROLES)
    if supervised:
        return redirect("workforce:workload", code=supervised[0])
    if has_role(request.user, {Role.GRID_WORKER}):
        return redirect("workforce:patrol_list")
    if has_role(request.user, STAFF_ROLES):
        return redirect("workforce:check_in_list")
    return redirect("workforce:check_in_mine")


# --- patrols --------------------------------------------------------------------------------------------


@login_required
def patrol_list(request):
    """The worker's patrols (start one here) and, for supervisors, the patrols in their area."""
    worker = selectors.worker_for_user(request.user)
    if request.method == "POST":
        if worker is None:
            raise Http404
        form = forms.PatrolStartForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect("workforce:patrol_list")
        with refusals_into(request):
            patrol = patrols_service.patrol_start(
                actor=request.user, worker=worker, grid_code=form.cleaned_data["grid_code"], request=request
            )
            return redirect("workforce:patrol_detail", pk=patrol.pk)
        return redirect("workforce:patrol_list")
    return render(
        request,
        "workforce/patrol_list.html",
        {
            "worker": worker,
            # a worker serving several grids chooses where this patrol counts
            "patrol_grids": selectors.patrol_grid_choices(user=request.user, worker=worker) if worker else [],
            "patrols": list(selectors.patrol_list_for(user=request.user)[:100]),
            "tasks": list(selectors.patrol_tasks_for(user=request.user).filter(done_at__isnull=True)[:50]),
            "phone_form": forms.PhoneSettingForm(initial={"hidden": worker.phone_hidden_from_residents})
            if worker
            else None,
        },
    )


@login_required
def patrol_detail(request, pk: int):
    patrol = selectors.patrol_get_for(user=request.user, pk=pk)
    track = (
        selectors.patrol_track_for(user=request.user, patrol=patrol)
        if rules.can_view_track(request.user, patrol)
        else None
    )
    return render(
        request,
        "workforce/patrol_detail.html",
        {
            "patrol": patrol,
            "is_mine": rules.is_worker_self(request.user, patrol.worker),
            "track": track,
            "findings": list(patrol.findings.all()),
            "report_case_url": selectors.report_case_url(patrol),
        },
    )


FROM_OUTBOX = "X-Grassroots-Outbox"  # sent from the phone's outbox (outbox.js), perhaps recorded offline


def _finding_from_outbox(request, patrol, form) -> JsonResponse:
    """A finding recorded without signal and sent from the phone's outbox, perhaps more than once: one finding
    per idempotency key; answered in JSON, a refusal (the patrol has ended, nothing said) in words."""
    if not form.is_valid():
        return JsonResponse({"code": "invalid", "message": form_errors(form)}, status=422)
    try:
        patrols_service.patrol_finding_add(
            actor=request.user,
            patrol=patrol,
            description=form.cleaned_data["description"],
            request=request,
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except DomainError as refusal:
        return JsonResponse({"code": refusal.code, "message": refusal_text(refusal)}, status=refusal.status)
    messages.success(request, _("Finding recorded."))
    return JsonResponse({"location": reverse("workforce:patrol_detail", kwargs={"pk": patrol.pk})})


@login_required
@require_POST
def patrol_action(request, pk: int, action: str):
    patrol = selectors.patrol_get_for(user=request.user, pk=pk)
    form = forms.FindingForm(request.POST)
    if action == "finding" and request.headers.get(FROM_OUTBOX) == "1":
        return _finding_from_outbox(request, patrol, form)
    if action != "end" and not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("workforce:patrol_detail", pk=patrol.pk)
    with refusals_into(request):
        if action == "end":
            patrols_service.patrol_end(actor=request.user, patrol=patrol, request=request)
            messages.success(request, _("Patrol ended."))
        else:
            patrols_service.patrol_finding_add(
                actor=request.user,
                patrol=patrol,
                description=form.cleaned_data["description"],
                request=request,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
            messages.success(request, _("Finding recorded."))
    return redirect("workforce:patrol_detail", pk=patrol.pk)


@login_required
@require_POST
def patrol_task_done(request, pk: int):
    """The named worker marks a patrol task done."""
    task = selectors.patrol_task_get_for(user=request.user, pk=pk)
    form = forms.PatrolTaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("workforce:patrol_list")
    with refusals_into(request):
        patrols_service.patrol_task_done(
            actor=request.user, task=task, note=form.cleaned_data["note"], request=request
        )
        messages.success(request, _("Patrol task done."))
    return redirect("workforce:patrol_list")


# --- workload -------------------------------------------------------------------------------------------


@login_required
def workload(request, code: str):
    """The area's workers ranked by workload, with the definitions shown (supervisors)."""
    year = clock.today().year
    rows = selectors.worker_workload(user=request.user, area_code=code, year=year)
    area = area_selectors.area_get_for(user=request.user, code=code)
    columns = selectors.workload_columns(rows)
    # ?sort=<figure> ranks by that column (highest first), ?sort=name by name; the score otherwise
    sort = request.GET.get("sort", "score")
    if sort != "name" and sort not in {key for key, _label, _text in columns}:
        sort = "score"
    rows = selectors.workload_sorted(rows, sort)
    for row in rows:
        row["cells"] = selectors.workload_cells(row, columns)
    return render(
        request,
        "workforce/workload.html",
        {
            "area": area,
            "code": code,
            "year": year,
            "rows": rows,
            "columns": columns,
            "sort": sort,
            "formula": selectors.workload_formula(),
        },
    )


@login_required
def workload_xlsx(request, code: str):
    """The workload table as a workbook (supervisors of the area: the same scoped read as the page)."""
    from grassroots.downloads import attachment
    from grassroots.sheets import XLSX_CONTENT_TYPE, Column, write_workbook

    year = clock.today().year
    rows = selectors.workload_sorted(
        selectors.worker_workload(user=request.user, area_code=code, year=year), "score"
    )
    area = area_selectors.area_get_for(user=request.user, code=code)
    columns = selectors.workload_columns(rows)
    sheet_columns = (
        Column("worker", "网格员", "worker", width=12),
        Column("kind", "类型", "kind", width=14),
        Column("area_code", "区划代码", "area code", width=16),
        *(Column(key, label, key, width=12) for key, label, _text in columns),
    )

    def value(v):
        return float(v) if isinstance(v, Decimal) else v

    data = write_workbook(
        [
            (
                "工作量",
                sheet_columns,
                [
                    [r["worker"].name, r["worker"].get_kind_display(), r["worker"].area_code]
                    + [value(v) for _key, v in selectors.workload_cells(r, columns)]
                    for r in rows
                ],
            ),
            (
                "定义",
                (
                    Column("figure", "指标", "figure", width=20),
                    Column("definition", "定义", "definition", width=90),
                ),
                [[str(_("Workload score")), str(selectors.workload_formula())]]
                + [[label, text] for _key, label, text in columns],
            ),
        ]
    )
    return attachment(data, f"{area.name}-{year}-工作量.xlsx", XLSX_CONTENT_TYPE)


@login_required
def worker(request, pk: int):
    """A grid worker: assignment history, red grid worker duties and, for supervisors, the year's workload."""
    worker = selectors.worker_get_for(user=request.user, pk=pk)
    year = clock.today().year
    figures = None
    if rules.can_supervise_worker(request.user, worker.area_code):
        row = next(
            r
            for r in selectors.worker_workload(user=request.user, area_code=worker.area_code, year=year)
            if r["worker"].pk == worker.pk
        )
        columns = selectors.workload_columns([row])
        figures = [
            (key, label, text, value)
            for (key, label, text), (_key, value) in zip(
                columns, selectors.workload_cells(row, columns), strict=True
            )
        ]
    return render(
        request,
        "workforce/worker.html",
        {
            "worker": worker,
            "assignments": list(worker.assignments.order_by("-started_on")),
            "duties": list(worker.duties.all()),
            "figures": figures,
            "year": year,
        },
    )


@login_required
def grid_figures(request, code: str):
    """The grid's workforce figures for this year (a fragment the grid page loads after itself)."""
    area_selectors.grid_get_for(user=request.user, code=code)
    figures = selectors.grid_figures(code)
    return render(
        request,
        "workforce/_grid_figures.html",
        {
            "figures": figures,
            "figure_definitions": selectors.FIGURE_DEFINITIONS,
            "definitions": selectors.grid_figure_definitions(figures),
        },
    )
