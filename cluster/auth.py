"""Token authentication between the ultralow driver and the nodes of a Ray cluster.

Ray (2.5x and later) protects a cluster with a shared token when ``RAY_AUTH_MODE=token``:

- ``ray start --head`` turns token mode on by itself when ``RAY_AUTH_MODE`` is unset and a
  token is found, and ``ray.init()`` of a local cluster creates ``~/.ray/auth_token``; so on a
  machine that ever ran a local Ray the head is protected;
- a node joining with ``ray start --address`` and a driver calling ``ray.init(address=...)`` never
  turn it on by themselves: they must get ``RAY_AUTH_MODE=token`` *and* the token.

Ray reads the token from, in order, ``RAY_AUTH_TOKEN`` (the token itself), ``RAY_AUTH_TOKEN_PATH``
(a file) and ``~/.ray/auth_token``. ultralow's cluster entry points create one token per cluster
(:func:`new_token`, ``ultralow cluster token``) and hand it to every node and to the driver in
those variables; :func:`prepare_driver` switches the driver to token mode when it holds a token,
which is also harmless against a cluster started without authentication.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ultralow.errors import InputError

MODE_ENV = "RAY_AUTH_MODE"
TOKEN_ENV = "RAY_AUTH_TOKEN"
TOKEN_PATH_ENV = "RAY_AUTH_TOKEN_PATH"


class ClusterAuthError(InputError):
    """The driver could not join the cluster (missing or wrong token, or nothing listening)."""


def default_token_path() -> Path:
    """Where Ray looks for the token when neither variable is set (``~/.ray/auth_token``)."""
    return Path.home() / ".ray" / "auth_token"


def token_source() -> str | None:
    """Where this process would read the cluster token from, or None when it has none."""
    if os.environ.get(TOKEN_ENV, "").strip():
        return f"${TOKEN_ENV}"
    path = os.environ.get(TOKEN_PATH_ENV)
    if path:
        return path if Path(path).is_file() else None
    default = default_token_path()
    return str(default) if default.is_file() else None


def new_token() -> str:
    """A fresh cluster token (256 random bits, the same form as ``ray get-auth-token``)."""
    return secrets.token_hex(32)


def write_token(path: str | Path, token: str | None = None) -> Path:
    """Write ``token`` (default: a new one; an existing file is kept) readable by its owner only."""
    path = Path(path).expanduser()
    if path.is_file() and token is None:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token or new_token())
    os.chmod(path, 0o600)
    return path


def auth_mode() -> str:
    """The mode this process will use: ``token`` or ``disabled`` (Ray's default for a driver)."""
    return os.environ.get(MODE_ENV, "").strip().lower() or "disabled"


def prepare_driver() -> str:
    """Before ``ray.init(address=...)``: use token mode when a token is available and the mode is
    not chosen explicitly (``RAY_AUTH_MODE=disabled`` is respected). Returns the mode."""
    if MODE_ENV not in os.environ and token_source():
        os.environ[MODE_ENV] = "token"
        _refresh_ray_config()
    return auth_mode()


def _refresh_ray_config() -> None:
    """Ray caches its config at import: re-read it so this process sees the new mode."""
    try:
        from ray._raylet import Config

        Config.initialize("")
    except Exception:  # pragma: no cover - a Ray without this hook reads the variable at init
        pass


def connect_error(address: str, exc: BaseException) -> ClusterAuthError:
    """One line saying why the driver could not join ``address`` and how to fix it."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    source = token_source()
    if auth_mode() != "token" or not source:
        fix = (f"if the cluster uses token authentication, give the driver its token: "
               f"export {MODE_ENV}=token and {TOKEN_ENV}=<token> (or {TOKEN_PATH_ENV}=<file>; "
               f"on the head node it is in ~/.ray/auth_token or the job's token file)")
    else:
        fix = (f"the token from {source} was refused or the head is not reachable: use the token the "
               f"head was started with ({TOKEN_ENV} / {TOKEN_PATH_ENV}) and check HOST:PORT")
    return ClusterAuthError(f"cannot join the Ray cluster at {address} ({type(exc).__name__}: {detail}); "
                            f"{fix}")
