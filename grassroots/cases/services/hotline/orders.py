"""The 12345 hotline's work orders, one at a time: the city's sheet layout (its column headers, its types of
request → our service types) and :func:`order_take`, which files an order through the one intake pipeline
(or answers ``unchanged`` / ``changed``). The daily sheet (``sheet.py``) takes each of its rows through it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots import personal, sheets
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.scoping import in_scope
from grassroots.accounts.services import audit_record
from grassroots.areas.models import Area
from grassroots.errors import DomainError

from ... import rules
from ...models import CaseKind, HotlineChannel, HotlineOrder, HotlineSheetLayout, Source, Urgency
from ..intake import ReportInput, _Channel, _take_in

IMPORT_KIND = "hotline"  # imports.ImportRun.kind of the hotline page's uploads
MAX_REPORTED_ROWS = 1000
CRS_CHOICES = ("wgs84", "gcj02", "bd09")


class HotlineError(DomainError):
    code = "hotline"
    status = 400


# The fields of a work order, with the headers the hotline's daily sheet usually gives them; a city's layout
# may name any of them otherwise.
FIELDS: tuple[sheets.Column, ...] = (
    sheets.Column("number", "工单编号", "order number", required=True, width=20),
    sheets.Column("received_at", "来电时间", "received at", required=True, width=18),
    sheets.Column("caller_name", "来电人", "caller", width=10),
    sheets.Column("caller_phone", "联系电话", "phone", width=14),
    sheets.Column("description", "诉求内容", "request", required=True, width=40),
    sheets.Column("hotline_type", "诉求类型", "type of request", width=16),
    sheets.Column("kind", "诉求性质", "nature", width=10, hint="投诉/求助/咨询/建议/举报"),
    sheets.Column("urgency", "紧急程度", "urgency", width=10, hint="一般/较急/紧急"),
    sheets.Column("address", "事发地址", "address", width=30),
    sheets.Column("area", "承办单位", "handling area", width=20, hint="区划名称或代码"),
    sheets.Column("due_at", "办理时限", "time limit", width=18),
    sheets.Column("lon", "经度", "longitude", width=10),
    sheets.Column("lat", "纬度", "latitude", width=10),
)
FIELD_KEYS = tuple(c.key for c in FIELDS)
# What the pages call each field (the sheet's own header is the layout's).
FIELD_LABELS = {
    "number": _("work order number"),
    "received_at": _("call received at"),
    "caller_name": _("caller"),
    "caller_phone": _("caller's phone"),
    "description": _("request content"),
    "hotline_type": _("hotline's type of request"),
    "kind": _("nature of request"),
    "urgency": _("urgency"),
    "address": _("address"),
    "area": _("handling area"),
    "due_at": _("hotline's time limit"),
    "lon": _("longitude"),
    "lat": _("latitude"),
}

KIND_WORDS = {
    "投诉": CaseKind.PROBLEM,
    "举报": CaseKind.PROBLEM,
    "反映": CaseKind.PROBLEM,
    "求助": CaseKind.REQUEST,
    "咨询": CaseKind.REQUEST,
    "诉求": CaseKind.REQUEST,
    "建议": CaseKind.SUGGESTION,
    **{k: k for k in CaseKind.values},
}
URGENCY_WORDS = {
    "一般": Urgency.NORMAL,
    "普通": Urgency.NORMAL,
    "较急": Urgency.URGENT,
    "加急": Urgency.URGENT,
    "紧急": Urgency.EMERGENCY,
    "特急": Urgency.EMERGENCY,
    **{k: k for k in Urgency.values},
}
# Words an area's name may carry in a hotline's 承办单位 that our area tree does not.
AREA_NAME_SUFFIXES = ("人民政府", "办事处", "政府")


@dataclass(frozen=True)
class OrderInput:
    """What a work order says, from the sheet or the JSON API alike (texts as sent; times aware)."""

    number: str
    received_at: dt.datetime
    description: str
    caller_name: str = ""
    caller_phone: str = ""
    hotline_type: str = ""
    kind: str = ""
    urgency: str = ""
    address: str = ""
    area: str = ""
    due_at: dt.datetime | None = None
    lon: float | None = None
    lat: float | None = None

    def fingerprint(self) -> str:
        """SHA-256 of the order's content: the same order sent again, in any spelling of its phone, has the
        same fingerprint."""
        values = asdict(self)
        values["caller_phone"] = personal.normalise_phone(self.caller_phone) if self.caller_phone else ""
        for key in ("received_at", "due_at"):
            values[key] = values[key].astimezone(dt.UTC).isoformat() if values[key] else None
        canonical = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class TakeResult:
    """What became of one order: ``created`` (a new case), ``unchanged`` (taken in before, the same) or
    ``changed`` (taken in before with other content, not applied: ``changed_fields`` names them)."""

    outcome: str
    order: HotlineOrder
    changed_fields: list[str] = field(default_factory=list)

    @property
    def created(self) -> bool:
        return self.outcome == "created"


# --- the city's layout -----------------------------------------------------------------------------------


def city_of(code: str) -> str:
    """The city (市/盟, 4 digits) an area code lies in."""
    return (code or "")[:4]


def layout_for(city_code: str) -> HotlineSheetLayout:
    """The city's layout, or an unsaved one with the usual headers and no type mapping."""
    return HotlineSheetLayout.objects.filter(city_code=city_code).first() or HotlineSheetLayout(
        city_code=city_code
    )


def columns_for(layout: HotlineSheetLayout) -> tuple[sheets.Column, ...]:
    """The sheet's columns under the city's headers (the English header and the key are still recognised)."""
    headers = layout.columns or {}
    return tuple(
        sheets.Column(c.key, headers.get(c.key) or c.zh, c.en, c.required, c.width, c.hint) for c in FIELDS
    )


def layout_save(
    *,
    actor: User,
    city_code: str,
    columns: dict[str, str],
    category_words: dict[str, str],
    default_category: str,
    crs: str,
    request=None,
) -> HotlineSheetLayout:
    """Save how the city's hotline sheet names its columns and types (for staff whose grant covers the city).

    Refuses, writing nothing: an unknown field, two fields under one header, a required field without a
    header, a type mapped to an unknown or inactive service type, an unknown coordinate system."""
    require(actor, rules.can_set_hotline_layout, city_code)
    problems: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for key, header in columns.items():
        if key not in FIELD_KEYS:
            problems[key] = str(_("Unknown field %(field)s.") % {"field": key})
            continue
        header = (header or "").strip()[:60]
        default = next(c.zh for c in FIELDS if c.key == key)
        if header and header != default:
            cleaned[key] = header
    shown = {key: cleaned.get(key, next(c.zh for c in FIELDS if c.key == key)) for key in FIELD_KEYS}
    seen: dict[str, str] = {}
    for key, header in shown.items():
        normal = "".join(header.split()).lower()
        if normal in seen:
            problems[key] = str(
                _("The header %(header)s is given to two fields; each column has its own.")
                % {"header": header}
            )
        seen[normal] = key
    words: dict[str, str] = {}
    from ..intake_checks import category_by_code

    for word, code in category_words.items():
        word, code = (word or "").strip()[:100], (code or "").strip()
        if not word:
            continue
        if category_by_code(code) is None:
            problems["category_words"] = str(
                _("Unknown service type %(code)s for %(word)s.") % {"code": code or "—", "word": word}
            )
            continue
        words[word] = code
    default_category = (default_category or "").strip()
    if default_category and category_by_code(default_category) is None:
        problems["default_category"] = str(_("Unknown service type %(code)s.") % {"code": default_category})
    if crs not in CRS_CHOICES:
        problems["crs"] = str(_("Choose one of: %(choices)s.") % {"choices": ", ".join(CRS_CHOICES)})
    if problems:
        raise HotlineError(" ".join(problems.values()), code="bad_layout", detail=problems)
    with transaction.atomic():
        layout, _created = HotlineSheetLayout.objects.update_or_create(
            city_code=city_code,
            defaults={
                "columns": cleaned,
                "category_words": words,
                "default_category": default_category,
                "crs": crs,
                "updated_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="hotline.layout",
            target=layout,
            detail={"city_code": city_code, "columns": cleaned, "types": len(words)},
            request=request,
        )
    return layout


# --- one order -------------------------------------------------------------------------------------------

# Where each refusal of the intake pipeline points in an order.
_INTAKE_FIELDS = {
    "description": "description",
    "category": "hotline_type",
    "kind": "kind",
    "urgency": "urgency",
    "area_code": "area",
    "location": "area",
    "lon": "lon",
    "lat": "lat",
    "reporter_phone": "caller_phone",
    "received_at": "received_at",
}


class OrderInvalid(HotlineError):
    """An order that cannot be taken in; ``detail`` maps each field to its problem."""

    code = "invalid_order"


def _resolve_area(text: str, *, within: str) -> str:
    """The area a 承办单位 names, by code or by name under ``within`` (the city, or the page's area)."""
    raw = (text or "").strip()
    if not raw:
        raise OrderInvalid(
            _("Say which area handles it: a name or code of an area in %(root)s.") % {"root": within},
            detail={"area": "required"},
        )
    if raw.isdigit():
        if raw.startswith(within) and Area.objects.filter(code=raw).exists():
            return raw
        raise OrderInvalid(
            _("%(code)s is not an area in %(root)s.") % {"code": raw, "root": within}, detail={"area": raw}
        )
    names = {raw}
    for suffix in AREA_NAME_SUFFIXES:
        if raw.endswith(suffix) and len(raw) > len(suffix):
            names.add(raw[: -len(suffix)])
    codes = sorted(
        Area.objects.filter(Q(code__startswith=within), Q(name__in=names)).values_list("code", flat=True)
    )
    if len(codes) == 1:
        return codes[0]
    if not codes:
        raise OrderInvalid(
            _("No area named %(name)s in %(root)s; write its name as the area tree has it, or its code.")
            % {"name": raw, "root": within},
            detail={"area": raw},
        )
    raise OrderInvalid(
        _("%(name)s names several areas (%(codes)s); write the code instead.")
        % {"name": raw, "codes": "、".join(codes[:5])},
        detail={"area": raw},
    )


def _words(value: str, table: dict, field_name: str, what) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    if raw not in table:
        raise OrderInvalid(
            _("%(value)s is not a %(what)s; write one of %(choices)s.")
            % {"value": raw, "what": what, "choices": "、".join(k for k in table if not k.isascii())},
            detail={field_name: raw},
        )
    return table[raw]


def _category(layout: HotlineSheetLayout, hotline_type: str) -> str:
    code = (layout.category_words or {}).get((hotline_type or "").strip()) or layout.default_category
    if not code:
        raise OrderInvalid(
            _(
                "The hotline's type %(type)s is not mapped to a service type, and the city's layout has no "
                "service type for other types: set it on the hotline layout page."
            )
            % {"type": hotline_type or "—"},
            detail={"hotline_type": hotline_type or "required"},
        )
    return code


def _differences(order: HotlineOrder, sent: OrderInput) -> list[str]:
    """The fields of ``sent`` that differ from the order as kept (its case keeps what was first received)."""
    case = order.case
    kept = {
        "description": case.description,
        "address": case.address,
        "caller_name": case.reporter_name,
        "hotline_type": order.hotline_type,
    }
    found = [
        key for key, value in kept.items() if (getattr(sent, key) or "").strip() != (value or "").strip()
    ]
    sent_hash = personal.phone_hash(sent.caller_phone) if sent.caller_phone else ""
    if sent_hash != (case.reporter_phone_hash or ""):
        found.append("caller_phone")
    if sent.received_at.astimezone(dt.UTC) != order.received_at.astimezone(dt.UTC):
        found.append("received_at")
    sent_due = sent.due_at.astimezone(dt.UTC) if sent.due_at else None
    if sent_due != (order.due_at.astimezone(dt.UTC) if order.due_at else None):
        found.append("due_at")
    if KIND_WORDS.get((sent.kind or "").strip(), CaseKind.REQUEST) != case.kind:
        found.append("kind")
    urgency = URGENCY_WORDS.get((sent.urgency or "").strip()) or case.category.default_urgency
    if urgency != case.urgency:
        found.append("urgency")
    return found or ["other"]  # the fingerprint differs in a field not kept apart (the place, its point)


def _earlier(actor: User, city_code: str, order: OrderInput) -> TakeResult | None:
    kept = (
        HotlineOrder.objects.select_related("case").filter(city_code=city_code, number=order.number).first()
    )
    if kept is None:
        return None
    if not in_scope(actor, kept.area_code, roles=rules.INTAKE_ROLES):
        # the number is taken in another area: say so, and nothing of that order
        raise HotlineError(
            _("Work order %(number)s was taken in by another area; it cannot be taken in here.")
            % {"number": order.number},
            code="order_elsewhere",
            status=409,
            detail={"number": order.number},
        )
    if kept.fingerprint == order.fingerprint():
        return TakeResult("unchanged", kept)
    return TakeResult("changed", kept, _differences(kept, order))


def order_take(
    *,
    actor: User,
    city_code: str,
    order: OrderInput,
    channel: str = HotlineChannel.API,
    within: str | None = None,
) -> TakeResult:
    """Take one work order in: a new case through the intake pipeline and its :class:`HotlineOrder`, or the
    order taken in before (``unchanged`` / ``changed``, nothing written).

    The case must land in the actor's scope (as a desk's entry), and in ``within`` when given (the import
    page's area). Raises :class:`OrderInvalid` / ``ReportInvalid`` for bad content (nothing written) and
    ``HotlineError`` ``order_elsewhere`` (409) for a number taken in by an area outside the actor's scope.
    """
    require(actor, rules.can_enter_cases)
    number = (order.number or "").strip()
    if not number or len(number) > 64:
        raise OrderInvalid(
            _("Give the work order's number (at most 64 characters)."), detail={"number": number}
        )
    earlier = _earlier(actor, city_code, order)
    if earlier is not None:
        return earlier
    layout = layout_for(city_code)
    has_point = order.lon is not None and order.lat is not None
    area_code = None if has_point else _resolve_area(order.area, within=within or city_code)
    report = ReportInput(
        category=_category(layout, order.hotline_type),
        description=order.description,
        lon=order.lon,
        lat=order.lat,
        crs=layout.crs or "wgs84",
        kind=_words(order.kind, KIND_WORDS, "kind", _("nature of request")) or CaseKind.REQUEST,
        urgency=_words(order.urgency, URGENCY_WORDS, "urgency", _("urgency")) or None,
        address=order.address,
        area_code=area_code,
        reporter_name=order.caller_name,
        reporter_phone=order.caller_phone,
        received_at=order.received_at,
    )
    intake_channel = _Channel(
        source=Source.HOTLINE,
        reporter=None,
        scope_roles=frozenset(rules.INTAKE_ROLES),
        outside_scope=_(
            "This work order's place (%(code)s) lies outside your area; it belongs to another desk."
        ),
    )
    try:
        with transaction.atomic():
            case = _take_in(actor=actor, report=report, channel=intake_channel, key="", arguments={})
            if within and not case.origin_code.startswith(within):
                raise OrderInvalid(
                    _("This work order's place (%(code)s) lies outside %(root)s, the area of this import.")
                    % {"code": case.origin_code, "root": within},
                    detail={"area": case.origin_code},
                )
            kept = HotlineOrder.objects.create(
                city_code=city_code,
                number=number,
                case=case,
                area_code=case.origin_code,
                channel=channel,
                hotline_type=(order.hotline_type or "")[:100],
                received_at=case.reported_at,
                due_at=order.due_at,
                fingerprint=order.fingerprint(),
                created_by=actor,
            )
    except IntegrityError:  # the same number, sent twice at once: the other request took it in
        earlier = _earlier(actor, city_code, order)
        if earlier is None:
            raise
        return earlier
    return TakeResult("created", kept)


def intake_field(problem: DomainError) -> str:
    """Which field of an order a refusal of the pipeline points at."""
    detail = getattr(problem, "detail", None) or {}
    for key in detail if isinstance(detail, dict) else ():
        if key in FIELD_KEYS:
            return key
        if key in _INTAKE_FIELDS:
            return _INTAKE_FIELDS[key]
    return "number"
