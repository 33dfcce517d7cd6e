"""The embedding example (examples/embedding): a grant-management system's nightly job.

The job runs end to end against a real SQLite database, as a program and in process with
one and two worker processes; the rows it writes are checked against an independent
evaluation of the same facts. The host plugin's fact loader is tested on its own: what
the database does not record stays absent from the facts.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from types import ModuleType
from types import SimpleNamespace

import pytest

from partnerrules import SCHEMA_VERSION
from partnerrules import Engine
from partnerrules import FactsError
from partnerrules import PluginError
from partnerrules import Status
from partnerrules import report_as_dict
from partnerrules.config import Config
from partnerrules.vocabulary import check_facts
from partnerrules.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "embedding"
HOST = EXAMPLE / "host.py"
ASSESSED_ON = "2025-07-01"

#: What the seed's four partnerships come to: stage, success-factors band, agreement band.
EXPECTED = {
    1: ("functioning", "strong", "complete"),  # well recorded
    2: ("forming", "undetermined", "undetermined"),  # gaps: too little to place in a band
    3: ("failing", "at-risk", "partial"),  # in trouble
    4: ("undetermined", "undetermined", "undetermined"),  # almost nothing recorded
}
GAPPY, EMPTY = 2, 4

COLUMNS = (
    "partnership_id, assessed_on, stage, stage_confidence, success_band,"
    " agreement_completeness, agreement_band, evidence_to_request, report_json"
)


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """The example's modules, imported as the job imports them (its folder on sys.path).

    The folder stays on sys.path for the test, so worker processes started with spawn
    (which inherit the parent's sys.path) can import host_plugin to rebuild the engine.
    """
    monkeypatch.syspath_prepend(str(EXAMPLE))
    for name in ("host", "host_plugin"):
        sys.modules.pop(name, None)
    modules = SimpleNamespace(
        host=importlib.import_module("host"), plugin=importlib.import_module("host_plugin")
    )
    yield modules
    for name in ("host", "host_plugin"):
        sys.modules.pop(name, None)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def results(db: Path) -> list[sqlite3.Row]:
    with closing(connect(db)) as conn:
        return conn.execute(f"SELECT {COLUMNS} FROM results ORDER BY id").fetchall()


def independent_engine() -> Engine:
    """The job's rulesets and configuration, without the host plugin (so no after_report)."""
    return Engine(
        config=Config(rulesets=("stages", "agreement", "success-factors"), plugins=False)
    )


def check_results(db: Path, plugin: ModuleType, *, assessed_on: str | None = ASSESSED_ON) -> None:
    """The results table holds one row per partnership, as an independent evaluation says."""
    rows = results(db)
    assert [row["partnership_id"] for row in rows] == [1, 2, 3, 4]
    engine = independent_engine()
    for row in rows:
        pid = row["partnership_id"]
        if assessed_on is not None:
            assert row["assessed_on"] == assessed_on
        with closing(sqlite3.connect(db)) as conn:
            facts = plugin.build_facts(conn, pid)
        report = engine.evaluate(facts, origin=f"grants:{pid}")
        stages = report.assessment("stages").outcome
        success = report.assessment("success-factors").outcome
        agreement = report.assessment("agreement")
        assert stages is not None
        assert success is not None
        assert agreement.outcome is not None
        assert (row["stage"], row["success_band"], row["agreement_band"]) == (
            stages.id,
            success.id,
            agreement.outcome.id,
        )
        assert (row["stage"], row["success_band"], row["agreement_band"]) == EXPECTED[pid]
        assert row["stage_confidence"] == stages.confidence
        assert row["agreement_completeness"] == pytest.approx(agreement.score)
        assert row["evidence_to_request"] == len(report.evidence_to_request())

        document = json.loads(row["report_json"])
        assert document["schema_version"] == SCHEMA_VERSION
        assert document["generator"]["name"] == "partnerrules"
        (stored,) = document["reports"]
        assert stored["facts"] == f"grants:{pid}"
        assert stored == json.loads(json.dumps(report_as_dict(report)))


def check_unknowns_stay_unknown(db: Path) -> None:
    """What the database does not record is unknown in the stored reports, never unmet."""
    rows = {
        row["partnership_id"]: json.loads(row["report_json"])["reports"][0] for row in results(db)
    }
    for pid in (GAPPY, EMPTY):
        for assessment in rows[pid]["assessments"]:
            for finding in assessment["findings"]:
                if finding["evidence"] and not any(e["present"] for e in finding["evidence"]):
                    assert finding["status"] in ("unknown", "not_applicable"), finding["rule_id"]

    gappy = {f["rule_id"]: f["status"] for a in rows[GAPPY]["assessments"] for f in a["findings"]}
    # A NULL answer, the answer "unknown", and rows that are not there at all:
    assert gappy["AGR-06.2"] == "unknown"  # dispute_resolution.non_delivery is NULL
    assert gappy["STG-FRUS-01"] == "unknown"  # indicator hidden_agendas = 'unknown'
    assert gappy["SF-08.1"] == "unknown"  # monitoring answer SENIOR_BACKING = 'unknown'
    assert gappy["SF-06.2"] == "unknown"  # ACTIONS_FOLLOWED_UP is NULL, no agenda answer
    assert gappy["AGR-03.1"] == gappy["AGR-10.1"] == "unknown"  # no rows for the elements
    # ... while placeholders the officer wrote down ("tbd", "", "TBD") are not written.
    assert gappy["AGR-01.2"] == gappy["AGR-02.2"] == gappy["AGR-06.1"] == "unmet"
    wanted = {r["path"] for r in rows[GAPPY]["evidence_to_request"]}
    assert {
        "agreement.sections.dispute_resolution.non_delivery",
        "indicators.hidden_agendas",
        "leadership.senior_backing",
        "governance.actions_followed_up",
    } <= wanted

    empty = rows[EMPTY]
    assert empty["worst_status"] == "unknown"  # nothing recorded: nothing failed
    for assessment in empty["assessments"]:
        assert assessment["counts"]["unmet"] == assessment["counts"]["partial"] == 0


# --------------------------------------------------------------------------- the job


def test_job_runs_as_a_program(tmp_path: Path, example: SimpleNamespace) -> None:
    """`python examples/embedding/host.py DB` creates the database, assesses, exits 0."""
    db = tmp_path / "grants.db"
    today = dt.date.today().isoformat()
    done = subprocess.run(
        [sys.executable, str(HOST), str(db)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "created" in done.stdout
    for name in ("Eastgate Youth Employment Compact", "Harbourside Food Network"):
        assert name in done.stdout
    assert "4 partnership(s) assessed" in done.stdout
    check_results(db, example.plugin, assessed_on=None)
    assert {row["assessed_on"] for row in results(db)} <= {today, dt.date.today().isoformat()}
    check_unknowns_stay_unknown(db)


@pytest.mark.parametrize("workers", [1, 2])
def test_job_in_process(
    tmp_path: Path, example: SimpleNamespace, workers: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """The job's main(), in this process (1) or with a pool of spawned workers (2)."""
    db = tmp_path / "grants.db"
    argv = [str(db), "--workers", str(workers), "--assessed-on", ASSESSED_ON]
    assert example.host.main(argv) == 0
    out = capsys.readouterr().out
    assert "functioning (high)" in out
    check_results(db, example.plugin)
    check_unknowns_stay_unknown(db)


def test_every_run_adds_one_row_per_partnership(
    tmp_path: Path, example: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    """The results table is a history: a second run adds rows and changes none."""
    db = tmp_path / "grants.db"
    assert example.host.main([str(db), "--assessed-on", "2025-06-30"]) == 0
    first = [tuple(row) for row in results(db)]
    assert example.host.main([str(db), "--assessed-on", ASSESSED_ON]) == 0
    capsys.readouterr()
    rows = [tuple(row) for row in results(db)]
    assert rows[:4] == first
    assert [(r[0], r[1]) for r in rows[4:]] == [(pid, ASSESSED_ON) for pid in (1, 2, 3, 4)]


def test_a_partnership_that_cannot_be_read_is_named_and_the_others_are_stored(
    tmp_path: Path, example: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "grants.db"
    example.host.create_database(db)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(
            "UPDATE monitoring_answers SET answer = 'maybe'"
            " WHERE partnership_id = 3 AND question_code = 'PURPOSE_AGREED'"
        )
    assert example.host.main([str(db), "--assessed-on", ASSESSED_ON]) == 1
    captured = capsys.readouterr()
    assert "partnership 3 could not be assessed: grants:3: monitoring_answers" in captured.err
    assert "'maybe'" in captured.err
    assert [row["partnership_id"] for row in results(db)] == [1, 2, 4]


# --------------------------------------------------------------------------- the plugin


@pytest.fixture
def seeded(tmp_path: Path, example: SimpleNamespace) -> Path:
    db = tmp_path / "grants.db"
    example.host.create_database(db)
    return db


@pytest.fixture
def memory_db() -> Iterator[sqlite3.Connection]:
    """An empty grants database in memory (the example's schema, no seed)."""
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.executescript((EXAMPLE / "schema.sql").read_text(encoding="utf-8"))
        yield conn


def test_the_loader_leaves_what_was_not_recorded_out(
    memory_db: sqlite3.Connection, example: SimpleNamespace
) -> None:
    """NULL columns, missing rows, NULL and 'unknown' answers: absent, never "no"."""
    memory_db.executescript(
        """
        INSERT INTO partnerships (id, name) VALUES (7, 'Quiet Partnership');
        INSERT INTO partners (id, partnership_id, name) VALUES (70, 7, 'Only A Name');
        INSERT INTO agreement_sections VALUES (7, 'resources', 'cash', NULL);
        INSERT INTO indicators VALUES (7, 'shared_cause', 'unknown'), (7, 'in_a_fog', NULL);
        INSERT INTO monitoring_answers VALUES
            (7, 'PURPOSE_AGREED', NULL, '2025-01-01'),
            (7, 'SENIOR_BACKING', 'Unknown', '2025-01-01');
        """
    )
    facts = example.plugin.build_facts(memory_db, 7)
    assert facts == {
        "partnership": {"name": "Quiet Partnership"},
        "partners": [{"id": "partner-70", "name": "Only A Name"}],
    }
    # No agreement table at all: not `form = "none"`, which would make every element unmet.
    assert "agreement" not in facts


def test_the_loader_maps_columns_onto_the_vocabulary(
    seeded: Path, example: SimpleNamespace
) -> None:
    """Every seeded partnership's facts are known facts of the right types."""
    vocabulary = load_vocabulary()
    with closing(sqlite3.connect(seeded)) as conn:
        documents = {pid: example.plugin.build_facts(conn, pid) for pid in EXPECTED}
    for pid, facts in documents.items():
        assert check_facts(facts, vocabulary) == [], pid

    eastgate = documents[1]
    assert eastgate["partnership"]["formed_on"] == dt.date(2022, 9, 1)
    assert eastgate["agreement"]["form"] == "partnership_agreement"
    assert eastgate["agreement"]["signed_on"] == dt.date(2022, 11, 14)
    assert eastgate["agreement"]["sections"]["ending"]["early_withdrawal"] == (
        "Six months' notice to the board."
    )
    assert eastgate["indicators"]["trust_and_respect"] == "yes"
    assert eastgate["governance"]["minutes_recorded"] == "yes"  # question MINUTES_KEPT
    assert eastgate["governance"]["internal_agenda_share"] == 0.15
    assert eastgate["evaluation"]["progress_reviews_per_year"] == 4
    assert eastgate["partners"][0]["bcr_confirmed_with_partner"] == "yes"
    assert eastgate["evidence"]["agreement"].startswith("Signed partnership agreement")
    assert eastgate["evidence"]["governance.minutes_recorded"] == (
        "Monitoring visit, 2025-05-12 (question MINUTES_KEPT)"
    )

    northbank = documents[GAPPY]
    assert northbank["agreement"]["sections"]["aims_objectives"]["objectives"] == "tbd"
    assert northbank["agreement"]["sections"]["strategy_activities"]["timetable"] == ""
    assert "non_delivery" not in northbank["agreement"]["sections"]["dispute_resolution"]
    assert "hidden_agendas" not in northbank["indicators"]
    assert "leadership" not in northbank
    assert northbank["partners"][2] == {
        "id": "partner-6",
        "name": "Northbank Care and Repair",
        "org_type": "voluntary",
    }
    assert documents[EMPTY] == {
        "partnership": {"name": "Harbourside Food Network", "sector": "voluntary"},
        "partners": [{"id": "partner-10", "name": "Harbourside Community Pantry"}],
    }


def test_the_engine_loads_grants_addresses_through_the_plugin(
    seeded: Path, example: SimpleNamespace
) -> None:
    engine = example.host.build_engine(seeded, ASSESSED_ON)
    with closing(sqlite3.connect(seeded)) as conn:
        assert engine.load_facts("grants:2") == example.plugin.build_facts(conn, 2)
    with pytest.raises(FactsError, match=r"grants:99: no partnership with id 99"):
        engine.load_facts("grants:99")
    with pytest.raises(FactsError, match=r"expected an address such as grants:17"):
        engine.load_facts("grants:two")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "INSERT INTO monitoring_answers VALUES (1, 'FAVOURITE_COLOUR', 'blue', NULL)",
            "monitoring question 'FAVOURITE_COLOUR' has no fact mapped to it",
        ),
        (
            "UPDATE partners SET attendance_rate = 1.5 WHERE id = 1",
            r"partners.attendance_rate \(partner 1\): expected a share from 0 to 1",
        ),
        (
            "UPDATE partnerships SET formed_on = '1 May 2020' WHERE id = 1",
            "partnerships.formed_on: Invalid isoformat",
        ),
        (
            "UPDATE indicators SET value = 'maybe' WHERE partnership_id = 1",
            "indicators.[a-z_]+: expected yes, partly, no or unknown, got 'maybe'",
        ),
    ],
)
def test_the_loader_refuses_values_that_do_not_fit_their_fact(
    seeded: Path, example: SimpleNamespace, statement: str, message: str
) -> None:
    with closing(sqlite3.connect(seeded)) as conn, conn:
        conn.execute(statement)
    engine = example.host.build_engine(seeded, ASSESSED_ON)
    with pytest.raises(FactsError, match=message) as info:
        engine.load_facts("grants:1")
    assert info.value.origin == "grants:1"


def test_after_report_stores_grants_reports_only(seeded: Path, example: SimpleNamespace) -> None:
    """A report of another source (a file, a dict) is not one of the system's partnerships."""
    engine = example.host.build_engine(seeded, ASSESSED_ON)
    engine.evaluate({"partnership": {"name": "From a file"}}, origin="elsewhere.toml")
    engine.evaluate({"partnership": {"name": "From a dict"}})
    assert results(seeded) == []
    report = engine.evaluate(engine.load_facts("grants:1"), origin="grants:1")
    (row,) = results(seeded)
    assert row["partnership_id"] == 1
    assert row["assessed_on"] == ASSESSED_ON  # the job's setting, not the clock
    assert report.assessment("stages").outcome.id == row["stage"]


def test_a_result_that_cannot_be_stored_fails_the_evaluation(
    seeded: Path, example: SimpleNamespace
) -> None:
    engine = example.host.build_engine(seeded, ASSESSED_ON)
    with closing(sqlite3.connect(seeded)) as conn, conn:
        conn.execute("DROP TABLE results")
    with pytest.raises(PluginError, match="after_report raised OperationalError") as info:
        engine.evaluate(engine.load_facts("grants:1"), origin="grants:1")
    assert info.value.plugin == "HostPlugin"


def test_the_engine_with_the_host_plugin_is_picklable(
    seeded: Path, example: SimpleNamespace
) -> None:
    """What a process pool does: pickle the engine, rebuild it, plugin and settings included."""
    engine = example.host.build_engine(seeded, ASSESSED_ON)
    copy = pickle.loads(pickle.dumps(engine))
    assert [r.id for r in copy.rulesets] == ["stages", "agreement", "success-factors"]
    report = copy.evaluate(copy.load_facts("grants:3"), origin="grants:3")
    assert report.assessment("stages").outcome.id == "failing"
    assert report.findings[0].status in Status
    (row,) = results(seeded)
    assert (row["partnership_id"], row["assessed_on"]) == (3, ASSESSED_ON)
