"""The ``personalize-lab`` command: ``serve`` runs the local Personalize over HTTP for the AWS CLI and SDKs;
``demo`` serves the stakeholder Storefront as a Voila page (``personalize-lab demo [--port 8866]``).

Usage: ``personalize-lab serve --data DIR [--port 8765] [--host 127.0.0.1]`` or ``personalize-lab serve
--demo``. The backend is built by a factory (``backend_factory(data, demo)``), so the engine decides how a
data directory becomes a local Personalize; the server only wires it to HTTP.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from personalize_lab.emulator import server

BackendFactory = Callable[[Path | None, bool], Any]


def default_backend_factory(data: Path | None, demo: bool) -> Any:
    """``LocalPersonalize.demo()`` or ``LocalPersonalize.from_csv(data)``, imported only when serving."""
    engine = getattr(importlib.import_module("personalize_lab.emulator"), "LocalPersonalize", None)
    if engine is None:
        raise SystemExit(
            "personalize-lab serve: this installation has no local engine "
            "(personalize_lab.emulator.LocalPersonalize); update personalize-lab to a version that has it"
        )
    return engine.demo() if demo else engine.from_csv(data)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="personalize-lab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the local Personalize over HTTP (AWS CLI: --endpoint-url http://127.0.0.1:PORT)",
        description="Serve the local Personalize over HTTP. Credentials are not checked: any key works.",
    )
    source = serve.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, metavar="DIR", help="interactions.csv (+ items, users, schemas)")
    source.add_argument("--demo", action="store_true", help="the built-in synthetic demo store")
    serve.add_argument("--port", type=int, default=server.DEFAULT_PORT, help="default %(default)s")
    serve.add_argument(
        "--host",
        default=server.DEFAULT_HOST,
        help="default %(default)s (loopback only); a wider address is reachable by others (warns)",
    )
    demo = commands.add_parser(
        "demo",
        help="start the stakeholder demo (Voila on the Storefront notebook) on 127.0.0.1 and print its URL",
        description="Serve the stakeholder Storefront as a Voila page on 127.0.0.1 (Ctrl-C stops it).",
    )
    demo.add_argument("--port", type=int, default=8866, help="default %(default)s")
    return parser


DEMO_NOTEBOOK = Path(__file__).resolve().parent / "widgets" / "stakeholder_demo.ipynb"

# Voila keeps one kernel with the notebook already executed (import, Lab.demo(), the Storefront), so a
# visitor waits only for the page's JavaScript (~2 s, not ~6-9 s); the next is pre-executed behind it
PREHEAT = ["--preheat_kernel=True", "--pool_size=1"]


def demo_command(args: argparse.Namespace) -> int:
    """Run Voila on the packaged copy of notebooks/04_stakeholder_demo.ipynb (same cells; a test checks)."""
    import os
    import signal
    import subprocess

    if importlib.util.find_spec("voila") is None:
        raise SystemExit("personalize-lab demo needs Voila: pip install 'voila>=0.5.13'")
    env = dict(os.environ)
    # the Voila kernel must import this very package, wherever it was imported from
    package_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    url = f"http://127.0.0.1:{args.port}/"
    print(f"personalize-lab demo: {url}  (Ctrl-C to stop)", flush=True)
    command = [sys.executable, "-m", "voila", str(DEMO_NOTEBOOK), "--no-browser", f"--port={args.port}",
               "--Voila.ip=127.0.0.1", "--theme=light"]  # fmt: skip
    command += PREHEAT
    child = subprocess.Popen(command, env=env)

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)  # `kill` on this command also stops Voila
    try:
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


def serve_command(args: argparse.Namespace, backend_factory: BackendFactory = default_backend_factory) -> int:
    if args.data is not None and not args.data.is_dir():
        raise SystemExit(f"personalize-lab serve: --data {args.data} is not a directory")
    backend = backend_factory(args.data, args.demo)
    server.serve(backend, args.host, args.port)
    return 0


def main(argv: Sequence[str] | None = None, backend_factory: BackendFactory = default_backend_factory) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if args.command == "serve":
        return serve_command(args, backend_factory)
    if args.command == "demo":
        return demo_command(args)
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    raise SystemExit(main())
