"""The HTML output: one self-contained page per audit, to read on screen, share or print.

Everything the page needs is inside it: inline CSS, inline SVG charts and icons, no
fonts, images or scripts from elsewhere (a Content-Security-Policy forbids fetching
anything). A tiny optional script opens every collapsed section before printing; the
page reads the same without it, and print styles show collapsed sections in browsers
that support ``::details-content``.

Every value that comes from facts or rulesets goes through :func:`h` (or
:func:`html.escape`), which escapes text and attribute values; only :class:`Markup`
built here is inserted as is. Status is never shown by colour alone: every status has an
icon and a word.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import os
import re
import textwrap
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Final
from typing import NamedTuple
from typing import TypeAlias

from partnerrules import Assessment
from partnerrules import Evidence
from partnerrules import Finding
from partnerrules import GroupResult
from partnerrules import OutputOptions
from partnerrules import RegisterOutput
from partnerrules import Report
from partnerrules import Status
from partnerrules import __version__
from partnerrules import hookimpl
from partnerrules.summary import Summary
from partnerrules.summary import summarise

# --------------------------------------------------------------------------- markup


class Markup(str):
    """Text that is already HTML: inserted as is, never escaped again."""

    __slots__ = ()


#: What an element may contain: markup, text (escaped), numbers, nothing, or a sequence.
Child: TypeAlias = "Markup | str | int | float | Iterable[Child] | None"
#: An attribute value: ``None`` and ``False`` leave the attribute out, ``True`` sets it.
AttrValue: TypeAlias = str | int | float | bool | None

_VOID: Final = frozenset({"br", "hr", "img", "input", "link", "meta", "wbr"})
_NAME: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9:-]*$")


def esc(text: str) -> str:
    """Return text escaped for HTML text and (double-quoted) attribute values."""
    return html.escape(text, quote=True)


def _num(value: float) -> str:
    """Return a number for an SVG attribute: short, without a trailing ``.0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attr(value: str | int | float) -> str:
    if isinstance(value, float):
        return _num(value)
    return str(value)


def _add(out: list[str], child: Child) -> None:
    if child is None or isinstance(child, bool):
        return
    if isinstance(child, Markup):
        out.append(child)
    elif isinstance(child, str):
        out.append(esc(child))
    elif isinstance(child, float):
        out.append(_num(child))
    elif isinstance(child, int):
        out.append(str(child))
    else:
        for item in child:
            _add(out, item)


def join(*children: Child) -> Markup:
    """Return children (text escaped, markup as is) as one piece of markup."""
    out: list[str] = []
    _add(out, children)
    return Markup("".join(out))


def h(tag: str, attrs: Mapping[str, AttrValue] | None = None, *children: Child) -> Markup:
    """Return an element: the tag, its attributes (escaped) and its children."""
    if not _NAME.match(tag):
        raise ValueError(f"not a tag name: {tag!r}")
    parts = [tag]
    for name, value in (attrs or {}).items():
        if not _NAME.match(name):
            raise ValueError(f"not an attribute name: {name!r}")
        if value is None or value is False:
            continue
        if value is True:
            parts.append(name)
        else:
            parts.append(f'{name}="{esc(_attr(value))}"')
    start = "<" + " ".join(parts) + ">"
    if tag in _VOID:
        return Markup(start)
    return Markup(start + join(*children) + f"</{tag}>")


def slug(text: str) -> str:
    """Return text reduced to the characters safe in an id."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "x"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def pct(value: float | None) -> str:
    """Return a share as a whole percentage, or a dash."""
    return "—" if value is None else f"{value:.0%}"


# --------------------------------------------------------------------------- statuses

_ORDER: Final = (Status.UNMET, Status.PARTIAL, Status.UNKNOWN, Status.MET, Status.NOT_APPLICABLE)
#: Stage indicators: what was observed decides the stage, so it comes first.
_STAGE_ORDER: Final = (
    Status.MET,
    Status.PARTIAL,
    Status.UNKNOWN,
    Status.UNMET,
    Status.NOT_APPLICABLE,
)
_WORD: Final = {
    Status.MET: "Met",
    Status.PARTIAL: "Partly met",
    Status.UNMET: "Not met",
    Status.UNKNOWN: "Unknown",
    Status.NOT_APPLICABLE: "Not applicable",
}
#: Stage indicators are observations: observed or not, not met or failed.
_OBSERVED: Final = {
    Status.MET: "Observed",
    Status.PARTIAL: "Partly observed",
    Status.UNMET: "Not observed",
    Status.UNKNOWN: "Not recorded",
    Status.NOT_APPLICABLE: "Not applicable",
}
#: Colours for charts: (fill, text and stroke). The text colours reach 4.5:1 on the fills.
_COLOURS: Final = {
    Status.MET: ("#dafbe1", "#116329"),
    Status.PARTIAL: ("#fff1c2", "#7a4d00"),
    Status.UNMET: ("#ffebe9", "#a40e26"),
    Status.UNKNOWN: ("#efe7ff", "#5a32a3"),
    Status.NOT_APPLICABLE: ("#eaeef2", "#424a53"),
}

_ICONS: Final = {
    "met": (
        '<circle cx="8" cy="8" r="7.5" fill="currentColor"></circle>'
        '<path d="M4.4 8.3 6.9 10.8 11.6 5.5" fill="none" stroke="#fff" stroke-width="2"'
        ' stroke-linecap="round" stroke-linejoin="round"></path>'
    ),
    "partial": (
        '<circle cx="8" cy="8" r="6.5" fill="#fff" stroke="currentColor"'
        ' stroke-width="2"></circle>'
        '<path d="M8 1.5A6.5 6.5 0 0 1 8 14.5Z" fill="currentColor"></path>'
    ),
    "unmet": (
        '<circle cx="8" cy="8" r="7.5" fill="currentColor"></circle>'
        '<path d="M5.3 5.3 10.7 10.7M10.7 5.3 5.3 10.7" stroke="#fff" stroke-width="2"'
        ' stroke-linecap="round"></path>'
    ),
    "unknown": (
        '<circle cx="8" cy="8" r="6.6" fill="#fff" stroke="currentColor" stroke-width="1.8"'
        ' stroke-dasharray="2.6 1.6"></circle>'
        '<path d="M6.1 6.3a1.95 1.95 0 1 1 2.7 1.8c-.55.25-.8.6-.8 1.2v.4" fill="none"'
        ' stroke="currentColor" stroke-width="1.6" stroke-linecap="round"></path>'
        '<circle cx="8" cy="11.7" r=".95" fill="currentColor"></circle>'
    ),
    "not_applicable": (
        '<circle cx="8" cy="8" r="6.6" fill="#fff" stroke="currentColor"'
        ' stroke-width="1.8"></circle>'
        '<path d="M5 8h6" stroke="currentColor" stroke-width="2"'
        ' stroke-linecap="round"></path>'
    ),
    "warning": (
        '<path d="M8 1.2 15.2 14.3H.8Z" fill="currentColor" stroke="currentColor"'
        ' stroke-width="1" stroke-linejoin="round"></path>'
        '<path d="M8 5.6v4.3" stroke="#fff" stroke-width="1.8" stroke-linecap="round"></path>'
        '<circle cx="8" cy="12.1" r="1" fill="#fff"></circle>'
    ),
}


def _sprite() -> Markup:
    symbols = "".join(
        f'<symbol id="pr-i-{name}" viewBox="0 0 16 16">{body}</symbol>'
        for name, body in _ICONS.items()
    )
    return Markup(
        f'<svg class="sprite" width="0" height="0" aria-hidden="true" focusable="false">'
        f"{symbols}</svg>"
    )


def icon(name: str) -> Markup:
    """Return an icon from the sprite (decorative: the word next to it carries the meaning)."""
    return Markup(
        f'<svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
        f'<use href="#pr-i-{slug(name)}"></use></svg>'
    )


def badge(status: Status, word: str | None = None) -> Markup:
    """Return a status as icon and word, coloured (never by colour alone)."""
    return h(
        "span",
        {"class": f"st st-{status.value}"},
        icon(status.value),
        word if word is not None else _WORD[status],
    )


def _words(kind: str) -> Mapping[Status, str]:
    return _OBSERVED if kind == "stages" else _WORD


# --------------------------------------------------------------------------- values


def show_value(value: object) -> str:
    """Return a recorded fact value as a reader should see it (never truncated much)."""
    if isinstance(value, str):
        text = value if len(value) <= 400 else value[:397] + "..."
        return f"“{text}”"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 400 else text[:397] + "..."


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(width, 8), break_on_hyphens=False) or [""]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


# --------------------------------------------------------------------------- charts

#: Charts are drawn in a viewBox this wide; text sizes are in the same units.
_W: Final = 360
#: A generous estimate of the width of one character of 13-unit text (DejaVu Sans is wide).
_CH: Final = 7.0


class Bar(NamedTuple):
    """One row of a bar chart."""

    label: str
    value: float | None
    value_text: str
    highlight: bool = False
    strong: bool = False


def _svg(chart_id: str, height: float, title: str, desc: str, body: Iterable[Markup]) -> Markup:
    return h(
        "svg",
        {
            "class": "chart-svg",
            "viewBox": f"0 0 {_W} {_num(height)}",
            "width": _W,
            "height": _num(height),
            "role": "img",
            "aria-labelledby": f"{chart_id}-t {chart_id}-d",
        },
        h("title", {"id": f"{chart_id}-t"}, title),
        h("desc", {"id": f"{chart_id}-d"}, desc),
        body,
    )


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar]) -> Markup:
    """Return horizontal bars (0 to 100%) with their labels and values written out."""
    parts: list[Markup] = []
    y = 6.0
    value_width = max((len(b.value_text) for b in bars), default=4) * _CH + 12
    label_chars = int((_W - value_width) / _CH)
    for bar in bars:
        lines = _wrap(bar.label, label_chars)
        top = y
        height = len(lines) * 17 + 22
        if bar.highlight:
            parts.append(
                h(
                    "rect",
                    {
                        "class": "hl",
                        "x": 0.5,
                        "y": top - 3,
                        "width": _W - 1,
                        "height": height + 1,
                        "rx": 4,
                    },
                )
            )
        text_x = 8.0 if bar.highlight else 0.0
        label_class = "lbl strong" if bar.strong or bar.highlight else "lbl"
        for n, line in enumerate(lines):
            parts.append(
                h("text", {"class": label_class, "x": text_x, "y": top + 13 + n * 17}, line)
            )
        parts.append(
            h(
                "text",
                {
                    "class": "val",
                    "x": _W - text_x,
                    "y": top + 13,
                    "text-anchor": "end",
                },
                bar.value_text,
            )
        )
        bar_y = top + len(lines) * 17 + 2
        track_x = text_x
        track_w = _W - 2 * text_x
        if bar.value is None:
            parts.append(
                h(
                    "rect",
                    {
                        "class": "track none",
                        "x": track_x,
                        "y": bar_y,
                        "width": track_w,
                        "height": 12,
                        "rx": 2,
                    },
                )
            )
        else:
            parts.append(
                h(
                    "rect",
                    {
                        "class": "track",
                        "x": track_x,
                        "y": bar_y,
                        "width": track_w,
                        "height": 12,
                        "rx": 2,
                    },
                )
            )
            width = max(0.0, min(1.0, bar.value)) * track_w
            if width > 0:
                fill = "bar strong" if bar.strong or bar.highlight else "bar"
                parts.append(
                    h(
                        "rect",
                        {
                            "class": fill,
                            "x": track_x,
                            "y": bar_y,
                            "width": width,
                            "height": 12,
                            "rx": 2,
                        },
                    )
                )
            for tick in (0.25, 0.5, 0.75):
                x = track_x + tick * track_w
                parts.append(
                    h(
                        "line",
                        {"class": "tick", "x1": x, "x2": x, "y1": bar_y, "y2": bar_y + 12},
                    )
                )
        y = top + height + 6
    # The scale.
    for tick, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        parts.append(
            h(
                "text",
                {"class": "axis", "x": tick * _W, "y": y + 10, "text-anchor": anchor},
                f"{tick:.0%}",
            )
        )
    desc = "; ".join(f"{b.label}: {b.value_text}" for b in bars)
    return _svg(chart_id, y + 16, title, desc, parts)


def strip_chart(chart_id: str, title: str, groups: Sequence[GroupResult]) -> Markup:
    """Return one cell per element, coloured by status and marked with its icon, and a key."""
    parts: list[Markup] = []
    per_row = 12
    rows = [groups[i : i + per_row] for i in range(0, len(groups), per_row)] or [[]]
    cell_w = _W / max(min(len(groups), per_row), 1)
    y = 2.0
    number = 0
    for row in rows:
        for i, g in enumerate(row):
            number += 1
            fill, ink = _COLOURS[g.status]
            x = i * cell_w
            parts.append(
                h(
                    "g",
                    {"class": f"cell cell-{g.status.value}"},
                    h("title", None, f"{number}. {g.title}: {g.status_label}"),
                    h(
                        "rect",
                        {
                            "x": x + 1,
                            "y": y,
                            "width": cell_w - 2,
                            "height": 40,
                            "rx": 3,
                            "fill": fill,
                            "stroke": ink,
                        },
                    ),
                    h(
                        "use",
                        {
                            "href": f"#pr-i-{g.status.value}",
                            "x": x + cell_w / 2 - 8,
                            "y": y + 4,
                            "width": 16,
                            "height": 16,
                            "color": ink,
                        },
                    ),
                    h(
                        "text",
                        {
                            "class": "num",
                            "x": x + cell_w / 2,
                            "y": y + 34,
                            "text-anchor": "middle",
                            "fill": ink,
                        },
                        str(number),
                    ),
                ),
            )
        y += 46
    y += 6
    chars = int((_W - 46) / _CH)
    for n, g in enumerate(groups, 1):
        _, ink = _COLOURS[g.status]
        lines = _wrap(f"{g.status_label} · {g.title}", chars)
        parts.append(
            h("text", {"class": "num key", "x": 22, "y": y + 12, "text-anchor": "end"}, f"{n}.")
        )
        parts.append(
            h(
                "use",
                {
                    "href": f"#pr-i-{g.status.value}",
                    "x": 28,
                    "y": y + 1,
                    "width": 14,
                    "height": 14,
                    "color": ink,
                },
            )
        )
        word, _, rest = lines[0].partition(" · ")
        parts.append(
            h(
                "text",
                {"class": "lbl", "x": 48, "y": y + 12},
                h("tspan", {"class": "strong", "fill": ink}, word),
                f" · {rest}" if rest else "",
            )
        )
        for k, line in enumerate(lines[1:], 1):
            parts.append(h("text", {"class": "lbl", "x": 48, "y": y + 12 + k * 17}, line))
        y += len(lines) * 17 + 3
    desc = "; ".join(f"{g.title}: {g.status_label}" for g in groups)
    return _svg(chart_id, y + 4, title, desc, parts)


#: The power-interest quadrants: category id, position (column, row), axes in words.
_QUADRANTS: Final = (
    ("keep_satisfied", 0, 0, "high power, low interest"),
    ("manage_closely", 1, 0, "high power, high interest"),
    ("monitor", 0, 1, "low power, low interest"),
    ("keep_informed", 1, 1, "low power, high interest"),
)
_QUADRANT_IDS: Final = frozenset(q[0] for q in _QUADRANTS)


def is_power_interest(assessment: Assessment) -> bool:
    """Say whether an assessment places items on the power-interest grid."""
    if any(item.id in _QUADRANT_IDS for item in assessment.items):
        return True
    return {g.id for g in assessment.groups} >= _QUADRANT_IDS


def grid_chart(chart_id: str, title: str, assessment: Assessment) -> Markup:
    """Return the 2x2 power-interest grid with each item in its quadrant."""
    titles = {g.id: g.title for g in assessment.groups}
    by_quadrant: dict[str, list[str]] = {q[0]: [] for q in _QUADRANTS}
    for item in assessment.items:
        if item.id in by_quadrant:
            by_quadrant[item.id].append(item.subject)
    left, top, bottom = 30.0, 4.0, 40.0
    qw = (_W - left) / 2
    qh = 168.0
    parts: list[Markup] = []
    max_lines = int((qh - 46) / 15)
    chars = int((qw - 26) / (_CH * 0.92))
    for qid, col, row, axes in _QUADRANTS:
        x = left + col * qw
        y = top + row * qh
        names = by_quadrant[qid]
        parts.append(
            h(
                "rect",
                {
                    "class": f"quad quad-{qid}",
                    "x": x + 1,
                    "y": y + 1,
                    "width": qw - 2,
                    "height": qh - 2,
                    "rx": 4,
                },
            )
        )
        heading = f"{titles.get(qid, qid.replace('_', ' ').capitalize())} ({len(names)})"
        parts.append(h("text", {"class": "lbl strong", "x": x + 9, "y": y + 20}, heading))
        parts.append(h("text", {"class": "axis", "x": x + 9, "y": y + 36}, axes))
        # Each name takes one or two lines (the second indented); what does not fit is
        # counted in a last line.
        lines: list[tuple[Markup, float]] = []
        for k, name in enumerate(names):
            wrapped = _wrap(name, chars)
            if len(wrapped) > 2:
                wrapped = [wrapped[0], _clip(" ".join(wrapped[1:]), chars)]
            room = max_lines - len(lines) - (1 if k < len(names) - 1 else 0)
            if len(wrapped) > room:
                more = f"+ {len(names) - k} more (see details)"
                lines.append((h("tspan", {"class": "more"}, more), 0))
                break
            lines.append((join(h("title", None, name), "• " + wrapped[0]), 0))
            lines.extend((join(rest), 9) for rest in wrapped[1:])
        for n, (line, indent) in enumerate(lines):
            parts.append(
                h("text", {"class": "name", "x": x + 9 + indent, "y": y + 56 + n * 15}, line)
            )
    grid_bottom = top + 2 * qh
    parts.append(
        h(
            "text",
            {
                "class": "axis-title",
                "x": 12,
                "y": top + qh,
                "text-anchor": "middle",
                "transform": f"rotate(-90 12 {_num(top + qh)})",
            },
            "Power: low → high",
        )
    )
    parts.append(
        h(
            "text",
            {
                "class": "axis-title",
                "x": left + qw,
                "y": grid_bottom + 26,
                "text-anchor": "middle",
            },
            "Interest: low → high",
        )
    )
    desc = "; ".join(
        f"{titles.get(qid, qid)}: {', '.join(by_quadrant[qid]) or 'none'}"
        for qid, *_ in _QUADRANTS
    )
    return _svg(chart_id, grid_bottom + bottom, title, desc, parts)


# --------------------------------------------------------------------------- figures


def _figure(chart_id: str, kind: str, heading: str, body: Child, caption: Child) -> Markup:
    return h(
        "figure",
        {"class": f"chart chart-{kind}", "id": chart_id},
        h("h4", {"class": "chart-title"}, heading),
        body,
        h("figcaption", None, caption),
    )


def chart_for(assessment: Assessment, chart_id: str, section_id: str) -> Markup | None:
    """Return the chart of an assessment, or ``None`` when its kind has none."""
    info = assessment.ruleset
    kind = info.kind
    outcome = assessment.outcome
    more = h("a", {"href": f"#{section_id}"}, "Findings")
    if kind == "stages" and assessment.groups:
        bars = []
        for g in assessment.groups:
            role = f" ({g.label})" if g.label in ("diagnosed", "runner-up") else ""
            recorded = f" · {pct(g.coverage)} rec." if g.coverage is not None else ""
            bars.append(
                Bar(
                    f"{g.title}{role}",
                    g.score,
                    f"{pct(g.score)}{recorded}",
                    highlight=g.label == "diagnosed",
                )
            )
        if outcome is not None and outcome.determined:
            said = f"Diagnosed: {outcome.title}"
            if outcome.confidence:
                said += f", {outcome.confidence} confidence"
            if outcome.margin is not None:
                said += f", margin {outcome.margin * 100:.0f} points"
        else:
            said = "No stage diagnosed" + (f": {outcome.description}" if outcome else "")
        caption = join(
            said,
            ". Score: the share of each stage's indicators observed; rec.: the share recorded. ",
            more,
        )
        return _figure(
            chart_id,
            "stages",
            info.title,
            bar_chart(f"{chart_id}-svg", f"Stage scores: {info.title}", bars),
            caption,
        )
    if kind == "completeness" and assessment.groups:
        known = sum(1 for g in assessment.groups if g.status is not Status.UNKNOWN)
        said = f"{pct(assessment.score)} complete over {known} of {len(assessment.groups)}"
        said += " elements known"
        if outcome is not None:
            said += f"; band: {outcome.title}"
        return _figure(
            chart_id,
            "completeness",
            info.title,
            strip_chart(
                f"{chart_id}-svg", f"Element completeness: {info.title}", assessment.groups
            ),
            join(said, ". ", more),
        )
    if kind == "classification" and assessment.items and not is_power_interest(assessment):
        return _figure(chart_id, "items", info.title, _items_by_category(assessment), more)
    if kind == "classification" and is_power_interest(assessment):
        unplaced = [i for i in assessment.items if i.id not in _QUADRANT_IDS]
        placed: Child
        if not assessment.items:
            placed = "No items recorded. "
        elif unplaced:
            placed = join(
                h("strong", None, "Not placed: "),
                "; ".join(f"{i.subject} ({i.title.lower()})" for i in unplaced),
                ". ",
            )
        else:
            placed = "Every item is placed. "
        return _figure(
            chart_id,
            "stakeholders",
            info.title,
            grid_chart(f"{chart_id}-svg", f"Power-interest grid: {info.title}", assessment),
            join(placed, more),
        )
    if kind == "classification" and assessment.groups:
        reached = outcome.id if outcome is not None and outcome.determined else None
        bars = [
            Bar(
                f"{g.title} (outcome)" if g.id == reached else g.title,
                g.score,
                f"{pct(g.score)} · {g.status_label}" if g.score is not None else g.status_label,
                highlight=g.id == reached,
            )
            for g in assessment.groups
        ]
        if outcome is None:
            said = assessment.verdict
        elif outcome.determined:
            said = f"{_outcome_word(outcome.kind)}: {outcome.title}"
        else:
            said = f"{outcome.title}: {outcome.description or assessment.verdict}"
        return _figure(
            chart_id,
            "categories",
            info.title,
            bar_chart(f"{chart_id}-svg", f"Categories: {info.title}", bars),
            join(said, ". ", more),
        )
    if assessment.groups and any(g.score is not None for g in assessment.groups):
        bars = [
            Bar(
                g.title,
                g.score,
                f"{pct(g.score)} · {g.status_label}" if g.score is not None else "not judged",
            )
            for g in assessment.groups
        ]
        if kind == "checklist" or assessment.score is not None:
            bars.insert(
                0,
                Bar(
                    "Overall",
                    assessment.score,
                    pct(assessment.score) if assessment.score is not None else "not judged",
                    strong=True,
                ),
            )
        said = (
            f"{_outcome_word(outcome.kind)}: {outcome.title}"
            if outcome is not None
            else assessment.verdict
        )
        said += f" (coverage {pct(assessment.coverage)})"
        return _figure(
            chart_id,
            "factors",
            info.title,
            bar_chart(f"{chart_id}-svg", f"Factor scores: {info.title}", bars),
            join(said, ". ", more),
        )
    if kind == "checklist" and assessment.groups:  # nothing could be judged
        bars = [Bar(g.title, None, "not judged") for g in assessment.groups]
        return _figure(
            chart_id,
            "factors",
            info.title,
            bar_chart(f"{chart_id}-svg", f"Factor scores: {info.title}", bars),
            join(
                f"No factor could be judged; band: {outcome.title if outcome else '—'}. ",
                more,
            ),
        )
    return None


def _outcome_word(kind: str) -> str:
    return {"band": "Band", "category": "Category", "stage": "Stage"}.get(kind, "Outcome")


def _items_by_category(assessment: Assessment) -> Markup:
    by: dict[str, list[str]] = {}
    for item in assessment.items:
        by.setdefault(item.title, []).append(item.subject)
    return h(
        "dl",
        {"class": "items-by-category"},
        [
            join(h("dt", None, title), h("dd", None, ", ".join(subjects)))
            for title, subjects in by.items()
        ],
    )


# --------------------------------------------------------------------------- summary

_TILE_ORDER: Final = ("success-factors", "agreement", "ladder")


def _tile_rank(pair: tuple[int, Assessment]) -> tuple[int, int]:
    index, a = pair
    if a.ruleset.kind == "stages":
        return (0, index)
    if a.ruleset.id in _TILE_ORDER:
        return (1 + _TILE_ORDER.index(a.ruleset.id), index)
    return (9, index)


def _tile(a: Assessment, section_id: str) -> Markup:
    info = a.ruleset
    o = a.outcome
    kind = info.kind
    lines: list[Child] = []
    if kind == "stages":
        value = o.title if o else "—"
        if o is not None and o.determined:
            if o.confidence:
                lines.append(f"Confidence: {o.confidence}")
            if o.margin is not None:
                runner = next((g.title for g in a.groups if g.label == "runner-up"), None)
                over = f" over {runner}" if runner else ""
                lines.append(f"Margin: {o.margin * 100:.0f} points{over}")
            under = a.details.get("underlying_stage")
            if isinstance(under, str):
                title = next((g.title for g in a.groups if g.id == under), under)
                lines.append(f"Underlying stage: {title}")
    elif kind == "completeness":
        value = f"{pct(a.score)} complete" if a.score is not None else "Not enough evidence"
        if o is not None:
            conf = f" ({o.confidence} confidence)" if o.confidence and o.determined else ""
            lines.append(f"Band: {o.title}{conf}")
        lines.append(f"Coverage: {pct(a.coverage)}")
    elif kind == "classification" and a.items:
        placed = sum(1 for i in a.items if i.id != "undetermined")
        value = f"{placed} of {len(a.items)} placed"
        lines.append(a.verdict)
    elif o is not None:
        value = o.title
        if kind == "checklist" or a.score is not None:
            lines.append(f"Score: {pct(a.score)} · coverage {pct(a.coverage)}")
        if o.confidence and o.determined:
            lines.append(f"Confidence: {o.confidence}")
    else:
        value = a.verdict[:1].upper() + a.verdict[1:] if a.verdict else "—"
    return h(
        "li",
        {"class": f"tile tile-{slug(kind)}", "data-ruleset": info.id},
        h("p", {"class": "tile-label"}, info.title),
        h("p", {"class": "tile-value"}, value),
        [h("p", {"class": "tile-sub"}, line) for line in lines],
        h("p", {"class": "tile-verdict"}, a.verdict)
        if a.verdict and a.verdict != value and a.verdict not in lines
        else None,
        h("a", {"class": "tile-link", "href": f"#{section_id}"}, "Details"),
    )


def _summary(
    report: Report, summary: Summary, pid: str, sections: Mapping[str, str], today: str
) -> Markup:
    counts = dict.fromkeys(Status, 0)
    for f in report.findings:
        counts[f.status] += 1
    tiles = [
        _tile(a, sections[a.ruleset.id])
        for _, a in sorted(enumerate(report.assessments), key=_tile_rank)
    ]
    n_evidence = len(summary.evidence_to_request)
    tiles.append(
        h(
            "li",
            {"class": "tile tile-evidence"},
            h("p", {"class": "tile-label"}, "Evidence to request"),
            h("p", {"class": "tile-value"}, f"{n_evidence} fact{'s' if n_evidence != 1 else ''}"),
            h(
                "p",
                {"class": "tile-sub"},
                "not recorded; would settle the unknown findings"
                if n_evidence
                else "every fact the rules read was recorded",
            ),
            h("a", {"class": "tile-link", "href": f"#{pid}-evidence"}, "List"),
        )
    )
    meta = h(
        "ul",
        {"class": "meta-list"},
        h("li", None, h("strong", None, "Facts: "), report.facts_origin or "not given"),
        h("li", None, h("strong", None, "Report date: "), h("time", {"datetime": today}, today)),
        h(
            "li",
            None,
            h("strong", None, "Engine: "),
            f"partnerrules {report.engine_version or __version__}",
        ),
    )
    totals = h(
        "p",
        {"class": "totals"},
        _plural(len(report.findings), "finding")
        + f" across {_plural(len(report.assessments), 'assessment')}: ",
        [
            join(badge(s), " ", h("span", {"class": "count"}, counts[s]), " ")
            for s in _ORDER
            if counts[s]
        ],
    )
    actions: Child = None
    if summary.actions:
        items = []
        for action in summary.actions:
            who = (
                h("p", {"class": "subjects"}, "For: ", ", ".join(action.subjects))
                if action.subjects
                else None
            )
            items.append(
                h(
                    "li",
                    None,
                    h("p", {"class": "advice"}, action.advice),
                    who,
                    h(
                        "p",
                        {"class": "action-meta"},
                        badge(action.status),
                        " ",
                        h("span", {"class": f"sev sev-{action.severity.value}"}, action.severity),
                        " ",
                        h("span", {"class": "gate"}, "gate") if action.gate else None,
                        " ",
                        h("span", {"class": "rid"}, f"{action.ruleset_id} {action.rule_id}"),
                        " ",
                        action.title,
                    ),
                )
            )
        actions = h(
            "section",
            {"class": "top-actions", "aria-labelledby": f"{pid}-actions-h"},
            h("h3", {"id": f"{pid}-actions-h"}, "Most important actions"),
            h("ol", {"class": "actions"}, items),
        )
    stage: Child = None
    if summary.stage_actions:
        stage_title = next(
            (
                a.outcome.title
                for a in report.assessments
                if a.ruleset.kind == "stages" and a.outcome is not None
            ),
            "",
        )
        stage = h(
            "section",
            {"class": "stage-actions", "aria-labelledby": f"{pid}-stage-h"},
            h("h3", {"id": f"{pid}-stage-h"}, f"Recommended for this stage ({stage_title})"),
            h("ul", None, [h("li", None, s) for s in summary.stage_actions]),
        )
    warnings = [(a.ruleset.title, n.message) for a in report.assessments for n in a.warnings]
    warn: Child = None
    if warnings:
        warn = h(
            "section",
            {"class": "warnings", "aria-labelledby": f"{pid}-warn-h"},
            h("h3", {"id": f"{pid}-warn-h"}, "Warnings"),
            h(
                "ul",
                None,
                [
                    h("li", None, icon("warning"), h("strong", None, f"{title}: "), message)
                    for title, message in warnings
                ],
            ),
        )
    return h(
        "header",
        {"class": "summary", "id": f"{pid}-summary"},
        h("p", {"class": "kicker"}, "Partnership report"),
        h("h2", {"id": f"{pid}-title"}, report.partnership),
        meta,
        h("ul", {"class": "tiles"}, tiles),
        totals,
        actions,
        stage,
        warn,
    )


# --------------------------------------------------------------------------- assessments


def _evidence(finding: Finding) -> Markup:
    rows: list[Markup] = []
    notes: dict[str, None] = {}
    for e in finding.evidence:
        rows.append(_evidence_row(e))
        if e.note:
            notes[e.note] = None
    return join(
        h("ul", {"class": "evidence"}, rows) if rows else None,
        [h("p", {"class": "note"}, h("strong", None, "Evidence: "), note) for note in notes],
    )


def _evidence_row(e: Evidence) -> Markup:
    if not e.present:
        return h(
            "li",
            {"class": "absent"},
            h("code", None, e.path),
            " ",
            h("span", {"class": "missing"}, "not recorded"),
        )
    return h(
        "li",
        None,
        h("code", None, e.path),
        " = ",
        h("span", {"class": "value"}, show_value(e.value)),
    )


def _finding(finding: Finding, kind: str) -> Markup:
    return h(
        "article",
        {"class": f"finding f-{finding.status.value}", "data-rule": finding.rule_id},
        h(
            "h5",
            {"class": "finding-head"},
            badge(finding.status, _words(kind)[finding.status]),
            " ",
            h("span", {"class": "finding-title"}, finding.title),
            h("span", {"class": "subject"}, f" ({finding.subject})") if finding.subject else None,
            " ",
            h(
                "span",
                {"class": "finding-meta"},
                h("span", {"class": "rid"}, finding.rule_id),
                " ",
                h("span", {"class": f"sev sev-{finding.severity.value}"}, finding.severity),
                " " if finding.rule.gate else None,
                h("span", {"class": "gate"}, f"gate: {finding.rule.gate}")
                if finding.rule.gate
                else None,
            ),
        ),
        _evidence(finding),
        h(
            "p",
            {"class": "advice"},
            h("strong", None, "What it means: " if kind == "stages" else "Advice: "),
            finding.advice,
        )
        if finding.advice
        else None,
        h("p", {"class": "source"}, h("strong", None, "Source: "), finding.source)
        if finding.source
        else None,
    )


def _group_blocks(assessment: Assessment, kind: str) -> list[Markup]:
    by_group: dict[str, list[Finding]] = {}
    for f in assessment.findings:
        by_group.setdefault(f.group, []).append(f)
    titles = {g.id: g for g in assessment.groups}
    order = [g.id for g in assessment.groups] + [gid for gid in by_group if gid not in titles]
    # What needs attention is open; for stages, what was observed or is not yet recorded
    # (an indicator that is not observed is no problem).
    attention = {Status.UNMET, Status.PARTIAL, Status.UNKNOWN}
    if kind == "stages":
        attention = {Status.MET, Status.PARTIAL, Status.UNKNOWN}
    blocks: list[tuple[int, int, Markup]] = []
    for position, gid in enumerate(order):
        findings = by_group.get(gid, [])
        if not findings:
            continue
        order_of = _STAGE_ORDER if kind == "stages" else _ORDER
        findings.sort(key=lambda f: order_of.index(f.status))
        result = titles.get(gid)
        status = result.status if result else max((f.status for f in findings), key=_rank)
        label = result.status_label if result else _WORD[status]
        title = result.title if result else gid
        open_ = any(f.status in attention for f in findings)
        counts: dict[Status, int] = {}
        for f in findings:
            counts[f.status] = counts.get(f.status, 0) + 1
        tally = ", ".join(f"{n} {_words(kind)[s].lower()}" for s, n in counts.items())
        block = h(
            "details",
            {"class": "group", "open": open_, "data-group": gid},
            h(
                "summary",
                None,
                h("span", {"class": "group-title"}, title),
                " ",
                _group_badge(result, kind) if result else badge(status, label),
                " ",
                h("span", {"class": "tally"}, tally),
            ),
            h("div", {"class": "group-body"}, [_finding(f, kind) for f in findings]),
        )
        # Stages keep their order; elsewhere what needs attention comes first.
        blocks.append((0 if open_ or kind == "stages" else 1, position, block))
    blocks.sort(key=lambda b: (b[0], b[1]))
    return [b[2] for b in blocks]


def _group_badge(g: GroupResult, kind: str) -> Markup:
    """Return a group's status; a stage's role (diagnosed, runner-up) comes as a tag."""
    if kind != "stages":
        return badge(g.status, g.status_label)
    role = h("span", {"class": "role"}, g.label) if g.label else None
    return join(badge(g.status, _OBSERVED[g.status]), " " if role else None, role)


def _rank(status: Status) -> int:
    return status.rank


def _assessment(a: Assessment, section_id: str) -> Markup:
    info = a.ruleset
    kind = info.kind
    o = a.outcome
    outcome: Child = None
    if o is not None:
        rows: list[Markup] = [
            join(h("dt", None, "Outcome"), h("dd", None, o.title)),
        ]
        if o.confidence:
            rows.append(join(h("dt", None, "Confidence"), h("dd", None, o.confidence)))
        if o.margin is not None:
            rows.append(
                join(h("dt", None, "Margin"), h("dd", None, f"{o.margin * 100:.0f} points"))
            )
        if a.score is not None:
            rows.append(join(h("dt", None, "Score"), h("dd", None, pct(a.score))))
        rows.append(join(h("dt", None, "Coverage"), h("dd", None, pct(a.coverage))))
        if o.description:
            rows.append(join(h("dt", None, "Meaning"), h("dd", None, o.description)))
        outcome = h("dl", {"class": "outcome"}, rows)
    counts = a.counts()
    warnings = (
        h(
            "ul",
            {"class": "warnings"},
            [
                h("li", None, icon("warning"), h("strong", None, "Warning: "), n.message)
                for n in a.warnings
            ],
        )
        if a.warnings
        else None
    )
    actions = (
        join(
            h("h4", None, "Recommended actions" if kind == "stages" else "Actions"),
            h("ul", {"class": "plain-actions"}, [h("li", None, x) for x in a.actions]),
        )
        if a.actions
        else None
    )
    items = (
        join(
            h("h4", None, "By item"),
            h(
                "ul",
                {"class": "items"},
                [
                    h(
                        "li",
                        None,
                        h("strong", None, item.subject),
                        ": ",
                        h(
                            "span",
                            {"class": f"cat cat-{slug(item.id)}"},
                            item.title,
                        ),
                        h("p", {"class": "item-advice"}, item.advice) if item.advice else None,
                    )
                    for item in a.items
                ],
            ),
        )
        if a.items
        else None
    )
    groups = (
        join(
            h("h4", None, {"completeness": "Elements", "stages": "Stages"}.get(kind, "Groups")),
            h(
                "ul",
                {"class": "groups"},
                [
                    h(
                        "li",
                        None,
                        _group_badge(g, kind),
                        " ",
                        h("span", {"class": "group-title"}, g.title),
                        h(
                            "span",
                            {"class": "group-score"},
                            f" · score {pct(g.score)}"
                            + (f" · {pct(g.coverage)} recorded" if g.coverage is not None else ""),
                        )
                        if g.score is not None and kind != "completeness"
                        else None,
                    )
                    for g in a.groups
                ],
            ),
        )
        if a.groups
        else None
    )
    return h(
        "section",
        {
            "class": "assessment",
            "id": section_id,
            "data-ruleset": info.id,
            "data-kind": kind,
            "aria-labelledby": f"{section_id}-h",
        },
        h("h3", {"id": f"{section_id}-h"}, info.title),
        h(
            "p",
            {"class": "ruleset-meta"},
            h("span", {"class": "rid"}, f"{info.id} {info.version}"),
            f" · kind: {kind}",
        ),
        h("p", {"class": "verdict"}, a.verdict[:1].upper() + a.verdict[1:]),
        outcome,
        warnings,
        h(
            "p",
            {"class": "totals"},
            [
                join(badge(s, _words(kind)[s]), " ", h("span", {"class": "count"}, counts[s]), " ")
                for s in _ORDER
                if counts[s]
            ],
        ),
        actions,
        items,
        groups,
        h("h4", None, "Findings"),
        _group_blocks(a, kind) or h("p", None, "No findings."),
    )


# --------------------------------------------------------------------------- reports


def _evidence_request(report: Report, pid: str) -> Markup:
    requests = report.evidence_to_request()
    titles = {f.rule_id: f.title for f in report.findings}
    heading = h("h3", {"id": f"{pid}-evidence-h"}, f"Evidence to request ({len(requests)})")
    if not requests:
        body: Child = h("p", None, "Every fact the rules read was recorded.")
    else:
        lines = [f"Evidence to request for {report.partnership}:"]
        for r in requests:
            lines.append(f"- {r.path} (settles {', '.join(r.rule_ids)})")
        body = join(
            h(
                "p",
                None,
                "These facts were not recorded. Asking the partners for them would settle the"
                " findings that are unknown; each line says which rules it settles.",
            ),
            h(
                "ol",
                {"class": "requests"},
                [
                    h(
                        "li",
                        None,
                        h("code", None, r.path),
                        h(
                            "ul",
                            {"class": "settles"},
                            [
                                h(
                                    "li",
                                    None,
                                    h("span", {"class": "rid"}, rid),
                                    " ",
                                    titles.get(rid, ""),
                                )
                                for rid in r.rule_ids
                            ],
                        ),
                    )
                    for r in requests
                ],
            ),
            h(
                "details",
                {"class": "plain no-print"},
                h("summary", None, "The same list as plain text, to copy into a message"),
                h("pre", None, "\n".join(lines)),
            ),
        )
    return h(
        "section",
        {
            "class": "evidence-request",
            "id": f"{pid}-evidence",
            "aria-labelledby": f"{pid}-evidence-h",
        },
        heading,
        body,
    )


def _sources(report: Report, pid: str) -> Markup | None:
    sources = list(
        dict.fromkeys(s.citation for a in report.assessments for s in a.ruleset.sources)
    )
    if not sources:
        return None
    return h(
        "section",
        {"class": "sources", "aria-labelledby": f"{pid}-sources-h"},
        h("h3", {"id": f"{pid}-sources-h"}, "Sources"),
        h("ul", None, [h("li", None, s) for s in sources]),
    )


def render_report(report: Report, index: int, today: str) -> Markup:
    """Return the ``<article>`` of one partnership."""
    pid = f"p{index}"
    summary = summarise(report)
    sections: dict[str, str] = {}
    for n, a in enumerate(report.assessments, 1):
        sections.setdefault(a.ruleset.id, f"{pid}-a{n}-{slug(a.ruleset.id)}")
    charts = [
        c
        for n, a in enumerate(report.assessments, 1)
        for c in (chart_for(a, f"{pid}-chart{n}-{slug(a.ruleset.id)}", sections[a.ruleset.id]),)
        if c is not None
    ]
    chart_section = (
        h(
            "section",
            {"class": "charts", "aria-labelledby": f"{pid}-charts-h"},
            h("h3", {"id": f"{pid}-charts-h"}, "At a glance"),
            h("div", {"class": "chart-grid"}, charts),
        )
        if charts
        else None
    )
    return h(
        "article",
        {"class": "partnership", "id": pid, "aria-labelledby": f"{pid}-title"},
        _summary(report, summary, pid, sections, today),
        chart_section,
        h(
            "div",
            {"class": "assessments"},
            [_assessment(a, sections[a.ruleset.id]) for a in report.assessments],
        ),
        _evidence_request(report, pid),
        _sources(report, pid),
    )


#: Opens collapsed sections for printing and closes them again afterwards. Optional: the
#: page reads the same without it, and print styles do the same where supported.
_PRINT_SCRIPT: Final = (
    'addEventListener("beforeprint",function(){'
    'document.querySelectorAll("details:not([open])").forEach(function(d){'
    'd.setAttribute("data-print-opened","");d.open=true})});'
    'addEventListener("afterprint",function(){'
    'document.querySelectorAll("details[data-print-opened]").forEach(function(d){'
    'd.removeAttribute("data-print-opened");d.open=false})});'
)

_CSS: Final = """
:root{--fg:#1f2328;--muted:#57606a;--bg:#fff;--soft:#f6f8fa;--line:#d0d7de;
--accent:#0550ae;--accent-soft:#ddf4ff;
--met:#116329;--met-bg:#dafbe1;--met-line:#1a7f37;
--partial:#7a4d00;--partial-bg:#fff1c2;--partial-line:#9a6700;
--unmet:#a40e26;--unmet-bg:#ffebe9;--unmet-line:#cf222e;
--unknown:#5a32a3;--unknown-bg:#efe7ff;--unknown-line:#8250df;
--na:#424a53;--na-bg:#eaeef2;--na-line:#6e7781}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;color:var(--fg);background:var(--bg);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
"Noto Sans","Liberation Sans","DejaVu Sans",sans-serif;overflow-wrap:anywhere}
.page{max-width:74rem;margin:0 auto;padding:1rem}
a{color:var(--accent)}
a:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
h1{font-size:1.5rem;margin:.25rem 0}
h2{font-size:1.6rem;line-height:1.25;margin:0 0 .5rem}
h3{font-size:1.25rem;margin:1.75rem 0 .5rem}
h4{font-size:1rem;margin:1.25rem 0 .4rem}
h5{font-size:1rem;margin:0}
code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",
"Liberation Mono",monospace;font-size:.875em}
pre{white-space:pre-wrap;background:var(--soft);padding:.75rem;border-radius:6px}
.doc-header{border-bottom:1px solid var(--line);padding-bottom:.75rem}
.doc-meta{color:var(--muted);margin:0}
.toc ol{margin:.5rem 0;padding-left:1.5rem}
.sprite{position:absolute;width:0;height:0;overflow:hidden}
.icon{width:1em;height:1em;flex:none;vertical-align:-.15em}
.partnership{margin:1.5rem 0 3rem}
.partnership+.partnership{border-top:3px double var(--line);padding-top:1.5rem}
.summary{background:var(--soft);border:1px solid var(--line);border-top:6px solid var(--accent);
border-radius:8px;padding:1rem 1.25rem}
.kicker{margin:0;color:var(--muted);font-size:.8rem;text-transform:uppercase;
letter-spacing:.06em;font-weight:600}
.meta-list{display:flex;flex-wrap:wrap;gap:.15rem 1.5rem;margin:0;padding:0;list-style:none;
color:var(--muted);font-size:.9rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,15.5rem),1fr));
gap:.75rem;margin:1rem 0;padding:0;list-style:none}
.tile{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.7rem .85rem;
display:flex;flex-direction:column;gap:.1rem}
.tile p{margin:0}
.tile-label{font-size:.8rem;color:var(--muted);font-weight:600}
.tile-value{font-size:1.3rem;font-weight:700;line-height:1.25}
.tile-sub{font-size:.875rem}
.tile-verdict{font-size:.8rem;color:var(--muted);margin-top:.25rem!important}
.tile-link{font-size:.85rem;margin-top:auto;padding-top:.35rem}
.tile-stages{border-left:5px solid var(--accent)}
.tile-evidence{border-left:5px solid var(--unknown-line)}
.totals{display:flex;flex-wrap:wrap;align-items:center;gap:.35rem;margin:.5rem 0}
.totals .count{font-weight:700;margin-right:.6rem}
.st{display:inline-flex;align-items:center;gap:.3em;padding:.05em .55em;border-radius:999px;
font-size:.85rem;font-weight:600;border:1px solid;line-height:1.5;white-space:nowrap;
vertical-align:.05em}
.st-met{color:var(--met);background:var(--met-bg);border-color:var(--met-line)}
.st-partial{color:var(--partial);background:var(--partial-bg);border-color:var(--partial-line)}
.st-unmet{color:var(--unmet);background:var(--unmet-bg);border-color:var(--unmet-line)}
.st-unknown{color:var(--unknown);background:var(--unknown-bg);border-color:var(--unknown-line)}
.st-not_applicable{color:var(--na);background:var(--na-bg);border-color:var(--na-line)}
.rid{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.8rem;
color:var(--muted)}
.sev{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;font-weight:700;
color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 .35em}
.sev-critical{color:var(--unmet);border-color:var(--unmet-line)}
.sev-major{color:var(--fg)}
.gate{font-size:.75rem;font-weight:700;color:#fff;background:var(--unmet);border-radius:4px;
padding:0 .4em}
.top-actions h3,.stage-actions h3,.warnings h3{font-size:1.05rem;margin:1rem 0 .4rem}
ol.actions{margin:0;padding-left:1.6rem}
ol.actions>li{margin:.1rem 0 .7rem}
ol.actions p{margin:0}
.advice{font-weight:500}
.action-meta,.subjects{font-size:.85rem;color:var(--muted);display:flex;flex-wrap:wrap;
align-items:center;gap:.35rem;margin-top:.2rem!important}
.warnings{list-style:none;padding:0;margin:.5rem 0}
.warnings ul{list-style:none;padding:0;margin:0}
.warnings li{margin:.25rem 0;padding-left:1.5rem;text-indent:-1.5rem}
.warnings .icon{color:var(--partial-line);margin-right:.4rem}
.chart-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,24rem),1fr));
gap:1rem;align-items:start}
.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;
background:var(--bg);min-width:0}
.chart-title{margin:0 0 .5rem;font-size:1rem}
.chart-svg{display:block;width:100%;max-width:28rem;height:auto;overflow:visible}
.chart figcaption{font-size:.85rem;color:var(--muted);margin-top:.5rem}
.chart-svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,"DejaVu Sans",
sans-serif;font-size:13px;fill:var(--fg)}
.chart-svg .strong{font-weight:700}
.chart-svg .val{font-weight:600}
.chart-svg .axis{font-size:11px;fill:var(--muted)}
.chart-svg .axis-title{font-size:12px;font-weight:600;fill:var(--muted)}
.chart-svg .num{font-size:11px;font-weight:700}
.chart-svg .key{fill:var(--muted)}
.chart-svg .name{font-size:12px}
.chart-svg .more{font-style:italic;fill:var(--muted)}
.chart-svg .track{fill:#eef1f4;stroke:#8c959f;stroke-width:1}
.chart-svg .track.none{fill:#fff;stroke-dasharray:4 3}
.chart-svg .bar{fill:#57606a}
.chart-svg .bar.strong{fill:var(--accent)}
.chart-svg .tick{stroke:#fff;stroke-width:1}
.chart-svg .hl{fill:var(--accent-soft);stroke:var(--accent);stroke-width:1}
.chart-svg .quad{fill:#f6f8fa;stroke:#8c959f;stroke-width:1}
.chart-svg .quad-manage_closely{fill:#ddf4ff}
.chart-svg .quad-keep_satisfied,.chart-svg .quad-keep_informed{fill:#eef6ff}
.items-by-category dt{font-weight:700}
.items-by-category dd{margin:0 0 .5rem}
.assessment{border-top:2px solid var(--line);margin-top:2rem}
.ruleset-meta{margin:0;color:var(--muted);font-size:.875rem}
.verdict{font-size:1.05rem;font-weight:600;margin:.5rem 0}
.outcome{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0;
font-size:.95rem}
.outcome dt{font-weight:700;color:var(--muted)}
.outcome dd{margin:0}
ul.groups,ul.items,ul.plain-actions{padding-left:0;list-style:none;margin:.25rem 0}
ul.groups li,ul.items li{margin:.3rem 0}
ul.plain-actions li{margin:.3rem 0;padding-left:1rem;border-left:3px solid var(--accent)}
.group-score{color:var(--muted);font-size:.9rem}
.item-advice{margin:.1rem 0 0;color:var(--muted);font-size:.9rem}
.cat{font-weight:600}
.role{font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;
color:#fff;background:var(--accent);border-radius:4px;padding:.05em .45em}
details.group{border:1px solid var(--line);border-radius:8px;margin:.6rem 0;background:var(--soft)}
details.group>summary{cursor:pointer;list-style:none;padding:.55rem .8rem;display:flex;
flex-wrap:wrap;align-items:center;gap:.4rem}
details.group>summary::-webkit-details-marker{display:none}
details.group>summary::before{content:"";width:.55em;height:.55em;flex:none;
border-right:2px solid currentColor;border-bottom:2px solid currentColor;
transform:rotate(-45deg);margin-right:.35rem}
details.group[open]>summary::before{transform:rotate(45deg)}
.group-title{font-weight:700}
.tally{color:var(--muted);font-size:.85rem}
.group-body{padding:0 .8rem .4rem}
.finding{background:var(--bg);border:1px solid var(--line);border-left:5px solid var(--na-line);
border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.f-met{border-left-color:var(--met-line)}
.f-partial{border-left-color:var(--partial-line)}
.f-unmet{border-left-color:var(--unmet-line)}
.f-unknown{border-left-color:var(--unknown-line);border-left-style:dashed}
.finding-head{font-weight:600;line-height:1.6}
.finding-title{margin-left:.15rem}
.subject{color:var(--muted)}
.finding p{margin:.25rem 0}
.finding-meta{display:inline-flex;flex-wrap:wrap;align-items:center;gap:.4rem;
font-weight:400;margin-left:.25rem}
ul.evidence{margin:.35rem 0;padding-left:1.1rem;font-size:.9rem}
ul.evidence li{margin:.1rem 0}
.missing{font-style:italic;color:var(--unknown)}
.note{font-size:.9rem;border-left:3px solid var(--line);padding-left:.6rem;color:var(--muted)}
.source{font-size:.85rem;color:var(--muted)}
.evidence-request,.sources{border-top:2px solid var(--line);margin-top:2rem}
ol.requests{padding-left:1.6rem}
ol.requests>li{margin:.4rem 0}
ul.settles{margin:.1rem 0;padding-left:1rem;font-size:.9rem;color:var(--muted)}
details.plain summary{cursor:pointer;color:var(--accent)}
.doc-footer{border-top:1px solid var(--line);color:var(--muted);font-size:.85rem;
padding-top:.75rem;margin-top:2rem}
@media (max-width:30rem){
.page{padding:.6rem}
.summary{padding:.75rem}
h2{font-size:1.35rem}
.chart{padding:.6rem}
.group-body{padding:0 .4rem .3rem}
.finding{padding:.5rem .6rem}
.outcome{grid-template-columns:1fr}
.tile-verdict{display:none}
.outcome dd{margin-bottom:.3rem}
}
@media print{
@page{size:A4;margin:14mm 12mm}
body{font-size:10pt;line-height:1.4}
.page{max-width:none;padding:0}
.toc,.no-print,.tile-link{display:none}
.partnership+.partnership{break-before:page;border-top:0}
.chart,.finding,.tile,.outcome,ol.actions>li,ol.requests>li,details.group>summary{
break-inside:avoid}
h2,h3,h4,h5,.chart-title{break-after:avoid}
.finding{padding:.3rem .5rem;margin:.35rem 0}
.finding p,ul.evidence{margin:.15rem 0}
.source,.note,ul.evidence{font-size:8.5pt}
details.group{background:none}
.group-body{padding:0 .4rem .2rem}
.chart-grid{grid-template-columns:1fr 1fr;gap:.5rem}
.chart{padding:.5rem .6rem}
.chart-svg{max-width:none}
details.group>summary::before{display:none}
a{color:inherit;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
@media print{details::details-content{content-visibility:visible;display:contents}}
"""


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _report_date() -> dt.date:
    """Return today's date, or the one SOURCE_DATE_EPOCH gives (for reproducible reports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def render_document(reports: Sequence[Report], today: dt.date | None = None) -> str:
    """Return the HTML document of an audit: one section per partnership."""
    day = (today or _report_date()).isoformat()
    names = [r.partnership for r in reports]
    if len(names) == 1:
        title = f"Partnership report: {names[0]}"
    else:
        title = f"Partnership reports: {len(names)} partnerships"
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_PRINT_SCRIPT)}; "
        "base-uri 'none'; form-action 'none'"
    )
    toc = (
        h(
            "nav",
            {"class": "toc", "aria-label": "Partnerships"},
            h(
                "ol",
                None,
                [
                    h("li", None, h("a", {"href": f"#p{n}"}, name))
                    for n, name in enumerate(names, 1)
                ],
            ),
        )
        if len(names) > 1
        else None
    )
    body = h(
        "div",
        {"class": "page"},
        h(
            "header",
            {"class": "doc-header"},
            h("h1", None, "Partnership report" if len(names) == 1 else "Partnership reports"),
            h(
                "p",
                {"class": "doc-meta"},
                f"{len(names)} partnership{'s' if len(names) != 1 else ''} · report date ",
                h("time", {"datetime": day}, day),
                f" · partnerrules {__version__}",
            ),
            toc,
        ),
        h("main", None, [render_report(r, n, day) for n, r in enumerate(reports, 1)]),
        h(
            "footer",
            {"class": "doc-footer"},
            h(
                "p",
                None,
                f"Made by partnerrules {__version__} on {day}. Unknown findings are never"
                " counted as failures: they mean a fact was not recorded. Every status is"
                " shown with an icon and a word.",
            ),
        ),
    )
    return (
        "<!DOCTYPE html>\n"
        + h(
            "html",
            {"lang": "en"},
            h(
                "head",
                None,
                h("meta", {"charset": "utf-8"}),
                h("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
                h("meta", {"http-equiv": "Content-Security-Policy", "content": csp}),
                h("meta", {"name": "generator", "content": f"partnerrules {__version__}"}),
                h("title", None, title),
                h("style", None, Markup(_CSS)),
                h("script", None, Markup(_PRINT_SCRIPT)),
            ),
            h("body", None, _sprite(), body),
        )
        + "\n"
    )


def render_html(reports: Sequence[Report], options: OutputOptions) -> str:
    """Render the reports as one self-contained HTML document."""
    return render_document(reports)


@hookimpl
def register_outputs(register: RegisterOutput) -> None:
    """Register the HTML output."""
    register(
        "html",
        render_html,
        description="one self-contained HTML page with charts, to read, share or print",
        extension=".html",
    )
