"""Reviewed snapshots of every output format on the shipped examples.

An intended change to a report shows up as a diff of the files in tests/__snapshots__/;
review it, then accept it with `python -m pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension
from syrupy.extensions.single_file import WriteMode

from partnerrules import Engine
from partnerrules import OutputOptions

from .conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.toml"))
FORMATS = {"text": "txt", "json": "json", "markdown": "md", "html": "html"}


class TextSnapshot(SingleFileSnapshotExtension):
    """One reviewable text file per snapshot."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


def extension_for(suffix: str) -> type[TextSnapshot]:
    """Return a snapshot extension writing files with the given suffix."""

    class Extension(TextSnapshot):
        file_extension: ClassVar[str] = suffix  # type: ignore[misc]

    return Extension


@pytest.fixture(scope="module")
def engine() -> Engine:
    """Every shipped ruleset, built-in plugins only (installed ones must not change reports)."""
    return Engine(entry_points=False)


@pytest.mark.parametrize("fmt", list(FORMATS), ids=list(FORMATS))
@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_output_snapshot(
    engine: Engine,
    snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
    example: Path,
    fmt: str,
) -> None:
    """Each output of each shipped example is exactly its reviewed snapshot."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: a fixed report date
    origin = f"examples/{example.name}"  # the same in every checkout
    report = engine.evaluate(engine.load_facts(example), origin=origin)
    render = engine.registry.outputs[fmt].render
    text = render([report], OutputOptions(verbose=True, color=False))
    assert text == snapshot(extension_class=extension_for(FORMATS[fmt]))
