"""The ledgered-action helper: one transaction, exactly one ledger entry, side effects after commit;
and the walk over every app's actions module."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from django.apps import apps
from django.db import transaction

from casetrail.cases.models import Case
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.ledgered import Act, ActionName, action, current_action, step
from casetrail.org.models import Unit


class Probe(ActionName):
    ONE = "test.one"
    NONE = "test.none"
    TWO = "test.two"
    OUTER = "test.outer"


def test_every_public_function_of_an_actions_module_is_a_ledgered_action():
    walked = []
    for config in apps.get_app_configs():
        if not config.name.startswith("casetrail."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.actions")
        except ModuleNotFoundError:
            continue
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            walked.append(f"{module.__name__}.{name}")
            assert getattr(fn, "__ledgered_action__", None), (
                f"{module.__name__}.{name} is public in an actions module but not an @action: "
                "every write goes through the ledgered-action helper"
            )
    # The walk really saw every app's actions.
    assert {
        "casetrail.org.actions.agency_create",
        "casetrail.start.actions.complaint_notify",
    } <= set(walked)
    assert len(walked) >= 30


def _names(cls: type[ActionName]) -> list[ActionName]:
    out = list(cls)
    for sub in cls.__subclasses__():
        out += _names(sub)
    return out


def test_action_names_are_one_fixed_enum_of_app_verbs():
    names = [n for n in _names(ActionName) if not n.startswith("test.")]
    values = [str(n) for n in names]
    assert len(values) == len(set(values)), "an action name is declared twice"
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", v) for v in values), values
    with pytest.raises(TypeError):
        action("case.advance")  # type: ignore[arg-type]  # a free string is refused


def test_an_action_records_exactly_one_entry_in_its_transaction(
    personas, django_capture_on_commit_callbacks
):
    agency = personas["zhang"].agency
    ran: list[str] = []

    @action(Probe.ONE)
    def make_unit(act: Act, /, *, name: str) -> Unit:
        assert current_action() is act
        unit = Unit.objects.create(agency=agency, name=name, kind=Unit.Kind.ORDINARY)
        act.record(agency=agency, actor=None, subject=f"unit:{unit.pk}", rows=[unit])
        act.on_commit(lambda: ran.append("after commit"))
        return unit

    before = LedgerEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        unit = make_unit(name="测试股")
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert LedgerEntry.objects.count() == before + 1
    assert entry.action == "test.one" and entry.entry["payload"]["rows"][0]["id"] == unit.pk
    assert ran == ["after commit"] and current_action() is None


def test_an_action_without_its_entry_or_with_two_writes_nothing(personas):
    agency = personas["zhang"].agency

    @action(Probe.NONE)
    def silent(act: Act, /) -> None:
        Unit.objects.create(agency=agency, name="无记录股", kind=Unit.Kind.ORDINARY)

    @action(Probe.TWO)
    def twice(act: Act, /) -> None:
        unit = Unit.objects.create(agency=agency, name="两次股", kind=Unit.Kind.ORDINARY)
        act.record(agency=agency, actor=None, subject="unit", rows=[unit])
        act.record(agency=agency, actor=None, subject="unit", rows=[unit])

    before = LedgerEntry.objects.count()
    with pytest.raises(RuntimeError, match="wrote no ledger entry"):
        silent()
    with pytest.raises(RuntimeError, match="second ledger entry"):
        twice()
    assert LedgerEntry.objects.count() == before
    assert not Unit.objects.filter(name__in=["无记录股", "两次股"]).exists()


def test_an_action_is_never_nested_and_a_step_needs_an_action(personas):
    @step
    def building_block() -> str:
        return "written"

    @action(Probe.OUTER)
    def outer(act: Act, /) -> None:
        silent_inner()

    @action(Probe.ONE)
    def silent_inner(act: Act, /) -> None:
        raise AssertionError("never reached")

    with pytest.raises(RuntimeError, match=r"called inside action test\.outer"):
        outer()
    with pytest.raises(RuntimeError, match="call it inside an action"):
        building_block()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        # An action opens its own durable transaction: never inside someone else's.
        silent_inner()


def test_the_suite_refuses_a_recorded_row_written_outside_an_action(personas):
    # The autouse guard of conftest.py: the same statement an action would run, without one.
    with pytest.raises(AssertionError, match="written outside a ledgered action"):
        Case.objects.filter(pk=0).update(title="x")
