"""Model revision in the result-store key: a changed model file or revision never serves old records."""

from __future__ import annotations

import re
import shutil
from importlib import resources

import pytest
from ultralow.optimise.store import ResultStore, simulation_key
from ultralow.sim import revision
from ultralow.sim.revision import MODEL_REVISION, _tree_digest, model_revision

KEY_ARGS = ("residential", {"wall_u_w_m2k": 0.25, "orientation_deg": 0}, "w" * 64, "25.2.0", "annual")


def test_model_revision_is_short_stable_hex():
    rev = model_revision()
    assert re.fullmatch(r"[0-9a-f]{16}", rev)
    assert rev == model_revision()
    assert rev == _tree_digest(revision.model_folders())[:16]
    assert MODEL_REVISION == "2026.11-fast-model"


def test_tree_digest_detects_one_changed_byte_in_a_data_file(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(resources.files("ultralow") / "templates" / "data", data)
    before = _tree_digest([data])
    assert before == _tree_digest([data])  # deterministic
    target = sorted(data.glob("*.toml"))[0]
    raw = bytearray(target.read_bytes())
    raw[-2] = ord("#") if raw[-2] != ord("#") else ord(" ")  # one byte, same length
    target.write_bytes(bytes(raw))
    assert _tree_digest([data]) != before


def test_tree_digest_covers_names_revision_and_skips_caches(tmp_path):
    root = tmp_path / "templates"
    (root / "standards" / "data").mkdir(parents=True)
    (root / "a.py").write_text("x = 1\n")
    (root / "standards" / "data" / "s.toml").write_text("v = 1\n")
    base = _tree_digest([root])
    assert _tree_digest([root], revision="another") != base  # the announced revision counts
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "a.cpython-311.py").write_text("junk")
    (root / "notes.txt").write_text("not a model file")
    assert _tree_digest([root]) == base  # caches and other files do not
    (root / "standards" / "data" / "s.toml").rename(root / "standards" / "data" / "t.toml")
    assert _tree_digest([root]) != base  # a renamed file counts
    (root / "standards" / "data" / "t.toml").rename(root / "standards" / "data" / "s.toml")
    (root / "b.csv").write_text("")
    assert _tree_digest([root]) != base  # a new (even empty) data file counts


def test_key_includes_the_model_revision(monkeypatch):
    default = simulation_key(*KEY_ARGS)
    assert default == simulation_key(*KEY_ARGS, model_revision=model_revision())
    assert default != simulation_key(*KEY_ARGS, model_revision="0" * 16)
    # a changed model file -> another revision -> another key (callers pass no revision)
    monkeypatch.setattr(revision, "model_revision", lambda: "f" * 16)
    assert simulation_key(*KEY_ARGS) == simulation_key(*KEY_ARGS, model_revision="f" * 16) != default


def test_model_revision_follows_the_package_files(monkeypatch, tmp_path):
    for name in revision.MODEL_FOLDERS:
        shutil.copytree(resources.files("ultralow") / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    package = _tree_digest(revision.model_folders())[:16]
    monkeypatch.setattr(revision, "model_folders", lambda: [tmp_path / n for n in revision.MODEL_FOLDERS])
    revision.model_revision.cache_clear()
    try:
        copy = revision.model_revision()
        assert copy == package  # same files, same revision (the hash does not depend on where they are)
        with (tmp_path / "sim" / "data" / "energy_factors.toml").open("a") as fh:
            fh.write("\n")
        revision.model_revision.cache_clear()
        assert revision.model_revision() != copy
    finally:
        revision.model_revision.cache_clear()


@pytest.fixture
def record():
    def make(key: str) -> dict:
        return {"key": key, "status": "ok", "template": KEY_ARGS[0], "parameters": KEY_ARGS[1],
                "weather_sha256": KEY_ARGS[2], "engine_version": KEY_ARGS[3], "period": KEY_ARGS[4],
                "result": {"heating_demand_kwh_m2": 42.0}}
    return make


def test_record_of_an_old_revision_is_not_reused(tmp_path, record):
    old_key = simulation_key(*KEY_ARGS, model_revision="0.1.0-model")
    store = ResultStore(tmp_path / "run" / "store.sqlite", tmp_path / "shared" / "store.sqlite")
    try:
        store.put(record(old_key))
        assert store.lookup(old_key)["result"] == {"heating_demand_kwh_m2": 42.0}
        new_key = simulation_key(*KEY_ARGS)  # this process's revision
        assert new_key != old_key
        assert store.lookup(new_key) is None
        job = type("Job", (), {"key": new_key})()
        records, to_run = store.partition([job])
        assert records == {} and list(to_run) == [new_key]
    finally:
        store.close()
    # a fresh run store over the same shared store: still not reused
    again = ResultStore(tmp_path / "run2" / "store.sqlite", tmp_path / "shared" / "store.sqlite")
    try:
        assert again.lookup(simulation_key(*KEY_ARGS)) is None
        assert again.lookup(old_key) is not None
    finally:
        again.close()
