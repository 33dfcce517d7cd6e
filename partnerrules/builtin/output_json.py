"""The JSON output: a stable, versioned structure for host systems and scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from partnerrules import OutputOptions
from partnerrules import RegisterOutput
from partnerrules import Report
from partnerrules import __version__
from partnerrules import hookimpl
from partnerrules import reports_as_document


def render_json(reports: Sequence[Report], options: OutputOptions) -> str:
    """Render the reports as one JSON document (see docs/output-json.md)."""
    return (
        json.dumps(reports_as_document(reports, __version__), indent=2, ensure_ascii=False) + "\n"
    )


@hookimpl
def register_outputs(register: RegisterOutput) -> None:
    """Register the JSON output."""
    register("json", render_json, description="stable JSON for host systems", extension=".json")
