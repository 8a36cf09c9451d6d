"""The Grafana dashboard (deploy/grafana/platform-dashboard.json): a dashboard Grafana can import, whose every
query parses as PromQL and asks only for metrics the services export."""

import json
import re
from typing import Any

import promql_parser
from prometheus_client import REGISTRY

from devstack.paths import repo_root
from shared import metrics

DASHBOARD = repo_root() / "deploy" / "grafana" / "platform-dashboard.json"
GRID_COLUMNS = 24
# Grafana's own variables, as Grafana would put them in before the query reaches Prometheus.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def exported_metric_names() -> set[str]:
    assert metrics.REQUESTS  # the services' metrics are registered when shared.metrics is imported
    names = set()
    for family in REGISTRY.collect():
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names


def selectors(node: object) -> set[str]:
    """The metric names a parsed PromQL expression selects."""
    found = set()
    if isinstance(node, promql_parser.VectorSelector) and node.name:
        found.add(node.name)
    for attribute in ("expr", "lhs", "rhs", "vector_selector", "param"):
        child = getattr(node, attribute, None)
        if child is not None:
            found |= selectors(child)
    for child in getattr(node, "args", None) or []:
        found |= selectors(child)
    return found


def resolved(expr: str, variables: set[str]) -> str:
    for name, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(name, value)
    for name in re.findall(r"\$(\w+)", expr):
        assert name in variables, f"${name} is not a variable of the dashboard"
        expr = expr.replace(f"${name}", ".+")
    return expr


def test_every_query_parses_and_asks_for_exported_metrics() -> None:
    board = dashboard()
    variables = {variable["name"] for variable in board["templating"]["list"]}
    exported = exported_metric_names()
    queried = set()
    for panel in board["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            expression = promql_parser.parse(resolved(target["expr"], variables))
            names = selectors(expression)
            assert names, target["expr"]
            assert names <= exported, (panel["title"], names - exported)
            queried |= names
    # The rate, errors and duration of every route, as docs/operations.md says.
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "service_ready"} <= queried


def test_panels_are_laid_out_on_the_grid_without_overlapping() -> None:
    board = dashboard()
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    taken: set[tuple[int, int]] = set()
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0, panel["title"]
        assert grid["x"] + grid["w"] <= GRID_COLUMNS, panel["title"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


def test_it_is_a_dashboard_grafana_imports() -> None:
    board = dashboard()
    assert {"uid", "title", "schemaVersion", "panels", "templating", "time"} <= board.keys()
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,40}", board["uid"])
    datasource = "${datasource}"
    for panel in board["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": datasource}
        assert {target["refId"] for target in panel["targets"]} == {
            chr(ord("A") + i) for i in range(len(panel["targets"]))
        }
