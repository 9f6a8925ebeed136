"""The ``personalize-lab`` command: ``serve`` answers the Personalize API over HTTP, ``demo`` the Storefront.

``personalize-lab serve --demo`` (or ``--data DIR``) runs the local Personalize on 127.0.0.1:8765 for the
AWS CLI and other SDKs; ``personalize-lab demo [--data DIR] [--campaign NAME | --recommender NAME]`` serves
the stakeholder Storefront as a Voila page on 127.0.0.1:8866. Bad arguments (a missing folder, broken data,
an unknown campaign, a port in use) end the command with one line saying what to change, never a traceback.

The demo passes its choices to the Voila kernel in environment variables that :func:`demo_lab` reads (the
Storefront notebook calls it), prints the URL only once the server answers, culls kernels left idle by
closed tabs, and renders with a copy of Voila's lab template that links nothing off the machine.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import importlib.util
import logging
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from personalize_lab.emulator import server
from personalize_lab.emulator.exceptions import ServiceException
from personalize_lab.errors import PersonalizeLabError

BackendFactory = Callable[[Path | None, bool], Any]

DEMO_NOTEBOOK = Path(__file__).resolve().parent / "widgets" / "stakeholder_demo.ipynb"
# Jupyter data directory holding the Voila template `personalize-lab` (lab, without CDN links)
VOILA_DATA = Path(__file__).resolve().parent / "share"
VOILA_TEMPLATE = "personalize-lab"
DEMO_PORT = 8866
DEMO_IDLE_TIMEOUT = 600  # seconds a kernel may sit idle with no tab attached before it is shut down
ENV_DATA, ENV_CAMPAIGN, ENV_RECOMMENDER = (
    "PERSONALIZE_LAB_DATA",
    "PERSONALIZE_LAB_CAMPAIGN",
    "PERSONALIZE_LAB_RECOMMENDER",
)


class UsageError(Exception):
    """A startup argument that cannot work; ``main`` prints the one-line message and exits with 2."""


def default_backend_factory(data: Path | None, demo: bool) -> Any:
    """``LocalPersonalize.demo()`` or ``LocalPersonalize.from_csv(data)``, imported only when serving."""
    engine = getattr(importlib.import_module("personalize_lab.emulator"), "LocalPersonalize", None)
    if engine is None:
        raise UsageError(
            "this installation has no local engine (personalize_lab.emulator.LocalPersonalize); "
            "update personalize-lab to a version that has it"
        )
    if demo:
        return engine.demo()
    return engine.from_csv(data) if data is not None else engine()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="personalize-lab",
        description="Run the local Personalize over HTTP (serve) or the stakeholder Storefront (demo).",
        epilog="Run `personalize-lab SUBCOMMAND --help` for the options of each subcommand.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")
    _add_serve(commands)
    _add_demo(commands)
    return parser


def _add_serve(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the local Personalize over HTTP for the AWS CLI and SDKs.",
        description=(
            "Serve the local Personalize over HTTP, e.g. for `aws personalize list-filters "
            "--endpoint-url http://127.0.0.1:8765 --region us-east-1`. Credentials are not checked: "
            "any key works. Ctrl-C stops it."
        ),
    )
    source = serve.add_mutually_exclusive_group()
    source.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="your Personalize files: interactions.csv, optional items.csv, users.csv, *.schema.json and "
        "personalize-lab.json (see docs/config.md).",
    )
    source.add_argument("--demo", action="store_true", help="the built-in synthetic demo store.")
    serve.add_argument(
        "--s3-root",
        type=Path,
        metavar="DIR",
        help="a folder standing for S3 (s3://bucket/key is DIR/bucket/key) for dataset import jobs; "
        "default: the S3 that boto3 finds (AWS_ENDPOINT_URL_S3, moto, real S3). Without --data or "
        "--demo the server starts an empty account (see docs/lifecycle.md).",
    )
    serve.add_argument(
        "--port", type=int, default=server.DEFAULT_PORT, help="port to listen on (default %(default)s)."
    )
    serve.add_argument(
        "--host",
        default=server.DEFAULT_HOST,
        help="address to listen on (default %(default)s, this machine only); a wider address lets others "
        "query and change it, and warns.",
    )


# Voila keeps one kernel with the notebook already executed (import, Lab.demo(), the Storefront), so a
# visitor waits only for the page's JavaScript (~2 s, not ~6-9 s); the next is pre-executed behind it
PREHEAT = ["--preheat_kernel=True", "--pool_size=1"]


def _add_demo(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="serve the stakeholder Storefront as a Voila page on 127.0.0.1 and print its URL.",
        description=(
            "Serve the stakeholder Storefront as a Voila page on 127.0.0.1 and print its URL once it "
            "answers. Ctrl-C stops it."
        ),
    )
    demo.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="your Personalize files (as for `serve --data`); default: the built-in demo store.",
    )
    target = demo.add_mutually_exclusive_group()
    target.add_argument(
        "--campaign", metavar="NAME", help="the campaign the shelves show (default: the first one)."
    )
    target.add_argument("--recommender", metavar="NAME", help="a recommender to show instead of a campaign.")
    demo.add_argument("--port", type=int, default=DEMO_PORT, help="port to listen on (default %(default)s).")
    demo.add_argument(
        "--idle-timeout",
        type=int,
        default=DEMO_IDLE_TIMEOUT,
        metavar="SECONDS",
        help="shut down a page's kernel (about 300 MB) once idle this long with its tab closed "
        "(default %(default)s; 0 keeps kernels until Ctrl-C).",
    )


# ---------------------------------------------------------------------------------------------- demo
def demo_lab() -> Any:
    """The Lab ``personalize-lab demo`` was asked for, read from its environment variables.

    ``PERSONALIZE_LAB_DATA`` (a data folder; default the demo store) and ``PERSONALIZE_LAB_CAMPAIGN`` or
    ``PERSONALIZE_LAB_RECOMMENDER`` (a name; default the default campaign). Run in a plain notebook it
    gives ``Lab.demo()``.
    """
    from personalize_lab.client import Lab

    local = _local(os.environ.get(ENV_DATA) or None)
    campaign, recommender = os.environ.get(ENV_CAMPAIGN), os.environ.get(ENV_RECOMMENDER)
    return Lab.local(
        local,
        campaign_arn=_arn(local.campaign_arns, campaign, "campaign") if campaign else None,
        recommender_arn=_arn(local.recommender_arns, recommender, "recommender") if recommender else None,
    )


def _local(data: str | Path | None) -> Any:
    engine = importlib.import_module("personalize_lab.emulator").LocalPersonalize
    return engine.from_csv(data) if data else engine.demo()


def _arn(arns: dict[str, str], name: str, kind: str) -> str:
    if name not in arns:
        known = ", ".join(sorted(arns)) or "none"
        raise UsageError(f"--{kind} {name}: no such {kind}; this data has {known}")
    return arns[name]


def _check_demo_args(args: argparse.Namespace) -> None:
    """Fail before Voila starts: the folder loads, the target exists, the port is free."""
    if args.data is not None and not args.data.is_dir():
        raise UsageError(f"--data {args.data}: not a folder; give the folder that holds interactions.csv")
    if args.data is not None or args.campaign or args.recommender:
        local = _local(args.data)  # builds no model: datasets, resources and filters only
        if args.campaign:
            _arn(local.campaign_arns, args.campaign, "campaign")
        if args.recommender:
            _arn(local.recommender_arns, args.recommender, "recommender")
    _check_port_free(args.port)


def _check_port_free(port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Tornado does: TIME_WAIT is free
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"--port {port}: already in use; stop what uses it or pick another port"
                ) from e
            raise UsageError(f"--port {port}: cannot listen there ({e.strerror})") from e


def _voila_command(args: argparse.Namespace) -> list[str]:
    command = [sys.executable, "-m", "voila", str(DEMO_NOTEBOOK), "--no-browser", f"--port={args.port}",
               "--Voila.ip=127.0.0.1", "--theme=light", f"--template={VOILA_TEMPLATE}", *PREHEAT]  # fmt: skip
    if args.idle_timeout > 0:
        command += [
            f"--MappingKernelManager.cull_idle_timeout={args.idle_timeout}",
            f"--MappingKernelManager.cull_interval={max(1, min(60, args.idle_timeout // 5))}",
            "--MappingKernelManager.cull_connected=False",  # an open tab keeps its kernel
        ]
    return command


def _voila_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    # the Voila kernel must import this very package, wherever it was imported from
    package_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(VOILA_DATA), env.get("JUPYTER_PATH")]))
    for name, value in (
        (ENV_DATA, args.data),
        (ENV_CAMPAIGN, args.campaign),
        (ENV_RECOMMENDER, args.recommender),
    ):
        env.pop(name, None)
        if value:
            env[name] = str(Path(value).resolve()) if name == ENV_DATA else str(value)
    return env


def _wait_until_answering(child: Any, port: int, timeout: float = 120) -> bool:
    """Poll a static file (a page request would start a kernel) until Voila answers or exits."""
    probe = f"http://127.0.0.1:{port}/voila/static/voila.js"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        try:
            with urllib.request.urlopen(urllib.request.Request(probe, method="HEAD"), timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer: the server is up
        except OSError:
            time.sleep(0.1)
    return False


def demo_command(args: argparse.Namespace) -> int:
    """Run Voila on the packaged copy of notebooks/04_stakeholder_demo.ipynb (same cells; a test checks)."""
    import signal
    import subprocess

    if importlib.util.find_spec("voila") is None:
        raise UsageError("needs Voila: pip install 'voila>=0.5.13'")
    _check_demo_args(args)
    child = subprocess.Popen(_voila_command(args), env=_voila_env(args))

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)  # `kill` on this command also stops Voila
    try:
        if not _wait_until_answering(child, args.port):
            child.terminate()
            raise UsageError(
                f"Voila did not start on port {args.port} (exit code {child.wait(10)}); see its log above"
            )
        print(f"personalize-lab demo: http://127.0.0.1:{args.port}/  (Ctrl-C to stop)", flush=True)
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------------------------------------- serve
def serve_command(args: argparse.Namespace, backend_factory: BackendFactory = default_backend_factory) -> int:
    """Check the address first (loading a store takes seconds), then load the data and serve."""
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a TCP port; give a number from 1 to 65535")
    if args.data is not None and not args.data.is_dir():
        raise UsageError(f"--data {args.data}: not a folder; give the folder that holds interactions.csv")
    _check_address(args.host, args.port)
    backend = backend_factory(args.data, args.demo)
    if getattr(args, "s3_root", None) is not None:
        backend.control.lifecycle.s3_root = args.s3_root
    try:
        server.serve(backend, args.host, args.port)
    except OSError as e:
        raise _address_error(args.host, args.port, e) from e
    return 0


def _check_address(host: str, port: int) -> None:
    """Bind and release the address, so a port in use or a foreign host is named before loading data."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
            probe.bind((host, port))
    except OSError as e:
        raise _address_error(host, port, e) from e


def _address_error(host: str, port: int, error: OSError) -> UsageError:
    if error.errno == errno.EADDRINUSE:
        return UsageError(f"--port {port}: already in use; stop what uses it or pick another port")
    if error.errno == errno.EACCES:
        return UsageError(f"--port {port}: not allowed for this user; pick a port from 1024 to 65535")
    return UsageError(
        f"--host {host}: cannot listen there ({error.strerror or error}); give an address of this "
        "machine, such as 127.0.0.1 or ::1"
    )


def main(argv: Sequence[str] | None = None, backend_factory: BackendFactory = default_backend_factory) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        if args.command == "serve":
            return serve_command(args, backend_factory)
        return demo_command(args)
    except (UsageError, PersonalizeLabError, ServiceException) as e:  # what the user can fix: no traceback
        print(f"personalize-lab {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
