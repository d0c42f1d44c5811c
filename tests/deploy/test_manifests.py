"""The Kubernetes manifests of deploy/, rendered by scripts/render_kustomize.py (schema, checkov: make deploy-check)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.render_kustomize import image_name, merge, render

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "deploy" / "overlays" / "production"


@pytest.fixture(scope="module")
def production() -> dict[tuple[str, str], dict[str, Any]]:
    return {(obj["kind"], obj["metadata"]["name"]): obj for obj in render(PRODUCTION)}


def pods(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        name: obj["spec"]["template"]["spec"] for (kind, name), obj in objects.items() if kind in ("Deployment", "Job")
    }


@pytest.mark.parametrize("kustomization", ["deploy/base", "deploy/overlays/production", "deploy/ingress-nginx"])
def test_renders_as_kubectl_kustomize_does(kustomization: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: nothing to compare with")
    theirs = subprocess.run([kubectl, "kustomize", kustomization], cwd=ROOT, capture_output=True, text=True, check=True)
    expected = {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(theirs.stdout) if o}
    ours = {(o["kind"], o["metadata"]["name"]): o for o in render(ROOT / kustomization)}
    assert ours == expected


def test_merge_follows_strategic_merge_for_named_lists_and_nulls() -> None:
    base = {"containers": [{"name": "a", "image": "x", "env": [{"name": "K", "value": "1"}]}, {"name": "b"}], "drop": 1}
    change = {"containers": [{"name": "a", "env": [{"name": "L", "value": "2"}]}], "drop": None}
    assert merge(base, change) == {
        "containers": [
            {"name": "a", "image": "x", "env": [{"name": "L", "value": "2"}, {"name": "K", "value": "1"}]},
            {"name": "b"},
        ]
    }
    # Lists without names (NetworkPolicy rules, ports by number) are replaced, as kustomize does.
    assert merge({"egress": [{"ports": [1]}, {"ports": [2]}]}, {"egress": [{"ports": [3]}]}) == {
        "egress": [{"ports": [3]}]
    }


def test_image_names_ignore_tags_digests_and_registry_ports() -> None:
    assert image_name("registry:5000/luan/gateway:0.1.0@sha256:ab") == "registry:5000/luan/gateway"
    assert image_name("luan-rasa") == "luan-rasa"


def test_unsupported_kustomize_features_are_refused(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\nconfigMapGenerator: []\n")
    with pytest.raises(ValueError, match="configMapGenerator"):
        render(tmp_path)


def test_every_container_is_unprivileged_limited_and_probed(production: dict[tuple[str, str], Any]) -> None:
    for name, pod in pods(production).items():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            assert container["image"].startswith("registry.example.gov.cn/luan/"), name
            if production.get(("Deployment", name)):
                assert "readinessProbe" in container and "livenessProbe" in container, name


def test_probes_match_each_servers_health_route(production: dict[tuple[str, str], Any]) -> None:
    probes = {
        name: pod["containers"][0]["readinessProbe"]["httpGet"]["path"]
        for name, pod in pods(production).items()
        if name != "migrate"
    }
    assert probes == {"gateway": "/health", "rasa": "/", "actions": "/health"}
    # A database outage makes the gateway unready, but must not restart it: liveness asks for no dependency.
    assert "tcpSocket" in pods(production)["gateway"]["containers"][0]["livenessProbe"]


def test_rasas_api_answers_only_the_token_the_gateway_has(production: dict[tuple[str, str], Any]) -> None:
    rasa = pods(production)["rasa"]["containers"][0]
    assert "--enable-api" in rasa["command"] and "--auth-token=$(RASA_TOKEN)" in rasa["command"]
    token = next(e for e in rasa["env"] if e["name"] == "RASA_TOKEN")["valueFrom"]["secretKeyRef"]
    gateway = pods(production)["gateway"]["containers"][0]
    assert {"secretRef": {"name": token["name"]}} in gateway["envFrom"] and token["key"] == "RASA_TOKEN"


def allowed_sources(objects: dict[tuple[str, str], Any], target: str) -> set[str]:
    policy = objects[("NetworkPolicy", target)]["spec"]
    sources = set()
    for rule in policy["ingress"]:
        for peer in rule["from"]:
            if "podSelector" in peer:
                sources.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
            else:
                sources.add("namespace:" + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
    return sources


def test_network_policies_allow_only_the_chain_of_calls(production: dict[tuple[str, str], Any]) -> None:
    deny = production[("NetworkPolicy", "default-deny")]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert allowed_sources(production, "rasa") == {"gateway"}
    assert allowed_sources(production, "actions") == {"rasa"}
    assert allowed_sources(production, "gateway") == {"namespace:ingress-nginx", "actions"}


def test_production_objects_live_in_the_namespace_and_scale(production: dict[tuple[str, str], Any]) -> None:
    assert {obj["metadata"].get("namespace") for obj in production.values()} == {"luan"}
    for name in ("gateway", "rasa"):
        hpa = production[("HorizontalPodAutoscaler", name)]["spec"]
        assert hpa["scaleTargetRef"]["name"] == name and hpa["minReplicas"] >= 2
        assert ("PodDisruptionBudget", name) in production
    assert production[("Service", "postgres")]["spec"]["externalName"] == "pg.db.luan.gov.cn"
    ingress = production[("Ingress", "gateway")]
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]


def test_ingress_controller_allows_only_tls_12_and_13_with_hsts() -> None:
    (config,) = render(ROOT / "deploy" / "ingress-nginx")
    assert config["data"]["ssl-protocols"] == "TLSv1.2 TLSv1.3"
    assert config["data"]["hsts"] == "true" and int(config["data"]["hsts-max-age"]) >= 31536000
