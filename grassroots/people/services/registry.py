"""Writes to households, residents, key-group labels and moves; "show in full"; merging duplicates."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots import clock, geo
from grassroots.accounts.models import User
from grassroots.accounts.rules import require
from grassroots.accounts.scoping import in_scope
from grassroots.accounts.services import audit_record
from grassroots.areas.codes import Level
from grassroots.areas.models import Area

from .. import extensions, names, person_numbers, rules
from ..codes import (
    VISIT_INTERVAL_DAYS,
    Attention,
    Ethnicity,
    KeyGroup,
    PoliticalStatus,
    Relation,
    ResidenceType,
)
from ..errors import DuplicateResident, PeopleError
from ..models import (
    GridMove,
    Household,
    KeyGroupLabel,
    NameSuffix,
    Place,
    ProxyService,
    Resident,
    ResidentStatus,
    Sex,
    Visit,
)

HOUSEHOLD_FIELDS = frozenset(
    {
        "number",
        "address",
        "building",
        "unit",
        "room",
        "phone",
        "residence_type",
        "tags",
        "notes",
        "longitude",
        "latitude",
    }
)
RESIDENT_FIELDS = frozenset(
    {
        "name",
        "id_number",
        "birth_date",
        "sex",
        "relation",
        "ethnicity",
        "phone",
        "political_status",
        "occupation",
        "status",
        "notes",
    }
)
MIN_REASON_LENGTH = 4


# --- helpers ------------------------------------------------------------------------------------------------


def grid_area(code: str) -> Area:
    """The current grid with ``code``; a clear error for anything else."""
    area = Area.objects.filter(code=code).first()
    if area is None or area.level != Level.GRID:
        raise PeopleError(
            _("%(code)s is not a grid code; a household belongs to a grid (15 digits).") % {"code": code},
            code="not_a_grid",
        )
    if area.valid_until is not None and area.valid_until <= clock.today():
        raise PeopleError(
            _("Grid %(code)s is closed; choose the grid that replaced it.") % {"code": code},
            code="grid_closed",
        )
    return area


def _choice(value, choices, field_label) -> str:
    if value in (None, ""):
        return ""
    if value not in choices.values:
        raise PeopleError(
            _("%(value)s is not a valid %(field)s.") % {"value": value, "field": field_label},
            code="bad_choice",
        )
    return value


def _required_text(value, field_label, max_length) -> str:
    value = " ".join(str(value or "").split())
    if not value:
        raise PeopleError(_("Enter the %(field)s.") % {"field": field_label}, code="missing")
    if len(value) > max_length:
        raise PeopleError(
            _("The %(field)s is at most %(n)d characters long.") % {"field": field_label, "n": max_length},
            code="too_long",
        )
    return value


def _optional_text(value, field_label, max_length) -> str:
    value = str(value or "").strip()
    if len(value) > max_length:
        raise PeopleError(
            _("The %(field)s is at most %(n)d characters long.") % {"field": field_label, "n": max_length},
            code="too_long",
        )
    return value


def _coordinates(longitude, latitude) -> tuple[float | None, float | None]:
    if longitude in (None, "") and latitude in (None, ""):
        return None, None
    try:
        lon, lat = float(longitude), float(latitude)
    except (TypeError, ValueError):
        raise PeopleError(
            _("Give both longitude and latitude as decimal degrees, or neither."), code="bad_coordinates"
        ) from None
    if not geo.in_china_bounds(lon, lat):
        raise PeopleError(
            _("Longitude %(lon)s, latitude %(lat)s lies outside China; check the order and the signs.")
            % {"lon": lon, "lat": lat},
            code="bad_coordinates",
        )
    return lon, lat


def _tags(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").replace("；", ",").replace(";", ",").split(",")
    tags = []
    for tag in value:
        tag = str(tag).strip()
        if tag and tag not in tags:
            tags.append(tag[:20])
    return tags[:20]


def set_name(resident: Resident, name: str) -> None:
    resident.name = _required_text(name, pgettext_lazy("person", "name"), 100)
    resident.name_pinyin = names.pinyin_of(resident.name)
    resident.name_initials = names.initials_of(resident.name)


def write_suffixes(residents) -> None:
    """Replace the name suffixes of these residents (after a create, a rename or a move)."""
    residents = list(residents)
    NameSuffix.objects.filter(resident__in=[r.pk for r in residents]).delete()
    NameSuffix.objects.bulk_create(
        [
            NameSuffix(resident_id=r.pk, area_code=r.area_code, suffix=s)
            for r in residents
            for s in names.suffixes_of(r.name)
        ]
    )


def set_id_number(resident: Resident, raw: str) -> None:
    parsed, digest, masked = person_numbers.id_columns(raw)
    resident.id_number = parsed.number if parsed else ""
    resident.id_hash = digest
    resident.id_masked = masked
    if parsed:
        resident.birth_date = parsed.birth_date
        resident.sex = parsed.sex


def _check_id_free(resident: Resident, actor: User) -> None:
    if not resident.id_hash:
        return
    other = Resident.objects.filter(id_hash=resident.id_hash).exclude(pk=resident.pk).first()
    if other is None:
        return
    if in_scope(actor, other.area_code, roles=rules.REGISTER_READ_ROLES):
        raise DuplicateResident(
            _("%(name)s (%(masked)s) is already on the register; open that record instead of adding another.")
            % {"name": other.name, "masked": other.id_masked},
            detail={"resident_id": other.pk},
        )
    raise DuplicateResident(
        _(
            "A person with this ID number is registered in another area. Ask the village or township staff "
            "to move that record here instead of adding a second one."
        )
    )


def reschedule_visits(household: Household, *, today: dt.date | None = None) -> None:
    """Set the household's visit interval from its members' closest key-group attention, and the next date."""
    attention = (
        KeyGroupLabel.objects.filter(resident__household=household, resident__status=ResidentStatus.PRESENT)
        .order_by("-attention")
        .values_list("attention", flat=True)
        .first()
    )
    interval = VISIT_INTERVAL_DAYS.get(attention) if attention else None
    if interval is None:
        household.visit_interval_days = None
        household.next_visit_due = None
    else:
        household.visit_interval_days = interval
        base = household.last_visited_on
        household.next_visit_due = base + dt.timedelta(days=interval) if base else (today or clock.today())
    household.save(update_fields=["visit_interval_days", "next_visit_due", "updated_at"])


# --- households ---------------------------------------------------------------------------------------------


def _apply_household_fields(household: Household, fields: dict) -> None:
    unknown = set(fields) - HOUSEHOLD_FIELDS
    if unknown:
        raise PeopleError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "address" in fields:
        household.address = _required_text(fields["address"], pgettext_lazy("home", "address"), 200)
    for name, label, length in (
        ("number", _("household number"), 32),
        ("building", _("building"), 20),
        ("unit", pgettext_lazy("building", "unit"), 20),
        ("room", _("room / door number"), 20),
        ("notes", _("notes"), 2000),
    ):
        if name in fields:
            setattr(household, name, _optional_text(fields[name], label, length))
    if "residence_type" in fields:
        household.residence_type = (
            _choice(fields["residence_type"], ResidenceType, _("residence type")) or ResidenceType.REGISTERED
        )
    if "tags" in fields:
        household.tags = _tags(fields["tags"])
    if "phone" in fields:
        household.phone, household.phone_hash, household.phone_masked = person_numbers.phone_columns(
            fields["phone"]
        )
    if "longitude" in fields or "latitude" in fields:
        household.longitude, household.latitude = _coordinates(
            fields.get("longitude", household.longitude), fields.get("latitude", household.latitude)
        )


def _save_household(household: Household) -> None:
    if household.number and (
        Household.objects.filter(area_code=household.area_code, number=household.number)
        .exclude(pk=household.pk)
        .exists()
    ):
        raise PeopleError(
            _("Household number %(number)s is already used in this grid.") % {"number": household.number},
            code="household_number_taken",
        )
    household.save()


@transaction.atomic
def household_create(*, actor: User, grid_code: str, request=None, **fields) -> Household:
    require(actor, rules.can_write_register, grid_code)
    area = grid_area(grid_code)
    household = Household(area=area, area_code=area.code)
    fields.setdefault("address", "")
    _apply_household_fields(household, fields)
    _save_household(household)
    audit_record(actor=actor, action="people.household_create", target=household, request=request)
    return household


@transaction.atomic
def household_update(*, actor: User, household: Household, request=None, **fields) -> Household:
    require(actor, rules.can_write_register, household.area_code)
    household = Household.objects.select_for_update().get(pk=household.pk)
    _apply_household_fields(household, fields)
    _save_household(household)
    audit_record(
        actor=actor,
        action="people.household_update",
        target=household,
        request=request,
        detail={"fields": sorted(fields)},
    )
    return household


def _set_area_code(model, ids, code, field="household") -> None:
    model.objects.filter(**{f"{field}__in": ids}).update(area_code=code)


@transaction.atomic
def household_move(*, actor: User, household: Household, to_grid_code: str, reason: str = "", request=None):
    """Move a household (and its present members, labels, visits and services) to another grid, keeping
    the history in :class:`GridMove`."""
    require(actor, rules.can_write_register, household.area_code)
    require(actor, rules.can_write_register, to_grid_code)
    area = grid_area(to_grid_code)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if area.code == household.area_code:
        raise PeopleError(_("The household is already in this grid."), code="same_grid")
    from_code = household.area_code
    if household.number and Household.objects.filter(area_code=area.code, number=household.number).exists():
        raise PeopleError(
            _("Household number %(number)s is already used in the new grid; change it first.")
            % {"number": household.number},
            code="household_number_taken",
        )
    household.area, household.area_code = area, area.code
    household.save(update_fields=["area", "area_code", "updated_at"])
    member_ids = list(household.members.values_list("pk", flat=True))
    Resident.objects.filter(pk__in=member_ids).update(area_code=area.code)
    _set_area_code(KeyGroupLabel, member_ids, area.code, field="resident")
    _set_area_code(NameSuffix, member_ids, area.code, field="resident")
    _set_area_code(ProxyService, member_ids, area.code, field="resident")
    Visit.objects.filter(household=household).update(area_code=area.code)
    move = GridMove.objects.create(
        household=household,
        from_code=from_code,
        to_code=area.code,
        area_code=area.code,
        reason=_optional_text(reason, _("reason"), 200),
        moved_by=actor,
    )
    audit_record(
        actor=actor,
        action="people.household_move",
        target=household,
        reason=reason,
        request=request,
        detail={"from": from_code, "to": area.code},
    )
    return move


# --- residents ----------------------------------------------------------------------------------------------


def _apply_resident_fields(resident: Resident, fields: dict) -> None:
    unknown = set(fields) - RESIDENT_FIELDS
    if unknown:
        raise PeopleError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "name" in fields:
        set_name(resident, fields["name"])
    if "id_number" in fields:
        set_id_number(resident, fields["id_number"])
    if not resident.id_number:
        # Without an ID number the birth date and sex are entered by hand.
        if "birth_date" in fields:
            birth = fields["birth_date"]
            if isinstance(birth, str) and birth:
                try:
                    birth = dt.date.fromisoformat(birth)
                except ValueError:
                    raise PeopleError(
                        _("Write the date of birth as YYYY-MM-DD."), code="bad_birth_date"
                    ) from None
            if birth and birth > clock.today():
                raise PeopleError(_("The date of birth lies in the future."), code="bad_birth_date")
            resident.birth_date = birth or None
        if "sex" in fields:
            resident.sex = _choice(fields["sex"], Sex, _("sex"))
    if "relation" in fields:
        resident.relation = _choice(fields["relation"], Relation, _("relation to the head")) or Relation.OTHER
    if "ethnicity" in fields:
        resident.ethnicity = _choice(fields["ethnicity"], Ethnicity, _("ethnic group"))
    if "political_status" in fields:
        resident.political_status = (
            _choice(fields["political_status"], PoliticalStatus, _("political status"))
            or PoliticalStatus.MASSES
        )
    if "status" in fields:
        resident.status = _choice(fields["status"], ResidentStatus, _("status")) or ResidentStatus.PRESENT
        if resident.status == ResidentStatus.MERGED and not resident.merged_into_id:
            raise PeopleError(_("Merge duplicates with the merge action."), code="bad_choice")
    if "phone" in fields:
        resident.phone, resident.phone_hash, resident.phone_masked = person_numbers.phone_columns(
            fields["phone"]
        )
    if "occupation" in fields:
        resident.occupation = _optional_text(fields["occupation"], _("occupation"), 100)
    if "notes" in fields:
        resident.notes = _optional_text(fields["notes"], _("notes"), 2000)


def _save_resident(resident: Resident, actor: User) -> None:
    _check_id_free(resident, actor)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        # Two people saving the same ID number at once: the unique index decides.
        raise DuplicateResident(_("This ID number was registered a moment ago; reload the page.")) from None


def _sync_head(resident: Resident) -> None:
    household = resident.household
    if household is None:
        return
    if resident.relation == Relation.HEAD and resident.is_present:
        if household.head_id and household.head_id != resident.pk:
            head = household.head
            raise PeopleError(
                _("%(name)s is already the head of this household; change that first.")
                % {"name": head.name if head else ""},
                code="head_taken",
            )
        if household.head_id != resident.pk:
            household.head = resident
            household.save(update_fields=["head", "updated_at"])
    elif household.head_id == resident.pk:
        household.head = None
        household.save(update_fields=["head", "updated_at"])


@transaction.atomic
def resident_create(*, actor: User, household: Household, request=None, **fields) -> Resident:
    require(actor, rules.can_write_register, household.area_code)
    household = Household.objects.select_for_update(of=("self",)).select_related("head").get(pk=household.pk)
    resident = Resident(household=household, area_code=household.area_code)
    fields.setdefault("name", "")
    _apply_resident_fields(resident, fields)
    _save_resident(resident, actor)
    write_suffixes([resident])
    _sync_head(resident)
    audit_record(
        actor=actor,
        action="people.resident_create",
        target=resident,
        request=request,
        detail={"household": household.pk, "id": resident.id_masked},
    )
    return resident


@transaction.atomic
def resident_update(*, actor: User, resident: Resident, request=None, **fields) -> Resident:
    require(actor, rules.can_write_register, resident.area_code)
    resident = (
        Resident.objects.select_for_update(of=("self",)).select_related("household__head").get(pk=resident.pk)
    )
    if resident.status == ResidentStatus.MERGED:
        raise PeopleError(_("This record was merged into another; edit that one."), code="merged")
    old_name, old_status = resident.name, resident.status
    _apply_resident_fields(resident, fields)
    _save_resident(resident, actor)
    if resident.name != old_name:
        write_suffixes([resident])
    _sync_head(resident)
    if resident.status != old_status and resident.household is not None:
        reschedule_visits(resident.household)
    audit_record(
        actor=actor,
        action="people.resident_update",
        target=resident,
        request=request,
        detail={"fields": sorted(fields)},
    )
    return resident


@transaction.atomic
def resident_move(
    *, actor: User, resident: Resident, to_household: Household, reason: str = "", request=None
):
    """Move a person to another household (in the same grid or another), keeping the history."""
    require(actor, rules.can_write_register, resident.area_code)
    require(actor, rules.can_write_register, to_household.area_code)
    resident = (
        Resident.objects.select_for_update(of=("self",)).select_related("household").get(pk=resident.pk)
    )
    if resident.household_id == to_household.pk:
        raise PeopleError(_("The person already lives in this household."), code="same_household")
    from_household = resident.household
    from_code = resident.area_code
    if from_household is not None and from_household.head_id == resident.pk:
        from_household.head = None
        from_household.save(update_fields=["head", "updated_at"])
    resident.household = to_household
    resident.area_code = to_household.area_code
    if resident.relation == Relation.HEAD and to_household.head_id:
        resident.relation = Relation.OTHER
    resident.save(update_fields=["household", "area_code", "relation", "updated_at"])
    KeyGroupLabel.objects.filter(resident=resident).update(area_code=resident.area_code)
    NameSuffix.objects.filter(resident=resident).update(area_code=resident.area_code)
    ProxyService.objects.filter(resident=resident).update(area_code=resident.area_code)
    _sync_head(resident)
    move = GridMove.objects.create(
        resident=resident,
        from_code=from_code,
        to_code=resident.area_code,
        from_household=from_household,
        to_household=to_household,
        area_code=resident.area_code,
        reason=_optional_text(reason, _("reason"), 200),
        moved_by=actor,
    )
    for household in filter(None, (from_household, to_household)):
        reschedule_visits(household)
    audit_record(
        actor=actor,
        action="people.resident_move",
        target=resident,
        reason=reason,
        request=request,
        detail={
            "from_household": from_household.pk if from_household else None,
            "to_household": to_household.pk,
            "from": from_code,
            "to": resident.area_code,
        },
    )
    return move


# --- key-group labels ---------------------------------------------------------------------------------------


@transaction.atomic
def label_set(
    *, actor: User, resident: Resident, kind: str, attention: int, note: str = "", since=None, request=None
) -> KeyGroupLabel:
    """Add a key-group label, or change its attention level; the household's visit schedule follows."""
    require(actor, rules.can_write_register, resident.area_code)
    _choice(kind, KeyGroup, _("key group"))
    try:
        attention = int(attention)
    except (TypeError, ValueError):
        attention = 0
    if attention not in Attention.values:
        raise PeopleError(_("Choose an attention level."), code="bad_choice")
    label, _created = KeyGroupLabel.objects.update_or_create(
        resident=resident,
        kind=kind,
        defaults={
            "attention": attention,
            "note": _optional_text(note, _("note"), 200),
            "since": since or None,
            "area_code": resident.area_code,
            "created_by": actor,
        },
    )
    if resident.household_id:
        reschedule_visits(Household.objects.get(pk=resident.household_id))
    audit_record(
        actor=actor,
        action="people.label_set",
        target=resident,
        request=request,
        detail={"kind": kind, "attention": attention},
    )
    return label


@transaction.atomic
def label_remove(*, actor: User, resident: Resident, kind: str, request=None) -> None:
    require(actor, rules.can_write_register, resident.area_code)
    deleted, _rows = KeyGroupLabel.objects.filter(resident=resident, kind=kind).delete()
    if not deleted:
        raise PeopleError(_("This person has no such label."), code="no_label")
    if resident.household_id:
        reschedule_visits(Household.objects.get(pk=resident.household_id))
    audit_record(
        actor=actor, action="people.label_remove", target=resident, request=request, detail={"kind": kind}
    )


# --- show in full -------------------------------------------------------------------------------------------

REVEALABLE = {
    Resident: {"id_number": "id_number", "phone": "phone"},
    Household: {"phone": "phone"},
    Place: {"phone": "contact_phone"},
}


@transaction.atomic
def reveal(*, actor: User, obj, fields: list[str], reason: str, request=None) -> dict[str, str]:
    """The full values of ``fields`` of a resident, household or place, for an actor allowed to see them,
    with a stated reason; writes an audit record (who, what, when, why, from where) first."""
    require(actor, rules.can_reveal, obj.area_code)
    allowed = REVEALABLE[type(obj)]
    fields = [f for f in dict.fromkeys(fields) if f]
    if not fields or any(f not in allowed for f in fields):
        raise PeopleError(
            _("Choose what to show: %(fields)s.") % {"fields": ", ".join(allowed)}, code="bad_field"
        )
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON_LENGTH:
        raise PeopleError(
            _("Say why you need the full number (at least %(n)d characters); it is recorded.")
            % {"n": MIN_REASON_LENGTH},
            code="reason_required",
        )
    audit_record(
        actor=actor,
        action="people.reveal",
        target=obj,
        reason=reason[:500],
        request=request,
        detail={"fields": fields},
    )
    return {f: getattr(obj, allowed[f]) or "" for f in fields}


# --- duplicates ---------------------------------------------------------------------------------------------


@transaction.atomic
def resident_merge(*, actor: User, kept: Resident, merged: Resident, reason: str, request=None) -> Resident:
    """Merge a duplicate record into the one that is kept, with an audit record.

    The kept record takes the merged one's ID number, phone and birth date where it has none, its key-group
    labels (the closer attention wins) and its proxy services; the merged record stays, marked merged and
    pointing at the kept one, so that old references still resolve.
    """
    require(actor, rules.can_merge, kept.area_code)
    require(actor, rules.can_merge, merged.area_code)
    if kept.pk == merged.pk:
        raise PeopleError(_("Choose two different records."), code="same_record")
    kept, merged = (
        Resident.objects.select_for_update(of=("self",)).select_related("household").get(pk=kept.pk),
        Resident.objects.select_for_update(of=("self",)).select_related("household").get(pk=merged.pk),
    )
    if ResidentStatus.MERGED in (kept.status, merged.status):
        raise PeopleError(_("One of these records was already merged."), code="merged")
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON_LENGTH:
        raise PeopleError(
            _("Say why these two records are the same person (at least %(n)d characters).")
            % {"n": MIN_REASON_LENGTH},
            code="reason_required",
        )
    if kept.id_hash and merged.id_hash and kept.id_hash != merged.id_hash:
        raise PeopleError(
            _("The two records have different ID numbers; they are different people."),
            code="different_people",
        )
    moved: list[str] = []
    detail = {"kept": kept.pk, "merged": merged.pk, "merged_id": merged.id_masked, "moved": moved}
    if not kept.id_hash and merged.id_hash:
        number, digest, masked = merged.id_number, merged.id_hash, merged.id_masked
        merged.id_hash = None
        merged.save(update_fields=["id_hash"])
        kept.id_number, kept.id_hash, kept.id_masked = number, digest, masked
        moved.append("id_number")
    if not kept.phone and merged.phone:
        kept.phone, kept.phone_hash, kept.phone_masked = merged.phone, merged.phone_hash, merged.phone_masked
        moved.append("phone")
    for name in ("birth_date", "sex", "ethnicity", "occupation"):
        if not getattr(kept, name) and getattr(merged, name):
            setattr(kept, name, getattr(merged, name))
            moved.append(name)
    kept.save()
    for label in KeyGroupLabel.objects.filter(resident=merged):
        existing = KeyGroupLabel.objects.filter(resident=kept, kind=label.kind).first()
        if existing is None:
            label.resident, label.area_code = kept, kept.area_code
            label.save(update_fields=["resident", "area_code"])
        else:
            if label.attention > existing.attention:
                existing.attention = label.attention
                existing.save(update_fields=["attention"])
            label.delete()
    ProxyService.objects.filter(resident=merged).update(resident=kept, area_code=kept.area_code)
    for handler in extensions.merge_handlers:
        handler(kept=kept, merged=merged, actor=actor)
    merged_household = merged.household if merged.household_id else None
    if merged_household is not None and merged_household.head_id == merged.pk:
        merged_household.head = None
        merged_household.save(update_fields=["head", "updated_at"])
    merged.status, merged.merged_into = ResidentStatus.MERGED, kept
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    NameSuffix.objects.filter(resident=merged).delete()
    for household_id in {pk for pk in (kept.household_id, merged.household_id) if pk is not None}:
        reschedule_visits(Household.objects.get(pk=household_id))
    audit_record(
        actor=actor, action="people.merge", target=kept, reason=reason, request=request, detail=detail
    )
    return kept


def masked_for_log(resident: Resident) -> str:
    """How a resident appears in log lines and notifications: name, masked ID, masked phone."""
    return " ".join(filter(None, [resident.name, resident.id_masked, resident.phone_masked]))
