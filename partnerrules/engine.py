"""The engine: rulesets compiled once, then evaluated against any number of partnerships."""

from __future__ import annotations

import os
import types
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from functools import partial
from itertools import count
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Final

import attrs
import pluggy

from partnerrules.conditions import ABSENT
from partnerrules.conditions import STAR
from partnerrules.conditions import Compiled
from partnerrules.conditions import Compiler
from partnerrules.conditions import ConditionError
from partnerrules.conditions import FactParts
from partnerrules.conditions import FactTable
from partnerrules.conditions import Key
from partnerrules.conditions import Read
from partnerrules.conditions import Slots
from partnerrules.conditions import compile_path
from partnerrules.conditions import format_path
from partnerrules.conditions import make_getter
from partnerrules.config import Config
from partnerrules.errors import PluginError
from partnerrules.errors import RulesetError
from partnerrules.errors import UnknownRulesetError
from partnerrules.loader import check_against_registry
from partnerrules.loader import load_facts
from partnerrules.loader import read_ruleset
from partnerrules.model import Assessment
from partnerrules.model import Evidence
from partnerrules.model import Finding
from partnerrules.model import Report
from partnerrules.model import Rule
from partnerrules.model import Ruleset
from partnerrules.model import Status
from partnerrules.plugins import get_plugin_manager
from partnerrules.registry import HookCall
from partnerrules.registry import KindSpec
from partnerrules.registry import Registry
from partnerrules.registry import Test
from partnerrules.registry import hook_calls
from partnerrules.serde import with_citations

_MET: Final = Status.MET
_PARTIAL: Final = Status.PARTIAL
_UNMET: Final = Status.UNMET
_UNKNOWN: Final = Status.UNKNOWN
_NA: Final = Status.NOT_APPLICABLE
_LABEL_KEYS: Final = ("name", "id")
_LABEL_TYPES: Final = (str, int)  # isinstance() with a union is slower
#: For how many items of a list the Evidence of an unrecorded item fact is built once.
_UNRECORDED_ITEMS: Final = 12


#: Appends a rule's findings for one run to a list: (run, its slot table, the list).
Emitter = Callable[["_Run", Slots, list[Finding]], None]


class CompiledRule:
    """A rule whose conditions are closures; evaluates to one finding per subject."""

    __slots__ = (
        "_applies",
        "_applies_evidence",
        "_applies_reads",
        "_columnar",
        "_evidence",
        "_for_each",
        "_for_each_path",
        "_for_each_slot",
        "_judge",
        "_judged_item",
        "_labels_key",
        "_list_path",
        "_partial",
        "_reads",
        "_status",
        "_when",
        "rule",
    )

    def __init__(self, rule: Rule, compiler: Compiler, index: int = 0) -> None:
        self.rule = rule
        where = f"$.rules[{index}]"
        when = compiler.compile(rule.when, f"{where}.when", standalone=False)
        partial = (
            compiler.compile(rule.partial, f"{where}.partial", standalone=False)
            if rule.partial
            else None
        )
        applies = (
            compiler.compile(rule.applies, f"{where}.applies", standalone=False)
            if rule.applies
            else None
        )
        self._when: Compiled = when.test
        self._partial: Compiled | None = partial.test if partial else None
        self._applies: Compiled | None = applies.test if applies else None
        reads: dict[Read, None] = {}
        for part in (applies, when, partial):
            if part is not None:
                reads.update(dict.fromkeys(part.reads))
        self._reads = tuple(_ReadPlan(r) for r in reads)
        self._applies_reads = tuple(_ReadPlan(r) for r in applies.reads) if applies else ()
        when_parts = compiler.fact_parts(self._when)
        fused = (
            _fused_status(
                when_parts,
                compiler.fact_parts(self._partial) if self._partial else None,
                has_partial=self._partial is not None,
            )
            if self._applies is None
            else None
        )
        self._status = (
            fused[0] if fused else _status_function(self._when, self._partial, self._applies)
        )
        #: For a rule whose tests read one fact: its status from that fact's value (see
        #: emitter() and evaluate()); whether that fact is a key of the item.
        self._judge: Callable[[object], Status] | None = fused[1] if fused else None
        self._judged_item = bool(fused and when_parts and when_parts.item)
        assert not self._judged_item or len(self._reads) == 1
        self._evidence: Callable[[_Run], tuple[Evidence, ...]] = _no_evidence
        self._applies_evidence: Callable[[_Run], tuple[Evidence, ...]] = _no_evidence
        self._for_each: tuple[bool, tuple[Key, ...]] | None = None
        self._for_each_path = rule.for_each
        self._for_each_slot = -1
        self._labels_key = ""
        self._list_path = ""
        #: Whether the evidence of the reads (and of the applies reads) of a for_each rule
        #: can be put together from columns (see _Run.item_evidence).
        self._columnar = (
            all(map(_columnar, self._reads)),
            all(map(_columnar, self._applies_reads)),
        )
        if rule.for_each is not None:
            try:
                self._for_each = compile_path(rule.for_each)
            except ValueError as exc:
                raise ConditionError(f"{where}.for_each", str(exc)) from None
            if self._for_each[0]:
                raise ConditionError(
                    f"{where}.for_each", "for_each reads a list of the facts, not of an item"
                )
            self._for_each_slot = compiler.slot(self._for_each[1])
            # Runs keep per-item data under string keys (strings keep their hash).
            self._labels_key = f"{rule.for_each}:{rule.label or ''}"
            self._list_path = format_path(self._for_each[1])
            for plan in (*self._reads, *self._applies_reads):
                if plan.item and plan.item_keys:
                    plan.in_list(self._list_path)
        elif any(r.item for r in reads):
            raise ConditionError(
                where,
                "its conditions read 'item.' paths outside a quantifier, so it needs 'for_each'",
            )

    def evaluate_single(self, run: _Run) -> Finding:
        """Return the one finding of a rule without ``for_each``."""
        status = self._status(run.vals, None)
        if status is _NA:
            return _new_finding(self.rule, status, self._applies_evidence(run))
        return _new_finding(self.rule, status, self._evidence(run))

    def all_plans(self) -> tuple[_ReadPlan, ...]:
        """Return every prepared read of the rule (of ``applies`` too)."""
        return (*self._reads, *self._applies_reads)

    def emitter(self) -> Emitter:
        """Return a function that appends the rule's findings for a run to a list.

        Call once the ruleset has placed the plain evidence (:class:`CompiledRuleset`).
        The common case, a rule without ``for_each`` or ``applies`` whose evidence is
        plain fact paths, gets one flat closure: this is the engine's hot loop.
        """
        self._evidence = _evidence_getter(self._reads)
        self._applies_evidence = _evidence_getter(self._applies_reads)
        rule, status_of = self.rule, self._status
        indices = [plan.index for plan in self._reads if plan.slot is not None]
        plain = len(indices) == len(self._reads) >= 1
        if self._for_each is None and self._applies is None and plain:
            if len(indices) == 1:  # the commonest rule of all: one fact, one or two tests
                (index,) = indices
                judge, slot = self._judge, self._reads[0].slot
                if judge is not None and slot is not None:

                    def emit_judged(run: _Run, vals: Slots, out: list[Finding]) -> None:
                        out.append(_new_finding(rule, judge(vals[slot]), (run.plain[index],)))

                    return emit_judged

                def emit_one(run: _Run, vals: Slots, out: list[Finding]) -> None:
                    out.append(_new_finding(rule, status_of(vals, None), (run.plain[index],)))

                return emit_one
            pick = itemgetter(*indices)

            def emit_plain(run: _Run, vals: Slots, out: list[Finding]) -> None:
                out.append(_new_finding(rule, status_of(vals, None), pick(run.plain)))

            return emit_plain
        if self._for_each is None:

            def emit_single(run: _Run, vals: Slots, out: list[Finding]) -> None:
                out.append(self.evaluate_single(run))

            return emit_single

        def emit_each(run: _Run, vals: Slots, out: list[Finding]) -> None:
            out.extend(self.evaluate(run))

        return emit_each

    def evaluate(self, run: _Run) -> list[Finding]:
        """Return the findings of the rule: one, or one per item with ``for_each``."""
        if self._for_each is None:
            return [self.evaluate_single(run)]
        keys = self._for_each[1]
        vals = run.vals
        items = vals[self._for_each_slot]
        path = self._for_each_path
        assert path is not None
        if not isinstance(items, list):
            present = items is not ABSENT
            ev = (Evidence(path, None if not present else items, present, run.note(keys)),)
            return [self._finding(_UNKNOWN, ev, path)]
        if not items:
            return [self._finding(_NA, (Evidence(path, [], True, run.note(keys)),), path)]
        # Labels and the evidence of each item read are built once per run and shared by
        # every rule over the same list (the stakeholders' power is read by ten rules).
        labels = run.labels(self._labels_key, path, self.rule.label, items)
        where = self._list_path  # the list's path as evidence spells it: partners[0].name
        judge = self._judge
        if judge is not None and self._judged_item:
            # One key of the item decides, and is all the evidence: judge the values its
            # evidence column has read.
            evidence = run.item_evidence(keys, where, items, self._reads, True)
            statuses = [judge(ev[1] if ev[2] else ABSENT) for (ev,) in evidence]
            return list(map(_new_finding, repeat(self.rule), statuses, evidence, labels, count()))
        status_of = self._status
        statuses = [status_of(vals, item) for item in items]
        if self._applies is None or _NA not in statuses:
            evidence = run.item_evidence(keys, where, items, self._reads, self._columnar[0])
        else:  # where the rule does not apply, only the applies reads count
            short = run.item_evidence(keys, where, items, self._applies_reads, self._columnar[1])
            if all(status is _NA for status in statuses):
                evidence = short
            else:
                full = run.item_evidence(keys, where, items, self._reads, self._columnar[0])
                evidence = [
                    short[i] if status is _NA else full[i] for i, status in enumerate(statuses)
                ]
        return list(map(_new_finding, repeat(self.rule), statuses, evidence, labels, count()))

    def _finding(
        self, status: Status, evidence: tuple[Evidence, ...], subject: str | None
    ) -> Finding:
        return _new_finding(self.rule, status, evidence, subject)


def _fused_status(
    when: FactParts | None, partial: FactParts | None, *, has_partial: bool
) -> tuple[Callable[[Slots, object], Status], Callable[[object], Status]] | None:
    """Return the status function of a rule whose tests read one and the same fact.

    Most rules are ``when = {fact = X, op = "yes"}`` with ``partial = {fact = X, op =
    "partly"}``: the value is read (from the slot table or the item) once, not once per
    test. The result is the one :func:`_status_function` gives. Also returns the status
    as a function of the value alone (see :meth:`CompiledRule.evaluate`). ``None`` when
    the rule is not of that shape (or an operator reads absent values).
    """
    if when is None or when.reads_absent:
        return None
    if has_partial and (
        partial is None
        or partial.reads_absent
        or (partial.keys, partial.item) != (when.keys, when.item)
    ):
        return None
    judge = _judge(when.op, None if partial is None else partial.op)
    get = when.get
    if get is not None:  # a path of the item

        def status_item(vals: Slots, item: object) -> Status:
            return judge(get(item))

        return status_item, judge
    slot = when.slot
    assert slot is not None

    def status_slot(vals: Slots, item: object) -> Status:
        return judge(vals[slot])

    return status_slot, judge


def _judge(met_op: Test, partial_op: Test | None) -> Callable[[object], Status]:
    """Return a rule's status from the one value its tests read (:data:`ABSENT` if none)."""
    if partial_op is None:

        def judge_one(v: object) -> Status:
            if v is ABSENT:
                return _UNKNOWN
            met = met_op(v)
            return _MET if met is True else _UNKNOWN if met is None else _UNMET

        return judge_one

    def judge_pair(v: object) -> Status:
        if v is ABSENT:
            return _UNKNOWN
        met = met_op(v)
        if met is True:
            return _MET
        if met is None:
            return _UNKNOWN
        part = partial_op(v)
        return _PARTIAL if part is True else _UNKNOWN if part is None else _UNMET

    return judge_pair


def _status_function(
    when: Compiled, partial: Compiled | None, applies: Compiled | None
) -> Callable[[Slots, object], Status]:
    """Return a function giving a rule's status: applies, then when, then partial."""
    if applies is None and partial is None:

        def status_when(vals: Slots, item: object) -> Status:
            met = when(vals, item)
            return _MET if met is True else _UNKNOWN if met is None else _UNMET

        return status_when
    if applies is None:
        assert partial is not None

        def status_partial(vals: Slots, item: object) -> Status:
            met = when(vals, item)
            if met is True:
                return _MET
            if met is None:
                return _UNKNOWN
            part = partial(vals, item)
            return _PARTIAL if part is True else _UNKNOWN if part is None else _UNMET

        return status_partial

    def status(vals: Slots, item: object) -> Status:
        applied = applies(vals, item)
        if applied is False:
            return _NA
        if applied is None:
            return _UNKNOWN
        met = when(vals, item)
        if met is True:
            return _MET
        if met is None:
            return _UNKNOWN
        if partial is None:
            return _UNMET
        part = partial(vals, item)
        return _PARTIAL if part is True else _UNKNOWN if part is None else _UNMET

    return status


def _label(item: object, label_key: str | None, path: str, index: int) -> str:
    if isinstance(item, dict):
        for key in (label_key,) if label_key else _LABEL_KEYS:
            value = item.get(key)
            if (
                isinstance(value, _LABEL_TYPES)
                and not isinstance(value, bool)
                and str(value).strip()
            ):
                return str(value)
    return f"{path}[{index}]"


class _ReadPlan:
    """A read path prepared for resolving evidence without parsing anything."""

    __slots__ = (
        "column_key",
        "getters",
        "index",
        "item",
        "item_keys",
        "item_notes",
        "keys",
        "list_path",
        "note_paths",
        "parts",
        "path",
        "slot",
        "suffix",
        "unrecorded",
    )

    def __init__(self, read: Read) -> None:
        self.item = read.item
        self.keys = read.keys
        parts: list[tuple[Key, ...]] = [()]
        for key in read.keys:
            if key == STAR:
                parts.append(())
            else:
                parts[-1] = (*parts[-1], key)
        self.parts = tuple(parts)
        self.getters = tuple(make_getter(part) if part else None for part in parts)
        plain = len(parts) == 1 and not read.item and read.slot is not None
        #: The slot holding the value, for a plain path from the facts root.
        self.slot = read.slot if plain else None
        #: Where the run keeps this plain path's Evidence (set by the compiled ruleset).
        self.index = -1
        self.path = format_path(read.keys) if plain else None
        # Where an evidence note for a plain path may hang: the path, then its ancestors.
        self.note_paths = _ancestors(read.keys) if plain else ()
        # A read of one key path in every item of a list: either ``item.<keys>`` (the
        # items of a for_each rule, one part) or ``<list>.*.<keys>`` from the facts root
        # (two parts). Its evidence is a column, one Evidence per item (see _Run.column).
        #: The keys read in each item (empty: not such a read).
        self.item_keys: tuple[Key, ...] = ()
        #: How an item's path continues after ``list[i]``, and its ancestors inside it.
        self.suffix = ""
        self.item_notes: tuple[str, ...] = ()
        #: Names the column for the run's cache: ``partners.*.vetted``, for both shapes
        #: (see :meth:`in_list`; the rule calls it for ``item.`` reads).
        self.column_key = ""
        #: The Evidence of the read in the first items when it is not recorded (and has
        #: no note): the same for every partnership, so built once (see _Run.column).
        self.unrecorded: tuple[Evidence, ...] = ()
        #: For ``<list>.*.<keys>``: the list's path.
        self.list_path = ""
        one_list = len(parts) == 1 if read.item else len(parts) == 2 and bool(parts[0])
        if one_list and parts[-1]:
            self.item_keys = parts[-1]
            self.suffix = _suffix(self.item_keys)
            self.item_notes = tuple(
                _suffix(self.item_keys[:end]) for end in range(len(self.item_keys), 0, -1)
            )
            if not read.item:
                self.list_path = format_path(parts[0])
                self.in_list(self.list_path)

    def in_list(self, path: str) -> None:
        """Say which list the items read are in (its path, as evidence spells it)."""
        self.column_key = f"{path}.*{self.suffix}"
        self.unrecorded = tuple(
            Evidence(f"{path}[{i}]{self.suffix}", None, False, None)
            for i in range(_UNRECORDED_ITEMS)
        )


def _columnar(plan: _ReadPlan) -> bool:
    """Say whether a read's evidence for each item of a for_each list is one Evidence.

    True for a plain path from the facts root (the same for every item) and for a key
    path of the item itself; not for a quantifier's reads, which expand to many.
    """
    return plan.slot is not None or (plan.item and bool(plan.item_keys))


def _suffix(keys: tuple[Key, ...]) -> str:
    """Return how a path continues with ``keys``: ``.a.b``, ``[0].a``."""
    text = format_path(keys)
    return text if isinstance(keys[0], int) else f".{text}"


def _ancestors(keys: tuple[Key, ...]) -> tuple[str, ...]:
    """Return a path and its ancestors, nearest first (where evidence notes may hang)."""
    return tuple(format_path(keys[:end]) for end in range(len(keys), 0, -1))


#: Build an Evidence from a 4-tuple without the Python-level NamedTuple constructor
#: (the tuple must hold every field: this bypasses defaults).
assert Evidence._fields == ("path", "value", "present", "note")
_new_evidence: Callable[[tuple[str, object, bool, str | None]], Evidence] = partial(
    tuple.__new__, Evidence
)


assert tuple(a.name for a in attrs.fields(Finding)) == (
    "rule",
    "status",
    "evidence",
    "subject",
    "item",
)
_set_rule, _set_status, _set_evidence, _set_subject, _set_item = (
    Finding.__dict__[name].__set__ for name in ("rule", "status", "evidence", "subject", "item")
)
_new_object = object.__new__


def _new_finding(
    rule: Rule,
    status: Status,
    evidence: tuple[Evidence, ...],
    subject: str | None = None,
    item: int | None = None,
) -> Finding:
    """Return ``Finding(rule, status, evidence, subject, item)``, built faster.

    attrs' ``__init__`` for a frozen class sets each field through
    ``object.__setattr__``; this sets the slots directly. The engine builds a finding for
    every rule (and item) of every partnership, so the difference shows. Finding has no
    validators, converters or post-init hook; the assertion above guards its fields.
    """
    finding: Finding = _new_object(Finding)
    _set_rule(finding, rule)
    _set_status(finding, status)
    _set_evidence(finding, evidence)
    _set_subject(finding, subject)
    _set_item(finding, item)
    return finding


class _Lists:
    """What one evaluation learns about the facts' lists, shared by all its rulesets.

    Keyed by paths (``partners.*.vetted``, ``partners``), which mean the same in every
    ruleset: the evidence of an item read and the items' labels and paths are built
    once per partnership, however many rulesets read them.
    """

    __slots__ = ("columns", "item_paths", "labels")

    def __init__(self) -> None:
        #: Per list and item read, the Evidence of every item (see _Run.column).
        self.columns: dict[str, list[Evidence]] = {}
        #: Per list and label key, the subject of every item.
        self.labels: dict[str, list[str]] = {}
        #: Per list, the path of every item.
        self.item_paths: dict[str, list[str]] = {}


class _Run:
    """One evaluation of one ruleset: the slot table, and the evidence built from it."""

    __slots__ = ("columns", "facts", "item_paths_of", "labels_of", "notes", "plain", "vals")

    def __init__(
        self,
        compiled: CompiledRuleset,
        facts: Mapping[str, object],
        notes: Mapping[str, str],
        lists: _Lists | None = None,
    ) -> None:
        self.facts = facts
        self.notes = notes
        vals = self.vals = compiled.table.prepare(facts)
        # One Evidence per plain fact path, shared by every finding that read it.
        new = _new_evidence
        plain: list[Evidence]
        if notes:
            plain = []
            for slot, path, note_paths, unrecorded in compiled.plain_paths:
                value = vals[slot]
                note = None
                for note_path in note_paths:
                    note = notes.get(note_path)
                    if note is not None:
                        break
                if value is not ABSENT:
                    plain.append(new((path, value, True, note)))
                elif note is None:
                    plain.append(unrecorded)
                else:
                    plain.append(new((path, None, False, note)))
        else:
            plain = [
                unrecorded if (value := vals[slot]) is ABSENT else new((path, value, True, None))
                for slot, path, _, unrecorded in compiled.plain_paths
            ]
        self.plain = plain
        if lists is None:
            lists = _Lists()
        self.columns = lists.columns
        self.labels_of = lists.labels
        self.item_paths_of = lists.item_paths

    def evidence(
        self, item: object, prefix: tuple[Key, ...], plans: Sequence[_ReadPlan]
    ) -> tuple[Evidence, ...]:
        """Return the evidence of the given reads (``item`` and ``prefix`` for item reads)."""
        out: list[Evidence] = []
        for plan in plans:
            if plan.slot is not None:  # a plain path from the facts root
                out.append(self.plain[plan.index])
            elif plan.list_path:  # <list>.*.<keys>: one Evidence per item of the list
                get_list = plan.getters[0]
                assert get_list is not None
                items = get_list(self.facts)
                if isinstance(items, list):  # an absent list is reported by its own read
                    out.extend(self.column(plan.parts[0], plan.list_path, items, plan))
            elif plan.item:
                _expand(item, plan, prefix, 0, self.notes, out)
            else:
                _expand(self.facts, plan, (), 0, self.notes, out)
        return tuple(out)

    def column(
        self, keys: tuple[Key, ...], path: str, items: list[object], plan: _ReadPlan
    ) -> list[Evidence]:
        """Return the Evidence of one item read for every item of the list at ``keys``.

        Built once per run: every rule that reads the same key of the same list's items
        (as ``item.<key>`` in a for_each rule, or as ``<list>.*.<key>``) shares it.
        """
        column = self.columns.get(plan.column_key)
        if column is not None:
            return column
        get = plan.getters[-1]
        assert get is not None
        suffix = plan.suffix
        notes = self.notes
        new = _new_evidence
        where = self.item_paths(path, items)
        if not notes:
            unrecorded = plan.unrecorded
            column = [
                new((at + suffix, value, True, None))
                if (value := get(item)) is not ABSENT
                else (
                    unrecorded[i]
                    if i < _UNRECORDED_ITEMS
                    else new((at + suffix, None, False, None))
                )
                for i, (at, item) in enumerate(zip(where, items, strict=True))
            ]
        else:
            column = []
            on_list = _note(notes, keys)  # the list and its ancestors: the same for each item
            for at, item in zip(where, items, strict=True):
                value = get(item)
                note = None
                for inside in plan.item_notes:  # the path, then its ancestors in the item
                    note = notes.get(at + inside)
                    if note is not None:
                        break
                else:  # the item itself, then the list
                    note = notes.get(at)
                    if note is None:
                        note = on_list
                if value is ABSENT:
                    column.append(new((at + suffix, None, False, note)))
                else:
                    column.append(new((at + suffix, value, True, note)))
        self.columns[plan.column_key] = column
        return column

    def item_paths(self, path: str, items: list[object]) -> list[str]:
        """Return the path of each item of the list at ``path`` (``partners[0]``...)."""
        paths = self.item_paths_of.get(path)
        if paths is None:
            paths = self.item_paths_of[path] = [f"{path}[{i}]" for i in range(len(items))]
        return paths

    def item_evidence(
        self,
        keys: tuple[Key, ...],
        path: str,
        items: list[object],
        plans: Sequence[_ReadPlan],
        columnar: bool,
    ) -> list[tuple[Evidence, ...]]:
        """Return the evidence of the given reads for each item of a for_each list.

        ``columnar``: every read is a plain path or a key of the item (see
        :func:`_columnar`), so the evidence is put together from shared columns.
        """
        if not columnar:
            return [self.evidence(item, (*keys, i), plans) for i, item in enumerate(items)]
        if not plans:
            return [()] * len(items)
        if len(plans) == 1 and plans[0].slot is None:  # the usual: one key of the item
            return [(evidence,) for evidence in self.column(keys, path, items, plans[0])]
        columns = [
            [self.plain[plan.index]] * len(items)
            if plan.slot is not None
            else self.column(keys, path, items, plan)
            for plan in plans
        ]
        return list(zip(*columns, strict=True))

    def labels(self, key: str, path: str, label_key: str | None, items: list[object]) -> list[str]:
        """Return the subject of each item of a for_each list (computed once per run).

        ``key`` names the list and label key (see ``CompiledRule._labels_key``).
        """
        labels = self.labels_of.get(key)
        if labels is None:
            labels = [_label(item, label_key, path, i) for i, item in enumerate(items)]
            self.labels_of[key] = labels
        return labels

    def note(self, keys: tuple[Key, ...]) -> str | None:
        """Return the evidence note for a path (or its nearest ancestor)."""
        return _note(self.notes, keys) if self.notes else None


def _no_evidence(run: _Run) -> tuple[Evidence, ...]:
    return ()


def _evidence_getter(plans: Sequence[_ReadPlan]) -> Callable[[_Run], tuple[Evidence, ...]]:
    """Return how a rule without ``for_each`` collects its evidence from a run."""
    if not plans:
        return lambda run: ()
    indices = [plan.index for plan in plans if plan.slot is not None]
    if len(indices) == len(plans):
        if len(indices) == 1:
            (index,) = indices
            return lambda run: (run.plain[index],)
        pick = itemgetter(*indices)
        return lambda run: pick(run.plain)
    return lambda run: run.evidence(None, (), plans)


def _expand(
    doc: object,
    plan: _ReadPlan,
    done: tuple[Key, ...],
    part: int,
    notes: Mapping[str, str],
    out: list[Evidence],
) -> None:
    """Resolve a read path, expanding ``*`` over the items of the list it names."""
    keys = plan.parts[part]
    getter = plan.getters[part]
    value = getter(doc) if getter is not None else doc
    full = (*done, *keys)
    if part + 1 < len(plan.parts):
        if isinstance(value, list):
            for i, item in enumerate(value):
                _expand(item, plan, (*full, i), part + 1, notes, out)
        return  # an absent list is reported by its own read
    present = value is not ABSENT
    note = _note(notes, full) if notes else None
    out.append(Evidence(format_path(full), value if present else None, present, note))


def _note(notes: Mapping[str, str], keys: tuple[Key, ...]) -> str | None:
    """Return the evidence note attached to a fact path or to its nearest ancestor."""
    for end in range(len(keys), 0, -1):
        note = notes.get(format_path(keys[:end]))
        if note is not None:
            return note
    return None


class CompiledRuleset:
    """A ruleset with every rule compiled, its slot table, and its kind resolved."""

    __slots__ = ("emitters", "kind", "plain_paths", "rules", "ruleset", "table")

    def __init__(
        self,
        ruleset: Ruleset,
        rules: tuple[CompiledRule, ...],
        kind: KindSpec,
        table: FactTable,
    ) -> None:
        self.ruleset = ruleset
        self.rules = rules
        self.kind = kind
        self.table = table
        plain: dict[int, tuple[int, str, tuple[str, ...], Evidence]] = {}
        plans = [plan for rule in rules for plan in rule.all_plans() if plan.slot is not None]
        for plan in plans:
            assert plan.slot is not None
            assert plan.path is not None
            unrecorded = Evidence(plan.path, None, False, None)
            plain[plan.slot] = (plan.slot, plan.path, plan.note_paths, unrecorded)
        #: (slot, path, where a note may hang, its Evidence when not recorded) for every
        #: plain fact path the rules read, in the order a run keeps their Evidence. The
        #: Evidence of an unrecorded fact with no note is the same for every partnership
        #: (and immutable), so it is built once here.
        self.plain_paths = tuple(plain.values())
        index = {slot: i for i, slot in enumerate(plain)}
        for plan in plans:
            plan.index = index[plan.slot]  # type: ignore[index]
        self.emitters = tuple(rule.emitter() for rule in rules)

    def assess(
        self, facts: Mapping[str, object], notes: Mapping[str, str], lists: _Lists | None = None
    ) -> Assessment:
        """Evaluate every rule and aggregate the findings with the ruleset's kind.

        :param lists: what the evaluation learnt about lists in other rulesets (the
            same facts and notes), to share
        """
        run = _Run(self, facts, notes, lists)
        vals = run.vals
        findings: list[Finding] = []
        for emit in self.emitters:
            emit(run, vals, findings)
        try:
            return self.kind.assess(self.ruleset, findings)
        except Exception as exc:
            raise PluginError(
                self.kind.plugin,
                f"assessment kind {self.kind.name!r} failed on ruleset"
                f" {self.ruleset.id!r}: {type(exc).__name__}: {exc}",
                exc,
            ) from exc


def compile_ruleset(ruleset: Ruleset, registry: Registry) -> CompiledRuleset:
    """Compile every rule of a ruleset, collecting every problem before raising.

    :raises RulesetError: naming each rule and key path that cannot be compiled
    """
    kind = registry.kinds.get(ruleset.ruleset.kind)
    if kind is None:
        raise RulesetError(
            ruleset.origin, [f"$.ruleset.kind: unknown assessment kind {ruleset.ruleset.kind!r}"]
        )
    compiler = Compiler(registry.operators, ruleset.conditions, registry.checks)
    compiled: list[CompiledRule] = []
    problems: list[str] = []
    for name in ruleset.conditions:  # report unusable named conditions even when unused
        try:
            compiler.compile(ruleset.conditions[name], f"$.conditions.{name}", standalone=False)
        except ConditionError as exc:
            problems.append(str(exc))
    if any(not rule.citation for rule in ruleset.rules):  # built in Python, not read
        ruleset = attrs.evolve(ruleset, rules=with_citations(ruleset))
    for index, rule in enumerate(ruleset.rules):
        try:
            compiled.append(CompiledRule(rule, compiler, index))
        except ConditionError as exc:
            if exc.where.startswith("$.rules["):
                problems.append(f"rule {rule.id!r} ({exc.where}): {exc.message}")
            else:  # a named condition the rule uses
                problems.append(f"rule {rule.id!r}: {exc}")
    if problems:
        raise RulesetError(ruleset.origin, list(dict.fromkeys(problems)))
    return CompiledRuleset(ruleset, tuple(compiled), kind, compiler.table())


def _engine_version() -> str:
    from partnerrules import __version__

    return __version__


class Engine:
    """Rulesets parsed, checked and compiled once; evaluate partnerships many times.

    An engine is immutable after construction, safe to share between threads, and
    picklable (it is rebuilt from its rulesets and plugin settings on unpickling), so a
    host can send it to worker processes.

    :param rulesets: ruleset ids, paths to TOML files, or :class:`Ruleset` objects;
        ``None`` selects every ruleset the plugins ship
    :param plugins: extra plugin objects to register (modules, classes or instances)
    :param entry_points: discover installed plugins through entry points
    :param blocked: names of plugins (built-in or installed) not to load
    :param load_only: names of the installed plugins to load (``None``: see
        :func:`~partnerrules.plugins.get_plugin_manager`)
    :param config: a host's tailoring (:class:`~partnerrules.config.Config`): the default
        rulesets, rules selected and ignored, weights and bands, blocked plugins, and each
        plugin's settings
    :raises RulesetError: when a ruleset cannot be read, parsed, checked or compiled
    :raises PluginError: when a plugin is broken
    :raises UnknownRulesetError: when a ruleset id is neither shipped nor a file
    """

    __slots__ = (
        "_after",
        "_config",
        "_plugin_manager",
        "_prepare",
        "_registry",
        "_rulesets",
        "_shipped_ids",
        "_version",
    )

    _config: tuple[
        tuple[Ruleset, ...],
        tuple[_PluginRef, ...],
        bool,
        tuple[str, ...],
        tuple[str, ...] | None,
        Config | None,
    ]
    _prepare: tuple[HookCall, ...]
    _after: tuple[HookCall, ...]
    _plugin_manager: pluggy.PluginManager
    _registry: Registry
    _rulesets: tuple[CompiledRuleset, ...]
    _shipped_ids: tuple[str, ...]
    _version: str

    def __init__(
        self,
        rulesets: Iterable[str | os.PathLike[str] | Ruleset] | None = None,
        *,
        plugins: Iterable[object] = (),
        entry_points: bool = True,
        blocked: Iterable[str] = (),
        load_only: Iterable[str] | None = None,
        config: Config | None = None,
    ) -> None:
        plugins = tuple(plugins)
        blocked = tuple(blocked)
        load_only = None if load_only is None else tuple(load_only)
        settings = config.settings if config is not None else {}
        use_entry_points = entry_points and (config is None or config.plugins)
        pm = get_plugin_manager(
            entry_points=use_entry_points,
            blocked=(*blocked, *(config.block if config else ())),
            plugins=plugins,
            load_only=load_only,
        )
        registry = Registry.collect(pm, settings)
        if rulesets is None and config is not None and config.rulesets is not None:
            rulesets = config.rulesets
        specs = None if rulesets is None else tuple(rulesets)
        needs_shipped = specs is None or any(not _is_file_spec(s) for s in specs)
        shipped = _shipped_rulesets(registry) if needs_shipped else {}
        chosen: list[Ruleset] = []
        for spec in shipped.values() if specs is None else specs:
            chosen.append(_resolve(spec, shipped, registry))
        ids = [r.id for r in chosen]
        for rid in ids:
            if ids.count(rid) > 1:
                origins = [r.origin for r in chosen if r.id == rid]
                raise RulesetError(
                    origins[-1], [f"ruleset id {rid!r} is also used by {origins[0]}"]
                )
        object.__setattr__(self, "_plugin_manager", pm)
        object.__setattr__(self, "_registry", registry)
        object.__setattr__(self, "_shipped_ids", tuple(shipped))
        tailored = [config.tailor(r) for r in chosen] if config is not None else chosen
        object.__setattr__(
            self, "_rulesets", tuple(compile_ruleset(r, registry) for r in tailored)
        )
        object.__setattr__(self, "_prepare", hook_calls(pm, "prepare_facts", settings))
        object.__setattr__(self, "_after", hook_calls(pm, "after_report", settings))
        object.__setattr__(self, "_version", _engine_version())
        object.__setattr__(
            self,
            "_config",
            (
                tuple(chosen),
                tuple(_PluginRef.of(p) for p in plugins),
                entry_points,
                blocked,
                load_only,
                config,
            ),
        )

    @classmethod
    def from_config(cls, path: str | os.PathLike[str] | None = None, **options: object) -> Engine:
        """Build an engine from ``partnerrules.toml`` (or ``[tool.partnerrules]``).

        :param path: the configuration file; ``None`` looks for one in the working
            directory and its parents (and uses no configuration if there is none)
        :param options: further :class:`Engine` arguments
        """
        from partnerrules.config import find_config
        from partnerrules.config import read_config

        config = read_config(Path(path)) if path is not None else find_config(Path.cwd())
        return cls(config=config, **options)  # type: ignore[arg-type]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Engine is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Engine is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_engine, self._config)

    @property
    def rulesets(self) -> tuple[Ruleset, ...]:
        """Return the rulesets this engine evaluates, in order."""
        return tuple(c.ruleset for c in self._rulesets)

    @property
    def registry(self) -> Registry:
        """Return what the plugins contributed (operators, kinds, loaders, outputs)."""
        return self._registry

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """Return the plugin manager the engine was built with."""
        return self._plugin_manager

    def load_facts(self, source: str | os.PathLike[str]) -> dict[str, object]:
        """Load facts: a file (loader chosen by extension) or a source address by scheme.

        :raises FactsError: when the source cannot be read or is not a table of facts
        """
        return load_facts(source if isinstance(source, str) else Path(source), self._registry)

    def evaluate(
        self,
        facts: Mapping[str, object],
        *,
        origin: str | None = None,
        only: Iterable[str] | None = None,
    ) -> Report:
        """Evaluate one partnership's facts against the rulesets of the engine.

        :param facts: the facts document (a mapping as loaded from TOML or JSON)
        :param origin: where the facts came from, shown in reports
        :param only: ids of the rulesets to evaluate (default: all of them)
        """
        doc = facts if isinstance(facts, dict) else dict(facts)
        for call in self._prepare:
            doc = _prepared(call, doc)
        raw_notes = doc.get("evidence")
        notes: Mapping[str, str] = raw_notes if isinstance(raw_notes, dict) else {}
        chosen = self._rulesets
        if only is not None:
            wanted = set(only)
            unknown = wanted - {c.ruleset.id for c in chosen}
            if unknown:
                raise UnknownRulesetError(sorted(unknown)[0], [c.ruleset.id for c in chosen])
            chosen = tuple(c for c in chosen if c.ruleset.id in wanted)
        lists = _Lists()
        assessments = tuple(c.assess(doc, notes, lists) for c in chosen)
        report = Report(_partnership_name(doc, origin), assessments, origin, self._version)
        for call in self._after:
            try:
                call(report=report)
            except Exception as exc:
                raise PluginError(
                    call.plugin, f"after_report raised {type(exc).__name__}: {exc}", exc
                ) from exc
        return report


def _prepared(call: HookCall, facts: dict[str, object]) -> dict[str, object]:
    """Run one plugin's prepare_facts, checking what it returns."""
    try:
        result = call(facts=facts)
    except Exception as exc:
        raise PluginError(
            call.plugin, f"prepare_facts raised {type(exc).__name__}: {exc}", exc
        ) from exc
    if result is None:
        return facts
    if not isinstance(result, Mapping):
        raise PluginError(
            call.plugin,
            f"prepare_facts must return a mapping or None, got {type(result).__name__}",
        )
    return result if isinstance(result, dict) else dict(result)


def _partnership_name(facts: Mapping[str, object], origin: str | None) -> str:
    partnership = facts.get("partnership")
    if isinstance(partnership, dict):
        name = partnership.get("name")
        if isinstance(name, str) and name.strip():
            return name
    if origin:
        return Path(origin).stem
    return "Unnamed partnership"


def _shipped_rulesets(registry: Registry) -> dict[str, Ruleset]:
    shipped: dict[str, Ruleset] = {}
    for location in registry.rulesets:
        try:
            ruleset = read_ruleset(location.location)
        except RulesetError as exc:
            raise PluginError(location.plugin, f"ships a broken ruleset: {exc}", exc) from exc
        if ruleset.id in shipped:
            raise PluginError(
                location.plugin,
                f"ships ruleset {ruleset.id!r} ({ruleset.origin}), which"
                f" {shipped[ruleset.id].origin} already provides",
            )
        shipped[ruleset.id] = ruleset
    return shipped


def _is_file_spec(spec: str | os.PathLike[str] | Ruleset) -> bool:
    """Say whether a ruleset spec names a file (or is a Ruleset) rather than an id."""
    if isinstance(spec, Ruleset):
        return True
    text = os.fspath(spec)
    return os.path.exists(text) or text.endswith(".toml") or os.sep in text


def _resolve(
    spec: str | os.PathLike[str] | Ruleset, shipped: Mapping[str, Ruleset], registry: Registry
) -> Ruleset:
    if isinstance(spec, Ruleset):
        problems = check_against_registry(spec, registry)
        if problems:
            raise RulesetError(spec.origin, problems)
        return spec
    text = os.fspath(spec)
    if text in shipped and not os.path.exists(text):
        ruleset = shipped[text]
    elif os.path.exists(text) or text.endswith(".toml") or os.sep in text:
        return read_ruleset(Path(text), registry)
    else:
        raise UnknownRulesetError(text, shipped)
    problems = check_against_registry(ruleset, registry)
    if problems:
        raise RulesetError(ruleset.origin, problems)
    return ruleset


class _PluginRef:
    """A picklable reference to a plugin: modules by name, other objects as they are."""

    __slots__ = ("module", "obj")

    def __init__(self, module: str | None, obj: object) -> None:
        self.module = module
        self.obj = obj

    @classmethod
    def of(cls, plugin: object) -> _PluginRef:
        if isinstance(plugin, types.ModuleType):
            return cls(plugin.__name__, None)
        return cls(None, plugin)

    def resolve(self) -> object:
        if self.module is not None:
            import importlib

            return importlib.import_module(self.module)
        return self.obj

    def __reduce__(self) -> tuple[object, ...]:
        return (_PluginRef, (self.module, self.obj))


def _rebuild_engine(
    rulesets: tuple[Ruleset, ...],
    plugins: tuple[_PluginRef, ...],
    entry_points: bool,
    blocked: tuple[str, ...],
    load_only: tuple[str, ...] | None,
    config: Config | None = None,
) -> Engine:
    return Engine(
        rulesets,
        plugins=[p.resolve() for p in plugins],
        entry_points=entry_points,
        blocked=blocked,
        load_only=load_only,
        config=config,
    )
