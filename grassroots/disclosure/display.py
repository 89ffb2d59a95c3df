"""What a notice looks like on each public channel: the rows shown on the page, on print and in the API,
the plain-text message for the group chat and the loudspeaker (大喇叭) script.

Every public rendering takes its roster rows from :func:`public_rows`, which applies the one masking rule
(``grassroots.masking.public_roster_row``) with the board's name style; nothing else here reads a row. The
texts made here (chat, loudspeaker) and the statement (:func:`public_statement`) pass the title, the text and
the statement's items through the free-text masker, as templates do with ``|masked``.

A bilingual board (``Board.bilingual``) shows Mongolian in the traditional script beside the Chinese: each side is
the same content in its language (:func:`in_language`: the Mongolian title and text where the writer gave them,
the fixed words and column names from the catalogues), masked by the same functions with the same name style, so
that no number or name is shown in one language that the other hides. The chat text and the loudspeaker script
are made in the language asked for (:func:`text_language`).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from grassroots.masking import mask_numbers_in_text, number_warnings, public_roster_row

from .models import NoticeKind

COLUMNS = {
    NoticeKind.SUBSIDY: ("name", "village_group", "household_size", "amount", "period", "starts_on"),
    NoticeKind.RELIEF: ("name", "village_group", "household_size", "amount", "reason", "starts_on"),
    NoticeKind.ALLOWANCE: (
        "name", "village_group", "household_size", "change", "previous_amount", "amount", "reason", "starts_on",
    ),
    NoticeKind.WATER_FEE: ("name", "village_group", "due", "paid", "unpaid"),
}  # fmt: skip


def column_labels() -> dict[str, str]:
    return {
        "name": pgettext("person", "Name"),
        "village_group": _("Village group"),
        "household_size": _("Household size"),
        "amount": _("Amount (yuan)"),
        "previous_amount": _("Before (yuan)"),
        "change": pgettext("roster", "Change"),
        "reason": _("Reason"),
        "period": pgettext("roster", "Period"),
        "starts_on": _("From"),
        "due": _("Due (yuan)"),
        "paid": _("Paid (yuan)"),
        "unpaid": _("Unpaid (yuan)"),
    }


def change_labels() -> dict[str, str]:
    return {"added": _("added"), "removed": _("removed"), "changed": _("amount changed")}


def public_rows(content: dict, *, name_style: str) -> list[dict]:
    changes = change_labels()
    rows = []
    for row in content.get("rows") or []:
        shown = public_roster_row(row, name_style=name_style)
        if "change" in shown:
            shown["change"] = changes.get(shown["change"], shown["change"])
        rows.append(shown)
    return rows


def public_statement(content: dict) -> dict | None:
    """A finance statement as the public sees it: the items' free text masked, the figures as they are."""
    statement = content.get("statement")
    if not statement:
        return None
    lines = [
        {**line, "item": mask_numbers_in_text(line.get("item"))} for line in statement.get("lines") or []
    ]
    return {**statement, "period": mask_numbers_in_text(statement.get("period")), "lines": lines}


def masking_warnings(content: dict) -> list[str]:
    """What the writer of a draft or correction is told before it is published: each of its texts (title, text,
    reason, a roster's reasons and periods, a statement's items) in which a phone or ID number was found."""
    labels = column_labels()
    texts = {
        _("Title"): content.get("title"),
        _("Text"): content.get("body"),
        _("Title in Mongolian"): content.get("title_mn"),
        _("Text in Mongolian"): content.get("body_mn"),
        _("Reason"): content.get("reason"),
    }
    for line, row in enumerate(content.get("rows") or [], start=2):  # as in the sheet, under its header
        for key in ("reason", "period"):
            if row.get(key):
                texts[_("row %(row)s, %(column)s") % {"row": line, "column": labels[key]}] = row[key]
    for line in (content.get("statement") or {}).get("lines") or []:
        texts[_("line %(no)s") % {"no": line.get("no", "")}] = line.get("item")
    return number_warnings(texts)


def public_table(content: dict, *, kind: str, name_style: str) -> tuple[list[str], list[list]]:
    """(column labels, cells) of a roster for the page and the print sheet."""
    columns = COLUMNS.get(kind, ())
    labels = column_labels()
    rows = public_rows(content, name_style=name_style)
    used = [c for c in columns if any(c in r for r in rows)]
    return [labels[c] for c in used], [[r.get(c, "") for c in used] for r in rows]


def _window_line(content: dict) -> str:
    window = content.get("window") or {}
    if window.get("ends_on"):
        return _("Objections may be raised until %(end)s.") % {"end": window["ends_on"]}
    return ""


def chat_text(
    content: dict, *, kind: str, board_name: str, name_style: str, url: str, language: str | None = None
) -> str:
    """A plain-text message ready to paste into the village group chat, with the link; in ``language`` when
    given (the Mongolian title and text of a bilingual notice, the fixed words translated)."""
    if language:
        with translation.override(language):
            return chat_text(
                in_language(content, language),
                kind=kind,
                board_name=board_name,
                name_style=name_style,
                url=url,
            )
    lines = [f"【{board_name}】{mask_numbers_in_text(content.get('title', ''))}"]
    if content.get("body"):
        lines.append(mask_numbers_in_text(content["body"])[:300])
    rows = public_rows(content, name_style=name_style)
    if rows:
        labels = column_labels()
        for row in rows[:30]:
            lines.append(" ".join(f"{labels[k]}:{v}" for k, v in row.items()))
        if len(rows) > 30:
            lines.append(_("… and %(n)s more rows on the page.") % {"n": len(rows) - 30})
    statement = content.get("statement")
    if statement:
        lines.append(
            _("Income %(income)s yuan, expense %(expense)s yuan, balance %(balance)s yuan.")
            % {
                "income": statement["income_total"],
                "expense": statement["expense_total"],
                "balance": statement["closing_balance"],
            }
        )
    window = _window_line(content)
    if window:
        lines.append(window)
    lines.append(_("Full notice: %(url)s") % {"url": url})
    return "\n".join(lines)


def loudspeaker_script(
    content: dict, *, kind: str, board_name: str, name_style: str, language: str | None = None
) -> str:
    """A short script to read over the loudspeaker: what, how many, where to look, until when; in ``language``
    when given, like :func:`chat_text`."""
    if language:
        with translation.override(language):
            return loudspeaker_script(
                in_language(content, language), kind=kind, board_name=board_name, name_style=name_style
            )
    title = mask_numbers_in_text(content.get("title", ""))
    parts = [
        _("Attention, villagers. %(board)s announces: %(title)s.") % {"board": board_name, "title": title}
    ]
    rows = public_rows(content, name_style=name_style)
    if rows:
        names = "、".join(r["name"] for r in rows[:10] if r.get("name"))
        parts.append(
            _("%(n)s households are listed, among them %(names)s.") % {"n": len(rows), "names": names}
        )
    statement = content.get("statement")
    if statement:
        parts.append(
            _("This period the village took in %(income)s yuan and spent %(expense)s yuan.")
            % {"income": statement["income_total"], "expense": statement["expense_total"]}
        )
    parts.append(_("The full notice is on the village notice board and in the group chat."))
    window = _window_line(content)
    if window:
        parts.append(window + " " + _("Tell the village committee if anything is wrong."))
    parts.append(_("I repeat: %(title)s.") % {"title": title})
    return " ".join(str(p) for p in parts)


MONGOLIAN = "mn-mong"
CHINESE = "zh-hans"


def in_language(content: dict, language: str) -> dict:
    """The content as readers of ``language`` see it: in Mongolian the writer's Mongolian title and text where
    given (else the Chinese), the rows, statement and attachments unchanged."""
    if not language.lower().startswith("mn"):
        return content
    return {
        **content,
        "title": content.get("title_mn") or content.get("title", ""),
        "body": content.get("body_mn") or content.get("body", ""),
    }


def bilingual_sides(content: dict, *, kind: str, name_style: str) -> list[dict]:
    """The Mongolian side, then the Chinese (Mongolian columns stand first, on the left, in Inner Mongolia's
    bilingual notices): each with its language code, its content and its roster table in that language."""
    sides = []
    for language in (MONGOLIAN, CHINESE):
        with translation.override(language):
            side_content = in_language(content, language)
            headers, cells = public_table(side_content, kind=kind, name_style=name_style)
        sides.append({"language": language, "content": side_content, "headers": headers, "cells": cells})
    return sides


def board_name(board, language: str) -> str:
    """The board's name in ``language``: its Mongolian name for Mongolian readers where it has one."""
    if language.lower().startswith("mn") and board.name_mn:
        return board.name_mn
    return board.name


def text_language(asked: str | None) -> str:
    """The language of a chat text or loudspeaker script: the one asked for when the site has it, else the
    reader's."""
    known = {code for code, _name in settings.LANGUAGES}
    if asked and asked.lower() in known:
        return asked.lower()
    return translation.get_language() or settings.LANGUAGE_CODE
