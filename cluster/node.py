"""Per-node preparation for clusters whose nodes share no disk.

Everything ultralow derives on disk is rebuilt from the installed packages, so a node needs no
copy of the driver's files: this module does the derivations up front (once per node) so the
first simulation on a fresh node does not pay for them, and reports what a node has.

- the engine-matched IDD (``ultralow.sim.idd.engine_idd_path``) in the node's cache;
- synthetic design-year weather for the registry cities a job uses (deterministic, so every
  node builds byte-identical files);
- user weather files are not copied here: the optimiser ships their contents with the tasks.

``ultralow cluster token`` creates the cluster's Ray authentication token (``cluster/auth.py``).

The cache folder is ``$ULTRALOW_CACHE`` (default ``~/.cache/ultralow``); point it at
node-local disk on HPC systems.
"""

from __future__ import annotations

import json
import platform
import socket
from typing import Any

from ultralow.paths import cache_dir


def prepare_node(cities: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """Derive the IDD and the synthetic weather of ``cities`` on this node; return a summary."""
    from ultralow.sim.idd import engine_idd_path, engine_version
    from ultralow.weather import resolve_weather

    idd = engine_idd_path()
    weather = {city: str(resolve_weather(city=city).epw_path) for city in cities}
    return {
        "host": socket.gethostname(),
        "python": platform.python_version(),
        "engine_version": engine_version(),
        "cache_dir": str(cache_dir()),
        "idd": str(idd),
        "weather": weather,
    }


def _prepare(args) -> int:
    print(json.dumps(prepare_node(args.city or []), indent=2))
    return 0


def _token(args) -> int:
    """Print a new cluster token, or with ``--file`` keep/create one there (mode 0600)."""
    from ultralow.cluster.auth import new_token, write_token

    print(write_token(args.file) if args.file else new_token())
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("cluster", help="per-node preparation and checks for Ray clusters")
    sub = parser.add_subparsers(dest="cluster_command", required=True, metavar="{prepare,token}")
    prep = sub.add_parser("prepare", help="derive the IDD and city weather in this node's cache")
    prep.add_argument("--city", action="append", help="registry city to prepare (repeatable)")
    prep.set_defaults(func=_prepare)
    tok = sub.add_parser("token", help="create the cluster's authentication token (see cluster/README.md)")
    tok.add_argument("--file", help="write it to this file (0600; an existing token is kept) and print the path; "
                                    "default: print a new token")
    tok.set_defaults(func=_token)
