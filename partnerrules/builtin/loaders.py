"""The built-in fact loaders: TOML and JSON, chosen by the file's extension."""

from __future__ import annotations

import json
from collections.abc import Mapping

import tomli

from partnerrules import RegisterFactLoader
from partnerrules import hookimpl


def load_toml(data: bytes | None, origin: str) -> Mapping[str, object]:
    """Parse a TOML facts file."""
    if data is None:
        raise ValueError("the TOML loader reads files, not source addresses")
    try:
        return tomli.loads(data.decode("utf-8"))
    except tomli.TOMLDecodeError as exc:
        line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        where = f" at line {line}, column {col}" if line is not None else ""
        raise ValueError(f"invalid TOML{where}: {getattr(exc, 'msg', exc)}") from None


def _json_kind(doc: object) -> str:
    """Name the kind of a JSON value in JSON's own terms (not Python's)."""
    if doc is None:
        return "null"
    if isinstance(doc, bool):
        return "true/false"
    if isinstance(doc, int | float):
        return "a number"
    if isinstance(doc, str):
        return "a string"
    return "a list (JSON array)" if isinstance(doc, list) else f"a {type(doc).__name__}"


def load_json(data: bytes | None, origin: str) -> Mapping[str, object]:
    """Parse a JSON facts file."""
    if data is None:
        raise ValueError("the JSON loader reads files, not source addresses")
    try:
        doc = json.loads(data.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(doc, dict):
        raise ValueError(  # noqa: TRY004 - bad content, reported like any other parse error
            f"the facts must be a JSON object (a table of facts), not {_json_kind(doc)}"
        )
    return doc


@hookimpl
def register_fact_loaders(register: RegisterFactLoader) -> None:
    """Register the TOML and JSON loaders."""
    register("toml", load_toml, extensions=[".toml"], description="TOML facts files")
    register("json", load_json, extensions=[".json"], description="JSON facts files")
