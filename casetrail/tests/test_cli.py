"""Every command the README shows works as written, in either spelling."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from casetrail.cli import command_name, main

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED = sorted(set(re.findall(r"`casetrail ([a-z][a-z_-]+)", README.read_text("utf-8"))))


def test_it_finds_the_commands_the_readme_lists():
    assert {"run", "demo", "verify", "check-deadlines", "import-av", "token"} <= set(DOCUMENTED)


@pytest.mark.parametrize("command", DOCUMENTED)
def test_it_answers_help_for_every_documented_command(command, capsys):
    try:
        code = main(["casetrail", command, "--help"])
    except SystemExit as exit_:  # argparse exits after printing the help
        code = int(exit_.code or 0)
    assert code == 0
    assert capsys.readouterr().out.strip()


def test_it_accepts_both_spellings_of_a_command():
    assert command_name("check-deadlines") == "check_deadlines"
    assert command_name("check_deadlines") == "check_deadlines"
    assert command_name("verify-blobs") == "verify_blobs"
    assert command_name("no-such-command") == "no-such-command"  # Django says it is unknown


def test_it_serves_with_the_loaded_project_out_of_the_collectors_reach():
    # Issue 18: a full garbage collection no longer walks the objects the project loaded.
    code = (
        "import gc; assert gc.get_freeze_count() == 0\n"
        "import casetrail.wsgi\n"
        "assert 'casetrail.cases.views' in __import__('sys').modules\n"
        "assert gc.get_freeze_count() > 50_000, gc.get_freeze_count()\n"
    )
    env = {**os.environ, "CASETRAIL_DEMO": "1", "DJANGO_SETTINGS_MODULE": "casetrail.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
