"""How the API shows committees, topics and meetings; the public reads' authentication; the caller's origin."""

from __future__ import annotations

from grassroots.accounts.api_auth import public_auth

from .. import rules, selectors
from ..models import Channel
from ..transitions import Origin

PUBLIC = public_auth()


def origin_of(request) -> Origin:
    return Origin.from_request(request, Channel.API)


# --- presenting ------------------------------------------------------------------------------------------------


def committee_answer(c) -> dict:
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "area_code": c.area_code,
        "village_group": c.village_group.name if c.village_group_id else None,
        "process": c.process,
        "is_public": c.is_public,
        "open_topics": getattr(c, "open_topics", None),
    }


def committee_detail_answer(c) -> dict:
    process = selectors.process_for(c)
    return {
        **committee_answer(c),
        "seats": [
            {
                "seat": s.seat,
                "role": s.membership.role if s.membership else "",
                "name": s.membership.name if s.membership else None,
                "chosen_how": s.membership.chosen_how if s.membership else None,
                "started_on": s.membership.started_on if s.membership else None,
                "term_ends_on": s.membership.term_ends_on if s.membership else None,
                "has_login": bool(s.membership and s.membership.user_id),
            }
            for s in selectors.seats_of(c)
        ],
        "steps": [
            {"key": s.key, "label": str(s.label), "kind": str(s.kind), "rule": s.rule.describe()}
            for s in process.steps
        ],
    }


def topic_answer(t) -> dict:
    return {
        "id": t.pk,
        "committee_id": t.committee_id,
        "kind": t.kind,
        "title": t.title,
        "step": t.step,
        "step_label": selectors.step_label(t),
        "round": t.round,
        "version": t.version,
        "proposed_at": t.proposed_at,
        "published_at": t.published_at,
        "closed_at": t.closed_at,
        "progress_status": t.progress_status,
        "progress_percent": t.progress_percent,
    }


def status_answer(status) -> dict | None:
    if status is None:
        return None
    outcome = status.outcome
    return {
        "step": status.step.key,
        "label": str(status.step.label),
        "kind": str(status.step.kind),
        "rule": status.rule_text,
        "need": status.need,
        "have": status.have,
        "met": status.met,
        "lines": [
            {
                "seat": line.seat,
                "role": line.role,
                "name": line.membership.name if line.membership else None,
                "entry": (
                    line.entry.decision
                    if hasattr(line.entry, "decision")
                    else getattr(line.entry, "choice", None) or getattr(line.entry, "stance", None)
                )
                if line.entry is not None
                else None,
            }
            for line in status.lines
        ],
        "resolution_id": status.resolution.pk if status.resolution else None,
        "resolution_text": status.resolution.text if status.resolution else None,
        "outcome": None
        if outcome is None
        else {
            "expected": outcome.expected,
            "present": outcome.present,
            "agree": outcome.agree,
            "disagree": outcome.disagree,
            "abstain": outcome.abstain,
            "quorum_needed": outcome.quorum_needed,
            "majority_needed": outcome.majority_needed,
            "passed": outcome.passed,
        },
    }


def topic_detail_answer(request, topic) -> dict:
    user = request.user
    topic = selectors.topic_get_for(user=user, pk=topic.pk)
    members = selectors.seated(topic.committee)
    full = rules.can_see_full_names(user, topic.committee)
    status = selectors.step_status(topic, members)
    return {
        **topic_answer(topic),
        "description": topic.description,
        "proposer": selectors.proposer_display(topic, full_names=full),
        "decline_reason": topic.decline_reason,
        "steps": [{"key": m.key, "label": m.label, "state": m.state} for m in selectors.step_marks(topic)],
        "status": status_answer(status),
        "available_actions": selectors.available_actions(user, topic, members, status) if status else [],
    }


def topic_for(request, pk: int):
    return selectors.topic_get_for(user=request.user, pk=pk)


def summary_answer(summary) -> dict:
    return {
        "satisfied": summary.satisfied,
        "basically": summary.basically,
        "unsatisfied": summary.unsatisfied,
        "total": summary.total,
        "topics": summary.topics,
        "satisfaction": summary.satisfaction,
    }


def comment_answer(comment) -> dict:
    return {
        "id": comment.pk,
        "author": comment.shown_name,
        "text": "" if comment.hidden_at else comment.text,
        "created_at": comment.created_at,
        "hidden_reason": comment.hidden_reason,
    }


def meeting_answer(meeting) -> dict:
    return {
        "id": meeting.pk,
        "committee_id": meeting.committee_id,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "status": meeting.status,
        "recorded_offline": meeting.recorded_offline,
        "minutes": meeting.minutes,
        "has_sign_in_sheet": bool(meeting.sign_in_sheet),
        "agenda": [t.pk for t in selectors.meeting_agenda(meeting)],
        "attendance": [
            {"membership_id": a.membership_id, "name": a.name, "present": a.present, "signed_at": a.signed_at}
            for a in selectors.meeting_attendance(meeting)
        ],
        "decisions": [r.pk for r in selectors.meeting_decisions(meeting)],
    }
