"""The published OpenAPI document is right: each component name names one schema, every operation declares
its error answers, and a header an operation honours is declared as its parameter.

ninja names a component after its class, and a later class of the same name silently replaced an earlier
one: ``EventOut``, ``ServiceOut`` and ``FiguresOut`` each named two schemas, so ``/cases/{id}``,
``/people/services`` and ``/cases/metrics/{code}`` were described with another operation's answer."""

from __future__ import annotations

import collections
import inspect
import types
import typing

from pydantic import BaseModel

from grassroots.api.api import api

DOCUMENT = api.get_openapi_schema(path_prefix="/api/v1/")


def _operations():
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            yield from path_view.operations


def _models_in(annotation, found: set) -> None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, found)
    if isinstance(annotation, types.UnionType):
        for argument in annotation.__args__:
            _models_in(argument, found)


def _component_classes() -> set[type]:
    """Every schema class an operation reads or answers with (ninja's own wrappers left out: they are
    flattened into parameters or inlined, never components)."""
    found: set[type] = set()
    for operation in _operations():
        answers = [m for m in operation.response_models.values() if inspect.isclass(m)]
        wrappers = [*operation.models, *answers]
        for wrapper in wrappers:
            for field in wrapper.model_fields.values():
                _models_in(field.annotation, found)
    return found


def test_no_two_schemas_share_a_component_name():
    by_name = collections.defaultdict(set)
    for model in _component_classes():
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}, f"rename so that each component name is one schema: {shared}"


def test_the_document_describes_each_operation_with_its_own_schemas():
    schemas = DOCUMENT["components"]["schemas"]
    assert "timeline" in schemas["CaseDetailOut"]["properties"]
    event = schemas[schemas["CaseDetailOut"]["properties"]["timeline"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"old_state", "new_state", "internal"} <= set(event["properties"])
    figures = schemas[schemas["MetricsOut"]["properties"]["figures"]["$ref"].rsplit("/", 1)[1]]
    assert {"reported", "rates", "ratings"} <= set(figures["properties"])
    services = DOCUMENT["paths"]["/api/v1/people/services"]["get"]["responses"][200]["content"]
    item = services["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[1]
    assert {"resident_id", "item", "status"} <= set(schemas[item]["properties"])


def test_every_operation_declares_its_errors_as_the_one_error_schema():
    assert set(DOCUMENT["components"]["schemas"]["ApiError"]["required"]) == {"code", "message"}
    missing = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            error = operation["responses"].get("4XX", {})
            schema = error.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") != "#/components/schemas/ApiError":
                missing.append(f"{method.upper()} {path}")
    assert missing == []


def test_an_operation_that_honours_the_idempotency_key_declares_the_header():
    honouring = [
        operation
        for operation in _operations()
        if "Idempotency-Key" in inspect.getsource(operation.view_func)
        or "idempotency_key" in inspect.signature(operation.view_func).parameters
    ]
    assert honouring, "the case report honours the header"
    for operation in honouring:
        params = [p for m in operation.models if m.__ninja_param_source__ == "header" for p in m.model_fields]
        assert params, f"{operation.view_func.__name__} reads Idempotency-Key without declaring it"
    submit = DOCUMENT["paths"]["/api/v1/cases/"]["post"]
    headers = {p["name"]: p for p in submit.get("parameters", []) if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    assert headers["Idempotency-Key"]["schema"].get("maxLength") == 64


def test_the_document_is_built_once_per_language_and_each_caller_gets_its_own_copy(monkeypatch):
    from django.utils import translation
    from ninja import NinjaAPI

    built = []
    build = NinjaAPI.get_openapi_schema

    def counted(self, **kwargs):
        built.append(translation.get_language())
        return build(self, **kwargs)

    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", counted)
    monkeypatch.setattr(api, "_openapi_documents", {}, raising=False)
    # when the document is asked for twice in Chinese and once in English
    with translation.override("zh-hans"):
        first = api.get_openapi_schema(path_prefix="/api/v1/")
        first["paths"].clear()  # a caller changing its copy
        second = api.get_openapi_schema(path_prefix="/api/v1/")
    with translation.override("en"):
        api.get_openapi_schema(path_prefix="/api/v1/")
    # then it was built once per language, and the second caller got the whole document
    assert built == ["zh-hans", "en"]
    assert second["paths"] == DOCUMENT["paths"]
