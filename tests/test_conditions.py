"""The condition compiler and the built-in operators: paths, Kleene logic, quantifiers."""

from __future__ import annotations

import datetime
import pickle

import pytest

from partnerrules.conditions import ABSENT
from partnerrules.conditions import STAR
from partnerrules.conditions import CompiledCondition
from partnerrules.conditions import Compiler
from partnerrules.conditions import ConditionError
from partnerrules.conditions import Read
from partnerrules.conditions import compile_path
from partnerrules.conditions import format_path
from partnerrules.conditions import make_getter
from partnerrules.conditions import parse_path
from partnerrules.model import AllOf
from partnerrules.model import AnyOf
from partnerrules.model import Condition
from partnerrules.model import FactTest
from partnerrules.model import Not
from partnerrules.model import Quantified
from partnerrules.model import Quantifier
from partnerrules.model import UseCondition
from partnerrules.registry import Registry
from partnerrules.serde import structure_condition

T, F, U = True, False, None  # U: unknown

# --------------------------------------------------------------------------- helpers


def compile_condition(
    registry: Registry,
    condition: Condition | dict[str, object],
    named: dict[str, dict[str, object]] | None = None,
) -> CompiledCondition:
    """Compile a condition (a model object or a TOML-shaped dict) as a rule's ``when``."""
    cond = structure_condition(condition) if isinstance(condition, dict) else condition
    named_conditions = {name: structure_condition(c) for name, c in (named or {}).items()}
    return Compiler(registry.operators, named_conditions).compile(cond, "when")


def evaluate(
    registry: Registry,
    condition: Condition | dict[str, object],
    facts: dict[str, object],
    item: object = None,
) -> bool | None:
    """Compile a condition and test it once."""
    return compile_condition(registry, condition).evaluate(facts, item)


def apply_op(registry: Registry, op: str, value: object, fact: object) -> bool | None:
    """Apply one operator to one recorded fact value (``ABSENT``: not recorded)."""
    facts: dict[str, object] = {} if fact is ABSENT else {"x": fact}
    return evaluate(registry, FactTest("x", op, value), facts)


def compile_error(
    registry: Registry,
    condition: Condition | dict[str, object],
    named: dict[str, dict[str, object]] | None = None,
) -> ConditionError:
    """Return the error compiling a condition raises."""
    with pytest.raises(ConditionError) as info:
        compile_condition(registry, condition, named)
    return info.value


def kleene_facts(*values: bool | None) -> dict[str, object]:
    """Facts a, b, c... holding each value; ``None`` leaves the fact unrecorded."""
    return {name: v for name, v in zip("abcdef", values, strict=False) if v is not None}


def is_true(name: str) -> FactTest:
    """A test that is true, false or unknown exactly as the fact ``name`` is."""
    return FactTest(name, "==", True)


# --------------------------------------------------------------------------- fact paths


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("agreement", ("agreement",)),
        ("agreement.form", ("agreement", "form")),
        (
            "agreement.sections.resources.cash",
            ("agreement", "sections", "resources", "cash"),
        ),
        ("partners[0].name", ("partners", 0, "name")),
        ("partners[12]", ("partners", 12)),
        ("grid[1][2].cell", ("grid", 1, 2, "cell")),
        ("a.b[3].c[0]", ("a", "b", 3, "c", 0)),
        ("aims-objectives.success_criteria", ("aims-objectives", "success_criteria")),
        ("_private.X9", ("_private", "X9")),
        ("item.contact", ("item", "contact")),
    ],
    ids=[
        "one-name",
        "dotted",
        "four-deep",
        "list-index",
        "trailing-index",
        "two-indices",
        "mixed",
        "hyphen-underscore",
        "leading-underscore",
        "item",
    ],
)
def test_parse_path_splits_names_and_indices(path: str, keys: tuple[object, ...]) -> None:
    """A valid path splits into names and integer indices, and formats back unchanged."""
    assert parse_path(path) == keys
    assert format_path(keys) == path  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "path",
    [
        "",
        ".a",
        "a.",
        "a..b",
        "0abc",
        "a.1b",
        "a[x]",
        "a[-1]",
        "a[]",
        "a[0]b",
        "[0]",
        "a.[0]",
        "a b",
        " a",
        "a.b ",
        "agreement.form\n",
        "a/b",
        "a['b']",
        "é",
        None,
        3,
    ],
    ids=[
        "empty",
        "leading-dot",
        "trailing-dot",
        "double-dot",
        "starts-with-digit",
        "segment-starts-with-digit",
        "non-numeric-index",
        "negative-index",
        "empty-index",
        "text-after-index",
        "index-only",
        "dot-before-index",
        "inner-space",
        "leading-space",
        "trailing-space",
        "trailing-newline",
        "slash",
        "quoted-key",
        "non-ascii",
        "none",
        "number",
    ],
)
def test_parse_path_rejects_invalid_paths(path: object) -> None:
    """Anything but dotted names with [n] indices is a ValueError naming the path."""
    with pytest.raises(ValueError, match="invalid fact path") as info:
        parse_path(path)  # type: ignore[arg-type]
    assert repr(path) in str(info.value)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("item.contact", (True, ("contact",))),
        ("item.tasks[1].done", (True, ("tasks", 1, "done"))),
        ("item", (True, ())),
        ("items.contact", (False, ("items", "contact"))),
        ("partners[0]", (False, ("partners", 0))),
    ],
    ids=["item-key", "item-deep", "item-alone", "items-is-not-item", "facts-root"],
)
def test_compile_path_tells_item_reads_apart(
    path: str, expected: tuple[bool, tuple[object, ...]]
) -> None:
    """Only a first segment exactly ``item`` reads the current item."""
    assert compile_path(path) == expected


PARTNERS = {"partners": [{"name": "Acme", "contact": None}, {"name": "Beta"}]}


@pytest.mark.parametrize(
    ("keys", "doc", "expected"),
    [
        (("a",), {"a": 1}, 1),
        (("a",), {"a": "text"}, "text"),
        (("a",), {"a": False}, False),
        (("a",), {"a": 0}, 0),
        (("a",), {"a": ""}, ""),
        (("a",), {"a": [1, 2]}, [1, 2]),
        (("a",), {}, ABSENT),
        (("a",), {"a": None}, ABSENT),
        (("a",), {"a": "unknown"}, ABSENT),
        (("a",), {"a": "Unknown"}, ABSENT),
        (("a",), {"a": "UNKNOWN"}, ABSENT),
        (("a",), {"a": "unknown yet"}, "unknown yet"),
        (("a",), ["a"], ABSENT),
        (("a",), "a", ABSENT),
        (("a",), None, ABSENT),
        (("a", "b"), {"a": {"b": 2}}, 2),
        (("a", "b"), {"a": {}}, ABSENT),
        (("a", "b"), {"a": 5}, ABSENT),
        (("a", "b"), {"a": "unknown"}, ABSENT),
        (("a", "b"), {"a": {"b": "unknown"}}, ABSENT),
        (("a", "b"), {"a": [{"b": 1}]}, ABSENT),
        (("a", "b", "c"), {"a": {"b": {"c": "x"}}}, "x"),
        (("a", "b", "c"), {"a": {"b": None}}, ABSENT),
        (("a", "b", "c"), {"a": {"b": {"c": None}}}, ABSENT),
        (("a", "b", "c"), {"a": {"b": {"c": "unknown"}}}, ABSENT),
        (("a", "b", "c", "d"), {"a": {"b": {"c": {"d": 0}}}}, 0),
        (("a", "b", "c", "d"), {"a": {"b": {"c": {"d": "UNKNOWN"}}}}, ABSENT),
        (("a", "b", "c", "d"), {"a": {"b": {"c": None}}}, ABSENT),
        (("a", "b", "c", "d"), {"a": {"b": "c"}}, ABSENT),
        (("partners", 1, "name"), PARTNERS, "Beta"),
        (("partners", 0, "contact"), PARTNERS, ABSENT),
        (("partners", 1, "contact"), PARTNERS, ABSENT),
        (("partners", 2, "name"), PARTNERS, ABSENT),
        (("partners", 0), {"partners": []}, ABSENT),
        (("partners", 0, "name"), {"partners": {"0": {"name": "A"}}}, ABSENT),
        (("partners", "name"), PARTNERS, ABSENT),
        (("partners", 0), {"partners": "Acme"}, ABSENT),
        (("xs", 0), {"xs": [None]}, ABSENT),
        (("xs", 0), {"xs": ["unknown"]}, ABSENT),
        (("xs", 1), {"xs": ["a", "b"]}, "b"),
        (("grid", 1, 0), {"grid": [[1], [2, 3]]}, 2),
        (("grid", 0, 1), {"grid": [[1], [2, 3]]}, ABSENT),
        ((), {"k": 1}, {"k": 1}),
        ((), "unknown", ABSENT),
        ((), None, ABSENT),
    ],
    ids=[
        "1-present",
        "1-text",
        "1-false-is-a-value",
        "1-zero-is-a-value",
        "1-empty-text-is-a-value",
        "1-list",
        "1-absent-key",
        "1-null",
        "1-unknown",
        "1-Unknown",
        "1-UNKNOWN",
        "1-unknown-in-a-sentence",
        "1-doc-is-list",
        "1-doc-is-text",
        "1-doc-is-none",
        "2-present",
        "2-absent-key",
        "2-parent-is-number",
        "2-parent-unknown",
        "2-unknown",
        "2-parent-is-list",
        "3-present",
        "3-parent-null",
        "3-null",
        "3-unknown",
        "4-present",
        "4-unknown",
        "4-parent-null",
        "4-parent-is-text",
        "index-present",
        "index-null-field",
        "index-absent-field",
        "index-out-of-range",
        "index-into-empty-list",
        "index-into-table",
        "name-into-list",
        "index-into-text",
        "index-null-element",
        "index-unknown-element",
        "index-plain-element",
        "two-indices",
        "two-indices-out-of-range",
        "no-keys",
        "no-keys-unknown",
        "no-keys-none",
    ],
)
def test_make_getter_reads_or_returns_absent(
    keys: tuple[str | int, ...], doc: object, expected: object
) -> None:
    """A getter returns the value, or ABSENT for missing keys, null, 'unknown' and bad types."""
    value = make_getter(keys)(doc)
    if expected is ABSENT:
        assert value is ABSENT
    else:
        assert value == expected
        assert type(value) is type(expected)


def _reference_get(keys: tuple[str | int, ...], doc: object) -> object:
    """A plain reading of make_getter's contract, to compare its fast paths with."""
    value = doc
    for key in keys:
        if isinstance(key, int):
            if not isinstance(value, list) or key >= len(value):
                return ABSENT
            value = value[key]
        else:
            if not isinstance(value, dict) or key not in value:
                return ABSENT
            value = value[key]
        if value is None:
            return ABSENT
    if value is None or (type(value) is str and value in {"unknown", "Unknown", "UNKNOWN"}):
        return ABSENT
    return value


_DOCS: list[object] = [
    {},
    None,
    [],
    "unknown",
    {"a": None},
    {"a": "unknown"},
    {"a": 1},
    {"a": {"b": None}},
    {"a": {"b": "unknown"}},
    {"a": {"b": [1, {"c": "x"}]}},
    {"a": {"b": {"c": None}}},
    {"a": {"b": {"c": "UNKNOWN"}}},
    {"a": {"b": {"c": {"d": "deep"}}}},
    {"a": {"b": {"c": {"d": {"e": False}}}}},
    {"a": {"b": {"c": {"d": {"e": "unknown"}}}}},
    {"a": [{"b": {"c": 3}}]},
]


@pytest.mark.parametrize(
    "keys",
    [
        ("a",),
        ("a", "b"),
        ("a", "b", "c"),
        ("a", "b", "c", "d"),
        ("a", "b", "c", "d", "e"),
        ("a", "b", 1, "c"),
        ("a", 0, "b", "c"),
    ],
    ids=["depth-1", "depth-2", "depth-3", "depth-4", "depth-5", "index-inner", "index-first"],
)
def test_make_getter_fast_paths_agree_with_the_general_reading(
    keys: tuple[str | int, ...],
) -> None:
    """The specialised 1-, 2- and 3-key getters read exactly as the general one does."""
    get = make_getter(keys)
    for doc in _DOCS:
        expected = _reference_get(keys, doc)
        value = get(doc)
        assert (value is ABSENT) is (expected is ABSENT), (keys, doc)
        assert value == expected, (keys, doc)


def test_absent_is_a_picklable_singleton() -> None:
    """ABSENT survives pickling as the same object, so worker processes can compare by identity."""
    assert pickle.loads(pickle.dumps(ABSENT)) is ABSENT
    assert repr(ABSENT) == "ABSENT"


# --------------------------------------------------------------------------- Kleene logic

_TRUTH = [T, F, U]
_NAMES = {T: "T", F: "F", U: "U"}
_PAIRS = [(a, b) for a in _TRUTH for b in _TRUTH]
_PAIR_IDS = [f"{_NAMES[a]}-{_NAMES[b]}" for a, b in _PAIRS]

_AND = {
    (T, T): T,
    (T, F): F,
    (T, U): U,
    (F, T): F,
    (F, F): F,
    (F, U): F,
    (U, T): U,
    (U, F): F,
    (U, U): U,
}
_OR = {
    (T, T): T,
    (T, F): T,
    (T, U): T,
    (F, T): T,
    (F, F): F,
    (F, U): U,
    (U, T): T,
    (U, F): U,
    (U, U): U,
}


@pytest.mark.parametrize(("a", "b"), _PAIRS, ids=_PAIR_IDS)
def test_all_of_two_follows_kleene_conjunction(registry: Registry, a: bool, b: bool) -> None:
    """``all`` of two is false if either is false, else unknown if either is unknown."""
    cond = AllOf((is_true("a"), is_true("b")))
    assert evaluate(registry, cond, kleene_facts(a, b)) is _AND[a, b]


@pytest.mark.parametrize(("a", "b"), _PAIRS, ids=_PAIR_IDS)
def test_any_of_two_follows_kleene_disjunction(registry: Registry, a: bool, b: bool) -> None:
    """``any`` of two is true if either is true, else unknown if either is unknown."""
    cond = AnyOf((is_true("a"), is_true("b")))
    assert evaluate(registry, cond, kleene_facts(a, b)) is _OR[a, b]


_TRIPLES = [(a, b, c) for a in _TRUTH for b in _TRUTH for c in _TRUTH]
_TRIPLE_IDS = [f"{_NAMES[a]}-{_NAMES[b]}-{_NAMES[c]}" for a, b, c in _TRIPLES]


def _kleene_and(values: tuple[bool | None, ...]) -> bool | None:
    if F in values:
        return F
    return U if U in values else T


def _kleene_or(values: tuple[bool | None, ...]) -> bool | None:
    if T in values:
        return T
    return U if U in values else F


@pytest.mark.parametrize(("a", "b", "c"), _TRIPLES, ids=_TRIPLE_IDS)
def test_all_and_any_of_three_follow_kleene(
    registry: Registry, a: bool | None, b: bool | None, c: bool | None
) -> None:
    """With three parts (the general path) ``all``/``any`` still follow Kleene's tables."""
    parts = (is_true("a"), is_true("b"), is_true("c"))
    facts = kleene_facts(a, b, c)
    assert evaluate(registry, AllOf(parts), facts) is _kleene_and((a, b, c))
    assert evaluate(registry, AnyOf(parts), facts) is _kleene_or((a, b, c))


@pytest.mark.parametrize("a", _TRUTH, ids=["T", "F", "U"])
def test_single_part_all_and_any_are_the_part(registry: Registry, a: bool | None) -> None:
    """``all``/``any`` of one condition give exactly that condition's value."""
    facts = kleene_facts(a)
    assert evaluate(registry, AllOf((is_true("a"),)), facts) is a
    assert evaluate(registry, AnyOf((is_true("a"),)), facts) is a


@pytest.mark.parametrize(
    ("a", "expected"), [(T, F), (F, T), (U, U)], ids=["not-T", "not-F", "not-U"]
)
def test_not_is_kleene_negation(registry: Registry, a: bool | None, expected: bool | None) -> None:
    """``not`` swaps true and false and keeps unknown unknown."""
    assert evaluate(registry, Not(is_true("a")), kleene_facts(a)) is expected
    assert evaluate(registry, Not(Not(is_true("a"))), kleene_facts(a)) is a


def test_all_stops_at_the_first_false(registry: Registry) -> None:
    """A false part settles ``all`` even when later parts would be unknown."""
    cond = {
        "all": [
            {"fact": "a", "op": "filled"},
            {"fact": "b", "op": "filled"},
            {"fact": "c", "op": "filled"},
        ]
    }
    assert evaluate(registry, cond, {"a": "tbd"}) is False
    assert evaluate(registry, cond, {"a": "done"}) is None
    assert evaluate(registry, cond, {"a": "done", "b": "done", "c": "done"}) is True


# One valid value per built-in operator; a new operator must be added here (see below).
OPERATOR_VALUES: dict[str, object] = {
    "==": "x",
    "!=": "x",
    "<": 1,
    "<=": 1,
    ">": 1,
    ">=": 1,
    "in": ["x", "y"],
    "not_in": ["x", "y"],
    "contains": "x",
    "contains_all": ["x", "y"],
    "contains_any": ["x", "y"],
    "exists": None,
    "missing": None,
    "filled": None,
    "judged": ["yes", "partly"],
    "at_least": "partly",
    "yes": None,
    "partly": None,
    "no": None,
}
TWO_VALUED = {"exists", "missing"}
THREE_VALUED = sorted(set(OPERATOR_VALUES) - TWO_VALUED)


def test_builtin_operators_are_exactly_the_documented_ones(registry: Registry) -> None:
    """The built-in plugin registers these operators, and only exists/missing read absence."""
    assert set(registry.operators) == set(OPERATOR_VALUES)
    assert {n for n, s in registry.operators.items() if s.reads_absent} == TWO_VALUED
    assert {s.plugin for s in registry.operators.values()} == {"partnerrules.builtin.operators"}


@pytest.mark.parametrize(
    "facts",
    [{}, {"x": None}, {"x": "unknown"}, {"x": "UNKNOWN"}],
    ids=["not-recorded", "null", "unknown", "UNKNOWN"],
)
@pytest.mark.parametrize("op", THREE_VALUED, ids=THREE_VALUED)
def test_every_operator_is_unknown_on_an_absent_fact(
    registry: Registry, op: str, facts: dict[str, object]
) -> None:
    """A fact that is not recorded makes every three-valued operator unknown, never false."""
    test = compile_condition(registry, FactTest("x", op, OPERATOR_VALUES[op])).evaluate
    assert test(facts, None) is None
    negated = compile_condition(registry, Not(FactTest("x", op, OPERATOR_VALUES[op]))).evaluate
    assert negated(facts, None) is None


@pytest.mark.parametrize("op", THREE_VALUED, ids=THREE_VALUED)
def test_every_operator_is_unknown_on_an_absent_item_field(registry: Registry, op: str) -> None:
    """``item.`` paths are three-valued too: an item without the field gives unknown."""
    test = compile_condition(registry, FactTest("item.x", op, OPERATOR_VALUES[op])).evaluate
    assert test({"x": "facts are not the item"}, {"other": 1}) is None
    assert test({}, "not a table") is None


# --------------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    ("op", "fact", "value", "expected"),
    [
        ("==", 3, 3, T),
        ("==", 3, 4, F),
        ("==", 1.0, 1, T),
        ("==", "Yes", "yes", F),
        ("==", "yes", "yes", T),
        ("==", "1", 1, F),
        ("==", True, True, T),
        ("==", True, 1, F),
        ("==", 0, False, F),
        ("==", [1], 1, F),
        ("!=", 3, 4, T),
        ("!=", 3, 3, F),
        ("!=", True, 1, T),
        ("!=", "a", "a", F),
        ("<", 1, 2, T),
        ("<", 2, 2, F),
        ("<", 2.5, 3, T),
        ("<=", 2, 2, T),
        ("<=", 3, 2, F),
        (">", 3, 2, T),
        (">", 2, 2, F),
        (">=", 2, 2, T),
        (">=", 1, 2, F),
        ("<", "abc", "abd", T),
        (">", True, False, T),
        ("<", datetime.date(2024, 9, 1), datetime.date(2025, 1, 1), T),
        (">=", datetime.date(2024, 9, 1), datetime.date(2025, 1, 1), F),
        ("<", "a", 1, U),
        (">=", "2", 1, U),
        ("<=", 1, "2", U),
        ("<", True, 2, U),
        (">", 1, False, U),
        (">=", False, 0, U),
        ("<", [1], 2, U),
        ("<", {"a": 1}, 2, U),
        ("<", datetime.date(2024, 1, 1), datetime.datetime(2024, 1, 2), U),
        ("<", datetime.date(2024, 1, 1), "2025-01-01", U),
    ],
    ids=[
        "eq-int",
        "eq-int-false",
        "eq-float-int",
        "eq-text-is-exact",
        "eq-text",
        "eq-text-vs-number",
        "eq-bools",
        "eq-bool-vs-int",
        "eq-int-vs-bool",
        "eq-list-vs-int",
        "ne-int",
        "ne-int-false",
        "ne-bool-vs-int",
        "ne-text-false",
        "lt",
        "lt-equal",
        "lt-float",
        "le-equal",
        "le-false",
        "gt",
        "gt-equal",
        "ge-equal",
        "ge-false",
        "lt-text",
        "gt-bools",
        "lt-dates",
        "ge-dates-false",
        "lt-text-vs-number",
        "ge-text-vs-number",
        "le-number-vs-text",
        "lt-bool-vs-int",
        "gt-int-vs-bool",
        "ge-bool-vs-int",
        "lt-list",
        "lt-table",
        "lt-date-vs-datetime",
        "lt-date-vs-text",
    ],
)
def test_comparisons(
    registry: Registry, op: str, fact: object, value: object, expected: bool | None
) -> None:
    """Comparisons give true/false for comparable values and unknown for incomparable ones."""
    assert apply_op(registry, op, value, fact) is expected


@pytest.mark.parametrize(
    ("op", "fact", "value", "expected"),
    [
        ("in", "b", ["a", "b"], T),
        ("in", "c", ["a", "b"], F),
        ("in", "B", ["a", "b"], F),
        ("in", 1, [1.0, 2], T),
        ("in", True, [1, 2], F),
        ("in", 1, [True], F),
        ("in", True, [True, "yes"], T),
        ("in", ["a"], ["a", "b"], U),
        ("in", {"a": 1}, ["a"], U),
        ("not_in", "c", ["a", "b"], T),
        ("not_in", "a", ["a", "b"], F),
        ("not_in", True, [1], T),
        ("not_in", ["a"], ["a", "b"], U),
        ("not_in", {}, ["a"], U),
    ],
    ids=[
        "in",
        "in-false",
        "in-case-sensitive",
        "in-number",
        "in-bool-vs-int",
        "in-int-vs-bool",
        "in-bool",
        "in-list-fact",
        "in-table-fact",
        "not-in",
        "not-in-false",
        "not-in-bool-vs-int",
        "not-in-list-fact",
        "not-in-table-fact",
    ],
)
def test_membership(
    registry: Registry, op: str, fact: object, value: object, expected: bool | None
) -> None:
    """``in``/``not_in`` compare one value with the listed ones; a list or table is unknown."""
    assert apply_op(registry, op, value, fact) is expected


_TEXT = "Steering group (termly) and operational group (monthly)"


@pytest.mark.parametrize(
    ("op", "fact", "value", "expected"),
    [
        ("contains", ["alpha", "beta"], "beta", T),
        ("contains", ["alpha", "beta"], "Beta", F),
        ("contains", ["alpha", "beta"], "gamma", F),
        ("contains", [], "alpha", F),
        ("contains", [1, 2], 2, T),
        ("contains", [1, 2], True, F),
        ("contains", [True], True, T),
        ("contains", _TEXT, "operational", T),
        ("contains", _TEXT, "STEERING GROUP", T),
        ("contains", _TEXT, "board", F),
        ("contains", _TEXT, 3, U),
        ("contains", 42, 4, U),
        ("contains", {"alpha": 1}, "alpha", U),
        ("contains_all", ["a", "b", "c"], ["a", "c"], T),
        ("contains_all", ["a", "b", "c"], ["a", "d"], F),
        ("contains_all", _TEXT, ["steering", "Operational"], T),
        ("contains_all", _TEXT, ["steering", "board"], F),
        ("contains_all", _TEXT, ["steering", 1], U),
        ("contains_all", _TEXT, ["board", 1], F),
        ("contains_all", 5, ["a"], U),
        ("contains_any", ["a", "b"], ["b", "z"], T),
        ("contains_any", ["a", "b"], ["y", "z"], F),
        ("contains_any", _TEXT, ["board", "GROUP"], T),
        ("contains_any", _TEXT, ["board", "panel"], F),
        ("contains_any", _TEXT, ["group", 1], T),
        ("contains_any", _TEXT, ["board", 1], U),
        ("contains_any", {"a": 1}, ["a"], U),
    ],
    ids=[
        "list",
        "list-is-case-sensitive",
        "list-false",
        "empty-list",
        "list-number",
        "list-int-vs-bool",
        "list-bool",
        "text",
        "text-ignores-case",
        "text-false",
        "text-number-value",
        "number-fact",
        "table-fact",
        "all-list",
        "all-list-false",
        "all-text",
        "all-text-false",
        "all-text-one-unknown",
        "all-text-one-false-one-unknown",
        "all-number-fact",
        "any-list",
        "any-list-false",
        "any-text",
        "any-text-false",
        "any-text-one-true-one-unknown",
        "any-text-one-unknown",
        "any-table-fact",
    ],
)
def test_contains_operators(
    registry: Registry, op: str, fact: object, value: object, expected: bool | None
) -> None:
    """``contains*`` read lists exactly and text ignoring case; other facts are unknown."""
    assert apply_op(registry, op, value, fact) is expected


@pytest.mark.parametrize(
    ("fact", "recorded"),
    [
        ("text", T),
        ("", T),
        (False, T),
        (0, T),
        ([], T),
        ("tbd", T),
        (ABSENT, F),
        (None, F),
        ("unknown", F),
    ],
    ids=[
        "text",
        "empty-text",
        "false",
        "zero",
        "empty-list",
        "placeholder",
        "not-recorded",
        "null",
        "unknown",
    ],
)
def test_exists_and_missing_are_two_valued(
    registry: Registry, fact: object, recorded: bool
) -> None:
    """``exists``/``missing`` read absence itself: never unknown, always opposite."""
    assert apply_op(registry, "exists", None, fact) is recorded
    assert apply_op(registry, "missing", None, fact) is (not recorded)


def test_exists_and_missing_read_item_fields(registry: Registry) -> None:
    """On ``item.`` paths, ``exists``/``missing`` look in the item, not in the facts."""
    exists = compile_condition(registry, FactTest("item.contact", "exists")).evaluate
    missing = compile_condition(registry, FactTest("item.contact", "missing")).evaluate
    facts = {"contact": "in the facts, not the item"}
    assert exists(facts, {"contact": "Jo"}) is True
    assert missing(facts, {"contact": "Jo"}) is False
    assert exists(facts, {}) is False
    assert missing(facts, {"contact": "unknown"}) is True


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        ("Raise progression among young people.", T),
        ("yes", T),
        ("Yes", T),
        ("x", T),
        ("tbd", F),
        ("TBD", F),
        ("  tbd  ", F),
        ("", F),
        ("   ", F),
        ("n/a", F),
        ("N/A", F),
        ("-", F),
        ("?", F),
        ("todo", F),
        ("To be confirmed", F),
        ("pending", F),
        ("none", F),
        ("no", F),
        ("No", F),
        ("partly", F),
        ("partial", F),
        (True, T),
        (False, F),
        (0, T),
        (3.5, T),
        (datetime.date(2024, 11, 14), T),
        ([], F),
        (["tbd", ""], F),
        (["tbd", "Schools provide rooms"], T),
        ([False, "no"], F),
        ([True], T),
        ({}, F),
        ({"a": "tbd", "b": None}, F),
        ({"a": "tbd", "b": "Room 4"}, T),
        ({"a": {"b": "tbd"}}, F),
        ({"a": {"b": "Signed"}}, T),
        ([[], ["x"]], T),
    ],
    ids=[
        "sentence",
        "yes",
        "Yes",
        "single-letter",
        "tbd",
        "TBD",
        "padded-tbd",
        "empty",
        "blank",
        "n/a",
        "N/A",
        "dash",
        "question-mark",
        "todo",
        "to-be-confirmed",
        "pending",
        "none",
        "no",
        "No",
        "partly",
        "partial",
        "true",
        "false",
        "zero",
        "float",
        "date",
        "empty-list",
        "list-of-placeholders",
        "list-with-text",
        "list-of-noes",
        "list-with-true",
        "empty-table",
        "table-of-placeholders",
        "table-with-text",
        "nested-placeholder",
        "nested-text",
        "nested-lists",
    ],
)
def test_filled(registry: Registry, fact: object, expected: bool) -> None:
    """``filled`` is true for real content and false for placeholders, no, false and empties."""
    assert apply_op(registry, "filled", None, fact) is expected


# The judgement each fact value reads as (None: not a judgement).
JUDGEMENT_CASES: list[tuple[object, str | None]] = [
    ("yes", "yes"),
    ("YES", "yes"),
    (" Yes ", "yes"),
    (True, "yes"),
    ("partly", "partly"),
    ("Partly", "partly"),
    ("partial", "partly"),
    ("Partial", "partly"),
    ("no", "no"),
    ("NO", "no"),
    (False, "no"),
    ("tbd", "no"),
    ("TBD", "no"),
    ("", "no"),
    ("n/a", "no"),
    ("none", "no"),
    ("pending", "no"),
    ("We meet monthly.", None),
    ("maybe", None),
    (1, None),
    (0, None),
    (["yes"], None),
    ({"yes": True}, None),
]
JUDGEMENT_IDS = [
    "yes",
    "YES",
    "padded-Yes",
    "true",
    "partly",
    "Partly",
    "partial",
    "Partial",
    "no",
    "NO",
    "false",
    "tbd",
    "TBD",
    "empty",
    "n/a",
    "none",
    "pending",
    "free-text",
    "maybe",
    "one",
    "zero",
    "list",
    "table",
]


@pytest.mark.parametrize(("fact", "judgement"), JUDGEMENT_CASES, ids=JUDGEMENT_IDS)
@pytest.mark.parametrize("op", ["yes", "partly", "no"], ids=["op-yes", "op-partly", "op-no"])
def test_judgement_operators(
    registry: Registry, op: str, fact: object, judgement: str | None
) -> None:
    """``yes``/``partly``/``no`` match the judgement; text that is no judgement is unknown."""
    expected = None if judgement is None else judgement == op
    assert apply_op(registry, op, None, fact) is expected


@pytest.mark.parametrize(("fact", "judgement"), JUDGEMENT_CASES, ids=JUDGEMENT_IDS)
def test_judged_and_at_least(registry: Registry, fact: object, judgement: str | None) -> None:
    """``judged`` tests membership and ``at_least`` the order no < partly < yes."""
    order = {"no": 0, "partly": 1, "yes": 2}

    def expect(ok: bool) -> bool | None:
        return None if judgement is None else ok

    rank = order.get(judgement or "", -1)
    assert apply_op(registry, "judged", "yes", fact) is expect(judgement == "yes")
    assert apply_op(registry, "judged", ["no", "partial"], fact) is expect(
        judgement in ("no", "partly")
    )
    assert apply_op(registry, "at_least", "yes", fact) is expect(rank >= 2)
    assert apply_op(registry, "at_least", "Partial", fact) is expect(rank >= 1)
    assert apply_op(registry, "at_least", "no", fact) is expect(rank >= 0)


# --------------------------------------------------------------------------- quantifiers

SIGNED = {"fact": "item.signed", "op": "==", "value": True}


def partners(*signed: bool | None) -> dict[str, object]:
    """Facts with one partner per value; ``None`` leaves that partner's ``signed`` unrecorded."""
    items: list[dict[str, object]] = []
    for i, s in enumerate(signed):
        item: dict[str, object] = {"name": f"P{i}"}
        if s is not None:
            item["signed"] = s
        items.append(item)
    return {"partners": items}


@pytest.mark.parametrize(
    ("signed", "op", "value", "expected"),
    [
        ((T, T, U), ">=", 2, T),
        ((T, T, U), ">=", 3, U),
        ((T, T, U), ">=", 4, F),
        ((T, T, U), ">", 1, T),
        ((T, T, U), ">", 2, U),
        ((T, T, U), ">", 3, F),
        ((T, T, U), "<", 2, F),
        ((T, T, U), "<", 3, U),
        ((T, T, U), "<", 4, T),
        ((T, T, U), "<=", 1, F),
        ((T, T, U), "<=", 2, U),
        ((T, T, U), "<=", 3, T),
        ((T, T, U), "==", 1, F),
        ((T, T, U), "==", 2, U),
        ((T, T, U), "==", 3, U),
        ((T, T, U), "==", 4, F),
        ((T, T, U), "!=", 1, T),
        ((T, T, U), "!=", 2, U),
        ((T, T, U), "!=", 3, U),
        ((T, T, U), "!=", 4, T),
        ((T, T, F), "==", 2, T),
        ((T, T, F), "!=", 2, F),
        ((T, T, F), ">=", 3, F),
        ((U, U, U), ">=", 0, T),
        ((U, U, U), ">=", 1, U),
        ((U, U, U), "==", 0, U),
        ((F, F), "==", 0, T),
        ((), "==", 0, T),
        ((), ">=", 1, F),
    ],
    ids=[
        "ge-2-true",
        "ge-3-unknown",
        "ge-4-false",
        "gt-1-true",
        "gt-2-unknown",
        "gt-3-false",
        "lt-2-false",
        "lt-3-unknown",
        "lt-4-true",
        "le-1-false",
        "le-2-unknown",
        "le-3-true",
        "eq-below-range",
        "eq-range-low",
        "eq-range-high",
        "eq-above-range",
        "ne-below-range",
        "ne-range-low",
        "ne-range-high",
        "ne-above-range",
        "known-eq",
        "known-ne",
        "known-ge-false",
        "all-unknown-ge-0",
        "all-unknown-ge-1",
        "all-unknown-eq-0",
        "none-match-eq-0",
        "empty-eq-0",
        "empty-ge-1",
    ],
)
def test_count_is_three_valued(
    registry: Registry,
    signed: tuple[bool | None, ...],
    op: str,
    value: int,
    expected: bool | None,
) -> None:
    """Unknown items make the count a range; only a comparison true or false over it decides."""
    cond = {"count": "partners", "where": SIGNED, "op": op, "value": value}
    assert evaluate(registry, cond, partners(*signed)) is expected


@pytest.mark.parametrize(
    ("signed", "op", "value", "expected"),
    [
        ((T, T, U, F), ">=", 0.5, T),
        ((T, T, U, F), ">=", 0.75, U),
        ((T, T, U, F), ">", 0.75, F),
        ((T, T, U, F), "<=", 0.75, T),
        ((T, T, U, F), "<", 0.5, F),
        ((T, T, U, F), "==", 0.5, U),
        ((T, T, U, F), "==", 0.25, F),
        ((T, T, U, F), "!=", 1, T),
        ((T, F), "==", 0.5, T),
        ((T, T), ">=", 1, T),
        ((F, F), "<=", 0, T),
        ((), ">=", 0, U),
        ((), "==", 0, U),
    ],
    ids=[
        "ge-half-true",
        "ge-three-quarters-unknown",
        "gt-three-quarters-false",
        "le-three-quarters-true",
        "lt-half-false",
        "eq-in-range-unknown",
        "eq-outside-range-false",
        "ne-outside-range-true",
        "known-half",
        "all-match",
        "none-match",
        "empty-ge-0-unknown",
        "empty-eq-0-unknown",
    ],
)
def test_ratio_is_three_valued(
    registry: Registry,
    signed: tuple[bool | None, ...],
    op: str,
    value: float,
    expected: bool | None,
) -> None:
    """The share of matching items is a range too; the share of an empty list is unknown."""
    cond = {"ratio": "partners", "where": SIGNED, "op": op, "value": value}
    assert evaluate(registry, cond, partners(*signed)) is expected


@pytest.mark.parametrize(
    ("signed", "any_expected", "all_expected"),
    [
        ((), F, T),
        ((T,), T, T),
        ((F,), F, F),
        ((U,), U, U),
        ((T, T), T, T),
        ((F, F), F, F),
        ((T, U), T, U),
        ((F, U), U, F),
        ((T, F, U), T, F),
        ((U, U), U, U),
    ],
    ids=["empty", "T", "F", "U", "T-T", "F-F", "T-U", "F-U", "T-F-U", "U-U"],
)
def test_any_item_and_all_items(
    registry: Registry,
    signed: tuple[bool | None, ...],
    any_expected: bool | None,
    all_expected: bool | None,
) -> None:
    """``any_item``/``all_items`` are Kleene or/and over the items (empty: false / true)."""
    facts = partners(*signed)
    assert evaluate(registry, {"any_item": "partners", "where": SIGNED}, facts) is any_expected
    assert evaluate(registry, {"all_items": "partners", "where": SIGNED}, facts) is all_expected


QUANTIFIERS = [
    {"count": "partners", "where": SIGNED, "op": ">=", "value": 0},
    {"count": "partners", "op": ">=", "value": 0},
    {"ratio": "partners", "where": SIGNED, "op": ">=", "value": 0},
    {"any_item": "partners", "where": SIGNED},
    {"all_items": "partners", "where": SIGNED},
]
QUANTIFIER_IDS = ["count", "count-no-where", "ratio", "any_item", "all_items"]


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"partners": None},
        {"partners": "unknown"},
        {"partners": "Acme, Beta"},
        {"partners": {}},
    ],
    ids=["not-recorded", "null", "unknown", "text", "table"],
)
@pytest.mark.parametrize("cond", QUANTIFIERS, ids=QUANTIFIER_IDS)
def test_quantifier_over_an_absent_or_non_list_fact_is_unknown(
    registry: Registry, cond: dict[str, object], facts: dict[str, object]
) -> None:
    """Even ``count >= 0`` is unknown when there is no list to count."""
    assert evaluate(registry, cond, facts) is None


@pytest.mark.parametrize(
    ("length", "op", "value", "expected"),
    [(3, ">=", 3, T), (3, ">", 3, F), (0, "==", 0, T), (2, "<", 2, F)],
    ids=["ge-3", "gt-3", "empty-eq-0", "lt-2"],
)
def test_count_without_where_counts_the_items(
    registry: Registry, length: int, op: str, value: int, expected: bool
) -> None:
    """Without ``where``, ``count`` compares the length of the list, known exactly."""
    facts = {"partners": [{"signed": None}] * length}
    cond = {"count": "partners", "op": op, "value": value}
    assert evaluate(registry, cond, facts) is expected


def test_where_can_read_facts_as_well_as_items(registry: Registry) -> None:
    """Inside ``where``, plain paths read the facts and ``item.`` paths the item."""
    cond = {
        "count": "partners",
        "where": {"all": [SIGNED, {"fact": "agreement.form", "op": "!=", "value": "none"}]},
        "op": ">=",
        "value": 2,
    }
    facts = partners(T, T, F)
    assert evaluate(registry, cond, {**facts, "agreement": {"form": "mou"}}) is True
    assert evaluate(registry, cond, {**facts, "agreement": {"form": "none"}}) is False
    assert evaluate(registry, cond, facts) is None


def test_items_that_are_not_tables_are_unknown(registry: Registry) -> None:
    """An ``item.`` field of an item that is not a table is unknown, not false."""
    facts = {"partners": ["Acme", "Beta"]}
    assert evaluate(registry, {"any_item": "partners", "where": SIGNED}, facts) is None
    assert evaluate(registry, {"all_items": "partners", "where": SIGNED}, facts) is None
    cond = {"count": "partners", "where": SIGNED, "op": "<=", "value": 2}
    assert evaluate(registry, cond, facts) is True


def test_nested_quantifiers_read_the_innermost_item(registry: Registry) -> None:
    """In a quantifier inside ``where``, ``item.`` means the inner item."""
    done = {"fact": "item.done", "op": "yes"}
    cond = {
        "count": "partners",
        "where": {"any_item": "item.tasks", "where": done},
        "op": "==",
        "value": 1,
    }
    facts = {
        "partners": [
            {"tasks": [{"done": "no"}, {"done": "yes"}]},
            {"tasks": [{"done": "no"}]},
            {"tasks": []},
        ]
    }
    assert evaluate(registry, cond, facts) is True
    facts["partners"][1]["tasks"].append({"done": "unknown"})  # type: ignore[index]
    assert evaluate(registry, cond, facts) is None


def test_quantifier_over_an_item_list(registry: Registry) -> None:
    """A quantifier over ``item.tasks`` counts the tasks of the current item."""
    cond = {"all_items": "item.tasks", "where": {"fact": "item.done", "op": "yes"}}
    test = compile_condition(registry, cond).evaluate
    facts = {"tasks": [{"done": "no"}]}  # the facts' own tasks are not read
    assert test(facts, {"tasks": [{"done": "yes"}, {"done": True}]}) is True
    assert test(facts, {"tasks": [{"done": "yes"}, {"done": "tbd"}]}) is False
    assert test(facts, {"name": "no tasks recorded"}) is None


# --------------------------------------------------------------------------- reads


def test_fact_test_reads_its_path(registry: Registry) -> None:
    """A fact test records the keys it reads, whether they are item-relative, and its slot."""
    assert compile_condition(registry, FactTest("a.b[2].c", "filled")).reads == (
        Read(("a", "b", 2, "c"), False, 0),
    )
    assert compile_condition(registry, FactTest("item.contact", "filled")).reads == (
        Read(("contact",), True),
    )


def test_combinators_merge_reads_without_duplicates(registry: Registry) -> None:
    """``all``/``any``/``not`` read the union of their parts, in order, each path once."""
    cond = {
        "all": [
            {"fact": "a", "op": "filled"},
            {"not": {"fact": "b", "op": "filled"}},
            {"any": [{"fact": "a", "op": "yes"}, {"fact": "c", "op": "no"}]},
        ]
    }
    assert compile_condition(registry, cond).reads == (
        Read(("a",), False, 0),
        Read(("b",), False, 1),
        Read(("c",), False, 2),
    )


def test_quantifier_reads_the_list_and_each_item_field(registry: Registry) -> None:
    """A quantifier reads the list, its items' fields (under ``*``) and plain facts as they are."""
    cond = {
        "count": "org.partners",
        "where": {"all": [SIGNED, {"fact": "agreement.form", "op": "exists"}]},
        "op": ">=",
        "value": 1,
    }
    assert compile_condition(registry, cond).reads == (
        Read(("org", "partners"), False, 0),
        Read(("org", "partners", STAR, "signed"), False),
        Read(("agreement", "form"), False, 1),
    )
    inner = {"any_item": "item.tasks", "where": {"fact": "item.done", "op": "yes"}}
    assert compile_condition(registry, inner).reads == (
        Read(("tasks",), True),
        Read(("tasks", STAR, "done"), True),
    )


# --------------------------------------------------------------------------- named conditions


def test_each_path_gets_one_slot(registry: Registry) -> None:
    """A path read by several tests is resolved into one slot, shared by all of them."""
    cond = {
        "all": [
            {"fact": "a.b", "op": "filled"},
            {"not": {"fact": "a.b", "op": "==", "value": "tbd"}},
        ]
    }
    compiled = compile_condition(registry, cond)
    assert compiled.reads == (Read(("a", "b"), False, 0),)
    assert compiled.table is not None
    assert compiled.table.size == 1
    assert compiled.evaluate({"a": {"b": "Clause 4"}}) is True


def test_named_condition_is_used(registry: Registry) -> None:
    """``use`` evaluates the named condition, with its three values."""
    named = {"signed": {"fact": "agreement.signed", "op": "yes"}}
    test = compile_condition(registry, UseCondition("signed"), named).evaluate
    assert test({"agreement": {"signed": "yes"}}, None) is True
    assert test({"agreement": {"signed": "no"}}, None) is False
    assert test({}, None) is None


def test_named_conditions_may_use_each_other(registry: Registry) -> None:
    """A named condition may refer to another one, and a rule may combine them."""
    named = {
        "may_exist": {
            "any": [
                {"fact": "agreement.form", "op": "missing"},
                {"fact": "agreement.form", "op": "!=", "value": "none"},
            ]
        },
        "cash_ok": {"all": [{"use": "may_exist"}, {"fact": "cash", "op": "filled"}]},
    }
    test = compile_condition(registry, {"not": {"use": "cash_ok"}}, named).evaluate
    assert test({"cash": "GBP 10"}, None) is False
    assert test({"cash": "GBP 10", "agreement": {"form": "none"}}, None) is True
    assert test({"agreement": {"form": "mou"}}, None) is None


@pytest.mark.parametrize(
    ("named", "start", "cycle"),
    [
        ({"a": {"use": "a"}}, "a", "a -> a"),
        ({"a": {"use": "b"}, "b": {"use": "a"}}, "a", "a -> b -> a"),
        (
            {
                "a": {"all": [{"fact": "x", "op": "filled"}, {"use": "b"}]},
                "b": {"not": {"use": "c"}},
                "c": {"any": [{"use": "a"}]},
            },
            "b",
            "b -> c -> a -> b",
        ),
    ],
    ids=["self", "two", "three-nested"],
)
def test_named_condition_cycle_is_rejected(
    registry: Registry, named: dict[str, dict[str, object]], start: str, cycle: str
) -> None:
    """Named conditions that refer to each other in a loop are a compile error naming it."""
    error = compile_error(registry, {"use": start}, named)
    assert error.message == f"named conditions refer to each other in a cycle: {cycle}"
    assert error.where.endswith(".use")


def test_unknown_named_condition_suggests_the_closest(registry: Registry) -> None:
    """An unknown name is a compile error with a "did you mean"."""
    named = {"agreement_may_exist": {"fact": "agreement.form", "op": "exists"}}
    error = compile_error(registry, {"all": [{"use": "agreement_may_exits"}]}, named)
    assert error.where == "when.all[0].use"
    assert error.message == (
        "no condition named 'agreement_may_exits' in [conditions];"
        " did you mean 'agreement_may_exist'?"
    )
    assert str(error) == f"when.all[0].use: {error.message}"
    bare = compile_error(registry, {"use": "zzz"})
    assert bare.message == "no condition named 'zzz' in [conditions]"


def test_named_condition_errors_name_the_condition(registry: Registry) -> None:
    """An error inside a named condition is reported at its place under ``conditions.<name>``."""
    named = {"broken": {"all": [{"fact": "x", "op": "filed"}]}}
    error = compile_error(registry, {"use": "broken"}, named)
    assert error.where.endswith("conditions.broken.all[0].op")
    assert not error.where.startswith("when")
    assert "did you mean 'filled'?" in error.message


# --------------------------------------------------------------------------- compile errors


@pytest.mark.parametrize(
    ("op", "suggestion"),
    [
        ("fillled", "filled"),
        ("contians", "contains"),
        ("not-in", "not_in"),
        ("atleast", "at_least"),
        ("exist", "exists"),
    ],
    ids=["fillled", "contians", "not-in", "atleast", "exist"],
)
def test_unknown_operator_suggests_the_closest(
    registry: Registry, op: str, suggestion: str
) -> None:
    """An unknown operator is an error at ``.op`` with a "did you mean" and the operators."""
    error = compile_error(registry, {"fact": "x", "op": op})
    assert error.where == "when.op"
    assert error.message.startswith(f"unknown operator {op!r}; did you mean {suggestion!r}?")
    assert "(operators: !=, <, <=, ==, >, >=, at_least," in error.message


def test_unknown_operator_without_a_close_match(registry: Registry) -> None:
    """With no close operator, the error lists the operators without a suggestion."""
    error = compile_error(registry, {"fact": "x", "op": "frobnicate"})
    assert "did you mean" not in error.message
    assert error.message.startswith("unknown operator 'frobnicate' (operators: ")


@pytest.mark.parametrize(
    ("cond", "where", "message"),
    [
        (
            FactTest("x", "in", "a"),
            "when.value",
            "operator 'in' needs a non-empty list, got 'a'",
        ),
        (FactTest("x", "in", []), "when.value", "operator 'in' needs a non-empty list, got []"),
        (
            FactTest("x", "not_in", [["a"]]),
            "when.value",
            "operator 'not_in' needs a list of plain values, got ['a']",
        ),
        (
            FactTest("x", "contains_all", [{"a": 1}]),
            "when.value",
            "operator 'contains_all' needs a list of plain values, got {'a': 1}",
        ),
        (FactTest("x", "in", None), "when.value", "operator 'in' needs a value (list)"),
        (FactTest("x", "filled", "x"), "when.value", "operator 'filled' takes no value, got 'x'"),
        (
            FactTest("x", "exists", True),
            "when.value",
            "operator 'exists' takes no value, got True",
        ),
        (FactTest("x", "yes", "yes"), "when.value", "operator 'yes' takes no value, got 'yes'"),
        (FactTest("x", "==", None), "when.value", "operator '==' needs a value (scalar)"),
        (
            FactTest("x", ">=", [1]),
            "when.value",
            "operator '>=' needs a single value, got [1]",
        ),
        (
            FactTest("x", "contains", {"a": 1}),
            "when.value",
            "operator 'contains' needs a single value, got {'a': 1}",
        ),
        (
            FactTest("x", "at_least", "maybe"),
            "when.value",
            "operator 'at_least': expected judgement values from yes, partly, no; got 'maybe'",
        ),
        (
            FactTest("x", "at_least", 2),
            "when.value",
            "operator 'at_least': expected one judgement value: yes, partly or no",
        ),
        (
            FactTest("x", "at_least", ["yes"]),
            "when.value",
            "operator 'at_least' needs a single value, got ['yes']",
        ),
        (
            FactTest("x", "judged", None),
            "when.value",
            "operator 'judged': expected judgement values from yes, partly, no; got None",
        ),
        (
            FactTest("x", "judged", ["yes", 3]),
            "when.value",
            "operator 'judged': expected judgement values from yes, partly, no; got 3",
        ),
        (
            FactTest("x", "judged", []),
            "when.value",
            "operator 'judged': expected at least one judgement value: yes, partly or no",
        ),
        (
            FactTest("x..y", "filled"),
            "when.fact",
            "invalid fact path 'x..y': expected dotted names with optional list indices,"
            " such as 'agreement.sections.resources.cash' or 'partners[0].name'",
        ),
        (
            FactTest("item", "filled"),
            "when.fact",
            "'item' alone is not a fact; name a key of the item",
        ),
    ],
    ids=[
        "in-scalar",
        "in-empty-list",
        "not-in-nested-list",
        "contains-all-table",
        "in-none",
        "filled-with-value",
        "exists-with-value",
        "yes-with-value",
        "eq-none",
        "ge-list",
        "contains-table",
        "at-least-not-a-judgement",
        "at-least-number",
        "at-least-list",
        "judged-none",
        "judged-number-in-list",
        "judged-empty-list",
        "bad-path",
        "item-alone",
    ],
)
def test_fact_test_compile_errors(
    registry: Registry, cond: FactTest, where: str, message: str
) -> None:
    """A fact test with a bad path or a value of the wrong kind fails at compile time."""
    error = compile_error(registry, cond)
    assert (error.where, error.message) == (where, message)


@pytest.mark.parametrize(
    ("cond", "where", "message"),
    [
        (
            Quantified(Quantifier.COUNT, "partners", None, ">=", "two"),  # type: ignore[arg-type]
            "when.value",
            "count needs a number, got 'two'",
        ),
        (
            Quantified(Quantifier.COUNT, "partners", None, ">=", True),
            "when.value",
            "count needs a number, got True",
        ),
        (
            Quantified(Quantifier.COUNT, "partners", None, ">=", None),
            "when.value",
            "count needs a number, got None",
        ),
        (
            Quantified(Quantifier.COUNT, "partners", None, None, 2),
            "when.op",
            "count needs 'op' set to one of ==, !=, <, <=, >, >=, got None",
        ),
        (
            Quantified(Quantifier.COUNT, "partners", None, ">==", 2),
            "when.op",
            "count needs 'op' set to one of ==, !=, <, <=, >, >=, got '>=='; did you mean '>='?",
        ),
        (
            Quantified(Quantifier.RATIO, "partners", None, "contains", 0.5),
            "when.op",
            "ratio needs 'op' set to one of ==, !=, <, <=, >, >=, got 'contains'",
        ),
        (
            Quantified(Quantifier.RATIO, "partners", None, ">=", 1.5),
            "when.value",
            "ratio is a share between 0 and 1, got 1.5",
        ),
        (
            Quantified(Quantifier.RATIO, "partners", None, ">=", -0.1),
            "when.value",
            "ratio is a share between 0 and 1, got -0.1",
        ),
        (
            Quantified(Quantifier.RATIO, "partners", None, ">=", 50),
            "when.value",
            "ratio is a share between 0 and 1, got 50",
        ),
        (
            Quantified(Quantifier.ANY_ITEM, "partners"),
            "when",
            "any_item needs a 'where' condition for the items",
        ),
        (
            Quantified(Quantifier.ALL_ITEMS, "partners", FactTest("item.x", "filled"), ">=", 1),
            "when",
            "all_items takes no 'op' or 'value'; use count or ratio to compare",
        ),
        (
            Quantified(Quantifier.ANY_ITEM, "partners", FactTest("item.x", "filled"), None, 1),
            "when",
            "any_item takes no 'op' or 'value'; use count or ratio to compare",
        ),
        (
            Quantified(Quantifier.COUNT, "partners.", None, ">=", 1),
            "when.count",
            "invalid fact path 'partners.': expected dotted names with optional list indices,"
            " such as 'agreement.sections.resources.cash' or 'partners[0].name'",
        ),
        (
            Quantified(Quantifier.ALL_ITEMS, "partners", FactTest("item.x", "fillled")),
            "when.where.op",
            None,
        ),
    ],
    ids=[
        "count-text-value",
        "count-bool-value",
        "count-no-value",
        "count-no-op",
        "count-misspelt-op",
        "ratio-operator-op",
        "ratio-above-1",
        "ratio-below-0",
        "ratio-percent",
        "any-item-no-where",
        "all-items-with-op",
        "any-item-with-value",
        "bad-list-path",
        "error-in-where",
    ],
)
def test_quantifier_compile_errors(
    registry: Registry, cond: Quantified, where: str, message: str | None
) -> None:
    """A quantifier with a bad op, value, path or where fails at compile time."""
    error = compile_error(registry, cond)
    assert error.where == where
    if message is not None:
        assert error.message == message


@pytest.mark.parametrize("value", [0, 0.0, 1, 1.0, 0.5], ids=["0", "0.0", "1", "1.0", "half"])
def test_ratio_accepts_the_bounds(registry: Registry, value: float) -> None:
    """A ratio value of exactly 0 or 1 (or between) compiles."""
    cond = Quantified(Quantifier.RATIO, "partners", None, ">=", value)
    assert compile_condition(registry, cond).evaluate({"partners": [1]}, None) is (value <= 1)


def test_errors_name_their_place_in_nested_conditions(registry: Registry) -> None:
    """The error's key path walks through all/any/not/where down to the bad key."""
    cond = {
        "all": [
            {"fact": "a", "op": "filled"},
            {
                "any": [
                    {"fact": "b", "op": "filled"},
                    {
                        "not": {
                            "any_item": "xs",
                            "where": {"fact": "item.c", "op": "in", "value": 1},
                        }
                    },
                ]
            },
        ]
    }
    error = compile_error(registry, cond)
    assert error.where == "when.all[1].any[1].not.where.value"
    assert error.message == "operator 'in' needs a non-empty list, got 1"
