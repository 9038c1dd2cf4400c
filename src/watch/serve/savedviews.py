"""Saved views: one YAML file per view in a dashboards/ folder.

    title: Flags waiting for review for more than three days      (required)
    description: Open flags nobody has decided on yet.              (optional)
    chart:                                                          (optional: else a table)
      type: bar          # bar (stacked when there is a series) or line
      x: week            # the column along the bottom
      y: mentions        # the numeric column
      series: person     # optional: one bar colour or line per value
    query: |                                                        (required)
      SELECT ... FROM flags ...

The file name (without .yaml) is the view's address: /views/<name>. The query runs
read-only, with file and network access off, a time limit and a row cap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

CHART_TYPES = ("bar", "line")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Chart:
    type: str
    x: str
    y: str
    series: str | None = None


@dataclass(frozen=True)
class SavedView:
    name: str
    path: Path
    title: str
    description: str = ""
    query: str = ""
    chart: Chart | None = None
    problem: str | None = None  # why the file cannot be used, with file:line


def load_views(folder: Path | None) -> list[SavedView]:
    if folder is None or not folder.is_dir():
        return []
    views = [
        load_view(path) for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    ]
    return sorted(views, key=lambda v: v.title.casefold())


def load_view(path: Path) -> SavedView:
    name = path.stem
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        return _broken(path, f"{path}: cannot read: {error}")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        return _broken(path, f"{where}: not valid YAML: {getattr(error, 'problem', error)}")
    problem = _check(path, data)
    if problem:
        return _broken(path, problem, data)
    chart = data.get("chart")
    return SavedView(
        name=name,
        path=path,
        title=str(data["title"]).strip(),
        description=str(data.get("description") or "").strip(),
        query=str(data["query"]).strip(),
        chart=Chart(chart["type"], chart["x"], chart["y"], chart.get("series")) if chart else None,
    )


def _check(path: Path, data) -> str | None:
    if not NAME.match(path.stem):
        return f"{path}: name the file with letters, digits, - and _ only (it becomes the URL)"
    if not isinstance(data, dict):
        return f"{path}: expected a mapping with title, description, query (and chart)"
    unknown = set(data) - {"title", "description", "query", "chart"}
    if unknown:
        return f"{path}: unknown keys {sorted(unknown)}: use title, description, query, chart"
    for key in ("title", "query"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            return f"{path}: `{key}` is required and must be text"
    chart = data.get("chart")
    if chart is None:
        return None
    if not isinstance(chart, dict) or chart.get("type") not in CHART_TYPES:
        return f"{path}: `chart.type` must be one of {', '.join(CHART_TYPES)}"
    for key in ("x", "y"):
        if not isinstance(chart.get(key), str):
            return f"{path}: `chart.{key}` must name a column of the query"
    if set(chart) - {"type", "x", "y", "series"}:
        return f"{path}: `chart` takes only type, x, y and series"
    return None


def _broken(path: Path, problem: str, data=None) -> SavedView:
    title = (
        data.get("title")
        if isinstance(data, dict) and isinstance(data.get("title"), str)
        else path.stem
    )
    return SavedView(name=path.stem, path=path, title=title, problem=problem)


def chart_problem(view: SavedView, columns: list[str]) -> str | None:
    """Whether the chart's columns are in the query's result."""
    if view.chart is None:
        return None
    wanted = [view.chart.x, view.chart.y] + ([view.chart.series] if view.chart.series else [])
    missing = [c for c in wanted if c not in columns]
    if missing:
        return (
            f"{view.path}: the chart names {', '.join(missing)}, which the query does not "
            f"return (it returns {', '.join(columns)})"
        )
    return None
