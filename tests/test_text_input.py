"""One rule for text that comes in (``grassroots.textinput``), proven for every form and every API operation.

The enumerations find what exists: every form class of the project (and every admin form), every operation of
the JSON API and each of their text fields. A new form or operation is covered by the same proof, and one
that escapes the shared mechanism fails here, naming it.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import typing
from urllib.parse import quote

import pydantic
import pytest
from django import forms
from django.test import Client
from ninja.utils import normalize_path

import grassroots
from grassroots.api.api import api
from grassroots.forms import CheckedTextMixin
from grassroots.textinput import ControlCharacters, check_text, check_tree, forbidden_character

REFUSED = ["\x00", "\x1b", "\x1b[31m", "\x07", "\r", "\x7f", "\x9b", "\u202a", "\u202b", "\u202c", "\u202d",
           "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]  # fmt: skip
BAD = "正常\u202e文字"


@pytest.mark.parametrize("char", REFUSED)
def test_control_characters_and_bidi_overrides_are_refused(char):
    with pytest.raises(ControlCharacters) as refused:
        check_text(f"abc{char}def", field="description")
    assert refused.value.field == "description"
    assert f"U+{ord(char[0]):04X}" in refused.value.message and "description" in refused.value.message


def test_tab_newline_and_crlf_are_text():
    assert check_text("第一行\r\n第二行\t末尾\n", field="x") == "第一行\n第二行\t末尾\n"
    assert forbidden_character("张三 ١٢٣ עברית العربية 😀") is None  # right-to-left scripts are text


def test_a_tree_names_the_path_of_the_refused_text():
    with pytest.raises(ControlCharacters) as refused:
        check_tree({"rows": [{"name": "张三"}, {"reason": "x\x00"}]})
    assert refused.value.field == "rows[1].reason"
    with pytest.raises(ControlCharacters) as refused:
        check_tree({"rows": [{"na\u202eme": "张三"}]})
    assert refused.value.field == "rows[0].na\u202eme"


# --- every form ---------------------------------------------------------------------------------------------


def _import_everything():
    for module in pkgutil.walk_packages(grassroots.__path__, "grassroots."):
        if ".migrations" in module.name or module.name.endswith(".wsgi") or module.name.endswith(".asgi"):
            continue
        importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_forms() -> list[type]:
    _import_everything()
    found = {
        c
        for c in _subclasses(forms.BaseForm)
        if c.__module__.startswith("grassroots.") and c.__module__ != "grassroots.forms"
    }
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _bound(form_class, data):
    """The form bound to ``data``, built as its views build it (some take the choices they offer)."""
    if form_class.__name__ == "GridChangeForm":  # the admin's change form of a grid knows its grid
        from grassroots.areas.models import Area, Grid

        return form_class(data=data, instance=Grid(area=Area(code="150825100001001", name="一网格")))
    for kwargs in ({}, {"categories": ()}, {"topics": ()}, {"members": ()}, {"attendance": ()}):
        try:
            return form_class(data=data, **kwargs)
        except TypeError:
            continue
    return form_class(None, data=data)  # AuthenticationForm takes the request first


@pytest.mark.django_db
def test_every_form_of_the_project_refuses_control_characters_in_every_text_field():
    classes = [(f"{c.__module__}.{c.__qualname__}", c) for c in project_forms()]
    assert len(classes) > 50
    outside, checked = [], 0
    for name, form_class in classes:
        if not issubclass(form_class, CheckedTextMixin):
            outside.append(name)
            continue
        probe = _bound(form_class, {})
        for field_name, field in probe.fields.items():
            if not isinstance(field, forms.CharField) or field.disabled:
                continue
            form = _bound(form_class, {probe.add_prefix(field_name): BAD})
            assert not form.is_valid()
            messages = " ".join(form.errors.get(field_name, []))
            label = str(field.label or field_name)
            assert "U+202E" in messages and label in messages, (name, field_name, form.errors)
            checked += 1
    assert not outside, "forms outside grassroots.forms:\n" + "\n".join(outside)
    assert checked > 100


def test_a_textarea_keeps_newlines_but_not_crlf():
    from grassroots.deliberation.forms import CommentForm

    form = CommentForm(data={"text": "第一行\r\n第二行"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == "第一行\n第二行"
    assert not CommentForm(data={"text": "第一行\r第二行"}).is_valid()


def test_fields_others_will_read_show_the_masked_preview():
    for form_class in project_forms():
        if not issubclass(form_class, CheckedTextMixin) or not form_class.public_text:
            continue
        form = _bound(form_class, None)
        for name in form_class.public_text:
            assert name in form.fields, (form_class, name)
            assert form.fields[name].widget.attrs.get("data-masked-preview") == "/text/masked-preview"


# --- every API operation ------------------------------------------------------------------------------------


def _operations():
    """Every operation of the API with its address, those of routers mounted inside an app's router too."""
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                yield normalize_path(f"/api/v1/{bound.prefix}/{path}"), operation


def _text_paths(annotation, path=()):
    """Paths (keys and list positions) to every text a value of this type holds."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is str:
        yield path
    elif isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _text_paths(field.annotation, (*path, field.alias or name))
    elif annotation is dict or origin is dict:
        yield (*path, "k")
    elif origin in (list, tuple, set):
        for arg in args[:1]:
            yield from _text_paths(arg, (*path, 0))
    elif origin is typing.Annotated:
        yield from _text_paths(args[0], path)
    else:
        seen = set()
        for arg in args:
            for p in _text_paths(arg, path):
                if p not in seen:
                    seen.add(p)
                    yield p


def _nested(path, value):
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def _field_name(path) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _url(template: str, values: dict) -> str:
    return re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: values[m.group(1)], template)


def _cases():
    """(label, method, url, how to send, expected field) for every text field of every operation."""
    for url, operation in _operations():
        method = operation.methods[0]
        path_values = {}
        for model in operation.models:
            if model.__ninja_param_source__ == "path":
                for name, field in model.model_fields.items():
                    path_values[name] = "ab" if list(_text_paths(field.annotation)) else "1"
        for model in operation.models:
            source = model.__ninja_param_source__
            flatten = getattr(model, "__ninja_flatten_map__", None) or {}
            for name, field in model.model_fields.items():
                for leaf in _text_paths(field.annotation):
                    if source == "path":
                        values = {**path_values, name: quote(BAD)}
                        yield url, method, _url(url, values), ("none", None), name
                    elif source in ("query", "form"):
                        full = (name, *leaf)
                        real = next((k for k, v in flatten.items() if tuple(v) == full[: len(v)]), name)
                        yield url, method, _url(url, path_values), (source, {real: BAD}), real
                    elif source == "body":
                        single = getattr(model, "__read_from_single_attr__", None)
                        inner = leaf if single else (name, *leaf)
                        yield (
                            url,
                            method,
                            _url(url, path_values),
                            ("json", _nested(inner, BAD)),
                            _field_name(inner),
                        )


def test_every_api_operation_refuses_control_characters_in_every_text_field():
    client = Client()
    cases = list(_cases())
    operations = {(url, method) for url, method, *_ in cases}
    assert len(list(_operations())) > 140
    assert len(cases) > 150 and len(operations) > 60
    wrong = []
    for label, method, url, (how, data), field in cases:
        kwargs = {}
        if how == "json":
            kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        elif how == "form":
            kwargs = {"data": data}
        elif how == "query":
            url += "?" + "&".join(f"{k}={quote(v)}" for k, v in data.items())
        response = getattr(client, method.lower())(url, **kwargs)
        body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
        if response.status_code != 422 or body.get("code") != "control_characters":
            wrong.append(f"{method} {label} [{field}]: {response.status_code} {body}")
        elif body["detail"]["field"] != field or field not in body["message"]:
            wrong.append(f"{method} {label} [{field}]: named {body['detail']['field']}")
    assert not wrong, "\n".join(wrong)


# --- no page reads text around the forms ---------------------------------------------------------------------

# Values a view may read from request.POST without a form: ids, versions and choices, each looked up or
# parsed (a wrong one is not found), never stored or shown as text.
RAW_POST_KEYS = {
    "case": "the ids of the cases ticked in the queue (int)",
    "target": "a dispatch target's key, looked up among the case's candidates",
    "next": "where to go back to, a path on this site",
    "expected_version": "a case's version (int)",
    "version_": "a ticked case's version (int), one key per case",
    "delivery": "a choice, checked by the service",
    "offline": "a flag: '1' or not",
    "api_key": "an outside system's API key, looked up by its digest (integrations.auth)",
}


def _raw_post_reads():
    """(module, line, key) of every ``request.POST.get(…)``, ``request.POST[…]`` and ``getlist`` in the
    project's code."""
    import ast
    from pathlib import Path

    root = Path(grassroots.__file__).parent
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            target, key = None, None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("get", "getlist") and node.args:
                    target, key = node.func.value, node.args[0]
            elif isinstance(node, ast.Subscript):
                target, key = node.value, node.slice
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "POST"
                and isinstance(target.value, ast.Name)
                and target.value.id == "request"
            ):
                text = ast.unparse(key)
                yield f"{path.relative_to(root)}:{node.lineno}", text


def test_pages_read_text_only_through_forms():
    unexplained = []
    for where, key in _raw_post_reads():
        name = key.strip("'\"f").split("{")[0]
        if name not in RAW_POST_KEYS:
            unexplained.append(f"{where} request.POST[{key}]")
    assert not unexplained, "text read around the forms (use a grassroots.forms form):\n" + "\n".join(
        unexplained
    )
