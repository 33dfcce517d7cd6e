"""Turn TOML/JSON documents into model objects and back: the cattrs edge of the package.

The model knows nothing of this module. Structuring is strict: unknown keys are errors
(with the nearest valid key suggested), scalars are not coerced (``weight = "heavy"`` is
an error, not a crash later), and every problem is reported with its key path.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from collections.abc import Mapping
from typing import Final

import attrs
import cattrs
from cattrs.errors import ClassValidationError
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.errors import IterableValidationError
from cattrs.gen import make_dict_structure_fn
from cattrs.gen import make_dict_unstructure_fn
from cattrs.gen import override

from partnerrules import model
from partnerrules.conditions import ConditionError
from partnerrules.errors import RulesetError
from partnerrules.errors import did_you_mean

#: Conditions nested deeper than this are refused (a ruleset is data, not a program).
MAX_CONDITION_DEPTH: Final = 32

_HEADS: Final = (
    "fact", "all", "any", "not", "count", "ratio", "any_item", "all_items", "use", "check"
)  # fmt: skip
_ALLOWED: Final = {
    "fact": ("fact", "op", "value"),
    "all": ("all",),
    "any": ("any",),
    "not": ("not",),
    "count": ("count", "where", "op", "value"),
    "ratio": ("ratio", "where", "op", "value"),
    "any_item": ("any_item", "where"),
    "all_items": ("all_items", "where"),
    "use": ("use",),
    "check": ("check", "params"),
}
_ALL_KEYS: Final = sorted({k for keys in _ALLOWED.values() for k in keys})


def _type_name(value: object) -> str:
    names = {
        str: "text",
        int: "integer",
        float: "number",
        bool: "true/false",
        list: "list",
        dict: "table",
    }
    return names.get(type(value), type(value).__name__)


def structure_condition(data: object, where: str = "", depth: int = 0) -> model.Condition:
    """Structure one condition table, naming the key path of any problem.

    :raises ConditionError: with ``where`` relative to the condition's own key
    """
    if depth > MAX_CONDITION_DEPTH:
        raise ConditionError(where, f"conditions nest deeper than {MAX_CONDITION_DEPTH} levels")
    if not isinstance(data, dict):
        raise ConditionError(
            where,
            f"expected a condition table such as {{fact = ..., op = ...}}, got {_type_name(data)}",
        )
    heads = [k for k in _HEADS if k in data]
    if not heads:
        unknown = [k for k in data if k not in _ALL_KEYS]
        hint = did_you_mean(unknown[0], _HEADS) if unknown else ""
        raise ConditionError(
            where,
            f"a condition needs exactly one of {', '.join(_HEADS)}; got keys"
            f" {', '.join(map(repr, data)) or 'none'}{hint}",
        )
    if len(heads) > 1:
        raise ConditionError(
            where,
            f"a condition takes one of {', '.join(heads)}, not several;"
            " combine them with 'all' or 'any'",
        )
    head = heads[0]
    for key in data:
        if key not in _ALLOWED[head]:
            hint = did_you_mean(key, _ALLOWED[head])
            raise ConditionError(
                _join(where, key), f"unknown key {key!r} in a {head!r} condition{hint}"
            )

    def sub(value: object, key: str) -> model.Condition:
        return structure_condition(value, _join(where, key), depth + 1)

    if head == "fact":
        fact, op = data["fact"], data.get("op")
        if not isinstance(fact, str):
            raise ConditionError(
                _join(where, "fact"), f"expected a fact path (text), got {_type_name(fact)}"
            )
        if op is None:
            raise ConditionError(where, "a fact test needs 'op' (for example op = \"filled\")")
        if not isinstance(op, str):
            raise ConditionError(
                _join(where, "op"), f"expected an operator name (text), got {_type_name(op)}"
            )
        return model.FactTest(fact=fact, op=op, value=data.get("value"))
    if head in ("all", "any"):
        items = data[head]
        if not isinstance(items, list) or not items:
            raise ConditionError(_join(where, head), "expected a non-empty list of conditions")
        parts = tuple(
            structure_condition(c, f"{_join(where, head)}[{i}]", depth + 1)
            for i, c in enumerate(items)
        )
        return model.AllOf(parts) if head == "all" else model.AnyOf(parts)
    if head == "not":
        return model.Not(sub(data["not"], "not"))
    if head == "check":
        name, params = data["check"], data.get("params", {})
        if not isinstance(name, str):
            raise ConditionError(
                _join(where, "check"), f"expected a check name, got {_type_name(name)}"
            )
        if not isinstance(params, dict):
            raise ConditionError(
                _join(where, "params"), f"expected a table, got {_type_name(params)}"
            )
        return model.CheckCall(name, params)
    if head == "use":
        name = data["use"]
        if not isinstance(name, str):
            raise ConditionError(
                _join(where, "use"), f"expected a condition name, got {_type_name(name)}"
            )
        return model.UseCondition(name)
    over = data[head]
    if not isinstance(over, str):
        raise ConditionError(
            _join(where, head), f"expected the path of a list fact, got {_type_name(over)}"
        )
    where_c = sub(data["where"], "where") if "where" in data else None
    op = data.get("op")
    if op is not None and not isinstance(op, str):
        raise ConditionError(
            _join(where, "op"), f"expected a comparison such as '>=', got {_type_name(op)}"
        )
    value = data.get("value")
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise ConditionError(_join(where, "value"), f"expected a number, got {value!r}")
    return model.Quantified(model.Quantifier(head), over, where_c, op, value)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def unstructure_condition(cond: model.Condition) -> dict[str, object]:
    """Turn a condition back into its TOML/JSON shape."""
    if isinstance(cond, model.FactTest):
        out: dict[str, object] = {"fact": cond.fact, "op": cond.op}
        if cond.value is not None:
            out["value"] = cond.value
        return out
    if isinstance(cond, model.AllOf):
        return {"all": [unstructure_condition(c) for c in cond.conditions]}
    if isinstance(cond, model.AnyOf):
        return {"any": [unstructure_condition(c) for c in cond.conditions]}
    if isinstance(cond, model.Not):
        return {"not": unstructure_condition(cond.condition)}
    if isinstance(cond, model.UseCondition):
        return {"use": cond.name}
    if isinstance(cond, model.CheckCall):
        return (
            {"check": cond.name, "params": dict(cond.params)}
            if cond.params
            else {"check": cond.name}
        )
    out = {str(cond.quantifier): cond.over}
    if cond.where is not None:
        out["where"] = unstructure_condition(cond.where)
    if cond.op is not None:
        out["op"] = cond.op
    if cond.value is not None:
        out["value"] = cond.value
    return out


def _strict(kind: type, label: str) -> Callable[[object, type], object]:
    def structure(value: object, _: type) -> object:
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise TypeError(f"expected {label}, got {_type_name(value)} {value!r}")
        return value

    return structure


def _enum_hook(value: object, cls: type[enum.StrEnum]) -> enum.StrEnum:
    choices = [m.value for m in cls]
    if isinstance(value, str) and value in choices:
        return cls(value)
    hint = did_you_mean(value, choices) if isinstance(value, str) else ""
    raise ValueError(f"expected one of {', '.join(choices)}; got {value!r}{hint}")


def _condition_hook(value: object, _: type) -> model.Condition:
    return structure_condition(value)


def _texts(value: object, _: type) -> tuple[str, ...]:
    """Structure a list of text; a single text is a list of one."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"expected a list of text, got {_type_name(value)} {value!r}")
    return tuple(value)


def _plain_mapping(value: object, _: type) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a table, got {_type_name(value)}")
    return value


def make_converter() -> cattrs.Converter:
    """Return the converter for rulesets and results (never the global one)."""
    c = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    c.register_structure_hook(str, _strict(str, "text"))
    c.register_structure_hook(int, _strict(int, "an integer"))
    c.register_structure_hook(float, _strict(float, "a number"))
    c.register_structure_hook(bool, _strict(bool, "true or false"))
    for enum_cls in (model.Status, model.Severity, model.Quantifier, model.FactType):
        # Registered by class: StrEnums are str subclasses, so the strict str hook would
        # otherwise take them.
        c.register_structure_hook(enum_cls, _enum_hook)
    c.register_structure_hook_func(lambda t: t == model.Condition, _condition_hook)
    c.register_structure_hook_func(
        lambda t: t == model.Condition | None,
        lambda v, _: None if v is None else structure_condition(v),
    )
    c.register_structure_hook_func(lambda t: t == Mapping[str, object], _plain_mapping)
    c.register_structure_hook_func(lambda t: t == tuple[str, ...], _texts)
    c.register_structure_hook_func(
        lambda t: t == Mapping[str, model.Condition],
        lambda v, _: {k: _named_condition(k, cond) for k, cond in _plain_mapping(v, dict).items()},
    )
    c.register_structure_hook(
        model.Ruleset,
        make_dict_structure_fn(
            model.Ruleset, c, origin=override(omit=True), _cattrs_forbid_extra_keys=True
        ),
    )
    c.register_structure_hook(
        model.Rule,
        make_dict_structure_fn(
            model.Rule, c, citation=override(omit=True), _cattrs_forbid_extra_keys=True
        ),
    )
    for cls in (
        model.CheckCall,
        model.FactTest,
        model.AllOf,
        model.AnyOf,
        model.Not,
        model.Quantified,
        model.UseCondition,
    ):
        c.register_unstructure_hook(cls, unstructure_condition)
    c.register_unstructure_hook(
        model.Ruleset, make_dict_unstructure_fn(model.Ruleset, c, origin=override(omit=True))
    )
    c.register_unstructure_hook(
        model.Rule, make_dict_unstructure_fn(model.Rule, c, citation=override(omit=True))
    )
    return c


def _named_condition(name: str, data: object) -> model.Condition:
    try:
        return structure_condition(data)
    except ConditionError as exc:
        raise ConditionError(_join(name, exc.where), exc.message) from None


_CONVERTER = make_converter()

#: Fields the loader fills in, which are not keys of a ruleset file.
_DERIVED_FIELDS: Final = frozenset({"origin", "citation"})


def structure_ruleset(data: Mapping[str, object], origin: str) -> model.Ruleset:
    """Structure a parsed ruleset document.

    :raises RulesetError: listing every problem with its rule id and key path
    """
    if not isinstance(data, dict):
        raise RulesetError(origin, ["expected a table at the top of the ruleset"])
    try:
        ruleset = _CONVERTER.structure(data, model.Ruleset)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        problems = flatten_errors(exc, "$")
        raise RulesetError(origin, [describe(data, path, msg) for path, msg in problems]) from None
    return attrs.evolve(ruleset, origin=origin, rules=with_citations(ruleset))


def with_citations(ruleset: model.Ruleset) -> tuple[model.Rule, ...]:
    """Return the rules with each one's full source citation filled in."""
    sources = {s.id: s.citation for s in ruleset.ruleset.sources}
    rules = []
    for rule in ruleset.rules:
        citation = sources.get(rule.source, rule.source)
        if rule.source_detail:
            citation = f"{citation} {rule.source_detail}."
        rules.append(attrs.evolve(rule, citation=citation))
    return tuple(rules)


def structure_fact_specs(data: Mapping[str, object], origin: str) -> list[model.FactSpec]:
    """Structure the ``[[facts]]`` of a vocabulary file.

    :raises RulesetError: listing every problem with its key path
    """
    extra = sorted(set(data) - {"facts"})
    if extra:
        raise RulesetError(
            origin, [f"$.{key}: unknown key; expected only [[facts]]" for key in extra]
        )
    try:
        return _CONVERTER.structure(data.get("facts", []), list[model.FactSpec])
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        problems = flatten_errors(exc, "$.facts")
        raise RulesetError(origin, [f"{path}: {msg}" for path, msg in problems]) from None


def flatten_errors(exc: BaseException, path: str) -> list[tuple[str, str]]:
    """Walk a cattrs validation error into (key path, message) pairs."""
    if isinstance(exc, ClassValidationError):
        out: list[tuple[str, str]] = []
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            out.extend(flatten_errors(inner, f"{path}.{note.name}"))
        for inner in without:
            out.extend(flatten_errors(inner, path))
        return out
    if isinstance(exc, IterableValidationError):
        out = []
        with_index, without = exc.group_exceptions()
        for inner, inote in with_index:
            out.extend(flatten_errors(inner, f"{path}[{inote.index}]"))
        for inner in without:
            out.extend(flatten_errors(inner, path))
        return out
    if isinstance(exc, ForbiddenExtraKeysError):
        fields = [f.name for f in attrs.fields(exc.cl) if f.name not in _DERIVED_FIELDS]
        return [
            (
                f"{path}.{key}",
                f"unknown key {key!r}{did_you_mean(key, fields)}"
                f" (expected keys: {', '.join(fields)})",
            )
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, ConditionError):
        return [(_join(path, exc.where) if exc.where else path, exc.message)]
    if isinstance(exc, KeyError):
        return [(path, "required key is missing")]
    return [(path, str(exc))]


def describe(data: Mapping[str, object], path: str, message: str) -> str:
    """Prefix a problem with the rule id it concerns, when the path is inside a rule."""
    for section, label in (("rules", "rule"), ("tests", "test"), ("groups", "group")):
        prefix = f"$.{section}["
        if path.startswith(prefix):
            index = int(path[len(prefix) : path.index("]")])
            items = data.get(section)
            if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
                key = "name" if section == "tests" else "id"
                ident = items[index].get(key)
                if isinstance(ident, str):
                    return f"{label} {ident!r} ({path}): {message}"
    return f"{path}: {message}"


def unstructure(obj: object) -> object:
    """Unstructure any model object into JSON-compatible builtins."""
    return _CONVERTER.unstructure(obj)
