"""Every action on a topic, declared once and served by the topic page and the JSON API alike.

A row says: the service that does it, the form that parses it on the page and the schema that parses it in
the API (field for field the service's keyword arguments; a value that names another object is looked up by
the row's ``references``), the button's label, what the page says once it is done, and who sees the button.
``views.topic_act`` serves every row at ``topics/<pk>/act/<name>/``; ``api/actions.py`` registers one operation
per row with a schema at ``POST /api/v1/deliberation/topics/{topic_id}/actions/<name>``, each with its own
body in the OpenAPI document. Which step an action belongs to and who takes it is ``transitions.py``; what it
does to the topic is ``workflow.py``.

A new step action is one row here, one in ``transitions.ACTIONS`` and its effect in ``workflow.py`` with the
service that calls it (docs/ARCHITECTURE.md shows one).
"""

from __future__ import annotations

import datetime as dt
import inspect
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from django.forms import BaseForm
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from . import forms, rules, selectors, services
from .models import Topic
from .transitions import ACTIONS, Action, Origin

# Bounded numbers: a database id, a head count, a version (nothing a client sends can overflow a column).
Id = Annotated[int, Field(ge=1, le=2**53)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Version = Annotated[int | None, Field(None, ge=0, le=2**31)]


# --- what the API takes (the page's forms are in forms.py) ---------------------------------------------------


class VersionIn(Schema):
    version: Version = None


class NoteIn(VersionIn):
    note: str = ""


class ReasonIn(VersionIn):
    reason: str


class OpinionIn(VersionIn):
    stance: str
    text: str


class OpinionCorrectionIn(OpinionIn):
    opinion_id: Id = Field(description="the caller's own opinion on this topic that the correction replaces")


class DraftIn(VersionIn):
    text: str
    meeting_id: Id | None = None


class BallotIn(VersionIn):
    choice: str


class TallyIn(Schema):
    version: int | None = None
    text: str
    expected: int
    present: int
    agree: int
    disagree: int
    abstain: int = 0
    held_on: dt.date
    place: str = ""
    meeting_id: Id | None = None


class ProgressIn(VersionIn):
    status: str
    percent: Count
    note: str


# --- who sees the button ---------------------------------------------------------------------------------------


@dataclass
class Seen:
    """What the topic page knows when it decides which buttons to show."""

    user: Any
    topic: Topic
    offered: list[str]  # the step actions the user's own seat can take now (selectors.available_actions)
    step_kind: str
    following: bool
    correctable: list = field(default_factory=list)  # the user's own opinions they can still correct


def _offered(action: str) -> Callable[[Seen], bool]:
    return lambda seen: action in seen.offered


def _committee(predicate) -> Callable[[Seen], bool]:
    return lambda seen: predicate(seen.user, seen.topic.committee)


# --- the rows --------------------------------------------------------------------------------------------------

Resolve = Callable[..., object]  # (topic=, value=, field=) → the object the service takes


@dataclass(frozen=True)
class TopicAction:
    name: str
    service: Callable[..., object]
    form: type[BaseForm]
    done: Promise  # what the page says once it is done
    shown: Callable[[Seen], bool]
    label: Promise | None = None  # the button; a step action's is its label in transitions.ACTIONS
    # The API's body; None: the API serves it as a resource of its own (ratings, comments, follows, links).
    schema: type[Schema] | None = None
    summary: str = ""  # the API operation's
    references: Mapping[str, Resolve] = field(default_factory=dict)  # input (with or without _id) → lookup
    sheet_photo: bool = False  # the API takes a multipart form with the photo of a paper sign-in sheet

    @property
    def templates(self) -> tuple[str, str]:
        """The page's form for it: its own template where it has one, else a form of its fields."""
        return (f"deliberation/actions/{self.name}.html", "deliberation/actions/_generic.html")

    @property
    def title(self) -> str:
        return str(self.label if self.label is not None else ACTIONS[self.name].label)


def _meeting(*, topic, value, field):
    return selectors.meeting_of_topic(topic=topic, meeting_id=value, field=field)


def _opinion(*, topic, value, field):
    return selectors.opinion_of_topic(topic=topic, pk=value)


def _comment(*, topic, value, field):
    return selectors.comment_of_topic(topic=topic, pk=value)


def _step(action: Action, service, form, schema, done, summary, **extra) -> TopicAction:
    return TopicAction(
        name=action,
        service=service,
        form=form,
        schema=schema,
        done=done,
        summary=summary,
        shown=_offered(action),
        **extra,
    )


ROWS = (
    _step(Action.PUT_ON_AGENDA, services.topic_put_on_agenda, forms.NoteForm, NoteIn,
          _("The topic is on the agenda."), "Put the topic on the agenda (member)"),
    _step(Action.DECLINE, services.topic_decline, forms.ReasonForm, ReasonIn,
          _("The topic is declined; the reason is shown to everyone."), "Decline with a public reason (member)"),
    _step(Action.OPINION, services.opinion_record, forms.OpinionForm, OpinionIn,
          _("Your opinion is recorded."), "Record one's own opinion (member)"),
    TopicAction(
        name=Action.CORRECT_OPINION, service=services.opinion_correct, form=forms.CorrectOpinionForm,
        schema=OpinionCorrectionIn, references={"opinion": _opinion},
        done=_("Your correction is recorded; the earlier opinion stays on the timeline."),
        summary="Correct one's own opinion: a new entry; the old one stays",
        shown=lambda seen: Action.CORRECT_OPINION in seen.offered and bool(seen.correctable),
    ),
    _step(Action.DRAFT, services.resolution_draft, forms.DraftForm, DraftIn,
          _("The resolution is put to the vote."), "Put a resolution to the vote (member)",
          references={"meeting": _meeting}),
    _step(Action.BALLOT, services.ballot_cast, forms.BallotForm, BallotIn,
          _("Your vote is recorded."), "Vote; voting again while open is a correction"),
    _step(Action.CLOSE_VOTE, services.vote_close, forms.VersionForm, VersionIn,
          _("The vote is closed."), "Close the vote once the quorum is present"),
    _step(Action.TALLY, services.tally_record, forms.TallyForm, TallyIn,
          _("The meeting's count is recorded."),
          "Record the count of a meeting (party members' review), with the photo of its sign-in sheet",
          references={"meeting": _meeting}, sheet_photo=True),
    _step(Action.SIGN, services.signature_sign, forms.VersionForm, VersionIn,
          _("You have signed."), "Sign the resolution, as oneself"),
    _step(Action.REFUSE, services.signature_refuse, forms.ReasonForm, ReasonIn,
          _("Your refusal and its reason are recorded; the topic returns to discussion."),
          "Refuse to sign, with a public reason"),
    _step(Action.PUBLISH, services.decision_publish, forms.NoteForm, NoteIn,
          _("Made public."), "Make the decision (or the result) public"),
    _step(Action.PROGRESS, services.progress_record, forms.ProgressForm, ProgressIn,
          _("The progress is recorded."), "Record the progress of carrying it out"),
    _step(Action.CLOSE, services.topic_close, forms.NoteForm, NoteIn,
          _("The topic is closed."), "Close the topic after its evaluation"),
    # Residents' and managers' actions beside the steps; the API serves each as a resource of its own.
    TopicAction(name="rate", label=_("Rate"), service=services.topic_rate, form=forms.RatingForm,
                done=_("Thank you: your rating is recorded."),
                shown=lambda seen: seen.step_kind == "evaluate" and rules.can_rate(seen.user, seen.topic.committee)),
    TopicAction(name="comment", label=_("Comment"), service=services.comment_add, form=forms.CommentForm,
                done=_("Your comment is published."), shown=_committee(rules.can_comment)),
    TopicAction(name="hide_comment", label=_("Hide"), service=services.comment_hide, form=forms.HideCommentForm,
                references={"comment": _comment}, done=_("The comment is hidden."),
                shown=_committee(rules.can_moderate)),
    TopicAction(name="follow", label=_("Follow this topic"), service=services.topic_follow, form=forms.NoInput,
                done=_("You follow this topic: you will be told of every step."),
                shown=lambda seen: not seen.following and rules.can_follow(seen.user, seen.topic.committee)),
    TopicAction(name="unfollow", label=_("Stop following"), service=services.topic_unfollow,
                form=forms.NoInput, done=_("You no longer follow this topic."),
                shown=lambda seen: seen.following and rules.can_follow(seen.user, seen.topic.committee)),
    TopicAction(name="link_case", label=_("Link a case"), service=services.topic_link_case,
                form=forms.LinkCaseForm, done=_("The case is linked."), shown=_committee(rules.can_link)),
    TopicAction(name="link_notice", label=_("Link a notice"), service=services.topic_link_notice,
                form=forms.LinkNoticeForm, done=_("The notice is linked."), shown=_committee(rules.can_link)),
)  # fmt: skip

TOPIC_ACTIONS: Mapping[str, TopicAction] = types.MappingProxyType({str(row.name): row for row in ROWS})


def perform(row: TopicAction, *, actor, topic: Topic, origin: Origin, values: Mapping[str, Any]) -> object:
    """Call the row's service with the parsed input: the values that name another object looked up first,
    and of the actor, the topic, the version and the origin those the service takes."""
    params = dict(values)
    for name in list(params):
        base = name.removesuffix("_id")
        if base in row.references:
            params[base] = row.references[base](topic=topic, value=params.pop(name), field=name)
    offered = {"actor": actor, "topic": topic, "origin": origin, "version": params.pop("version", None)}
    takes = inspect.signature(row.service).parameters
    return row.service(**{k: v for k, v in offered.items() if k in takes}, **params)


def public_text(row: TopicAction, values: Mapping[str, Any]) -> dict[str, str]:
    """The written text of an action's input that others will read (checked for phone and ID numbers)."""
    names = getattr(row.form, "public_text", ())
    return {n: values[n] for n in names if isinstance(values.get(n), str)}
