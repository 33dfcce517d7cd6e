"""Benchmark the engine against hand-written equivalents of every shipped ruleset.

``bench_engine.py`` measures one ruleset (``agreement``). This benchmark answers the same
question for the full set the engine ships (stages, success-factors, agreement, ladder,
partnership-checklist, stakeholders, benefits-costs-risks, good-partner, planning-sheet):
how much does the engine's generality cost per partnership, compared with the plain Python
a competent developer would write for the same checks? It:

1. generates ``--count`` synthetic partnerships (seeded) by perturbing the two example
   partnerships: facts dropped, judgements flipped, partner, stakeholder and milestone
   lists of 0 to 6 items, numbers, shares, dates and text varied, evidence notes added;
2. builds ``Engine(entry_points=False)`` once (every shipped ruleset);
3. checks, for every partnership, that the hand-written functions give the engine's
   status and evidence for every finding (and subject, for ``for_each`` rules), its group
   roll-up, scores and coverage, its outcome (band, stage or category) and, for the
   stakeholders, each item's category; any difference aborts with exit status 2;
4. times ``engine.evaluate(facts)`` against the hand-written function (best of
   ``--repeats`` passes) and compares the ratio with ``--max-ratio`` (2.5 by default);
   the exit status is 1 above it. The engine's cost per ruleset is shown too.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_all.py [--count N] [--repeats R] [--json]
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import math
import random
import sys
import time
import tomllib
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from bench_engine import RULES as AGREEMENT_QUESTIONS
from bench_engine import Mismatch
from bench_engine import best_time

from partnerrules import Engine
from partnerrules.builtin.operators import is_filled
from partnerrules.builtin.operators import judgement
from partnerrules.model import FactType
from partnerrules.model import Ruleset
from partnerrules.vocabulary import condition_paths
from partnerrules.vocabulary import load_vocabulary
from partnerrules.vocabulary import normalise
from partnerrules.vocabulary import readers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = tuple(sorted((ROOT / "examples").glob("*.toml")))
TARGET_RATIO = 2.5

# ================================================================ the hand-written version
#
# Plain Python: dictionary look-ups, a table-driven loop where rules are uniform, explicit
# code for quantifiers, for_each rules and each kind's aggregation. Statuses are strings;
# a fact that is missing, null or "unknown" is None. Each finding is
# (rule id, subject, status, evidence) with evidence a tuple of (path, value, present, note).

MET = "met"
PARTIAL = "partial"
UNMET = "unmet"
UNKNOWN = "unknown"
NA = "not_applicable"
VALUE = {MET: 1.0, PARTIAL: 0.5, UNMET: 0.0}
UNKNOWN_WORDS = frozenset({"unknown", "Unknown", "UNKNOWN"})
UNDETERMINED = "undetermined"
EMPTY: dict = {}


def known(value):
    """Return a recorded value, or None when it is missing, null or 'unknown'."""
    if value is None or (value.__class__ is str and value in UNKNOWN_WORDS):
        return None
    return value


def table(doc, key) -> dict:
    """Return the table under a key, or an empty one."""
    value = doc.get(key)
    return value if isinstance(value, dict) else EMPTY


_ANCESTORS: dict[str, tuple[str, ...]] = {}


def note_of(notes, path):
    """Return the evidence note on a path or its nearest ancestor."""
    ancestors = _ANCESTORS.get(path)
    if ancestors is None:  # worked out once per path: "a[0].b", "a[0]", "a"
        parts = [path]
        cut = max(path.rfind("."), path.rfind("["))
        while cut > 0:
            parts.append(path[:cut])
            cut = max(path.rfind(".", 0, cut), path.rfind("[", 0, cut))
        ancestors = _ANCESTORS[path] = tuple(parts)
    for candidate in ancestors:
        note = notes.get(candidate)
        if note is not None:
            return note
    return None


def evidence(path, value, notes):
    return (path, value, value is not None, note_of(notes, path) if notes else None)


def subject_of(item, list_path, index):
    """Name an item of a list by its name, or by its position."""
    if isinstance(item, dict):
        name = item.get("name")
        if isinstance(name, str | int) and not isinstance(name, bool) and str(name).strip():
            return str(name)
    return f"{list_path}[{index}]"


# --- three-valued tests: True, False, or None when the fact does not settle it


def yes(value):
    if value is None:
        return None
    word = judgement(value)
    return None if word is None else word == "yes"


def partly(value):
    if value is None:
        return None
    word = judgement(value)
    return None if word is None else word == "partly"


def at_least_partly(value):
    if value is None:
        return None
    word = judgement(value)
    return None if word is None else word != "no"


def filled(value):
    return None if value is None else is_filled(value)


def at_least(value, floor):
    """value >= floor for a number; None for text, dates, true/false or nothing."""
    if value.__class__ is int or value.__class__ is float:
        return value >= floor
    return None


def at_most(value, ceiling):
    if value.__class__ is int or value.__class__ is float:
        return value <= ceiling
    return None


def equals(value, expected):
    return None if value is None else value == expected


def is_true(value):
    return None if value is None else value is True


def is_false(value):
    return None if value is None else value is False


def one_of(value, options):
    if value is None or isinstance(value, list | dict):
        return None
    return value in options


def and3(a, b):
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def or3(a, b):
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def all3(results):
    out = True
    for r in results:
        if r is False:
            return False
        if r is None:
            out = None
    return out


def any3(results):
    out = False
    for r in results:
        if r is True:
            return True
        if r is None:
            out = None
    return out


def share_at_least(results, floor):
    """Whether the share of True results reaches floor, counting None either way."""
    total = len(results)
    if not total:
        return None
    low = results.count(True)
    high = low + results.count(None)
    at_low = low / total >= floor
    return at_low if at_low == (high / total >= floor) else None


def status_of(met, part=False):
    if met is True:
        return MET
    if met is None:
        return UNKNOWN
    if part is True:
        return PARTIAL
    return UNKNOWN if part is None else UNMET


def judged(value, word="yes"):
    """The status of a judgement rule: met at `word`, partial at partly."""
    if value is None:
        return UNKNOWN
    j = judgement(value)
    if j is None:
        return UNKNOWN
    if j == word:
        return MET
    return PARTIAL if j == "partly" else UNMET


def completed(value, partial=True):
    """The status of a 'written down' rule: met when filled, partial at partly."""
    if value is None:
        return UNKNOWN
    if is_filled(value):
        return MET
    if not partial:
        return UNMET
    j = judgement(value)
    return UNKNOWN if j is None else PARTIAL if j == "partly" else UNMET


# --- aggregation


def roll_up(seen):
    """A group's status from the set of its findings' statuses."""
    known_ = seen - {NA, UNKNOWN}
    if not known_:
        return UNKNOWN if UNKNOWN in seen else NA
    if known_ == {MET} or known_ == {UNMET}:
        return UNKNOWN if UNKNOWN in seen else next(iter(known_))
    return PARTIAL


def weighted_groups(findings, meta, group_ids):
    """(id, status, score, coverage) per group: shares of rule weight met and known."""
    acc = {gid: [set(), 0.0, 0.0, 0.0] for gid in group_ids}  # seen, known, achieved, applicable
    for rule_id, _, status, _ in findings:
        group, weight = meta[rule_id]
        a = acc[group]
        a[0].add(status)
        if status != NA:
            a[3] += weight
            if status != UNKNOWN:
                a[1] += weight
                a[2] += weight * VALUE[status]
    return [
        (gid, roll_up(a[0]), a[2] / a[1] if a[1] else None, a[1] / a[3] if a[3] else None)
        for gid, a in acc.items()
    ]


def element_groups(findings, meta, group_ids):
    """(id, status, score, None) per element: the element's status is its score."""
    seen = {gid: set() for gid in group_ids}
    for rule_id, _, status, _ in findings:
        seen[meta[rule_id][0]].add(status)
    out = []
    for gid, statuses in seen.items():
        status = roll_up(statuses)
        out.append((gid, status, VALUE.get(status), None))
    return out


def overall(groups, weights):
    """(weighted mean score of the scored groups, share of the evidence known)."""
    total = scored = achieved = covered = 0.0
    for (_, status, score, coverage), weight in zip(groups, weights, strict=True):
        if status == NA:
            continue
        total += weight
        if score is not None:
            scored += weight
            achieved += score * weight
        if coverage is not None:
            covered += coverage * weight
        elif score is not None:
            covered += weight
    return (achieved / scored if scored else None), (covered / total if total else 0.0)


def band(score, coverage, bands, min_coverage, cap):
    """The band a score falls in (highest first), capped at index `cap` by an unmet gate."""
    if score is None or coverage < min_coverage:
        return UNDETERMINED
    rank = len(bands) - 1
    for i, (_, floor) in enumerate(bands):
        if score >= floor:
            rank = i
            break
    return bands[max(rank, cap)][0]


def gate_cap(findings, gates):
    """The lowest band index an unmet gate rule caps the outcome at (-1: none)."""
    cap = -1
    for rule_id, _, status, _ in findings:
        if status == UNMET:
            gate = gates.get(rule_id)
            if gate is not None and gate > cap:
                cap = gate
    return cap


def checklist_result(findings, meta, groups, weights, bands, min_coverage, gates):
    grouped = weighted_groups(findings, meta, groups)
    score, coverage = overall(grouped, weights)
    outcome = band(score, coverage, bands, min_coverage, gate_cap(findings, gates))
    return findings, grouped, score, coverage, outcome, ()


def list_fact(facts, key, notes):
    """A list fact: (the list or None, its own evidence)."""
    value = known(facts.get(key))
    return (value if isinstance(value, list) else None), evidence(key, value, notes)


def not_a_list(rule_ids, path, value_evidence):
    """The findings of for_each rules whose list is missing (unknown) or empty (n/a)."""
    if value_evidence[1] == [] and value_evidence[1].__class__ is list:
        status, ev = NA, ((path, [], True, value_evidence[3]),)
    else:
        status, ev = UNKNOWN, (value_evidence,)
    return [(rule_id, path, status, ev) for rule_id in rule_ids]


def emit_each(findings, rule_ids, subjects, per_item):
    """Append per-item results (item-major) as findings in rule order, item by item."""
    for r, rule_id in enumerate(rule_ids):
        for subject, results in zip(subjects, per_item, strict=True):
            status, ev = results[r]
            findings.append((rule_id, subject, status, ev))


def bands_of(pairs):
    return tuple(pairs), {band_id: i for i, (band_id, _) in enumerate(pairs)}


# --------------------------------------------------------------------------- stages

STAGES = ("forming", "frustration", "functioning", "flying", "failing")
STAGE_RULES = (
    ("STG-FORM-01", "forming", "exploring_needs"),
    ("STG-FORM-02", "forming", "shared_cause"),
    ("STG-FORM-03", "forming", "early_enthusiasm"),
    ("STG-FORM-04", "forming", "commitments_unclear"),
    ("STG-FRUS-01", "frustration", "hidden_agendas"),
    ("STG-FRUS-02", "frustration", "purpose_questioned"),
    ("STG-FRUS-03", "frustration", "mutual_doubt"),
    ("STG-FRUS-04", "frustration", "competing_for_credit_or_control"),
    ("STG-FRUS-05", "frustration", "in_a_fog"),
    ("STG-FRUS-06", "frustration", "disputes_over_priorities_or_methods"),
    ("STG-FUNC-01", "functioning", "renewed_vision"),
    ("STG-FUNC-02", "functioning", "clear_roles"),
    ("STG-FUNC-03", "functioning", "joint_team_progress"),
    ("STG-FUNC-04", "functioning", "mutual_accountability"),
    ("STG-FUNC-05", "functioning", "we_language"),
    ("STG-FLY-01", "flying", "goals_achieved"),
    ("STG-FLY-02", "flying", "partners_changing_practice"),
    ("STG-FLY-03", "flying", "partnership_priorities_central"),
    ("STG-FLY-04", "flying", "shared_leadership"),
    ("STG-FLY-05", "flying", "trust_and_respect"),
    ("STG-FAIL-01", "failing", "recurrent_tensions"),
    ("STG-FAIL-02", "failing", "disengagement"),
    ("STG-FAIL-03", "failing", "lack_of_commitment"),
    ("STG-FAIL-04", "failing", "relationships_eroding"),
)
STAGE_PLAN = tuple((r, s, k, f"indicators.{k}") for r, s, k in STAGE_RULES)
MIN_MATCHES = 2.0
FAILING = "failing"
FAILING_MIN_MET = 2


def stages_by_hand(facts, notes):
    """Diagnose the life-cycle stage: best-scoring candidate, Failing by precedence."""
    indicators = table(facts, "indicators")
    findings = []
    # per stage: indicators, recorded, matches (yes 1, partly 0.5), fully met, statuses
    tally = {stage: [0.0, 0.0, 0.0, 0, set()] for stage in STAGES}
    recorded = 0
    for rule_id, stage, key, path in STAGE_PLAN:
        value = known(indicators.get(key))
        status = judged(value)
        note = note_of(notes, path) if notes else None
        findings.append((rule_id, None, status, ((path, value, value is not None, note),)))
        t = tally[stage]
        t[0] += 1.0
        t[4].add(status)
        if status != UNKNOWN:
            recorded += 1
            t[1] += 1.0
            if status == MET:
                t[2] += 1.0
                t[3] += 1
            elif status == PARTIAL:
                t[2] += 0.5
    score = {stage: t[2] / t[0] for stage, t in tally.items()}
    ranked = sorted(
        (s for s in STAGES if s != FAILING), key=lambda s: (-score[s], STAGES.index(s))
    )
    candidates = [s for s in ranked if tally[s][2] >= MIN_MATCHES]
    diagnosed = runner_up = None
    if tally[FAILING][3] >= FAILING_MIN_MET:
        diagnosed = FAILING
        runner_up = candidates[0] if candidates else None
    elif candidates:
        diagnosed = candidates[0]
        runner_up = next((s for s in ranked if s != diagnosed and tally[s][2] > 0), None)
    role = {}
    if diagnosed is not None:
        role[diagnosed] = "diagnosed"
    if runner_up is not None:
        role.setdefault(runner_up, "runner-up")
    groups = [
        (stage, roll_up(t[4]), score[stage], t[1] / t[0], role.get(stage, ""))
        for stage, t in tally.items()
    ]
    return (
        findings,
        groups,
        None if diagnosed is None else score[diagnosed],
        recorded / len(findings),
        diagnosed or UNDETERMINED,
        (),
    )


# --------------------------------------------------------------------------- success factors

SF_GROUPS = (
    ("shared-purpose", 2.0),
    ("mutual-benefit", 1.5),
    ("trust-respect", 2.0),
    ("roles-accountability", 2.0),
    ("right-people", 2.0),
    ("coordination", 2.0),
    ("communication", 2.0),
    ("leadership", 2.0),
    ("resources", 2.0),
    ("monitoring-learning", 2.0),
    ("milestones", 1.0),
    ("inclusion", 2.0),
    ("sustainability", 2.0),
)
#: (rule id, group, weight) in ruleset order.
SF_RULES = (
    ("SF-01.1", "shared-purpose", 2.0),
    ("SF-01.2", "shared-purpose", 1.5),
    ("SF-01.3", "shared-purpose", 1.5),
    ("SF-02.1", "mutual-benefit", 2.0),
    ("SF-02.2", "mutual-benefit", 1.5),
    ("SF-02.3", "mutual-benefit", 2.0),
    ("SF-03.1", "trust-respect", 2.0),
    ("SF-03.2", "trust-respect", 2.0),
    ("SF-03.3", "trust-respect", 1.0),
    ("SF-03.4", "trust-respect", 2.0),
    ("SF-04.1", "roles-accountability", 2.0),
    ("SF-04.2", "roles-accountability", 2.0),
    ("SF-04.3", "roles-accountability", 1.5),
    ("SF-05.1", "right-people", 1.0),
    ("SF-05.2", "right-people", 1.0),
    ("SF-05.3", "right-people", 2.0),
    ("SF-05.4", "right-people", 1.5),
    ("SF-06.1", "coordination", 2.0),
    ("SF-06.2", "coordination", 2.0),
    ("SF-06.3", "coordination", 1.0),
    ("SF-07.1", "communication", 2.0),
    ("SF-07.2", "communication", 2.0),
    ("SF-07.3", "communication", 2.0),
    ("SF-08.1", "leadership", 2.0),
    ("SF-08.2", "leadership", 1.5),
    ("SF-08.3", "leadership", 2.0),
    ("SF-08.4", "leadership", 2.0),
    ("SF-09.1", "resources", 2.0),
    ("SF-09.2", "resources", 2.0),
    ("SF-09.3", "resources", 1.5),
    ("SF-10.1", "monitoring-learning", 2.0),
    ("SF-10.2", "monitoring-learning", 1.5),
    ("SF-10.3", "monitoring-learning", 2.0),
    ("SF-10.4", "monitoring-learning", 2.0),
    ("SF-11.1", "milestones", 1.5),
    ("SF-11.2", "milestones", 2.0),
    ("SF-11.3", "milestones", 1.0),
    ("SF-12.1", "inclusion", 2.0),
    ("SF-12.2", "inclusion", 1.5),
    ("SF-12.3", "inclusion", 1.5),
    ("SF-12.4", "inclusion", 1.5),
    ("SF-13.1", "sustainability", 1.5),
    ("SF-13.2", "sustainability", 2.0),
    ("SF-13.3", "sustainability", 1.5),
    ("SF-13.4", "sustainability", 1.5),
)
#: The uniform rules: (rule id, table, key, the judgement that meets it; partly is partial).
SF_JUDGED = (
    ("SF-01.1", "partnership", "purpose_agreed", "yes"),
    ("SF-01.2", "partnership", "shared_targets", "yes"),
    ("SF-01.3", "partnership", "beneficiary_focus", "yes"),
    ("SF-02.3", "partnership", "added_value_agreed", "yes"),
    ("SF-03.1", "indicators", "trust_and_respect", "yes"),
    ("SF-03.3", "indicators", "hidden_agendas", "no"),
    ("SF-03.4", "relationships", "mutual_understanding", "yes"),
    ("SF-04.1", "operations", "roles_handbook", "yes"),
    ("SF-04.2", "governance", "accountability_clear", "yes"),
    ("SF-05.3", "relationships", "key_interests_on_board", "yes"),
    ("SF-05.4", "relationships", "diverse_membership", "yes"),
    ("SF-06.1", "partnership", "dedicated_coordination", "yes"),
    ("SF-07.1", "relationships", "progress_and_problems_shared", "yes"),
    ("SF-07.2", "relationships", "differences_raised_early", "yes"),
    ("SF-07.3", "relationships", "common_language", "yes"),
    ("SF-08.1", "leadership", "senior_backing", "yes"),
    ("SF-08.2", "leadership", "commitment_throughout", "yes"),
    ("SF-08.4", "indicators", "shared_leadership", "yes"),
    ("SF-09.1", "resources", "ring_fenced", "yes"),
    ("SF-09.2", "resources", "adequate", "yes"),
    ("SF-09.3", "activities", "share_resources", "yes"),
    ("SF-10.2", "evaluation", "baseline_data", "yes"),
    ("SF-10.3", "evaluation", "findings_acted_on", "yes"),
    ("SF-10.4", "operations", "joint_learning", "yes"),
    ("SF-11.2", "operations", "quick_wins_planned", "yes"),
    ("SF-12.1", "partnership", "community_involvement", "yes"),
    ("SF-12.2", "inclusion", "beneficiary_feedback", "yes"),
    ("SF-12.3", "inclusion", "small_partners_supported", "yes"),
    ("SF-13.2", "leadership", "single_person_dependency", "no"),
    ("SF-13.4", "resources", "continuation_plan", "yes"),
)
SF_JUDGED_PLAN = tuple((r, t, k, w, f"{t}.{k}") for r, t, k, w in SF_JUDGED)
SF_META = {rule_id: (group, weight) for rule_id, group, weight in SF_RULES}
SF_BANDS, SF_BAND = bands_of(
    (("strong", 0.8), ("developing", 0.6), ("fragile", 0.4), ("at-risk", 0.0))
)
SF_GATES = {"SF-01.1": SF_BAND["fragile"], "SF-02.1": SF_BAND["developing"]}
SF_GATES["SF-09.1"] = SF_BAND["developing"]
SF_MIN_COVERAGE = 0.5
SF_GROUP_IDS = tuple(g for g, _ in SF_GROUPS)
SF_GROUP_WEIGHTS = tuple(w for _, w in SF_GROUPS)


def item_values(items, key, list_path, notes):
    """The known values of one key across the items of a list, and their evidence."""
    values = [known(it.get(key)) if isinstance(it, dict) else None for it in items]
    evs = [evidence(f"{list_path}[{i}].{key}", value, notes) for i, value in enumerate(values)]
    return values, evs


def success_factors_by_hand(facts, notes):
    """The success-factors checklist: weighted factors, bands, gates."""
    results = {}
    tables = {}
    for rule_id, name, key, word, path in SF_JUDGED_PLAN:
        t = tables.get(name)
        if t is None:
            t = tables[name] = table(facts, name)
        value = known(t.get(key))
        results[rule_id] = (judged(value, word), (evidence(path, value, notes),))

    partners, partners_ev = list_fact(facts, "partners", notes)
    governance = table(facts, "governance")
    operations = table(facts, "operations")

    # SF-02.1 / SF-02.2: every partner judges its benefits worth the costs (confirmed).
    if partners is None:
        boc_ev = bcr_ev = ()
        results["SF-02.1"] = (UNKNOWN, (partners_ev,))
        results["SF-02.2"] = (UNKNOWN, (partners_ev,))
    elif not partners:
        results["SF-02.1"] = (NA, (partners_ev,))
        results["SF-02.2"] = (NA, (partners_ev,))
    else:
        boc, boc_ev = item_values(partners, "benefits_outweigh_costs", "partners", notes)
        met = all3([yes(v) for v in boc])
        part = all3([at_least_partly(v) for v in boc]) if met is False else False
        results["SF-02.1"] = (status_of(met, part), (partners_ev, *boc_ev))
        bcr, bcr_ev = item_values(partners, "bcr_confirmed_with_partner", "partners", notes)
        met = all3([yes(v) for v in bcr])
        part = any3([at_least_partly(v) for v in bcr]) if met is False else False
        results["SF-02.2"] = (status_of(met, part), (partners_ev, *bcr_ev))

    # SF-03.2: equal voice and a decision rule.
    voice = known(governance.get("equal_voice"))
    rule = known(governance.get("decision_rule"))
    met = and3(yes(voice), filled(rule))
    part = or3(at_least_partly(voice), filled(rule)) if met is False else False
    results["SF-03.2"] = (
        status_of(met, part),
        (
            evidence("governance.equal_voice", voice, notes),
            evidence("governance.decision_rule", rule, notes),
        ),
    )

    # SF-04.3, SF-05.1, SF-05.2: shares of partners.
    if partners is None:
        for rule_id in ("SF-04.3", "SF-05.1"):
            results[rule_id] = (UNKNOWN, (partners_ev,))
        results["SF-05.2"] = (UNKNOWN, (partners_ev,))
    else:
        rate, rate_ev = item_values(partners, "delivers_on_time_rate", "partners", notes)
        on_time = [None if v is None else at_least(v, 0.8) for v in rate]
        met = share_at_least(on_time, 0.75)
        part = share_at_least(on_time, 0.5) if met is False else False
        results["SF-04.3"] = (status_of(met, part), (partners_ev, *rate_ev))

        decide, decide_ev = item_values(partners, "rep_can_decide", "partners", notes)
        met = share_at_least([yes(v) for v in decide], 0.75)
        part = share_at_least([at_least_partly(v) for v in decide], 0.5) if met is False else False
        results["SF-05.1"] = (status_of(met, part), (partners_ev, *decide_ev))

        attend, attend_ev = item_values(partners, "attendance_rate", "partners", notes)
        same, same_ev = item_values(partners, "rep_continuity", "partners", notes)
        attending = [None if v is None else at_least(v, 0.75) for v in attend]
        continuing = [yes(v) for v in same]
        met = and3(share_at_least(attending, 0.75), share_at_least(continuing, 0.75))
        part = (
            or3(share_at_least(attending, 0.5), share_at_least(continuing, 0.5))
            if met is False
            else False
        )
        results["SF-05.2"] = (status_of(met, part), (partners_ev, *attend_ev, *same_ev))

    # SF-06.2: agendas, minutes and follow-up.
    meeting = [
        known(governance.get(k))
        for k in ("agenda_in_advance", "minutes_recorded", "actions_followed_up")
    ]
    met = and3(and3(yes(meeting[0]), yes(meeting[1])), yes(meeting[2]))
    part = (
        or3(
            or3(at_least_partly(meeting[0]), at_least_partly(meeting[1])),
            at_least_partly(meeting[2]),
        )
        if met is False
        else False
    )
    results["SF-06.2"] = (
        status_of(met, part),
        (
            evidence("governance.agenda_in_advance", meeting[0], notes),
            evidence("governance.minutes_recorded", meeting[1], notes),
            evidence("governance.actions_followed_up", meeting[2], notes),
        ),
    )

    # SF-06.3: at most half the agenda is partners' internal business.
    share = known(governance.get("internal_agenda_share"))
    results["SF-06.3"] = (
        status_of(None if share is None else at_most(share, 0.5)),
        (evidence("governance.internal_agenda_share", share, notes),),
    )

    # SF-08.3: an independent, credible chair.
    independent = known(governance.get("chair_independent"))
    credible = known(governance.get("chair_credible"))
    met = and3(yes(independent), yes(credible))
    part = or3(at_least_partly(independent), at_least_partly(credible)) if met is False else False
    results["SF-08.3"] = (
        status_of(met, part),
        (
            evidence("governance.chair_independent", independent, notes),
            evidence("governance.chair_credible", credible, notes),
        ),
    )

    # SF-10.1: progress reviews a year.
    reviews = known(table(facts, "evaluation").get("progress_reviews_per_year"))
    met = None if reviews is None else at_least(reviews, 3)
    part = at_least(reviews, 1) if met is False else False
    results["SF-10.1"] = (
        status_of(met, part),
        (evidence("evaluation.progress_reviews_per_year", reviews, notes),),
    )

    # SF-11.1 / SF-11.3: milestones, and achieved ones celebrated and visible.
    value = known(operations.get("milestones"))
    milestones = value if isinstance(value, list) else None
    milestones_ev = evidence("operations.milestones", value, notes)
    if milestones is None:
        results["SF-11.1"] = (UNKNOWN, (milestones_ev,))
        results["SF-11.3"] = (UNKNOWN, (milestones_ev,))
    else:
        count = len(milestones)
        results["SF-11.1"] = (
            MET if count >= 2 else PARTIAL if count >= 1 else UNMET,
            (milestones_ev,),
        )
        path = "operations.milestones"
        achieved, achieved_ev = item_values(milestones, "achieved", path, notes)
        reached = [yes(v) for v in achieved]
        applies = any3(reached)
        if applies is False:
            results["SF-11.3"] = (NA, (milestones_ev, *achieved_ev))
        else:
            celebrated, celebrated_ev = item_values(milestones, "celebrated", path, notes)
            visible, visible_ev = item_values(milestones, "visible_to_partners", path, notes)
            ev = (milestones_ev, *achieved_ev, *celebrated_ev, *visible_ev)
            if applies is None:
                results["SF-11.3"] = (UNKNOWN, ev)
            else:
                met = all3(
                    [
                        or3(None if r is None else not r, and3(yes(c), yes(v)))
                        for r, c, v in zip(reached, celebrated, visible, strict=True)
                    ]
                )
                part = (
                    any3(
                        [
                            and3(r, or3(at_least_partly(c), at_least_partly(v)))
                            for r, c, v in zip(reached, celebrated, visible, strict=True)
                        ]
                    )
                    if met is False
                    else False
                )
                results["SF-11.3"] = (status_of(met, part), ev)

    # SF-12.4: stakeholders with a stake kept informed (or, with no list, outside parties).
    value = known(facts.get("stakeholders"))
    stakeholders = value if isinstance(value, list) else None
    stakeholders_ev = evidence("stakeholders", value, notes)
    listed = value is not None
    outside = known(operations.get("external_parties_informed"))
    if stakeholders is None:
        is_partner = interest = informed = ()
        is_partner_ev = interest_ev = informed_ev = ()
        all_fine = any_informed = None
    else:
        path = "stakeholders"
        is_partner, is_partner_ev = item_values(stakeholders, "is_partner", path, notes)
        interest, interest_ev = item_values(stakeholders, "interest", path, notes)
        informed, informed_ev = item_values(stakeholders, "informed_of_activity", path, notes)
        all_fine = all3(
            [
                or3(or3(is_true(p), equals(i, "low")), yes(f))
                for p, i, f in zip(is_partner, interest, informed, strict=True)
            ]
        )
        any_informed = None
    met = or3(and3(not listed, yes(outside)), and3(listed, all_fine))
    if met is False:
        if stakeholders is not None:
            any_informed = any3(
                [
                    and3(equals(i, "high"), at_least_partly(f))
                    for i, f in zip(interest, informed, strict=True)
                ]
            )
        part = or3(and3(not listed, partly(outside)), and3(listed, any_informed))
    else:
        part = False
    results["SF-12.4"] = (
        status_of(met, part),
        (
            stakeholders_ev,
            evidence("operations.external_parties_informed", outside, notes),
            *is_partner_ev,
            *interest_ev,
            *informed_ev,
        ),
    )

    # SF-13.1 / SF-13.3: a decided term; a funding horizon.
    term = known(table(facts, "partnership").get("intended_term"))
    results["SF-13.1"] = (
        status_of(one_of(term, ("short_term", "long_term"))),
        (evidence("partnership.intended_term", term, notes),),
    )
    horizon = known(table(facts, "resources").get("funding_horizon_years"))
    met = None if horizon is None else at_least(horizon, 2)
    part = at_least(horizon, 1) if met is False else False
    results["SF-13.3"] = (
        status_of(met, part),
        (evidence("resources.funding_horizon_years", horizon, notes),),
    )

    findings = [(rule_id, None, *results[rule_id]) for rule_id, _, _ in SF_RULES]
    return checklist_result(
        findings, SF_META, SF_GROUP_IDS, SF_GROUP_WEIGHTS, SF_BANDS, SF_MIN_COVERAGE, SF_GATES
    )


# --------------------------------------------------------------------------- agreement

AGREEMENT_GROUPS = (
    ("written-form", 0.0),
    ("form-fit", 0.0),
    ("aims-objectives", 1.0),
    ("strategy-activities", 1.0),
    ("membership-decisions", 1.0),
    ("management-operation", 1.0),
    ("resources", 1.0),
    ("dispute-resolution", 1.0),
    ("information-sharing", 1.0),
    ("evaluation", 1.0),
    ("ending", 1.0),
    ("risk-assessment", 1.0),
)
AGREEMENT_GROUP_IDS = tuple(g for g, _ in AGREEMENT_GROUPS)
AGREEMENT_GROUP_WEIGHTS = tuple(w for _, w in AGREEMENT_GROUPS)
AGREEMENT_FORM_RULES = (
    ("AGR-00", "written-form"),
    ("AGR-FIT-01", "form-fit"),
    ("AGR-FIT-02", "form-fit"),
    ("AGR-FIT-03", "form-fit"),
)
#: The section questions (from bench_engine.py): (rule id, element, path, section, question).
AGREEMENT_PLAN = tuple(
    (rule_id, element, f"agreement.sections.{section}.{question}", section, question)
    for rule_id, element, section, question in AGREEMENT_QUESTIONS
)
AGREEMENT_META = {
    rule_id: (group, 1.0)
    for rule_id, group in (*AGREEMENT_FORM_RULES, *((r[0], r[1]) for r in AGREEMENT_PLAN))
}
AGREEMENT_BANDS, AGREEMENT_BAND = bands_of(
    (("complete", 0.9), ("substantial", 0.7), ("partial", 0.4), ("minimal", 0.0))
)
AGREEMENT_GATES = {"AGR-00": AGREEMENT_BAND["minimal"]}
SLA_TERMS = ("deliverables", "payment_terms", "quality_standards", "reporting", "remedies")
SLA_PATHS = tuple(f"agreement.sla.{term}" for term in SLA_TERMS)
WRITTEN_FORMS_FOR_COLLABORATION = (
    "terms_of_reference",
    "mou",
    "partnership_agreement",
    "constitution",
)
SENSITIVE_RULE = "AGR-07.2"


def agreement_by_hand(facts, notes):
    """Agreement completeness: elements present / partial / missing, bands, the form gate."""
    agreement = table(facts, "agreement")
    partnership = table(facts, "partnership")
    form = known(agreement.get("form"))
    form_ev = evidence("agreement.form", form, notes)
    kind = known(partnership.get("relationship_kind"))
    kind_ev = evidence("partnership.relationship_kind", kind, notes)
    sla = known(agreement.get("sla"))
    findings = []

    written = (
        None if form is None or isinstance(form, list | dict) else form not in ("none", "verbal")
    )
    findings.append(("AGR-00", None, status_of(written), (form_ev,)))

    # The form fits the relationship: contracts for purchasing, agreements for collaborating.
    buying = one_of(kind, ("purchaser_provider", "mixed"))
    if buying is False:
        findings.append(("AGR-FIT-01", None, NA, (kind_ev,)))
    else:
        ev = (kind_ev, form_ev, evidence("agreement.sla", sla, notes))
        if buying is None:
            findings.append(("AGR-FIT-01", None, UNKNOWN, ev))
        else:
            met = or3(one_of(form, ("sla", "contract")), and3(written, filled(sla)))
            findings.append(("AGR-FIT-01", None, status_of(met), ev))
    collaborating = one_of(kind, ("collaborative", "mixed"))
    if collaborating is False:
        findings.append(("AGR-FIT-02", None, NA, (kind_ev,)))
    elif collaborating is None:
        findings.append(("AGR-FIT-02", None, UNKNOWN, (kind_ev, form_ev)))
    else:
        met = one_of(form, WRITTEN_FORMS_FOR_COLLABORATION)
        findings.append(("AGR-FIT-02", None, status_of(met), (kind_ev, form_ev)))
    if buying is False:
        findings.append(("AGR-FIT-03", None, NA, (kind_ev,)))
    else:
        terms = table(agreement, "sla")
        values = [known(terms.get(term)) for term in SLA_TERMS]
        ev = (kind_ev, *(evidence(p, v, notes) for p, v in zip(SLA_PATHS, values, strict=True)))
        if buying is None:
            findings.append(("AGR-FIT-03", None, UNKNOWN, ev))
        else:
            done = [filled(v) for v in values]
            met = all3(done)
            findings.append(("AGR-FIT-03", None, status_of(met, any3(done)), ev))

    # The sections: unanswered (not unknown) when the facts say there is no agreement.
    sections = table(agreement, "sections")
    may_exist = form is None or form != "none"
    sensitive = known(partnership.get("shares_sensitive_data"))
    sensitive_ev = evidence("partnership.shares_sensitive_data", sensitive, notes)
    applies = True if sensitive is None else at_least_partly(sensitive)
    for rule_id, _, path, section, question in AGREEMENT_PLAN:
        value = known(table(sections, section).get(question))
        ev = (form_ev, (path, value, value is not None, note_of(notes, path) if notes else None))
        status = completed(value) if may_exist else UNMET
        if rule_id == SENSITIVE_RULE:
            if applies is False:  # only the applicability fact counts as evidence
                status, ev = NA, (sensitive_ev,)
            else:
                ev = (sensitive_ev, *ev)
                if applies is None:
                    status = UNKNOWN
        findings.append((rule_id, None, status, ev))

    groups = element_groups(findings, AGREEMENT_META, AGREEMENT_GROUP_IDS)
    score, coverage = overall(groups, AGREEMENT_GROUP_WEIGHTS)
    cap = gate_cap(findings, AGREEMENT_GATES)
    return findings, groups, score, coverage, band(score, coverage, AGREEMENT_BANDS, 0.5, cap), ()


# --------------------------------------------------------------------------- ladder

LADDER = (
    ("LAD-01", "networking", "exchange_information"),
    ("LAD-02", "coordination", "alter_activities"),
    ("LAD-03", "cooperation", "share_resources"),
    ("LAD-04", "collaboration", "enhance_capacity"),
)
LADDER_PLAN = tuple((r, c, k, f"activities.{k}") for r, c, k in LADDER)


def ladder_by_hand(facts, notes):
    """The ladder: the highest rung reached with every rung below it reached too."""
    activities = table(facts, "activities")
    findings = []
    groups = []
    covered = 0.0
    reached = None
    climbing = True
    for rule_id, rung, key, path in LADDER_PLAN:
        value = known(activities.get(key))
        status = judged(value)
        findings.append((rule_id, None, status, (evidence(path, value, notes),)))
        coverage = 0.0 if status == UNKNOWN else 1.0
        groups.append((rung, status, VALUE.get(status), coverage))
        covered += coverage
        if climbing:
            if status == MET:
                reached = rung
            else:
                climbing = False
    if reached is None:
        outcome = UNDETERMINED if findings[0][2] == UNKNOWN else "none"
    else:
        outcome = reached
    return findings, groups, None, covered / len(LADDER), outcome, ()


# --------------------------------------------------------------------------- partnership checklist

PCL_RULES = (
    ("PCL-1.1", "extra-value", 2.0),
    ("PCL-1.2", "extra-value", 1.0),
    ("PCL-2.1", "common-language", 2.0),
    ("PCL-2.2", "common-language", 1.0),
    ("PCL-3.1", "chemistry", 2.0),
    ("PCL-3.2", "chemistry", 1.0),
    ("PCL-3.3", "chemistry", 1.0),
    ("PCL-4.1", "reputation", 2.0),
    ("PCL-4.2", "reputation", 1.0),
    ("PCL-5.1", "roles-responsibilities", 2.0),
    ("PCL-5.2", "roles-responsibilities", 1.0),
    ("PCL-5.3", "roles-responsibilities", 1.0),
    ("PCL-6.1", "term", 2.0),
    ("PCL-6.2", "term", 1.0),
    ("PCL-7.1", "dependability", 2.0),
    ("PCL-7.2", "dependability", 1.0),
    ("PCL-7.3", "dependability", 1.0),
)
PCL_JUDGED = (
    ("PCL-1.2", "partnership", "added_value_measured"),
    ("PCL-2.1", "relationships", "common_language"),
    ("PCL-2.2", "relationships", "glossary"),
    ("PCL-3.2", "relationships", "enthusiasm"),
    ("PCL-3.3", "relationships", "shared_risk_reward"),
    ("PCL-4.2", "relationships", "reputation_concerns_discussed"),
    ("PCL-5.1", "operations", "roles_handbook"),
    ("PCL-5.2", "governance", "accountability_clear"),
    ("PCL-5.3", "operations", "roles_understood_alike"),
    ("PCL-6.2", "partnership", "effort_matches_term"),
    ("PCL-7.1", "relationships", "expectations_discussed"),
    ("PCL-7.2", "governance", "boundaries_defined"),
    ("PCL-7.3", "relationships", "differences_raised_early"),
)
PCL_JUDGED_PLAN = tuple((r, t, k, f"{t}.{k}") for r, t, k in PCL_JUDGED)
PCL_GROUP_IDS = (
    "extra-value",
    "common-language",
    "chemistry",
    "reputation",
    "roles-responsibilities",
    "term",
    "dependability",
)
PCL_GROUP_WEIGHTS = (1.0,) * len(PCL_GROUP_IDS)
PCL_META = {rule_id: (group, weight) for rule_id, group, weight in PCL_RULES}
PCL_BANDS, PCL_BAND = bands_of((("ready", 0.8), ("explore-further", 0.5), ("not-yet", 0.0)))
PCL_GATES = {"PCL-1.1": PCL_BAND["not-yet"], "PCL-4.1": PCL_BAND["explore-further"]}
PCL_MIN_COVERAGE = 0.6


def partnership_checklist_by_hand(facts, notes):
    """The partnership checklist: weighted factors, bands, gates."""
    results = {}
    tables = {}
    for rule_id, name, key, path in PCL_JUDGED_PLAN:
        t = tables.get(name)
        if t is None:
            t = tables[name] = table(facts, name)
        value = known(t.get(key))
        results[rule_id] = (judged(value), (evidence(path, value, notes),))
    partnership = table(facts, "partnership")

    # PCL-1.1: the added value agreed; partly, or at least written down.
    agreed = known(partnership.get("added_value_agreed"))
    added = known(partnership.get("added_value"))
    status = judged(agreed)
    if status == UNMET and added is not None and is_filled(added):
        status = PARTIAL
    results["PCL-1.1"] = (
        status,
        (
            evidence("partnership.added_value_agreed", agreed, notes),
            evidence("partnership.added_value", added, notes),
        ),
    )

    # PCL-3.1: shared values and an agreed purpose.
    values = known(table(facts, "relationships").get("shared_values"))
    purpose = known(partnership.get("purpose_agreed"))
    met = and3(yes(values), yes(purpose))
    part = or3(at_least_partly(values), at_least_partly(purpose)) if met is False else False
    results["PCL-3.1"] = (
        status_of(met, part),
        (
            evidence("relationships.shared_values", values, notes),
            evidence("partnership.purpose_agreed", purpose, notes),
        ),
    )

    # PCL-4.1: every partner vetted.
    partners, partners_ev = list_fact(facts, "partners", notes)
    if partners is None:
        results["PCL-4.1"] = (UNKNOWN, (partners_ev,))
    elif not partners:
        results["PCL-4.1"] = (NA, (partners_ev,))
    else:
        vetted, vetted_ev = item_values(partners, "vetted", "partners", notes)
        met = all3([yes(v) for v in vetted])
        part = any3([at_least_partly(v) for v in vetted]) if met is False else False
        results["PCL-4.1"] = (status_of(met, part), (partners_ev, *vetted_ev))

    # PCL-6.1: a decided term.
    term = known(partnership.get("intended_term"))
    results["PCL-6.1"] = (
        status_of(one_of(term, ("short_term", "long_term"))),
        (evidence("partnership.intended_term", term, notes),),
    )

    findings = [(rule_id, None, *results[rule_id]) for rule_id, _, _ in PCL_RULES]
    return checklist_result(
        findings,
        PCL_META,
        PCL_GROUP_IDS,
        PCL_GROUP_WEIGHTS,
        PCL_BANDS,
        PCL_MIN_COVERAGE,
        PCL_GATES,
    )


# --------------------------------------------------------------------------- stakeholders

QUADRANTS = (  # (category, power, interest, the analysis label that means it, rule)
    ("manage_closely", "high", "high", "involve", "STK-01"),
    ("keep_satisfied", "high", "low", "keep_on_board", "STK-02"),
    ("keep_informed", "low", "high", "inform", "STK-03"),
    ("monitor", "low", "low", "be_aware", "STK-04"),
)
STRATEGY_RULES = ("STK-10", "STK-11", "STK-12", "STK-13")
STAKEHOLDER_EACH = (
    "STK-01",
    "STK-02",
    "STK-03",
    "STK-04",
    "STK-10",
    "STK-11",
    "STK-12",
    "STK-13",
    "STK-14",
    "STK-15",
)
STAKEHOLDER_GROUP_IDS = (*(q[0] for q in QUADRANTS), "engagement")
STAKEHOLDER_META = {q[4]: (q[0], 1.0) for q in QUADRANTS}
STAKEHOLDER_META.update(
    dict.fromkeys((*STRATEGY_RULES, "STK-14", "STK-15", "STK-16"), ("engagement", 1.0))
)
STAKEHOLDER_META["STK-17"] = ("engagement", 1.0)


def stakeholders_by_hand(facts, notes):
    """Each stakeholder's power-interest quadrant, and whether its engagement fits it."""
    value = known(facts.get("stakeholders"))
    stakeholders_ev = evidence("stakeholders", value, notes)
    findings = []
    if not isinstance(value, list) or not value:
        findings = not_a_list(STAKEHOLDER_EACH, "stakeholders", stakeholders_ev)
        if isinstance(value, list):  # empty: nobody to inform
            findings.append(("STK-16", None, UNMET, (stakeholders_ev,)))
        else:
            findings.append(("STK-16", None, UNKNOWN, (stakeholders_ev,)))
        findings += not_a_list(("STK-17",), "stakeholders", stakeholders_ev)
        grouped = weighted_groups(findings, STAKEHOLDER_META, STAKEHOLDER_GROUP_IDS)
        return findings, grouped, None, 0.0, None, ()

    subjects = []
    per_item = []
    last = []
    items = []
    outsider = []
    outsider_ev = []
    for i, item in enumerate(value):
        fields = item if isinstance(item, dict) else EMPTY
        prefix = f"stakeholders[{i}]"
        power = known(fields.get("power"))
        interest = known(fields.get("interest"))
        label = known(fields.get("analysis_label"))
        strategy = known(fields.get("engagement_strategy"))
        partner = known(fields.get("is_partner"))
        informed = known(fields.get("informed_of_activity"))
        power_ev = evidence(prefix + ".power", power, notes)
        interest_ev = evidence(prefix + ".interest", interest, notes)
        label_ev = evidence(prefix + ".analysis_label", label, notes)
        strategy_ev = evidence(prefix + ".engagement_strategy", strategy, notes)
        partner_ev = evidence(prefix + ".is_partner", partner, notes)
        informed_ev = evidence(prefix + ".informed_of_activity", informed, notes)
        unrecorded = power is None and interest is None
        high_power = equals(power, "high")
        low_power = equals(power, "low")
        high_interest = equals(interest, "high")
        low_interest = equals(interest, "low")
        axes = (
            and3(high_power, high_interest),
            and3(high_power, low_interest),
            and3(low_power, high_interest),
            and3(low_power, low_interest),
        )
        results = []
        category = UNDETERMINED
        quadrant_ev = (power_ev, interest_ev, label_ev)
        for (name, _, _, word, _), on_axes in zip(QUADRANTS, axes, strict=True):
            met = equals(label, word) if unrecorded else on_axes
            status = status_of(met)
            if status == MET and category == UNDETERMINED:
                category = name
            results.append((status, quadrant_ev))
        axes_ev = (power_ev, interest_ev)
        for (name, _, _, _, _), on_axes in zip(QUADRANTS, axes, strict=True):
            if on_axes is False:
                results.append((NA, axes_ev))
            elif on_axes is None:
                results.append((UNKNOWN, (power_ev, interest_ev, strategy_ev)))
            else:
                results.append(
                    (status_of(equals(strategy, name)), (power_ev, interest_ev, strategy_ev))
                )
        # STK-14: powerful outsiders need an engagement strategy.
        applies = and3(high_power, partner is None or partner is False)
        if applies is False:
            results.append((NA, (power_ev, partner_ev)))
        elif applies is None:
            results.append((UNKNOWN, (power_ev, partner_ev, strategy_ev)))
        else:
            results.append((status_of(filled(strategy)), (power_ev, partner_ev, strategy_ev)))
        # STK-15: those with a high interest are kept informed.
        if high_interest is False:
            results.append((NA, (interest_ev,)))
        elif high_interest is None:
            results.append((UNKNOWN, (interest_ev, informed_ev)))
        else:
            results.append((judged(informed), (interest_ev, informed_ev)))
        # STK-17: an earlier analysis label agrees with the quadrant.
        ev = (label_ev, power_ev, interest_ev)
        if label is None or unrecorded:
            last.append((NA, ev))
        else:
            agrees = False
            for (_, _, _, word, _), on_axes in zip(QUADRANTS, axes, strict=True):
                agrees = or3(agrees, and3(on_axes, label == word))
            last.append((status_of(agrees), ev))
        per_item.append(results)
        subjects.append(subject_of(item, "stakeholders", i))
        items.append(category)
        outsider.append(is_false(partner))
        outsider_ev.append(partner_ev)

    emit_each(findings, STAKEHOLDER_EACH, subjects, per_item)
    findings.append(("STK-16", None, status_of(any3(outsider)), (stakeholders_ev, *outsider_ev)))
    for subject, result in zip(subjects, last, strict=True):
        findings.append(("STK-17", subject, *result))
    grouped = weighted_groups(findings, STAKEHOLDER_META, STAKEHOLDER_GROUP_IDS)
    determined = len(items) - items.count(UNDETERMINED)
    return (
        findings,
        grouped,
        None,
        determined / len(items),
        None,
        tuple(zip(subjects, items, strict=True)),
    )


# --------------------------------------------------------------------------- benefits, costs...

BCR_RULES = (  # (rule id, group, weight, key, how it is met)
    ("BCR-01", "recorded", 1.0, "benefits", "filled"),
    ("BCR-02", "recorded", 1.0, "costs", "filled"),
    ("BCR-03", "recorded", 1.0, "risks", "filled"),
    ("BCR-04", "confirmed", 1.0, "bcr_confirmed_with_partner", "yes"),
    ("BCR-05", "confirmed", 0.5, "bcr_months_since_checked", "<=12"),
    ("BCR-06", "worthwhile", 1.0, "benefits_outweigh_costs", "yes"),
    ("BCR-07", "worthwhile", 1.0, "motivations", "filled"),
)
BCR_RULE_IDS = tuple(r[0] for r in BCR_RULES)
BCR_META = {r[0]: (r[1], r[2]) for r in BCR_RULES}
BCR_GROUP_IDS = ("recorded", "confirmed", "worthwhile")
BCR_BANDS, BCR_BAND = bands_of((("sound", 0.8), ("needs-attention", 0.5), ("at-risk", 0.0)))
BCR_GATES = {"BCR-06": BCR_BAND["needs-attention"]}


def benefits_costs_risks_by_hand(facts, notes):
    """Each partner's benefits, costs and risks recorded, confirmed and worthwhile."""
    partners, partners_ev = list_fact(facts, "partners", notes)
    if not partners:
        findings = not_a_list(BCR_RULE_IDS, "partners", partners_ev)
    else:
        findings = []
        subjects = []
        per_item = []
        for i, item in enumerate(partners):
            prefix = f"partners[{i}]."
            fields = item if isinstance(item, dict) else EMPTY
            results = []
            for _, _, _, key, test in BCR_RULES:
                value = known(fields.get(key))
                if test == "filled":
                    status = completed(value, partial=False)
                elif test == "yes":
                    status = judged(value)
                else:
                    status = status_of(None if value is None else at_most(value, 12))
                results.append((status, (evidence(prefix + key, value, notes),)))
            per_item.append(results)
            subjects.append(subject_of(item, "partners", i))
        emit_each(findings, BCR_RULE_IDS, subjects, per_item)
    return checklist_result(
        findings, BCR_META, BCR_GROUP_IDS, (1.0, 1.0, 1.0), BCR_BANDS, 0.5, BCR_GATES
    )


# --------------------------------------------------------------------------- good partner

GP_RULES = (  # (rule id, group, the good_partner judgement; None: explicit below)
    ("GP-01", "commitment", "wants_success"),
    ("GP-07", "commitment", None),
    ("GP-12", "commitment", "understands_interdependence"),
    ("GP-03", "openness", "open_about_goals"),
    ("GP-04", "openness", "listens"),
    ("GP-10", "openness", "raises_difficulties"),
    ("GP-06", "reliability", "integrity"),
    ("GP-08", "reliability", None),
    ("GP-11", "reliability", "flexible_but_focused"),
    ("GP-02", "respect", "seeks_win_win"),
    ("GP-05", "respect", "trusts"),
    ("GP-09", "respect", "respects_others"),
)
GP_RULE_IDS = tuple(r[0] for r in GP_RULES)
GP_META = {r[0]: (r[1], 1.0) for r in GP_RULES}
GP_GROUP_IDS = ("commitment", "openness", "reliability", "respect")
GP_BANDS, GP_BAND = bands_of((("good", 0.75), ("mixed", 0.5), ("weak", 0.0)))
GP_GATES = dict.fromkeys(("GP-03", "GP-10", "GP-06"), GP_BAND["mixed"])
#: GP-07 and GP-08: (judgement key, measured rate key, rate for met, rate for partial).
GP_MEASURED = {
    "GP-07": ("attends_and_champions", "attendance_rate", 0.75, 0.5),
    "GP-08": ("delivers_on_time", "delivers_on_time_rate", 0.8, 0.6),
}


def good_partner_by_hand(facts, notes):
    """Each partner judged as a good partner: commitment, openness, reliability, respect."""
    partners, partners_ev = list_fact(facts, "partners", notes)
    if not partners:
        findings = not_a_list(GP_RULE_IDS, "partners", partners_ev)
    else:
        findings = []
        subjects = []
        per_item = []
        for i, item in enumerate(partners):
            prefix = f"partners[{i}]."
            fields = item if isinstance(item, dict) else EMPTY
            judgements = table(fields, "good_partner")
            results = []
            for rule_id, _, key in GP_RULES:
                if key is not None:
                    value = known(judgements.get(key))
                    path = f"{prefix}good_partner.{key}"
                    results.append((judged(value), (evidence(path, value, notes),)))
                    continue
                # A measured rate decides unless the partner was judged directly.
                key, rate_key, met_at, partial_at = GP_MEASURED[rule_id]
                value = known(judgements.get(key))
                rate = known(fields.get(rate_key))
                counts = value is not None or rate is None
                met = or3(and3(counts, yes(value)), rate is not None and at_least(rate, met_at))
                part = (
                    or3(
                        and3(counts, partly(value)),
                        rate is not None and at_least(rate, partial_at),
                    )
                    if met is False
                    else False
                )
                ev = (
                    evidence(f"{prefix}good_partner.{key}", value, notes),
                    evidence(prefix + rate_key, rate, notes),
                )
                results.append((status_of(met, part), ev))
            per_item.append(results)
            subjects.append(subject_of(item, "partners", i))
        emit_each(findings, GP_RULE_IDS, subjects, per_item)
    return checklist_result(
        findings, GP_META, GP_GROUP_IDS, (1.0, 1.0, 1.0, 1.0), GP_BANDS, 0.5, GP_GATES
    )


# --------------------------------------------------------------------------- planning sheet

PLANNING_RULES = (  # (rule id, group, planning column; None: explicit below, partly counts?)
    ("PLN-01", "position", None, False),
    ("PLN-02", "people", "right_people", True),
    ("PLN-03", "interests", "interests_issues", True),
    ("PLN-04", "support", "desired_support", False),
    ("PLN-05", "role", "desired_role", True),
    ("PLN-06", "actions", "desired_actions", True),
    ("PLN-07.1", "messages", "messages", True),
    ("PLN-07.2", "messages", "messages_cover_costs_risks", True),
    ("PLN-08", "communications", "communications", True),
)
PLANNING_RULE_IDS = tuple(r[0] for r in PLANNING_RULES)
PLANNING_META = {r[0]: (r[1], 1.0) for r in PLANNING_RULES}
PLANNING_GROUP_IDS = tuple(dict.fromkeys(r[1] for r in PLANNING_RULES))
PLANNING_JUDGED = "PLN-07.2"  # a yes / partly judgement, not a text column


def planning_sheet_by_hand(facts, notes):
    """Each partner's row of the planning sheet: which columns are filled in."""
    partners, partners_ev = list_fact(facts, "partners", notes)
    if not partners:
        findings = not_a_list(PLANNING_RULE_IDS, "partners", partners_ev)
    else:
        findings = []
        subjects = []
        per_item = []
        for i, item in enumerate(partners):
            prefix = f"partners[{i}]."
            fields = item if isinstance(item, dict) else EMPTY
            planning = table(fields, "planning")
            power = known(fields.get("power"))
            interest = known(fields.get("interest"))
            results = [
                (
                    status_of(and3(filled(power), filled(interest))),
                    (
                        evidence(prefix + "power", power, notes),
                        evidence(prefix + "interest", interest, notes),
                    ),
                )
            ]
            for rule_id, _, column, partial in PLANNING_RULES[1:]:
                value = known(planning.get(column))
                status = judged(value) if rule_id == PLANNING_JUDGED else completed(value, partial)
                path = f"{prefix}planning.{column}"
                results.append((status, (evidence(path, value, notes),)))
            per_item.append(results)
            subjects.append(subject_of(item, "partners", i))
        emit_each(findings, PLANNING_RULE_IDS, subjects, per_item)
    groups = element_groups(findings, PLANNING_META, PLANNING_GROUP_IDS)
    score, coverage = overall(groups, (1.0,) * len(PLANNING_GROUP_IDS))
    return findings, groups, score, coverage, None, ()


# --------------------------------------------------------------------------- all of them

#: The hand-written function of each shipped ruleset, in the engine's order.
BY_HAND: dict[str, Callable] = {
    "stages": stages_by_hand,
    "success-factors": success_factors_by_hand,
    "agreement": agreement_by_hand,
    "ladder": ladder_by_hand,
    "partnership-checklist": partnership_checklist_by_hand,
    "stakeholders": stakeholders_by_hand,
    "benefits-costs-risks": benefits_costs_risks_by_hand,
    "good-partner": good_partner_by_hand,
    "planning-sheet": planning_sheet_by_hand,
}
_ALL_BY_HAND = tuple(BY_HAND.values())


def notes_of(facts):
    notes = facts.get("evidence")
    return notes if isinstance(notes, dict) and notes else None


def assess_all_by_hand(facts: Mapping[str, object]) -> list[tuple]:
    """Judge one partnership against every shipped ruleset without the engine.

    Returns, per ruleset: (findings, groups, score, coverage, outcome id, items).
    """
    notes = notes_of(facts)
    return [assess(facts, notes) for assess in _ALL_BY_HAND]


# ======================================================= checking the tables against the rulesets

#: The facts each explicitly coded rule reads (vocabulary paths, in the engine's order);
#: the tables above say it for the others.
EXPLICIT_READS: dict[str, tuple[str, ...]] = {
    "SF-02.1": ("partners", "partners[].benefits_outweigh_costs"),
    "SF-02.2": ("partners", "partners[].bcr_confirmed_with_partner"),
    "SF-03.2": ("governance.equal_voice", "governance.decision_rule"),
    "SF-04.3": ("partners", "partners[].delivers_on_time_rate"),
    "SF-05.1": ("partners", "partners[].rep_can_decide"),
    "SF-05.2": ("partners", "partners[].attendance_rate", "partners[].rep_continuity"),
    "SF-06.2": (
        "governance.agenda_in_advance",
        "governance.minutes_recorded",
        "governance.actions_followed_up",
    ),
    "SF-06.3": ("governance.internal_agenda_share",),
    "SF-08.3": ("governance.chair_independent", "governance.chair_credible"),
    "SF-10.1": ("evaluation.progress_reviews_per_year",),
    "SF-11.1": ("operations.milestones",),
    "SF-11.3": (
        "operations.milestones",
        "operations.milestones[].achieved",
        "operations.milestones[].celebrated",
        "operations.milestones[].visible_to_partners",
    ),
    "SF-12.4": (
        "stakeholders",
        "operations.external_parties_informed",
        "stakeholders[].is_partner",
        "stakeholders[].interest",
        "stakeholders[].informed_of_activity",
    ),
    "SF-13.1": ("partnership.intended_term",),
    "SF-13.3": ("resources.funding_horizon_years",),
    "AGR-00": ("agreement.form",),
    "AGR-FIT-01": ("partnership.relationship_kind", "agreement.form", "agreement.sla"),
    "AGR-FIT-02": ("partnership.relationship_kind", "agreement.form"),
    "AGR-FIT-03": ("partnership.relationship_kind", *SLA_PATHS),
    "PCL-1.1": ("partnership.added_value_agreed", "partnership.added_value"),
    "PCL-3.1": ("relationships.shared_values", "partnership.purpose_agreed"),
    "PCL-4.1": ("partners", "partners[].vetted"),
    "PCL-6.1": ("partnership.intended_term",),
    "STK-16": ("stakeholders", "stakeholders[].is_partner"),
    "GP-07": ("partners[].good_partner.attends_and_champions", "partners[].attendance_rate"),
    "GP-08": ("partners[].good_partner.delivers_on_time", "partners[].delivers_on_time_rate"),
    "PLN-01": ("partners[].power", "partners[].interest"),
}
_QUADRANT_READS = ("stakeholders[].power", "stakeholders[].interest")
EXPLICIT_READS.update(
    {q[4]: (*_QUADRANT_READS, "stakeholders[].analysis_label") for q in QUADRANTS}
)
EXPLICIT_READS.update(
    dict.fromkeys(STRATEGY_RULES, (*_QUADRANT_READS, "stakeholders[].engagement_strategy"))
)
EXPLICIT_READS["STK-14"] = (
    "stakeholders[].power",
    "stakeholders[].is_partner",
    "stakeholders[].engagement_strategy",
)
EXPLICIT_READS["STK-15"] = ("stakeholders[].interest", "stakeholders[].informed_of_activity")
EXPLICIT_READS["STK-17"] = ("stakeholders[].analysis_label", *_QUADRANT_READS)

#: The [assessment] settings the hand-written code assumes.
SETTINGS: dict[str, dict[str, object]] = {
    "stages": {"min_matches": MIN_MATCHES, "precedence_stage": FAILING, "precedence_min_met": 2},
    "success-factors": {"min_coverage": SF_MIN_COVERAGE},
    "agreement": {"min_coverage": 0.5},
    "ladder": {"mode": "cumulative", "categories": [q[1] for q in LADDER]},
    "partnership-checklist": {"min_coverage": PCL_MIN_COVERAGE},
    "stakeholders": {
        "items": "stakeholders",
        "mode": "first_match",
        "categories": [q[0] for q in QUADRANTS],
    },
    "benefits-costs-risks": {"min_coverage": 0.5},
    "good-partner": {"min_coverage": 0.5},
    "planning-sheet": {"min_coverage": 0.5},
}
SETTING_DEFAULTS = {"min_coverage": 0.5, "mode": "first_match"}


def declared_tables() -> dict[str, dict[str, object]]:
    """What the hand-written tables say about each ruleset, in the shape of derived()."""

    def rule(rule_id, group, weight=1.0, gate=None, for_each=None, reads=None):
        return (rule_id, group, weight, gate, for_each, reads or EXPLICIT_READS[rule_id])

    def gates(table_, bands):
        return {rule_id: bands[i][0] for rule_id, i in table_.items()}

    sf_paths = {r: (p,) for r, _, _, _, p in SF_JUDGED_PLAN}
    sf_gates = gates(SF_GATES, SF_BANDS)
    pcl_paths = {r: (p,) for r, _, _, p in PCL_JUDGED_PLAN}
    pcl_gates = gates(PCL_GATES, PCL_BANDS)
    agr_sections = {r[0]: ("agreement.form", r[2]) for r in AGREEMENT_PLAN}
    agr_sections[SENSITIVE_RULE] = ("partnership.shares_sensitive_data", "agreement.form")
    agr_sections[SENSITIVE_RULE] += (AGREEMENT_PLAN[18][2],)
    gp_gates = gates(GP_GATES, GP_BANDS)
    return {
        "stages": {
            "rules": [rule(r, s, reads=(p,)) for r, s, _, p in STAGE_PLAN],
            "groups": [(s, 1.0) for s in STAGES],
            "bands": [],
        },
        "success-factors": {
            "rules": [
                rule(r, g, w, sf_gates.get(r), reads=sf_paths.get(r)) for r, g, w in SF_RULES
            ],
            "groups": list(SF_GROUPS),
            "bands": list(SF_BANDS),
        },
        "agreement": {
            "rules": [
                rule("AGR-00", "written-form", gate="minimal"),
                *(rule(r, g) for r, g in AGREEMENT_FORM_RULES[1:]),
                *(rule(r[0], r[1], reads=agr_sections[r[0]]) for r in AGREEMENT_PLAN),
            ],
            "groups": list(AGREEMENT_GROUPS),
            "bands": list(AGREEMENT_BANDS),
        },
        "ladder": {
            "rules": [rule(r, c, reads=(p,)) for r, c, _, p in LADDER_PLAN],
            "groups": [(c, 1.0) for _, c, _ in LADDER],
            "bands": [],
        },
        "partnership-checklist": {
            "rules": [
                rule(r, g, w, pcl_gates.get(r), reads=pcl_paths.get(r)) for r, g, w in PCL_RULES
            ],
            "groups": [(g, 1.0) for g in PCL_GROUP_IDS],
            "bands": list(PCL_BANDS),
        },
        "stakeholders": {
            "rules": [
                rule(r, STAKEHOLDER_META[r][0], for_each=None if r == "STK-16" else "stakeholders")
                for r in (*STAKEHOLDER_EACH[:10], "STK-16", "STK-17")
            ],
            "groups": [(g, 1.0) for g in STAKEHOLDER_GROUP_IDS],
            "bands": [],
        },
        "benefits-costs-risks": {
            "rules": [
                rule(
                    r,
                    g,
                    w,
                    "needs-attention" if r in BCR_GATES else None,
                    "partners",
                    (f"partners[].{key}",),
                )
                for r, g, w, key, _ in BCR_RULES
            ],
            "groups": [(g, 1.0) for g in BCR_GROUP_IDS],
            "bands": list(BCR_BANDS),
        },
        "good-partner": {
            "rules": [
                rule(
                    r,
                    g,
                    gate=gp_gates.get(r),
                    for_each="partners",
                    reads=(f"partners[].good_partner.{key}",) if key else None,
                )
                for r, g, key in GP_RULES
            ],
            "groups": [(g, 1.0) for g in GP_GROUP_IDS],
            "bands": list(GP_BANDS),
        },
        "planning-sheet": {
            "rules": [
                rule(
                    r,
                    g,
                    for_each="partners",
                    reads=(f"partners[].planning.{column}",) if column else None,
                )
                for r, g, column, _ in PLANNING_RULES
            ],
            "groups": [(g, 1.0) for g in PLANNING_GROUP_IDS],
            "bands": [],
        },
    }


def derived(ruleset: Ruleset) -> dict[str, object]:
    """The same facts about a ruleset, read from the ruleset itself."""
    rules = []
    for rule in ruleset.rules:
        context = normalise(rule.for_each) + "[]" if rule.for_each else ""
        paths: list[str] = []
        for cond in (rule.applies, rule.when, rule.partial):
            if cond is not None:
                paths.extend(condition_paths(cond, context, ruleset.conditions))
        reads = tuple(dict.fromkeys(paths))
        rules.append((rule.id, rule.group, rule.weight, rule.gate, rule.for_each, reads))
    return {
        "rules": rules,
        "groups": [(gid, ruleset.group(gid).weight) for gid in ruleset.group_ids()],
        "bands": [(b.id, b.min) for b in sorted(ruleset.bands, key=lambda b: -b.min)],
    }


def check_tables(rulesets: Iterable[Ruleset]) -> None:
    """Check once that the hand-written tables still match the shipped rulesets."""
    declared = declared_tables()
    ids = [r.id for r in rulesets]
    if ids != list(BY_HAND):
        raise Mismatch(f"the engine's rulesets {ids} differ from the hand-written {list(BY_HAND)}")
    for ruleset in rulesets:
        mine = declared[ruleset.id]
        theirs = derived(ruleset)
        for what in ("groups", "bands"):
            if mine[what] != theirs[what]:
                raise Mismatch(
                    f"{ruleset.id}: the hand-written {what} differ from the ruleset's:\n"
                    f"  ruleset: {theirs[what]}\n  table:   {mine[what]}"
                )
        for ours, rule in zip(mine["rules"], theirs["rules"], strict=False):  # type: ignore[call-overload]
            if ours != rule:
                raise Mismatch(
                    f"{ruleset.id}: rule (id, group, weight, gate, for_each, facts read)"
                    f" differs:\n  ruleset: {rule}\n  table:   {ours}"
                )
        if len(mine["rules"]) != len(theirs["rules"]):  # type: ignore[arg-type]
            raise Mismatch(f"{ruleset.id}: the hand-written tables miss or add rules")
        for key, expected in SETTINGS[ruleset.id].items():
            actual = ruleset.assessment.get(key, SETTING_DEFAULTS.get(key))
            if actual != expected:
                raise Mismatch(f"{ruleset.id}: [assessment] {key} is {actual!r}, not {expected!r}")


# =================================================================== synthetic partnerships

TEXTS = (
    "The college runs taster days; the schools release pupils and staff.",
    "Monthly board chaired in turn by each partner.",
    "GBP 40,000 a year from the council, held by the lead partner.",
    "A term's notice in writing; scheduled activities are completed.",
    "Independent mediator after the chair, as annex B sets out.",
    "Outcome data shared under the data-sharing protocol.",
    "Reviewed every term against the agreed milestones.",
    "Rooms, staff time and the minibus in kind.",
)
PLACEHOLDER_TEXTS = ("tbd", "", "TBD", "tbc", "n/a", "to be agreed", "no", " ", "pending")
PARTLY_WORDS = ("partly", "partly", "Partial", "PARTLY ")
ODD_JUDGEMENTS = (True, False, "Partial", "YES", " no ", "tbd", "not sure", "unknown", 3, [])
ODD_NUMBERS = ("three", True, "", datetime.date(2025, 1, 1), [1], "unknown")
ODD_CHOICES = ("unknown", "other", True, 1, "")
NOTE_TEXTS = ("Board minutes, 4 June 2025", "Draft MoU v0.3, page 2", "Partner survey, May 2025")


def load_examples() -> list[dict]:
    """The example partnerships: the starting points of every synthetic one."""
    return [tomllib.loads(path.read_text(encoding="utf-8")) for path in EXAMPLES]


class FactPlan:
    """Every fact path the shipped rulesets read, with its vocabulary type."""

    def __init__(self, rulesets: Iterable[Ruleset]) -> None:
        vocabulary = load_vocabulary()
        self.plain: list[tuple[tuple[str, ...], object]] = []
        self.lists: dict[tuple[str, ...], list[tuple[tuple[str, ...], object]]] = {}
        for path in readers(rulesets):
            spec = vocabulary.get(path)
            assert spec is not None, path
            if "[]." in path:
                list_path, _, rest = path.partition("[].")
                self.lists.setdefault(tuple(list_path.split(".")), []).append(
                    (tuple(rest.split(".")), spec)
                )
            elif spec.type is FactType.LIST:
                self.lists.setdefault(tuple(path.split(".")), [])
            else:
                self.plain.append((tuple(path.split(".")), spec))


def get_at(doc: object, keys: tuple[str, ...]) -> object:
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def put(doc: dict, keys: tuple[str, ...], value: object) -> None:
    for key in keys[:-1]:
        child = doc.get(key)
        if child is None:
            child = doc[key] = {}
        if not isinstance(child, dict):
            return
        doc = child
    doc[keys[-1]] = value


def drop(doc: dict, keys: tuple[str, ...]) -> None:
    parent = get_at(doc, keys[:-1])
    if isinstance(parent, dict):
        parent.pop(keys[-1], None)


def make_value(rng: random.Random, spec, quality: float, base: object) -> object:
    """A value for a fact of the given vocabulary type, better with higher quality."""
    kind = spec.type
    odd = rng.random() < 0.05
    if kind is FactType.JUDGEMENT:
        if odd:
            return rng.choice(ODD_JUDGEMENTS)
        r = rng.random()
        return "yes" if r < quality else "partly" if r < quality + (1 - quality) * 0.4 else "no"
    if kind is FactType.TEXT:
        if odd:
            return rng.choice((["a list of text"], [], True, 3, "unknown"))
        r = rng.random()
        if r < quality:
            return base if isinstance(base, str) and is_filled(base) else rng.choice(TEXTS)
        if r < quality + (1 - quality) * 0.35:
            return rng.choice(PARTLY_WORDS)
        return rng.choice(PLACEHOLDER_TEXTS)
    if kind is FactType.SHARE:
        if odd:
            return rng.choice(ODD_NUMBERS)
        return rng.choice((round(rng.random(), 2), 0.5, 0.6, 0.75, 0.8, 1, 0.0, quality))
    if kind in (FactType.NUMBER, FactType.INTEGER):
        if odd:
            return rng.choice(ODD_NUMBERS)
        if spec.path == "partners[].bcr_months_since_checked":
            return rng.choice((rng.randint(0, 24), 12, 13))
        if spec.path == "evaluation.progress_reviews_per_year":
            return rng.randint(0, 6)
        return rng.choice((0.4, 1, 1.5, 2, 3, round(rng.uniform(0, 5), 1)))
    if kind is FactType.CHOICE:
        return rng.choice(ODD_CHOICES) if odd else rng.choice(spec.values)
    if kind is FactType.CHOICES:
        if odd:
            return rng.choice((spec.values[0], [], ["tbd"]))
        return rng.sample(spec.values, rng.randint(0, 3))
    if kind is FactType.TEXTS:
        if odd:
            return rng.choice(("One benefit, as text", "", "tbd"))
        return [
            rng.choice(TEXTS) if rng.random() < quality else rng.choice(PLACEHOLDER_TEXTS)
            for _ in range(rng.randint(0, 3))
        ]
    if kind is FactType.BOOLEAN:
        return rng.choice(("yes", "no", 1, "unknown")) if odd else rng.random() < 0.5
    if kind is FactType.DATE:
        return datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 1000))
    raise AssertionError(f"no generator for {spec.path} ({kind})")


def perturb(rng: random.Random, doc: dict, facts, quality: float, recorded: float) -> None:
    """Keep, drop or re-draw each fact of a table (a partnership, or an item of a list)."""
    gone: list[tuple[str, ...]] = []  # tables dropped or replaced: skip their facts
    for keys, spec in facts:
        if any(keys[: len(g)] == g for g in gone):
            continue
        base = get_at(doc, keys)
        roll = rng.random()
        if spec.type is FactType.TABLE:  # e.g. agreement.sla: there, or not
            if roll < 0.45:
                put(doc, keys, {} if base is None else base)
            else:
                if roll < 0.5:
                    put(doc, keys, rng.choice(("tbd", "unknown", ["x"])))
                else:
                    drop(doc, keys)
                gone.append(keys)
        elif roll < 0.25 and base is not None:
            continue  # as in the example
        elif roll < 0.25 + 0.75 * (1 - recorded):
            drop(doc, keys)
        else:
            put(doc, keys, make_value(rng, spec, quality, base))


def make_list(rng: random.Random, pool: list, item_facts, quality: float, recorded: float):
    roll = rng.random()
    if roll < 0.05:
        return None  # not recorded
    if roll < 0.07:
        return "unknown"
    if roll < 0.15:
        return []
    items = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.01:
            items.append(rng.choice(("An organisation named in passing", 7)))
            continue
        item = copy.deepcopy(rng.choice(pool)) if pool else {}
        perturb(rng, item, item_facts, quality, recorded)
        r = rng.random()
        if r < 0.06:
            item.pop("name", None)
        elif r < 0.08:
            item["name"] = rng.choice(("", "  ", 42, True))
        items.append(item)
    return items


def _paths(doc: object, prefix: str = "") -> Iterable[str]:
    """Every table and value path in a document (list items with their index)."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from _paths(value, path)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield f"{prefix}[{i}]"
            yield from _paths(value, f"{prefix}[{i}]")


def make_partnership(rng: random.Random, index: int, bases: list[dict], plan: FactPlan) -> dict:
    """One synthetic partnership: an example, perturbed."""
    facts = copy.deepcopy(rng.choice(bases))
    facts.pop("evidence", None)
    quality = rng.random()
    recorded = rng.uniform(0.3, 1.0)
    facts.setdefault("partnership", {})["name"] = f"Synthetic partnership {index:05d}"
    perturb(rng, facts, plan.plain, quality, recorded)
    for keys, item_facts in plan.lists.items():
        pool = [item for base in bases for item in (get_at(base, keys) or ())]
        items = make_list(rng, pool, item_facts, quality, recorded)
        if items is None:
            drop(facts, keys)
        else:
            put(facts, keys, items)
    agreement = facts.get("agreement")
    if isinstance(agreement, dict) and rng.random() < 0.08:  # now and then a complete SLA
        agreement["sla"] = {term: rng.choice(TEXTS) for term in SLA_TERMS}
    for name in list(facts):  # now and then a whole table is missing
        if name != "partnership" and rng.random() < 0.02:
            del facts[name]
    if isinstance(facts.get("partnership"), dict) and rng.random() < 0.2:
        facts["partnership"]["formed_on"] = make_value(
            rng, load_vocabulary().get("partnership.formed_on"), quality, None
        )
    roll = rng.random()
    if roll < 0.3:
        paths = list(_paths(facts))
        notes = {p: rng.choice(NOTE_TEXTS) for p in rng.sample(paths, min(len(paths), 5))}
        for p in rng.sample(paths, min(len(paths), rng.randint(0, 3))):
            notes[p.rpartition(".")[0] or p] = rng.choice(NOTE_TEXTS)  # a parent table
        facts["evidence"] = notes
    elif roll < 0.32:
        facts["evidence"] = "see the shared drive"  # not a table: no notes
    return facts


def make_partnerships(count: int, seed: int, plan: FactPlan) -> list[dict]:
    rng = random.Random(seed)
    bases = load_examples()
    return [make_partnership(rng, i, bases, plan) for i in range(count)]


# ===================================================================== equivalence check


def _same(a: object, b: object) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def possible_statuses(ruleset: Ruleset) -> dict[str, set[str]]:
    """The statuses each rule can give, by its shape."""
    out = {}
    for rule in ruleset.rules:
        statuses = {MET, UNMET, UNKNOWN}
        if rule.partial is not None:
            statuses.add(PARTIAL)
        if rule.applies is not None or rule.for_each is not None:
            statuses.add(NA)
        out[rule.id] = statuses
    return out


def verify(engine: Engine, partnerships: list[dict]) -> tuple[int, dict[str, dict[str, set]]]:
    """Compare engine and hand-written results for every partnership.

    Returns the number of values compared and, per ruleset, the statuses seen per rule
    and the outcomes seen.
    """
    checks = 0
    seen: dict[str, dict[str, set]] = {}
    for index, facts in enumerate(partnerships):
        report = engine.evaluate(facts)
        mine = assess_all_by_hand(facts)
        for assessment, (findings, groups, score, coverage, outcome, items) in zip(
            report.assessments, mine, strict=True
        ):
            rid = assessment.ruleset.id

            def fail(
                what: str,
                engine_says: object,
                hand_says: object,
                where: tuple[int, str, dict] = (index, rid, facts),
            ) -> None:
                i, r, doc = where
                raise Mismatch(
                    f"partnership #{i}, ruleset {r}: {what}:\n  engine:       "
                    f"{engine_says!r}\n  hand-written: {hand_says!r}\nfacts: {doc!r}"
                )

            tally = seen.setdefault(rid, {"outcomes": set()})
            if len(assessment.findings) != len(findings):
                fail(
                    "findings",
                    [(f.rule_id, f.subject) for f in assessment.findings],
                    [(f[0], f[1]) for f in findings],
                )
            for finding, (rule_id, subject, status, evidence_) in zip(
                assessment.findings, findings, strict=True
            ):
                where = f"{rule_id} ({subject})" if subject else rule_id
                if finding.rule_id != rule_id or finding.subject != subject:
                    fail("finding order", (finding.rule_id, finding.subject), (rule_id, subject))
                if finding.status != status:
                    fail(f"status of {where}", finding.status.value, status)
                theirs = tuple(tuple(e) for e in finding.evidence)
                if len(theirs) != len(evidence_) or not all(
                    a[0] == b[0] and _same(a[1], b[1]) and a[2] is b[2] and _same(a[3], b[3])
                    for a, b in zip(theirs, evidence_, strict=True)
                ):
                    fail(f"evidence of {where}", theirs, evidence_)
                tally.setdefault(rule_id, set()).add(status)
                checks += 2
            if len(assessment.groups) != len(groups):
                fail("groups", assessment.groups, groups)
            for g, ours in zip(assessment.groups, groups, strict=True):
                if (
                    g.id != ours[0]
                    or g.status != ours[1]
                    or not _close(g.score, ours[2])
                    or not _close(g.coverage, ours[3])
                    or (len(ours) > 4 and g.label != ours[4])
                ):
                    theirs_g = (g.id, g.status.value, g.score, g.coverage, g.label)
                    fail(f"group {g.id}", theirs_g, ours)
                checks += 3
            if not _close(assessment.score, score):
                fail("score", assessment.score, score)
            if not _close(assessment.coverage, coverage):
                fail("coverage", assessment.coverage, coverage)
            theirs_outcome = assessment.outcome.id if assessment.outcome else None
            if theirs_outcome != outcome:
                fail("outcome", theirs_outcome, outcome)
            tally["outcomes"].add(outcome)
            theirs_items = tuple((i.subject, i.id) for i in assessment.items)
            if theirs_items != items:
                fail("item categories", theirs_items, items)
            tally["outcomes"].update(f"item:{category}" for _, category in items)
            checks += 3 + len(items)
    return checks, seen


def possible_outcomes(ruleset: Ruleset) -> set[str | None]:
    """The outcomes (and per-item categories, as ``item:<id>``) a ruleset can give."""
    settings = ruleset.assessment
    kind = ruleset.ruleset.kind
    if kind == "stages":
        return {*ruleset.group_ids(), UNDETERMINED}
    if kind == "classification":
        categories = settings.get("categories") or list(ruleset.group_ids())
        if settings.get("items"):
            return {None, *(f"item:{c}" for c in [*categories, UNDETERMINED])}
        return {*categories, "none", UNDETERMINED}
    if not ruleset.bands:
        return {None}
    return {*(b.id for b in ruleset.bands), UNDETERMINED}


def coverage_report(
    rulesets: Iterable[Ruleset], seen: dict[str, dict[str, set]]
) -> tuple[int, int, list[str]]:
    """(statuses and outcomes seen, possible, what never occurred) over every rule."""
    total = hit = 0
    missing = []
    for ruleset in rulesets:
        for rule_id, possible in possible_statuses(ruleset).items():
            got = seen.get(ruleset.id, {}).get(rule_id, set())
            total += len(possible)
            hit += len(possible & got)
            missing += [f"{ruleset.id} {rule_id} {s}" for s in sorted(possible - got)]
        possible_ = possible_outcomes(ruleset)
        got = seen.get(ruleset.id, {}).get("outcomes", set())
        total += len(possible_)
        hit += len(possible_ & got)
        missing += [f"{ruleset.id} outcome {o}" for o in sorted(possible_ - got, key=str)]
    return hit, total, missing


# =================================================================================== timing


def best_times(
    functions: tuple[Callable[[Mapping[str, object]], object], ...],
    partnerships: list[dict],
    repeats: int,
    keep_gc: bool,
) -> list[float]:
    """Return each function's best time over every partnership, passes interleaved.

    One pass of each function in turn, ``repeats`` times: a machine that slows down or
    speeds up during the run affects both sides alike, not one more than the other.
    """
    best = [math.inf] * len(functions)
    for _ in range(repeats):
        for i, function in enumerate(functions):
            best[i] = min(best[i], best_time(function, partnerships, 1, keep_gc))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="partnerships (default 1000)")
    parser.add_argument("--repeats", type=int, default=7, help="timed passes (default 7)")
    parser.add_argument(
        "--ruleset-repeats",
        type=int,
        default=3,
        help="timed passes for the per-ruleset costs (default 3; 0 to skip them)",
    )
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
    if args.count < 1 or args.repeats < 1 or args.ruleset_repeats < 0:
        parser.error("--count and --repeats must be at least 1")

    started = time.perf_counter()
    engine = Engine(entry_points=False)
    construction = time.perf_counter() - started
    rulesets = engine.rulesets
    try:
        check_tables(rulesets)
    except Mismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    partnerships = make_partnerships(args.count, args.seed, FactPlan(rulesets))
    try:
        checks, seen = verify(engine, partnerships)
    except Mismatch as exc:
        print(f"error: the hand-written version disagrees with the engine: {exc}", file=sys.stderr)
        return 2
    hit, possible, missing = coverage_report(rulesets, seen)
    findings = sum(len(a.findings) for f in partnerships for a in engine.evaluate(f).assessments)

    keep_gc = not args.no_gc
    warm = partnerships[:200]
    best_time(engine.evaluate, warm, 1, True)
    best_time(assess_all_by_hand, warm, 1, True)
    engine_s, hand_s = best_times(
        (engine.evaluate, assess_all_by_hand), partnerships, args.repeats, keep_gc
    )
    ratio = engine_s / hand_s
    passed = ratio <= args.max_ratio

    n = len(partnerships)
    per_ruleset = {}
    if args.ruleset_repeats:
        for ruleset in rulesets:
            by_hand = BY_HAND[ruleset.id]

            def hand(facts: Mapping[str, object], f: Callable = by_hand) -> object:
                return f(facts, notes_of(facts))

            only = partial(engine.evaluate, only=(ruleset.id,))
            e_s, h_s = best_times((only, hand), partnerships, args.ruleset_repeats, keep_gc)
            per_ruleset[ruleset.id] = {
                "rules": len(ruleset.rules),
                "findings_per_partnership": sum(
                    len(a.findings)
                    for f in partnerships
                    for a in engine.evaluate(f, only=(ruleset.id,)).assessments
                )
                / n,
                "engine_us": e_s / n * 1e6,
                "hand_written_us": h_s / n * 1e6,
                "ratio": e_s / h_s,
            }

    figures = {
        "partnerships": n,
        "rulesets": len(rulesets),
        "rules": sum(len(r.rules) for r in rulesets),
        "findings_per_partnership": findings / n,
        "repeats": args.repeats,
        "seed": args.seed,
        "gc_during_timing": keep_gc,
        "checks_verified": checks,
        "statuses_and_outcomes_seen": hit,
        "statuses_and_outcomes_possible": possible,
        "never_seen": missing,
        "outcomes_seen": {rid: sorted(s["outcomes"], key=str) for rid, s in seen.items()},
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
        "per_ruleset": per_ruleset,
        "engine_construction_ms": construction * 1e3,
        "python": sys.version.split()[0],
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0 if passed else 1
    print(f"partnerships     {n}   (seed {args.seed}, best of {args.repeats} passes)")
    print(
        f"rulesets         {len(rulesets)}, {figures['rules']} rules,"
        f" {findings / n:.0f} findings per partnership on average"
    )
    print(f"verified         {checks} statuses, evidence, groups, scores and outcomes agree")
    print(
        f"coverage         {hit} of the {possible} statuses and outcomes the rules can give occur"
    )
    for line in missing:
        print(f"  never seen: {line}")
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
    if per_ruleset:
        print(
            f"\nper ruleset (best of {args.ruleset_repeats};"
            " engine.evaluate(facts, only=[id]) vs its hand-written function)"
        )
        print(
            f"  {'ruleset':<24}{'rules':>6}{'findings':>10}"
            f"{'engine µs':>11}{'hand µs':>9}{'ratio':>7}"
        )
        for rid, row in per_ruleset.items():
            print(
                f"  {rid:<24}{row['rules']:>6}{row['findings_per_partnership']:>10.1f}"
                f"{row['engine_us']:>11.1f}{row['hand_written_us']:>9.1f}{row['ratio']:>6.2f}x"
            )
    print(f"\nconstruction     {construction * 1e3:.1f} ms for Engine(entry_points=False)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
