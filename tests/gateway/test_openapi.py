"""The staff API is typed: every `/api/staff` and `/api/auth` operation declares what it answers, so the
console (and any other client) can rely on the OpenAPI document rather than on reading the routes."""

from __future__ import annotations

from typing import Any

from api.main import create_app

STAFF_PREFIXES = ("/api/staff", "/api/auth")


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _free_form(schema: dict[str, Any], spec: dict[str, Any]) -> bool:
    """An object without named properties (a bare `dict`), or an array of such objects, or no schema."""
    schema = _resolve(schema, spec)
    if not schema:
        return True
    if schema.get("type") == "array":
        return _free_form(schema.get("items", {}), spec)
    if "anyOf" in schema:
        return any(_free_form(option, spec) for option in schema["anyOf"] if option.get("type") != "null")
    return schema.get("type", "object") == "object" and not schema.get("properties")


def untyped_staff_operations() -> list[str]:
    spec = create_app().openapi()
    untyped = []
    for path, operations in spec["paths"].items():
        if not path.startswith(STAFF_PREFIXES):
            continue
        for method, operation in operations.items():
            answers = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
            schemas = [
                media.get("schema") or media.get("itemSchema") or {}  # itemSchema: one event of a stream
                for answer in answers.values()
                for media in answer.get("content", {}).values()
            ]
            if not schemas or any(_free_form(schema, spec) for schema in schemas):
                untyped.append(f"{method.upper()} {path}")
    return untyped


def test_every_staff_operation_declares_a_typed_answer() -> None:
    assert untyped_staff_operations() == []


def test_the_check_catches_a_free_form_answer() -> None:
    spec = {"components": {"schemas": {"Loose": {"type": "object", "additionalProperties": True}}}}
    assert _free_form({"$ref": "#/components/schemas/Loose"}, spec)
    assert _free_form({"type": "array", "items": {"type": "object"}}, spec)
    assert not _free_form({"type": "object", "properties": {"total": {"type": "integer"}}}, spec)
