"""The case pages: report, my reports, my tasks, resolve on the spot, the staff queue, the case page with the
actions the user may take now, and the metrics of an area.

Views parse, check, call a service or a selector, render. Which actions a user may take comes from
``workflow.available_actions`` (the transition table), never from a copy of the rules here.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grassroots import clock, geo
from grassroots.accounts.models import Role
from grassroots.accounts.rules import can_view_area, require
from grassroots.accounts.scoping import has_role
from grassroots.areas import selectors as area_selectors
from grassroots.areas.codes import CodeError, Level
from grassroots.areas.models import GridKind
from grassroots.errors import DomainError
from grassroots.notifications.services import mark_read_about
from grassroots.pages import refusal_text, refusals_into
from grassroots.paging import page_of

from . import integrations, rules, selectors, services, workflow
from . import metrics as case_metrics
from .forms import ActionForm, EnterForm, OnTheSpotForm, QueueFilterForm, RateForm, ReportForm, SavedViewForm
from .models import OPEN_STATES, Case, Source, State, Urgency
from .services import registry
from .workflow import Action, available_actions

# --- helpers ----------------------------------------------------------------------------------------------


def _key() -> str:
    return uuid.uuid4().hex


def home(request):
    """Where "cases" starts: the queue for staff, the task list for handlers, otherwise one's own reports."""
    if not request.user.is_authenticated:
        return redirect("cases:report")
    if has_role(request.user, workflow.OVERSIGHT):
        return redirect("cases:queue")
    if has_role(request.user, {Role.GRID_WORKER, Role.DEPARTMENT_HANDLER}):
        return redirect("cases:tasks")
    return redirect("cases:mine")


# --- resident and grid worker -------------------------------------------------------------------------------


SENT_BY_SCRIPT = "X-Grassroots-Send"  # the report forms' script sends them itself, retrying on a weak signal
FROM_OUTBOX = "X-Grassroots-Outbox"  # sent from the phone's outbox (outbox.js): refusals answered in JSON


def _sent(request, case: Case):
    """Where a report just made leads: the case page. The forms' script (cases.js, which sends again by
    itself while the signal is gone) is told the address in JSON, so that the thank-you message waits for
    the page the script then opens; a plain submission is redirected."""
    url = reverse("cases:detail", kwargs={"pk": case.pk})
    if request.headers.get(SENT_BY_SCRIPT) == "1":
        return JsonResponse({"location": url})
    return redirect(url)


def _intake_page(request, form_class, template: str, submit, **context):
    """The page of one way in: its form with a fresh idempotency key for each new attempt, the service's
    refusal shown on the form; ``submit(cleaned_data)`` calls the service and answers the sent form."""
    categories = selectors.categories_for_choice()
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, categories=categories)
        if form.is_valid():
            with refusals_into(form):
                return submit(form.cleaned_data)
        if request.headers.get(FROM_OUTBOX) == "1":
            # written offline and sent later: the outbox shows what is wrong, in words
            text = " ".join(str(e) for errors in form.errors.values() for e in errors)
            return JsonResponse({"code": "invalid", "message": text}, status=422)
        # A failed attempt gets a fresh key: the next submission is a new attempt, not a replay.
        form.data = form.data.copy()
        form.data["idempotency_key"] = _key()
    else:
        form = form_class(categories=categories, initial={"idempotency_key": _key()})
    return render(request, template, {"form": form, **_report_map(request.user), **context})


def _report_map(user) -> dict:
    """What the map of an intake page starts from: the user's own area (outlined, the map centred on it), their
    counties (a pin outside them is confirmed on the report form) and where to ask where a pin would go."""
    home = selectors.reporter_home_code(user)
    return {
        "home_code": home or "",
        "home_counties": ",".join(selectors.home_counties(user)),
        "outlines_url": reverse("api:area_outlines", kwargs={"code": home}) if home else "",
        "destination_url": reverse("api:area_destination"),
    }


def _place(d: dict) -> dict:
    """The place fields every intake form has, as the services take them."""
    return {
        "category": d["category"],
        "description": d["description"],
        "lon": d["lon"],
        "lat": d["lat"],
        "crs": d["crs"] or "wgs84",
        "accuracy_m": d["accuracy_m"],
        "address": d["address"],
        "idempotency_key": d["idempotency_key"],
    }


@login_required
def report(request):
    """Report a problem (随手拍): photos, place on a map, service type, urgency, kind, anonymous."""

    def submit(d):
        # ?patrol=<id>: reported on the way during one's own open patrol (source "patrol").
        case = integrations.case_report_on_patrol(
            actor=request.user,
            patrol_id=request.GET.get("patrol"),
            kind=d["kind"],
            urgency=d["urgency"] or None,
            anonymous=d["anonymous"],
            photo_files=d["photos"],
            confirm_far=d["confirm_far"],
            **_place(d),
        )
        messages.success(
            request, _("Thank you. Your report %(reference)s was received.") % {"reference": case.reference}
        )
        return _sent(request, case)

    return _intake_page(
        request, ReportForm, "cases/report.html", submit,
        duplicates_url=reverse("cases:duplicates"), urgencies=Urgency.choices,
    )  # fmt: skip


@login_required
@require_GET
def duplicates(request):
    """Similar recent reports near a point (htmx fragment while reporting)."""
    code = request.GET.get("category", "")
    category = services.category_by_code(code) if code else None
    try:
        lon, lat = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        lon = lat = None
    found = []
    if category is not None and lon is not None and geo.is_point(lon, lat):
        found = selectors.duplicates_near(category=category, lon=lon, lat=lat)
    visible = {n.case.pk for n in found if rules.can_view_case(request.user, n.case)}
    open_nearby = any(n.case.state in OPEN_STATES for n in found)
    return render(
        request, "cases/_duplicates.html", {"nearby": found, "visible": visible, "open_nearby": open_nearby}
    )


@login_required
def mine(request):
    """The resident's own reports, newest first."""
    page = page_of(request, selectors.my_reports_for(user=request.user), 20)
    return render(request, "cases/mine.html", {"page": page})


@login_required
def tasks(request):
    """A handler's work: the open cases assigned to their login, most urgent first, with traffic lights."""
    cases = list(selectors.my_tasks_for(user=request.user)[:200])
    clocks = selectors.running_clocks_for(cases)
    rows = [(c, clocks[c.pk]) for c in cases]
    return render(
        request,
        "cases/tasks.html",
        {"rows": rows, "can_resolve": rules.can_resolve_on_the_spot(request.user)},
    )


@login_required
def on_the_spot(request):
    """A grid worker reports a small matter and closes it at once, with before and after photos."""
    if not rules.can_resolve_on_the_spot(request.user):
        raise Http404

    def submit(d):
        case = services.case_resolve_on_the_spot(
            actor=request.user,
            note=d["note"],
            before_photos=d["before_photos"],
            after_photos=d["after_photos"],
            **_place(d),
        )
        messages.success(request, _("Recorded as resolved on the spot: %(ref)s.") % {"ref": case.reference})
        return _sent(request, case)

    return _intake_page(request, OnTheSpotForm, "cases/on_the_spot.html", submit)


@login_required
def enter(request):
    """Staff enter a case taken by phone, hotline, visit or walk-in."""
    if not rules.can_enter_cases(request.user):
        raise Http404

    def submit(d):
        case = services.case_enter(
            actor=request.user,
            source=d["source"],
            area_code=d["area_code"] or None,
            kind=d["kind"],
            urgency=d["urgency"] or None,
            reporter_name=d["reporter_name"],
            reporter_phone=d["reporter_phone"],
            received_at=d["received_at"],
            anonymous=d["anonymous"],
            photo_files=d["photos"],
            **_place(d),
        )
        messages.success(request, _("Case %(ref)s entered.") % {"ref": case.reference})
        return redirect("cases:detail", pk=case.pk)

    return _intake_page(request, EnterForm, "cases/enter.html", submit)


# --- staff queue --------------------------------------------------------------------------------------------


def _chosen(form) -> dict[str, str | bool]:
    """The filter values as the form shows them again (empty when the query was not understood)."""
    if not form.is_bound or not form.is_valid():
        return {}
    d = form.cleaned_data
    return {
        "state": d["state"],
        "overdue": d["overdue"],
        "category": d["category"],
        "level": str(d["level"] or ""),
        "source": d["source"],
        "since": d["since"].isoformat() if d["since"] else "",
        "until": d["until"].isoformat() if d["until"] else "",
    }


def _queue_filters(form) -> selectors.QueueFilters:
    if not form.is_valid():
        return selectors.QueueFilters()
    d = form.cleaned_data
    return selectors.QueueFilters(
        state=d["state"],
        overdue=d["overdue"],
        category=d["category"],
        level=d["level"],
        source=d["source"],
        since=d["since"],
        until=d["until"],
    )


@login_required
def queue(request):
    """The staff queue of the user's area: filters, paging, traffic lights, bulk dispatch."""
    if not selectors.has_queue(request.user):
        raise Http404
    categories = selectors.categories_for_choice()
    # Open cases unless the user asks for others ("any" state shows them all): closed work is not work.
    form = QueueFilterForm(request.GET or {"state": "open"}, categories=categories)
    filters = _queue_filters(form)
    queue = selectors.IdsFirst(selectors.case_queue_for(user=request.user, filters=filters))
    page = page_of(request, queue, selectors.QUEUE_PAGE_SIZE)
    clocks = selectors.running_clocks_for(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    labels = _labels()
    rows = [
        {
            "case": c,
            "light": clocks[c.pk].colour if clocks[c.pk] else "",
            "state": labels["state"].get(c.state, c.state),
            "level": labels["level"].get(c.level, c.level),
            "source": labels["source"].get(c.source, c.source),
            "urgency": labels["urgency"].get(c.urgency, c.urgency),
        }
        for c in page.object_list
    ]
    return render(
        request,
        "cases/queue.html",
        {
            "form": form,
            "chosen": _chosen(form),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_enter": rules.can_enter_cases(request.user),
            "saved_views": selectors.queue_views_for(user=request.user),
        },
    )


@login_required
def queue_xlsx(request):
    """The queue as filtered on the page (same form, same scoped read), every page of it, as a workbook."""
    from grassroots.downloads import attachment
    from grassroots.sheets import XLSX_CONTENT_TYPE, write_workbook

    from . import exports

    if not selectors.has_queue(request.user):
        raise Http404
    form = QueueFilterForm(request.GET or {"state": "open"}, categories=selectors.categories_for_choice())
    cases = selectors.case_queue_for(user=request.user, filters=_queue_filters(form)).select_related(
        "category"
    )
    data = write_workbook([("案件", exports.QUEUE_COLUMNS, exports.queue_rows(cases.iterator(), _labels()))])
    return attachment(data, f"案件队列-{clock.today():%Y%m%d}.xlsx", XLSX_CONTENT_TYPE)


@login_required
@require_POST
def queue_view_save(request):
    """Save the queue's current filters under a name (the same name replaces the view)."""
    form = SavedViewForm(request.POST)
    query = form.data.get("query", "") if not form.is_valid() else form.cleaned_data["query"]
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        with refusals_into(request):
            view = services.queue_view_save(actor=request.user, name=form.cleaned_data["name"], query=query)
            messages.success(request, _("Saved as “%(name)s”.") % {"name": view.name})
            return redirect(reverse("cases:queue") + f"?{view.query}")
    return redirect(reverse("cases:queue") + (f"?{query}" if query else ""))


@login_required
@require_POST
def queue_view_delete(request, pk: int):
    view = selectors.queue_view_get_for(user=request.user, pk=pk)
    services.queue_view_delete(actor=request.user, view=view)
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return redirect("cases:queue")


def _labels() -> dict[str, dict]:
    """Display names of the choices, translated once per page rather than once per row and field."""
    return {
        "state": {k: str(v) for k, v in State.choices},
        "level": {k: str(v) for k, v in Level.choices},
        "source": {k: str(v) for k, v in Source.choices},
        "urgency": {k: str(v) for k, v in Urgency.choices},
    }


@login_required
@require_POST
def bulk_dispatch(request):
    """Dispatch several accepted cases to one handler; each case on its own (a conflict skips only it)."""
    ids = request.POST.getlist("case")
    key = request.POST.get("target", "")
    back = request.POST.get("next") or reverse("cases:queue")
    if not back.startswith("/"):
        back = reverse("cases:queue")
    if not ids:
        messages.error(request, _("Tick the cases to dispatch first."))
        return redirect(back)
    chosen, failed = [], []
    for raw in ids[: selectors.QUEUE_PAGE_SIZE * 4]:
        try:
            chosen.append(
                (
                    selectors.case_get_for(user=request.user, pk=int(raw)),
                    int(request.POST.get(f"version_{raw}", "")),
                )
            )
        except (Http404, ValueError):
            failed.append(raw)
    results = services.case_dispatch_many(actor=request.user, cases=chosen, target=key)
    done = sum(1 for _case, error in results if error is None)
    failed += [case.reference for case, error in results if error is not None]
    if done:
        messages.success(request, _("%(n)d case(s) dispatched.") % {"n": done})
    if failed:
        messages.error(
            request,
            _(
                "Not dispatched: %(refs)s. They may have changed meanwhile, not be accepted yet, or the handler "
                "does not serve their area; open them to see."
            )
            % {"refs": ", ".join(str(f) for f in failed)},
        )
    return redirect(back)


@login_required
@require_GET
def bulk_targets(request):
    """The handlers common to the ticked cases (htmx fragment for the bulk dispatch select)."""
    ids = request.GET.getlist("case")[:100]
    common = None
    labels = {}
    for raw in ids:
        try:
            case = selectors.case_get_for(user=request.user, pk=int(raw))
        except (Http404, ValueError):
            continue
        offered = selectors.dispatch_targets_for(case=case, actor=request.user)
        labels.update({t.key: t for t in offered})
        keys = {t.key for t in offered}
        common = keys if common is None else common & keys
    targets = [labels[k] for k in sorted(common or [], key=lambda k: (labels[k].group, labels[k].label))]
    return render(request, "cases/_bulk_targets.html", {"targets": targets})


# --- the case page ------------------------------------------------------------------------------------------


@login_required
def detail(request, pk: int):
    """One case: photos before and after, map, timeline, context links, and what the user may do now."""
    case = selectors.case_get_for(user=request.user, pk=pk)
    user = request.user
    mark_read_about(actor=user, target=case)  # what the inbox said about it has now been seen
    actions = available_actions(user, case)
    staff_view = rules.is_staff_viewer(user, case)
    photos = selectors.photos_for(case)
    lights = selectors.lights_for([case])[case.pk]
    targets = selectors.dispatch_targets_for(case=case, actor=user) if Action.DISPATCH in actions else []
    dupes = selectors.duplicates_for_case(user=user, case=case) if staff_view and case.is_open else []
    context_area = None
    try:
        context_area = area_selectors.area_get_for(user=user, code=case.origin_code) if staff_view else None
    except Http404:
        context_area = None
    rate_form = RateForm() if Action.RATE in actions else None
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "is_reporter": case.reporter_id == user.pk,
            "staff_view": staff_view,
            "show_reporter": rules.can_see_reporter(user, case),
            "timeline": selectors.timeline_for(user=user, case=case),
            "ratings": selectors.ratings_of(case),
            "photos": photos,
            "lights": lights,
            "actions": [
                {
                    "name": spec.name,
                    "label": registry.label_for(spec, user=user, case=case),
                    "fields": spec.inputs,
                    "primary": spec.primary,
                    "url": reverse("cases:act", kwargs={"pk": case.pk, "action": spec.name}),
                }
                for spec in (
                    registry.ACTIONS[a] for a in actions if a not in (Action.RATE, Action.CALLBACK)
                )  # rate and callback have their own forms
            ],
            "may_call_back": Action.CALLBACK in actions,
            "targets": targets,
            "duplicates": dupes,
            "rate_form": rate_form,
            "context_area": context_area,
            "household": selectors.household_link_for(user=user, case=case) if staff_view else None,
            "grid_link": case.origin_code if len(case.origin_code) == 15 and context_area else "",
            "cards": services.URGE_CARDS,
            "grid_kinds": GridKind.choices,
        },
    )


@login_required
@require_POST
def take(request, pk: int):
    """A grid worker takes a report of their grid in one tap: accepted and dispatched to themself."""
    case = selectors.case_get_for(user=request.user, pk=pk)
    with refusals_into(request) as outcome:
        services.case_take(
            actor=request.user,
            case=case,
            expected_version=int(request.POST.get("expected_version") or case.version),
        )
    if not outcome.refused:
        messages.success(request, _("It is yours: %(ref)s is in your tasks.") % {"ref": case.reference})
    return redirect("cases:detail", pk=case.pk)


def _values(action: str, request) -> registry.ActionInput | None:
    """What the page's form for ``action`` sent, as the registry takes it; None (with the errors told) when
    the form is incomplete."""
    form = RateForm(request.POST) if action == Action.RATE else ActionForm(request.POST, request.FILES)
    version = request.POST.get("expected_version", "")
    if not form.is_valid() or not version.isdigit():
        if action == Action.RATE:
            messages.error(
                request, _("Choose how satisfied you are and whether the problem was really solved.")
            )
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return None
    d = form.cleaned_data
    if action == Action.RATE:
        return registry.ActionInput(
            expected_version=int(version),
            text=d["comment"],
            rating=d["rating"],
            really_solved=d["really_solved"],
            reopen_if_unsolved=d["reopen_if_unsolved"],
        )
    return registry.ActionInput(
        expected_version=int(version),
        text=d.get("note") or "",
        target=d.get("target") or "",
        card=d.get("card") or "normal",
        amount=d.get("amount"),
        unit=d.get("unit") or "days",
        master=d.get("master") or "",
        photos=d.get("photos") or [],
    )


def _done(action: str, values: registry.ActionInput, spec, request, case: Case) -> str:
    if action != Action.RATE:
        return _("Done: %(action)s.") % {"action": registry.label_for(spec, user=request.user, case=case)}
    if values.really_solved or not values.reopen_if_unsolved:
        return _("Thank you for your rating.")
    return _("Thank you. Your report has been reopened and will be dealt with again.")


def _act_from_outbox(request, case: Case, action: str, spec) -> JsonResponse:
    """An action sent by the phone's outbox (outbox.js), perhaps done offline and sent again: applied with the
    version it was based on (``registry.perform_queued``); answered in JSON, a refusal in words (translated)
    that the outbox shows the worker."""
    values = _values(action, request)
    if values is None:
        text = " ".join(str(m) for m in messages.get_messages(request))  # the form's errors, said once
        return JsonResponse({"code": "invalid", "message": text}, status=422)
    try:
        registry.perform_queued(action, actor=request.user, case=case, values=values)
    except DomainError as refusal:
        return JsonResponse({"code": refusal.code, "message": refusal_text(refusal)}, status=refusal.status)
    messages.success(request, _done(action, values, spec, request, case))
    url = reverse("cases:detail", kwargs={"pk": case.pk})
    if not selectors.case_visible_to(request.user, case.pk):
        url = reverse("cases:home")
    return JsonResponse({"location": url})


@login_required
@require_POST
def act(request, pk: int, action: str):
    """Take one workflow action on a case: the registry's service for it, with what the form sent (the service
    checks the table, the permission and the version)."""
    case = selectors.case_get_for(user=request.user, pk=pk)
    spec = registry.ACTIONS.get(action)
    if spec is None:
        raise Http404
    if request.headers.get(FROM_OUTBOX) == "1":
        return _act_from_outbox(request, case, action, spec)
    values = _values(action, request)
    if values is not None:
        with refusals_into(request) as outcome:
            registry.perform(action, actor=request.user, case=case, values=values)
        if not outcome.refused:
            messages.success(request, _done(action, values, spec, request, case))
    if not selectors.case_visible_to(request.user, case.pk):
        # e.g. escalated out of the actor's scope: the case page would now be a 404.
        return redirect("cases:home")
    return redirect("cases:detail", pk=case.pk)


def _metrics_for(request, code: str):
    """The area (404 outside the user's scope or without the figures), the period asked for (the default
    one, with a message, when it cannot be read) and whether "basically satisfied" counts: what the metrics
    page and its workbook both read."""
    require(request.user, can_view_area, code)
    if not selectors.may_see_metrics(user=request.user, code=code):
        raise Http404
    area = area_selectors.area_get_for(user=request.user, code=code)
    period_text = request.GET.get("period") or str(case_metrics.default_period_key())
    try:
        period = case_metrics.Period.parse(period_text)
    except case_metrics.PeriodError as exc:
        messages.error(request, str(exc.message))
        period = case_metrics.Period.parse(case_metrics.default_period_key())
    basically = request.GET.get("basically")
    counts_basically = case_metrics.basically_counts_default() if basically is None else basically == "1"
    return area, period, counts_basically


@login_required
def metrics_xlsx(request, code: str):
    """The metrics page's tables as a workbook: the area, the areas below, the service types, the
    departments, each rate with its numerator and denominator, and the definitions."""
    from grassroots.downloads import attachment
    from grassroots.sheets import XLSX_CONTENT_TYPE, Column, write_workbook

    from . import exports

    area, period, counted = _metrics_for(request, code)
    try:
        overview = case_metrics.case_metrics_overview(area_code=code, period=period, basically_counts=counted)
        handlers = case_metrics.case_metrics_by_handler(
            area_code=code, period=period, basically_counts=counted
        )
    except CodeError as exc:
        raise Http404 from exc
    names = selectors.area_names(codes=[r.key for r in overview.children])
    template = overview.figures
    keyed = (Column("code", "代码", "code", width=16), Column("name", "名称", "name", width=22))
    data = write_workbook(
        [
            exports.figures_sheet("本区域", [([area.code, area.name], overview.figures)], template, keyed),
            exports.figures_sheet(
                "下级区域", exports.rows_with_labels(overview.children, names), template, keyed
            ),
            exports.figures_sheet("服务类型", exports.rows_with_labels(overview.types), template, keyed),
            exports.figures_sheet("职能部门", exports.rows_with_labels(handlers), template, keyed),
            exports.definitions_sheet(
                template,
                [
                    (_("Which cases count"), str(case_metrics.COHORT_DEFINITION)),
                    (_("Which ratings count"), str(case_metrics.RATINGS_DEFINITION)),
                    (_("Department score (综合指标值)"), str(case_metrics.SCORE_DEFINITION)),
                    (_("Period"), f"{period.start.isoformat()} .. {period.last_day.isoformat()}"),
                ],
            ),
        ]
    )
    return attachment(data, f"{area.name}-{period.key}-指标.xlsx", XLSX_CONTENT_TYPE)


# --- metrics --------------------------------------------------------------------------------------------------


@login_required
def metrics(request, code: str):
    """The case figures of an area and its children for a period, each with its definition."""
    area, period, counts_basically = _metrics_for(request, code)
    try:
        # the area, the areas below and the service types from one read; the departments from another
        overview = case_metrics.case_metrics_overview(
            area_code=code, period=period, basically_counts=counts_basically
        )
        handlers = case_metrics.case_metrics_by_handler(
            area_code=code, period=period, basically_counts=counts_basically
        )
        channels = case_metrics.ratings_by_channel(
            area_code=code, period=period, basically_counts=counts_basically
        )
    except CodeError as exc:
        raise Http404 from exc
    figures, children, types = overview.figures, overview.children, overview.types
    names = selectors.area_names(codes=[r.key for r in children])
    return render(
        request,
        "cases/metrics.html",
        {
            "area": area,
            "breadcrumbs": area_selectors.area_breadcrumbs(area)[:-1],
            "period": period,
            "figures": figures,
            "children": [(r, names.get(r.key, r.key)) for r in children],
            "handlers": handlers,
            "types": types,
            "basically_counts": counts_basically,
            "channels": channels,
            "score_definition": case_metrics.SCORE_DEFINITION,
            "cohort_definition": case_metrics.COHORT_DEFINITION,
            "ratings_definition": case_metrics.RATINGS_DEFINITION,
            "is_grid": area.level == Level.GRID,
        },
    )
