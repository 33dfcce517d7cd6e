"""Compile declarative conditions into plain Python closures, once per engine.

A compiled condition is a function ``test(vals, item) -> True | False | None`` where
``None`` means *unknown*. ``item`` is the current list item (for ``for_each`` rules and
inside quantifiers; paths that start with ``item.`` read it). Combinators follow Kleene's
strong three-valued logic: a fact that was not recorded makes a test unknown, never
false, and ``not unknown`` is unknown.

``vals`` is the evaluation's *slot table*. When a ruleset is compiled, every distinct fact
path it reads from the facts root gets a slot, and so does every named condition that
reads only such paths. Evaluating a partnership first resolves each path once and each
named condition once (:meth:`FactTable.prepare`); the rules then read slots. However
many rules read ``agreement.form``, it is looked up once per partnership, and evidence
is taken from the same slots.

Nothing here parses at evaluation time: paths are split, operators resolved and values
checked when the condition is compiled.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from typing import Final
from typing import NamedTuple
from typing import cast

from attrs import frozen

from partnerrules.errors import PluginError
from partnerrules.errors import did_you_mean
from partnerrules.model import AllOf
from partnerrules.model import AnyOf
from partnerrules.model import CheckCall
from partnerrules.model import Condition
from partnerrules.model import FactTest
from partnerrules.model import Not
from partnerrules.model import Quantified
from partnerrules.model import Quantifier
from partnerrules.model import UseCondition
from partnerrules.registry import CheckSpec
from partnerrules.registry import OperatorSpec
from partnerrules.registry import Test
from partnerrules.registry import ValueKind


class _Absent:
    """The value of a fact that was not recorded (or was recorded as ``unknown``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"


#: The value an operator with ``reads_absent=True`` receives for an unrecorded fact.
ABSENT: Final = _Absent()

#: Words that mean "not known" wherever a fact value is expected.
UNKNOWN_WORDS: Final = frozenset({"unknown", "Unknown", "UNKNOWN"})

#: A slot table: the facts' values and named-condition results of one evaluation.
Slots = list[object]
#: A compiled condition.
Compiled = Callable[[Slots, object], "bool | None"]
#: A compiled fact getter.
Getter = Callable[[object], object]

ITEM: Final = "item"
_SEGMENT = r"[A-Za-z_][A-Za-z0-9_-]*(?:\[\d+\])*"
_PATH_RE: Final = re.compile(rf"^{_SEGMENT}(?:\.{_SEGMENT})*$")
_INDEX_RE: Final = re.compile(r"\[(\d+)\]")
COMPARISONS: Final = ("==", "!=", "<", "<=", ">", ">=")


class ConditionError(Exception):
    """A condition that cannot be compiled; ``where`` is the key path inside the rule."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(where, message)
        self.where = where
        self.message = message

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


Key = str | int


def parse_path(path: str) -> tuple[Key, ...]:
    """Split ``"partners[0].rep.name"`` into ``("partners", 0, "rep", "name")``.

    :raises ValueError: when the path is not a dotted path of names and list indices
    """
    if not isinstance(path, str) or not _PATH_RE.fullmatch(path):
        raise ValueError(
            f"invalid fact path {path!r}: expected dotted names with optional list indices,"
            " such as 'agreement.sections.resources.cash' or 'partners[0].name'"
        )
    keys: list[Key] = []
    for segment in path.split("."):
        name, _, rest = segment.partition("[")
        keys.append(name)
        if rest:
            keys.extend(int(i) for i in _INDEX_RE.findall("[" + rest))
    return tuple(keys)


def format_path(keys: tuple[Key, ...] | list[Key]) -> str:
    """Join keys back into a dotted path with ``[i]`` indices."""
    out = ""
    for key in keys:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += f".{key}" if out else key
    return out


def make_getter(keys: tuple[Key, ...]) -> Getter:
    """Return a function that reads ``keys`` from a document, or ``ABSENT``.

    ``None`` (JSON null) and the word ``unknown`` read as ``ABSENT`` too: they say the
    fact is not known.
    """
    if all(isinstance(k, str) for k in keys):
        if len(keys) == 1:
            (a,) = keys

            def get1(doc: object) -> object:
                if not isinstance(doc, dict):
                    return ABSENT
                v = doc.get(a)
                if v is None or (v.__class__ is str and v in UNKNOWN_WORDS):
                    return ABSENT
                return v

            return get1
        if len(keys) == 2:
            a, b = keys

            def get2(doc: object) -> object:
                if not isinstance(doc, dict):
                    return ABSENT
                v = doc.get(a)
                if not isinstance(v, dict):
                    return ABSENT
                v = v.get(b)
                if v is None or (v.__class__ is str and v in UNKNOWN_WORDS):
                    return ABSENT
                return v

            return get2
        if len(keys) == 3:
            a, b, c = keys

            def get3(doc: object) -> object:
                if not isinstance(doc, dict):
                    return ABSENT
                v = doc.get(a)
                if not isinstance(v, dict):
                    return ABSENT
                v = v.get(b)
                if not isinstance(v, dict):
                    return ABSENT
                v = v.get(c)
                if v is None or (v.__class__ is str and v in UNKNOWN_WORDS):
                    return ABSENT
                return v

            return get3
        if len(keys) == 4:  # the usual depth of agreement.sections.<section>.<question>
            a, b, c, d = keys

            def get4(doc: object) -> object:
                if not isinstance(doc, dict):
                    return ABSENT
                v = doc.get(a)
                if not isinstance(v, dict):
                    return ABSENT
                v = v.get(b)
                if not isinstance(v, dict):
                    return ABSENT
                v = v.get(c)
                if not isinstance(v, dict):
                    return ABSENT
                v = v.get(d)
                if v is None or (v.__class__ is str and v in UNKNOWN_WORDS):
                    return ABSENT
                return v

            return get4

        def get_names(doc: object) -> object:
            v = doc
            for k in keys:
                if not isinstance(v, dict):
                    return ABSENT  # also where an earlier key held None
                v = v.get(k)
            if v is None or (v.__class__ is str and v in UNKNOWN_WORDS):
                return ABSENT
            return v

        return get_names

    def get(doc: object) -> object:
        v = doc
        for k in keys:
            if k.__class__ is int:
                if not isinstance(v, list) or not -len(v) <= k < len(v):  # type: ignore[operator,unused-ignore]
                    return ABSENT
                v = v[k]  # type: ignore[index,unused-ignore]
            else:
                if not isinstance(v, dict):
                    return ABSENT
                v = v.get(k)
                if v is None:
                    return ABSENT
        if v is None or (v.__class__ is str and v in UNKNOWN_WORDS):
            return ABSENT
        return v

    return get


# --------------------------------------------------------------------------- reads


#: Marks "every item of this list" in a read path.
STAR: Final = "*"


@frozen
class Read:
    """A fact path a condition reads; ``item`` reads are relative to the rule's item.

    ``keys`` may contain :data:`STAR` where a quantifier reads every item of a list.
    ``slot`` is the slot holding the value of a plain path from the facts root.
    """

    keys: tuple[Key, ...]
    item: bool
    slot: int | None = None


def compile_path(path: str) -> tuple[bool, tuple[Key, ...]]:
    """Return (reads the item?, keys relative to the item or to the facts)."""
    keys = parse_path(path)
    if keys[0] == ITEM:
        return True, keys[1:]
    return False, keys


# --------------------------------------------------------------------------- compiler


class FactParts(NamedTuple):
    """What a compiled single fact test does: read one value, apply one operator.

    Kept beside the closure so that the engine can fuse a rule's ``when`` and
    ``partial`` tests on the same fact into one status function that reads the value
    once (see ``engine._fused_status``).
    """

    keys: tuple[Key, ...]
    #: Whether the path is relative to the item (``item.``).
    item: bool
    #: The slot of a plain path from the facts root (``None`` for item paths).
    slot: int | None
    #: Reads the path from the item (item paths only).
    get: Getter | None
    #: The operator's compiled test.
    op: Test
    #: Whether the operator sees :data:`ABSENT` (``exists`` / ``missing``).
    reads_absent: bool


@frozen
class FactTable:
    """How to fill the slot table of one evaluation from a facts document.

    Paths are grouped by their parent table: ``agreement.sections.resources.cash`` and
    ``...resources.in_kind`` resolve ``agreement.sections.resources`` once, then read
    their own key from it.
    """

    size: int
    getters: tuple[tuple[int, Getter], ...]
    named: tuple[tuple[int, Compiled], ...]
    by_parent: tuple[tuple[Getter, tuple[tuple[int, str], ...]], ...] = ()
    direct: tuple[tuple[int, Getter], ...] = ()

    @classmethod
    def build(
        cls,
        paths: Mapping[tuple[Key, ...], int],
        named: list[tuple[int, Compiled]],
    ) -> FactTable:
        """Plan the slot table for the given root paths and named conditions."""
        parents: dict[tuple[Key, ...], list[tuple[int, str]]] = {}
        direct: list[tuple[int, Getter]] = []
        for keys, slot in paths.items():
            if not keys:  # the facts document itself, for checks
                direct.append((slot, _identity))
                continue
            leaf = keys[-1]
            if isinstance(leaf, str):
                parents.setdefault(keys[:-1], []).append((slot, leaf))
            else:
                direct.append((slot, make_getter(keys)))
        by_parent = tuple(
            (_parent_getter(parent), tuple(leaves)) for parent, leaves in parents.items()
        )
        getters = tuple((slot, make_getter(keys)) for keys, slot in paths.items())
        size = len(paths) + len(named)
        return cls(size, getters, tuple(named), by_parent, tuple(direct))

    def prepare(self, facts: Mapping[str, object]) -> Slots:
        """Resolve every fact path once, then every facts-only named condition once."""
        vals: Slots = [ABSENT] * self.size
        for get_parent, leaves in self.by_parent:
            parent = get_parent(facts)
            if parent.__class__ is dict or isinstance(parent, dict):
                get = parent.get
                for slot, leaf in leaves:
                    v = get(leaf)
                    if v is not None and not (v.__class__ is str and v in UNKNOWN_WORDS):
                        vals[slot] = v
        for slot, getter in self.direct:
            vals[slot] = getter(facts)
        for slot, test in self.named:
            vals[slot] = test(vals, None)
        return vals


def _parent_getter(keys: tuple[Key, ...]) -> Getter:
    """Return a getter for a parent table (the facts themselves for top-level keys)."""
    if not keys:
        return _identity
    get = make_getter(keys)

    def parent(doc: object) -> object:
        value = get(doc)
        return value if isinstance(value, dict) else None

    return parent if any(isinstance(k, int) for k in keys) else get


def _identity(doc: object) -> object:
    return doc


@frozen
class CompiledCondition:
    """A compiled condition, the fact paths it may read, and how to fill its slots."""

    test: Compiled
    reads: tuple[Read, ...]
    table: FactTable | None = None

    def evaluate(self, facts: Mapping[str, object], item: object = None) -> bool | None:
        """Evaluate the condition on a facts document (and an item): a convenience."""
        if self.table is None:
            raise ValueError("compiled as part of a ruleset: evaluate it through the engine")
        return self.test(self.table.prepare(facts), item)


class Compiler:
    """Compile conditions against a set of operators and named conditions."""

    def __init__(
        self,
        operators: Mapping[str, OperatorSpec],
        named: Mapping[str, Condition] | None = None,
        checks: Mapping[str, CheckSpec] | None = None,
    ) -> None:
        self._operators = operators
        self._checks = checks or {}
        self._named_source = dict(named or {})
        self._named: dict[str, tuple[Compiled, tuple[Read, ...]]] = {}
        self._compiling: list[str] = []
        self._slots: dict[tuple[Key, ...], int] = {}
        self._getters: list[tuple[int, Getter]] = []
        self._named_slots: list[tuple[int, Compiled]] = []
        self._slot_refs: dict[Compiled, int] = {}  # tests that only read a named slot
        self._fact_parts: dict[Compiled, FactParts] = {}  # single fact tests

    def table(self) -> FactTable:
        """Return the slot table of everything compiled so far."""
        return FactTable.build(self._slots, self._named_slots)

    def compile(
        self, condition: Condition, where: str, *, standalone: bool = True
    ) -> CompiledCondition:
        """Compile a condition; ``where`` names its place for error messages.

        :param standalone: also plan a slot table, so that the condition can be
            evaluated on its own (:meth:`CompiledCondition.evaluate`); a ruleset compiles
            its rules without one and plans a single table for all of them
        :raises ConditionError: naming the key path and what was expected
        """
        test, reads = self._compile(condition, where)
        return CompiledCondition(test, reads, self.table() if standalone else None)

    def fact_parts(self, test: Compiled) -> FactParts | None:
        """Return what a compiled test does if it is a single fact test, else ``None``."""
        return self._fact_parts.get(test)

    def slot(self, keys: tuple[Key, ...]) -> int:
        """Return the slot of a path from the facts root, allocating it on first use."""
        slot = self._slots.get(keys)
        if slot is None:
            slot = self._slots[keys] = len(self._getters) + len(self._named_slots)
            self._getters.append((slot, make_getter(keys)))
        return slot

    def _compile(self, condition: Condition, where: str) -> tuple[Compiled, tuple[Read, ...]]:
        if isinstance(condition, FactTest):
            return self._fact_test(condition, where)
        if isinstance(condition, AllOf):
            parts = [
                self._compile(c, f"{where}.all[{i}]") for i, c in enumerate(condition.conditions)
            ]
            return _all([p[0] for p in parts], self._slot_refs), _merge(parts)
        if isinstance(condition, AnyOf):
            parts = [
                self._compile(c, f"{where}.any[{i}]") for i, c in enumerate(condition.conditions)
            ]
            return _any([p[0] for p in parts]), _merge(parts)
        if isinstance(condition, Not):
            inner, reads = self._compile(condition.condition, f"{where}.not")
            return _not(inner), reads
        if isinstance(condition, Quantified):
            return self._quantified(condition, where)
        if isinstance(condition, UseCondition):
            return self._use(condition, where)
        if isinstance(condition, CheckCall):
            return self._check(condition, where)
        raise ConditionError(where, f"not a condition: {condition!r}")  # pragma: no cover

    def _fact_test(self, cond: FactTest, where: str) -> tuple[Compiled, tuple[Read, ...]]:
        try:
            is_item, keys = compile_path(cond.fact)
        except ValueError as exc:
            raise ConditionError(f"{where}.fact", str(exc)) from None
        if not keys:
            raise ConditionError(
                f"{where}.fact", "'item' alone is not a fact; name a key of the item"
            )
        spec = self._operators.get(cond.op)
        if spec is None:
            hint = did_you_mean(cond.op, self._operators)
            raise ConditionError(
                f"{where}.op",
                f"unknown operator {cond.op!r}{hint}"
                f" (operators: {', '.join(sorted(self._operators))})",
            )
        _check_value(spec, cond.value, f"{where}.value")
        try:
            op_test = spec.compile(cond.value)
        except (ValueError, TypeError) as exc:
            raise ConditionError(f"{where}.value", f"operator {cond.op!r}: {exc}") from None
        test: Compiled
        if is_item:
            get = make_getter(keys)
            if spec.reads_absent:

                def test(vals: Slots, item: object) -> bool | None:
                    return op_test(get(item))
            else:

                def test(vals: Slots, item: object) -> bool | None:
                    v = get(item)
                    return None if v is ABSENT else op_test(v)

            self._fact_parts[test] = FactParts(keys, True, None, get, op_test, spec.reads_absent)
            return test, (Read(keys, True),)
        slot = self.slot(keys)
        if spec.reads_absent:

            def test(vals: Slots, item: object) -> bool | None:
                return op_test(vals[slot])
        else:

            def test(vals: Slots, item: object) -> bool | None:
                v = vals[slot]
                return None if v is ABSENT else op_test(v)

        self._fact_parts[test] = FactParts(keys, False, slot, None, op_test, spec.reads_absent)
        return test, (Read(keys, False, slot),)

    def _quantified(self, cond: Quantified, where: str) -> tuple[Compiled, tuple[Read, ...]]:
        q = cond.quantifier
        try:
            is_item, keys = compile_path(cond.over)
        except ValueError as exc:
            raise ConditionError(f"{where}.{q}", str(exc)) from None
        slot = None if is_item else self.slot(keys)
        get_list = make_getter(keys)
        where_c = self._compile(cond.where, f"{where}.where") if cond.where is not None else None
        if q in (Quantifier.ANY_ITEM, Quantifier.ALL_ITEMS):
            if where_c is None:
                raise ConditionError(where, f"{q} needs a 'where' condition for the items")
            if cond.op is not None or cond.value is not None:
                raise ConditionError(
                    where, f"{q} takes no 'op' or 'value'; use count or ratio to compare"
                )
        else:
            if cond.op not in COMPARISONS:
                hint = did_you_mean(str(cond.op), COMPARISONS) if cond.op else ""
                raise ConditionError(
                    f"{where}.op",
                    f"{q} needs 'op' set to one of {', '.join(COMPARISONS)},"
                    f" got {cond.op!r}{hint}",
                )
            if not isinstance(cond.value, int | float) or isinstance(cond.value, bool):
                raise ConditionError(f"{where}.value", f"{q} needs a number, got {cond.value!r}")
            if q is Quantifier.RATIO and not 0 <= cond.value <= 1:
                raise ConditionError(
                    f"{where}.value", f"ratio is a share between 0 and 1, got {cond.value!r}"
                )

        item_test = where_c[0] if where_c is not None else None
        test = _quantifier(q, slot, get_list, item_test, cond.op, cond.value)
        star = (*keys, STAR)
        reads = [Read(keys, is_item, slot)]
        if where_c is not None:
            for r in where_c[1]:
                reads.append(Read((*star, *r.keys), is_item) if r.item else r)
        return test, tuple(reads)

    def _check(self, cond: CheckCall, where: str) -> tuple[Compiled, tuple[Read, ...]]:
        spec = self._checks.get(cond.name)
        if spec is None:
            hint = did_you_mean(cond.name, self._checks)
            known = ", ".join(sorted(self._checks)) or "none are installed"
            raise ConditionError(
                f"{where}.check",
                f"no check named {cond.name!r}{hint} (checks: {known}; a check comes from"
                " a plugin, which must be installed)",
            )
        params = _structure_params(spec, cond.params, f"{where}.params")
        reads: list[Read] = []
        for path in spec.reads:
            try:
                is_item, keys = compile_path(path)
            except ValueError as exc:
                raise ConditionError(where, f"check {spec.name!r} declares {exc}") from None
            reads.append(Read(keys, True) if is_item else Read(keys, False, self.slot(keys)))
        root = self.slot(())
        function, name, plugin = spec.function, spec.name, spec.plugin

        def check(vals: Slots, item: object) -> bool | None:
            try:
                result = function(cast("Mapping[str, object]", vals[root]), item, params)
            except Exception as exc:
                raise CheckError(plugin, name, where, exc) from exc
            if result is not None and result is not True and result is not False:
                raise CheckError(plugin, name, where, TypeError(f"returned {result!r}"))
            return result

        return check, tuple(reads)

    def _use(self, cond: UseCondition, where: str) -> tuple[Compiled, tuple[Read, ...]]:
        name = cond.name
        if name in self._named:
            return self._named[name]
        if name not in self._named_source:
            hint = did_you_mean(name, self._named_source)
            raise ConditionError(
                f"{where}.use", f"no condition named {name!r} in [conditions]{hint}"
            )
        if name in self._compiling:
            cycle = " -> ".join([*self._compiling[self._compiling.index(name) :], name])
            raise ConditionError(
                f"{where}.use", f"named conditions refer to each other in a cycle: {cycle}"
            )
        self._compiling.append(name)
        try:
            test, reads = self._compile(self._named_source[name], f"$.conditions.{name}")
        finally:
            self._compiling.pop()
        if not any(read.item for read in reads):
            # Reads only the facts: evaluated once per partnership, into a slot, after
            # the slots it depends on (which were allocated while compiling it).
            slot = len(self._getters) + len(self._named_slots)
            self._named_slots.append((slot, test))

            def test_slot(vals: Slots, item: object) -> bool | None:
                return vals[slot]  # type: ignore[return-value]

            test = test_slot
            self._slot_refs[test] = slot
        self._named[name] = (test, reads)
        return test, reads


class CheckError(PluginError):
    """A plugin's check failed while a partnership was evaluated."""

    def __init__(self, plugin: str, check: str, where: str, exc: BaseException) -> None:
        super().__init__(
            plugin, f"check {check!r} ({where}) failed: {type(exc).__name__}: {exc}", exc
        )


def _structure_params(spec: CheckSpec, params: Mapping[str, object], where: str) -> object:
    """Structure a rule's check params into the check's params class, once."""
    if spec.params is None:
        return dict(params)
    from partnerrules.serde import flatten_errors
    from partnerrules.serde import make_converter

    try:
        return make_converter().structure(dict(params), spec.params)
    except Exception as exc:
        problems = flatten_errors(exc, where)
        path, message = problems[0] if problems else (where, str(exc))
        raise ConditionError(path, f"check {spec.name!r}: {message}") from None


def _check_value(spec: OperatorSpec, value: object, where: str) -> None:
    kind = spec.value
    if kind is ValueKind.ANY:
        return
    if kind is ValueKind.NONE:
        if value is not None:
            raise ConditionError(where, f"operator {spec.name!r} takes no value, got {value!r}")
        return
    if value is None:
        raise ConditionError(where, f"operator {spec.name!r} needs a value ({kind})")
    if kind is ValueKind.LIST:
        if not isinstance(value, list) or not value:
            raise ConditionError(
                where, f"operator {spec.name!r} needs a non-empty list, got {value!r}"
            )
        bad = [v for v in value if isinstance(v, dict | list)]
        if bad:
            raise ConditionError(
                where, f"operator {spec.name!r} needs a list of plain values, got {bad[0]!r}"
            )
    elif kind is ValueKind.NUMBER:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ConditionError(where, f"operator {spec.name!r} needs a number, got {value!r}")
    elif kind is ValueKind.SCALAR and isinstance(value, dict | list):
        raise ConditionError(where, f"operator {spec.name!r} needs a single value, got {value!r}")


def _merge(parts: list[tuple[Compiled, tuple[Read, ...]]]) -> tuple[Read, ...]:
    seen: dict[Read, None] = {}
    for _, reads in parts:
        for read in reads:
            seen.setdefault(read, None)
    return tuple(seen)


def _all(tests: list[Compiled], slot_refs: Mapping[Compiled, int]) -> Compiled:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2 and (tests[0] in slot_refs or tests[1] in slot_refs):
        # A named condition and one test: read the named result's slot directly.
        first = tests[0] in slot_refs
        s1 = slot_refs[tests[0]] if first else slot_refs[tests[1]]
        t2 = tests[1] if first else tests[0]

        def all_slot(vals: Slots, item: object) -> bool | None:
            r1 = vals[s1]
            if r1 is False:
                return False
            r2 = t2(vals, item)
            if r2 is False:
                return False
            return None if (r1 is None or r2 is None) else True

        return all_slot
    if len(tests) == 2:
        t1, t2 = tests

        def all2(vals: Slots, item: object) -> bool | None:
            r1 = t1(vals, item)
            if r1 is False:
                return False
            r2 = t2(vals, item)
            if r2 is False:
                return False
            return None if (r1 is None or r2 is None) else True

        return all2
    frozen_tests = tuple(tests)

    def all_(vals: Slots, item: object) -> bool | None:
        result: bool | None = True
        for t in frozen_tests:
            r = t(vals, item)
            if r is False:
                return False
            if r is None:
                result = None
        return result

    return all_


def _any(tests: list[Compiled]) -> Compiled:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        t1, t2 = tests

        def any2(vals: Slots, item: object) -> bool | None:
            r1 = t1(vals, item)
            if r1 is True:
                return True
            r2 = t2(vals, item)
            if r2 is True:
                return True
            return None if (r1 is None or r2 is None) else False

        return any2
    frozen_tests = tuple(tests)

    def any_(vals: Slots, item: object) -> bool | None:
        result: bool | None = False
        for t in frozen_tests:
            r = t(vals, item)
            if r is True:
                return True
            if r is None:
                result = None
        return result

    return any_


def _not(test: Compiled) -> Compiled:
    def not_(vals: Slots, item: object) -> bool | None:
        r = test(vals, item)
        return None if r is None else not r

    return not_


#: The comparison of each operator name (``compare`` looks it up rather than testing the
#: name against each of them in turn).
_COMPARE: Final[dict[str, Callable[[Any, Any], object]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compare(op: str, a: object, b: object) -> bool | None:
    """Compare two fact values; unknown (``None``) when they cannot be compared."""
    if isinstance(a, bool) is not isinstance(b, bool):
        return False if op == "==" else True if op == "!=" else None
    function = _COMPARE.get(op)
    if function is None:
        raise ValueError(f"unknown comparison {op!r}")  # pragma: no cover
    try:
        return bool(function(a, b))
    except TypeError:
        return None


def _range_compare(op: str, low: float, high: float, value: float) -> bool | None:
    """Compare a quantity known to lie in [low, high] with a value (three-valued)."""
    if low == high:
        return compare(op, low, value)
    if op == "==":
        return None if low <= value <= high else False
    if op == "!=":
        return None if low <= value <= high else True
    at_low = compare(op, low, value)
    at_high = compare(op, high, value)
    return at_low if at_low == at_high else None


def _quantifier(
    q: Quantifier,
    slot: int | None,
    get_list: Getter,
    item_test: Compiled | None,
    op: str | None,
    value: float | None,
) -> Compiled:
    def items_of(vals: Slots, item: object) -> list[object] | None:
        items = get_list(item) if slot is None else vals[slot]
        return items if isinstance(items, list) else None

    if q is Quantifier.ANY_ITEM:
        assert item_test is not None

        def any_item(vals: Slots, item: object) -> bool | None:
            items = items_of(vals, item)
            if items is None:
                return None
            result: bool | None = False
            for it in items:
                r = item_test(vals, it)
                if r is True:
                    return True
                if r is None:
                    result = None
            return result

        return any_item

    if q is Quantifier.ALL_ITEMS:
        assert item_test is not None

        def all_items(vals: Slots, item: object) -> bool | None:
            items = items_of(vals, item)
            if items is None:
                return None
            result: bool | None = True
            for it in items:
                r = item_test(vals, it)
                if r is False:
                    return False
                if r is None:
                    result = None
            return result

        return all_items

    assert op is not None
    assert value is not None
    ratio = q is Quantifier.RATIO

    def counted(vals: Slots, item: object) -> bool | None:
        items = items_of(vals, item)
        if items is None:
            return None
        total = len(items)
        if item_test is None:
            low = high = total
        else:
            low = unknown = 0
            for it in items:
                r = item_test(vals, it)
                if r is True:
                    low += 1
                elif r is None:
                    unknown += 1
            high = low + unknown
        if ratio:
            if total == 0:
                return None
            return _range_compare(op, low / total, high / total, value)
        return _range_compare(op, low, high, value)

    return counted
