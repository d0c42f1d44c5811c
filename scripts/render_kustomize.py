"""Render a kustomization of deploy/ without kubectl: the subset of kustomize the project's manifests use.

`python scripts/render_kustomize.py deploy/overlays/production > rendered.yaml`

Supported: `resources` (files and directories holding a kustomization.yaml), `namespace`, `images`
(newName, newTag, digest) and `patches` given by `path` that are strategic-merge patches: an object of the
same kind and name is merged into; maps merge recursively, `null` deletes a key, lists of maps that all
have a `name` (containers, env, volumes) merge by name, other lists are replaced. Anything else in a
kustomization is refused, so a manifest never silently renders differently from `kubectl kustomize`
(tests/deploy/test_render_kustomize.py compares both where kubectl is installed).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

KNOWN_FIELDS = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
# Kinds without a namespace among those the project renders.
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "IngressClass", "PriorityClass"}

Object = dict[str, Any]


def render(directory: Path) -> list[Object]:
    """The objects of the kustomization in `directory`, in the order of its resources."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8")) or {}
    unknown = set(spec) - KNOWN_FIELDS
    if unknown:
        raise ValueError(f"{directory}/kustomization.yaml: unsupported fields {sorted(unknown)}")
    objects: list[Object] = []
    for entry in spec.get("resources", []):
        path = directory / entry
        objects += render(path) if path.is_dir() else load(path)
    for patch in spec.get("patches", []):
        if set(patch) != {"path"}:
            raise ValueError(f"{directory}: only patches given by `path` are supported, not {patch}")
        for change in load(directory / patch["path"]):
            apply_patch(objects, change, directory / patch["path"])
    for image in spec.get("images", []):
        set_image(objects, image)
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = spec["namespace"]
    return objects


def load(path: Path) -> list[Object]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def apply_patch(objects: list[Object], change: Object, source: Path) -> None:
    for obj in objects:
        if obj["kind"] == change["kind"] and obj["metadata"]["name"] == change["metadata"]["name"]:
            merged = merge(obj, change)
            obj.clear()
            obj.update(merged)
            return
    raise ValueError(f"{source}: patch of {change['kind']}/{change['metadata']['name']}, which is not rendered")


def merge(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, dict):
        merged = dict(base)
        for key, value in change.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(change, list) and _named(base) and _named(change):
        by_name = {item["name"]: item for item in base}
        merged_list = [merge(by_name[item["name"]], item) if item["name"] in by_name else item for item in change]
        changed = {item["name"] for item in change}
        # kustomize keeps the base's other items, after the patched ones.
        return merged_list + [item for item in base if item["name"] not in changed]
    return change


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) and "name" in item for item in items)


def set_image(objects: list[Object], image: dict[str, str]) -> None:
    for obj in objects:
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            if image_name(container["image"]) != image["name"]:
                continue
            reference = image.get("newName", image["name"])
            if "digest" in image:
                reference += "@" + image["digest"]
            elif "newTag" in image:
                reference += ":" + str(image["newTag"])
            container["image"] = reference


def image_name(reference: str) -> str:
    """`registry:5000/luan/gateway:0.1.0@sha256:...` -> `registry:5000/luan/gateway` (a port is no tag)."""
    reference = reference.split("@")[0]
    head, _, last = reference.rpartition("/")
    return (head + "/" if head else "") + last.split(":")[0]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: render_kustomize.py <directory with kustomization.yaml>", file=sys.stderr)
        return 2
    sys.stdout.write(yaml.safe_dump_all(render(Path(argv[0])), sort_keys=False, allow_unicode=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
