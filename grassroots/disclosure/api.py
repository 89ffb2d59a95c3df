"""JSON API for disclosure (mounted at /api/v1/disclosure): boards, notices (text, roster, water fee, finance
statement), Excel import, publish, correct (as JSON, or a roster from an Excel sheet, with the current roster
to download as one), objections and answers, confirm, the chain check, the chat text and loudspeaker script,
and the catalogue's due / overdue items.

Public reads (a board's notices, a notice, its texts and chain check) need no login and show roster rows
only through the public masking rule, as the pages do. Staff operations use the same services and
permissions as the pages: outside the actor's scope the object is not found (404).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from grassroots.accounts.api_auth import public_auth
from grassroots.downloads import attachment
from grassroots.masking import MaskedText, number_warnings
from grassroots.sheets import XLSX_CONTENT_TYPE

from . import display, selectors, services

router = Router(tags=["disclosure"])


PUBLIC = public_auth()


class BoardOut(Schema):
    id: int
    name: str
    area_code: str
    village_group: str | None
    name_style: str
    public_url: str
    bilingual: bool = Field(description="Mongolian (traditional script) shown beside the Chinese")
    name_mn: str = Field(description="the board's name in Mongolian (traditional script)")


class BoardIn(Schema):
    village_code: str
    village_group: int | None = None
    name: str = ""
    name_style: str = ""


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    reason: MaskedText
    content_hash: str
    previous_hash: str
    changed: list[str]
    warnings: list[str] = Field([], description="after a correction: each text with a phone or ID number")


class CorrectionOut(VersionOut):
    dropped_columns: list[str] = Field(
        description="private columns (ID, phone, bank, income, health) not kept"
    )


class ObjectionOut(Schema):
    id: int
    raised_at: dt.datetime
    text: MaskedText
    answer: MaskedText
    answered_at: dt.datetime | None
    warnings: list[str] = Field([], description="to its writer: a phone or ID number found, shown masked")


class NoticePublicOut(Schema):
    id: int
    board: int
    section: str
    kind: str
    state: str
    title: MaskedText
    body: MaskedText
    title_mn: MaskedText = Field(description="the Mongolian title of a bilingual board's notice, or empty")
    body_mn: MaskedText = Field(description="the Mongolian text of a bilingual board's notice, or empty")
    rows: list[dict]
    statement: dict | None
    attachments: list[dict]
    published_on: dt.date | None
    window_starts_on: dt.date | None
    window_ends_on: dt.date | None
    window_open: bool
    long_term: bool
    chain_ok: bool
    versions: list[VersionOut]
    objections: list[ObjectionOut]
    url: str


class NoticeStaffOut(Schema):
    id: int
    board: int
    section: str
    kind: str
    state: str
    draft: dict
    window_days: int
    window_starts_on: dt.date | None
    window_ends_on: dt.date | None
    dropped_columns: list[str] = []
    warnings: list[str] = Field(
        [], description="each text of the notice with a phone or ID number: shown masked once published"
    )


class NoticeIn(Schema):
    kind: str
    title: str
    body: str = ""
    section: str = ""
    rows: list[dict] | None = None
    statement: dict | None = None
    catalogue_item: int | None = None
    window_days: int | None = None


class PublishIn(Schema):
    window_days: int | None = None


class CorrectionIn(Schema):
    reason: str
    title: str | None = None
    body: str | None = None
    rows: list[dict] | None = None
    statement: dict | None = None


class ObjectionIn(Schema):
    text: str


class AnswerIn(Schema):
    answer: str


class ConfirmIn(Schema):
    long_term: bool = True


class TextOut(Schema):
    text: MaskedText


class ChainOut(Schema):
    ok: bool
    checked: int
    problems: list[str]


class DueOut(Schema):
    board: int
    board_name: str
    area_code: str
    item: MaskedText
    section: str
    frequency: str
    status: str
    due_on: dt.date | None


def _board_out(request, board) -> dict:
    return {
        "id": board.pk,
        "name": board.name,
        "area_code": board.area_code,
        "village_group": board.village_group.name if board.village_group_id else None,
        "name_style": board.name_style,
        "public_url": request.build_absolute_uri(reverse("disclosure:board", args=[board.pk])),
        "bilingual": board.bilingual,
        "name_mn": board.name_mn,
    }


def _url(request, notice) -> str:
    return request.build_absolute_uri(reverse("disclosure:notice", args=[notice.pk]))


def _public(request, notice) -> dict:
    versions = list(notice.versions.all())
    latest = versions[-1].content
    board = notice.board
    out_versions, previous = [], None
    for v in versions:
        out_versions.append(
            {
                "number": v.number,
                "created_at": v.created_at,
                "reason": v.reason,
                "content_hash": v.content_hash,
                "previous_hash": v.previous_hash,
                "changed": selectors.changes_between(previous.content, v.content) if previous else [],
            }
        )
        previous = v
    return {
        "id": notice.pk,
        "board": board.pk,
        "section": notice.section,
        "kind": notice.kind,
        "state": notice.state,
        "title": latest.get("title", ""),
        "body": latest.get("body", ""),
        "title_mn": latest.get("title_mn", ""),
        "body_mn": latest.get("body_mn", ""),
        "rows": display.public_rows(latest, name_style=board.name_style),
        "statement": display.public_statement(latest),
        "attachments": latest.get("attachments", []),
        "published_on": notice.published_on,
        "window_starts_on": notice.window_starts_on,
        "window_ends_on": notice.window_ends_on,
        "window_open": selectors.window_open(notice),
        "long_term": notice.long_term,
        "chain_ok": selectors.verify_notice(notice).ok,
        "versions": out_versions,
        "objections": [
            {
                "id": o.pk,
                "raised_at": o.raised_at,
                "text": o.text,
                "answer": o.answer,
                "answered_at": o.answered_at,
            }
            for o in notice.objections.all()
        ],
        "url": _url(request, notice),
    }


def _staff(notice, dropped=()) -> dict:
    return {
        "id": notice.pk,
        "board": notice.board_id,
        "section": notice.section,
        "kind": notice.kind,
        "state": notice.state,
        "draft": notice.draft,
        "window_days": notice.window_days,
        "window_starts_on": notice.window_starts_on,
        "window_ends_on": notice.window_ends_on,
        "dropped_columns": list(dropped),
        "warnings": display.masking_warnings(notice.draft) if notice.draft else [],
    }


# --- public ------------------------------------------------------------------------------------------------------


@router.get("/boards/{board_id}/notices", response=list[NoticePublicOut], auth=PUBLIC)
def board_notices(request, board_id: int):
    """The published notices of a board, as its public page shows them."""
    board = selectors.board_public(pk=board_id)
    out = []
    for n in selectors.public_notices(board=board).prefetch_related("objections"):
        n.board = board
        out.append(_public(request, n))
    return out


@router.get("/notices/{notice_id}", response=NoticePublicOut, auth=PUBLIC)
def notice_get(request, notice_id: int):
    return _public(request, selectors.notice_public(pk=notice_id))


@router.get("/notices/{notice_id}/chat-text", response=TextOut, auth=PUBLIC)
def notice_chat_text(request, notice_id: int, language: str | None = None):
    """The chat text, in ``language`` (``zh-hans``, ``en``, ``mn-mong``) or else the reader's."""
    notice = selectors.notice_public(pk=notice_id)
    latest = list(notice.versions.all())[-1].content
    b = notice.board
    language = display.text_language(language)
    text = display.chat_text(
        latest,
        kind=notice.kind,
        board_name=display.board_name(b, language),
        name_style=b.name_style,
        url=_url(request, notice),
        language=language,
    )
    return {"text": text}


@router.get("/notices/{notice_id}/loudspeaker", response=TextOut, auth=PUBLIC)
def notice_loudspeaker(request, notice_id: int, language: str | None = None):
    """The loudspeaker script, in ``language`` (``zh-hans``, ``en``, ``mn-mong``) or else the reader's."""
    notice = selectors.notice_public(pk=notice_id)
    latest = list(notice.versions.all())[-1].content
    b = notice.board
    language = display.text_language(language)
    return {
        "text": display.loudspeaker_script(
            latest,
            kind=notice.kind,
            board_name=display.board_name(b, language),
            name_style=b.name_style,
            language=language,
        )
    }


@router.get("/notices/{notice_id}/verify", response=ChainOut, auth=PUBLIC)
def notice_verify(request, notice_id: int):
    report = selectors.verify_notice(selectors.notice_public(pk=notice_id))
    return {"ok": report.ok, "checked": report.checked, "problems": report.problems}


@router.post("/notices/{notice_id}/objections", response={201: ObjectionOut})
def objection_raise(request, notice_id: int, payload: ObjectionIn):
    """Raise an objection during the window (logged in); it becomes a case at the village."""
    o = services.objection_raise(
        actor=request.user, notice=selectors.notice_public(pk=notice_id), text=payload.text
    )
    warnings = number_warnings({"text": payload.text})
    return Status(
        201,
        {
            "id": o.pk,
            "raised_at": o.raised_at,
            "text": o.text,
            "answer": o.answer,
            "answered_at": None,
            "warnings": warnings,
        },
    )


# --- staff -------------------------------------------------------------------------------------------------------


@router.get("/boards", response=list[BoardOut])
def boards(request):
    return [_board_out(request, b) for b in selectors.boards_for(user=request.user)[:500]]


@router.post("/boards", response={201: BoardOut})
def board_create(request, payload: BoardIn):
    village, group = selectors.board_place_for(
        user=request.user, village_code=payload.village_code, group_number=payload.village_group
    )
    board = services.board_create(
        actor=request.user,
        village=village,
        village_group=group,
        name=payload.name,
        name_style=payload.name_style,
    )
    return Status(201, _board_out(request, board))


@router.get("/catalogue", response=list[DueOut])
def catalogue(request, only_due: bool = True):
    """Catalogue items in the user's oversight with their status (overdue first)."""
    rows = selectors.catalogue_status_for(user=request.user)
    return [
        {
            "board": r["board"].pk,
            "board_name": r["board"].name,
            "area_code": r["board"].area_code,
            "item": r["item"].title,
            "section": r["item"].section,
            "frequency": r["item"].frequency,
            "status": r["status"],
            "due_on": r["due_on"],
        }
        for r in rows
        if not only_due or r["status"] in ("due", "overdue")
    ]


@router.post("/boards/{board_id}/notices", response={201: NoticeStaffOut})
def notice_create(request, board_id: int, payload: NoticeIn):
    board = selectors.board_managed(user=request.user, pk=board_id)
    item = selectors.catalogue_item_of(board=board, value=payload.catalogue_item)
    notice = services.notice_create(
        actor=request.user,
        board=board,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        section=payload.section,
        rows=payload.rows,
        statement=payload.statement,
        catalogue_item=item,
        window_days=payload.window_days,
    )
    return Status(201, _staff(notice, notice.dropped_columns))


@router.post("/boards/{board_id}/rosters", response={201: NoticeStaffOut})
def roster_import(
    request,
    board_id: int,
    kind: Form[str],
    title: Form[str],
    file: File[UploadedFile],
    body: Form[str] = "",
    window_days: Form[int | None] = None,
):
    """Import a roster from an Excel sheet (multipart); private columns are dropped and listed."""
    board = selectors.board_managed(user=request.user, pk=board_id)
    imported = services.roster_import(
        actor=request.user, board=board, kind=kind, title=title, body=body, file=file, window_days=window_days
    )
    return Status(201, _staff(imported.notice, imported.dropped_columns))


@router.get("/notices/{notice_id}/draft", response=NoticeStaffOut)
def notice_draft(request, notice_id: int):
    return _staff(selectors.notice_managed(user=request.user, pk=notice_id))


@router.post("/notices/{notice_id}/publish", response=NoticeStaffOut)
def notice_publish(request, notice_id: int, payload: PublishIn):
    notice = selectors.notice_managed(user=request.user, pk=notice_id)
    return _staff(services.notice_publish(actor=request.user, notice=notice, window_days=payload.window_days))


def _correction(notice, v) -> dict:
    previous = notice.versions.get(number=v.number - 1)
    return {
        "number": v.number,
        "created_at": v.created_at,
        "reason": v.reason,
        "content_hash": v.content_hash,
        "previous_hash": v.previous_hash,
        "changed": selectors.changes_between(previous.content, v.content),
        "warnings": display.masking_warnings({**v.content, "reason": v.reason}),
    }


@router.post("/notices/{notice_id}/corrections", response={201: CorrectionOut})
def notice_correct(request, notice_id: int, payload: CorrectionIn):
    notice = selectors.notice_managed(user=request.user, pk=notice_id)
    v = services.notice_correct(
        actor=request.user,
        notice=notice,
        reason=payload.reason,
        title=payload.title,
        body=payload.body,
        rows=payload.rows,
        statement=payload.statement,
    )
    return Status(201, {**_correction(notice, v), "dropped_columns": v.dropped_columns})


@router.post(
    "/notices/{notice_id}/corrections/sheet",
    response={201: CorrectionOut},
    summary="Correct a published roster from an Excel sheet",
)
def roster_correct(request, notice_id: int, file: File[UploadedFile], reason: Form[str]):
    """multipart/form-data with `file` (.xlsx: the whole roster as it should read, e.g. the download of
    `roster.xlsx`, edited) and `reason`. 201 with the new version and the private columns dropped; 422 naming
    the first wrong row and column (every one in `detail.rows`) with nothing stored."""
    notice = selectors.notice_managed(user=request.user, pk=notice_id)
    corrected = services.roster_correct(actor=request.user, notice=notice, file=file, reason=reason)
    return Status(
        201,
        {**_correction(notice, corrected.version), "dropped_columns": corrected.dropped_columns},
    )


@router.get(
    "/notices/{notice_id}/roster.xlsx",
    response={200: None},
    summary="The current roster of a notice as an Excel sheet",
)
def roster_download(request, notice_id: int):
    """The roster with Chinese headers, as staff type it; edited and sent to `corrections/sheet` it becomes
    a correction. 404 for a notice without a roster."""
    filename, data = selectors.roster_download(user=request.user, pk=notice_id)
    return attachment(data, filename, XLSX_CONTENT_TYPE)


@router.post("/objections/{objection_id}/answer", response=ObjectionOut)
def objection_answer(request, objection_id: int, payload: AnswerIn):
    objection = selectors.objection_managed(user=request.user, pk=objection_id)
    o = services.objection_answer(actor=request.user, objection=objection, answer=payload.answer)
    return {
        "id": o.pk,
        "raised_at": o.raised_at,
        "text": o.text,
        "answer": o.answer,
        "answered_at": o.answered_at,
        "warnings": number_warnings({"answer": payload.answer}),
    }


@router.post("/notices/{notice_id}/confirm", response=NoticeStaffOut)
def notice_confirm(request, notice_id: int, payload: ConfirmIn):
    notice = selectors.notice_managed(user=request.user, pk=notice_id)
    return _staff(services.notice_confirm(actor=request.user, notice=notice, long_term=payload.long_term))
