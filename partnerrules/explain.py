"""Explain a rule or a ruleset in plain words: ``partnerrules explain RULE_ID``.

What a rule checks is generated from its conditions, never written twice: each operator
has a phrase (an operator a plugin adds is worded from its registered description), and
``all``, ``any``, ``not``, the list quantifiers and named conditions are spelt out, e.g.::

    all of: (agreement_may_exist: any of: agreement.form is not recorded;
    agreement.form is not "none"); agreement.sections.resources.cash is recorded as
    done (real text, not a placeholder)

An explanation also lists the facts the rule reads, its source, severity, weight, gate and
advice, and the ruleset's test cases that name the rule, with the facts it reads in each.
A stage model (a ruleset of kind ``stages``) is explained as its stages in order, with
their indicators, recommended actions and the diagnosis settings.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Final

from attrs import frozen

from partnerrules.builtin.output_text import show_value
from partnerrules.builtin.output_text import wrap
from partnerrules.engine import Engine
from partnerrules.errors import PartnerRulesError
from partnerrules.errors import did_you_mean
from partnerrules.model import AllOf
from partnerrules.model import AnyOf
from partnerrules.model import CheckCall
from partnerrules.model import Condition
from partnerrules.model import FactTest
from partnerrules.model import Finding
from partnerrules.model import Not
from partnerrules.model import Quantified
from partnerrules.model import Quantifier
from partnerrules.model import Rule
from partnerrules.model import Ruleset
from partnerrules.model import Status
from partnerrules.model import UseCondition
from partnerrules.registry import OperatorSpec
from partnerrules.vocabulary import condition_paths
from partnerrules.vocabulary import load_vocabulary
from partnerrules.vocabulary import normalise


class ExplainError(PartnerRulesError):
    """The name given to ``explain`` is unknown or ambiguous."""


# --------------------------------------------------------------------------- wording


def value_text(value: object) -> str:
    """Return a value from a ruleset as it is written in a sentence (text in quotes)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _words(value: object) -> str:
    """Return judgement words: ``yes or partly``."""
    words = value if isinstance(value, list | tuple) else [value]
    return " or ".join(str(w) for w in words)


#: How each built-in operator reads after the fact path.
OPERATOR_PHRASES: Final[Mapping[str, Callable[[object], str]]] = {
    "==": lambda v: f"is {value_text(v)}",
    "!=": lambda v: f"is not {value_text(v)}",
    "<": lambda v: f"is less than {value_text(v)}",
    "<=": lambda v: f"is at most {value_text(v)}",
    ">": lambda v: f"is more than {value_text(v)}",
    ">=": lambda v: f"is at least {value_text(v)}",
    "in": lambda v: f"is one of {value_text(v)}",
    "not_in": lambda v: f"is none of {value_text(v)}",
    "contains": lambda v: f"contains {value_text(v)}",
    "contains_all": lambda v: f"contains every one of {value_text(v)}",
    "contains_any": lambda v: f"contains at least one of {value_text(v)}",
    "exists": lambda v: "is recorded",
    "missing": lambda v: "is not recorded",
    "filled": lambda v: "is recorded as done (real text, not a placeholder)",
    "judged": lambda v: f"is judged {_words(v)}",
    "at_least": lambda v: f"is judged at least {_words(v)}",
    "yes": lambda v: "is judged yes",
    "partly": lambda v: "is judged partly",
    "no": lambda v: "is judged no",
}

#: How a count or ratio comparison reads before the number.
_COMPARISONS: Final = {
    ">=": "at least",
    ">": "more than",
    "<=": "at most",
    "<": "fewer than",
    "==": "exactly",
    "!=": "other than",
}


def _fact_test(cond: FactTest, operators: Mapping[str, OperatorSpec]) -> str:
    phrase = OPERATOR_PHRASES.get(cond.op)
    if phrase is not None:
        return f"{cond.fact} {phrase(cond.value)}"
    spec = operators.get(cond.op)
    if spec is not None and "the fact" in spec.description:
        text = spec.description.replace("the fact", cond.fact, 1)
        if cond.value is not None:
            if "the value" in text:
                text = text.replace("the value", value_text(cond.value), 1)
            else:
                text += f" ({value_text(cond.value)})"
        return text
    value = f" {value_text(cond.value)}" if cond.value is not None else ""
    about = f" ({spec.description})" if spec is not None and spec.description else ""
    return f"{cond.fact} {cond.op}{value}{about}"


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _share(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:g}%"


class _Describer:
    """Turns conditions into words; remembers named conditions already spelt out."""

    def __init__(
        self,
        named: Mapping[str, Condition],
        operators: Mapping[str, OperatorSpec],
        abbreviate: bool,
        checks: Mapping[str, object] | None = None,
    ) -> None:
        self.named = named
        self.operators = operators
        self.checks = checks or {}
        self.abbreviate = abbreviate
        self.spelt: set[str] = set()

    def __call__(self, cond: Condition) -> str:
        if isinstance(cond, FactTest):
            return _fact_test(cond, self.operators)
        if isinstance(cond, AllOf):
            return "all of: " + "; ".join(self.part(c) for c in cond.conditions)
        if isinstance(cond, AnyOf):
            return "any of: " + "; ".join(self.part(c) for c in cond.conditions)
        if isinstance(cond, Not):
            inner = self(cond.condition)
            return f"not {inner}" if isinstance(cond.condition, UseCondition) else f"not ({inner})"
        if isinstance(cond, UseCondition):
            return self.use(cond.name)
        if isinstance(cond, CheckCall):
            return self.check(cond)
        return self.quantified(cond)

    def check(self, cond: CheckCall) -> str:
        """Describe a call of a Python check a plugin registered."""
        about = getattr(self.checks.get(cond.name), "description", "")
        text = f"the check {cond.name} passes" + (f" ({about})" if about else "")
        if cond.params:
            params = ", ".join(f"{k} = {value_text(v)}" for k, v in cond.params.items())
            text += f" with {params}"
        return text

    def part(self, cond: Condition) -> str:
        """Describe a condition inside another: compound ones in parentheses."""
        text = self(cond)
        if isinstance(cond, AllOf | AnyOf | Not | Quantified):
            return f"({text})"
        return text

    def use(self, name: str) -> str:
        cond = self.named.get(name)
        if cond is None:
            return f"({name}: not defined)"
        if self.abbreviate and name in self.spelt:
            return f"({name}, as above)"
        self.spelt.add(name)
        return f"({name}: {self(cond)})"

    def quantified(self, cond: Quantified) -> str:
        over = cond.over
        where = self.part(cond.where) if cond.where is not None else None
        q = cond.quantifier
        if q is Quantifier.ANY_ITEM:
            return f"any one of {over} has: {where}"
        if q is Quantifier.ALL_ITEMS:
            return f"every one of {over} has: {where}"
        compare = _COMPARISONS.get(str(cond.op), str(cond.op))
        if q is Quantifier.RATIO:
            if where is None:
                return f"{compare} {_share(cond.value)} of {over}"
            return f"{compare} {_share(cond.value)} of {over} have: {where}"
        if where is None:
            items = "item" if cond.value == 1 else "items"
            return f"{over} has {compare} {_number(cond.value)} {items}"
        return f"{compare} {_number(cond.value)} of {over} have: {where}"


def describe(
    cond: Condition,
    named: Mapping[str, Condition] | None = None,
    operators: Mapping[str, OperatorSpec] | None = None,
    checks: Mapping[str, object] | None = None,
) -> str:
    """Return what a condition checks, in words, with named conditions spelt out.

    ``operators`` and ``checks`` (the registry's) word what plugins add from their
    registered descriptions.
    """
    return _Describer(named or {}, operators or {}, abbreviate=False, checks=checks)(cond)


def rule_clauses(
    rule: Rule,
    ruleset: Ruleset,
    operators: Mapping[str, OperatorSpec] | None = None,
    checks: Mapping[str, object] | None = None,
) -> list[str]:
    """Return what a rule checks, clause by clause.

    ``for each LIST item:`` (with ``for_each``), ``applies when ...``, ``met when ...``,
    ``partly met when ...``; a named condition is spelt out the first time only.
    """
    say = _Describer(ruleset.conditions, operators or {}, abbreviate=True, checks=checks)
    clauses = []
    if rule.for_each:
        clauses.append(f"for each {rule.for_each} item:")
    if rule.applies is not None:
        clauses.append(f"applies when {say(rule.applies)}")
    clauses.append(f"met when {say(rule.when)}")
    if rule.partial is not None:
        clauses.append(f"partly met when {say(rule.partial)}")
    return clauses


def rule_facts(rule: Rule, ruleset: Ruleset) -> list[str]:
    """Return the vocabulary paths of the facts a rule reads (``partners[].name``)."""
    context = normalise(rule.for_each) + "[]" if rule.for_each else ""
    paths: list[str] = [normalise(rule.for_each)] if rule.for_each else []
    for cond in (rule.applies, rule.when, rule.partial):
        if cond is not None:
            paths.extend(condition_paths(cond, context, ruleset.conditions))
    return list(dict.fromkeys(paths))


# --------------------------------------------------------------------------- examples


@frozen
class Example:
    """A test case of the ruleset that names the rule, and what the rule gives on it."""

    case: str
    key: str
    expected: Status
    subject: str | None
    findings: tuple[Finding, ...]
    error: str | None = None


def rule_examples(engine: Engine, ruleset: Ruleset, rule: Rule) -> list[Example]:
    """Return each ``[[tests]]`` expectation naming the rule, evaluated on its facts."""
    examples = []
    for case in ruleset.tests:
        keys = [k for k in case.expect if k.partition("[")[0] == rule.id]
        if not keys:
            continue
        findings: tuple[Finding, ...] = ()
        error = None
        try:
            report = engine.evaluate(case.facts, only=[ruleset.id])
            findings = tuple(f for f in report.findings if f.rule_id == rule.id)
        except PartnerRulesError as exc:
            error = str(exc)
        for key in keys:
            subject = key.partition("[")[2].removesuffix("]") or None
            mine = tuple(f for f in findings if subject is None or f.subject == subject)
            examples.append(Example(case.name, key, case.expect[key], subject, mine, error))
    return examples


# --------------------------------------------------------------------------- finding


def resolve(rulesets: Sequence[Ruleset], name: str) -> tuple[Ruleset, Rule | None]:
    """Find a rule (``RULE_ID`` or ``RULESET:RULE_ID``) or a ruleset (``RULESET``).

    An exact match wins over a match that ignores case.

    :raises ExplainError: when nothing matches (with the nearest name), or when a rule id
        is in several rulesets (naming each as ``RULESET:RULE_ID``)
    """
    if ":" in name:
        rs_id, _, rule_id = name.partition(":")
        available = f" (rulesets: {', '.join(rs.id for rs in rulesets) or 'none'})"
        ruleset = _one(
            [(r, None) for r in rulesets], rs_id, f"no ruleset {rs_id!r}{{hint}}{available}"
        )[0]
        if not rule_id:
            return ruleset, None
        return _one(
            [(ruleset, r) for r in ruleset.rules],
            rule_id,
            f"ruleset {ruleset.id!r} has no rule {rule_id!r}{{hint}}",
        )
    entries: list[tuple[Ruleset, Rule | None]] = [
        (rs, rule) for rs in rulesets for rule in rs.rules
    ]
    entries += [(rs, None) for rs in rulesets]
    available = f" (rulesets: {', '.join(rs.id for rs in rulesets) or 'none'})"
    return _one(entries, name, f"no rule or ruleset {name!r}{{hint}}{available}")


def _entry_name(entry: tuple[Ruleset, Rule | None]) -> str:
    return entry[1].id if entry[1] is not None else entry[0].id


def _one(
    entries: list[tuple[Ruleset, Rule | None]], name: str, unknown: str
) -> tuple[Ruleset, Rule | None]:
    """Return the one entry named ``name``; ``unknown`` is the message when none is."""
    key = _entry_name
    for fold in (False, True):
        wanted = name.casefold() if fold else name
        found = [e for e in entries if (key(e).casefold() if fold else key(e)) == wanted]
        if len(found) == 1:
            return found[0]
        if found:
            names = [
                f"{rs.id}:{rule.id}" if rule is not None else f"{rs.id}: (the ruleset)"
                for rs, rule in found
            ]
            raise ExplainError(
                f"{name!r} is ambiguous: {', '.join(names)};"
                " name one as RULESET:RULE_ID (or RULESET: for the ruleset)"
            )
    hint = did_you_mean(name, dict.fromkeys(key(e) for e in entries))
    raise ExplainError(unknown.format(hint=hint))


# --------------------------------------------------------------------------- text


def _section(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def _bullet(text: str, depth: int = 1) -> list[str]:
    pad = "  " * depth
    return wrap(text, pad + "  ", pad + "- ")


def _para(text: str, depth: int = 1) -> list[str]:
    return wrap(" ".join(text.split()), "  " * depth)


def explain_rule(engine: Engine, ruleset: Ruleset, rule: Rule) -> list[str]:
    """Return the lines explaining one rule (80 columns)."""
    operators = engine.registry.operators
    info = ruleset.ruleset
    group = ruleset.group(rule.group)
    lines = wrap(f"{rule.id}: {rule.title}", "    ", "")
    pad = " " * 12
    lines.extend(
        wrap(
            f"{info.id} ({info.title}, version {info.version}, kind {info.kind})",
            pad,
            "  Ruleset:  ",
        )
    )
    lines.extend(wrap(f"{group.id} ({group.title})", pad, "  Group:    "))
    lines.extend(wrap(str(rule.severity), pad, "  Severity: "))
    lines.extend(wrap(f"{rule.weight:g}", pad, "  Weight:   "))
    gate = "none"
    if rule.gate:
        gate = f"{rule.gate} (when the rule is unmet, the outcome is capped at {rule.gate})"
    lines.extend(wrap(gate, pad, "  Gate:     "))
    if rule.description:
        lines.append("")
        lines.extend(_para(rule.description, 0))
    lines += _section("What it checks")
    checks: Mapping[str, object] = getattr(engine.registry, "checks", {})
    clauses = rule_clauses(rule, ruleset, operators, checks)
    depth = 1
    if rule.for_each:
        lines.extend(wrap(clauses.pop(0), "  "))
        depth = 2
    for clause in clauses:
        lines.extend(_bullet(clause, depth))
    lines.extend(
        _bullet(
            "otherwise unmet; a fact it needs that was not recorded makes it unknown, never unmet",
            depth,
        )
    )
    lines += _section("Facts it reads")
    vocabulary = load_vocabulary().extended(ruleset.facts)
    for path in rule_facts(rule, ruleset):
        spec = vocabulary.get(path)
        about = f" ({spec.type}): {' '.join(spec.meaning.split())}" if spec is not None else ""
        lines.extend(_bullet(f"{path}{about}"))
    lines += _section("Advice")
    lines.extend(_para(rule.advice))
    lines += _section("Source")
    lines.extend(_para(rule.citation or rule.source))
    examples = rule_examples(engine, ruleset, rule)
    if examples:
        lines += _section("Examples from the ruleset's test cases")
        for example in examples:
            lines.extend(_example_lines(example))
    return lines


def _example_lines(example: Example) -> list[str]:
    who = f" for {example.subject}" if example.subject else ""
    lines = _bullet(f"{example.case}: expects {example.expected}{who}")
    if example.error:
        return lines + _para(f"could not be evaluated: {example.error}", 3)
    if not example.findings:
        return lines + _para("(the rule gives no finding on these facts)", 3)
    several = len(example.findings) > 1
    for finding in example.findings:
        depth = 3
        if several or finding.status is not example.expected:
            said = [finding.subject] if several and finding.subject else []
            if finding.status is not example.expected:
                said.append(f"gives {finding.status} now")
            lines.extend(_para(", ".join(said) + ":", 3))
            depth = 4
        if not finding.evidence:
            lines.extend(_para("(reads no facts)", depth))
        for e in finding.evidence:
            pad = "  " * depth
            lines.extend(wrap(f"{e.path} = {_example_value(e.value, e.present)}", pad + "  ", pad))
    return lines


def _example_value(value: object, present: bool) -> str:
    """Return a value read in an example; a list of tables by its length."""
    if present and isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return show_value(value, present)


def _settings_lines(ruleset: Ruleset) -> list[str]:
    settings = ruleset.assessment
    min_matches = value_text(settings.get("min_matches", 2))
    precedence = settings.get("precedence_stage")
    precedence_min = value_text(settings.get("precedence_min_met", 2))
    default = {
        k: "" if k in settings else " (default)" for k in ("min_matches", "precedence_min_met")
    }
    lines: list[str] = []
    lines += _bullet(
        "Each stage scores the weighted share of its indicators observed (yes counts 1,"
        " partly a half, no and unknown nothing)."
    )
    lines += _bullet(
        f"min_matches = {min_matches}{default['min_matches']}: a stage is a candidate when its"
        f" observed indicators are worth at least {min_matches}."
    )
    lines += _bullet(
        "The best-scoring candidate is the diagnosis; a tie goes to the earlier stage."
        " With no candidate the stage is undetermined."
    )
    if precedence is not None:
        title = ruleset.group(str(precedence)).title
        lines += _bullet(
            f"precedence_stage = {precedence}: {title} is never diagnosed on score, only when"
            f" at least {precedence_min} of its indicators are fully observed"
            f" (precedence_min_met = {precedence_min}{default['precedence_min_met']});"
            " weaker signs raise a failing_risk warning."
        )
    watched = settings.get("mixed_signals")
    if isinstance(watched, list):
        lines += _bullet(
            f"mixed_signals = {', '.join(map(str, watched))}: only these stages, when they"
            " are candidates too, raise a mixed_signals warning."
        )
    else:
        lines += _bullet("Every other candidate stage raises a mixed_signals warning.")
    return lines


def explain_stages(ruleset: Ruleset) -> list[str]:
    """Return the lines explaining a stage model: stages, indicators, actions, settings."""
    lines = _ruleset_header(ruleset)
    lines += _section("How the stage is diagnosed")
    lines += _settings_lines(ruleset)
    lines += _section("Stages, in order")
    precedence = ruleset.assessment.get("precedence_stage")
    for n, gid in enumerate(ruleset.group_ids(), 1):
        group = ruleset.group(gid)
        role = ", the precedence stage" if gid == precedence else ""
        lines.append("")
        lines.extend(wrap(f"{group.title} ({gid}){role}", "     ", f"{n:>2}. "))
        if group.description:
            lines.extend(_para(group.description, 2))
        lines.extend(wrap("Indicators:", "    "))
        for rule_id in ruleset.rules_in(gid):
            rule = next(r for r in ruleset.rules if r.id == rule_id)
            facts = ", ".join(rule_facts(rule, ruleset))
            lines.extend(_bullet(f"{rule.id}  {rule.title} [reads {facts}]", 3))
        actions = group.actions
        source = ""
        if group.actions_from:
            actions = ruleset.group(group.actions_from).actions
            source = f" (those of {ruleset.group(group.actions_from).title})"
        if actions:
            lines.extend(wrap(f"Recommended actions{source}:", "    "))
            for action in actions:
                lines.extend(_bullet(action, 3))
    return lines


def _ruleset_header(ruleset: Ruleset) -> list[str]:
    info = ruleset.ruleset
    lines = wrap(f"{info.id}: {info.title}", "    ", "")
    lines.extend(
        wrap(
            f"version {info.version}, kind {info.kind}, {len(ruleset.rules)} rules,"
            f" {len(ruleset.tests)} test cases",
            "    ",
            "  ",
        )
    )
    lines.extend(wrap(f"file {ruleset.origin}", "    ", "  "))
    if info.description:
        lines.append("")
        for paragraph in info.description.strip().split("\n\n"):
            lines.extend(_para(paragraph, 0))
            lines.append("")
        lines.pop()
    lines += _section("Sources")
    for source in info.sources:
        lines.extend(_bullet(f"[{source.id}] {source.citation}"))
    return lines


def explain_ruleset(ruleset: Ruleset) -> list[str]:
    """Return the lines explaining a ruleset: its groups and rules, briefly."""
    if ruleset.ruleset.kind == "stages":
        return explain_stages(ruleset)
    lines = _ruleset_header(ruleset)
    if ruleset.assessment:
        lines += _section("Settings")
        for key, value in ruleset.assessment.items():
            lines.extend(_bullet(f"{key} = {value_text(value)}"))
    if ruleset.bands:
        lines += _section("Bands")
        for band in ruleset.bands:
            lines.extend(_bullet(f"{band.title} ({band.id}): from {band.min:.0%}"))
    lines += _section("Groups and rules")
    for gid in ruleset.group_ids():
        group = ruleset.group(gid)
        weight = f", weight {group.weight:g}" if group.weight != 1 else ""
        lines.append("")
        lines.extend(wrap(f"{group.title} ({gid}){weight}", "    ", "  "))
        for rule_id in ruleset.rules_in(gid):
            rule = next(r for r in ruleset.rules if r.id == rule_id)
            tags = [str(rule.severity)]
            if rule.weight != 1:
                tags.append(f"weight {rule.weight:g}")
            if rule.gate:
                tags.append(f"gate {rule.gate}")
            if rule.for_each:
                tags.append(f"for each {rule.for_each} item")
            lines.extend(_bullet(f"{rule.id}  {rule.title} [{', '.join(tags)}]", 2))
    lines.append("")
    lines.extend(wrap("Explain a rule with: partnerrules explain RULE_ID"))
    return lines


def explain(engine: Engine, name: str) -> str:
    """Return the explanation of a rule or ruleset of an engine, as text.

    :raises ExplainError: when the name is unknown or ambiguous
    """
    ruleset, rule = resolve(engine.rulesets, name)
    lines = explain_ruleset(ruleset) if rule is None else explain_rule(engine, ruleset, rule)
    return "\n".join(lines).rstrip() + "\n"
