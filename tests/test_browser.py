"""The HTML report of every shipped example, opened in a real headless Chromium.

Chromium is driven through ChromeDriver (Debian: ``apt-get install chromium
chromium-driver``) with a few lines of W3C WebDriver over HTTP from the standard library,
so no Python package is needed. ChromeDriver gives what Chromium's command line cannot:
a true 360-pixel-wide viewport (headless windows are at least 500 pixels wide), the
browser's console log, scripts to measure the layout, and print-media emulation.

Screenshots go to ``artifacts/screenshots/`` (git-ignored) for people to look at:
``<example>.png`` (1280 x 2400), ``<example>-360.png`` (a 360-pixel-wide phone) and
``<example>-print.png`` (print styles, A4 width).

Without Chromium or ChromeDriver every test here is skipped, saying which is missing.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from partnerrules import Engine
from partnerrules import OutputOptions
from partnerrules import PartnerRulesError
from partnerrules import Report
from partnerrules.builtin.output_html import render_html

from .conftest import EXAMPLES
from .conftest import ROOT
from .conftest import RULESETS

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.toml"))
INSTALL = "Debian: apt-get install chromium chromium-driver"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
]


def find_chromium() -> str | None:
    """Return the Chromium (or Chrome) executable, if one is installed."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def find_chromedriver() -> str | None:
    """Return the ChromeDriver executable, if one is installed."""
    found = shutil.which("chromedriver")
    if found:
        return found
    return "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None


class WebDriverError(Exception):
    """ChromeDriver answered with an error."""


class Browser:
    """A headless Chromium session driven over W3C WebDriver (the few calls needed)."""

    def __init__(self, port: int, chromium: str, profile: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        answer = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = f"/session/{answer['sessionId']}"

    def call(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as exc:
            raise WebDriverError(f"{method} {path}: {exc.code} {exc.read()[:1000]!r}") from exc

    def cdp(self, command: str, **params: object) -> Any:
        """Send a Chrome DevTools Protocol command."""
        return self.call(
            "POST", f"{self.session}/goog/cdp/execute", {"cmd": command, "params": params}
        )

    def viewport(self, width: int, height: int) -> None:
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def media(self, media: str) -> None:
        self.cdp("Emulation.setEmulatedMedia", media=media)

    def open(self, page: Path) -> None:
        self.call("POST", f"{self.session}/url", {"url": page.as_uri()})

    def run(self, script: str) -> Any:
        """Run a script in the page (WebDriver scripts are not subject to the page's CSP)."""
        return self.call("POST", f"{self.session}/execute/sync", {"script": script, "args": []})

    def source(self) -> str:
        return str(self.call("GET", f"{self.session}/source"))

    def log(self) -> list[dict[str, Any]]:
        """Return (and clear) the browser console log."""
        return list(self.call("POST", f"{self.session}/se/log", {"type": "browser"}))

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("GET", f"{self.session}/screenshot")))

    def close(self) -> None:
        self.call("DELETE", self.session)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(
            f"Chromium is not installed, so no real browser can open the report ({INSTALL})"
        )
    driver = find_chromedriver()
    if driver is None:
        pytest.skip(f"ChromeDriver is not installed, so Chromium cannot be driven ({INSTALL})")
    port = _free_port()
    logs = tmp_path_factory.mktemp("chromedriver")
    with (logs / "chromedriver.log").open("wb") as out:
        process = subprocess.Popen([driver, f"--port={port}"], stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as r:
                    if json.loads(r.read())["value"].get("ready"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(
                    f"ChromeDriver did not start: {(logs / 'chromedriver.log').read_text()}"
                )
            time.sleep(0.1)
        session = Browser(port, chromium, logs / "profile")
        try:
            yield session
        finally:
            session.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def problems(log: list[dict[str, Any]]) -> list[str]:
    """Return the console messages that point to a problem (warnings and errors)."""
    return [f"{e['level']}: {e['message']}" for e in log if e["level"] in ("SEVERE", "WARNING")]


def build_engine() -> Engine:
    """Return an engine on every shipped ruleset, tolerating one being edited right now.

    A colleague's ruleset may be briefly broken: retry, then use the rulesets that load.
    """
    for _ in range(3):
        try:
            return Engine(entry_points=False)
        except PartnerRulesError:
            time.sleep(2)
    usable = []
    for path in sorted(RULESETS.glob("*.toml")):
        try:
            Engine([path], entry_points=False)
        except PartnerRulesError:
            continue
        usable.append(path)
    return Engine(usable, entry_points=False)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine()


class Dom(HTMLParser):
    """The ids and elements of a rendered DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.elements.append((tag, found))
        if found.get("id"):
            self.ids.add(found["id"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def having(self, tag: str, cls: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and cls in a.get("class", "").split()]


def parse(text: str) -> Dom:
    dom = Dom()
    dom.feed(text)
    dom.close()
    return dom


def tag_counts(text: str) -> dict[str, int]:
    """Return how many elements of each tag a page is written with."""
    counts: dict[str, int] = {}

    class Counter(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            counts[tag] = counts.get(tag, 0) + 1

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.handle_starttag(tag, attrs)

    counter = Counter()
    counter.feed(text)
    counter.close()
    return counts


def png_size(path: Path) -> tuple[int, int]:
    """Return the width and height of a PNG file."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module", params=EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def rendered(
    request: pytest.FixtureRequest, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Report, Path]:
    example: Path = request.param
    report = engine.evaluate(engine.load_facts(example), origin=str(example.relative_to(ROOT)))
    page = tmp_path_factory.mktemp(example.stem) / f"{example.stem}.html"
    page.write_text(render_html([report], OutputOptions()), encoding="utf-8")
    return example.stem, report, page


def test_console_errors_are_detected(browser: Browser, tmp_path: Path) -> None:
    """The console check below is not vacuous: a failing script is caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><title>x</title><p>x</p><script>no_such_function()</script>",
        encoding="utf-8",
    )
    browser.log()
    browser.open(page)
    assert any("no_such_function" in p for p in problems(browser.log()))


def test_page_loads_without_console_errors_and_has_everything(
    browser: Browser, rendered: tuple[str, Report, Path]
) -> None:
    _, report, page = rendered
    browser.media("screen")
    browser.viewport(1280, 2400)
    browser.log()
    browser.open(page)
    assert problems(browser.log()) == []
    dom = parse(browser.source())
    # The browser builds exactly the elements the page was written with: no markup was
    # mis-nested (the HTML parser would have moved or added elements).
    counts = browser.run(
        "const n = {}; for (const e of document.getElementsByTagName('*'))"
        " { n[e.localName] = (n[e.localName] || 0) + 1 }; return n"
    )
    assert counts == tag_counts(page.read_text(encoding="utf-8"))
    assert "p1-summary" in dom.ids
    assert dom.having("ul", "tiles")
    # Every chart the page was written with is in the rendered DOM, drawn with a size ...
    written = re.findall(r'<figure class="chart chart-[a-z-]+" id="([^"]+)"', page.read_text())
    charts = {a["id"]: a["class"] for a in dom.having("figure", "chart")}
    assert written
    assert sorted(written) == sorted(charts)
    sizes = browser.run(
        "return Array.from(document.querySelectorAll('figure.chart svg.chart-svg'),"
        " s => [s.id, s.getBoundingClientRect().width, s.getBoundingClientRect().height])"
    )
    for svg_id, width, height in sizes:
        assert width > 200, svg_id
        assert height > 50, svg_id
    # ... and each kind has the chart it should have.
    for a in report.assessments:
        mine = [cls for cid, cls in charts.items() if cid.endswith(f"-{a.ruleset.id}")]
        expected = {
            "stages": "chart-stages",
            "completeness": "chart-completeness",
            "checklist": "chart-factors",
        }.get(a.ruleset.kind)
        if a.ruleset.id == "stakeholders":
            expected = "chart-stakeholders"
        if expected is not None and a.groups:
            assert any(expected in c.split() for c in mine), (a.ruleset.id, mine)
    # Every assessment has its section, and the evidence to request is there.
    sections = {a.get("data-ruleset") for a in dom.having("section", "assessment")}
    assert sections == {a.ruleset.id for a in report.assessments}
    assert "p1-evidence" in dom.ids


def test_screenshots(browser: Browser, rendered: tuple[str, Report, Path]) -> None:
    name, _, page = rendered
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.media("screen")
    for suffix, width, height in (("", 1280, 2400), ("-360", 360, 2400)):
        shot = SCREENSHOTS / f"{name}{suffix}.png"
        shot.unlink(missing_ok=True)
        browser.viewport(width, height)
        browser.open(page)
        assert problems(browser.log()) == []
        browser.screenshot(shot)
        assert png_size(shot) == (width, height)
        assert shot.stat().st_size > 20_000  # not a blank page


def test_no_horizontal_scrolling_at_360px(
    browser: Browser, rendered: tuple[str, Report, Path]
) -> None:
    _, _, page = rendered
    browser.media("screen")
    browser.viewport(360, 800)
    browser.open(page)
    # Open every collapsed section too: nothing inside may be wider than the screen.
    widths = browser.run(
        "document.querySelectorAll('details').forEach(d => d.open = true);"
        " return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    scroll_width, inner_width = widths
    assert inner_width == 360
    assert scroll_width <= inner_width, f"the page scrolls sideways: {scroll_width}px wide"


def test_print_styles_show_collapsed_sections(
    browser: Browser, rendered: tuple[str, Report, Path]
) -> None:
    name, _, page = rendered
    browser.viewport(794, 2400)  # A4 at 96 dpi
    browser.media("print")
    try:
        browser.open(page)
        hidden = browser.run(
            "return Array.from(document.querySelectorAll('details:not([open])'))"
            ".filter(d => !d.closest('.no-print'))"
            ".filter(d => Array.from(d.children).some("
            " c => c.tagName !== 'SUMMARY' && !c.checkVisibility()))"
            ".map(d => d.dataset.group || d.className)"
        )
        assert hidden == []
        closed = browser.run(
            "return document.querySelectorAll('details.group:not([open])').length"
        )
        assert isinstance(closed, int)
        browser.screenshot(SCREENSHOTS / f"{name}-print.png")
    finally:
        browser.media("screen")


def test_hostile_facts_stay_text_in_the_browser(
    browser: Browser, engine: Engine, tmp_path: Path
) -> None:
    """Markup in facts is shown as text: no script runs, no image loads, no alert opens."""
    name = "<script>alert(1)</script>"
    text = '"><img src=x onerror=alert(1)>'
    facts = {
        "partnership": {"name": name},
        "agreement": {
            "form": "partnership_agreement",
            "sections": {"aims_objectives": {"purpose": text, "objectives": text}},
        },
        "stakeholders": [
            {"name": "</svg><script>alert(2)</script>", "power": "high", "interest": "high"},
            {"name": text, "power": "low", "interest": "low"},
        ],
        "evidence": {"agreement.sections": text},
    }
    page = tmp_path / "hostile.html"
    page.write_text(render_html([engine.evaluate(facts)], OutputOptions()), encoding="utf-8")
    browser.media("screen")
    browser.viewport(1280, 2400)
    browser.open(page)  # an alert would leave the session unusable and fail here
    assert problems(browser.log()) == []
    images, scripts, title, grid = browser.run(
        "return [document.images.length, document.scripts.length, document.title,"
        " (document.querySelector('figure.chart-stakeholders') || {}).textContent || '']"
    )
    assert images == 0
    assert scripts == 1  # the page's own optional print helper
    assert title == f"Partnership report: {name}"
    assert "</svg><script>alert(2)</script>" in grid
