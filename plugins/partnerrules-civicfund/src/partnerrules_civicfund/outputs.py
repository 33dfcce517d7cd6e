"""The ``civicfund.csv`` output: one row per partnership for Civic Fund's grant system.

Columns (a header row first):

============================  ============================================================
``partnership``               the partnership's name
``facts``                     where its facts came from (the facts file)
``civicfund_band``            the band of the ``civicfund`` ruleset: ``eligible``,
                              ``conditions-outstanding``, ``not-eligible`` or
                              ``undetermined``
``civicfund_score``           its score, 0 to 1 (three decimals)
``civicfund_coverage``        the share of the conditions that could be judged, 0 to 1
``stage``                     the stage diagnosed by the ``stages`` ruleset
``success_factors_band``      the band of the ``success-factors`` ruleset
``agreement_completeness``    the completeness of the partnership agreement, 0 to 1
``evidence_to_request``       how many unrecorded facts would settle unknown findings
============================  ============================================================

A cell is empty when its ruleset was not part of the audit or gave no figure. Cells are
written with the :mod:`csv` module, every one quoted, and a cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so that a
spreadsheet shows it as text instead of running it as a formula: partnership names come
from facts files, which the Fund does not write.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Final

from partnerrules import Assessment
from partnerrules import OutputOptions
from partnerrules import Report

__all__ = ["COLUMNS", "render_csv", "row"]

COLUMNS: Final = (
    "partnership",
    "facts",
    "civicfund_band",
    "civicfund_score",
    "civicfund_coverage",
    "stage",
    "success_factors_band",
    "agreement_completeness",
    "evidence_to_request",
)

#: What a spreadsheet may read as the start of a formula (OWASP's list).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Guard a cell against spreadsheet formula injection."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _assessment(report: Report, ruleset_id: str) -> Assessment | None:
    try:
        return report.assessment(ruleset_id)
    except KeyError:
        return None


def _outcome(assessment: Assessment | None) -> str:
    if assessment is None or assessment.outcome is None:
        return ""
    return assessment.outcome.id


def row(report: Report) -> list[str]:
    """Return the cells of one partnership's row (not yet guarded or quoted)."""
    civicfund = _assessment(report, "civicfund")
    agreement = _assessment(report, "agreement")
    return [
        report.partnership,
        report.facts_origin or "",
        _outcome(civicfund),
        _figure(civicfund.score if civicfund is not None else None),
        _figure(civicfund.coverage if civicfund is not None else None),
        _outcome(_assessment(report, "stages")),
        _outcome(_assessment(report, "success-factors")),
        _figure(agreement.score if agreement is not None else None),
        str(len(report.evidence_to_request())),
    ]


def render_csv(reports: Sequence[Report], options: OutputOptions) -> str:
    """Render the reports as CSV: a header row, then one row per partnership."""
    buffer = io.StringIO()
    # "\n" ends rows: the host writes the text in text mode, which gives the platform's
    # line ending (CRLF on Windows). Every cell is quoted: with minimal quoting, csv
    # would leave a cell holding a lone carriage return unquoted (it quotes only the
    # characters of the row terminator), and a reader would split the row there.
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for report in reports:
        writer.writerow([_cell(value) for value in row(report)])
    return buffer.getvalue()
