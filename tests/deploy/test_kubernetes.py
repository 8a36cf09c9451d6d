"""The Kubernetes manifests (deploy/k8s), checked without a cluster: each overlay renders (`kubectl
kustomize`), every object is valid for the Kubernetes API (kubernetes-validate, offline schemas, strict), the
policy scanner passes (checkov), and the network policies mean what docs/operations.md says they do.
"""

import json
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from devstack.paths import repo_root
from devstack.stack import SERVICES

ROOT = repo_root()
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("development", "production")
KUBERNETES_VERSION = "1.32.0"
# The operator's custom resources have no schema in kubernetes-validate; the test below checks what the
# platform relies on in them.
OPERATOR_KINDS = {"Cluster", "ScheduledBackup"}
# What the scan skips, and why (docs/operations.md, Deploy): images are pinned by digest when a release is
# deployed (`kustomize edit set image`); the repository has no digest to pin. The other skips are annotations
# on the objects they concern (a relay, a worker and a migration serve no HTTP to probe).
CHECKOV_SKIPS = ("CKV_K8S_43",)

Manifest = dict[str, Any]


@cache
def rendered(overlay: str) -> tuple[Manifest, ...]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with kustomize) is needed to render deploy/k8s"
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(objects: Sequence[Manifest], *kinds: str) -> list[Manifest]:
    return [obj for obj in objects if obj["kind"] in kinds]


def named(objects: Sequence[Manifest], kind: str, name: str) -> Manifest:
    [found] = [obj for obj in of_kind(objects, kind) if obj["metadata"]["name"] == name]
    return found


def container(workload: Manifest) -> Manifest:
    [only] = workload["spec"]["template"]["spec"]["containers"]
    result: Manifest = only
    return result


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_for_the_kubernetes_api(overlay: str) -> None:
    objects = rendered(overlay)
    for obj in objects:
        if obj["kind"] in OPERATOR_KINDS:
            continue
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    assert {obj["metadata"].get("namespace") for obj in objects} == {
        f"emulation{'-dev' * (overlay != 'production')}"
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_policy_scanner_finds_nothing(overlay: str, tmp_path: Path) -> None:
    checkov = ROOT / ".venv-policy" / "bin" / "checkov"
    assert checkov.exists(), "`make deps` installs the policy scanner into .venv-policy"
    manifests = tmp_path / f"{overlay}.yaml"
    manifests.write_text(yaml.safe_dump_all(rendered(overlay)))
    command = [str(checkov), "-f", str(manifests), "--framework", "kubernetes", "--skip-download"]
    result = subprocess.run(
        [*command, "--output", "json", "--skip-check", ",".join(CHECKOV_SKIPS)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    report = json.loads(result.stdout)
    failed = [(check["check_id"], check["resource"]) for check in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 500  # it did scan


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_its_api_migration_and_background_processes(overlay: str) -> None:
    objects = rendered(overlay)
    deployments = {obj["metadata"]["name"]: obj for obj in of_kind(objects, "Deployment")}
    jobs = {obj["metadata"]["name"]: obj for obj in of_kind(objects, "Job")}
    background = {"targets": "relay", "nominations": "relay", "notifications": "worker"}
    for spec in SERVICES:
        api = container(deployments[spec.name])
        assert api["args"] == ["serve"]
        assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container(jobs[f"{spec.name}-migrate"])["args"] == ["migrate"]
        process = background[spec.name]
        assert container(deployments[f"{spec.name}-{process}"])["args"] == [process]
    for workload in [*deployments.values(), *jobs.values()]:
        resources = container(workload)["resources"]
        assert {"cpu", "memory"} <= resources["requests"].keys() & resources["limits"].keys()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_and_disruption_budgets_cover_the_scaled_deployments(overlay: str) -> None:
    objects = rendered(overlay)
    deployments = {obj["metadata"]["name"]: obj for obj in of_kind(objects, "Deployment")}
    scaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind(objects, "HorizontalPodAutoscaler")}
    assert scaled == {spec.name for spec in SERVICES} | {"gateway", "notifications-worker"}
    assert scaled <= deployments.keys()
    budgets = of_kind(objects, "PodDisruptionBudget")
    for name in scaled:
        pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert [pdb for pdb in budgets if selects(pdb["spec"]["selector"], pod_labels)], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_environment_is_production_unless_the_overlay_says_otherwise(overlay: str) -> None:
    objects = rendered(overlay)
    expected = "production" if overlay == "production" else "development"
    for spec in SERVICES:
        [config] = [
            obj
            for obj in of_kind(objects, "ConfigMap")
            if obj["metadata"]["name"].startswith(f"{spec.name}-config")
        ]
        prefix = spec.name.upper()
        assert config["data"][f"{prefix}_ENVIRONMENT"] == expected
        if overlay == "production":
            assert config["data"][f"{prefix}_JWKS_URL"].startswith("https://")
            assert f"{prefix}_JWKS_FILE" not in config["data"]
    assert "development" in (K8S / "overlays" / "development" / "kustomization.yaml").read_text()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_come_from_the_cluster_as_files(overlay: str) -> None:
    objects = rendered(overlay)
    assert of_kind(objects, "Secret") == []  # none in the repository
    for workload in of_kind(objects, "Deployment", "Job"):
        for source in container(workload).get("env", []):
            assert "valueFrom" not in source, workload["metadata"]["name"]
    for spec in SERVICES:
        api = named(objects, "Deployment", spec.name)
        [secrets] = [v for v in api["spec"]["template"]["spec"]["volumes"] if v["name"] == "secrets"]
        database = secrets["projected"]["sources"][0]["secret"]
        assert database == {
            "name": f"{spec.name}-db-app",
            "items": [{"key": "uri", "path": f"{spec.name}_database_url"}],
        }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_its_own_database_cluster(overlay: str) -> None:
    objects = rendered(overlay)
    clusters = {obj["metadata"]["name"]: obj for obj in of_kind(objects, "Cluster")}
    assert clusters.keys() == {f"{spec.name}-db" for spec in SERVICES}
    for name, cluster in clusters.items():
        assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
        assert cluster["spec"]["bootstrap"]["initdb"]["owner"] == name.removesuffix("-db")
        assert cluster["spec"]["instances"] == (3 if overlay == "production" else 1)
        assert cluster["spec"]["storage"]["size"]
    if overlay == "production":
        backups = {obj["spec"]["cluster"]["name"] for obj in of_kind(objects, "ScheduledBackup")}
        assert backups == clusters.keys()
        assert all(c["spec"]["backup"]["barmanObjectStore"]["destinationPath"] for c in clusters.values())


# --- What the network policies allow, evaluated as the Kubernetes API defines them.


@dataclass(frozen=True)
class Peer:
    """A pod of the namespace (with its labels), a pod of another namespace, or an address outside."""

    labels: Mapping[str, str] | None  # None: outside the cluster
    namespace_labels: Mapping[str, str] | None = None  # None: the platform's namespace


OUTSIDE = Peer(labels=None)


def selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if (
            (operator == "In" and labels.get(key) not in values)
            or (operator == "NotIn" and present and labels[key] in values)
            or (operator == "Exists" and not present)
            or (operator == "DoesNotExist" and present)
        ):
            return False
    return True


def peer_matches(rule_peer: Mapping[str, Any], peer: Peer) -> bool:
    if "ipBlock" in rule_peer:
        return peer.labels is None
    if peer.labels is None:
        return False
    if "namespaceSelector" in rule_peer:
        namespace = peer.namespace_labels or {"kubernetes.io/metadata.name": "emulation"}
        if not selects(rule_peer["namespaceSelector"], namespace):
            return False
    elif peer.namespace_labels is not None:
        return False  # a podSelector alone means this namespace
    return selects(rule_peer.get("podSelector", {}), peer.labels)


def allowed_one_way(
    policies: Sequence[Manifest], subject: Peer, other: Peer, port: int, direction: str
) -> bool:
    """Does ``subject`` (a pod of the namespace) let ``other`` in (Ingress) or out to it (Egress)?"""
    assert subject.labels is not None
    field, peers = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    applying = [
        policy
        for policy in policies
        if direction in policy["spec"]["policyTypes"]
        and selects(policy["spec"]["podSelector"], subject.labels)
    ]
    if not applying:
        return True
    for policy in applying:
        for rule in policy["spec"].get(field, []):
            if "ports" in rule and not any(p.get("port") == port for p in rule["ports"]):
                continue
            if peers not in rule or any(peer_matches(p, other) for p in rule[peers]):
                return True
    return False


def ours(peer: Peer) -> bool:
    """Is ``peer`` a pod of the platform's namespace, the one place its policies apply?"""
    return peer.labels is not None and peer.namespace_labels is None


def connects(policies: Sequence[Manifest], source: Peer, target: Peer, port: int) -> bool:
    outbound = not ours(source) or allowed_one_way(policies, source, target, port, "Egress")
    inbound = not ours(target) or allowed_one_way(policies, target, source, port, "Ingress")
    return outbound and inbound


def pods(objects: Sequence[Manifest]) -> dict[str, Peer]:
    found = {
        obj["metadata"]["name"]: Peer(obj["spec"]["template"]["metadata"]["labels"])
        for obj in of_kind(objects, "Deployment", "Job")
    }
    for cluster in of_kind(objects, "Cluster"):
        found[cluster["metadata"]["name"]] = Peer({"cnpg.io/cluster": cluster["metadata"]["name"]})
    return found


def each_pair(names: Sequence[str]) -> Iterator[tuple[str, str]]:
    for source in names:
        for target in names:
            if source != target:
                yield source, target


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_is_reachable_from_outside(overlay: str) -> None:
    objects = rendered(overlay)
    policies = of_kind(objects, "NetworkPolicy")
    reachable = {
        (name, port)
        for name, pod in pods(objects).items()
        for port in (8000, 8080, 5432, 1025, 8025)
        if connects(policies, OUTSIDE, pod, port)
    }
    # In development, the mail catcher's web page too (port-forwarded to a laptop).
    assert reachable == {("gateway", 8080)} | ({("mailpit", 8025)} if overlay == "development" else set())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_who_reaches_whom_inside(overlay: str) -> None:
    objects = rendered(overlay)
    policies = of_kind(objects, "NetworkPolicy")
    every = pods(objects)
    calls = {
        (source, target, port)
        for source, target in each_pair(sorted(every))
        for port in (8000, 5432)
        if connects(policies, every[source], every[target], port)
    }
    databases = {
        (f"{s.name}{suffix}", f"{s.name}-db", 5432)
        for s in SERVICES
        for suffix in ("", "-relay", "-worker", "-migrate")
    }
    apis = {
        ("gateway", "targets", 8000),
        ("gateway", "nominations", 8000),
        ("gateway", "notifications", 8000),
        ("nominations", "targets", 8000),  # the dated hierarchy, progress in a dossier
        ("notifications-worker", "targets", 8000),  # the reminders
        ("notifications-worker", "nominations", 8000),
        # Notifications' intake: from the producers' relays only.
        ("targets-relay", "notifications", 8000),
        ("nominations-relay", "notifications", 8000),
    }
    assert calls == {call for call in databases | apis if call[0] in every}
    # The database instances replicate among themselves, and the operator reaches them.
    operator = Peer(
        {"app.kubernetes.io/name": "cloudnative-pg"}, {"kubernetes.io/metadata.name": "cnpg-system"}
    )
    prometheus = Peer({"app.kubernetes.io/name": "prometheus"}, {"kubernetes.io/metadata.name": "monitoring"})
    monitoring = {"kubernetes.io/metadata.name": "monitoring"}
    collector = Peer({"app.kubernetes.io/name": "otel-collector"}, monitoring)
    for spec in SERVICES:
        # Traces go to the collector (OTLP/HTTP) from every long-running process, and nothing else goes there.
        for process in (spec.name, f"{spec.name}-relay", f"{spec.name}-worker"):
            if process in every:
                assert connects(policies, every[process], collector, 4318)
                assert not connects(policies, every[process], collector, 5432)
        assert not connects(policies, every[f"{spec.name}-migrate"], collector, 4318)
        assert connects(policies, prometheus, every[spec.name], 8000)
        assert not connects(policies, prometheus, every[f"{spec.name}-db"], 5432)
        assert connects(policies, operator, every[f"{spec.name}-db"], 5432)
        assert connects(policies, every[f"{spec.name}-db"], every[f"{spec.name}-db"], 5432)
