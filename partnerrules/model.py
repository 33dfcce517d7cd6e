"""The value objects of partnerrules: rulesets, rules, conditions, findings, reports.

Everything here is a frozen attrs class with no I/O and no knowledge of serialisation;
:mod:`partnerrules.serde` turns TOML/JSON documents into these objects and back.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from functools import cached_property
from typing import NamedTuple
from typing import TypeAlias

from attrs import field
from attrs import frozen


class Status(enum.StrEnum):
    """The judgement of one rule on one partnership (or one item of a list)."""

    MET = "met"
    PARTIAL = "partial"
    UNMET = "unmet"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"

    @property
    def rank(self) -> int:
        """Return how much attention the status calls for (higher is more)."""
        return _STATUS_RANK[self]


_STATUS_RANK = {
    Status.NOT_APPLICABLE: 0,
    Status.MET: 1,
    Status.UNKNOWN: 2,
    Status.PARTIAL: 3,
    Status.UNMET: 4,
}


class Severity(enum.StrEnum):
    """How much a rule matters when it is not met."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Return the order of importance (higher is more important)."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}


# --------------------------------------------------------------------------- conditions


@frozen
class FactTest:
    """Apply an operator to the value at a fact path: ``{fact = "a.b", op = "filled"}``."""

    fact: str
    op: str
    value: object = None


@frozen
class AllOf:
    """True when every condition is true (Kleene conjunction)."""

    conditions: tuple[Condition, ...]


@frozen
class AnyOf:
    """True when at least one condition is true (Kleene disjunction)."""

    conditions: tuple[Condition, ...]


@frozen
class Not:
    """Negation; ``not unknown`` is unknown."""

    condition: Condition


class Quantifier(enum.StrEnum):
    """The list quantifiers a condition may use."""

    COUNT = "count"
    RATIO = "ratio"
    ANY_ITEM = "any_item"
    ALL_ITEMS = "all_items"


@frozen
class Quantified:
    """A condition over the items of a list fact, e.g. ``{count = "partners", ...}``.

    ``where`` is evaluated for every item (paths starting ``item.`` read the item);
    ``count`` and ``ratio`` then compare the number or share of matching items with
    ``value`` using ``op``.
    """

    quantifier: Quantifier
    over: str
    where: Condition | None = None
    op: str | None = None
    value: float | None = None


@frozen
class UseCondition:
    """Refer to a named condition declared in the ruleset's ``[conditions]`` table."""

    name: str


@frozen
class CheckCall:
    """Call a Python check a plugin registered: ``{check = "acme.register", params = {...}}``."""

    name: str
    params: Mapping[str, object] = field(factory=dict)


Condition: TypeAlias = FactTest | AllOf | AnyOf | Not | Quantified | UseCondition | CheckCall


# --------------------------------------------------------------------------- rulesets


def _sentence(text: str) -> str:
    """End text with a full stop unless it already ends with punctuation."""
    return text if text.endswith((".", "?", "!")) else f"{text}."


@frozen
class Source:
    """A document a ruleset draws on, cited by author, year and title."""

    id: str
    author: str
    year: str
    title: str
    publisher: str | None = None
    note: str | None = None

    @property
    def citation(self) -> str:
        """Return the citation as one line of text."""
        text = f"{self.author} ({self.year}). {_sentence(self.title)}"
        if self.publisher:
            text += f" {_sentence(self.publisher)}"
        return text


@frozen
class Group:
    """A factor, element, stage or category that rules belong to.

    ``actions`` are what to do when the group is the outcome (a stage's recommended
    actions) or falls short (a factor); ``actions_from`` borrows another group's actions
    (the Failing stage sends a partnership back to the Forming actions).
    """

    id: str
    title: str
    description: str = ""
    weight: float = 1.0
    actions: tuple[str, ...] = ()
    actions_from: str | None = None


@frozen
class Band:
    """An interpretation band: the outcome when the score reaches ``min`` (0 to 1)."""

    id: str
    title: str
    min: float
    description: str = ""


class FactType(enum.StrEnum):
    """The type of a fact in the vocabulary."""

    TEXT = "text"
    JUDGEMENT = "judgement"  #: yes / partly / no / unknown
    BOOLEAN = "boolean"
    INTEGER = "integer"
    NUMBER = "number"
    SHARE = "share"  #: a number from 0 to 1
    DATE = "date"
    CHOICE = "choice"  #: one of ``values``
    CHOICES = "choices"  #: a list of ``values``
    TEXTS = "texts"  #: a list of text
    TABLE = "table"  #: a table of further facts
    LIST = "list"  #: a list of tables (``path[].key`` names their facts)


@frozen
class FactSpec:
    """One fact of the vocabulary (or a ruleset's own extension fact)."""

    path: str
    type: FactType
    meaning: str
    values: tuple[str, ...] = ()
    example: str | None = None
    #: For a ruleset's own table: any fact under it is the ruleset's too (a namespace).
    open: bool = False


@frozen
class Rule:
    """One check: a condition for ``met``, optionally for ``partial`` and ``applies``."""

    id: str
    title: str
    group: str
    source: str
    advice: str
    when: Condition
    weight: float = 1.0
    severity: Severity = Severity.MAJOR
    partial: Condition | None = None
    applies: Condition | None = None
    for_each: str | None = None
    label: str | None = None
    description: str = ""
    source_detail: str | None = None
    gate: str | None = None
    #: The full citation of the rule's source (with ``source_detail``), filled in when
    #: the ruleset is read; not a key of the TOML.
    citation: str = ""


@frozen
class TestCase:
    """Facts plus the statuses a ruleset must give for them."""

    __test__ = False  # not a pytest class, whatever its name says

    name: str
    facts: Mapping[str, object]
    expect: Mapping[str, Status] = field(factory=dict)
    expect_groups: Mapping[str, str] = field(factory=dict)
    expect_outcome: tuple[str, ...] = ()
    expect_warnings: tuple[str, ...] = ()
    expect_items: Mapping[str, str] = field(factory=dict)
    description: str = ""


@frozen
class RulesetInfo:
    """The header of a ruleset: what it is, which kind, where it comes from."""

    id: str
    version: str
    kind: str
    title: str
    description: str = ""
    sources: tuple[Source, ...] = ()
    requires: tuple[str, ...] = ()


@frozen
class Ruleset:
    """A parsed, validated ruleset."""

    ruleset: RulesetInfo
    rules: tuple[Rule, ...]
    groups: tuple[Group, ...] = ()
    bands: tuple[Band, ...] = ()
    assessment: Mapping[str, object] = field(factory=dict)
    facts: tuple[FactSpec, ...] = ()
    conditions: Mapping[str, Condition] = field(factory=dict)
    tests: tuple[TestCase, ...] = ()
    origin: str = "<memory>"

    @property
    def id(self) -> str:
        """Return the ruleset id."""
        return self.ruleset.id

    def source(self, source_id: str) -> Source:
        """Return the source a rule cites."""
        for source in self.ruleset.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    @cached_property
    def _group_index(self) -> tuple[tuple[str, ...], dict[str, Group]]:
        """Return the group ids (see :meth:`group_ids`) and the first group of each id.

        Computed once: kinds look groups up for every partnership they assess.
        """
        declared: dict[str, Group] = {}
        for group in self.groups:
            declared.setdefault(group.id, group)
        ids = [g.id for g in self.groups]
        for rule in self.rules:
            if rule.group not in ids:
                ids.append(rule.group)
        return tuple(ids), declared

    def group(self, group_id: str) -> Group:
        """Return the declared group, or a group titled after its id."""
        group = self._group_index[1].get(group_id)
        if group is not None:
            return group
        return Group(id=group_id, title=group_id.replace("-", " ").replace("_", " ").capitalize())

    def group_ids(self) -> tuple[str, ...]:
        """Return every group id in declaration order, then in order of first use."""
        return self._group_index[0]

    @cached_property
    def group_position(self) -> dict[str, int]:
        """Return each group id's position in :meth:`group_ids`: computed once."""
        return {gid: i for i, gid in enumerate(self.group_ids())}

    @cached_property
    def layout(self) -> tuple[tuple[str, str, float, tuple[str, ...]], ...]:
        """Return (id, title, weight, rule ids) for every group, in order: computed once."""
        return tuple(
            (gid, group.title, group.weight, self.rules_in(gid))
            for gid in self.group_ids()
            for group in (self.group(gid),)
        )

    @cached_property
    def band_order(self) -> tuple[tuple[Band, ...], dict[str, int]]:
        """Return the bands, highest first, and each band id's rank (0 is the highest).

        Computed once: kinds place a score in the bands for every partnership.
        """
        bands = tuple(sorted(self.bands, key=lambda b: b.min, reverse=True))
        return bands, {b.id: i for i, b in enumerate(bands)}

    @cached_property
    def _rule_index(self) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
        order = {rule.id: i for i, rule in enumerate(self.rules)}
        by_group: dict[str, list[str]] = {gid: [] for gid in self.group_ids()}
        for rule in self.rules:
            by_group[rule.group].append(rule.id)
        ranked = sorted(self.rules, key=lambda r: (-r.severity.rank, -r.weight, order[r.id]))
        priority = {rule.id: i for i, rule in enumerate(ranked)}
        return {gid: tuple(ids) for gid, ids in by_group.items()}, priority

    def rules_in(self, group_id: str) -> tuple[str, ...]:
        """Return the ids of the rules of a group, in ruleset order."""
        return self._rule_index[0].get(group_id, ())

    @property
    def priority(self) -> Mapping[str, int]:
        """Return each rule's rank by importance: most severe, then heaviest, then first."""
        return self._rule_index[1]

    @cached_property
    def ranked_rule_ids(self) -> tuple[str, ...]:
        """Return the rule ids in the order of :attr:`priority`: computed once."""
        return tuple(self._rule_index[1])


# --------------------------------------------------------------------------- results


class Evidence(NamedTuple):
    """One fact a finding read, with the value seen and any attached evidence note.

    A named tuple rather than an attrs class: a report holds one per fact read, and
    they are built for every partnership evaluated.
    """

    path: str
    value: object
    present: bool
    note: str | None = None


@frozen
class Finding:
    """The judgement of one rule (on one item, with ``for_each``), with its evidence."""

    rule: Rule
    status: Status
    evidence: tuple[Evidence, ...]
    subject: str | None = None
    #: For a ``for_each`` rule: the position of the item in its list.
    item: int | None = None

    @property
    def source(self) -> str:
        """Return the full citation of the rule's source."""
        return self.rule.citation

    @property
    def rule_id(self) -> str:
        """Return the id of the rule."""
        return self.rule.id

    @property
    def title(self) -> str:
        """Return what the rule checks."""
        return self.rule.title

    @property
    def group(self) -> str:
        """Return the group (factor, element, stage) of the rule."""
        return self.rule.group

    @property
    def severity(self) -> Severity:
        """Return how much the rule matters when it is not met."""
        return self.rule.severity

    @property
    def weight(self) -> float:
        """Return the rule's weight."""
        return self.rule.weight

    @property
    def advice(self) -> str:
        """Return what to do when the rule is not met."""
        return self.rule.advice

    @property
    def missing(self) -> tuple[str, ...]:
        """Return the fact paths that were not recorded (what would settle an unknown)."""
        return tuple(e.path for e in self.evidence if not e.present)


class GroupResult(NamedTuple):
    """The roll-up of the findings of one group (factor, element, stage).

    A named tuple, like :class:`Evidence`: one is built per group for every partnership.
    """

    id: str
    title: str
    status: Status
    score: float | None
    rule_ids: tuple[str, ...]
    label: str = ""
    coverage: float | None = None

    @property
    def status_label(self) -> str:
        """Return the kind's word for the status (e.g. "present" for an element)."""
        return self.label or self.status.value.replace("_", " ")


@frozen
class Outcome:
    """What an assessment concludes: a band, a stage or a category.

    ``id`` is ``undetermined`` when the evidence does not allow a conclusion.
    """

    id: str
    title: str
    kind: str
    confidence: str | None = None
    margin: float | None = None
    description: str = ""

    @property
    def determined(self) -> bool:
        """Return whether the evidence allowed a conclusion."""
        return self.id != UNDETERMINED


#: The outcome id when the evidence does not allow a conclusion.
UNDETERMINED = "undetermined"


@frozen
class Notice:
    """A warning an assessment raises, with a stable code (e.g. ``failing_risk``)."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@frozen
class ItemOutcome:
    """The outcome for one item of a list, e.g. one stakeholder's quadrant."""

    subject: str
    id: str
    title: str
    advice: str = ""


@frozen
class Assessment:
    """The result of one ruleset on one partnership, aggregated by its kind."""

    ruleset: RulesetInfo
    findings: tuple[Finding, ...]
    groups: tuple[GroupResult, ...] = ()
    score: float | None = None
    coverage: float = 0.0
    verdict: str = ""
    next_steps: tuple[str, ...] = ()
    outcome: Outcome | None = None
    warnings: tuple[Notice, ...] = ()
    actions: tuple[str, ...] = ()
    items: tuple[ItemOutcome, ...] = ()
    details: Mapping[str, object] = field(factory=dict)

    def finding(self, rule_id: str) -> Finding:
        """Return the (first) finding of a rule."""
        for finding in self.findings:
            if finding.rule_id == rule_id:
                return finding
        raise KeyError(rule_id)

    def counts(self) -> Mapping[Status, int]:
        """Return how many findings have each status."""
        counts = dict.fromkeys(Status, 0)
        for finding in self.findings:
            counts[finding.status] += 1
        return counts


@frozen
class EvidenceRequest:
    """A fact that was not recorded, and the rules it would settle."""

    path: str
    rule_ids: tuple[str, ...]


@frozen
class Report:
    """Every assessment of one partnership."""

    partnership: str
    assessments: tuple[Assessment, ...]
    facts_origin: str | None = None
    engine_version: str = ""

    def assessment(self, ruleset_id: str) -> Assessment:
        """Return the assessment made with one ruleset."""
        for assessment in self.assessments:
            if assessment.ruleset.id == ruleset_id:
                return assessment
        raise KeyError(ruleset_id)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Return every finding of every assessment."""
        return tuple(f for a in self.assessments for f in a.findings)

    def worst_status(self) -> Status | None:
        """Return the status that calls for most attention, if there are findings."""
        statuses = [f.status for f in self.findings]
        return max(statuses, key=lambda s: s.rank) if statuses else None

    def evidence_to_request(self) -> tuple[EvidenceRequest, ...]:
        """Return the unrecorded facts that would settle the unknown findings."""
        wanted: dict[str, list[str]] = {}
        for finding in self.findings:
            if finding.status is not Status.UNKNOWN:
                continue
            for path in finding.missing:
                rule_ids = wanted.setdefault(path, [])
                if finding.rule_id not in rule_ids:
                    rule_ids.append(finding.rule_id)
        return tuple(EvidenceRequest(path, tuple(ids)) for path, ids in wanted.items())
