"""The ``stages`` kind: which stage of a stage model a partnership is in.

Groups are the stages, in order; each stage's rules are its indicators (a rule is met
when the behaviour is observed, partial when it is partly observed). For each stage:

- its *score* is the weighted share of its indicators observed (yes 1, partly 0.5; no and
  unknown count 0), so a stage with half its indicators unrecorded cannot score high;
- its *coverage* is the weighted share of its indicators that were recorded;
- its *matches* is the weighted number observed; a stage is a *candidate* when its
  matches reach ``min_matches`` (default 2).

The diagnosis is the candidate with the highest score; ties go to the earlier stage, whose
advice is the safer. The runner-up is the next best stage and the margin the difference
in score. A *precedence* stage (``precedence_stage``, e.g. Failing) is never diagnosed
on score: only when at least ``precedence_min_met`` (default 2) of its indicators are fully
observed; weaker signs add a ``failing_risk`` warning to whatever stage wins. With no
candidate the diagnosis is ``undetermined`` and lists the indicators to record, never a
guess. Another candidate stage adds a ``mixed_signals`` warning; ``mixed_signals`` (a list
of stage ids) limits that to the stages worth flagging (Frustration, in the shipped model).
The diagnosed stage's ``actions`` (or those of the stage named in ``actions_from``) are the
recommended actions.
"""

from __future__ import annotations

from collections.abc import Sequence

from partnerrules import Assessment
from partnerrules import Finding
from partnerrules import GroupResult
from partnerrules import RegisterKind
from partnerrules import Ruleset
from partnerrules import hookimpl
from partnerrules.model import Notice
from partnerrules.model import Outcome
from partnerrules.rollup import MET
from partnerrules.rollup import NOT_APPLICABLE
from partnerrules.rollup import PARTIAL
from partnerrules.rollup import UNKNOWN
from partnerrules.rollup import VALUE
from partnerrules.rollup import by_group
from partnerrules.rollup import group_statuses

_SETTINGS = ("min_matches", "precedence_stage", "precedence_min_met", "mixed_signals")


class _Stage:
    """What the findings say about one stage."""

    __slots__ = ("coverage", "findings", "group", "matches", "met", "order", "partly", "score")

    def __init__(self, order: int, group: str, findings: list[Finding]) -> None:
        self.order = order
        self.group = group
        self.findings = findings
        total = known = matches = 0.0
        met = partly = 0
        for f in findings:
            status = f.status
            weight = f.rule.weight
            total += weight
            if status is UNKNOWN or status is NOT_APPLICABLE:
                continue
            known += weight
            matches += weight * VALUE.get(status, 0.0)
            if status is MET:
                met += 1
            elif status is PARTIAL:
                partly += 1
        self.met = met
        self.partly = partly
        self.matches = matches
        self.score = matches / total if total else 0.0
        self.coverage = known / total if total else 0.0


def _actions(ruleset: Ruleset, stage_id: str) -> tuple[str, ...]:
    group = ruleset.group(stage_id)
    if group.actions_from:
        return ruleset.group(group.actions_from).actions
    return group.actions


def _confidence(margin: float | None, coverage: float) -> str:
    """Return the confidence of a diagnosis; no competing stage at all is a wide margin."""
    lead = 1.0 if margin is None else margin
    if lead >= 0.2 and coverage >= 0.6:
        return "high"
    if lead >= 0.1 and coverage >= 0.4:
        return "moderate"
    return "low"


def assess_stages(ruleset: Ruleset, findings: Sequence[Finding]) -> Assessment:
    """Diagnose the stage, with scores, runner-up, margin, warnings and actions."""
    settings = ruleset.assessment
    min_matches = float(settings.get("min_matches", 2.0))  # type: ignore[arg-type]
    precedence = settings.get("precedence_stage")
    precedence_min = int(settings.get("precedence_min_met", 2))  # type: ignore[call-overload]
    ids = ruleset.group_ids()
    stages = [
        _Stage(i, gid, members)
        for i, (gid, members) in enumerate(zip(ids, by_group(ruleset, findings), strict=True))
    ]
    ordinary = [s for s in stages if s.group != precedence]
    ranked = sorted(ordinary, key=lambda s: (-s.score, s.order))
    candidates = [s for s in ranked if s.matches >= min_matches]
    notices: list[Notice] = []
    details: dict[str, object] = {}

    failing = next((s for s in stages if s.group == precedence), None)
    diagnosed: _Stage | None = None
    runner_up: _Stage | None = None
    if failing is not None and failing.met >= precedence_min:
        diagnosed = failing
        underlying = candidates[0] if candidates else None
        runner_up = underlying
        if underlying is not None:
            details["underlying_stage"] = underlying.group
    else:
        if failing is not None and (failing.met or failing.partly):
            signs = [f.rule.title for f in failing.findings if f.status in (MET, PARTIAL)]
            notices.append(
                Notice(
                    "failing_risk",
                    f"signs of {ruleset.group(failing.group).title.lower()} ("
                    + "; ".join(signs)
                    + f"), not yet enough to diagnose it ({precedence_min} fully observed needed)",
                )
            )
        if candidates:
            diagnosed = candidates[0]
            # The runner-up is the best other stage with anything observed at all.
            runner_up = next((s for s in ranked if s is not diagnosed and s.matches > 0), None)
            watched = settings.get("mixed_signals")
            for other in candidates[1:]:
                if isinstance(watched, list) and other.group not in watched:
                    continue
                notices.append(
                    Notice(
                        "mixed_signals",
                        f"also shows signs of {ruleset.group(other.group).title}"
                        f" (score {other.score:.0%})",
                    )
                )

    unknown = sum(1 for f in findings if f.status is UNKNOWN)
    coverage = (len(findings) - unknown) / len(findings) if findings else 0.0
    details["stages"] = [
        {
            "id": s.group,
            "score": round(s.score, 4),
            "coverage": round(s.coverage, 4),
            "matches": s.matches,
            "candidate": s in candidates,
        }
        for s in stages
    ]
    if diagnosed is None:
        to_collect = [f.rule.id for f in findings if f.status is UNKNOWN]
        details["indicators_to_collect"] = to_collect
        outcome = Outcome(
            "undetermined",
            "Undetermined",
            "stage",
            None,
            None,
            f"no stage has {min_matches:g} indicators observed; record the"
            f" {len(to_collect)} indicators that are unknown",
        )
        verdict = f"undetermined: no stage has {min_matches:g} or more indicators observed"
        actions: tuple[str, ...] = ()
        score = None
    else:
        margin = (
            None
            if runner_up is None or diagnosed is failing
            else diagnosed.score - runner_up.score
        )
        title = ruleset.group(diagnosed.group).title
        conf = _confidence(margin, diagnosed.coverage)
        if diagnosed is failing:
            conf = "high" if failing.met > precedence_min else "moderate"
        outcome = Outcome(
            diagnosed.group,
            title,
            "stage",
            conf,
            margin,
            ruleset.group(diagnosed.group).description,
        )
        details["decided_by"] = [
            f.rule.id for f in diagnosed.findings if f.status in (MET, PARTIAL)
        ]
        if runner_up is not None:
            details["runner_up"] = runner_up.group
        details["margin"] = margin
        if diagnosed is failing:
            under = details.get("underlying_stage")
            verdict = f"{title}: {failing.met} signs fully observed" + (
                f"; underlying stage {ruleset.group(str(under)).title}" if under else ""
            )
        else:
            verdict = f"{title} (score {diagnosed.score:.0%}"
            if runner_up is not None and margin is not None:
                verdict += (
                    f"; runner-up {ruleset.group(runner_up.group).title}"
                    f" {runner_up.score:.0%}, margin {margin * 100:.0f} points"
                )
            verdict += f"; confidence {conf})"
        actions = _actions(ruleset, diagnosed.group)
        score = diagnosed.score

    role = {}
    if diagnosed is not None:
        role[diagnosed.group] = "diagnosed"
    if runner_up is not None:
        role.setdefault(runner_up.group, "runner-up")
    groups = tuple(
        GroupResult(gid, title, status, s.score, rule_ids, role.get(gid, ""), s.coverage)
        for s, (gid, title, _, rule_ids), status in zip(
            stages, ruleset.layout, group_statuses(ruleset, findings), strict=True
        )
    )
    return Assessment(
        ruleset.ruleset,
        tuple(findings),
        groups,
        score,
        coverage,
        verdict,
        (),
        outcome,
        tuple(notices),
        actions,
        (),
        details,
    )


def _check(ruleset: Ruleset) -> list[str]:
    problems = []
    settings = ruleset.assessment
    for key in settings:
        if key not in _SETTINGS:
            from partnerrules.errors import did_you_mean

            problems.append(
                f"$.assessment.{key}: unknown setting for a stages ruleset"
                f"{did_you_mean(key, _SETTINGS)} (settings: {', '.join(_SETTINGS)})"
            )
    ids = ruleset.group_ids()
    precedence = settings.get("precedence_stage")
    if precedence is not None and precedence not in ids:
        problems.append(f"$.assessment.precedence_stage: no stage {precedence!r} in [[groups]]")
    watched = settings.get("mixed_signals")
    if watched is not None and (
        not isinstance(watched, list) or any(w not in ids for w in watched)
    ):
        problems.append(
            f"$.assessment.mixed_signals: expected a list of stage ids from {', '.join(ids)},"
            f" got {watched!r}"
        )
    for key, kind in (("min_matches", (int, float)), ("precedence_min_met", (int,))):
        value = settings.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            problems.append(f"$.assessment.{key}: expected a number, got {value!r}")
    if not ruleset.groups:
        problems.append("$.groups: a stages ruleset declares its stages as [[groups]], in order")
    for i, group in enumerate(ruleset.groups):
        if group.actions_from is not None and group.actions_from not in ids:
            problems.append(f"$.groups[{i}].actions_from: no stage {group.actions_from!r}")
    return problems


@hookimpl
def register_kinds(register: RegisterKind) -> None:
    """Register the stages kind."""
    register(
        "stages",
        assess_stages,
        description="which stage of a stage model fits best, from observed indicators",
        validate=_check,
    )
