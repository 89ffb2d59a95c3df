"""Guards of the one free-text rule: whatever a person wrote reaches others only through the masker.

Free text is every text field of the project's models (``TextField`` and ``CharField`` without choices, a new
one included by default) less the identifiers, codes, hashes and names listed in ``NOT_FREE_TEXT``, plus the
free text under other names (``OTHER_FREE_TEXT``). Every template that prints such a value passes it
through ``|masked`` first (before ``linebreaksbr`` or ``truncatechars`` can cut a number in two), or says
``|as_written`` where its writer edits it, and every
API answer that carries one types it ``grassroots.masking.MaskedText``. A new template or schema that forgets
fails here, naming the place.
"""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import pydantic
from django.apps import apps
from django.db import models
from django.template import engines
from django.template.base import Variable, VariableNode
from django.templatetags.i18n import BlockTranslateNode
from pydantic.functional_serializers import PlainSerializer

import grassroots
from grassroots.api.api import api
from grassroots.masking import MaskedText, mask_numbers_in_text

# Not free text: identifiers, codes, hashes, machine values, and the names of people, places and areas
# (short, typed into their own field; public rosters mask names by the board's style).
NOT_FREE_TEXT = {
    "action", "area_code", "city_code", "parent_code", "closing_code", "code", "from_code", "to_code", "home_grid_code", "origin_code",
    "case_reference", "assignee_ref", "target_id", "target_type", "idempotency_key", "prefix",
    "content_hash", "previous_hash", "sha256", "file_sha256", "id_hash", "phone_hash", "reporter_phone_hash",
    "contact_phone_hash", "token_hash", "id_masked", "phone_masked", "contact_phone_masked", "password",
    "content_type", "original_format", "crs", "routing_method", "scale", "step", "to_step", "from_status",
    "to_status", "last_urge_card", "url", "user_agent", "username", "signer_username", "email",
    "number", "building", "unit", "room",
    "name", "name_en", "name_mn", "name_pinyin", "name_initials", "suffix", "first_name", "last_name", "display_name", "actor_name",
    "author_name", "signer_name", "voter_name", "recorded_by_name", "drafted_by_name", "proposer_name",
    "visitor_name", "leader_name", "assignee_name", "called_by_name",
    "routing_explanation",  # written by the routing, naming the receiving area
    "source",  # a case's channel (a choice); where a calendar year's holidays came from (administrators)
    "query",  # a saved queue view's filters: the queue's own parameters, cleaned to those (services/views_saved.py)
}  # fmt: skip
# Free text under other names: kept in JSON (a notice's title, text and statement lines, a roster's reason
# and period) or put together from free text (a household's full address, a step's resolution).
OTHER_FREE_TEXT = {
    "title", "body", "title_mn", "body_mn", "item", "reason", "period", "full_address", "resolution_text",
}  # fmt: skip
# A value that shares its name with free text but is not text (a count, a choice, a period key).
NOT_TEXT_HERE = {
    "deliberation/_now.html status.need",  # the number of entries a step needs
    "grassroots.cases.api.figures.MetricsOut.period",  # a period key such as 2026-03
    # an area import's report: codes and names of areas (a grid code looks like an old 15-digit ID)
    "areas/_problems.html p.message",
    "grassroots.areas.api.ProblemOut.message",
    "grassroots.areas.api.ErrorOut.message",  # a refusal of area data, naming areas by their codes
    # a grid worker's work phone, whole for the residents of their own grid by design unless the worker hid
    # it (docs/security.md; workforce.selectors.grid_workers_for_resident decides, and tests it)
    "workforce/_my_grid_workers.html w.phone",
}


def free_text_names() -> set[str]:
    names = set(OTHER_FREE_TEXT)
    for model in apps.get_models():
        if not model.__module__.startswith("grassroots."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField | models.CharField) and not field.choices:
                names.add(field.name)
    return names - NOT_FREE_TEXT


def _templates():
    root = Path(grassroots.__file__).parent
    engine = engines["django"].engine
    for path in sorted(root.rglob("templates/**/*.html")):
        name = str(path).split("/templates/", 1)[1]
        yield name, engine.get_template(name)


def _outputs(template):
    """(line, expression) of every value the template prints: ``{{ … }}`` and ``{% blocktranslate with %}``."""
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        yield node.token.lineno if node.token else 0, node.filter_expression
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        for expression in node.extra_context.values():
            yield node.token.lineno if node.token else 0, expression


def test_every_template_masks_the_free_text_it_prints():
    free = free_text_names()
    forgotten, checked = [], 0
    for name, template in _templates():
        for line, expression in _outputs(template):
            var = expression.var
            if not isinstance(var, Variable) or var.literal is not None or not var.lookups:
                continue
            if var.lookups[-1] not in free or f"{name} {expression.token}" in NOT_TEXT_HERE:
                continue
            if any(step.endswith(("form", "forms")) for step in var.lookups[:-1]):
                continue  # a form field renders its input; the form is the writer's own
            checked += 1
            filters = [f.__name__ for f, _ in expression.filters]
            if filters[:1] not in (["masked"], ["as_written"]):
                forgotten.append(f"{name}:{line} {{{{ {expression.token} }}}}")
    assert checked > 80
    assert not forgotten, "free text printed without |masked first:\n" + "\n".join(forgotten)


def _plain_text(annotation) -> bool:
    """Whether the type is or holds a ``str`` that is not ``MaskedText``."""
    if annotation == MaskedText:
        return False
    if annotation is str:
        return True
    return any(_plain_text(arg) for arg in typing.get_args(annotation))


def _response_models():
    seen = set()
    for bound in api._get_bound_routers():  # routers mounted inside an app's router too
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                for model in (operation.response_models or {}).values():
                    stack = [model]
                    while stack:
                        current = stack.pop()
                        if not isinstance(current, type) or not issubclass(current, pydantic.BaseModel):
                            continue
                        if current in seen:
                            continue
                        seen.add(current)
                        for field in current.model_fields.values():
                            stack.extend(_models_in(field.annotation))
                        yield current


def _models_in(annotation):
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def test_every_api_answer_masks_the_free_text_it_carries():
    free = free_text_names()
    forgotten, checked = [], 0
    for model in _response_models():
        for name, field in model.model_fields.items():
            declared = next(k for k in model.__mro__ if name in inspect.get_annotations(k))
            place = f"{declared.__module__}.{declared.__qualname__}.{name}"
            if name not in free or place in NOT_TEXT_HERE:
                continue
            checked += 1
            if _plain_text(field.annotation) and not _has_mask_serializer(field):
                forgotten.append(place)
    assert checked > 40
    assert not forgotten, "free text answered without MaskedText:\n" + "\n".join(sorted(set(forgotten)))


def _has_mask_serializer(field) -> bool:
    """Whether the field is typed ``MaskedText`` (which pydantic keeps as the serializer in its metadata)."""
    return any(isinstance(m, PlainSerializer) and m.func is mask_numbers_in_text for m in field.metadata)
