"""Cluster configurations are well-formed and agree with the package (no cluster needed)."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import yaml
from ultralow.cluster.node import prepare_node

ROOT = Path(__file__).resolve().parents[1]


def pinned(package: str) -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return next(d.split("==")[1] for d in deps if d.lower().startswith(f"{package}=="))


def test_slurm_script_is_valid_bash_and_starts_head_workers_and_driver():
    script = ROOT / "cluster" / "slurm" / "ultralow_ray.sbatch"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text()
    assert "ray start --head" in text and 'ray start --address="$ADDRESS"' in text
    assert "ultralow cluster prepare" in text
    assert 'ultralow "$COMMAND" "$SPEC" --address "$ADDRESS"' in text


def test_slurm_script_refuses_missing_arguments():
    script = ROOT / "cluster" / "slurm" / "ultralow_ray.sbatch"
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True)
    assert proc.returncode == 2 and "usage" in proc.stderr


def test_kuberay_manifests():
    docs = list(yaml.safe_load_all((ROOT / "cluster" / "kubernetes" / "raycluster.yaml").read_text()))
    cluster = next(d for d in docs if d["kind"] == "RayCluster")
    assert cluster["apiVersion"] == "ray.io/v1"
    assert cluster["spec"]["rayVersion"] == pinned("ray")
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    workers = cluster["spec"]["workerGroupSpecs"][0]
    assert workers["template"]["spec"]["containers"][0]["image"] == head["image"]
    assert any(d["kind"] == "PersistentVolumeClaim" for d in docs)
    job = yaml.safe_load((ROOT / "cluster" / "kubernetes" / "rayjob-optimise.yaml").read_text())
    assert job["kind"] == "RayJob" and job["spec"]["entrypoint"].startswith("ultralow optimise")


def test_image_recipe_installs_the_package_and_bakes_the_cache():
    text = (ROOT / "cluster" / "kubernetes" / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", text, re.M)
    assert "pip install --no-cache-dir /opt/ultralow" in text
    assert "ultralow cluster prepare" in text and "ULTRALOW_CACHE" in text


def test_cluster_launcher_config():
    cfg = yaml.safe_load((ROOT / "cluster" / "cloud" / "ray-cluster-aws.yaml").read_text())
    assert cfg["head_node_type"] in cfg["available_node_types"]
    assert any("ultralow cluster prepare" in c for c in cfg["setup_commands"])
    assert any("ray start --head" in c for c in cfg["head_start_ray_commands"])


def test_prepare_node_derives_idd_and_city_weather():
    info = prepare_node(["harbin"])
    assert Path(info["idd"]).exists() and info["engine_version"] == "25.2.0"
    assert Path(info["weather"]["harbin"]).exists()
