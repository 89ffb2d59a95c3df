"""Every write to disclosure: boards and their catalogue, notices (draft, roster import, publish, correct,
correct a roster from a sheet, confirm), attachments and objections.

Staff actions require :func:`rules.can_manage_board` on the board's area; outside it (residents, other
villages) the notice does not exist for the actor (404) and nothing changes. Publishing appends version 1 of
the hash chain and tells the residents of the board's area; a correction appends a version with its reason.
An objection becomes a case at the board's village (``cases.services`` intake), and village staff hear of it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.accounts.scoping import OutOfScope
from grassroots.areas.models import Area, Grid, VillageGroup
from grassroots.cases import services as cases
from grassroots.cases.models import Case, State
from grassroots.cases.services import category_by_code
from grassroots.errors import NotPermitted
from grassroots.notifications.services import muted, notify
from grassroots.worktime.calendar import add_working_days

from . import alerts, chain, content, lifecycle, rules, selectors
from .lifecycle import DisclosureError, WrongState
from .models import (
    ROSTER_KINDS,
    Attachment,
    Board,
    CatalogueItem,
    Frequency,
    Notice,
    NoticeAction,
    NoticeKind,
    NoticeState,
    NoticeVersion,
    Objection,
    Section,
)

ALLOWANCE_WINDOW_DAYS = 7  # 低保 first-review lists: 7 working days for objections
MAX_WINDOW_DAYS = 60
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
OBJECTION_SOURCE = "disclosure"  # the case channel: an objection to a disclosure notice
OBJECTION_CATEGORIES: dict[str, str] = {
    NoticeKind.ALLOWANCE: "1102",
    NoticeKind.RELIEF: "1102",
    NoticeKind.SUBSIDY: "1104",
}
OBJECTION_FALLBACK_CATEGORY = ("11", "99")


def _require_manager(actor: User, code: str) -> None:
    """Staff actions: outside the actor's managing scope the object does not exist (404)."""
    if not rules.can_manage_board(actor, code):
        raise OutOfScope


DEFAULT_CATALOGUE = (
    (Section.PARTY, _("Party organisation work and membership dues"), Frequency.QUARTERLY),
    (Section.VILLAGE, _("Village affairs: plans, projects, subsidies and allowances"), Frequency.QUARTERLY),
    (Section.VILLAGE, _("Major matters decided by the villagers' meeting"), Frequency.AT_ONCE),
    (Section.FINANCE, _("Monthly income and expense"), Frequency.MONTHLY),
)


@transaction.atomic
def board_create(
    *,
    actor: User,
    village: Area,
    village_group: VillageGroup | None = None,
    name: str = "",
    name_style: str = "",
) -> Board:
    """A board for a village (or one of its groups), with the default catalogue of what it must publish."""
    _require_manager(actor, village.code)
    if len(village.code) != 12:
        raise DisclosureError(_("Boards belong to a village or community; choose one."), code="not_a_village")
    if village_group is not None and village_group.village_id != village.pk:
        raise DisclosureError(_("That village group belongs to another village."), code="wrong_group")
    board = Board.objects.create(
        area=village,
        village_group=village_group,
        area_code=village.code,
        name=(name or (str(village_group) if village_group else village.name))[:100],
        name_style=name_style or "middle",
    )
    since = clock.today()
    CatalogueItem.objects.bulk_create(
        CatalogueItem(board=board, section=s, title=str(t), frequency=f, since=since)
        for s, t, f in DEFAULT_CATALOGUE
    )
    return board


@transaction.atomic
def board_languages_set(*, actor: User, board: Board, bilingual: bool, name_mn: str = "") -> Board:
    """Whether the board shows Mongolian (traditional script) beside the Chinese, and its Mongolian name."""
    _require_manager(actor, board.area_code)
    board = Board.objects.select_for_update().get(pk=board.pk)
    board.bilingual = bool(bilingual)
    board.name_mn = (name_mn or "").strip()[:100]
    board.save(update_fields=["bilingual", "name_mn"])
    return board


def _content(
    *,
    notice_kind: str,
    board: Board,
    title: str,
    body: str,
    rows=None,
    statement=None,
    title_mn: str = "",
    body_mn: str = "",
) -> dict:
    title = (title or "").strip()
    if not title:
        raise content.ContentInvalid(_("Give the notice a title."), detail={"title": "missing"})
    document: dict = {"title": title[:200], "body": (body or "").strip()[:20000], "kind": notice_kind}
    # The Mongolian title and text of a bilingual board's notice: part of the hashed content like the Chinese.
    if (title_mn or "").strip():
        document["title_mn"] = title_mn.strip()[:200]
    if (body_mn or "").strip():
        document["body_mn"] = body_mn.strip()[:20000]
    if notice_kind in ROSTER_KINDS:
        document["rows"] = content.check_rows(
            notice_kind, list(rows or []), groups=selectors.group_spellings(board.area)
        )
    elif notice_kind == NoticeKind.FINANCE:
        document["statement"] = content.check_statement(statement or {})
    elif notice_kind != NoticeKind.TEXT:
        raise content.ContentInvalid(_("Unknown kind of notice."), detail={"kind": notice_kind})
    elif not document["body"]:
        raise content.ContentInvalid(_("Write the text of the notice."), detail={"body": "missing"})
    return document


def _default_window(kind: str) -> int:
    return ALLOWANCE_WINDOW_DAYS if kind in ROSTER_KINDS and kind != NoticeKind.WATER_FEE else 0


def _default_section(kind: str) -> str:
    return Section.FINANCE if kind in (NoticeKind.FINANCE, NoticeKind.WATER_FEE) else Section.VILLAGE


@transaction.atomic
def notice_create(
    *,
    actor: User,
    board: Board,
    kind: str,
    title: str,
    body: str = "",
    section: str = "",
    rows: list[dict] | None = None,
    statement: dict | None = None,
    catalogue_item: CatalogueItem | None = None,
    window_days: int | None = None,
    title_mn: str = "",
    body_mn: str = "",
) -> Notice:
    """A draft notice, its content checked (roster rows, statement totals) before anything is stored.
    ``notice.dropped_columns`` names the private columns of ``rows`` that were not kept."""
    _require_manager(actor, board.area_code)
    if kind not in NoticeKind.values:
        raise content.ContentInvalid(_("Unknown kind of notice."), detail={"kind": kind})
    section = section or _default_section(kind)
    if section not in Section.values:
        raise content.ContentInvalid(
            _("Choose party, village or finance affairs."), detail={"section": section}
        )
    if catalogue_item is not None and catalogue_item.board_id != board.pk:
        raise DisclosureError(_("That catalogue item belongs to another board."), code="wrong_item")
    days = _default_window(kind) if window_days is None else int(window_days)
    if not 0 <= days <= MAX_WINDOW_DAYS:
        raise content.ContentInvalid(
            _("The window is from 0 to %(n)s working days.") % {"n": MAX_WINDOW_DAYS},
            detail={"window_days": days},
        )
    document = _content(
        notice_kind=kind,
        board=board,
        title=title,
        body=body,
        rows=rows,
        statement=statement,
        title_mn=title_mn,
        body_mn=body_mn,
    )
    notice = Notice.objects.create(
        board=board,
        area_code=board.area_code,
        section=section,
        kind=kind,
        catalogue_item=catalogue_item,
        draft=document,
        window_days=days,
        created_by=actor,
    )
    notice.dropped_columns = content.private_columns(rows) if kind in ROSTER_KINDS else []
    return notice


@dataclass
class Imported:
    notice: Notice
    dropped_columns: list[str]


def roster_import(
    *,
    actor: User,
    board: Board,
    kind: str,
    title: str,
    file,
    body: str = "",
    window_days: int | None = None,
    title_mn: str = "",
    body_mn: str = "",
) -> Imported:
    """A draft roster from an Excel sheet; every wrong row is reported and nothing is stored. Private
    columns (ID, phone, bank account, income, health) are dropped and named in the result."""
    _require_manager(actor, board.area_code)
    if kind not in ROSTER_KINDS:
        raise content.ContentInvalid(_("Choose a roster kind."), detail={"kind": kind})
    rows, dropped = content.read_roster(file)
    notice = notice_create(
        actor=actor,
        board=board,
        kind=kind,
        title=title,
        body=body,
        rows=rows,
        window_days=window_days,
        title_mn=title_mn,
        body_mn=body_mn,
    )
    return Imported(notice=notice, dropped_columns=dropped)


@transaction.atomic
def attachment_add(*, actor: User, notice: Notice, file, name: str = "") -> Attachment:
    """Attach a file to a draft (attachments are part of the hashed content when published)."""
    _require_manager(actor, notice.area_code)
    if notice.state != NoticeState.DRAFT:
        raise WrongState(_("Attachments are added before publishing; publish a correction instead."))
    data = file.read()
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise content.ContentInvalid(_("The file is larger than 10 MB; make it smaller."))

    digest = hashlib.sha256(data).hexdigest()
    label = (name or getattr(file, "name", "") or "attachment")[:200]
    attachment = Attachment(notice=notice, name=label, sha256=digest)
    # Kept under our own name: the sender's name (``evil.html``) is only a label, and what is stored is never
    # served back from our origin as a page (grassroots/media.py).
    attachment.file.save(f"{uuid.uuid4().hex}.bin", ContentFile(data), save=False)
    attachment.save()
    return attachment


def _residents_of(board: Board) -> list:
    """Users holding the resident role on the board's area (for a group board: the grids covering it)."""
    if board.village_group_id:
        codes = list(
            Grid.objects.filter(village_groups=board.village_group_id).values_list("area__code", flat=True)
        )
        grants = RoleGrant.objects.filter(role=Role.RESIDENT, area_code__in=[*codes, board.area_code])
    else:
        grants = RoleGrant.objects.filter(role=Role.RESIDENT, area_code__startswith=board.area_code)
    return [g.user for g in grants.select_related("user")]


def _append_version(*, notice: Notice, document: dict, reason: str, actor: User) -> NoticeVersion:
    last = notice.versions.order_by("-number").first()
    number = 1 if last is None else last.number + 1
    previous = "" if last is None else last.content_hash
    at = clock.now()
    digest = chain.version_hash(
        notice_id=notice.pk,
        number=number,
        content=document,
        reason=reason,
        created_at=at,
        previous_hash=previous,
    )
    return NoticeVersion.objects.create(
        notice=notice,
        number=number,
        content=document,
        reason=reason,
        created_at=at,
        created_by=actor,
        content_hash=digest,
        previous_hash=previous,
    )


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().get(pk=notice.pk)


def _with_attachments(notice: Notice, document: dict) -> dict:
    files = list(notice.attachments.order_by("pk").values("name", "sha256"))
    return {**document, "attachments": files} if files else document


@transaction.atomic
def notice_publish(*, actor: User, notice: Notice, window_days: int | None = None) -> Notice:
    """Publish a draft: version 1 of the chain, the window from today for ``window_days`` working days
    (the working calendar of cases), and an inbox notification to the residents of the board's area."""

    _require_manager(actor, notice.area_code)
    notice = _locked(notice)
    if not lifecycle.may(notice, NoticeAction.PUBLISH):
        raise WrongState(lifecycle.REFUSED[NoticeAction.PUBLISH])
    if window_days is not None:
        if not 0 <= int(window_days) <= MAX_WINDOW_DAYS:
            raise content.ContentInvalid(
                _("The window is from 0 to %(n)s working days.") % {"n": MAX_WINDOW_DAYS},
                detail={"window_days": window_days},
            )
        notice.window_days = int(window_days)
    now = clock.now()
    today = clock.today()
    if notice.window_days:
        notice.window_starts_on = today
        notice.window_ends_on = add_working_days(now, notice.window_days).date()
    document = _with_attachments(notice, notice.draft)
    document["window"] = {
        "days": notice.window_days,
        "starts_on": notice.window_starts_on.isoformat() if notice.window_starts_on else "",
        "ends_on": notice.window_ends_on.isoformat() if notice.window_ends_on else "",
    }
    version = _append_version(notice=notice, document=document, reason="", actor=actor)
    lifecycle.move(notice, NoticeAction.PUBLISH, actor=actor, detail={"version": version.number})
    notice.published_at, notice.published_on = now, today
    notice.save(
        update_fields=[
            "state",
            "published_at",
            "published_on",
            "window_days",
            "window_starts_on",
            "window_ends_on",
        ]
    )
    title = str(notice.draft.get("title", ""))
    if notice.window_ends_on:
        body = _("Published on the board %(board)s. Objections until %(end)s.") % {
            "board": notice.board.name,
            "end": notice.window_ends_on.isoformat(),
        }
    else:
        body = _("Published on the board %(board)s.") % {"board": notice.board.name}
    notify(
        recipients=_residents_of(notice.board),
        title=str(_("New notice: %(title)s") % {"title": title}),
        body=str(body),
        target=notice,
    )
    return notice


@transaction.atomic
def notice_correct(
    *,
    actor: User,
    notice: Notice,
    reason: str,
    title: str | None = None,
    body: str | None = None,
    rows: list[dict] | None = None,
    statement: dict | None = None,
    title_mn: str | None = None,
    body_mn: str | None = None,
) -> NoticeVersion:
    """A correction: a new version with its reason; the earlier versions stay as they were.
    ``version.dropped_columns`` names the private columns of ``rows`` that were not kept."""
    _require_manager(actor, notice.area_code)
    notice = _locked(notice)
    if not lifecycle.may(notice, NoticeAction.CORRECT):
        raise WrongState(lifecycle.REFUSED[NoticeAction.CORRECT])
    reason = (reason or "").strip()
    if not reason:
        raise content.ContentInvalid(_("Say why the notice is corrected."), detail={"reason": "missing"})
    current = selectors.current_content(notice)
    document = _content(
        notice_kind=notice.kind,
        board=notice.board,
        title=current.get("title", "") if title is None else title,
        body=current.get("body", "") if body is None else body,
        rows=current.get("rows") if rows is None else rows,
        statement=current.get("statement") if statement is None else statement,
        title_mn=current.get("title_mn", "") if title_mn is None else title_mn,
        body_mn=current.get("body_mn", "") if body_mn is None else body_mn,
    )
    for key in ("attachments", "window"):
        if key in current:
            document[key] = current[key]
    if document == current:
        raise content.ContentInvalid(_("The correction changes nothing; change the text or the rows."))
    notice.draft = {k: v for k, v in document.items() if k not in ("attachments", "window")}
    notice.save(update_fields=["draft"])
    version = _append_version(notice=notice, document=document, reason=reason[:2000], actor=actor)
    lifecycle.move(notice, NoticeAction.CORRECT, actor=actor, detail={"version": version.number})
    notify(
        recipients=_residents_of(notice.board),
        title=str(_("Corrected notice: %(title)s") % {"title": document["title"]}),
        body=str(reason[:200]),
        target=notice,
    )
    version.dropped_columns = content.private_columns(rows) if notice.kind in ROSTER_KINDS else []
    return version


@dataclass
class Corrected:
    version: NoticeVersion
    dropped_columns: list[str]


def roster_correct(
    *,
    actor: User,
    notice: Notice,
    file,
    reason: str,
    title: str | None = None,
    body: str | None = None,
    title_mn: str | None = None,
    body_mn: str | None = None,
) -> Corrected:
    """A correction of a published roster from an Excel sheet: the sheet is the whole roster as it should
    read (the download of the current one, edited). Checked and stored as :func:`notice_correct` does, so a
    bad file or row stores nothing and a sheet that changes nothing is refused. Private columns are dropped
    and named in the result, as on import."""
    _require_manager(actor, notice.area_code)
    if notice.kind not in ROSTER_KINDS:
        raise content.ContentInvalid(_("This kind of notice has no roster."), detail={"kind": notice.kind})
    rows, dropped = content.read_roster(file)
    version = notice_correct(
        actor=actor,
        notice=notice,
        reason=reason,
        title=title,
        body=body,
        rows=rows,
        title_mn=title_mn,
        body_mn=body_mn,
    )
    return Corrected(version=version, dropped_columns=dropped)


def _objection_category(kind: str):

    for code in (OBJECTION_CATEGORIES.get(kind), *OBJECTION_FALLBACK_CATEGORY):
        found = category_by_code(code)
        if found is not None:
            return found
    raise DisclosureError(
        _("No service type for objections is set up; ask the administrator to load the categories."),
        code="no_category",
        status=503,
    )


@transaction.atomic
def objection_raise(*, actor: User, notice: Notice, text: str) -> Objection:
    """Anyone logged in objects during the window. The objection becomes a case at the board's village
    (channel ``disclosure``), the village staff are told, and the objection waits for its public answer."""

    if not rules.can_object(actor):
        raise OutOfScope
    notice = _locked(notice)
    if notice.state not in (NoticeState.PUBLISHED, NoticeState.CONFIRMED):
        raise OutOfScope
    if not selectors.window_open(notice):
        raise WrongState(
            _("The objection window of this notice is closed; report the matter as a case instead.")
        )
    text = (text or "").strip()
    if not text:
        raise content.ContentInvalid(_("Write what is wrong in the notice."), detail={"text": "missing"})
    if len(text) > 1000:
        raise content.ContentInvalid(_("Write at most 1000 characters."), detail={"text": "long"})
    title = notice.draft.get("title", "")
    case = cases.case_open_for_objection(
        actor=actor,
        category=_objection_category(notice.kind),
        description=str(_("Objection to the notice “%(title)s”: %(text)s") % {"title": title, "text": text}),
        area_code=notice.area_code,
        address=str(notice.board.name),
    )
    objection = Objection.objects.create(
        notice=notice,
        area_code=notice.area_code,
        raised_by=actor,
        text=text,
        case=case,
        raised_at=clock.now(),
    )
    alerts.tell(objection, alerts.RAISED, actor)
    return objection


@transaction.atomic
def objection_answer(*, actor: User, objection: Objection, answer: str) -> Objection:
    """Village staff answer an objection; the answer is published beside the notice and handles its case.

    The objection's case goes through the case workflow to handled, with the answer as the handling note, in
    the same transaction (see :func:`_conclude_case`); someone else verifies and closes it, since verification
    is independent of handling. A case already handled, closed or cancelled is left as it is. The objector is
    told once, of the answer, with a link to the notice (not of each step of the case).
    """
    _require_manager(actor, objection.area_code)
    if not rules.can_answer_objection(actor, objection.area_code):
        raise NotPermitted(
            _("Village, township or county staff answer objections; an administrator manages the board."),
            code="objection_answer_staff_only",
        )
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    answer = (answer or "").strip()
    if not answer:
        raise content.ContentInvalid(_("Write the answer."), detail={"answer": "missing"})
    objection.answer = answer[:4000]
    objection.answered_at = clock.now()
    objection.answered_by = actor
    objection.save(update_fields=["answer", "answered_at", "answered_by"])
    # The case's own notices would tell the objector of each of its steps (accepted, dispatched, handled,
    # closed) at the same moment; they hear once, of the answer, where it is published.
    with muted(objection.raised_by):
        _conclude_case(actor=actor, case_id=objection.case_id, answer=objection.answer)
    alerts.tell(
        objection, alerts.ANSWERED, actor
    )  # what they raised: by SMS for residents registered by phone
    return objection


def _conclude_case(*, actor: User, case_id: int | None, answer: str) -> bool:
    """Take the objection's case from wherever it stands to handled through the case services (the one
    transition table): accept, dispatch to the answering staff member, handle with the answer as the note.
    A shelved case is taken off the shelf first. The answering staff member handled it, so another verifies
    it (the workflow refuses them: verification is independent of handling). Returns whether the case moved.

    Each step is checked by the table at the case's level: staff who may answer the objection but may not
    act on its case there (it went up to the township, or an administrator answers) are refused, and the
    answer with them.
    """

    if case_id is None:
        return False
    case = Case.objects.get(pk=case_id)
    if case.state in (State.HANDLED, State.CLOSED, State.CANCELLED):
        return False
    try:
        if case.state == State.SHELVED:
            case = cases.case_unshelve(actor=actor, case=case, expected_version=case.version)
        if case.state == State.REPORTED:
            case = cases.case_accept(actor=actor, case=case, expected_version=case.version)
        if case.state == State.ACCEPTED:
            case = cases.case_dispatch(actor=actor, case=case, expected_version=case.version, to_user=actor)
        if case.state == State.DISPATCHED:
            case = cases.case_handle(
                actor=actor, case=case, expected_version=case.version, note=answer[: cases.MAX_DESCRIPTION]
            )
    except (NotPermitted, OutOfScope) as exc:
        raise NotPermitted(
            _(
                "The report made from this objection (%(reference)s) is at the %(level)s level, where you "
                "may not handle it; staff there answer the objection."
            )
            % {"reference": case.reference, "level": case.get_level_display()},
            code="objection_case_out_of_reach",
        ) from exc
    return True


@transaction.atomic
def notice_confirm(*, actor: User, notice: Notice, long_term: bool = True) -> Notice:
    """After the window, with every objection answered: the notice stands (and stays on display)."""
    _require_manager(actor, notice.area_code)
    notice = _locked(notice)
    if not lifecycle.may(notice, NoticeAction.CONFIRM):
        raise WrongState(lifecycle.REFUSED[NoticeAction.CONFIRM])
    if notice.window_ends_on and clock.today() <= notice.window_ends_on:
        raise WrongState(
            _("The objection window runs until %(end)s; confirm after it.") % {"end": notice.window_ends_on}
        )
    if notice.objections.filter(answered_at__isnull=True).exists():
        raise WrongState(_("Answer every objection before confirming."))
    lifecycle.move(notice, NoticeAction.CONFIRM, actor=actor, detail={"long_term": bool(long_term)})
    notice.confirmed_at = clock.now()
    notice.long_term = bool(long_term)
    notice.save(update_fields=["state", "confirmed_at", "long_term"])
    return notice


@transaction.atomic
def notice_withdraw(*, actor: User, notice: Notice) -> Notice:
    """Take a notice down from the board (a draft is deleted; a published one keeps its versions)."""
    _require_manager(actor, notice.area_code)
    notice = _locked(notice)
    if notice.state == NoticeState.DRAFT:
        notice.attachments.all().delete()
        notice.delete()
        return notice
    lifecycle.move(notice, NoticeAction.WITHDRAW, actor=actor)
    notice.long_term = False
    notice.save(update_fields=["state", "long_term"])
    return notice
