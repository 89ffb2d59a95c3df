"""The writes of the Open311 endpoint: a report filed by an outside system (``POST requests``), through the
one intake pipeline (``cases.services.case_receive``), and a status update (``POST servicerequestupdates``),
through the case workflow's actions (``cases.services.registry``) as the key's account.

What an Open311 client sends is checked here first (the parts the intake does not know: the location's three
forms, the attributes, the photo link), so that every refusal is a 400 with one clear description and nothing
is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.models import User
from grassroots.cases.models import Case, CaseEvent, CaseKind, Urgency
from grassroots.cases.services import case_receive
from grassroots.cases.services.registry import ActionInput, perform

from .. import statuses
from ..errors import IntegrationError
from ..models import ApiKey, Open311Submission
from ..selectors import open311_service


class Open311Invalid(IntegrationError):
    """A request the specification's way of saying 400: a parameter missing or invalid."""

    code = "invalid_parameter"
    status = 400


# The attributes every service takes (GeoReport ``services/{code}``): our report's kind, urgency and whether
# the reporter stays anonymous. (code, description, required, the values with their labels.)
ATTRIBUTES = (
    ("kind", _("What it is: a problem, a suggestion, a request or a service asked for."), False, CaseKind),
    ("urgency", _("How urgent it is; the service type's usual urgency when not given."), False, Urgency),
    (
        "anonymous",
        _("Hide the reporter's name from the handlers outside the grid."),
        False,
        (("false", _("no")), ("true", _("yes"))),
    ),
)


def attribute_choices(values) -> list[tuple[str, str]]:
    if isinstance(values, type) and issubclass(values, TextChoices):
        return [(str(v), str(label)) for v, label in values.choices]
    return [(k, str(label)) for k, label in values]


@dataclass(frozen=True)
class RequestSent:
    """What a ``POST requests`` carried (form fields, as text)."""

    service_code: str
    description: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    media_url: str = ""
    account_id: str = ""
    idempotency_key: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def _attributes(sent: dict[str, str]) -> dict[str, str]:
    known = {code: values for code, _text, _required, values in ATTRIBUTES}
    checked: dict[str, str] = {}
    for code, value in sent.items():
        if code not in known:
            raise Open311Invalid(
                _("attribute[%(code)s] is not an attribute of this service.") % {"code": code[:40]}
            )
        keys = [k for k, _label in attribute_choices(known[code])]
        if value not in keys:
            raise Open311Invalid(
                _("attribute[%(code)s] must be one of: %(values)s.")
                % {"code": code, "values": ", ".join(keys)}
            )
        checked[code] = value
    return checked


def _media_url(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise Open311Invalid(_("media_url must be an http or https address of at most 500 characters."))
    return url


def _place(sent: RequestSent, key: ApiKey) -> dict:
    """The intake's place from the specification's three: a point, an area code (``address_id``) or, with
    only an address, the key's own area (its staff place the report; it is never dropped)."""
    if sent.lat.strip() or sent.long.strip():
        if not (sent.lat.strip() and sent.long.strip()):
            raise Open311Invalid(_("Send both lat and long, or neither."))
        return {"lat": sent.lat.strip(), "lon": sent.long.strip()}
    if sent.address_id.strip():
        return {"area_code": sent.address_id.strip()}
    if sent.address_string.strip():
        return {"area_code": key.area_code}
    raise Open311Invalid(_("Say where: send lat and long, address_string or address_id."))


@transaction.atomic
def open311_request_submit(*, key: ApiKey, sent: RequestSent) -> Open311Submission:
    """File an Open311 report as ``key``'s account. Returns its submission (the case, the token); a resend
    with the same ``idempotency_key`` returns the first one. Raises :class:`Open311Invalid` or the intake's
    ``ReportInvalid`` (both 400), having written nothing."""
    if not sent.service_code.strip():
        raise Open311Invalid(_("service_code is required."))
    category = open311_service(sent.service_code.strip())
    if category is None:
        raise Open311Invalid(
            _("service_code %(code)s is not a service of this endpoint; GET services lists them.")
            % {"code": sent.service_code.strip()[:40]}
        )
    attributes = _attributes(sent.attributes)
    media_url = _media_url(sent.media_url)
    place = _place(sent, key)
    name = " ".join(part.strip() for part in (sent.last_name, sent.first_name) if part.strip())
    case = case_receive(
        actor=key.account,
        category=category,
        description=sent.description,
        **place,
        kind=attributes.get("kind", CaseKind.PROBLEM),
        urgency=attributes.get("urgency") or None,
        address=sent.address_string.strip(),
        reporter_name=name,
        reporter_phone=sent.phone.strip(),
        anonymous=attributes.get("anonymous") == "true",
        idempotency_key=sent.idempotency_key,
    )
    if getattr(case, "replayed", False):
        earlier = Open311Submission.objects.filter(case=case).first()
        if earlier is not None:
            return earlier
    return Open311Submission.objects.create(
        case=case,
        key=key,
        token=str(uuid.uuid4()),
        media_url=media_url,
        account_id=sent.account_id.strip()[:100],
    )


def open311_update_post(*, actor: User, case: Case, status: str, description: str) -> CaseEvent:
    """Move ``case`` as an outside system's update asks: the status names, through the one status table,
    the workflow action to take (with ``description`` as its note or reason); the workflow decides whether
    the key's account may take it. Returns the timeline row written."""
    row = statuses.row_named(status)
    if row is None:
        raise Open311Invalid(
            _("status must be one of: %(values)s.") % {"values": ", ".join(statuses.EXTENDED)}
        )
    if row.action_in is None:
        raise Open311Invalid(
            _("An outside system cannot set the status %(status)s; these it can: %(values)s.")
            % {
                "status": row.extended,
                "values": ", ".join(r.extended for r in statuses.STATUSES if r.action_in),
            }
        )
    with transaction.atomic():
        moved = perform(
            row.action_in,
            actor=actor,
            case=case,
            values=ActionInput(expected_version=case.version, text=(description or "").strip()),
        )
        return CaseEvent.objects.filter(case=moved).order_by("-id").first()  # type: ignore[return-value]
