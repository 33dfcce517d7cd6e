"""The ``classification`` kind: which category a partnership (or each item of a list) is in.

The groups named in ``categories`` (a setting of ``[assessment]``; default: every group)
are the categories, in order; a category is reached when its rules roll up to met. Other
groups hold ordinary checks, reported with their next steps as in a checklist.

``mode = "cumulative"``
    Categories are rungs of a ladder: the outcome is the highest rung reached with every
    rung below it reached too. A rung that is unknown stops the climb and says what to
    record; a higher rung that is met above one that is not is flagged as inconsistent.
    The order is not a ranking: a higher rung is not judged better.

``mode = "first_match"`` (the default)
    The outcome is the first category reached.

``items = "stakeholders"``
    Classify each item of that list instead: the category rules use ``for_each`` over it,
    and each item gets the first category whose rules it meets, with that category's
    ``actions`` as advice (e.g. each stakeholder's power-interest quadrant and how to
    engage it).
"""

from __future__ import annotations

from collections.abc import Sequence

from partnerrules import Assessment
from partnerrules import Finding
from partnerrules import RegisterKind
from partnerrules import Ruleset
from partnerrules import Status
from partnerrules import hookimpl
from partnerrules.errors import did_you_mean
from partnerrules.model import ItemOutcome
from partnerrules.model import Notice
from partnerrules.model import Outcome
from partnerrules.rollup import MET
from partnerrules.rollup import PARTIAL
from partnerrules.rollup import UNKNOWN
from partnerrules.rollup import confidence
from partnerrules.rollup import group_results
from partnerrules.rollup import known_share
from partnerrules.rollup import next_steps
from partnerrules.rollup import roll_up

_SETTINGS = ("categories", "mode", "items", "none_title")
_MODES = ("first_match", "cumulative")


def _categories(ruleset: Ruleset) -> list[str]:
    chosen = ruleset.assessment.get("categories")
    if isinstance(chosen, list):
        return [str(c) for c in chosen]
    return list(ruleset.group_ids())


def _advice(ruleset: Ruleset, group_id: str) -> str:
    group = ruleset.group(group_id)
    actions = ruleset.group(group.actions_from).actions if group.actions_from else group.actions
    return " ".join(actions)


def _classify_whole(
    ruleset: Ruleset, statuses: dict[str, Status], cumulative: bool, categories: list[str]
) -> tuple[Outcome, list[Notice], str]:
    none_title = str(ruleset.assessment.get("none_title", "None of the categories"))
    notices: list[Notice] = []
    title = ruleset.group
    if cumulative:
        reached: str | None = None
        stop: str | None = None
        for cat in categories:
            if statuses[cat] is MET:
                reached = cat
                continue
            stop = cat
            break
        if stop is not None:
            above = categories[categories.index(stop) + 1 :]
            higher = [c for c in above if statuses[c] is MET]
            if statuses[stop] is UNKNOWN:
                notices.append(
                    Notice(
                        "could_be_higher",
                        f"{title(stop).title} is unknown: record it to see whether the"
                        " partnership reaches it",
                    )
                )
            elif statuses[stop] is PARTIAL:
                notices.append(Notice("partly", f"partly at {title(stop).title}"))
            if higher:
                notices.append(
                    Notice(
                        "inconsistent",
                        f"{', '.join(title(c).title for c in higher)} met although"
                        f" {title(stop).title} below it is not",
                    )
                )
        if reached is None:
            if statuses[categories[0]] is UNKNOWN:
                rest = [n for n in notices if n.code != "could_be_higher"]
                return _undetermined(categories), rest, "undetermined: record the first rung"
            return Outcome("none", none_title, "category", "high"), notices, none_title
        conf = "moderate" if stop is not None and statuses[stop] is UNKNOWN else "high"
        return (
            Outcome(
                reached, title(reached).title, "category", conf, None, title(reached).description
            ),
            notices,
            title(reached).title,
        )
    met = [c for c in categories if statuses[c] is MET]
    if not met:
        if any(statuses[c] is UNKNOWN for c in categories):
            return _undetermined(categories), notices, "undetermined"
        return Outcome("none", none_title, "category", "high"), notices, none_title
    first = met[0]
    before = categories[: categories.index(first)]
    conf = "moderate" if any(statuses[c] is UNKNOWN for c in before) else "high"
    return (
        Outcome(first, title(first).title, "category", conf, None, title(first).description),
        notices,
        title(first).title,
    )


def _undetermined(categories: list[str]) -> Outcome:
    return Outcome(
        "undetermined",
        "Undetermined",
        "category",
        None,
        None,
        "too few of the facts these categories read were recorded",
    )


def _classify_items(
    ruleset: Ruleset, findings: Sequence[Finding], item_list: str, categories: list[str]
) -> tuple[list[ItemOutcome], list[Notice]]:
    wanted = set(categories)
    by_item: dict[int, tuple[str, dict[str, list[Status]]]] = {}
    for f in findings:
        rule = f.rule
        if f.item is not None and rule.group in wanted and rule.for_each == item_list:
            entry = by_item.get(f.item)
            if entry is None:
                entry = by_item[f.item] = (f.subject or str(f.item), {})
            found = entry[1].get(rule.group)
            if found is None:
                entry[1][rule.group] = [f.status]
            else:
                found.append(f.status)
    advice: dict[str, str] = {}  # each category's advice, joined once
    items: list[ItemOutcome] = []
    notices: list[Notice] = []
    seen: dict[str, int] = {}
    for _, (subject, per_category) in sorted(by_item.items()):
        seen[subject] = seen.get(subject, 0) + 1
        met = [c for c in categories if roll_up(per_category.get(c, ())) is MET]
        if len(met) > 1:
            names = ", ".join(ruleset.group(c).title for c in met)
            notices.append(
                Notice(
                    "inconsistent_classification", f"{subject} fits several categories: {names}"
                )
            )
        if met:
            first = met[0]
            if first not in advice:
                advice[first] = _advice(ruleset, first)
            items.append(ItemOutcome(subject, first, ruleset.group(first).title, advice[first]))
        else:
            items.append(
                ItemOutcome(
                    subject,
                    "undetermined",
                    "Undetermined",
                    "Record the facts this item's category depends on"
                    " (see the evidence to request).",
                )
            )
    for subject, count in seen.items():
        if count > 1:
            notices.append(
                Notice(
                    "inconsistent_classification",
                    f"{subject} appears {count} times in {item_list}; each entry is"
                    " classified on its own",
                )
            )
    return items, notices


def assess_classification(ruleset: Ruleset, findings: Sequence[Finding]) -> Assessment:
    """Classify the partnership, or each item of a list, into the ruleset's categories."""
    settings = ruleset.assessment
    categories = _categories(ruleset)
    item_list = settings.get("items")
    groups = group_results(ruleset, findings)
    category_ids = set(categories)
    checks = [f for f in findings if f.rule.group not in category_ids]
    steps = next_steps(ruleset, checks)
    _, coverage = known_share(groups)
    if isinstance(item_list, str):
        items, notices = _classify_items(ruleset, findings, item_list, categories)
        counts: dict[str, int] = {}
        for item in items:
            counts[item.title] = counts.get(item.title, 0) + 1
        verdict = "; ".join(f"{title}: {n}" for title, n in counts.items()) or "no items recorded"
        determined = sum(1 for i in items if i.id != "undetermined")
        outcome = None
        coverage = determined / len(items) if items else 0.0
        return Assessment(
            ruleset.ruleset,
            tuple(findings),
            tuple(g for g, _ in groups),
            None,
            coverage,
            verdict,
            steps,
            outcome,
            tuple(notices),
            (),
            tuple(items),
        )
    statuses = {g.id: g.status for g, _ in groups}
    cumulative = settings.get("mode") == "cumulative"
    outcome, notices, verdict = _classify_whole(ruleset, statuses, cumulative, categories)
    if outcome.confidence is not None and outcome.determined:
        cat_coverage = sum(1 for c in categories if statuses[c] is not UNKNOWN) / len(categories)
        if confidence(cat_coverage) == "low":
            outcome = Outcome(
                outcome.id, outcome.title, outcome.kind, "low", None, outcome.description
            )
    actions = (
        tuple(a for a in (_advice(ruleset, outcome.id),) if a)
        if outcome.determined and outcome.id != "none"
        else ()
    )
    return Assessment(
        ruleset.ruleset,
        tuple(findings),
        tuple(g for g, _ in groups),
        None,
        coverage,
        verdict,
        steps,
        outcome,
        tuple(notices),
        actions,
    )


def _check(ruleset: Ruleset) -> list[str]:
    settings = ruleset.assessment
    problems = []
    for key in settings:
        if key not in _SETTINGS:
            problems.append(
                f"$.assessment.{key}: unknown setting for a classification ruleset"
                f"{did_you_mean(key, _SETTINGS)} (settings: {', '.join(_SETTINGS)})"
            )
    mode = settings.get("mode", "first_match")
    if mode not in _MODES:
        problems.append(
            f"$.assessment.mode: expected one of {', '.join(_MODES)}, got {mode!r}"
            f"{did_you_mean(str(mode), _MODES)}"
        )
    ids = ruleset.group_ids()
    categories = settings.get("categories")
    if categories is not None:
        if not isinstance(categories, list) or not categories:
            problems.append("$.assessment.categories: expected a non-empty list of group ids")
        else:
            for cat in categories:
                if cat not in ids:
                    problems.append(
                        f"$.assessment.categories: no group {cat!r}{did_you_mean(str(cat), ids)}"
                    )
    items = settings.get("items")
    if items is not None:
        cats = categories if isinstance(categories, list) else list(ids)
        for i, rule in enumerate(ruleset.rules):
            if rule.group in cats and rule.for_each != items:
                problems.append(
                    f"rule {rule.id!r} ($.rules[{i}].for_each): the categories classify each"
                    f" item of {items!r}, so their rules need for_each = {items!r}"
                )
    return problems


@hookimpl
def register_kinds(register: RegisterKind) -> None:
    """Register the classification kind."""
    register(
        "classification",
        assess_classification,
        description="which category (or rung) applies, to the partnership or to each item",
        validate=_check,
    )
