"""The benchmark rows of BENCH_CONTRACT.md: build them, check their keys, print them.

A row is a dict with exactly the keys of `ROW_KEYS`. `row(...)` builds one (the ratio is
computed when both figures are numbers); `print_rows(rows)` prints them as one table and,
unless told otherwise, as one JSON line per row, so a standalone run can be piped.
"""
from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from typing import Any, TextIO

ROW_KEYS = ("benchmark", "figure", "value", "unit", "baseline", "baseline_value", "ratio",
            "target", "meets_target")


def _number(value: float | None) -> float | None:
    """A finite float, or None (NaN and infinities become null in JSON)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def row(benchmark: str, figure: str, value: float | None, unit: str, *, baseline: str = "",
        baseline_value: float | None = None, target: str = "",
        meets_target: bool | None = None) -> dict[str, Any]:
    """One row; `ratio` is `value / baseline_value` when both are numbers and the base is not 0."""
    value, baseline_value = _number(value), _number(baseline_value)
    ratio = (value / baseline_value
             if value is not None and baseline_value not in (None, 0.0) else None)
    return {"benchmark": benchmark, "figure": figure, "value": value, "unit": unit,
            "baseline": baseline, "baseline_value": baseline_value, "ratio": ratio,
            "target": target, "meets_target": meets_target}


def note_row(benchmark: str, figure: str, note: str) -> dict[str, Any]:
    """A row that carries no figure: a benchmark that did not run, and why (in `baseline`)."""
    return row(benchmark, figure, None, "", baseline=note)


def check_row(candidate: dict[str, Any]) -> dict[str, Any]:
    """The row with exactly the contract's keys (missing ones null, extra ones dropped)."""
    return {key: candidate.get(key) for key in ROW_KEYS}


def _format(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if value else "0"
    return str(value)


def format_rows(rows: Iterable[dict[str, Any]]) -> str:
    """The rows as a plain-text table, one line per row."""
    headers = ("benchmark", "figure", "value", "unit", "baseline", "baseline value", "ratio",
               "target", "meets")
    keys = ("benchmark", "figure", "value", "unit", "baseline", "baseline_value", "ratio",
            "target", "meets_target")
    lines = [[_format(r.get(key)) for key in keys] for r in rows]
    widths = [max([len(h), *(len(line[i]) for line in lines)]) for i, h in enumerate(headers)]
    numeric = {2, 5, 6}

    def render(cells: list[str] | tuple[str, ...]) -> str:
        return "  ".join(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
                         for i, cell in enumerate(cells)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(headers), rule, *(render(line) for line in lines)])


def print_rows(rows: list[dict[str, Any]], *, json_lines: bool = True,
               stream: TextIO = sys.stdout) -> None:
    """Print the table, then (by default) one JSON line per row."""
    print(format_rows(rows), file=stream)
    if json_lines:
        print(file=stream)
        for one in rows:
            print(json.dumps(check_row(one), ensure_ascii=False), file=stream)
    stream.flush()
