"""Disclosure pages. Public (no login): a board, a notice with its versions, chain check and objections, the
printable A4 sheet with its QR code, the chat text and the loudspeaker script. Staff (village and above, in
scope): the desk with due / overdue items, a board's notices, drafting, importing, publishing, correcting
(the title and text, or a roster from its downloaded and edited sheet), answering and confirming. Thin: parse,
check, call a service or selector, render."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from grassroots.downloads import attachment
from grassroots.errors import DomainError
from grassroots.forms import form_errors
from grassroots.masking import number_warnings
from grassroots.notifications.services import mark_read_about
from grassroots.pages import refusals_into
from grassroots.paging import page_of
from grassroots.sheets import XLSX_CONTENT_TYPE
from grassroots.worktime.calendar import unentered_years_between

from . import content, display, forms, rules, selectors, services
from .models import NoticeKind, Section

MANAGE_PAGE_SIZE = 10  # notices a page on the board's manage page

_UNENTERED = gettext_lazy(
    "The window counts weekends only in %(years)s: the holidays of that year have not been entered."
)


def public_url(request, notice) -> str:
    return request.build_absolute_uri(reverse("disclosure:notice", args=[notice.pk]))


def _version_views(notice, board):
    versions = list(notice.versions.all())
    out, previous = [], None
    for version in versions:
        headers, cells = display.public_table(version.content, kind=notice.kind, name_style=board.name_style)
        out.append(
            {
                "version": version,
                "content": version.content,
                "headers": headers,
                "cells": cells,
                "changed": (
                    selectors.describe_changes(selectors.changes_between(previous.content, version.content))
                    if previous
                    else []
                ),
            }
        )
        previous = version
    return out


# --- public ------------------------------------------------------------------------------------------------------


@cache_control(public=True, max_age=60)
def board(request, pk: int):
    board = selectors.board_public(pk=pk)
    notices = []
    for notice in selectors.public_notices(board=board):
        latest = list(notice.versions.all())[-1]
        notices.append(
            {
                "notice": notice,
                "title": latest.content.get("title", ""),
                "title_mn": latest.content.get("title_mn", "") if board.bilingual else "",
                "versions": latest.number,
            }
        )
    sections = [
        (value, label, [n for n in notices if n["notice"].section == value])
        for value, label in Section.choices
    ]
    return render(
        request,
        "disclosure/board.html",
        {"board": board, "sections": sections, "MONGOLIAN_COLUMNS": board.bilingual},
    )


def notice(request, pk: int):
    notice = selectors.notice_public(pk=pk)
    mark_read_about(actor=request.user, target=notice)  # what the inbox said about it has now been seen
    board = notice.board
    versions = _version_views(notice, board)
    report = selectors.verify_notice(notice)
    return render(
        request,
        "disclosure/notice.html",
        {
            "notice": notice,
            "board": board,
            "versions": versions,
            "current": versions[-1],
            "report": report,
            "objections": list(notice.objections.all()),
            "steps": selectors.notice_steps(notice),
            "window_open": selectors.window_open(notice),
            "can_manage": rules.can_manage_board(request.user, notice.area_code),
            "url": public_url(request, notice),
            **_bilingual(notice, board, versions[-1]),
        },
    )


def notice_print(request, pk: int):
    notice = selectors.notice_public(pk=pk)
    versions = _version_views(notice, notice.board)
    return render(
        request,
        "disclosure/print.html",
        {
            "notice": notice,
            "board": notice.board,
            "current": versions[-1],
            "url": public_url(request, notice),
            **_bilingual(notice, notice.board, versions[-1]),
        },
    )


@cache_control(public=True, max_age=3600)
def notice_qr(request, pk: int):
    """The QR code of the notice's public address, as SVG (no script: fine under the CSP)."""
    import qrcode  # only the QR page needs it: not loaded by every process that starts
    import qrcode.image.svg

    notice = selectors.notice_public(pk=pk)
    image = qrcode.make(public_url(request, notice), image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    out = io.BytesIO()
    image.save(out)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def _bilingual(notice, board, current) -> dict:
    """What a bilingual board's notice page and A4 sheet add: the Mongolian and the Chinese side."""
    if not board.bilingual:
        return {}
    sides = display.bilingual_sides(current["content"], kind=notice.kind, name_style=board.name_style)
    for side in sides:
        side["board_name"] = display.board_name(board, side["language"])
    return {"sides": sides, "MONGOLIAN_COLUMNS": True}


def _texts(request, notice):
    """The chat text and loudspeaker script, in the language asked for (``?language=mn-mong``) or the reader's."""
    latest = list(notice.versions.all())[-1].content
    board = notice.board
    language = display.text_language(request.GET.get("language"))
    name = display.board_name(board, language)
    return {
        "chat": display.chat_text(
            latest,
            kind=notice.kind,
            board_name=name,
            name_style=board.name_style,
            url=public_url(request, notice),
            language=language,
        ),
        "loudspeaker": display.loudspeaker_script(
            latest, kind=notice.kind, board_name=name, name_style=board.name_style, language=language
        ),
    }


def notice_chat(request, pk: int):
    notice = selectors.notice_public(pk=pk)
    return HttpResponse(_texts(request, notice)["chat"], content_type="text/plain; charset=utf-8")


def notice_loudspeaker(request, pk: int):
    notice = selectors.notice_public(pk=pk)
    return HttpResponse(_texts(request, notice)["loudspeaker"], content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def object_(request, pk: int):
    notice = selectors.notice_public(pk=pk)
    form = forms.ObjectionForm(request.POST)
    with refusals_into(request):
        if not form.is_valid():
            raise DomainError(form_errors(form))
        services.objection_raise(actor=request.user, notice=notice, text=form.cleaned_data["text"])
        messages.success(
            request, _("Your objection was sent to the village committee; the answer will appear here.")
        )
        _tell_masked(request, {_("Objection"): form.cleaned_data["text"]})
    return redirect("disclosure:notice", pk=notice.pk)


# --- staff -------------------------------------------------------------------------------------------------------


@login_required
def desk(request):
    if not rules.can_use_disclosure_desk(request.user):
        raise Http404
    rows = selectors.catalogue_status_for(user=request.user)
    boards = list(selectors.boards_for(user=request.user)[:200])
    return render(
        request,
        "disclosure/desk.html",
        {
            "boards": boards,
            "managed": {b.pk for b in boards if rules.can_manage_board(request.user, b.area_code)},
            "rows": [r for r in rows if r["status"] in ("due", "overdue")],
            "rollup": selectors.catalogue_rollup(rows, level_digits=12),
            "township_rollup": selectors.catalogue_rollup(rows, level_digits=9),
        },
    )


@login_required
def board_manage(request, pk: int):
    board = selectors.board_managed(user=request.user, pk=pk)
    # phone first: one form to add a notice at a time (the roster import unless another is chosen) above
    # the notices, which come a page at a time
    add = request.GET.get("add", "roster")
    add = add if add in ("roster", "finance", "text") else "roster"
    page = page_of(request, selectors.notices_of_board(board=board), MANAGE_PAGE_SIZE)
    page.object_list = _with_warnings(page.object_list)
    return render(
        request,
        "disclosure/manage.html",
        {
            "board": board,
            "add": add,
            "page": page,
            "pager_query": urlencode({"add": add}),
            "roster_kinds": [(k, label) for k, label in NoticeKind.choices if k not in ("text", "finance")],
            "sections": Section.choices,
            "catalogue": list(board.catalogue.all()),
            "can_answer": rules.can_answer_objection(request.user, board.area_code),
            "MONGOLIAN_COLUMNS": board.bilingual,
            "open_objections": selectors.open_objections_of(board=board),
        },
    )


@login_required
@require_POST
def board_languages(request, pk: int):
    """A board becomes bilingual (Mongolian beside the Chinese) or Chinese only; its Mongolian name."""
    board = selectors.board_managed(user=request.user, pk=pk)
    form = forms.BoardLanguagesForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(board.pk)
    with refusals_into(request):
        services.board_languages_set(
            actor=request.user,
            board=board,
            bilingual=form.cleaned_data["bilingual"],
            name_mn=form.cleaned_data["name_mn"],
        )
        messages.success(request, _("The board's languages are saved."))
    return _back(board.pk)


def _with_warnings(notices) -> list:
    """The board's notices, each draft with what its writer is told before publishing (``warnings``)."""
    notices = list(notices)
    for n in notices:
        n.warnings = display.masking_warnings(n.draft) if n.state == "draft" else []
        # a running window counted across a year whose holidays were not entered (weekends only there)
        n.window_unentered = (
            unentered_years_between(n.window_starts_on, n.window_ends_on)
            if n.state == "published" and n.window_starts_on and n.window_ends_on
            else []
        )
    return notices


@login_required
@require_POST
def board_new(request):

    form = forms.BoardForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("disclosure:desk")
    d = form.cleaned_data
    with refusals_into(request):
        village, group = selectors.board_place_for(
            user=request.user, village_code=d["village_code"], group_number=d["village_group"]
        )
        board = services.board_create(
            actor=request.user,
            village=village,
            village_group=group,
            name=d["name"],
            name_style=d["name_style"],
        )
        return redirect("disclosure:manage", pk=board.pk)
    return redirect("disclosure:desk")


def _back(board_pk):
    return redirect("disclosure:manage", pk=board_pk)


def _tell_masked(request, texts: dict) -> None:
    for warning in number_warnings(texts):
        messages.warning(request, warning)


def _tell_dropped(request, columns: list[str]) -> None:
    if columns:
        messages.info(
            request,
            _("These columns are private and were not imported: %(cols)s") % {"cols": "、".join(columns)},
        )


@login_required
@require_POST
def notice_new(request, pk: int):
    board = selectors.board_managed(user=request.user, pk=pk)
    form = forms.NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(board.pk)
    d = form.cleaned_data
    kind = d["kind"] or NoticeKind.TEXT
    with refusals_into(request):
        item = selectors.catalogue_item_of(board=board, value=d["catalogue_item"])
        if kind == NoticeKind.FINANCE:
            statement = content.statement_from_text(
                period=d["period"],
                opening_balance=d["opening_balance"],
                lines_text=d["lines"],
                income_total=d["income_total"],
                expense_total=d["expense_total"],
                closing_balance=d["closing_balance"],
            )
            notice = services.notice_create(
                actor=request.user,
                board=board,
                kind=kind,
                title=d["title"],
                body=d["body"],
                title_mn=d["title_mn"],
                body_mn=d["body_mn"],
                statement=statement,
                catalogue_item=item,
            )
        elif kind == NoticeKind.TEXT:
            notice = services.notice_create(
                actor=request.user,
                board=board,
                kind=kind,
                section=d["section"],
                title=d["title"],
                body=d["body"],
                title_mn=d["title_mn"],
                body_mn=d["body_mn"],
                catalogue_item=item,
            )
            for upload in request.FILES.getlist("attachments"):
                services.attachment_add(actor=request.user, notice=notice, file=upload)
        else:
            upload = request.FILES.get("sheet")
            if upload is None:
                raise services.DisclosureError(_("Choose the Excel file of the roster."))
            imported = services.roster_import(
                actor=request.user,
                board=board,
                kind=kind,
                title=d["title"],
                body=d["body"],
                title_mn=d["title_mn"],
                body_mn=d["body_mn"],
                file=upload,
            )
            _tell_dropped(request, imported.dropped_columns)
            notice = imported.notice
        messages.success(request, _("The draft is saved. Check it, then publish."))
        for warning in display.masking_warnings(notice.draft):
            messages.warning(request, warning)
    return _back(board.pk)


def _notice_action(request, pk: int, action):
    notice = selectors.notice_managed(user=request.user, pk=pk)
    with refusals_into(request):
        action(notice)
    return _back(notice.board_id)


@login_required
@require_POST
def notice_publish(request, pk: int):
    form = forms.PublishForm(request.POST)
    days = form.cleaned_data["window_days"] if form.is_valid() else None

    def publish(notice):
        notice = services.notice_publish(actor=request.user, notice=notice, window_days=days)
        if notice.window_ends_on:
            text = _("Published. Objections may be raised from %(start)s to %(end)s.") % {
                "start": f"{notice.window_starts_on:%Y-%m-%d}",
                "end": f"{notice.window_ends_on:%Y-%m-%d}",
            }
            missing = unentered_years_between(notice.window_starts_on, notice.window_ends_on)
            if missing:
                text += " " + _UNENTERED % {"years": ", ".join(str(y) for y in missing)}
        else:
            text = _("Published.")
        messages.success(request, text)

    return _notice_action(request, pk, publish)


@login_required
@require_POST
def notice_confirm(request, pk: int):
    def confirm(notice):
        services.notice_confirm(actor=request.user, notice=notice)
        messages.success(request, _("Confirmed: the notice stands and stays on display."))

    return _notice_action(request, pk, confirm)


@login_required
@require_POST
def notice_correct(request, pk: int):
    """A correction of the title and text, or, with a sheet uploaded, of the whole roster from it."""
    upload = request.FILES.get("sheet")
    form = forms.CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(selectors.notice_managed(user=request.user, pk=pk).board_id)
    fields = {
        "actor": request.user,
        "reason": form.cleaned_data["reason"],
        "title": form.cleaned_data["title"] or None,
        "body": form.cleaned_data["body"] or None,
        "title_mn": form.cleaned_data["title_mn"] or None,
        "body_mn": form.cleaned_data["body_mn"] or None,
    }

    def correct(notice):
        if upload is None:
            version = services.notice_correct(notice=notice, **fields)
        else:
            corrected = services.roster_correct(notice=notice, file=upload, **fields)
            _tell_dropped(request, corrected.dropped_columns)
            version = corrected.version
        messages.success(
            request, _("The correction is published as version %(number)s.") % {"number": version.number}
        )
        for warning in display.masking_warnings({**version.content, "reason": version.reason}):
            messages.warning(request, warning)

    return _notice_action(request, pk, correct)


@login_required
@require_GET
def roster_download(request, pk: int):
    """The current roster as an Excel sheet, to correct in Excel and upload with the correction form."""
    filename, data = selectors.roster_download(user=request.user, pk=pk)
    return attachment(data, filename, XLSX_CONTENT_TYPE)


@login_required
def objection(request, pk: int):
    """Where a notice of an objection leads its manager: its answer form at the top of the board's page."""
    objection = selectors.objection_managed(user=request.user, pk=pk)
    return redirect(
        reverse("disclosure:manage", args=[objection.notice.board_id]) + f"#objection-{objection.pk}"
    )


@login_required
@require_POST
def objection_answer(request, pk: int):
    objection = selectors.objection_managed(user=request.user, pk=pk)
    form = forms.AnswerForm(request.POST)
    with refusals_into(request):
        if not form.is_valid():
            raise DomainError(form_errors(form))
        services.objection_answer(actor=request.user, objection=objection, answer=form.cleaned_data["answer"])
        _tell_masked(request, {_("Answer"): form.cleaned_data["answer"]})
    return _back(objection.notice.board_id)
