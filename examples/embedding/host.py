"""The nightly assessment job of a grant-management system that embeds partnerrules.

    python examples/embedding/host.py DB_PATH [--workers N] [--assessed-on YYYY-MM-DD]

Creates the database from ``schema.sql`` and ``seed.sql`` when ``DB_PATH`` does not
exist, builds one engine, evaluates every partnership in the database (``grants:<id>``,
read by the host's plugin in ``host_plugin.py``), lets the plugin write each result to
the ``results`` table, and prints a short summary. Exit status: 0 when every partnership
was assessed, 1 when some could not be (each is named on standard error).

With ``--workers N`` (N > 1) the partnerships are evaluated in a pool of N worker
processes. The engine is sent to each worker once, when the worker starts: it is
picklable, and is rebuilt there with the same rulesets, configuration and plugin object.
That is why ``HostPlugin`` holds no open connection and lives in its own importable
module. The pool uses the ``spawn`` start method, so the job behaves the same on Linux,
macOS and Windows and proves that nothing depends on memory copied from the parent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sqlite3
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

from host_plugin import SCHEME
from host_plugin import HostPlugin
from host_plugin import Result
from host_plugin import result_of

from partnerrules import Engine
from partnerrules import PartnerRulesError
from partnerrules.config import Config

HERE = Path(__file__).resolve().parent

#: The rulesets the grant-management system assesses every night.
RULESETS = ("stages", "agreement", "success-factors")

#: (partnership id, its result, or the error that stopped it)
Outcome = tuple[int, Result | None, str | None]


def create_database(path: Path) -> None:
    """Create the database from schema.sql and seed.sql (all or nothing)."""
    partial = path.with_name(f".{path.name}.creating")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(partial)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")  # readers and one writer at a time
        conn.executescript((HERE / "schema.sql").read_text(encoding="utf-8"))
        conn.executescript((HERE / "seed.sql").read_text(encoding="utf-8"))
    os.replace(partial, path)


def partnership_ids(path: Path) -> list[int]:
    """Return the id of every partnership in the database."""
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM partnerships ORDER BY id")]


def build_engine(database: Path, assessed_on: str) -> Engine:
    """Build the job's one engine.

    Everything is configured here, in code: the rulesets, no installed plugins (what
    happens to be installed on the server, or ``PARTNERRULES_LOAD_PLUGINS``, cannot
    change the results), and the host plugin with its settings.
    """
    config = Config(
        rulesets=RULESETS,
        plugins=False,
        settings={HostPlugin.__name__: {"assessed_on": assessed_on}},
    )
    return Engine(plugins=[HostPlugin(database)], config=config)


def assess(engine: Engine, partnership: int) -> Outcome:
    """Evaluate one partnership; the host plugin stores the result (after_report)."""
    address = f"{SCHEME}:{partnership}"
    try:
        report = engine.evaluate(engine.load_facts(address), origin=address)
    except PartnerRulesError as exc:  # FactsError, PluginError...: name it, go on
        return partnership, None, str(exc)
    return partnership, result_of(report), None


# A worker process's engine, set once by the pool's initializer. It is the worker's own
# copy: partnerrules keeps no global state, and the parent never uses this variable.
_worker_engine: Engine | None = None


def _start_worker(engine: Engine) -> None:
    global _worker_engine  # one engine per worker process, by design
    _worker_engine = engine


def _assess_in_worker(partnership: int) -> Outcome:
    assert _worker_engine is not None, "the pool's initializer did not run"
    return assess(_worker_engine, partnership)


def assess_all(engine: Engine, ids: Sequence[int], workers: int) -> list[Outcome]:
    """Evaluate every partnership, in this process or in a pool of worker processes."""
    if workers <= 1:
        return [assess(engine, pid) for pid in ids]
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(engine,),  # pickled once per worker, rebuilt there
    ) as pool:
        return list(pool.map(_assess_in_worker, ids))


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def summary_table(outcomes: Sequence[Outcome]) -> str:
    """Return the summary the job prints: one line per partnership."""
    lines = [
        f"{'id':>3}  {'partnership':<33} {'stage':<19} {'success':<12}"
        f" {'agreement':<18} {'missing':>8}"
    ]
    for pid, result, error in outcomes:
        if result is None:
            lines.append(f"{pid:>3}  not assessed: {error}")
            continue
        stage = result.stage or "-"
        if result.stage_confidence:
            stage += f" ({result.stage_confidence})"
        agreement = f"{result.agreement_band or '-'} ({_percent(result.agreement_completeness)})"
        lines.append(
            f"{pid:>3}  {result.partnership[:33]:<33} {stage:<19}"
            f" {result.success_band or '-':<12} {agreement:<18}"
            f" {result.evidence_to_request:>8}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job; return the exit status."""
    parser = argparse.ArgumentParser(description="Assess every partnership in the database.")
    parser.add_argument("database", type=Path, help="the SQLite database (created if missing)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (default 1: this process)"
    )
    parser.add_argument(
        "--assessed-on",
        type=dt.date.fromisoformat,
        default=None,
        help="the date to record the results under (default: today)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be 1 or more")

    database: Path = args.database
    if not database.exists():
        create_database(database)
        print(f"created {database} from schema.sql and seed.sql")
    assessed_on = (args.assessed_on or dt.date.today()).isoformat()

    engine = build_engine(database, assessed_on)
    outcomes = assess_all(engine, partnership_ids(database), args.workers)

    print(summary_table(outcomes))
    failed = [(pid, error) for pid, result, error in outcomes if result is None]
    for pid, error in failed:
        print(f"partnership {pid} could not be assessed: {error}", file=sys.stderr)
    done = len(outcomes) - len(failed)
    print("(missing: unrecorded facts to request, which would settle unknown findings)")
    print(f"{done} partnership(s) assessed on {assessed_on}; results in {database}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
