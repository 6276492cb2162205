"""What happens when a chain of each kind ends: the effect functions, by dotted path so that
`approvals` does not import the apps that use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

EFFECTS: dict[str, str] = {
    "case_start": "casetrail.cases.actions.start_chain_ended",
    "application_decision": "casetrail.cases.actions.application_chain_ended",
    "complaint_decision": "casetrail.cases.actions.complaint_chain_ended",
}


def effect_for(kind: str) -> Callable[..., dict[str, Any]]:
    fn: Callable[..., dict[str, Any]] = import_string(EFFECTS[kind])
    return fn
