"""The grant-management system's partnerrules plugin: facts from its database, results back.

The host registers an instance of :class:`HostPlugin` directly, in code::

    engine = Engine(plugins=[HostPlugin("grants.db")], config=...)

rather than through an entry point: the plugin is part of the host application, not a
package anyone installs. It implements two hooks:

- ``register_fact_loaders``: a loader for the scheme ``grants``, so that
  ``engine.load_facts("grants:17")`` builds partnership 17's facts document from the
  database rows (see :func:`build_facts`);
- ``after_report``: every finished report of a ``grants:`` partnership is written to the
  ``results`` table, one row per evaluation (see :func:`result_of`).

**Silence stays silence.** A NULL column, a missing row or the answer ``unknown`` leaves
the fact out of the document, so the rules that read it are *unknown* and the report asks
for the evidence. The loader never writes ``"no"`` (or ``agreement.form = "none"``) for
something nobody recorded: that would turn a gap in the records into a failure of the
partnership.

**Picklable.** The engine is picklable so that the job can send it to worker processes;
unpickling rebuilds it with this plugin object, so the object holds only the database
path (no open connection) and its class lives in a module the workers can import (this
file, not the job's ``__main__``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from collections.abc import Callable
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

from partnerrules import RegisterFactLoader
from partnerrules import Report
from partnerrules import hookimpl
from partnerrules import reports_as_document

#: The scheme of the host's source addresses: ``grants:<partnership id>``.
SCHEME = "grants"

#: The rulesets whose outcomes the results table has columns for.
STAGES, AGREEMENT, SUCCESS_FACTORS = "stages", "agreement", "success-factors"

_JUDGEMENTS = ("yes", "partly", "no")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


# --------------------------------------------------------------------------- values


def _text(value: object) -> object:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value  # "" and "tbd" are recorded answers: the rules judge them as not written


def _judgement(value: object) -> object:
    if not isinstance(value, str) or value.strip().lower() not in (*_JUDGEMENTS, "unknown"):
        raise ValueError(f"expected yes, partly, no or unknown, got {value!r}")
    answer = value.strip().lower()
    return None if answer == "unknown" else answer  # "could not tell" is not an answer


def _date(value: object) -> object:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO date (2025-03-31), got {value!r}")
    return dt.date.fromisoformat(value)


def _number(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return value


def _share(value: object) -> object:
    number = _number(value)
    if not 0 <= number <= 1:
        raise ValueError(f"expected a share from 0 to 1, got {value!r}")
    return number


def _integer(value: object) -> object:
    number = _number(value)
    if isinstance(number, float) and not number.is_integer():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(number)


#: How a stored value becomes a fact value; ``None`` means "not recorded".
Convert = Callable[[object], object]

#: The ``partnerships`` columns and the facts they hold.
PARTNERSHIP_COLUMNS: Mapping[str, tuple[str, Convert]] = {
    "name": ("partnership.name", _text),
    "sector": ("partnership.sector", _text),
    "formed_on": ("partnership.formed_on", _date),
    "relationship_kind": ("partnership.relationship_kind", _text),
    "intended_term": ("partnership.intended_term", _text),
    "lead_partner": ("partnership.lead_partner", _text),
    "agreement_form": ("agreement.form", _text),
    "agreement_status": ("agreement.status", _text),
    "agreement_signed_on": ("agreement.signed_on", _date),
}

#: The ``partners`` columns and the key of ``partners[]`` each holds.
PARTNER_COLUMNS: Mapping[str, tuple[str, Convert]] = {
    "name": ("name", _text),
    "org_type": ("org_type", _text),
    "role": ("role", _text),
    "contact": ("contact", _text),
    "rep_can_decide": ("rep_can_decide", _judgement),
    "rep_continuity": ("rep_continuity", _judgement),
    "attendance_rate": ("attendance_rate", _share),
    "delivers_on_time_rate": ("delivers_on_time_rate", _share),
    "benefits_confirmed": ("bcr_confirmed_with_partner", _judgement),
    "benefits_outweigh_costs": ("benefits_outweigh_costs", _judgement),
}

#: The system's monitoring-visit question codes and the fact each one answers.
QUESTIONS: Mapping[str, tuple[str, Convert]] = {
    "PURPOSE_AGREED": ("partnership.purpose_agreed", _judgement),
    "SHARED_TARGETS": ("partnership.shared_targets", _judgement),
    "BENEFICIARY_FOCUS": ("partnership.beneficiary_focus", _judgement),
    "ADDED_VALUE_AGREED": ("partnership.added_value_agreed", _judgement),
    "COORDINATOR": ("partnership.dedicated_coordination", _judgement),
    "COMMUNITY_INVOLVED": ("partnership.community_involvement", _judgement),
    "EQUAL_VOICE": ("governance.equal_voice", _judgement),
    "DECISION_RULE": ("governance.decision_rule", _text),
    "ACCOUNTABILITY_CLEAR": ("governance.accountability_clear", _judgement),
    "AGENDAS_IN_ADVANCE": ("governance.agenda_in_advance", _judgement),
    "MINUTES_KEPT": ("governance.minutes_recorded", _judgement),
    "ACTIONS_FOLLOWED_UP": ("governance.actions_followed_up", _judgement),
    "HOUSEKEEPING_SHARE": ("governance.internal_agenda_share", _share),
    "CHAIR_NEUTRAL": ("governance.chair_independent", _judgement),
    "CHAIR_CREDIBLE": ("governance.chair_credible", _judgement),
    "ROLES_WRITTEN": ("operations.roles_handbook", _judgement),
    "JOINT_LEARNING": ("operations.joint_learning", _judgement),
    "QUICK_WINS": ("operations.quick_wins_planned", _judgement),
    "MUTUAL_UNDERSTANDING": ("relationships.mutual_understanding", _judgement),
    "OPEN_ABOUT_PROBLEMS": ("relationships.progress_and_problems_shared", _judgement),
    "DIFFERENCES_RAISED": ("relationships.differences_raised_early", _judgement),
    "COMMON_LANGUAGE": ("relationships.common_language", _judgement),
    "KEY_INTERESTS": ("relationships.key_interests_on_board", _judgement),
    "DIVERSE_MEMBERSHIP": ("relationships.diverse_membership", _judgement),
    "SENIOR_BACKING": ("leadership.senior_backing", _judgement),
    "COMMITMENT_THROUGHOUT": ("leadership.commitment_throughout", _judgement),
    "ONE_PERSON_DEPENDENCY": ("leadership.single_person_dependency", _judgement),
    "RESOURCES_ADEQUATE": ("resources.adequate", _judgement),
    "RING_FENCED": ("resources.ring_fenced", _judgement),
    "FUNDING_YEARS": ("resources.funding_horizon_years", _number),
    "CONTINUATION_PLAN": ("resources.continuation_plan", _judgement),
    "SHARED_RESOURCES": ("activities.share_resources", _judgement),
    "REVIEWS_PER_YEAR": ("evaluation.progress_reviews_per_year", _integer),
    "BASELINE_DATA": ("evaluation.baseline_data", _judgement),
    "FINDINGS_ACTED_ON": ("evaluation.findings_acted_on", _judgement),
    "BENEFICIARY_FEEDBACK": ("inclusion.beneficiary_feedback", _judgement),
    "SMALL_PARTNERS_SUPPORTED": ("inclusion.small_partners_supported", _judgement),
}


# --------------------------------------------------------------------------- facts


def partnership_id(address: str) -> int:
    """Return the partnership id of a source address such as ``grants:17``.

    :raises ValueError: when the address is not of that form
    """
    scheme, _, rest = address.partition(":")
    if scheme.lower() != SCHEME or not rest.isdecimal():
        raise ValueError(f"expected an address such as {SCHEME}:17, got {address!r}")
    return int(rest)


def _put(facts: dict[str, object], path: str, value: object) -> None:
    """Set a fact at a dotted path, creating the tables on the way; skip ``None``."""
    if value is None:
        return
    *tables, key = path.split(".")
    here = facts
    for name in tables:
        table = here.setdefault(name, {})
        assert isinstance(table, dict), f"{path}: {name} is not a table"
        here = table
    here[key] = value


def _convert(convert: Convert, value: object, where: str) -> object:
    if value is None:  # NULL: not recorded
        return None
    try:
        return convert(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def build_facts(conn: sqlite3.Connection, partnership: int) -> dict[str, object]:
    """Build one partnership's facts document from the database rows.

    Only what was recorded becomes a fact: NULL columns, missing rows and ``unknown``
    answers are left out (the rules that read them are unknown, never unmet).

    :raises ValueError: when the partnership does not exist or a stored value does not
        fit its fact (the engine reports it as a ``FactsError`` naming the address)
    """
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM partnerships WHERE id = ?", (partnership,)).fetchone()
    if row is None:
        raise ValueError(f"no partnership with id {partnership} in the grants database")
    facts: dict[str, object] = {}
    for column, (path, convert) in PARTNERSHIP_COLUMNS.items():
        _put(facts, path, _convert(convert, row[column], f"partnerships.{column}"))
    notes: dict[str, str] = {}
    if row["agreement_document"]:
        notes["agreement"] = row["agreement_document"]

    partners: list[dict[str, object]] = []
    for partner in conn.execute(
        "SELECT * FROM partners WHERE partnership_id = ? ORDER BY id", (partnership,)
    ):
        item: dict[str, object] = {"id": f"partner-{partner['id']}"}
        for column, (key, convert) in PARTNER_COLUMNS.items():
            where = f"partners.{column} (partner {partner['id']})"
            _put(item, key, _convert(convert, partner[column], where))
        partners.append(item)
    if partners:  # no rows: the partners are not recorded, not "none"
        facts["partners"] = partners

    for element, question, answer in conn.execute(
        "SELECT element, question, answer FROM agreement_sections"
        " WHERE partnership_id = ? ORDER BY element, question",
        (partnership,),
    ):
        if not (_NAME.fullmatch(element) and _NAME.fullmatch(question)):
            raise ValueError(f"agreement_sections: bad element or question {element}.{question}")
        where = f"agreement_sections {element}.{question}"
        _put(facts, f"agreement.sections.{element}.{question}", _convert(_text, answer, where))

    for name, value in conn.execute(
        "SELECT name, value FROM indicators WHERE partnership_id = ? ORDER BY name",
        (partnership,),
    ):
        if not _NAME.fullmatch(name):
            raise ValueError(f"indicators: bad indicator name {name!r}")
        _put(facts, f"indicators.{name}", _convert(_judgement, value, f"indicators.{name}"))

    for code, answer, recorded_on in conn.execute(
        "SELECT question_code, answer, recorded_on FROM monitoring_answers"
        " WHERE partnership_id = ? ORDER BY question_code",
        (partnership,),
    ):
        if code not in QUESTIONS:  # loud: an unmapped question would be silently ignored
            raise ValueError(
                f"monitoring question {code!r} has no fact mapped to it (QUESTIONS in"
                " host_plugin.py)"
            )
        path, convert = QUESTIONS[code]
        value = _convert(convert, answer, f"monitoring_answers {code}")
        _put(facts, path, value)
        if value is not None and recorded_on:
            notes[path] = f"Monitoring visit, {recorded_on} (question {code})"

    if notes:
        facts["evidence"] = notes
    return facts


# --------------------------------------------------------------------------- results


class Result(NamedTuple):
    """What the results table keeps of one report (and what the job prints)."""

    partnership: str
    stage: str | None
    stage_confidence: str | None
    success_band: str | None
    agreement_completeness: float | None
    agreement_band: str | None
    evidence_to_request: int


def result_of(report: Report) -> Result:
    """Return the columns of the results table for a report.

    A ruleset the engine was not built with gives ``None`` in its columns.
    """
    outcomes = {a.ruleset.id: a for a in report.assessments}
    stages = outcomes.get(STAGES)
    agreement = outcomes.get(AGREEMENT)
    success = outcomes.get(SUCCESS_FACTORS)
    stage = stages.outcome if stages is not None else None
    return Result(
        partnership=report.partnership,
        stage=stage.id if stage is not None else None,
        stage_confidence=stage.confidence if stage is not None else None,
        success_band=success.outcome.id if success and success.outcome else None,
        agreement_completeness=agreement.score if agreement is not None else None,
        agreement_band=agreement.outcome.id if agreement and agreement.outcome else None,
        evidence_to_request=len(report.evidence_to_request()),
    )


# --------------------------------------------------------------------------- the plugin


class HostPlugin:
    """The grant-management system's plugin (registered as ``HostPlugin``).

    Settings (``Config(settings={"HostPlugin": {...}})``):

    - ``assessed_on``: the date written to the results table (the job's run date);
      today's date when it is not given.

    :param database: the SQLite database of the grant-management system
    """

    def __init__(self, database: str | os.PathLike[str]) -> None:
        #: Absolute, so that a worker process started elsewhere finds the same file.
        self.database = str(Path(database).resolve())

    def __repr__(self) -> str:
        return f"HostPlugin({self.database!r})"

    def _connect(self, *, read_only: bool = False) -> sqlite3.Connection:
        if read_only:  # the loader cannot change the system's records, even by mistake
            uri = f"{Path(self.database).as_uri()}?mode=ro"
            return sqlite3.connect(uri, uri=True, timeout=30)
        return sqlite3.connect(self.database, timeout=30)

    def read_partnership(self, data: bytes | None, address: str) -> dict[str, object]:
        """The fact loader: ``grants:<id>`` to that partnership's facts document."""
        del data  # always None for a source address
        with closing(self._connect(read_only=True)) as conn:
            return build_facts(conn, partnership_id(address))

    @hookimpl
    def register_fact_loaders(self, register: RegisterFactLoader) -> None:
        """Register the loader of ``grants:<partnership id>`` addresses."""
        register(
            "grants",
            self.read_partnership,
            schemes=[SCHEME],
            description="partnerships in the grant-management database (grants:<id>)",
        )

    @hookimpl
    def after_report(self, report: Report, settings: Mapping[str, object]) -> None:
        """Write a report of a ``grants:`` partnership to the results table.

        Reports of other sources (a facts file evaluated with the same engine) are not
        the system's partnerships and are left alone. An error here stops the
        evaluation with a ``PluginError``: a result that could not be stored is not lost
        silently.
        """
        origin = report.facts_origin
        if origin is None or not origin.lower().startswith(f"{SCHEME}:"):
            return
        result = result_of(report)
        assessed_on = str(settings.get("assessed_on") or dt.date.today().isoformat())
        document = reports_as_document([report], report.engine_version)
        with closing(self._connect()) as conn, conn:  # one transaction, then closed
            conn.execute(
                "INSERT INTO results (partnership_id, assessed_on, stage, stage_confidence,"
                " success_band, agreement_completeness, agreement_band, evidence_to_request,"
                " report_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    partnership_id(origin),
                    assessed_on,
                    result.stage,
                    result.stage_confidence,
                    result.success_band,
                    result.agreement_completeness,
                    result.agreement_band,
                    result.evidence_to_request,
                    json.dumps(document, ensure_ascii=False),
                ),
            )
