"""The fact vocabulary: every fact the shipped rulesets read, its type and its meaning.

The vocabulary is data (``partnerrules/vocabulary/*.toml``, one file per namespace). From
it come the checks on rulesets (a rule may only read a known fact, or one its ruleset
declares as its own), the checks on facts files (``partnerrules facts check``), the JSON
Schema host systems validate their exports with, the commented template a partnership
manager fills in, and the reference page ``docs/facts.md``.

Paths name list items with ``[]``: ``partners[].name`` is the name of every partner.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from typing import Final

import tomli
from attrs import frozen

from partnerrules.errors import did_you_mean
from partnerrules.model import AllOf
from partnerrules.model import AnyOf
from partnerrules.model import CheckCall
from partnerrules.model import Condition
from partnerrules.model import FactSpec
from partnerrules.model import FactTest
from partnerrules.model import FactType
from partnerrules.model import Not
from partnerrules.model import Quantified
from partnerrules.model import Rule
from partnerrules.model import Ruleset
from partnerrules.model import UseCondition

VOCABULARY_VERSION: Final = "1"
JUDGEMENT_VALUES: Final = ("yes", "partly", "no", "unknown")
#: Top-level keys of a facts document that are not facts.
RESERVED: Final = ("evidence",)
_INDEX: Final = re.compile(r"\[\d*\]")


def normalise(path: str) -> str:
    """Return a path with list indices as ``[]``: ``partners[3].name`` -> ``partners[].name``."""
    return _INDEX.sub("[]", path)


@frozen
class Vocabulary:
    """The known facts, by normalised path."""

    facts: Mapping[str, FactSpec]
    version: str = VOCABULARY_VERSION

    def get(self, path: str) -> FactSpec | None:
        """Return the spec of a fact path (indices allowed), or ``None``.

        A path under an open namespace (a declared table with ``open = true``) gets the
        namespace's spec.
        """
        norm = normalise(path)
        spec = self.facts.get(norm)
        if spec is None and self.open_prefixes:
            for prefix in self.open_prefixes:
                if norm.startswith(prefix):
                    return self.facts[prefix[:-1]]
        return spec

    @property
    def open_prefixes(self) -> tuple[str, ...]:
        """Return ``"ns."`` for every open namespace."""
        return tuple(f"{p}." for p, spec in self.facts.items() if spec.open)

    def suggest(self, path: str) -> str:
        """Return ``"; did you mean 'x'?"`` for the nearest known path, or an empty string."""
        norm = normalise(path)
        hint = did_you_mean(norm, self.facts)
        if not hint:  # compare the last part among siblings: agreement.form vs agreement.frm
            parent, _, leaf = norm.rpartition(".")
            siblings = [p.rpartition(".")[2] for p in self.facts if p.rpartition(".")[0] == parent]
            leaf_hint = did_you_mean(leaf, siblings)
            if leaf_hint:
                match = leaf_hint.split("'")[1]
                hint = f"; did you mean {(parent + '.' + match) if parent else match!r}?"
        return hint

    def extended(self, extra: Iterable[FactSpec]) -> Vocabulary:
        """Return the vocabulary with a ruleset's own extension facts added."""
        facts = dict(self.facts)
        for spec in extra:
            facts[normalise(spec.path)] = spec
        return Vocabulary(facts, self.version)

    def children(self, prefix: str) -> list[FactSpec]:
        """Return the facts directly under a table or list path (``""`` for the top)."""
        out = []
        for path, spec in self.facts.items():
            parent = _parent(path)
            if parent == prefix:
                out.append(spec)
        return out


def _parent(path: str) -> str:
    head, dot, _ = path.rpartition(".")
    return head if dot else ""


@cache
def load_vocabulary() -> Vocabulary:
    """Return the shipped vocabulary (read once: it is package data, not state)."""
    from partnerrules.serde import structure_fact_specs  # serde imports the model only

    facts: dict[str, FactSpec] = {}
    folder = files("partnerrules") / "vocabulary"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomli.loads(entry.read_text(encoding="utf-8"))
        for spec in structure_fact_specs(data, f"vocabulary/{entry.name}"):
            facts[normalise(spec.path)] = spec
    return Vocabulary(facts)


# --------------------------------------------------------------------------- rulesets


def condition_paths(
    cond: Condition,
    context: str,
    named: Mapping[str, Condition],
    check_reads: Mapping[str, Sequence[str]] | None = None,
) -> Iterator[str]:
    """Yield the full vocabulary path of every fact a condition reads.

    ``context`` is the list path whose items ``item.`` refers to (``partners[]``), or
    ``""`` outside any list.
    """
    if isinstance(cond, FactTest):
        if context or not _is_item(cond.fact):  # item paths outside a list: the compiler says
            yield _full(cond.fact, context)
    elif isinstance(cond, AllOf | AnyOf):
        for part in cond.conditions:
            yield from condition_paths(part, context, named, check_reads)
    elif isinstance(cond, Not):
        yield from condition_paths(cond.condition, context, named, check_reads)
    elif isinstance(cond, Quantified):
        if not context and _is_item(cond.over):
            return
        over = _full(cond.over, context)
        yield over
        if cond.where is not None:
            yield from condition_paths(cond.where, f"{over}[]", named, check_reads)
    elif isinstance(cond, UseCondition) and cond.name in named:
        yield from condition_paths(named[cond.name], context, named, check_reads)
    elif isinstance(cond, CheckCall) and check_reads and cond.name in check_reads:
        for path in check_reads[cond.name]:
            if context or not _is_item(path):
                yield _full(path, context)


def _is_item(path: str) -> bool:
    return path == "item" or path.startswith("item.")


def _full(path: str, context: str) -> str:
    if path == "item" or path.startswith("item."):
        return normalise(context + path[len("item") :])
    return normalise(path)


def check_ruleset_facts(
    ruleset: Ruleset,
    vocabulary: Vocabulary,
    check_reads: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """Return a problem for every fact a ruleset reads that is neither known nor declared.

    :param check_reads: the facts each installed check reads, by check name
    """
    problems: list[str] = []
    for i, spec in enumerate(ruleset.facts):
        if vocabulary.get(spec.path) is not None:
            problems.append(
                f"$.facts[{i}].path: {spec.path!r} is already in the vocabulary;"
                " declare only the ruleset's own facts"
            )
    known = vocabulary.extended(ruleset.facts)
    for i, rule in enumerate(ruleset.rules):
        for key, path in rule_paths(rule, ruleset.conditions, check_reads):
            problems.extend(_unknown(known, path, rule.id, i, key))
    return problems


def rule_paths(
    rule: Rule,
    named: Mapping[str, Condition],
    check_reads: Mapping[str, Sequence[str]] | None = None,
) -> Iterator[tuple[str, str]]:
    """Yield (key, vocabulary path) for every fact a rule reads, each once per key.

    The key is where the rule reads it: ``for_each``, ``applies``, ``when`` or ``partial``.
    """
    context = ""
    if rule.for_each is not None:
        context = normalise(rule.for_each) + "[]"
        yield "for_each", normalise(rule.for_each)
    for key in ("applies", "when", "partial"):
        cond = getattr(rule, key)
        if cond is not None:
            for path in dict.fromkeys(condition_paths(cond, context, named, check_reads)):
                yield key, path


def _unknown(known: Vocabulary, path: str, rule_id: str, index: int, key: str) -> list[str]:
    if known.get(path) is not None:
        return []
    return [
        f"rule {rule_id!r} ($.rules[{index}].{key}): reads {path!r}, which is not in the fact"
        f" vocabulary{known.suggest(path)} (a fact of the ruleset's own must be declared"
        " under [[facts]])"
    ]


def readers(rulesets: Iterable[Ruleset]) -> dict[str, list[str]]:
    """Return, for each fact path, the ids of the rules that read it."""
    out: dict[str, list[str]] = {}
    for ruleset in rulesets:
        for rule in ruleset.rules:
            paths = (path for _, path in rule_paths(rule, ruleset.conditions))
            for path in dict.fromkeys(paths):
                out.setdefault(path, []).append(rule.id)
    return out


# --------------------------------------------------------------------------- facts


@frozen
class FactProblem:
    """A problem with a facts document: an ``error`` (wrong type) or a ``warning``."""

    path: str
    message: str
    level: str

    def __str__(self) -> str:
        return f"{self.level}: {self.path}: {self.message}"


def check_facts(facts: Mapping[str, object], vocabulary: Vocabulary) -> list[FactProblem]:
    """Check a facts document against the vocabulary: types, allowed values, known keys."""
    problems: list[FactProblem] = []
    for key, value in facts.items():
        if key in RESERVED:
            problems.extend(_check_evidence(value, vocabulary))
            continue
        _check_value(key, key, value, vocabulary, problems)
    return problems


def _check_evidence(value: object, vocabulary: Vocabulary) -> list[FactProblem]:
    if not isinstance(value, dict):
        return [FactProblem("evidence", "expected a table of fact paths to notes", "error")]
    out = []
    for path, note in value.items():
        if not isinstance(note, str):
            out.append(FactProblem(f"evidence.{path}", "expected a note (text)", "error"))
        elif vocabulary.get(path) is None:
            out.append(
                FactProblem(
                    "evidence",
                    f"note for {path!r}, which is not a known fact{vocabulary.suggest(path)}",
                    "warning",
                )
            )
    return out


def _check_value(
    path: str, norm: str, value: object, vocabulary: Vocabulary, out: list[FactProblem]
) -> None:
    spec = vocabulary.facts.get(norm)
    if spec is None:
        out.append(
            FactProblem(
                path,
                f"not a fact of the vocabulary{vocabulary.suggest(norm)}"
                " (rules will not read it unless a ruleset declares it)",
                "warning",
            )
        )
        return
    if value is None or value == "unknown":
        return
    problem = _type_problem(spec, value)
    if problem:
        out.append(FactProblem(path, problem, "error"))
        return
    if spec.type is FactType.TABLE and isinstance(value, dict):
        for key, sub in value.items():
            _check_value(f"{path}.{key}", f"{norm}.{key}", sub, vocabulary, out)
    elif spec.type is FactType.LIST and isinstance(value, list):
        for i, item in enumerate(value):
            for key, sub in item.items():
                _check_value(f"{path}[{i}].{key}", f"{norm}[].{key}", sub, vocabulary, out)


def _type_problem(spec: FactSpec, value: object) -> str | None:
    kind = spec.type
    got = f"got {_describe(value)}"
    if kind is FactType.TEXT:
        return None if isinstance(value, str) else f"expected text, {got}"
    if kind is FactType.JUDGEMENT:
        if isinstance(value, bool):
            return None
        if isinstance(value, str) and value.strip().lower() in (*JUDGEMENT_VALUES, "partial"):
            return None
        hint = did_you_mean(value, JUDGEMENT_VALUES) if isinstance(value, str) else ""
        return f"expected one of yes, partly, no, unknown; {got}{hint}"
    if kind is FactType.BOOLEAN:
        return None if isinstance(value, bool) else f"expected true or false, {got}"
    if kind is FactType.INTEGER:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"expected a whole number, {got}"
    if kind in (FactType.NUMBER, FactType.SHARE):
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"expected a number, {got}"
        if kind is FactType.SHARE and not 0 <= value <= 1:
            return f"expected a share from 0 to 1, {got}"
        return None
    if kind is FactType.DATE:
        if isinstance(value, dt.date):
            return None
        if isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return f"expected a date such as 2025-03-31, {got}"
            return None
        return f"expected a date such as 2025-03-31, {got}"
    if kind is FactType.CHOICE:
        if isinstance(value, str) and value in spec.values:
            return None
        hint = did_you_mean(value, spec.values) if isinstance(value, str) else ""
        return f"expected one of {', '.join(spec.values)}; {got}{hint}"
    if kind is FactType.CHOICES:
        if not isinstance(value, list):
            return f"expected a list of values from {', '.join(spec.values)}; {got}"
        bad = [v for v in value if v not in spec.values]
        if bad:
            hint = did_you_mean(bad[0], spec.values) if isinstance(bad[0], str) else ""
            return f"{bad[0]!r} is not one of {', '.join(spec.values)}{hint}"
        return None
    if kind is FactType.TEXTS:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return None
        return f"expected a list of text, {got}"
    if kind is FactType.TABLE:
        return None if isinstance(value, dict) else f"expected a table, {got}"
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return None
    return f"expected a list of tables ([[{spec.path.removesuffix('[]')}]]), {got}"


def _describe(value: object) -> str:
    names: dict[type, str] = {
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a table",
    }
    name = names.get(type(value))
    return f"{name or type(value).__name__} {json.dumps(value, default=str)[:60]}"


# --------------------------------------------------------------------------- schema


def json_schema(vocabulary: Vocabulary) -> dict[str, object]:
    """Return a JSON Schema (draft 2020-12) for facts documents."""
    schema = _object_schema("", vocabulary)
    properties = schema["properties"]
    assert isinstance(properties, dict)
    properties["evidence"] = {
        "type": "object",
        "description": "Free-text evidence notes, by fact path: shown beside the findings"
        " that read that fact (or anything under it).",
        "additionalProperties": {"type": "string"},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://partnerrules.invalid/schema/facts-v{vocabulary.version}.json",
        "title": f"partnerrules facts, vocabulary version {vocabulary.version}",
        "description": "Facts about one partnership. Leave out what is not known: rules"
        " over a missing fact give 'unknown', never a failure. Keys outside the vocabulary"
        " are allowed for rulesets that declare their own facts.",
        **schema,
    }


_UNKNOWN_SCHEMA: Final = {"const": "unknown"}


def _object_schema(prefix: str, vocabulary: Vocabulary) -> dict[str, object]:
    properties: dict[str, object] = {}
    for spec in vocabulary.children(prefix):
        name = spec.path[len(prefix) + 1 :] if prefix else spec.path
        properties[name] = _spec_schema(spec, vocabulary)
    return {"type": "object", "properties": properties, "additionalProperties": True}


def _spec_schema(spec: FactSpec, vocabulary: Vocabulary) -> dict[str, object]:
    kind = spec.type
    base: dict[str, object]
    if kind is FactType.TABLE:
        base = _object_schema(spec.path, vocabulary)
    elif kind is FactType.LIST:
        base = {"type": "array", "items": _object_schema(spec.path + "[]", vocabulary)}
    elif kind is FactType.TEXT:
        base = {"type": "string"}
    elif kind is FactType.JUDGEMENT:
        base = {"anyOf": [{"enum": list(JUDGEMENT_VALUES)}, {"type": "boolean"}]}
    elif kind is FactType.BOOLEAN:
        base = {"anyOf": [{"type": "boolean"}, _UNKNOWN_SCHEMA]}
    elif kind is FactType.INTEGER:
        base = {"anyOf": [{"type": "integer"}, _UNKNOWN_SCHEMA]}
    elif kind is FactType.NUMBER:
        base = {"anyOf": [{"type": "number"}, _UNKNOWN_SCHEMA]}
    elif kind is FactType.SHARE:
        base = {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, _UNKNOWN_SCHEMA]}
    elif kind is FactType.DATE:
        base = {"anyOf": [{"type": "string", "format": "date"}, _UNKNOWN_SCHEMA]}
    elif kind is FactType.CHOICE:
        base = {"enum": [*spec.values, "unknown"]}
    elif kind is FactType.CHOICES:
        base = {"type": "array", "items": {"enum": list(spec.values)}}
    else:
        base = {"type": "array", "items": {"type": "string"}}
    return {"description": spec.meaning, **base}


# --------------------------------------------------------------------------- template


def template(vocabulary: Vocabulary) -> str:
    """Return a commented TOML facts template: every fact, with its meaning and values."""
    lines = [
        f"# partnerrules facts template (vocabulary version {vocabulary.version})",
        "#",
        "# Describe one partnership. Uncomment a line and fill it in when you know the",
        '# answer; leave it commented (or write "unknown") when you do not. A fact that is',
        "# not recorded makes the rules that read it 'unknown', never 'unmet', and the",
        "# report lists it under 'evidence to request'.",
        "#",
        "# Judgements take: yes | partly | no | unknown.",
        "# Text that is only a placeholder (tbd, todo, n/a, -) counts as not written.",
        "# Attach evidence to any fact in the [evidence] table at the end.",
    ]
    for spec in vocabulary.children(""):
        lines.append("")
        _template_block(spec, vocabulary, lines, commented=False)
    lines += [
        "",
        "[evidence]",
        "# Where each fact comes from, shown beside the findings that read it:",
        '# "agreement.sections" = "Signed partnership agreement, 14 November 2024"',
        '# "indicators.trust_and_respect" = "Partner survey, March 2025"',
    ]
    return "\n".join(lines) + "\n"


def _template_block(
    spec: FactSpec, vocabulary: Vocabulary, lines: list[str], *, commented: bool
) -> None:
    mark = "# " if commented else ""
    if spec.type is FactType.LIST:
        lines.append(f"# {spec.meaning}")
        lines.append(f"# [[{_toml_path(spec.path)}]]")
        _template_item(spec.path + "[]", vocabulary, lines)
        return
    lines.append(f"{mark}[{spec.path}]".rstrip())
    lines.append(f"# {spec.meaning}")
    nested = []
    for child in vocabulary.children(spec.path):
        if child.type in (FactType.TABLE, FactType.LIST):
            nested.append(child)
        else:
            lines.extend(_template_line(child, spec.path, commented=True))
    for child in nested:
        lines.append("")
        _template_block(child, vocabulary, lines, commented=commented)


def _toml_path(path: str) -> str:
    """Return a vocabulary path as a TOML table header names it: ``partners.planning``."""
    return path.replace("[]", "")


def _template_item(prefix: str, vocabulary: Vocabulary, lines: list[str]) -> None:
    """Add the commented keys of a list item, then its sub-tables and nested lists."""
    nested = []
    for child in vocabulary.children(prefix):
        if child.type in (FactType.TABLE, FactType.LIST):
            nested.append(child)
        else:
            lines.extend(_template_line(child, prefix, commented=True))
    for child in nested:
        lines.append(f"#   {child.meaning}")
        if child.type is FactType.LIST:
            lines.append(f"# [[{_toml_path(child.path)}]]")
            _template_item(child.path + "[]", vocabulary, lines)
        else:
            lines.append(f"# [{_toml_path(child.path)}]")
            _template_item(child.path, vocabulary, lines)


def _template_line(spec: FactSpec, prefix: str, *, commented: bool) -> list[str]:
    key = spec.path[len(prefix) + 1 :]
    return [f"#   {spec.meaning}{_allowed(spec)}", f"# {key} = {_example(spec)}"]


def _example(spec: FactSpec) -> str:
    samples = {
        FactType.TEXT: '"..."',
        FactType.JUDGEMENT: '"yes"',
        FactType.BOOLEAN: "true",
        FactType.INTEGER: "12",
        FactType.NUMBER: "1.5",
        FactType.SHARE: "0.8",
        FactType.DATE: "2025-03-31",
        FactType.TEXTS: '["...", "..."]',
        FactType.LIST: "[]",
    }
    if spec.example is not None:
        raw = spec.type in (FactType.DATE, FactType.INTEGER, FactType.NUMBER, FactType.SHARE)
        return spec.example if raw else json.dumps(spec.example)
    if spec.type is FactType.CHOICE:
        return json.dumps(spec.values[0])
    if spec.type is FactType.CHOICES:
        return json.dumps(list(spec.values[:2]))
    return samples.get(spec.type, '""')


def _allowed(spec: FactSpec) -> str:
    if spec.type in (FactType.CHOICE, FactType.CHOICES):
        return f" [{' | '.join(spec.values)}]"
    if spec.type is FactType.JUDGEMENT:
        return " [yes | partly | no | unknown]"
    if spec.type is FactType.SHARE:
        return " [0 to 1]"
    return ""


# --------------------------------------------------------------------------- docs


def markdown(vocabulary: Vocabulary, read_by: Mapping[str, list[str]]) -> str:
    """Return the reference page of the vocabulary (``docs/facts.md``)."""
    lines = [
        f"# Fact vocabulary, version {vocabulary.version}",
        "",
        "<!-- Generated by `partnerrules facts doc`; a test keeps it up to date. -->",
        "",
        "Every fact the shipped rulesets read. A facts file (TOML or JSON) is a table of",
        "these; leave out what you do not know. Check a file with `partnerrules facts check`,",
        "start one with `partnerrules facts template`, and validate exports with the JSON",
        "Schema from `partnerrules facts schema`.",
        "",
        "**Types.** `text`; `judgement` (yes, partly, no or unknown; true/false read as",
        "yes/no); `boolean`; `integer`; `number`; `share` (0 to 1); `date` (2025-03-31);",
        "`choice` (one of the values); `choices` (a list of them); `texts` (a list of text);",
        "`table`; `list` (a list of tables: `partners[].name` is each partner's name).",
        "A missing key, JSON null and the word `unknown` all mean *not recorded*.",
        "",
        "**Evidence.** The top-level `[evidence]` table maps a fact path to a note (for",
        'example `"agreement.sections" = "Signed agreement, 14 November 2024"`); reports',
        "show the note beside every finding that read that fact or anything under it.",
        "",
        "**Your own facts.** A ruleset that needs a fact outside the vocabulary declares it",
        "under `[[facts]]` (path, type, meaning); otherwise the ruleset is refused at load.",
    ]
    for top in vocabulary.children(""):
        lines += ["", f"## `{top.path}`", "", top.meaning, ""]
        lines.append("| fact | type | meaning | read by |")
        lines.append("|---|---|---|---|")
        for path, spec in vocabulary.facts.items():
            if path != top.path and not path.startswith((top.path + ".", top.path + "[]")):
                continue
            if path == top.path:
                continue
            kind = spec.type.value + (f": {', '.join(spec.values)}" if spec.values else "")
            rules = ", ".join(read_by.get(path, [])) or "—"
            lines.append(f"| `{path}` | {kind} | {spec.meaning} | {rules} |")
    return "\n".join(lines) + "\n"
