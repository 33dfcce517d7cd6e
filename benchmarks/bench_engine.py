"""Benchmark the engine against a hand-written equivalent of the ``agreement`` ruleset.

The engine compiles rulesets once into closures; the question this benchmark answers is
how much that generality costs per partnership compared with the function a competent
developer would write by hand for the same 30 checks. It:

1. generates ``--count`` synthetic partnerships (seeded, so every run sees the same data);
2. builds the engine once and reports what that one-off construction costs;
3. checks, for every partnership, that the hand-written function gives the same status
   for every rule, the same evidence, the same element roll-up and the same completeness
   score as the engine (and aborts if it does not: a fast wrong answer proves nothing);
4. times both over all partnerships (best of ``--repeats``) and compares them with the
   target ratio (``--max-ratio``, 2.5 by default); the exit status is 1 above it.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_engine.py [--count N] [--repeats R] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping

from partnerrules import Engine
from partnerrules.builtin.operators import is_filled
from partnerrules.builtin.operators import judgement
from partnerrules.builtin.rulesets import shipped_rulesets_dir
from partnerrules.engine import compile_ruleset
from partnerrules.loader import check_against_registry
from partnerrules.loader import read_ruleset
from partnerrules.model import AllOf
from partnerrules.model import AnyOf
from partnerrules.model import Condition
from partnerrules.model import FactTest
from partnerrules.model import Not
from partnerrules.model import Quantified
from partnerrules.model import Ruleset
from partnerrules.model import UseCondition
from partnerrules.plugins import get_plugin_manager
from partnerrules.registry import Registry

RULESET_FILE = shipped_rulesets_dir() / "agreement.toml"
TARGET_RATIO = 2.5
SECTIONS_PREFIX = "agreement.sections."

# ------------------------------------------------------------ the hand-written version

#: (rule id, element, section, question): one rule per question, in ruleset order.
RULES: tuple[tuple[str, str, str, str], ...] = (
    ("AGR-01.1", "aims-objectives", "aims_objectives", "purpose"),
    ("AGR-01.2", "aims-objectives", "aims_objectives", "objectives"),
    ("AGR-01.3", "aims-objectives", "aims_objectives", "success_criteria"),
    ("AGR-02.1", "strategy-activities", "strategy_activities", "responsibilities"),
    ("AGR-02.2", "strategy-activities", "strategy_activities", "timetable"),
    ("AGR-02.3", "strategy-activities", "strategy_activities", "commitment_period"),
    ("AGR-03.1", "membership-decisions", "membership_decision_making", "membership_basis"),
    ("AGR-03.2", "membership-decisions", "membership_decision_making", "decision_process"),
    ("AGR-04.1", "management-operation", "management_operation", "governance_groups"),
    ("AGR-04.2", "management-operation", "management_operation", "day_to_day_lead"),
    ("AGR-04.3", "management-operation", "management_operation", "shared_task_owners"),
    ("AGR-04.4", "management-operation", "management_operation", "ground_rules"),
    ("AGR-04.5", "management-operation", "management_operation", "performance_review"),
    ("AGR-05.1", "resources", "resources", "cash"),
    ("AGR-05.2", "resources", "resources", "in_kind"),
    ("AGR-06.1", "dispute-resolution", "dispute_resolution", "disagreements"),
    ("AGR-06.2", "dispute-resolution", "dispute_resolution", "non_delivery"),
    ("AGR-07.1", "information-sharing", "information", "items_shared"),
    ("AGR-07.2", "information-sharing", "information", "sensitive_data"),
    ("AGR-08.1", "evaluation", "evaluation", "partnership_level"),
    ("AGR-08.2", "evaluation", "evaluation", "partner_level"),
    ("AGR-08.3", "evaluation", "evaluation", "learning"),
    ("AGR-09.1", "ending", "ending", "end_of_term"),
    ("AGR-09.2", "ending", "ending", "early_withdrawal"),
    ("AGR-10.1", "risk-assessment", "risk_assessment", "risks"),
    ("AGR-10.2", "risk-assessment", "risk_assessment", "responses"),
)

#: The rules about the agreement's form (rule id, element), before the section questions.
FORM_RULES: tuple[tuple[str, str], ...] = (
    ("AGR-00", "written-form"),
    ("AGR-FIT-01", "form-fit"),
    ("AGR-FIT-02", "form-fit"),
    ("AGR-FIT-03", "form-fit"),
)

#: The elements in report order. The two about the form are shown but weigh nothing in
#: the completeness figure; every other element weighs the same.
ELEMENTS: tuple[str, ...] = (
    "written-form",
    "form-fit",
    "aims-objectives",
    "strategy-activities",
    "membership-decisions",
    "management-operation",
    "resources",
    "dispute-resolution",
    "information-sharing",
    "evaluation",
    "ending",
    "risk-assessment",
)

#: The rule that only applies when the partners share personal or sensitive data.
SENSITIVE_RULE = "AGR-07.2"
FORM_PATH = "agreement.form"
SENSITIVE_PATH = "partnership.shares_sensitive_data"
UNKNOWN_WORDS = frozenset({"unknown", "Unknown", "UNKNOWN"})
ELEMENT_SCORE = {"met": 1.0, "partial": 0.5, "unmet": 0.0}
ELEMENT_WEIGHT = {"written-form": 0.0, "form-fit": 0.0}  # every other element: 1
KIND_PATH = "partnership.relationship_kind"
SLA_PATH = "agreement.sla"
SLA_TERMS = ("deliverables", "payment_terms", "quality_standards", "reporting", "remedies")


def _ancestors(path: str) -> tuple[str, ...]:
    """Return a path and its ancestors, nearest first (where evidence notes may hang)."""
    parts = path.split(".")
    return tuple(".".join(parts[:end]) for end in range(len(parts), 0, -1))


#: The hand-written table, with each question's path and note lookup order precomputed.
PLAN = tuple(
    (rule_id, element, section, question, path, _ancestors(path))
    for rule_id, element, section, question in RULES
    for path in (f"agreement.sections.{section}.{question}",)
)
FORM_ANCESTORS = _ancestors(FORM_PATH)
KIND_ANCESTORS = _ancestors(KIND_PATH)
SLA_ANCESTORS = _ancestors(SLA_PATH)
SLA_PLAN = tuple(
    (path, _ancestors(path)) for term in SLA_TERMS for path in (f"{SLA_PATH}.{term}",)
)
COLLABORATIVE_FORMS = ("terms_of_reference", "mou", "partnership_agreement", "constitution")
SENSITIVE_ANCESTORS = _ancestors(SENSITIVE_PATH)


def _known(value: object) -> object:
    """Return a recorded value, or None when it is missing, null or 'unknown'."""
    if value is None or (isinstance(value, str) and value in UNKNOWN_WORDS):
        return None
    return value


def _note(notes: Mapping[str, object], ancestors: tuple[str, ...]) -> object:
    for path in ancestors:
        note = notes.get(path)
        if note is not None:
            return note
    return None


def _roll_up(statuses: list[str]) -> str:
    applicable = [s for s in statuses if s != "not_applicable"]
    if not applicable:
        return "not_applicable"
    known = [s for s in applicable if s != "unknown"]
    if not known:
        return "unknown"
    complete = len(known) == len(applicable)
    if all(s == "met" for s in known):
        return "met" if complete else "unknown"
    if all(s == "unmet" for s in known):
        return "unmet" if complete else "unknown"
    return "partial"


def _judged(met: bool | None) -> str:
    return "met" if met is True else "unknown" if met is None else "unmet"


def _one_of(value: object, options: tuple[str, ...]) -> bool | None:
    """Whether a recorded value is one of the options (None: not recorded, or a table)."""
    if value is None or isinstance(value, list | dict):
        return None
    return value in options


def assess_by_hand(facts: Mapping[str, object]) -> dict[str, object]:
    """Judge the agreement of one partnership without the engine.

    Returns the status and evidence (path, value, present, note) of each rule, the
    status of each element and the completeness score and coverage.
    """
    notes = facts.get("evidence")
    if not isinstance(notes, dict):
        notes = {}

    agreement = facts.get("agreement")
    form = sections = sla = None
    if isinstance(agreement, dict):
        form = _known(agreement.get("form"))
        sections = agreement.get("sections")
        sla = agreement.get("sla")
    if not isinstance(sections, dict):
        sections = {}
    form_evidence = (
        FORM_PATH,
        form,
        form is not None,
        _note(notes, FORM_ANCESTORS) if notes else None,
    )
    partnership = facts.get("partnership")
    if not isinstance(partnership, dict):
        partnership = {}
    kind = _known(partnership.get("relationship_kind"))
    kind_evidence = (
        KIND_PATH,
        kind,
        kind is not None,
        _note(notes, KIND_ANCESTORS) if notes else None,
    )

    findings = []
    by_element: dict[str, list[str]] = {element: [] for element in ELEMENTS}

    # The form: written down, and fit for the relationship (a contract for purchasing,
    # an agreement for collaborating).
    written = (
        None if form is None or isinstance(form, list | dict) else form not in ("none", "verbal")
    )
    findings.append(("AGR-00", _judged(written), (form_evidence,)))
    by_element["written-form"].append(findings[-1][1])
    buying = _one_of(kind, ("purchaser_provider", "mixed"))
    collaborating = _one_of(kind, ("collaborative", "mixed"))
    terms = sla if isinstance(sla, dict) else {}
    sla_value = _known(sla)
    if buying is False:
        fit = [("AGR-FIT-01", "not_applicable", (kind_evidence,))]
    else:
        sla_evidence = (
            SLA_PATH,
            sla_value,
            sla_value is not None,
            _note(notes, SLA_ANCESTORS) if notes else None,
        )
        if buying is None:
            status = "unknown"
        else:
            contract = _one_of(form, ("sla", "contract"))
            filled = None if sla_value is None else is_filled(sla_value)
            with_sla = (
                False
                if written is False or filled is False
                else None
                if written is None or filled is None
                else True
            )
            status = _judged(
                True
                if contract is True or with_sla is True
                else None
                if contract is None or with_sla is None
                else False
            )
        fit = [("AGR-FIT-01", status, (kind_evidence, form_evidence, sla_evidence))]
    if collaborating is False:
        fit.append(("AGR-FIT-02", "not_applicable", (kind_evidence,)))
    else:
        status = (
            "unknown" if collaborating is None else _judged(_one_of(form, COLLABORATIVE_FORMS))
        )
        fit.append(("AGR-FIT-02", status, (kind_evidence, form_evidence)))
    if buying is False:
        fit.append(("AGR-FIT-03", "not_applicable", (kind_evidence,)))
    else:
        values = [_known(terms.get(term)) for term in SLA_TERMS]
        evidence_ = tuple(
            (path, value, value is not None, _note(notes, ancestors) if notes else None)
            for (path, ancestors), value in zip(SLA_PLAN, values, strict=True)
        )
        if buying is None:
            status = "unknown"
        else:
            done = [None if value is None else is_filled(value) for value in values]
            if all(done):
                status = "met"
            elif None in done and True not in done:
                status = "unknown"
            elif True in done:
                status = "partial" if False in done else "unknown"
            else:
                status = "unmet"
        fit.append(("AGR-FIT-03", status, (kind_evidence, *evidence_)))
    for finding in fit:
        findings.append(finding)
        by_element["form-fit"].append(finding[1])

    # The sections: unanswered (not unknown) when the facts say there is no agreement.
    may_exist = form is None or form != "none"
    sensitive = _known(partnership.get("shares_sensitive_data"))
    if sensitive is None:
        applies: bool | None = True
    else:
        word = judgement(sensitive)
        applies = None if word is None else word in ("partly", "yes")
    sensitive_evidence = (
        SENSITIVE_PATH,
        sensitive,
        sensitive is not None,
        _note(notes, SENSITIVE_ANCESTORS) if notes else None,
    )
    for rule_id, element, section, question, path, ancestors in PLAN:
        answers = sections.get(section)
        value = _known(answers.get(question)) if isinstance(answers, dict) else None
        evidence: tuple[tuple[str, object, bool, object], ...] = (
            form_evidence,
            (path, value, value is not None, _note(notes, ancestors) if notes else None),
        )
        if not may_exist:
            status = "unmet"
        elif value is None:
            status = "unknown"
        elif is_filled(value):
            status = "met"
        else:
            word = judgement(value)
            status = "unknown" if word is None else "partial" if word == "partly" else "unmet"
        if rule_id == SENSITIVE_RULE:
            if applies is False:  # only the applicability fact counts as evidence
                status, evidence = "not_applicable", (sensitive_evidence,)
            else:
                evidence = (sensitive_evidence, *evidence)
                if applies is None:
                    status = "unknown"
        findings.append((rule_id, status, evidence))
        by_element[element].append(status)

    elements = []
    total = scored = achieved = 0.0
    for element, statuses in by_element.items():
        status = _roll_up(statuses)
        score = ELEMENT_SCORE.get(status)
        elements.append((element, status, score))
        if status != "not_applicable":
            weight = ELEMENT_WEIGHT.get(element, 1.0)
            total += weight
            if score is not None:
                scored += weight
                achieved += score * weight
    return {
        "findings": findings,
        "elements": elements,
        "score": achieved / scored if scored else None,
        "coverage": scored / total if total else 0.0,
    }


# --------------------------------------------------------------------------- synthetic facts

WRITTEN_FORMS = (
    "partnership_agreement",
    "mou",
    "terms_of_reference",
    "sla",
    "contract",
    "constitution",
)
RELATIONSHIP_KINDS = ("collaborative", "collaborative", "purchaser_provider", "mixed", "unknown")
SUBJECTS = (
    "The college",
    "Each partner school",
    "The council",
    "The steering group",
    "The health trust",
    "The lead partner",
    "The operational group",
    "The voluntary sector council",
)
ACTIONS = (
    "reviews progress against the timetable every term",
    "funds two co-ordinators for the life of the partnership",
    "names an owner for each shared task in annex B",
    "gives a term's notice in writing before withdrawing",
    "shares attendance and outcome data under the data-sharing protocol",
    "settles disagreements through the chair, then an independent mediator",
    "reports missed commitments to the board, which agrees a recovery plan",
    "evaluates the partnership annually against the agreed objectives",
    "provides rooms, staff time and the minibus in kind",
    "keeps a risk register reviewed at every board meeting",
)
PLACEHOLDER_TEXTS = ("tbd", "", "TBD", "tbc", "n/a", "to be agreed")
SENSITIVE_ANSWERS = ("yes", "yes", "partly", "no", "no", True, False, "unknown", "not sure")


def question_paths(ruleset: Ruleset) -> list[tuple[str, str, str]]:
    """Return (rule id, section, question) for every agreement.sections fact a rule reads."""
    out = []
    for rule in ruleset.rules:
        paths = {
            fact[len(SECTIONS_PREFIX) :]
            for fact in _facts_read(rule.when, ruleset.conditions)
            if fact.startswith(SECTIONS_PREFIX)
        }
        for path in sorted(paths):
            section, _, question = path.partition(".")
            out.append((rule.id, section, question))
    return out


def _facts_read(cond: Condition, named: Mapping[str, Condition]) -> Iterator[str]:
    if isinstance(cond, FactTest):
        yield cond.fact
    elif isinstance(cond, AllOf | AnyOf):
        for part in cond.conditions:
            yield from _facts_read(part, named)
    elif isinstance(cond, Not):
        yield from _facts_read(cond.condition, named)
    elif isinstance(cond, Quantified):
        yield cond.over
        if cond.where is not None:
            yield from _facts_read(cond.where, named)
    elif isinstance(cond, UseCondition):
        yield from _facts_read(named[cond.name], named)


def make_partnership(rng: random.Random, index: int, questions: list[tuple[str, str]]) -> dict:
    """Return one partnership's facts, shaped as a facts TOML file loads."""
    facts: dict[str, object] = {}
    partnership: dict[str, object] = {
        "name": f"Synthetic partnership {index:05d}",
        "sector": rng.choice(("education", "public_health", "housing", "employment")),
    }
    if rng.random() < 0.4:
        partnership["shares_sensitive_data"] = rng.choice(SENSITIVE_ANSWERS)
    if rng.random() < 0.75:
        partnership["relationship_kind"] = rng.choice(RELATIONSHIP_KINDS)
    facts["partnership"] = partnership

    roll = rng.random()
    if roll < 0.03:
        return facts  # nothing recorded about an agreement at all
    agreement: dict[str, object] = {}
    if roll < 0.73:
        agreement["form"] = rng.choice(WRITTEN_FORMS)
        agreement["status"] = rng.choice(("draft", "signed", "under_review"))
    elif roll < 0.78:
        agreement["form"] = "verbal"
    elif roll < 0.88:
        agreement["form"] = "none"
    elif roll < 0.91:
        agreement["form"] = "unknown"
    # else: the form is not recorded
    sections: dict[str, dict[str, object]] = {}
    for section, question in questions:
        r = rng.random()
        if r < 0.45:
            value: object = f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)}."
        elif r < 0.55:
            value = rng.choice(PLACEHOLDER_TEXTS)
        elif r < 0.65:
            value = rng.choice(("partly", "partly", "Partial"))
        elif r < 0.70:
            value = "no"
        elif r < 0.72:
            value = "unknown"
        else:
            continue  # not recorded
        sections.setdefault(section, {})[question] = value
    if sections:
        agreement["sections"] = sections
    if rng.random() < (0.7 if agreement.get("form") in ("sla", "contract") else 0.2):
        agreement["sla"] = {
            term: f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)}."
            if rng.random() < 0.7
            else rng.choice(PLACEHOLDER_TEXTS)
            for term in SLA_TERMS
            if rng.random() < 0.85
        }
    facts["agreement"] = agreement

    if rng.random() < 0.3:
        candidates = [
            "agreement",
            "agreement.sections",
            "agreement.form",
            SENSITIVE_PATH,
            KIND_PATH,
            SLA_PATH,
            *(f"{SLA_PATH}.{term}" for term in SLA_TERMS[::2]),
            *(f"agreement.sections.{s}" for s, _ in questions[::3]),
            *(f"agreement.sections.{s}.{q}" for s, q in questions[::2]),
        ]
        facts["evidence"] = {
            path: f"Source document {rng.randint(1, 99)}, page {rng.randint(1, 40)}"
            for path in rng.sample(candidates, rng.randint(1, 4))
        }
    return facts


def make_partnerships(count: int, seed: int, questions: list[tuple[str, str]]) -> list[dict]:
    rng = random.Random(seed)
    return [make_partnership(rng, i, questions) for i in range(count)]


# --------------------------------------------------------------------------- checks


class Mismatch(Exception):
    pass


def check_table(ruleset: Ruleset) -> None:
    """Check that the hand-written table still matches the ruleset it stands in for."""
    derived = question_paths(ruleset)
    written = [(r, s, q) for r, _, s, q in RULES]
    if derived != written:
        raise Mismatch(
            "the hand-written RULES table no longer matches rulesets/agreement.toml:\n"
            f"  ruleset: {derived}\n  table:   {written}"
        )
    groups = [(r.id, r.group) for r in ruleset.rules]
    if groups != [*FORM_RULES, *((r, g) for r, g, _, _ in RULES)]:
        raise Mismatch("the elements of the hand-written tables differ from the ruleset")
    if [g.id for g in ruleset.groups] != list(ELEMENTS):
        raise Mismatch("the hand-written ELEMENTS differ from the ruleset's groups")
    weights = {g.id: g.weight for g in ruleset.groups}
    if weights != {e: ELEMENT_WEIGHT.get(e, 1.0) for e in ELEMENTS} or any(
        r.weight != 1.0 for r in ruleset.rules
    ):
        raise Mismatch("the hand-written element and rule weights differ from the ruleset's")


def verify(engine: Engine, partnerships: list[dict]) -> int:
    """Compare engine and hand-written results for every partnership; return checks made."""
    checks = 0
    for index, facts in enumerate(partnerships):
        assessment = engine.evaluate(facts).assessments[0]
        mine = assess_by_hand(facts)

        def fail(what: str, engine_says: object, hand_says: object, i: int = index) -> None:
            raise Mismatch(
                f"partnership #{i}: {what}: engine {engine_says!r}, hand-written"
                f" {hand_says!r}\nfacts: {partnerships[i]!r}"
            )

        findings = mine["findings"]
        assert isinstance(findings, list)
        if len(findings) != len(assessment.findings):
            fail("number of findings", len(assessment.findings), len(findings))
        for finding, (rule_id, status, evidence) in zip(
            assessment.findings, findings, strict=True
        ):
            if finding.rule_id != rule_id:
                fail("rule order", finding.rule_id, rule_id)
            if finding.status != status:
                fail(f"status of {rule_id}", finding.status.value, status)
            engine_evidence = tuple((e.path, e.value, e.present, e.note) for e in finding.evidence)
            if engine_evidence != evidence:
                fail(f"evidence of {rule_id}", engine_evidence, evidence)
            checks += 2
        elements = mine["elements"]
        engine_elements = [(g.id, g.status.value, g.score) for g in assessment.groups]
        if engine_elements != elements:
            fail("element roll-up", engine_elements, elements)
        for what, theirs, ours in (
            ("completeness score", assessment.score, mine["score"]),
            ("coverage", assessment.coverage, mine["coverage"]),
        ):
            if (theirs is None) != (ours is None) or (
                theirs is not None and not math.isclose(theirs, ours, rel_tol=0, abs_tol=1e-9)  # type: ignore[arg-type]
            ):
                fail(what, theirs, ours)
        checks += len(elements) + 2
    return checks


# --------------------------------------------------------------------------- timing


def best_time(
    function: Callable[[Mapping[str, object]], object],
    partnerships: list[dict],
    repeats: int,
    keep_gc: bool,
) -> float:
    """Return the best wall time over ``repeats`` passes over every partnership."""
    best = math.inf
    for _ in range(repeats):
        gc.collect()
        if not keep_gc:
            gc.disable()
        try:
            start = time.perf_counter()
            for facts in partnerships:
                function(facts)
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        best = min(best, elapsed)
    return best


def construction_costs(repeats: int) -> dict[str, float]:
    """Time the one-off work: plugins and registry, parsing and checking, compiling."""
    cold_start = time.perf_counter()
    Engine(["agreement"], entry_points=False)
    cold = time.perf_counter() - cold_start
    totals: dict[str, list[float]] = {"engine": [], "plugins": [], "parse": [], "compile": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        Engine(["agreement"], entry_points=False)
        t1 = time.perf_counter()
        registry = Registry.collect(get_plugin_manager(entry_points=False))
        t2 = time.perf_counter()
        ruleset = read_ruleset(RULESET_FILE)
        problems = check_against_registry(ruleset, registry)  # compiles once to check
        t3 = time.perf_counter()
        compile_ruleset(ruleset, registry)
        t4 = time.perf_counter()
        assert not problems, problems
        totals["engine"].append(t1 - t0)
        totals["plugins"].append(t2 - t1)
        totals["parse"].append(t3 - t2)
        totals["compile"].append(t4 - t3)
    out = {"engine_cold_s": cold}
    out.update({f"{name}_s": min(values) for name, values in totals.items()})
    return out


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="partnerships (default 2000)")
    parser.add_argument("--repeats", type=int, default=7, help="timed passes (default 7)")
    parser.add_argument("--seed", type=int, default=20250601, help="random seed")
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=TARGET_RATIO,
        help=f"fail above this engine/hand-written time ratio (default {TARGET_RATIO})",
    )
    parser.add_argument(
        "--no-gc", action="store_true", help="disable the garbage collector while timing"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.count < 1 or args.repeats < 1:
        parser.error("--count and --repeats must be at least 1")

    costs = construction_costs(max(3, min(args.repeats, 10)))
    engine = Engine(["agreement"], entry_points=False)
    ruleset = engine.rulesets[0]
    try:
        check_table(ruleset)
    except Mismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    questions = [(s, q) for _, s, q in question_paths(ruleset)]
    partnerships = make_partnerships(args.count, args.seed, questions)

    try:
        checks = verify(engine, partnerships)
    except Mismatch as exc:
        print(f"error: the hand-written version disagrees with the engine: {exc}", file=sys.stderr)
        return 2

    # Warm up both paths once (caches, branch predictors, lazily created objects).
    best_time(engine.evaluate, partnerships[:200], 1, True)
    best_time(assess_by_hand, partnerships[:200], 1, True)
    engine_s = best_time(engine.evaluate, partnerships, args.repeats, not args.no_gc)
    hand_s = best_time(assess_by_hand, partnerships, args.repeats, not args.no_gc)
    ratio = engine_s / hand_s
    passed = ratio <= args.max_ratio

    n = len(partnerships)
    figures = {
        "partnerships": n,
        "rules": len(ruleset.rules),
        "repeats": args.repeats,
        "seed": args.seed,
        "gc_during_timing": not args.no_gc,
        "checks_verified": checks,
        "engine": {
            "seconds": engine_s,
            "partnerships_per_s": n / engine_s,
            "us_per_partnership": engine_s / n * 1e6,
        },
        "hand_written": {
            "seconds": hand_s,
            "partnerships_per_s": n / hand_s,
            "us_per_partnership": hand_s / n * 1e6,
        },
        "ratio": ratio,
        "max_ratio": args.max_ratio,
        "passed": passed,
        "construction": {
            "engine_cold_ms": costs["engine_cold_s"] * 1e3,
            "engine_ms": costs["engine_s"] * 1e3,
            "plugins_ms": costs["plugins_s"] * 1e3,
            "parse_and_check_ms": costs["parse_s"] * 1e3,
            "compile_ms": costs["compile_s"] * 1e3,
        },
        "python": sys.version.split()[0],
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        c = figures["construction"]
        assert isinstance(c, dict)
        print(f"partnerships     {n}   (seed {args.seed}, best of {args.repeats} passes)")
        print(f"rules            {len(ruleset.rules)}   (ruleset agreement)")
        print(f"verified         {checks} statuses, evidence, elements and scores agree")
        print(
            f"engine           {n / engine_s:10.0f} partnerships/s"
            f"  {engine_s / n * 1e6:8.1f} µs/partnership"
        )
        print(
            f"hand-written     {n / hand_s:10.0f} partnerships/s"
            f"  {hand_s / n * 1e6:8.1f} µs/partnership"
        )
        print(
            f"ratio            {ratio:.2f}x engine/hand-written"
            f"  (target <= {args.max_ratio:g}x): {'PASS' if passed else 'FAIL'}"
        )
        print(
            f"construction     {c['engine_ms']:.1f} ms per Engine() ({c['engine_cold_ms']:.1f} ms"
            f" first): plugins {c['plugins_ms']:.1f} ms, parse+check {c['parse_and_check_ms']:.1f}"
            f" ms, compile {c['compile_ms']:.1f} ms"
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
