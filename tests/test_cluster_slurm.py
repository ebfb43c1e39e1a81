"""The shipped Slurm script on a real Slurm (Debian's slurm-wlm + munge): a one-node cluster on
this machine runs ``sbatch cluster/slurm/ultralow_ray.sbatch optimise spec.toml`` to a finished run
folder, and a job whose driver fails ends with the driver's exit status.

Needs root and either installed Slurm or a reachable apt mirror (``apt-get install -y slurm-wlm
munge``); otherwise the tests skip and say why. slurmd runs in its own PID namespace so the job's
``ray stop`` reaches only the job's processes, not other Ray instances on a shared machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import write_small_optimise_spec

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "cluster" / "slurm" / "ultralow_ray.sbatch"
VENV = Path(sys.executable).parent.parent
TOOLS = ("sbatch", "slurmctld", "slurmd", "munged", "unshare")


def _ensure_slurm() -> None:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("needs root on Linux to run slurmctld/slurmd/munged")
    if all(shutil.which(t) or Path("/usr/sbin", t).exists() for t in TOOLS):
        return
    if not shutil.which("apt-get"):
        pytest.skip("Slurm is not installed and apt-get is not available")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "slurm-wlm", "munge"]):
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            pytest.skip(f"{' '.join(cmd)} timed out")
        if proc.returncode != 0:
            pytest.skip(f"cannot install Slurm: {' '.join(cmd)} failed: {proc.stderr.strip()[-300:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def _ray_port() -> int:
    while True:
        port = _free_port()
        if not 10002 <= port <= 19999:  # Ray's default worker port range
            return port


def _daemon(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    _ensure_slurm()
    base = Path(tempfile.mkdtemp(prefix="ulslurm-", dir="/tmp"))
    host = socket.gethostname()
    for sub in ("state", "spool", "munge", "runs", "cache", "logs"):
        (base / sub).mkdir()
    (base / "munge").chmod(0o700)
    key = base / "munge" / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    sock = base / "munge" / "sock"
    conf = base / "slurm.conf"
    conf.write_text(f"""ClusterName=ultest
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
StateSaveLocation={base / 'state'}
SlurmdSpoolDir={base / 'spool'}
SlurmctldPidFile={base / 'slurmctld.pid'}
SlurmdPidFile={base / 'slurmd.pid'}
SlurmctldLogFile={base / 'slurmctld.log'}
SlurmdLogFile={base / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName={host} CPUs=2 State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")
    env = {**os.environ, "SLURM_CONF": str(conf)}
    daemons = [
        _daemon(["/usr/sbin/munged", "-F", "-f", f"--key-file={key}", f"--socket={sock}",
                 f"--pid-file={base / 'munge' / 'pid'}", f"--log-file={base / 'munge' / 'log'}",
                 f"--seed-file={base / 'munge' / 'seed'}"], base / "munged.out", env)]
    try:
        deadline = time.time() + 20
        while not sock.exists():
            assert daemons[0].poll() is None and time.time() < deadline, (base / "munged.out").read_text()
            time.sleep(0.2)
        daemons.append(_daemon(["/usr/sbin/slurmctld", "-D", "-f", str(conf)], base / "slurmctld.out", env))
        # its own PID namespace: the job's `ray stop` sees only the job's processes
        daemons.append(_daemon(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child=SIGTERM",
                                "/usr/sbin/slurmd", "-D", "-f", str(conf)], base / "slurmd.out", env))
        deadline = time.time() + 60
        while True:
            state = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True, text=True).stdout
            if state.strip() == "idle":
                break
            assert time.time() < deadline, (base / "slurmctld.log").read_text()[-2000:]
            time.sleep(0.5)
        yield {"base": base, "env": env}
    finally:
        subprocess.run(["scancel", "--user=root"], env=env, capture_output=True)
        for proc in reversed(daemons):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(proc.pid, sig)
                    proc.wait(timeout=15)
                    break
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue
        shutil.rmtree(base, ignore_errors=True)


def _sbatch(slurm, *args: str, name: str) -> tuple[int, str]:
    base = slurm["base"]
    log = base / "logs" / f"{name}.log"
    env = {**slurm["env"], "ULTRALOW_VENV": str(VENV), "ULTRALOW_CACHE": str(base / "cache"),
           "ULTRALOW_RUNS": str(base / "runs" / name), "RAY_PORT": str(_ray_port()),
           "RAY_TMPDIR": str(base / f"ray-{name}"), "HOME": str(base)}
    env = {k: v for k, v in env.items() if not k.startswith("RAY_AUTH")}
    proc = subprocess.run(["sbatch", "--wait", "--nodes=1", "--cpus-per-task=2", "--time=5",
                           f"--output={log}", str(SCRIPT), *args], env=env, capture_output=True, text=True,
                          timeout=240)
    return proc.returncode, (log.read_text() if log.exists() else "") + proc.stderr


def _spec(path: Path) -> Path:
    return write_small_optimise_spec(path, "slurm", seed=3, wall_step=0.1, heating_min=18)


def test_sbatch_runs_an_optimisation_to_a_finished_run_folder(slurm):
    # Ray's own choice of this node's address (it never advertises 127.0.0.1 for a cluster node:
    # ray._private.services.resolve_ip_for_localhost); traffic to it stays on this machine
    from ray._private.services import get_node_ip_address

    t0 = time.time()
    status, log = _sbatch(slurm, "optimise", str(_spec(slurm["base"] / "spec.toml")), "--quiet", name="ok")
    assert status == 0, log[-4000:]
    runs = list((slurm["base"] / "runs" / "ok" / "optimise").iterdir())
    assert len(runs) == 1
    run = runs[0]
    for name in ("evaluations.jsonl", "pareto.csv", "report.html", "store.sqlite", "run.json"):
        assert (run / name).is_file(), name
    assert len((run / "evaluations.jsonl").read_text().splitlines()) == 8
    # the driver used the address Ray advertises, and the cluster ran with token authentication
    assert f"Ray head at {get_node_ip_address()}:" in log, log[-4000:]
    assert "Token authentication is disabled" not in log
    assert "ultralow exited with status 0" in log
    # every Ray process of the job is gone, and its node-local session files
    assert not list((slurm["base"] / "ray-ok").glob("ray-*"))
    print(f"sbatch optimise: {time.time() - t0:.1f} s")


def test_job_status_is_the_drivers(slurm, tmp_path):
    status, log = _sbatch(slurm, "optimise", str(slurm["base"] / "missing.toml"), name="bad")
    assert status == 2, log[-4000:]
    assert "ultralow exited with status 2" in log
