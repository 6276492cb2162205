"""`casetrail generate` (issue 18): cases copied in bulk from the demo stories told through the
actions — every row recorded by an entry of the agency's log, the log checkpointed — so that
`casetrail verify` finds nothing; the cases stand in several stages, with their own parties,
numbers, audio/video blobs and stored deadlines, and read like any other case."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from casetrail.cases.models import Case, Party, SearchGram
from casetrail.cases.search import grams_from_facts
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.models import CaseDeadline
from casetrail.compliance.stored import matches_registry
from casetrail.conftest import client_for
from casetrail.demo.generate import (
    Generator,
    _copied,
    agencies,
    generate,
    owned_tables,
    templates_for,
)
from casetrail.demo.stories import STORIES
from casetrail.evidence.models import Blob, Item
from casetrail.ledger.models import Checkpoint, LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.lib.facts import recorded_models
from casetrail.records.models import Record

# The generator writes in bulk what the actions wrote for the templates: outside an action, by
# design (each row is the last fact an entry of its case records).
pytestmark = pytest.mark.behind_the_application

TEMPLATES = {title for title, _ in STORIES}
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def generated(personas, evidence_store):
    report = generate(cases=24, agencies_count=1, seed=7, batch=10)
    return report


def made(**filters):
    return Case.objects.exclude(title__in=TEMPLATES).filter(**filters)


def test_it_generates_cases_that_verify_finds_intact(generated):
    assert generated.cases == 24 and made().count() == 24
    assert generated.entries > 24 and generated.blobs > 0
    report = verify()
    assert report.findings == []
    assert report.rows >= generated.rows and report.checkpoints == 1
    assert Checkpoint.objects.get().size == LedgerEntry.objects.count()


def test_it_spreads_the_cases_over_stages_with_their_own_parties_and_numbers(generated):
    stages = set(made().values_list("stage", flat=True))
    assert len(stages) >= 3
    numbers = [n for n in made().values_list("number", flat=True) if n]
    assert numbers and len(numbers) == len(set(numbers))
    names = set(Party.objects.filter(case__in=made()).values_list("name", flat=True))
    assert len(names) >= 12
    # The case list's search index is filled by its triggers as the rows are written in bulk.
    assert set(SearchGram.objects.values_list("agency_id", "gram", "case_id")) == grams_from_facts()
    # Each audio/video item has a blob of its own, in the store, with real digests.
    items = Item.objects.filter(link__case__in=made())
    assert items.exists()
    assert items.values("blob").distinct().count() == items.count()
    assert Blob.objects.filter(pk__in=items.values("blob")).count() == items.count()


def test_the_generated_cases_have_their_deadlines_and_read_like_others(generated, personas):
    for case in made()[:8]:
        stored = {(r.rule, r.due_at, r.done) for r in CaseDeadline.objects.filter(case=case)}
        assert stored == {(d.rule, d.due_at, d.done) for d in deadlines_of(case)}
    case = made().filter(assignments__officer=personas["zhang"]).first()
    assert client_for("zhang").get(f"/cases/{case.pk}/").status_code == 200
    name = case.parties.first().name
    page = client_for("sun").get("/cases/", {"q": name}).content.decode()
    assert case.title in page
    assert client_for("zhang").get("/").status_code == 200


def test_it_stores_each_copy_class_deadlines_as_the_registry_computes_them_case_by_case(
    personas, evidence_store
):
    # Moved by at most one day, 30 cases fall into a few copy classes, computed once each.
    generate(cases=30, agencies_count=1, seed=3, batch=10, max_days=1)
    classes = Counter((case.stage, case.records.count()) for case in made())
    assert max(classes.values()) > 1
    for case in made():
        assert matches_registry(case.pk), case.title
        for row in CaseDeadline.objects.filter(case=case, title__contains="#"):
            # The record a deadline names is the case's own, not the class's first case's.
            record_id = int(row.title.rsplit("#", 1)[1].rstrip("）"))
            assert Record.objects.filter(pk=record_id, case=case).exists()


def copies(*, copier: bool, seed: int, count: int = 25, batch: int = 10):
    """The batches a generator on the demo agency's templates makes (nothing written)."""
    templates = [templates_for(p, n) for n, p in enumerate(agencies(1), start=1)]
    gen = Generator(templates, seed=seed, batch=batch)
    gen.start()
    return list(_copied(gen, count) if copier else gen._produce(count))


def test_it_copies_the_same_cases_in_a_forked_copier_as_in_process_for_a_seed(
    personas, evidence_store
):
    forked = copies(copier=True, seed=5)
    assert [b.cases for b in forked] == [10, 10, 5]
    assert forked == copies(copier=False, seed=5)
    # Entries numbered in log order across the batches, classes and blobs reported with them.
    seqs = [e[1] for b in forked for e in b.entries]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert sum(len(b.classes) for b in forked) == 25 and sum(len(b.files) for b in forked) > 0
    assert made().count() == 0  # the copier writes nothing: the writer does
    assert copies(copier=True, seed=6) != forked


def test_a_failure_in_the_copier_is_raised_by_the_writer(personas, evidence_store, monkeypatch):
    def broken(self, template, length):
        raise ValueError("模板损坏")

    monkeypatch.setattr(Generator, "_case", broken)
    with pytest.raises(RuntimeError, match=r"(?s)复制进程出错：.*模板损坏"):
        copies(copier=True, seed=5)
    assert made().count() == 0


def test_verify_finds_a_generated_row_changed_behind_the_application(generated):
    case = made().first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET title = %s WHERE id = %s", ["改过的案由", case.pk])
    findings = verify().findings
    assert f'cases_case {case.pk}: field "title" differs' in " ".join(findings), findings


def test_the_command_builds_each_agency_with_its_own_log_and_refuses_bad_counts(
    personas, evidence_store, capsys
):
    call_command("generate", cases=6, agencies=2, batch=4)
    out = capsys.readouterr().out
    assert "generate: 6 个案件" in out and "复制进程 CPU" in out
    assert made().count() == 6
    assert Checkpoint.objects.count() == 2  # one signed checkpoint per agency's log
    assert verify().findings == []
    with pytest.raises(CommandError):
        call_command("generate", cases=-1)
    with pytest.raises(CommandError):
        call_command("generate", cases=1, agencies=0)


CHECK_LOADED = """
import django; django.setup()
from django.db import connection
from casetrail.cases.models import Case
from casetrail.compliance.models import CaseDeadline
from casetrail.compliance.stored import matches_registry
from casetrail.demo.stories import STORIES
from casetrail.ledger.verify import verify
from casetrail.lib.facts import recorded_models
made = Case.objects.exclude(title__in=[t for t, _ in STORIES])
assert made.count() == 16, made.count()
assert CaseDeadline.objects.filter(case__in=made).exists()
wrong = [c.pk for c in made if not matches_registry(c.pk)]
assert not wrong, wrong
assert verify().findings == []
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
"""


def test_it_loads_a_database_file_as_the_command_does_with_two_deadline_processes(tmp_path):
    # Outside a test's transaction, as `casetrail generate` runs: the load with its journal in
    # memory and unsynced, the deadlines computed by two forked processes. What it leaves is what
    # the tests above check in-process: verify finds nothing, each generated case's stored
    # deadlines are the registry's, and the database is back in WAL for the application.
    env = {
        **os.environ,
        "CASETRAIL_VAR_DIR": str(tmp_path),
        "CASETRAIL_BLOB_DIR": str(tmp_path / "blobs"),
        "CASETRAIL_DEMO": "1",
        "CASETRAIL_TESTING": "1",  # the tests' password hasher: the personas are made fast
        "DJANGO_SETTINGS_MODULE": "casetrail.settings",
    }
    env.pop("DATABASE_URL", None)  # a file of its own, on PostgreSQL runs too

    def run(*argv):
        done = subprocess.run(
            [sys.executable, *argv], env=env, capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    run("-m", "casetrail.cli", "migrate", "-v0")
    out = run("-m", "casetrail.cli", "generate", "--cases", "16", "--batch", "5", "--jobs", "2")
    assert "generate: 16 个案件" in out
    assert run("-c", CHECK_LOADED).strip().splitlines()[-1] == "wal"


# Columns a copy holds on purpose differently from its template (other parties, title, number).
REPLACED = {
    "cases.Case": {"title", "number", "number_seq"},
    "cases.Party": {"name", "id_number", "phone", "address"},
    "records.Record": {"fields"},  # the parties' names and the documents' ids inside
}


def case_rows(label, model, path, case_id):
    """The rows of table ``label`` that belong to the case, oldest first, without their ids and
    the references to the case's other rows (a copy's are its own), nor what ``REPLACED`` lists."""
    if label == "cases.Case":
        rows = model.objects.filter(pk=case_id)
    elif label.startswith("evidence."):
        to_case = {"evidence.Item": "link__case", "evidence.ItemLink": "case"}
        rows = model.objects.filter(**{to_case.get(label, "item__link__case"): case_id})
    else:
        rows = model.objects.filter(**{path.split("case__")[0] + "case": case_id})
    owned = owned_tables() | {"evidence.Blob"}
    dropped = REPLACED.get(label, set()) | {
        f.attname
        for f in model._meta.concrete_fields
        if f.primary_key or (f.is_relation and f.related_model._meta.label in owned)
    }
    return [
        {k: v for k, v in row.items() if k not in dropped}
        for row in rows.distinct().order_by("pk").values()
    ]


def test_it_writes_a_whole_copy_column_for_column_as_the_actions_wrote_its_template(
    personas, evidence_store
):
    # Each demo story copied whole and not moved in time: every row of every table the case
    # owns, read back through the ORM, holds what the actions wrote for the template — the
    # columns no ledger fact carries, the times, booleans and JSON as the database stored them
    # (on PostgreSQL the rows go by COPY, typed by the server: the actions' by INSERT).
    templates = templates_for(personas, 1)
    gen = Generator([templates], seed=4, batch=10, max_days=1)
    gen.start()
    batch = gen._prepare([(t, len(t.entries)) for t in templates])
    gen._write(batch)
    gen._finish()
    copied = {key[0]: case_id for key, case_id, _ in batch.classes}
    assert sorted(copied) == sorted(t.case_id for t in templates)
    compared = set()
    for label, (model, path) in recorded_models().items():
        if label not in owned_tables():
            continue
        for template, copy in copied.items():
            rows = case_rows(label, model, path, template)
            assert case_rows(label, model, path, copy) == rows, label
            compared |= {label} if rows else set()
    assert {"cases.Case", "records.Record", "evidence.Item", "approvals.Step"} <= compared
    assert verify().findings == []
