"""The OpenAPI schema tells the truth (issue 10, item 16): real responses of every API endpoint,
for the personas, validated against /api/schema/ with schemathesis' response checks — status
documented, content type documented, body matching its schema, no server error.

The test walks every URL of the API: each operation of the schema is called with real ids (a case
with a record, an approval waiting, an evidence item, a device, a checkpoint) as a handler, a
reviewer, a supervisor, an administrator, another agency's officer and nobody; every POST is sent
an empty body too (its 400/403/404 must be documented), and the writes listed in ``BODIES`` a
valid body (their 201 must be documented). A URL of the API missing from the schema fails the test,
as does a path parameter the test has no value for — add it to ``path_values``."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from casetrail.approvals.models import Chain
from casetrail.conftest import approve_start, client_for, start_ex_officio
from casetrail.evidence.actions import device_register
from casetrail.evidence.models import Item, Upload
from casetrail.evidence.tests.helpers import upload
from casetrail.evidence.tests.media_files import jpeg_bytes
from casetrail.ledger.checkpoints import checkpoint_all
from casetrail.ledger.models import Checkpoint
from casetrail.org.actions import token_issue
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.tests.conftest import interview

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Protocol endpoints outside the OpenAPI schema: tus 1.0 (its own specification, tested with a
# tus client in casetrail/evidence/tests/test_tus_faults.py).
NOT_IN_SCHEMA = {"tus-uploads", "tus-upload"}
PERSONAS = ("zhang", "wang", "sun", "admin", "ma", None)


def path_values(world: dict[str, Any]) -> dict[str, Any]:
    """A real value for every path parameter of the API."""
    return {
        "case_id": world["case"].pk,
        "chain_id": world["chain"].pk,
        "record_id": world["record"].pk,
        "item_id": world["item"].pk,
        "upload_id": str(world["upload"].pk),
        "officer_id": world["personas"]["li"].pk,
        "device_id": world["device"].pk,
        "token_id": world["token"].pk,
        "agency": world["case"].agency.credit_code,
        "seq": 1,
        # The latest checkpoint of the agency's log (public, read-only endpoints).
        "size": Checkpoint.objects.filter(ledger__agency=world["case"].agency).latest().size,
        "code": "interview_record",
        "version": CATALOGUE["interview_record"].version,
        "act": "advance",
        "finding_id": world["finding"].pk,
        # 调用单 (issue 13): none in this world, so its endpoints answer their documented 404.
        "request_id": 1,
        "token": "no-such-link",
        "move": "order",
        "publication_id": world["publication"].pk,
        "sample_id": world["sample"].pk,
        "document_id": 10**9,  # no such 文书: answered 404 as the schema says
        "report_id": world["report"].pk,
    }


def _record_body(world: dict[str, Any]) -> dict[str, Any]:
    from casetrail.tests.test_field_faults import record_payload

    return record_payload(world["case"], world["personas"], "evidence_request_notice")


# Requests with headers: a Range (206) and one beyond the file (416).
HEADERS: dict[tuple[str, str], list[dict[str, str]]] = {
    ("/api/evidence/{item_id}/media", "get"): [
        {"Range": "bytes=0-9"},
        {"Range": "bytes=99999999-"},
    ],
}

# Valid bodies of some writes: (persona, body) for (path, method); their success answers are
# validated too.
BODIES: dict[tuple[str, str], Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    ("/api/cases/{case_id}/records/", "post"): lambda w: ("zhang", _record_body(w)),
    ("/api/approvals/{chain_id}/decide/", "post"): lambda w: (
        "wang",
        {"outcome": "return", "opinion": "请补充当事人基本情况"},
    ),
    ("/api/devices/", "post"): lambda w: ("admin", {"serial": "CAM-9", "model": "DSJ"}),
    ("/api/devices/{device_id}/", "post"): lambda w: ("admin", {"status": "active"}),
    ("/api/evidence/{item_id}/link/", "post"): lambda w: ("zhang", {"case": w["case"].pk}),
    ("/api/records/{record_id}/correct/", "post"): lambda w: (
        "zhang",
        {"fields": {"place": "陵川县民政局二楼询问室"}, "reason": "地点笔误", "signatures": []},
    ),
    ("/api/officers/{officer_id}/roles/", "post"): lambda w: (
        "admin",
        {"add": ["reviewer"], "reason": "兼任审核"},
    ),
    ("/api/me/token/", "post"): lambda w: ("zhang", {}),
    ("/api/findings/{finding_id}/{move}/", "post"): lambda w: (
        "sun",
        {"text": "限期改正", "deadline": (timezone.localdate() + dt.timedelta(days=7)).isoformat()},
    ),
    ("/api/cases/ex-officio/", "post"): lambda w: (
        "zhang",
        {
            "unit": w["personas"]["zhang"].unit_id,
            "title": "某协会违规",
            "category": "social_org",
            "officers": [w["personas"]["zhang"].pk, w["personas"]["li"].pk],
            "parties": [{"kind": "person", "name": "周某"}],
            "reason": "举报",
            "party_facts": "周某",
            "opinion": "建议立案",
        },
    ),
}


def _finding(personas: dict[str, Any]) -> Any:
    """A finding of the agency (oversight): a verification report that found a difference."""
    from casetrail.ledger.actions import verification_request
    from casetrail.ledger.verification import verification_finish
    from casetrail.oversight.models import Finding
    from casetrail.oversight.refresh import refresh

    run = verification_request(officer=personas["sun"])
    verification_finish(run=run, findings=["blob 9f86d0: sha256 differs"], summary="1")
    refresh(agency=personas["sun"].agency)
    return Finding.objects.get(kind="verify_failed")


def _publication(personas: dict[str, Any]) -> Any:
    """A 公示 draft (oversight) of a 行政执法决定书 made on the spot."""
    from casetrail.oversight.actions import publication_prepare
    from casetrail.records.models import Record
    from casetrail.start.tests.summary_builders import on_the_spot

    case = on_the_spot(personas)
    decision = Record.objects.get(case=case, kind="administrative_decision")
    return publication_prepare(case=case, decision=decision, officer=personas["sun"])


def _report(personas: dict[str, Any]) -> Any:
    """A 评议考核 report (oversight) of this year."""
    from casetrail.oversight.actions import report_issue

    return report_issue(officer=personas["sun"], period=str(timezone.localdate().year))


def _sample(personas: dict[str, Any]) -> Any:
    """An 抽查 draw (oversight) of this month's closed cases: a start the reviewer refused."""
    from casetrail.approvals.actions import approval_decide
    from casetrail.oversight.actions import sample_draw

    refused = start_ex_officio(personas, title="不予立案")
    chain = Chain.objects.get(case=refused, kind="case_start")
    approval_decide(chain=chain, officer=personas["wang"], outcome="refuse", opinion="不予立案")
    month = timezone.localdate().strftime("%Y-%m")
    return sample_draw(officer=personas["sun"], period=month, size=1)


@pytest.fixture
def world(personas, other_agency, evidence_store) -> dict[str, Any]:
    case = approve_start(start_ex_officio(personas), personas)
    pending = start_ex_officio(personas)  # its start waits for 王审核
    record = interview(case, personas)
    zhang = client_for("zhang")
    taken = timezone.localtime() - dt.timedelta(hours=1)
    meta = {
        "filename": "现场.jpg",
        "kind": "photo",
        "case": str(case.pk),
        "informed": "told",
        "informed_how": "口头告知",
    }
    upload(zhang, jpeg_bytes(taken=taken), meta)
    device = device_register(officer=personas["admin"], serial="CAM-1", model="DSJ-V9")
    token = token_issue(by=personas["li"], officer=personas["li"], name="采集站").token
    checkpoint_all()
    return {
        "finding": _finding(personas),
        "publication": _publication(personas),
        "sample": _sample(personas),
        "report": _report(personas),
        "personas": personas,
        "case": case,
        "chain": Chain.objects.get(case=pending),
        "record": record,
        "item": Item.objects.get(),
        "upload": Upload.objects.get(),
        "device": device,
        "token": token,
    }


@functools.cache
def api_schema() -> tuple[dict[str, Any], Any]:
    """The schema as /api/schema/ serves it (it depends on the code only, so it is made once)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
    return raw, schemathesis.openapi.from_dict(raw)


def _api_routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _api_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name or ""


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _as_response(answer: Any, method: str, url: str) -> Response:
    """Django's test response as schemathesis' own response."""
    content = b"".join(answer.streaming_content) if answer.streaming else answer.content
    return Response(
        status_code=answer.status_code,
        headers={name.lower(): [value] for name, value in answer.headers.items()},
        content=content,
        request=requests.Request(method.upper(), f"http://testserver{url}").prepare(),
        elapsed=0.0,
        message=answer.reason_phrase,
        encoding=answer.charset,
        http_version="1.1",
        verify=True,
    )


def _summary(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None) or [exc]
    return " | ".join(str(e).splitlines()[0] + " " + " ".join(str(e).split())[:300] for e in inner)


def test_it_documents_every_api_url():
    schema, _ = api_schema()
    routes = {
        _openapi_path(route): name
        for route, name in _api_routes(get_resolver().url_patterns)
        if route.startswith("api/")
        and name not in NOT_IN_SCHEMA
        and route not in ("api/schema/", "api/docs/")
    }
    missing = sorted(set(routes) - set(schema["paths"]))
    assert not missing, f"API URLs missing from the OpenAPI schema: {missing}"


def test_it_answers_every_endpoint_as_its_schema_says(world):
    raw, schema = api_schema()
    values = path_values(world)
    clients: dict[str | None, Client] = {p: client_for(p) for p in PERSONAS}
    failures: list[str] = []
    calls = 0
    for path, operations in raw["paths"].items():
        for method in operations:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            names = re.findall(r"{(\w+)}", path)
            unknown = [n for n in names if n not in values]
            assert not unknown, f"{path}: add a value for {unknown} to path_values()"
            url = path.format(**{n: values[n] for n in names})
            requests_to_make: list[tuple[str | None, Any, dict[str, str]]] = []
            if method == "get":
                requests_to_make = [(p, None, {}) for p in PERSONAS]
                requests_to_make += [("zhang", None, h) for h in HEADERS.get((path, method), [])]
            else:
                requests_to_make = [("zhang", {}, {}), ("ma", {}, {}), (None, {}, {})]
                example = BODIES.get((path, method))
                if example is not None:
                    requests_to_make.insert(0, (*example(world), {}))
            for persona, body, headers in requests_to_make:
                answer = clients[persona].generic(
                    method.upper(),
                    url,
                    b"" if body is None else json.dumps(body),
                    content_type="application/json",
                    headers=headers,
                )
                calls += 1
                case = schema[path][method.upper()].Case(
                    path_parameters={n: values[n] for n in names},
                    body=body if body is not None else schemathesis.core.NOT_SET,
                    media_type="application/json" if body is not None else None,
                )
                try:
                    case.validate_response(_as_response(answer, method, url), checks=CHECKS)
                except BaseExceptionGroup as exc:  # schemathesis' FailureGroup
                    failures.append(f"{method.upper()} {url} as {persona}: {_summary(exc)}")
    assert calls > 100
    assert not failures, "\n\n".join(failures)


@settings(max_examples=5, suppress_health_check=list(HealthCheck), deadline=None)
@given(data=st.data())
def test_it_answers_generated_queries_as_its_schema_says(world, data):
    """Bounded schemathesis generation: for every GET operation, query parameters drawn from the
    schema (any integers, any strings) on real ids; never a server error, always as documented."""
    raw, schema = api_schema()
    values = path_values(world)
    zhang = client_for("zhang")
    for path, operations in raw["paths"].items():
        if "get" not in operations:
            continue
        operation = schema[path]["GET"]
        case = data.draw(operation.as_strategy(), label=path)
        names = re.findall(r"{(\w+)}", path)
        case.path_parameters = {n: values[n] for n in names}
        url = path.format(**case.path_parameters)
        query = urlencode(case.query or {}, doseq=True)
        answer = zhang.get(f"{url}?{query}" if query else url)
        case.validate_response(_as_response(answer, "get", url), checks=CHECKS)
