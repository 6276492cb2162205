"""Shared test fixtures: the personas of DESIGN.md §1, a second agency, and case builders."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from casetrail.cases.models import Case
from casetrail.cases.writes import CaseInput, PartyInput
from casetrail.demo.personas import DEMO_PASSWORD, load_demo
from casetrail.lib.facts import recorded_models
from casetrail.lib.insert_only import _drop_sql, insert_only_tables, install_sql, missing_triggers
from casetrail.lib.ledgered import current_action
from casetrail.org.actions import agency_create, officer_create, unit_create
from casetrail.org.models import ApiToken, Officer, Role, Unit
from casetrail.start.actions import case_start_ex_officio

VALID_ID = "110101199003074514"

# Hypothesis: no per-example deadline (2 CPUs shared by parallel runs make timings noisy); the
# example count stays the default 100, which keeps each fuzzing test under a second or two.
hypothesis_settings.register_profile("casetrail", deadline=None)
hypothesis_settings.load_profile("casetrail")


@pytest.fixture(autouse=True)
def _keys(tmp_path_factory: Any) -> Any:
    """Tests sign checkpoints with a throw-away key, never the one under var/keys/ — a new folder
    per test: the pin of a key is a database row rolled back after each test, so a key file left
    by an earlier test would be a key "dropped into the folder" that ``verify`` reports."""
    from django.conf import settings

    from casetrail.ledger.keys import get_signer

    settings.CASETRAIL_KEY_DIR = tmp_path_factory.mktemp("keys")
    settings.CASETRAIL_SEAL_KEY_DIR = settings.CASETRAIL_KEY_DIR  # the documents' seals too
    get_signer.cache_clear()
    yield
    get_signer.cache_clear()


# Fixtures whose clocks are outside this process (a witness process, an OpenSSL TSA): their tests
# keep the real clock (see _agency_daytime).
REAL_CLOCK_FIXTURES = {"witness", "witnessed", "published", "tsa", "tsa_url"}
EARLY_HOURS = 7


@pytest.fixture(autouse=True)
def _agency_daytime(request: Any) -> Any:
    """Tests make records "an hour ago" on a case registered now. In the agency's small hours that
    is the day before the case was registered, which the records refuse (rightly: 不能早于案件登记
    日期) — so between midnight and 07:00 agency time a test runs on a clock moved forward to 07:00
    of the same day (ticking). Tests with an outside clock (a witness, a TSA) keep the real one."""
    now = timezone.localtime()
    uses_outside_clock = REAL_CLOCK_FIXTURES & set(request.fixturenames)
    if (
        now.hour >= EARLY_HOURS
        or uses_outside_clock
        or request.node.get_closest_marker("real_clock")
    ):
        yield
        return
    import time_machine

    with time_machine.travel(now.replace(hour=EARLY_HOURS, minute=0, second=0), tick=True):
        yield


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@pytest.fixture(autouse=True)
def _actions_are_the_only_writers(request: Any) -> Any:
    """Every write to a table of recorded facts happens inside a ledgered action (DESIGN §2).
    A test that alters rows behind the application on purpose (tampering, an expired certificate)
    says so with ``@pytest.mark.behind_the_application``."""
    if request.node.get_closest_marker("behind_the_application"):
        yield
        return
    tables = {model._meta.db_table for model, _ in recorded_models().values()}
    tables.add(ApiToken._meta.db_table)  # API tokens: only token_issue / token_revoke

    def guard(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        written = _WRITE.match(sql)
        if written and written.group(1) in tables and current_action() is None:
            raise AssertionError(
                f"{written.group(1)} written outside a ledgered action: {sql[:120]}"
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        yield


@pytest.fixture
def personas(db: Any) -> dict[str, Officer]:
    """zhang, li (handlers), wang (reviewer), zhao (approver), chen (legal), liu (custodian),
    sun (supervisor), admin — all of 陵川县民政局."""
    return load_demo()


@pytest.fixture
def other_agency(personas: dict[str, Officer]) -> dict[str, Officer]:
    """A second agency with its own handler pair, reviewer and approver."""
    agency = agency_create(
        name="陵川县市场监督管理局",
        credit_code="11140524MB7654321F",
        case_number_pattern="陵市监罚〔{year}〕{n}号",
    )
    unit = unit_create(agency=agency, name="执法股", kind=Unit.Kind.ORDINARY)
    today = timezone.localdate()  # the agency's date, not the machine's
    out = {}
    for username, role in [
        ("ma", Role.HANDLER),
        ("niu", Role.HANDLER),
        ("yang", Role.REVIEWER),
        ("zhu", Role.APPROVER),
        ("gou", Role.SUPERVISOR),
    ]:
        out[username] = officer_create(
            unit=unit,
            username=username,
            name=username,
            password=DEMO_PASSWORD,
            roles=[role],
            certificate_no=f"9900{len(out)}",
            valid_from=today - dt.timedelta(days=365),
            valid_to=today + dt.timedelta(days=365),
        )
    return out


def client_for(username: str | None) -> Client:
    client = Client()
    if username:
        assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def login() -> Any:
    return client_for


def case_input(personas: dict[str, Officer], **overrides: Any) -> CaseInput:
    zhang = personas["zhang"]
    values: dict[str, Any] = {
        "unit": zhang.unit,
        "title": "某养老机构未按规定备案擅自开展服务",
        "category": "elderly",
        "officers": [zhang, personas["li"]],
        "parties": [
            PartyInput(
                kind="person",
                name="周某",
                id_number=VALID_ID,
                phone="13912345678",
                address="山西省晋城市陵川县崇文镇某街12号",
            )
        ],
    }
    values.update(overrides)
    return CaseInput(**values)


def api_start(personas: dict[str, Officer], **overrides: Any) -> Any:
    """张承办 starts a case ex officio over the API, with 李承办 (行政处罚法第四十二条: two)."""
    body = {
        "unit": personas["zhang"].unit_id,
        "title": "某协会违规",
        "category": "social_org",
        "officers": [personas["zhang"].pk, personas["li"].pk],
        "parties": [{"kind": "person", "name": "周某"}],
        "reason": "举报",
        "party_facts": "周某",
        "opinion": "建议立案",
        **overrides,
    }
    return client_for("zhang").post("/api/cases/ex-officio/", body, content_type="application/json")


def start_ex_officio(personas: dict[str, Officer], **overrides: Any) -> Case:
    emergency = overrides.pop("emergency", False)
    return case_start_ex_officio(
        officer=personas["zhang"],
        data=case_input(personas, **overrides),
        reason="群众举报，经初步核实存在违法嫌疑",
        party_facts="周某，个体经营者",
        opinion="建议立案调查",
        emergency=emergency,
        emergency_reason="证据可能灭失" if emergency else "",
    )


@pytest.fixture
def new_case(personas: dict[str, Officer]) -> Case:
    return start_ex_officio(personas)


def approve_start(case: Case, personas: dict[str, Officer]) -> Case:
    from casetrail.approvals.actions import approval_decide
    from casetrail.approvals.models import Chain, ChainStatus

    chain = Chain.objects.get(case=case, kind="case_start")
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
    chain.refresh_from_db()
    if chain.status == ChainStatus.PENDING_LEGAL:
        approval_decide(chain=chain, officer=personas["chen"], outcome="approve", opinion="合法")
    approval_decide(chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意立案")
    case.refresh_from_db()
    return case


@pytest.fixture
def open_case(new_case: Case, personas: dict[str, Officer]) -> Case:
    return approve_start(new_case, personas)


_CLIPS = itertools.count(1)  # each clip's frames differ, so no two are one blob


def film(
    case: Case,
    officer: Officer,
    description: str = "现场执法过程",
    *,
    hours_ago: float = 0,
    late_reason: str = "",
) -> Any:
    """A one-second clip of ``case`` recorded just now (or ``hours_ago``, uploaded now with its
    ``late_reason``) on ``officer``'s camera, its time read from the file: audio/video coverage of
    the stage the case is in (第五条). Needs ``evidence_store``."""
    import tempfile
    from pathlib import Path

    from casetrail.evidence.actions import RecordInput, evidence_record_create
    from casetrail.evidence.ingest import store_bytes
    from casetrail.evidence.media import probe
    from casetrail.evidence.tests.media_files import make_video

    with tempfile.TemporaryDirectory() as folder:
        created = timezone.now() - dt.timedelta(hours=hours_ago)
        path = make_video(Path(folder) / "clip.mp4", created=created, seed=next(_CLIPS))
        data = path.read_bytes()
        media = probe(path)
    blob = store_bytes(officer=officer, data=data, media_type=media.pop("media_type"))
    return evidence_record_create(
        officer=officer,
        blob=blob,
        media=media,
        file_name="clip.mp4",
        data=RecordInput(
            kind="video",
            informed="told",
            informed_how="口头告知",
            description=description,
            late_reason=late_reason,
            case=case,
        ),
    )


@pytest.fixture
def evidence_store(settings: Any, tmp_path: Any) -> Any:
    """Blobs and partial uploads under a throw-away folder (file backend)."""
    settings.CASETRAIL_BLOB_DIR = tmp_path / "blobs"
    settings.CASETRAIL_UPLOAD_DIR = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs"), "file_permissions_mode": 0o444},
        },
    }
    return tmp_path


@pytest.fixture
def blob_uploads(monkeypatch: Any) -> list[tuple[str, list[str]]]:
    """Every blob stored from now on: (sha256, the database transactions open at that moment —
    ``[]`` when stored outside any, as #18 wants)."""
    from casetrail.evidence.storage import BlobStore
    from casetrail.lib.outside import open_transactions

    seen: list[tuple[str, list[str]]] = []
    put_file = BlobStore.put_file

    def spy(self: Any, sha256: str, source: Any, *, move: bool) -> None:
        seen.append((sha256, open_transactions()))
        put_file(self, sha256, source, move=move)

    monkeypatch.setattr(BlobStore, "put_file", spy)
    return seen


@pytest.fixture
def committed(django_db_setup: Any, django_db_blocker: Any, evidence_store: Any) -> Any:
    """The database without the test's wrapping transaction: threads see only committed rows.
    Afterwards the rows are removed behind the application — the insert-only triggers (第三十五条)
    lifted for that moment and put back — so the next test starts from an empty database.

    pytest-django creates the test database only when a collected test asks for ``db`` (or is
    marked ``django_db``): a module whose tests all use this fixture alone must hold one such
    test too, or this fixture would empty the real database — it refuses to."""
    import dj_database_url
    from django.conf import settings

    real = dj_database_url.parse(settings.DATABASE_URL)["NAME"]
    if connection.settings_dict["NAME"] == real:
        pytest.fail(f"no test database was set up: refusing to work on {real!r}")
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            connections.close_all()
            tables = insert_only_tables(connection)
            with connection.cursor() as cursor:
                for table in tables:
                    for sql in _drop_sql(connection.vendor, table):
                        cursor.execute(sql)
            call_command("flush", verbosity=0, interactive=False)
            with connection.cursor() as cursor:
                for table in tables:
                    for sql in install_sql(connection.vendor, table):
                        cursor.execute(sql)
            assert missing_triggers(connection) == []
