"""Every read of disclosure: the public board and notice (published only, no login), the staff desk (scoped),
and the catalogue with due / overdue items rolled up by area."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Max, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope, get_in_scope_or_404, resolve_among, scoped
from grassroots.areas.models import Area, VillageGroup

from . import catalogue, chain, content, rules
from .lifecycle import DisclosureError
from .models import Board, CatalogueItem, Notice, NoticeEvent, NoticeState, NoticeVersion, Objection

PUBLIC_STATES = (NoticeState.PUBLISHED, NoticeState.CONFIRMED)


def boards_for(*, user):
    return scoped(Board.objects.select_related("area", "village_group"), user, roles=rules.OVERSIGHT_ROLES)


def board_managed(*, user, pk) -> Board:
    return get_in_scope_or_404(
        Board.objects.select_related("area", "village_group"), user, roles=rules.MANAGER_ROLES, pk=pk
    )


def notice_managed(*, user, pk) -> Notice:
    return get_in_scope_or_404(
        Notice.objects.select_related("board__area", "board__village_group"),
        user,
        roles=rules.MANAGER_ROLES,
        pk=pk,
    )


def current_content(notice: Notice) -> dict:
    """What the notice says now: its latest version once published (what a correction starts from), else
    its draft."""
    version = notice.versions.order_by("-number").first()
    return version.content if version is not None else notice.draft


def roster_download(*, user, pk) -> tuple[str, bytes]:
    """The current roster of a notice the user manages, as a file name and an .xlsx that reads back as the
    same roster (``content.roster_workbook``). Outside the user's scope, or for a notice without a roster,
    there is nothing (404)."""
    notice = notice_managed(user=user, pk=pk)
    if not notice.is_roster:
        raise OutOfScope
    document = current_content(notice)
    title = "".join(
        ch for ch in str(document.get("title", ""))[:60] if ch.isprintable() and ch not in '\\/:*?"<>|'
    )
    filename = f"{notice.pk}-{title}.xlsx" if title else f"{notice.pk}.xlsx"
    return filename, content.roster_workbook(notice.kind, document.get("rows") or [])


def objection_managed(*, user, pk) -> Objection:
    return get_in_scope_or_404(
        Objection.objects.select_related("notice__board"), user, roles=rules.MANAGER_ROLES, pk=pk
    )


def notices_of_board(*, board: Board):
    return board.notices.order_by("-pk").prefetch_related("objections")


def board_public(*, pk) -> Board:

    board = Board.objects.select_related("area", "village_group").filter(pk=pk).first()
    if board is None:
        raise Http404
    return board


def public_notices(*, board: Board):
    """Published and confirmed notices of a board, newest first, each with its versions (one query each)."""
    return (
        Notice.objects.filter(board=board, state__in=PUBLIC_STATES)
        .order_by("-published_at", "-pk")
        .prefetch_related(Prefetch("versions", queryset=NoticeVersion.objects.order_by("number")))
    )


def notice_public(*, pk) -> Notice:

    notice = (
        Notice.objects.select_related("board__area", "board__village_group")
        .filter(pk=pk, state__in=PUBLIC_STATES)
        .prefetch_related(
            Prefetch("versions", queryset=NoticeVersion.objects.order_by("number")),
            Prefetch("objections", queryset=Objection.objects.order_by("raised_at", "pk")),
            "attachments",
        )
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def latest_version(notice: Notice) -> NoticeVersion | None:
    versions = list(notice.versions.all())
    return versions[-1] if versions else None


def verify_notice(notice: Notice) -> chain.ChainReport:
    # ``versions.all()`` is in number order (Meta.ordering) and uses a prefetch when there is one.
    return chain.verify(notice.pk, list(notice.versions.all()))


def window_open(notice: Notice, *, today=None) -> bool:
    today = today or clock.today()
    return bool(
        notice.state == NoticeState.PUBLISHED
        and notice.window_ends_on
        and notice.window_starts_on <= today <= notice.window_ends_on
    )


def group_spellings(village: Area) -> dict[str, str]:
    """Every accepted spelling of the village's groups (name, number, '3组') → the group's name."""
    spellings: dict[str, str] = {}
    for group in VillageGroup.objects.filter(village=village):
        for key in (group.name, str(group.number), f"{group.number}组", f"第{group.number}组"):
            spellings[key] = group.name
    return spellings


def changes_between(old: dict, new: dict) -> list[str]:
    """What changed from one version's content to the next, in field names and row numbers (for the page)."""
    changed: list[str] = []
    for key in ("title", "body"):
        if old.get(key) != new.get(key):
            changed.append(key)
    old_rows, new_rows = old.get("rows") or [], new.get("rows") or []
    for index in range(max(len(old_rows), len(new_rows))):
        a = old_rows[index] if index < len(old_rows) else None
        b = new_rows[index] if index < len(new_rows) else None
        if a != b:
            changed.append(f"row {index + 1}")
    if old.get("statement") != new.get("statement"):
        changed.append("statement")
    if old.get("attachments") != new.get("attachments"):
        changed.append("attachments")
    return changed


def describe_changes(changed: list[str]) -> list[str]:
    """:func:`changes_between`'s tokens in words for the page ("row 3" → 第3行)."""
    words = {
        "title": pgettext("notice", "title"),
        "body": pgettext("notice", "text"),
        "statement": _("statement"),
        "attachments": _("attachments"),
    }
    out = []
    for token in changed:
        if token.startswith("row ") and token[4:].isdigit():
            out.append(_("row %(n)s") % {"n": token[4:]})
        else:
            out.append(str(words.get(token, token)))
    return out


def catalogue_status_for(*, user, today=None) -> list[dict]:
    """Every catalogue item the user oversees with its status, worst first: dicts of item, board, status,
    due_on. Two queries whatever the number of items."""
    today = today or clock.today()
    items = (
        scoped(
            CatalogueItem.objects.select_related("board"),
            user,
            field="board__area_code",
            roles=rules.OVERSIGHT_ROLES,
        )
        .annotate(last_published_on=Max("notices__published_on", filter=Q(notices__state__in=PUBLIC_STATES)))
        .order_by("board__area_code", "board_id", "pk")
    )
    order = {
        catalogue.Status.OVERDUE: 0,
        catalogue.Status.DUE: 1,
        catalogue.Status.OK: 2,
        catalogue.Status.ON_EVENT: 3,
    }
    rows = []
    for item in items:
        due = catalogue.due_status(
            frequency=item.frequency, since=item.since, last_published_on=item.last_published_on, today=today
        )
        rows.append({"item": item, "board": item.board, "status": due.status, "due_on": due.due_on})
    rows.sort(key=lambda r: (order[r["status"]], r["board"].area_code, r["item"].pk))
    return rows


def catalogue_rollup(rows: list[dict], *, level_digits: int = 12) -> list[dict]:
    """Counts of due and overdue items per area (village by default; 9 for townships)."""
    counts: dict[str, dict] = defaultdict(lambda: {"due": 0, "overdue": 0})
    for row in rows:
        code = row["board"].area_code[:level_digits]
        if row["status"] in (catalogue.Status.DUE, catalogue.Status.OVERDUE):
            counts[code][row["status"]] += 1
    names = dict(Area.objects.filter(code__in=list(counts)).values_list("code", "name"))
    return [{"code": c, "name": names.get(c, c), **v} for c, v in sorted(counts.items())]


def catalogue_item_of(*, board: Board, value, field: str = "catalogue_item") -> CatalogueItem | None:
    """The catalogue item a notice is filed under: one of its board's (the board was looked up in the
    actor's scope), else :class:`~grassroots.accounts.scoping.UnknownReference`; None when none is named."""
    if value in (None, ""):
        return None
    return resolve_among(
        CatalogueItem.objects.filter(board=board), value, field=field, what=gettext_lazy("catalogue item")
    )


def notice_steps(notice: Notice) -> list[NoticeEvent]:
    """The notice's life, oldest first: published, corrected, confirmed, withdrawn — when, and by whom."""
    return list(notice.events.order_by("at", "pk"))


def board_place_for(*, user, village_code: str, group_number: int | None):
    """The village (and village group, when a number is given) a new board is for: a village the user manages,
    else 404; a group number that village does not have is refused (400, ``wrong_group``)."""
    village = Area.objects.filter(code=(village_code or "").strip()).first()
    if village is None or not rules.can_manage_board(user, village.code):
        raise OutOfScope
    group = None
    if group_number is not None:
        group = VillageGroup.objects.filter(village=village, number=group_number).first()
        if group is None:
            raise DisclosureError(_("Unknown village group; give its number."), code="wrong_group")
    return village, group


def open_objections_of(*, board) -> list[Objection]:
    """The board's objections still waiting for their public answer, oldest first (the manage page shows them
    above the notices, so that each is one tap from the home page whatever page its notice is on)."""
    return list(
        Objection.objects.filter(notice__board=board, answered_at__isnull=True)
        .select_related("notice")
        .order_by("raised_at", "pk")
    )


def objections_waiting_for(*, user, limit: int = 50) -> list[Objection]:
    """Objections on the boards the user manages and answers for that still wait for their public answer,
    oldest first (an administrator manages boards but staff answer: ``rules.ANSWER_ROLES``)."""
    rows = scoped(
        Objection.objects.filter(answered_at__isnull=True).select_related("notice__board"),
        user,
        roles=rules.ANSWER_ROLES,
    )
    return list(rows.order_by("raised_at", "pk")[:limit])
