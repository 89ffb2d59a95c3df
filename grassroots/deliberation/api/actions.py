"""Every step action on a topic, one operation per row of ``actions.ROWS`` that declares a schema:
``POST /topics/{topic_id}/actions/<name>``, its body that row's schema (a multipart form where the row takes the
photo of a paper sign-in sheet), its answer the topic as the caller now sees it, with ``warnings`` for each
phone or ID number in what they wrote.

No ``from __future__ import annotations`` here: django-ninja reads each operation's parameter types from the
function made for its row, so they must be the classes themselves, not names to look up in this module.
"""

from ninja import File, Form
from ninja.files import UploadedFile

from grassroots.masking import number_warnings

from .. import actions, selectors
from ..actions import Id, TopicAction
from ..models import Channel
from ..transitions import Origin
from .answers import topic_detail_answer
from .router import router
from .schemas import TopicDetailOut


def _take(request, row: TopicAction, topic_id: int, values: dict) -> dict:
    topic = selectors.topic_get_for(user=request.user, pk=topic_id)
    origin = Origin.from_request(request, Channel.API)
    updated = actions.perform(row, actor=request.user, topic=topic, origin=origin, values=values)
    warnings = number_warnings(actions.public_text(row, values))
    return {**topic_detail_answer(request, updated), "warnings": warnings}


def _operation(row: TopicAction):
    body = row.schema
    if row.sheet_photo:

        def take_with_sheet(
            request, topic_id: Id, payload: Form[body], sign_in_sheet: File[UploadedFile] = None
        ):
            return _take(request, row, topic_id, {**payload.dict(), "sign_in_sheet": sign_in_sheet})

        return take_with_sheet

    def take(request, topic_id: Id, payload: body):
        return _take(request, row, topic_id, payload.dict())

    return take


for _row in actions.ROWS:
    if _row.schema is not None:
        router.post(
            f"/topics/{{topic_id}}/actions/{_row.name}",
            response=TopicDetailOut,
            summary=_row.summary,
            operation_id=f"deliberation_topic_{_row.name}",
        )(_operation(_row))
