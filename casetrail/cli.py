"""The `casetrail` console script: `manage.py` plus `run` (server and task worker together).

`casetrail demo`, `casetrail token <user>` and the rest are management commands, so they work the
same through `python manage.py …`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def _run(argv: list[str]) -> int:
    """Migrate, then serve with gunicorn and run the task worker beside it until interrupted."""
    from django.conf import settings
    from django.core.management import call_command

    bind = os.environ.get("CASETRAIL_BIND", "127.0.0.1:8000")
    workers = os.environ.get("CASETRAIL_WEB_WORKERS", "3")
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)

    from casetrail.ledger.keys import KeyError_, ensure_key, get_signer

    try:
        ensure_key()  # the checkpoint signing key, created once with 0600 permissions
        get_signer()  # a damaged key stops start-up here, plainly, instead of at the first checkpoint
    except KeyError_ as exc:
        print(f"无法启动：{exc}", file=sys.stderr)
        return 1
    children: list[subprocess.Popen[bytes]] = [
        subprocess.Popen([sys.executable, "-m", "casetrail.cli", "scheduler"])
    ]
    if settings.CASETRAIL_TASKS == "db":
        children.append(subprocess.Popen([sys.executable, "-m", "casetrail.cli", "db_worker"]))
    elif settings.CASETRAIL_TASKS == "rq":
        children.append(subprocess.Popen([sys.executable, "-m", "casetrail.cli", "rqworker"]))
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "casetrail.wsgi:application",
            "--bind",
            bind,
            "--workers",
            workers,
            "--timeout",
            "600",
            "--access-logfile",
            "-",
            *argv,
        ]
    )
    children.append(web)
    print(f"CaseTrail 已启动：http://{bind}/  （按 Ctrl+C 停止）", flush=True)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = web.wait()
    finally:
        stop()
        for child in children:
            child.wait()
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    import django

    if len(argv) > 1 and argv[1] == "run":
        django.setup()
        return _run(argv[2:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["casetrail", *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
