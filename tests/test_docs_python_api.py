"""Every ```python block of docs/python-api.md runs, in order, as one session.

The page says its examples run from a checkout's root with ``EXAMPLES = Path("examples")``;
here they run in a temporary working directory (the examples write files there), with
that line pointed at this checkout's examples folder. Installed plugins are not loaded
(``PARTNERRULES_LOAD_PLUGINS`` is set empty), so the examples give the same results
whatever else is installed in the environment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from partnerrules.plugins import LOAD_PLUGINS_ENV

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "python-api.md"
EXAMPLES_LINE = 'EXAMPLES = Path("examples")'

_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def python_blocks() -> list[tuple[int, str]]:
    """Return (line number, code) for every ```python block of the page."""
    text = PAGE.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def test_the_page_has_examples_and_says_where_the_examples_folder_is() -> None:
    blocks = python_blocks()
    assert len(blocks) >= 10
    assert sum(code.count(EXAMPLES_LINE) for _, code in blocks) == 1
    assert EXAMPLES_LINE in blocks[0][1]
    # Every fenced block that looks like Python is marked as Python, so none is skipped.
    text = PAGE.read_text(encoding="utf-8")
    assert not re.search(r"^```(py|python3)?\n(from|import) ", text, re.MULTILINE)


def test_every_python_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(LOAD_PLUGINS_ENV, "")
    examples = ROOT / "examples"
    namespace: dict[str, object] = {"__name__": "__main__"}
    for line, code in python_blocks():
        code = code.replace(EXAMPLES_LINE, f"EXAMPLES = Path({str(examples)!r})")
        compiled = compile(code, f"{PAGE}:{line}", "exec")
        try:
            exec(compiled, namespace)
        except Exception as exc:
            pytest.fail(f"the example at docs/python-api.md line {line} failed: {exc!r}")
    assert namespace["EXAMPLES"] == examples
    out = capsys.readouterr().out
    assert "grants-officers: Northbank Healthy Homes Alliance: unknown" in out
    assert "did you mean 'agreement'?" in out
    assert "plugin 'Broken': after_report raised ConnectionError: the CRM is down" in out
