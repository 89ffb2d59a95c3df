"""Who is told when a topic moves: its followers, and the members who must act in the step it reached."""

from __future__ import annotations

from django.utils.translation import gettext

from grassroots.notifications.services import notify

from .models import Follow, Membership, Topic
from .process import TERMINAL, Process, StepKind
from .selectors.steps import step_label


def notify_moves(topic: Topic, process: Process, members: list[Membership]) -> None:
    """Tell the followers where the topic went, and the members who must act in the new step."""
    label = step_label(topic)
    followers = [f.user for f in Follow.objects.filter(topic_id=topic.pk).select_related("user")]
    title = gettext("Topic “%(title)s”: %(step)s") % {"title": topic.title[:80], "step": label}
    notify(
        recipients=followers, title=title, body=gettext("Open the topic to read every step."), target=topic
    )
    if topic.step in TERMINAL:
        return
    step = process.step(topic.step)
    acting = [
        m.user
        for m in members
        if m.user is not None
        and m.user_id not in {f.pk for f in followers}
        and (step.acts(m.role) or step.counts(m.role))
    ]
    if step.kind in (StepKind.DISCUSS, StepKind.VOTE, StepKind.SIGN, StepKind.PUBLISH, StepKind.CARRY_OUT):
        notify(
            recipients=acting,
            title=gettext("Your turn: %(step)s — %(title)s") % {"step": label, "title": topic.title[:80]},
            body=str(step.explanation),
            target=topic,
        )
