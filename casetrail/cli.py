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

    bind = settings.CASETRAIL_BIND
    from casetrail.org.checks import embedded_key_refused

    refused = embedded_key_refused()
    if refused:
        print(f"无法启动：{refused}", file=sys.stderr)
        return 1
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)

    from casetrail.ledger.key_actions import check_keys
    from casetrail.ledger.keys import KeyError_

    try:
        # Each log's checkpoint key (created once, 0600, and pinned): a damaged or swapped key
        # stops start-up here, plainly, instead of at the first checkpoint.
        check_keys()
    except KeyError_ as exc:
        print(f"无法启动：{exc}", file=sys.stderr)
        return 1
    children: list[subprocess.Popen[bytes]] = []
    if not settings.CASETRAIL_WITNESSES and settings.CASETRAIL_LOCAL_WITNESS:
        # Default configuration: a local witness with its own state folder and key, so a newcomer
        # sees witnessed checkpoints; a real deployment names witnesses run by other bodies.
        from casetrail.ledger.models import LedgerKey
        from casetrail.ledger.witness_server import ensure_witness_key
        from casetrail.ledger.witnesses import register_log_key

        ensure_witness_key(settings.CASETRAIL_WITNESS_DIR, "casetrail-local-witness")
        for vkey in LedgerKey.objects.values_list("vkey", flat=True):
            register_log_key(vkey)
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "casetrail.ledger.witness_server",
                    "--state",
                    str(settings.CASETRAIL_WITNESS_DIR),
                    "--name",
                    "casetrail-local-witness",
                    "--listen",
                    settings.CASETRAIL_LOCAL_WITNESS_BIND,
                    # With a TSA configured the local witness checks its tokens too.
                    *(
                        ["--tsa-ca", str(settings.CASETRAIL_TSA_CA)]
                        if settings.CASETRAIL_TSA_CA
                        else []
                    ),
                ]
            )
        )
    children.append(subprocess.Popen([sys.executable, "-m", "casetrail.cli", "scheduler"]))
    if settings.CASETRAIL_TASKS == "db":
        children.append(subprocess.Popen([sys.executable, "-m", "casetrail.cli", "db_worker"]))
    elif settings.CASETRAIL_TASKS == "rq":
        children.append(subprocess.Popen([sys.executable, "-m", "casetrail.cli", "rqworker"]))
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "casetrail.wsgi:application", *gunicorn_options(), *argv]
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


def gunicorn_options(
    *,
    bind: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
    keepalive: int | None = None,
) -> list[str]:
    """gunicorn's options as `casetrail run` serves (bind, workers, threads, keep-alive from the
    settings unless given): gthread workers, 600 s timeout (long uploads), access log to stdout,
    no control socket.
    The benchmarks serve their same-run reference with the same options."""
    from django.conf import settings

    return [
        "--bind",
        bind or settings.CASETRAIL_BIND,
        "--worker-class",
        "gthread",
        "--workers",
        str(workers or settings.CASETRAIL_WEB_WORKERS),
        "--threads",
        str(threads or settings.CASETRAIL_WEB_THREADS),
        "--keep-alive",
        str(settings.CASETRAIL_WEB_KEEPALIVE if keepalive is None else keepalive),
        "--timeout",
        "600",
        "--access-logfile",
        "-",
        # gunicorn 27 opens a control socket at one fixed path per user (~/.gunicorn/gunicorn.ctl):
        # a second server on the machine (another instance behind the same address, a benchmark's
        # reference) would take it over. Nothing here uses it.
        "--no-control-socket",
    ]


RUN_HELP = """用法：casetrail run [gunicorn 参数…]

迁移数据库，然后启动 gunicorn（CASETRAIL_BIND，默认 127.0.0.1:8000；gthread 工作进程
CASETRAIL_WEB_WORKERS 默认 3，每进程线程 CASETRAIL_WEB_THREADS 默认 8，长连接保持 CASETRAIL_WEB_KEEPALIVE 默认 75 秒）、
后台任务进程和定时任务（casetrail scheduler），按 Ctrl+C 停止。其余参数原样交给 gunicorn。"""


def command_name(name: str) -> str:
    """Both spellings of a command work: `check-deadlines` is `check_deadlines` (Django's command
    modules use underscores; the README and operators write hyphens)."""
    from django.core.management import get_commands

    if name == "createsuperuser":  # Django's, then recorded in every agency's ledger (issue 15)
        return "platform_superuser"
    if "-" in name and name not in get_commands():
        candidate = name.replace("-", "_")
        if candidate in get_commands():
            return candidate
    return name


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    import django

    if len(argv) > 1 and argv[1] == "run":
        if {"-h", "--help"} & set(argv[2:]):
            print(RUN_HELP)
            return 0
        django.setup()
        return _run(argv[2:])
    from django.core.management import execute_from_command_line

    if len(argv) > 1:
        django.setup()
        argv[1] = command_name(argv[1])
    execute_from_command_line(["casetrail", *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
