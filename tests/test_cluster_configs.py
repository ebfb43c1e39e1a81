"""Cluster configurations are well-formed and agree with the package (no cluster needed)."""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import ray
import yaml
from ultralow.cluster import auth
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
    # (a real run on Slurm is tests/test_cluster_slurm.py; these guard the parts it cannot see)
    assert not re.search(r"^[^#]*hostname (--ip-address|-i)", text, re.M)  # 127.0.x on some hosts
    assert "ray_current_cluster" in text  # the head's address as Ray advertises it
    assert text.count("srun --overlap") >= 4  # background head/workers hold no task slot
    assert "export RAY_AUTH_TOKEN RAY_AUTH_MODE=token" in text
    assert "ray stop" in text and "trap cleanup EXIT" in text


def test_slurm_script_refuses_missing_arguments():
    script = ROOT / "cluster" / "slurm" / "ultralow_ray.sbatch"
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True)
    assert proc.returncode == 2 and "usage" in proc.stderr


def _kuberay_schema(name: str) -> dict:
    path = ROOT / "cluster" / "kubernetes" / "schemas" / f"ray.io_{name}.v1.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))["schema"]


def _errors(schema: dict, doc: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_kuberay_manifests_match_the_crd_schemas_and_carry_the_token():
    docs = list(yaml.safe_load_all((ROOT / "cluster" / "kubernetes" / "raycluster.yaml").read_text()))
    cluster = next(d for d in docs if d["kind"] == "RayCluster")
    assert _errors(_kuberay_schema("rayclusters"), cluster) == []
    assert cluster["spec"]["authOptions"] == {"mode": "token", "secretName": "ultralow-ray-token"}
    job = yaml.safe_load((ROOT / "cluster" / "kubernetes" / "rayjob-optimise.yaml").read_text())
    assert _errors(_kuberay_schema("rayjobs"), job) == []
    env = {e["name"]: e for e in job["spec"]["submitterPodTemplate"]["spec"]["containers"][0]["env"]}
    assert env["RAY_AUTH_MODE"]["value"] == "token"
    assert env["RAY_AUTH_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "ultralow-ray-token", "key": "auth_token"}


def test_kuberay_schema_check_catches_a_wrong_field():
    cluster = next(d for d in yaml.safe_load_all((ROOT / "cluster" / "kubernetes" / "raycluster.yaml").read_text())
                   if d["kind"] == "RayCluster")
    cluster["spec"]["authOptions"]["mode"] = "password"
    cluster["spec"]["workerGroupSpecs"][0]["replicas"] = "four"
    errors = _errors(_kuberay_schema("rayclusters"), cluster)
    assert any("authOptions/mode" in e for e in errors) and any("replicas" in e for e in errors)


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


def _launcher_schema() -> dict:
    return json.loads((Path(ray.__file__).parent / "autoscaler" / "ray-schema.json").read_text())


def test_cluster_launcher_config():
    cfg = yaml.safe_load((ROOT / "cluster" / "cloud" / "ray-cluster-aws.yaml").read_text())
    assert _errors(_launcher_schema(), cfg) == []
    assert cfg["head_node_type"] in cfg["available_node_types"]
    assert any("ultralow cluster prepare" in c for c in cfg["setup_commands"])
    assert any("ray start --head" in c for c in cfg["head_start_ray_commands"])
    # every node gets the token file and starts Ray in token mode
    assert cfg["file_mounts"]["/home/ubuntu/.ray/auth_token"] == "./ray-auth-token"
    for commands in (cfg["head_start_ray_commands"], cfg["worker_start_ray_commands"]):
        assert all(c.startswith("RAY_AUTH_MODE=token ") for c in commands if "ray start" in c)


def test_launcher_schema_check_catches_a_wrong_field():
    cfg = yaml.safe_load((ROOT / "cluster" / "cloud" / "ray-cluster-aws.yaml").read_text())
    cfg["max_workers"] = "many"
    cfg["head_start_ray_commnds"] = cfg.pop("head_start_ray_commands")
    errors = _errors(_launcher_schema(), cfg)
    assert any(e.startswith("max_workers") for e in errors) and any("head_start_ray_commnds" in e for e in errors)


@pytest.fixture
def clean_auth_env(monkeypatch, tmp_path):
    """No Ray auth variables during the test, and none left behind: prepare_driver() sets
    RAY_AUTH_MODE in os.environ itself, which monkeypatch.delenv of an absent name does not undo
    (a leaked RAY_AUTH_MODE=token breaks every later local Ray start in this process)."""
    names = (auth.MODE_ENV, auth.TOKEN_ENV, auth.TOKEN_PATH_ENV)
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ.pop(name, None)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(auth, "_refresh_ray_config", lambda: None)  # leave this process's Ray alone
    yield tmp_path
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def test_driver_switches_to_token_mode_only_with_a_token(clean_auth_env, monkeypatch):
    assert auth.prepare_driver() == "disabled" and auth.MODE_ENV not in os.environ
    token_file = auth.write_token(clean_auth_env / ".ray" / "auth_token")  # Ray's default file
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600 and len(token_file.read_text()) == 64
    assert auth.prepare_driver() == "token" and os.environ[auth.MODE_ENV] == "token"
    monkeypatch.setenv(auth.MODE_ENV, "disabled")  # an explicit choice is respected
    assert auth.prepare_driver() == "disabled"


def test_token_from_env_and_path(clean_auth_env, monkeypatch):
    monkeypatch.setenv(auth.TOKEN_PATH_ENV, str(clean_auth_env / "missing"))
    assert auth.token_source() is None
    monkeypatch.setenv(auth.TOKEN_ENV, "abc")
    assert auth.token_source() == "$RAY_AUTH_TOKEN" and auth.prepare_driver() == "token"


def test_connect_error_is_one_line_with_the_fix(clean_auth_env):
    err = auth.connect_error("10.0.0.1:6379", ConnectionError("Failed to connect\nmore"))
    assert isinstance(err, auth.ClusterAuthError) and "\n" not in str(err)
    assert "10.0.0.1:6379" in str(err) and "RAY_AUTH_MODE=token" in str(err) and "RAY_AUTH_TOKEN" in str(err)


def test_connect_error_with_a_refused_token(clean_auth_env, monkeypatch):
    monkeypatch.setenv(auth.MODE_ENV, "token")
    monkeypatch.setenv(auth.TOKEN_ENV, "wrong")
    err = str(auth.connect_error("h:1", ConnectionError("Failed to connect")))
    assert "$RAY_AUTH_TOKEN was refused" in err and "\n" not in err


def test_cli_token_command(tmp_path):
    path = tmp_path / "tok"
    cli = [str(Path(sys.executable).parent / "ultralow"), "cluster", "token"]
    out = subprocess.run([*cli, "--file", str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(path) and stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    subprocess.run([*cli, "--file", str(path)], check=True)
    assert path.read_text() == first  # an existing token is kept
    fresh = subprocess.run(cli, capture_output=True, text=True, check=True).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", fresh) and fresh != first


def test_prepare_node_derives_idd_and_city_weather():
    info = prepare_node(["harbin"])
    assert Path(info["idd"]).exists() and info["engine_version"] == "25.2.0"
    assert Path(info["weather"]["harbin"]).exists()
