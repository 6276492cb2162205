"""The demo stays readable: one module per demo case, each a story of actions in short steps."""

from __future__ import annotations

import ast
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1]


def test_it_keeps_every_demo_function_short():
    long = []
    for path in sorted(DEMO.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 80:
                long.append(f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, f"split these into steps of a story: {long}"


def test_it_tells_each_demo_case_in_its_own_module():
    from casetrail.demo import stories

    assert [build.__module__ for _, build in stories.STORIES] == [
        "casetrail.demo.summary_warning",
        "casetrail.demo.ordinary_fine",
        "casetrail.demo.major_enforcement",
    ]
