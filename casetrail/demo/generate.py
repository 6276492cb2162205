"""`casetrail generate --cases N --agencies K`: realistic data at scale (issue 18), through a bulk
path that writes exactly what the actions write.

How it stays exact: for each agency the three demo stories are first told through the real actions
(``casetrail.demo.stories``): every row, ledger entry and node they make is the actions' own. Those
cases are the templates. Each generated case is a copy of a template's ledger entries up to a point
in its life (so the generated cases stand in every stage, in realistic proportions), with

- new ids for every row the case owns (the case, its parties, officers, stage changes, records,
  signatures, attachments, approval chains and steps, exemptions, audio/video items and their
  links), the foreign keys and the references inside records' fields (a document pointing at
  another, a party) following them;
- other parties (names, ID numbers, phones), another title and a case number from the agency's
  counter (whose ledgered row follows, as the approval that numbers a case writes it);
- all its times — of rows, entries and dates inside records — moved by the same whole number of
  weeks into the past (within the current year, so numbers stay in one counter), so deadlines fall
  due and overdue as they would, and the copies of one template prefix moved by the same weeks
  share one deadline computation;
- for each audio/video item a blob of its own (the template's bytes and the case's id: real
  bytes with real SHA-256 and SM3 digests in the blob store), with its ``blob_ingest`` entry.

The rows are not written from the templates' tables but from the entries themselves: each row is
the last fact its case's entries record of it, which is exactly what `casetrail verify` compares.
Entries are canonicalised by the ledger's encoder and appended to the agency's log with every
perfect-subtree node, in batches of one transaction; the log is then checkpointed (signed, pinned
key) by the real checkpoint action, the cases' stored deadlines are computed by the deadline
registry once per copy class (cases copied from the same template prefix moved by the same days;
the records their titles name follow each copy; a sample of copies is recomputed one by one and
compared), and the planner statistics are refreshed.

Left out: entries whose extra payload keys hold ids other than rows (they keep the template's
values, e.g. a chain id beside its rows); poster frames of videos (derived, made on demand);
entry times are the moved action times, so they are not monotonic across cases.
"""

from __future__ import annotations

import collections.abc
import contextlib
import datetime as dt
import functools
import json
import multiprocessing
import os
import random
import re
import resource
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from casetrail.cases.models import Case, CaseNumberCounter, Stage
from casetrail.compliance.stored import matches_registry, refresh_case, refresh_marked, store_copies
from casetrail.demo import stories
from casetrail.demo.personas import DEMO_PASSWORD, PERSONAS, UNITS, load_demo
from casetrail.demo.story import Story
from casetrail.evidence.actions import device_register
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import Ledger, LedgerEntry, LedgerNode
from casetrail.ledger.tasks import make_checkpoint
from casetrail.lib import merkle
from casetrail.lib.canonical_json import canonicalize
from casetrail.lib.digests import MultiHasher
from casetrail.lib.facts import recorded_models
from casetrail.lib.planner import refresh_statistics
from casetrail.org.actions import agency_create, officer_create, unit_create
from casetrail.org.models import Agency, Officer
from casetrail.records.catalogue import entry as catalogue_entry

# The rows a case owns (copied with new ids); every other recorded row (officers, blobs of
# scans and signatures, the number counter) is shared with the template.
ITEM_TABLES = {"evidence.Item", "evidence.ItemLink", "evidence.AccessLog"}
BLOB = "evidence.Blob"
COUNTER = "cases.CaseNumberCounter"
RECORD = "records.Record"
# Share of generated cases in each stage (a county bureau's year: most cases closed).
STAGE_WEIGHTS = {
    Stage.START: 0.05,
    Stage.INVESTIGATION: 0.25,
    Stage.DECISION: 0.10,
    Stage.SERVICE: 0.15,
    Stage.CLOSED: 0.45,
}
# Share of each demo story among the templates: summary warnings, ordinary fines, major cases.
STORY_WEIGHTS = (0.4, 0.45, 0.15)
DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌海波宁晨阳"
ORG_KINDS = ["养老服务中心", "颐养院", "殡葬用品店", "社会工作服务社", "婚姻介绍所", "慈善协会"]
PLACES = ["崇文镇", "礼义镇", "附城镇", "西河底镇", "平城镇", "杨村镇", "潞城镇", "六泉乡"]
MATTERS = [
    "未按规定签订服务协议",
    "销售封建迷信殡葬用品",
    "未按强制性国家标准提供服务",
    "未按规定办理年度检查",
    "超出章程规定的宗旨和业务范围进行活动",
    "违规收取费用",
]


@dataclass
class Template:
    """One case told through the actions: its entries (parsed), the case's stage after each, and
    the blobs of its audio/video items."""

    agency: Agency
    ledger_id: int
    case_id: int
    entries: list[dict[str, Any]]
    stages: list[str]
    item_blobs: set[int]
    # Whether the standard library's JSON encoder (sorted keys, no spaces, no ASCII escaping) gave
    # exactly the canonical bytes (RFC 8785) of every entry: then it gives them for the copies too
    # (they differ only in strings and integers), at a fraction of the cost.
    fast: bool = False

    @functools.cached_property
    def texts(self) -> list[list[str]]:
        """Each entry as JSON, split at its dates: [text, date, text, date, …, text] (the dates
        ISO "YYYY-MM-DD"), so that a copy moves them without searching the text again."""
        return [_split_dates(_fast_json(e)) for e in self.entries]

    def prefixes_in(self, stage: str) -> list[int]:
        """Lengths of the entry prefixes after which the case is in ``stage``."""
        return [i + 1 for i, s in enumerate(self.stages) if s == stage]


@dataclass
class Log:
    """An agency's log while it grows: its size and the right frontier of nodes later appends
    need (the rightmost node of each level)."""

    ledger: Ledger
    size: int
    nodes: dict[tuple[int, int], bytes] = field(default_factory=dict)

    def append(self, canonical: bytes, out: list[tuple[int, int, int, bytes]]) -> int:
        seq = self.size
        leaf = merkle.leaf_hash(self.ledger.hash_name, canonical)
        for lv, ix, h in merkle.nodes_for_append(
            self.ledger.hash_name, lambda a, b: self.nodes[(a, b)], seq, leaf
        ):
            # Keep the frontier only: an append reads the rightmost node of a level (a left
            # sibling), so a level's previous node is dropped once the next one is made (a pop,
            # where filtering the whole frontier at every append was 4 % of the load's CPU).
            self.nodes.pop((lv, ix - 1), None)
            self.nodes[(lv, ix)] = h
            out.append((self.ledger.pk, lv, ix, h))
        self.size = seq + 1
        return seq


@dataclass
class Report:
    cases: int = 0
    entries: int = 0
    rows: int = 0
    blobs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # CPU of each phase, the forked deadline processes' included: on a shared machine the wall
    # time says more about the others' work than about this one's.
    cpu: dict[str, float] = field(default_factory=dict)
    # Of the bulk write's CPU, the copier's (None: copied in-process): the rest is the writer's,
    # and the larger of the two bounds the load's wall time on two free cores.
    copier_cpu: float | None = None

    def summary(self) -> str:
        phases = "，".join(
            f"{k} {v:.1f} 秒（CPU {self.cpu.get(k, 0.0):.1f} 秒）" for k, v in self.seconds.items()
        )
        copier = "" if self.copier_cpu is None else f"；复制进程 CPU {self.copier_cpu:.1f} 秒"
        return (
            f"generate: {self.cases:,} 个案件，{self.entries:,} 条日志，{self.rows:,} 行，"
            f"{self.blobs:,} 个音像文件（{phases}）{copier}"
        )


@dataclass
class Batch:
    """One transaction's worth of copied cases, as the copier hands it to the writer: the entries
    (ledger id, seq, time, action, subject, case, canonical JSON) in log order, the rows' values
    by table label, the number counters' last values by counter row id, the new members of copy
    classes ((template case, prefix length, days), case id, {template record: copy's record}),
    how many cases it holds, and its new audio/video blobs (SHA-256, bytes), which the writer
    stores: the copier's share of the load is the larger one."""

    entries: list[tuple[Any, ...]]
    rows: dict[str, list[tuple[Any, ...]]]
    counters: dict[int, int]
    classes: list[tuple[tuple[int, int, int], int, dict[int, int]]]
    cases: int
    files: list[tuple[str, bytes]]


# The batches of a load, closed early when the writer fails (the copier is then stopped).
Batches = collections.abc.Generator[Batch, None, None]


def credit_code(n: int) -> str:
    """A valid 统一社会信用代码 for the n-th generated agency (民政 其他, 陵川县)."""
    body = f"59140524MJ{n:07d}"
    return body + uscc.calc_check_digit(body)


def id_number(rng: random.Random) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
    body = f"140524{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body)


def agencies(count: int) -> list[dict[str, Officer]]:
    """The demo agency and ``count - 1`` more like it, each with its personas (keys as the demo's:
    zhang, li, wang, …), made through the actions."""
    out = [load_demo()]
    today = timezone.localdate()
    for n in range(2, count + 1):
        code = credit_code(n)
        agency = Agency.objects.filter(credit_code=code).first() or agency_create(
            name=f"生成测试机关{n}",
            credit_code=code,
            case_number_pattern=f"生成{n}罚〔{{year}}〕{{n}}号",
        )
        units = {u.name: u for u in agency.units.all()}
        for name, kind in UNITS:
            if name not in units:
                units[name] = unit_create(agency=agency, name=name, kind=kind)
        officers = {o.user.username: o for o in agency.officers.select_related("user")}
        personas = {}
        for username, name, unit, roles, cert in PERSONAS:
            login = f"{username}{n}"
            personas[username] = officers.get(login) or officer_create(
                unit=units[unit],
                username=login,
                name=name,
                password=DEMO_PASSWORD,
                roles=list(roles),
                certificate_no=f"{cert[:4]}{n:04d}{cert[-3:]}" if cert else "",
                valid_from=dt.date(today.year - 2, 1, 1) if cert else None,
                valid_to=dt.date(today.year + 3, 12, 31) if cert else None,
            )
        out.append(personas)
    return out


def _device(personas: dict[str, Officer], serial: str) -> Any:
    from casetrail.org.models import Device

    zhang = personas["zhang"]
    return Device.objects.filter(agency_id=zhang.agency_id, serial=serial).first() or (
        device_register(
            officer=personas["admin"], serial=serial, model="执法记录仪（生成）", assigned_to=zhang
        )
    )


def owned_tables() -> set[str]:
    """Recorded tables whose rows belong to one case (reached from it by their agency path)."""
    return {
        label
        for label, (_, path) in recorded_models().items()
        if label == "cases.Case" or path.startswith("case__") or "__case__" in path
    } | ITEM_TABLES


def templates_for(personas: dict[str, Officer], n: int) -> list[Template]:
    """The three demo stories told for this agency (once: found again by their titles)."""
    agency_id = personas["zhang"].agency_id
    device = _device(personas, f"GEN-DSJ-{n:04d}")
    owned = owned_tables()
    out = []
    for title, build in stories.STORIES:
        case = Case.objects.filter(agency_id=agency_id, title=title).order_by("id").first()
        if case is None:
            case = build(Story(personas, device, title))
        out.append(_template(case, owned))
    return out


def _facts(payload: Any) -> Iterator[dict[str, Any]]:
    """Every row fact inside a payload (its rows, and the rows of its effects)."""
    if isinstance(payload, dict):
        if "table" in payload and "id" in payload:
            yield payload
            return
        for value in payload.values():
            yield from _facts(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from _facts(value)


def _template(case: Case, owned: set[str]) -> Template:
    ledger = Ledger.objects.get(agency_id=case.agency_id)
    rows = LedgerEntry.objects.filter(ledger=ledger, case_ref=case.pk).order_by("seq")
    first = rows.values_list("seq", flat=True).first() or 0
    last = rows.order_by("-seq").values_list("seq", flat=True).first() or 0
    entries, stages, item_blobs = [], [], set()
    by_blob: dict[int, dict[str, Any]] = {}
    stage = Stage.START.value
    # The blobs of the case's items are ingested just before (entries without a case).
    span = LedgerEntry.objects.filter(ledger=ledger, seq__gte=max(first - 400, 0), seq__lte=last)
    fast = True
    for canonical, case_ref in span.order_by("seq").values_list("canonical", "case_ref"):
        entry = json.loads(canonical)
        fast = fast and _fast_json(entry) == canonical
        facts = list(_facts(entry["payload"]))
        if case_ref is None:
            for f in facts:
                if f["table"] == BLOB and entry["action"] == "evidence.blob_ingest":
                    by_blob[f["id"]] = entry
            continue
        if case_ref != case.pk:
            continue
        for f in facts:
            if f["table"] == "evidence.Item" and f["blob_id"] not in item_blobs:
                item_blobs.add(f["blob_id"])
                if f["blob_id"] in by_blob:
                    entries.append(by_blob[f["blob_id"]])
                    stages.append(stage)
            if f["table"] == "cases.Case":
                stage = f["stage"]
        entries.append(entry)
        stages.append(stage)
    # An ingest entry must come before the item naming its blob: keep the order found.
    return Template(case.agency, ledger.pk, case.pk, entries, stages, item_blobs, fast)


def _split_dates(text: str) -> list[str]:
    return DATE.split(text)


def _fast_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class Generator:
    """Copies templates into new cases, batch by batch (one transaction per batch)."""

    def __init__(
        self,
        templates: list[list[Template]],
        *,
        seed: int,
        batch: int,
        max_days: int | None = None,
    ) -> None:
        self.templates = templates
        self.rng = random.Random(seed)
        self.batch = batch
        self.owned = owned_tables()
        self.models = {label: model for label, (model, _) in recorded_models().items()}
        self.next_id = {
            label: (self.models[label]._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1
            for label in self.owned | {BLOB}
        }
        self.fk: dict[str, dict[str, str]] = {
            label: {
                f.attname: f.related_model._meta.label
                for f in self.models[label]._meta.concrete_fields
                if f.is_relation and isinstance(f.related_model, type)
            }
            for label in self.owned | {BLOB, COUNTER}
        }
        self.logs = {
            t.ledger_id: Log(Ledger.objects.get(pk=t.ledger_id), 0)
            for per_agency in templates
            for t in per_agency
        }
        self.counters: dict[tuple[int, int], int] = {}
        self.counter_rows: dict[tuple[int, int], int] = {}
        self.blob_bytes: dict[int, bytes] = {}
        self._files: list[tuple[str, bytes]] = []
        self.seed = seed
        self.made_dirs: set[Path] = set()
        self.store = blob_store()
        today = timezone.localdate()
        # Cases are moved up to this many days into the past (within the current year).
        self.max_days = max(min((today - dt.date(today.year, 1, 1)).days, max_days or 366), 1)
        self.report = Report()
        self.writers: dict[str, Writer] = {}
        self.dates: dict[int, dict[str, str]] = {}
        # Copy classes: the cases made of the same template prefix moved by the same days.
        # Each member: its case id and its records' ids by the template's record ids.
        self.classes: dict[tuple[int, int, int], list[tuple[int, dict[int, int]]]] = {}
        # The copier's side of the same: the members made since its last batch, and the size
        # each log will have after the entries copied so far (the copier numbers the entries).
        self._new_classes: list[tuple[tuple[int, int, int], int, dict[int, int]]] = []
        self.sizes: dict[int, int] = {}

    # --- one case ------------------------------------------------------------------------------

    def _new_id(self, label: str, ids: dict[tuple[str, int], int], old: int) -> int:
        key = (label, old)
        if key not in ids:
            ids[key] = self.next_id[label]
            self.next_id[label] += 1
        return ids[key]

    def _shifted(self, text: str, days: int) -> str:
        """``text`` (an entry as JSON) with every date in it — of rows, of the entry, inside
        records' fields — moved ``days`` into the past."""
        return self._moved(_split_dates(text), days)

    def _moved(self, parts: list[str], days: int) -> str:
        """``parts`` (from ``_split_dates``) joined, each date moved ``days`` into the past."""
        cache = self.dates.setdefault(days, {})
        out = parts.copy()
        for i in range(1, len(out), 2):
            found = cache.get(out[i])
            if found is None:
                day = dt.date.fromisoformat(out[i]) - dt.timedelta(days=days)
                found = cache[out[i]] = day.isoformat()
            out[i] = found
        return "".join(out)

    def _record_fields(
        self, fact: dict[str, Any], ids: dict[tuple[str, int], int], names: dict[int, str]
    ) -> None:
        """References inside a record's fields follow the copy: documents and parties."""
        doc = catalogue_entry(fact["kind"], fact.get("catalogue_version"))
        values = fact.get("fields")
        if doc is None or not isinstance(values, dict):
            return
        for f in doc.fields:
            value = values.get(f.name)
            if f.type in ("document", "documents"):
                for ref in value if isinstance(value, list) else [value]:
                    if isinstance(ref, dict) and isinstance(ref.get("id"), int):
                        ref["id"] = self._new_id("records.Record", ids, ref["id"])
            elif f.type == "party" and isinstance(value, dict) and isinstance(value.get("id"), int):
                value["id"] = self._new_id("cases.Party", ids, value["id"])
                value["name"] = names.get(value["id"], value.get("name", ""))
            elif f.type == "party" and isinstance(value, int):
                values[f.name] = self._new_id("cases.Party", ids, value)

    def _fact(self, fact: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        label = fact["table"]
        ids = c["ids"]
        copied = label in self.owned or (label == BLOB and fact["id"] in c["template"].item_blobs)
        if not copied and label != COUNTER:
            # Shared with the template (a signature's blob, an officer): recorded again as it is,
            # its times not moved.
            return cast(dict[str, Any], json.loads(self._shifted(_fast_json(fact), -c["days"])))
        new = fact
        if label == COUNTER:
            self._assign_number(fact["agency_id"], fact["year"], c)
            new["last"] = c["number_seq"]
            return new
        if label == BLOB:
            return self._blob(new, c)
        new["id"] = self._new_id(label, ids, fact["id"])
        for attname, target in self.fk[label].items():
            old = new.get(attname)
            if isinstance(old, int) and (
                target in self.owned
                or (target == BLOB and old in c["template"].item_blobs and label != BLOB)
            ):
                new[attname] = (
                    self._new_id(target, ids, old) if target != BLOB else c["blobs"][old]["id"]
                )
        if label == "cases.Case":
            new["title"] = c["title"]
            if new.get("number_seq") is not None:
                self._number(new, c)
        elif label == "cases.Party":
            new.update(c["party"])
            c["names"][new["id"]] = new["name"]
        elif label == "records.Record":
            self._record_fields(new, ids, c["names"])
        return new

    def _number(self, fact: dict[str, Any], c: dict[str, Any]) -> None:
        self._assign_number(fact["agency_id"], fact["number_year"], c)
        fact["number_seq"], fact["number"] = c["number_seq"], c["number"]

    def _assign_number(self, agency_id: int, year: int, c: dict[str, Any]) -> None:
        """The case's number, the next of the agency's counter for the year (once per case, as
        the approval that opens a case numbers it)."""
        if "number_seq" in c:
            return
        key = (agency_id, year)
        if key not in self.counters:
            # Read in ``start``: the copier does not touch the database.
            self.counters[key] = self.counter_start[key]
        self.counters[key] += 1
        c["number_seq"] = self.counters[key]
        c["number"] = c["template"].agency.format_case_number(year=year, n=self.counters[key])

    def _blob(self, fact: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
        """An audio/video item's own blob: the template's bytes followed by the case's id."""
        old = fact["id"]
        if old not in c["blobs"]:
            if old not in self.blob_bytes:
                self.blob_bytes[old] = b"".join(self.store.iter_bytes(fact["sha256"]))
            data = self.blob_bytes[old] + f"\n{c['case_key']}".encode()
            digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
            self._files.append((digests["sha256"], data))
            c["blobs"][old] = {
                "id": self.next_id[BLOB],
                "sha256": digests["sha256"],
                "sm3": digests["sm3"],
                "size": len(data),
            }
            self.next_id[BLOB] += 1
        fact.update(c["blobs"][old])
        return fact

    def _put(self, sha256: str, data: bytes) -> None:
        """Store a blob. On the file store the bytes are written read-only under their digest, not
        synced file by file (a bulk load, not an upload someone waits on): on PostgreSQL synced
        once per batch (``os.sync`` before the batch commits), on SQLite once at the end of the
        load (``_loading``), the database's own commits being unsynced meanwhile. Not asked
        whether the file exists first (an lstat per blob was an eighth of the copying's CPU on this
        machine): the bytes hold the new case's id, and a file left by a failed load under the
        same digest has the same bytes, replaced by the rename."""
        if not self.store.is_file:
            if self.store.exists(sha256):
                return
            with tempfile.NamedTemporaryFile(delete=False) as tmp:
                tmp.write(data)
            self.store.put_file(sha256, Path(tmp.name), move=True)
            return
        target = self.store.path(sha256)
        if target.parent not in self.made_dirs:
            # A blob's folder is made once (a mkdir per blob was 2 % of the load's CPU).
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made_dirs.add(target.parent)
        tmp_path = target.with_name(f".tmp-{target.name}")
        tmp_path.write_bytes(data)
        os.chmod(tmp_path, 0o444)
        os.rename(tmp_path, target)

    def _subject(self, subject: str, c: dict[str, Any]) -> str:
        prefix, _, rest = subject.partition(":")
        label = {
            "case": "cases.Case",
            "record": "records.Record",
            "chain": "approvals.Chain",
            "step": "approvals.Step",
            "evidence": "evidence.Item",
            "item": "evidence.Item",
            "party": "cases.Party",
        }.get(prefix)
        if label and rest.isdigit() and (label, int(rest)) in c["ids"]:
            return f"{prefix}:{c['ids'][(label, int(rest))]}"
        return subject

    def _case(self, template: Template, length: int) -> list[dict[str, Any]]:
        """The entries of one new case: the template's first ``length``, copied."""
        rng = self.rng
        person = rng.random() < 0.5
        place = rng.choice(PLACES)
        if person:
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            party = {
                "name": name,
                "id_number": id_number(rng),
                "phone": f"139{rng.randrange(10**8):08d}",
                "address": f"陵川县{place}{rng.randrange(1, 200)}号",
            }
        else:
            name = f"陵川县{place}{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(ORG_KINDS)}"
            party = {"name": name, "address": f"陵川县{place}{rng.randrange(1, 200)}号"}
        c: dict[str, Any] = {
            "template": template,
            "ids": {},
            "names": {},
            "blobs": {},
            # Whole weeks: the copies of one template prefix moved by the same days share their
            # deadlines, computed once per class (``deadlines``); at 10^5 cases whole weeks make
            # 8,598 classes where single days made 27,631. A case keeps the weekday its template
            # was told on: no copy lands its every action on a weekend.
            "days": 7 * rng.randrange((self.max_days - 1) // 7 + 1),
            "title": f"{name}{rng.choice(MATTERS)}案",
            "party": party,
        }
        # The new case's id first: it makes its blobs' bytes (and so their digests) unique.
        case_id = self._new_id("cases.Case", c["ids"], template.case_id)
        c["case_key"] = f"generated case {template.agency.credit_code} {case_id}"
        out = []
        for parts in template.texts[:length]:
            entry = json.loads(self._moved(parts, c["days"]))
            payload = self._walk(entry["payload"], c)
            if "case" in payload and isinstance(payload["case"], int):
                payload["case"] = self._new_id("cases.Case", c["ids"], payload["case"])
            if entry["action"] == "evidence.blob_ingest":
                for f in _facts(payload):
                    if f["table"] == BLOB:
                        payload.update({k: f[k] for k in ("sha256", "sm3", "size") if k in f})
            subject = entry["subject"]
            if subject.startswith("blob:"):
                blob = next((f for f in _facts(payload) if f["table"] == BLOB), None)
                subject = f"blob:{blob['sha256']}" if blob else subject
            else:
                subject = self._subject(subject, c)
            out.append(
                {
                    "action": entry["action"],
                    "actor": entry["actor"],
                    "payload": payload,
                    "subject": subject,
                    "time": entry["time"],
                    "case": payload.get("case"),
                }
            )
        records = {old: new for (label, old), new in c["ids"].items() if label == RECORD}
        self._new_classes.append(((template.case_id, length, c["days"]), case_id, records))
        return out

    def _walk(self, value: Any, c: dict[str, Any]) -> Any:
        if isinstance(value, dict):
            if "table" in value and "id" in value:
                return self._fact(dict(value), c)
            return {k: self._walk(v, c) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v, c) for v in value]
        return value

    # --- batches -------------------------------------------------------------------------------

    def pick(self) -> tuple[Template, int]:
        per_agency = self.rng.choice(self.templates)
        template = self.rng.choices(per_agency, weights=STORY_WEIGHTS)[0]
        stage = self.rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
        lengths = template.prefixes_in(stage) or [len(template.entries)]
        return template, self.rng.choice(lengths)

    def run(
        self,
        count: int,
        progress: Callable[[int], None] | None = None,
        *,
        copier: bool = True,
    ) -> None:
        """Copy ``count`` cases and write them, batch by batch. ``copier``: the copying (picks,
        ids, moved dates, parties, blobs, canonical JSON, row values) runs in a forked process
        of its own, handing each batch to this one through a pipe, while this one appends the
        previous batch to the logs and writes it: the two halves of the load on two cores. The
        copier never touches the database (everything it reads was read before the fork), so
        the result is the same as in-process, for the same seed, byte for byte."""
        batches = _copied(self, count) if copier and count > self.batch else self._produce(count)
        with contextlib.closing(batches):
            for batch in batches:
                self._write(batch)
                self.report.cases += batch.cases
                if progress:
                    progress(self.report.cases)
        self._finish()

    def _produce(self, count: int) -> Batches:
        """The batches of ``count`` new cases, copied (no database access)."""
        done = 0
        while done < count:
            n = min(self.batch, count - done)
            yield self._prepare([self.pick() for _ in range(n)])
            done += n

    def _prepare(self, picks: list[tuple[Template, int]]) -> Batch:
        """The copies of ``picks`` as rows and entries ready to insert (the entries' sequence
        numbers counted here: the writer checks them as it appends)."""
        rows: dict[tuple[str, int], dict[str, Any]] = {}
        entries: list[tuple[Any, ...]] = []
        sqlite = connection.vendor == "sqlite"
        for template, length in picks:
            sizes = self.sizes
            encode = _fast_json if template.fast else _canonical
            for e in self._case(template, length):
                for f in _facts(e["payload"]):
                    if f["table"] in self.owned or f["table"] == BLOB:
                        rows[(f["table"], f["id"])] = f
                seq = sizes[template.ledger_id]
                sizes[template.ledger_id] = seq + 1
                body = {k: e[k] for k in ("action", "actor", "payload", "subject", "time")}
                entries.append(
                    (
                        template.ledger_id,
                        seq,
                        _db_time(e["time"], sqlite),
                        e["action"],
                        e["subject"],
                        e["case"],
                        encode({**body, "seq": seq}),
                    )
                )
        by_table: dict[str, list[tuple[Any, ...]]] = {}
        for (label, _), fact in rows.items():
            if label == BLOB and fact["id"] < self._first_blob:
                continue  # a shared blob recorded again: its row exists
            by_table.setdefault(label, []).append(self._writer(label).row(fact))
        classes, self._new_classes = self._new_classes, []
        files, self._files = self._files, []
        return Batch(
            entries=entries,
            rows=by_table,
            counters={self.counter_rows[k]: last for k, last in self.counters.items()},
            classes=classes,
            cases=len(picks),
            files=files,
        )

    def _write(self, batch: Batch) -> None:
        """Append the batch's entries to their logs (every node) and write it, one transaction."""
        nodes: list[tuple[int, int, int, bytes]] = []
        for entry in batch.entries:
            log = self.logs[entry[0]]
            if log.append(entry[6].encode("utf-8"), nodes) != entry[1]:
                raise RuntimeError(f"日志 {entry[0]} 的序号与复制的条目不一致：{entry[1]}")
        for key, case_id, records in batch.classes:
            self.classes.setdefault(key, []).append((case_id, records))
        for sha256, data in batch.files:
            self._put(sha256, data)
        if self.store.is_file and connection.vendor != "sqlite":
            # The batch's blobs are on disk before the rows naming them commit. On SQLite the
            # load is synced once at its end (``_loading``): a sync per batch wrote every page the
            # batch dirtied to the disk again (46 GB written for a 10.7 GB database at 10^5).
            os.sync()
        with transaction.atomic(), connection.cursor() as cursor:
            for label, values in batch.rows.items():
                self._writer(label).insert.write(cursor, values)
            ENTRIES.write(cursor, batch.entries)
            NODES.write(cursor, nodes)
            for log in self.logs.values():
                Ledger.objects.filter(pk=log.ledger.pk).update(size=log.size)
            for pk, last in batch.counters.items():
                CaseNumberCounter.objects.filter(pk=pk).update(last=last)
        self.report.entries += len(batch.entries)
        self.report.rows += sum(len(v) for v in batch.rows.values())
        self.report.blobs += len(batch.files)

    def _writer(self, label: str) -> Writer:
        if label not in self.writers:
            self.writers[label] = Writer(self.models[label])
        return self.writers[label]

    def start(self) -> None:
        for log in self.logs.values():
            log.ledger.refresh_from_db()
            log.size = log.ledger.size
            log.nodes = _frontier(log.ledger)
        self._first_blob = self.next_id[BLOB]
        self.sizes = {pk: log.size for pk, log in self.logs.items()}
        agencies = {t.agency.pk for per_agency in self.templates for t in per_agency}
        self.counter_start: dict[tuple[int, int], int] = {}
        for row in CaseNumberCounter.objects.filter(agency_id__in=agencies):
            self.counter_start[(row.agency_id, row.year)] = row.last
            self.counter_rows[(row.agency_id, row.year)] = row.pk

    def deadlines(self, sample: int = 100, jobs: int = 1) -> int:
        """The generated cases' stored deadlines, computed by the registry once per copy class
        (the cases made of the same template prefix moved by the same days: at 10^5 cases a class
        holds several; each computation costs a few milliseconds and a dozen queries), the
        classes shared among ``jobs`` processes (forked, each with its own connection; one when
        the caller's transaction holds the rows, as a test's does). A sample of ``sample`` other
        cases is then computed one by one and compared: a class with a member that differs is
        computed case by case. Returns the number of classes recomputed so."""
        work = [
            (
                first,
                [
                    (case_id, {first_records[t]: r for t, r in recs.items() if t in first_records})
                    for case_id, recs in rest
                ],
            )
            for (first, first_records), *rest in self.classes.values()
        ]
        if jobs > 1 and len(work) > 1 and not connection.in_atomic_block:
            # Each process computes every jobs-th class: the classes come in the order the cases
            # were made, so each gets the same mix of templates and stages.
            connections.close_all()  # a forked process must not share the parent's connection
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                pool.map(_store_classes, [work[i::jobs] for i in range(jobs)])
        else:
            _store_classes(work)
        others = [(key, m[0]) for key, ms in self.classes.items() for m in ms[1:]]
        # A generator of its own for the sample: ``self.rng`` is the copier's (advanced in the
        # forked copier, not here), and the sample must not depend on where the copying ran.
        rng = random.Random(self.seed)
        wrong = {
            key
            for key, case_id in rng.sample(others, min(sample, len(others)))
            if not matches_registry(case_id)
        }
        for key in wrong:
            for case_id, _ in self.classes[key]:
                with transaction.atomic():
                    refresh_case(case_id)
        return len(wrong)

    def _finish(self) -> None:
        if connection.vendor == "postgresql":
            # Rows were written with explicit ids: move the sequences past them.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [self.models[label] for label in self.owned | {BLOB}]
                ):
                    cursor.execute(sql)


def _copied(gen: Generator, count: int) -> Batches:
    """``gen``'s batches of ``count`` cases copied by a forked process, received here in order.
    One batch in flight: the copier's send waits until this process has read the previous one, so
    memory holds two batches at most. A failure in the copier is raised here with its traceback;
    the copier is stopped when this generator is closed early (the writer failed)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    copier = context.Process(target=_copy, args=(gen, count, send), daemon=True)
    copier.start()
    send.close()
    try:
        while True:
            try:
                got = receive.recv()
            except EOFError:
                copier.join()
                raise RuntimeError(f"复制进程意外退出（退出码 {copier.exitcode}）") from None
            if isinstance(got, float):  # the end: the copier's CPU seconds
                gen.report.copier_cpu = got
                return
            if isinstance(got, str):
                raise RuntimeError(f"复制进程出错：\n{got}")
            yield got
    finally:
        receive.close()
        if copier.is_alive():
            copier.terminate()
        copier.join()


# The parent's database connections a forked copier inherited: kept referenced, never closed.
_INHERITED: list[Any] = []


def _copy(gen: Generator, count: int, send: Any) -> None:
    """The copier (a forked process): every batch of ``gen._produce`` sent in order, then its own
    CPU seconds (user + system); on a failure its traceback instead."""
    for conn in connections.all(initialized_only=True):
        # Neither used nor closed here: a query would interleave with the parent's on the same
        # socket or file, and closing (or freeing) a PostgreSQL connection ends the parent's
        # session. Should anything query, it opens a connection of its own.
        _INHERITED.append(conn.connection)
        conn.connection = None
    try:
        for batch in gen._produce(count):
            send.send(batch)
        own = resource.getrusage(resource.RUSAGE_SELF)
        send.send(own.ru_utime + own.ru_stime)
    except BaseException:
        with contextlib.suppress(OSError):  # the writer is gone: nothing to tell
            send.send(traceback.format_exc())
        raise
    finally:
        send.close()


def _store_classes(work: list[tuple[int, list[tuple[int, dict[int, int]]]]]) -> None:
    """Store the deadlines of these copy classes: (first case, [(copy, its records by the first
    case's records)]). The registry's computation reads outside any transaction and each class's
    rows are written in a short one of their own (``bulk_create``'s), so two processes take the
    database's write lock only to write, not while computing (on SQLite the lock is the whole
    database's, taken at BEGIN)."""
    with _unsynced():
        for first, copies in work:
            store_copies(Case.objects.select_related("agency", "unit").get(pk=first), copies)
    if not connection.in_atomic_block:
        connection.close()  # a forked worker's own connection


def _frontier(ledger: Ledger) -> dict[tuple[int, int], bytes]:
    """The nodes later appends read: the rightmost perfect node of each level."""
    size = ledger.size
    wanted = [
        (level, (size >> level) - 1)
        for level in range(size.bit_length())
        if (size >> level) and ((size >> level) - 1) % 2 == 0
    ]
    found = LedgerNode.objects.filter(ledger=ledger)
    out = {}
    for level, index in wanted:
        row = found.filter(level=level, index=index).values_list("hash", flat=True).first()
        if row is not None:
            out[(level, index)] = bytes(row)
    return out


class Writer:
    """The INSERT of one table from ledger facts, with each column's value as the database takes
    it (times: SQLite's text form, PostgreSQL's timestamptz from ISO 8601; JSON as text)."""

    def __init__(self, model: type[models.Model]) -> None:
        sqlite = connection.vendor == "sqlite"
        fields = list(model._meta.concrete_fields)
        self.insert = Insert(model._meta.db_table, tuple(f.column for f in fields))
        self.columns: list[tuple[str, Callable[[Any], Any] | None]] = []
        for f in fields:
            convert: Callable[[Any], Any] | None = None
            if isinstance(f, models.DateTimeField):
                convert = functools.partial(_db_time, sqlite=sqlite)
            elif isinstance(f, models.JSONField):
                convert = _fast_json
            self.columns.append(("id" if f.primary_key else f.attname, convert))

    def row(self, fact: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for name, convert in self.columns:
            value = fact.get(name)
            out.append(value if value is None or convert is None else convert(value))
        return tuple(out)


def _db_time(value: str, sqlite: bool) -> str:
    """A fact's time ("2026-11-30T14:42:23.855074Z", UTC) as the column stores it."""
    return value[:-1].replace("T", " ") if sqlite else value


def _canonical(value: Any) -> str:
    return canonicalize(value, name="entry").decode("utf-8")


@dataclass(frozen=True)
class Insert:
    """Rows of one table written in bulk: on PostgreSQL by ``COPY … FROM STDIN`` (one statement a
    table a batch, the rows streamed in COPY's text format, each value typed by the server as its
    column's input — as the INSERT's literals were), elsewhere by ``executemany`` of one INSERT.
    psycopg's pipelined ``executemany`` spent ≈ 40 µs of Python a row binding and merging each
    row's literals into its own statement, and the server parsed and planned each; the load's
    writer was two thirds that (profile of 2,000 cases: README, *Measured 2026-12-01 (fifth session)*)."""

    table: str
    columns: tuple[str, ...]

    def write(self, cursor: Any, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        if connection.vendor == "postgresql":
            # Django's wrapper has no COPY: its psycopg cursor has (the batch's transaction holds).
            with cursor.cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(self.columns))
        cursor.executemany(f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})", rows)


ENTRIES = Insert(
    LedgerEntry._meta.db_table,
    ("ledger_id", "seq", "time", "action", "subject", "case_ref", "canonical"),
)
NODES = Insert(LedgerNode._meta.db_table, ("ledger_id", "level", "index", "hash"))


@contextlib.contextmanager
def _unsynced() -> Iterator[None]:
    """On SQLite, commits not synced to disk while generating (``synchronous=OFF``; FULL again
    after, as settings set it): a bulk load of test data, thousands of batches each waiting on a
    sync otherwise. A crash meanwhile can lose the load, which is generated again; the data of
    a real agency never goes through here."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # (inside a transaction, a test's, SQLite cannot change it)
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=FULL")


# The bulk load's page cache on SQLite (KiB, negative as the PRAGMA takes it): the pages of the
# indexes a batch touches stay in memory between batches instead of being read back.
LOAD_CACHE_KIB = 128 * 1024


@contextlib.contextmanager
def _loading() -> Iterator[None]:
    """On SQLite, the bulk load written as a load, not as transactions someone waits on: unsynced
    (``_unsynced``), the rollback journal in memory instead of the WAL (``journal_mode=MEMORY``:
    each page a batch changes is written once, to the database, instead of to the WAL and then
    again by a checkpoint), a larger page cache and temporary tables in memory; everything synced
    to disk once at the end (``os.sync``: the blob files and the database), then WAL, FULL and
    the settings' cache again. A crash during the load can leave the database unusable, not only
    without the batch: the folder is generated again (the data of a real agency never goes
    through here)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # (inside a transaction, a test's, SQLite cannot change it)
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.execute(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
        cursor.execute("PRAGMA temp_store=MEMORY")
    try:
        with _unsynced():
            yield
    finally:
        os.sync()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA cache_size=-2000")  # SQLite's default: settings leave it
            cursor.execute("PRAGMA temp_store=DEFAULT")


def generate(
    *,
    cases: int,
    agencies_count: int = 1,
    seed: int = 1,
    batch: int = 200,
    max_days: int | None = None,
    jobs: int = 2,
    copier: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Build ``cases`` cases over ``agencies_count`` agencies; see the module's docstring.
    ``max_days`` narrows how far into the past cases are moved (default: since 1 January);
    ``jobs`` processes compute the stored deadlines; ``copier``: the cases are copied in a forked
    process beside the writer (``Generator.run``), the same data as without."""
    say = progress or (lambda _: None)
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}

    @contextlib.contextmanager
    def phase(name: str) -> Iterator[None]:
        wall, used = time.monotonic(), _cpu_seconds()
        yield
        seconds[name], cpu[name] = time.monotonic() - wall, _cpu_seconds() - used

    with phase("模板（真实动作）"):
        everyone = agencies(agencies_count)
        templates = [templates_for(p, n) for n, p in enumerate(everyone, start=1)]
    say(f"模板：{sum(len(t) for t in templates)} 个案件经真实动作办理完毕")
    gen = Generator(templates, seed=seed, batch=batch, max_days=max_days)
    gen.start()
    with phase("批量写入"), _loading():
        gen.run(cases, lambda n: say(f"已生成 {n:,} / {cases:,} 个案件"), copier=copier)
    with phase("检查点"):
        for log in gen.logs.values():
            # The real checkpoint action: signed with the log's pinned key (pinned on first use).
            make_checkpoint.call(ledger_id=log.ledger.pk)
    with phase("期限"):
        with _unsynced():
            wrong = gen.deadlines(jobs=jobs)
        if wrong:
            say(f"期限：{wrong} 类复制案件与逐案计算不一致，已逐案计算")
        refresh_marked()  # the templates' actions marked their cases: computed just now
    with phase("统计信息"):
        refresh_statistics(after_bulk_load=True)
    gen.report.seconds, gen.report.cpu = seconds, cpu
    return gen.report


def _cpu_seconds() -> float:
    """User and system CPU of this process and of its children waited for (the deadlines')."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
