"""The users of the load bench (``bench/load.py`` runs them with Locust, headless): officers reading
pages in the browser's way (a session from the login form) and officers' scripts writing through
the API (a token): records made with ``POST /api/cases/<id>/records/`` and small photos uploaded
over tus. ``HelloUser`` asks the same-run reference (a Django hello-world) at the same pace.

What to ask for comes from the JSON file named by ``CASETRAIL_LOAD_TARGETS`` (written by
``bench/load.py``): the password, who reads and a session of each, the writers' tokens and officer
ids, the cases in 调查取证 that the writers handle (with a party each) and the party name to search
for.

Every answer outside what the request expects is a Locust failure, named by its status and, for
the API, its error code, so the report says what went wrong, not only how often.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import itertools
import json
import os
import random
import re
import urllib.parse
from typing import Any

from locust import HttpUser, between, task

TARGETS: dict[str, Any] = json.loads(open(os.environ["CASETRAIL_LOAD_TARGETS"]).read())
THINK = (float(os.environ.get("CASETRAIL_LOAD_THINK_MIN", "1")),
         float(os.environ.get("CASETRAIL_LOAD_THINK_MAX", "3")))  # fmt: skip
_readers = itertools.cycle(TARGETS.get("readers", []))
_writers = itertools.cycle(TARGETS.get("writers", []))
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# A signature as the pad draws it: a 1×1 PNG is enough for the record's digest and storage.
PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def fail(resp: Any, expected: str) -> None:
    code = ""
    try:
        code = resp.json().get("code", "")
    except Exception:  # not JSON: an HTML error page or nothing
        pass
    resp.failure(f"{resp.status_code} {code or ''} (expected {expected})".replace("  ", " "))


class Reader(HttpUser):
    """An officer in the browser: worklist, case list (default, by stage, searched), case pages."""

    weight = 3
    wait_time = between(*THINK)

    def on_start(self) -> None:
        # A session made before the run (``bench/load.py`` logs each reader in once): 75 logins
        # at once would measure the password hash (PBKDF2, 10^6 rounds, ~0.4 s of a core each)
        # for the whole first minute. Logins under load are the ``login`` task's.
        self.username = next(_readers)
        for pair in TARGETS["sessions"][self.username].split("; "):
            name, _, value = pair.partition("=")
            self.client.cookies.set(name, value)

    @task(1)
    def login(self) -> None:
        """The login form again, as a new browser: the form, then the password."""
        self.client.cookies.clear()
        page = self.client.get("/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": TARGETS["password"],
                "csrfmiddlewaretoken": token[1] if token else "",
            },
            headers={"Referer": f"{self.host}/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as resp:
            if resp.status_code != 302:
                fail(resp, "302")

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                fail(r, "200")

    @task(3)
    def worklist(self) -> None:
        self._get("/", "worklist")

    @task(3)
    def case_list(self) -> None:
        self._get("/cases/", "case list")

    @task(1)
    def by_stage(self) -> None:
        self._get("/cases/?stage=investigation", "case list by stage")

    @task(1)
    def search(self) -> None:
        self._get(f"/cases/?q={urllib.parse.quote(TARGETS['party_name'])}", "case list search")

    @task(3)
    def case_page(self) -> None:
        case = random.choice(TARGETS["cases"])
        self._get(f"/cases/{case['id']}/", "case page")


class Writer(HttpUser):
    """An officer's script with a token: records on cases in 调查取证, photos over tus."""

    weight = 1
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.me = next(_writers)
        self.auth = {"Authorization": f"Token {self.me['token']}"}

    @task(3)
    def record(self) -> None:
        case = random.choice(TARGETS["cases"])
        now = dt.datetime.now(SHANGHAI)
        # Not before the case's registration day (datetime_before_case): a case registered just
        # after midnight refuses an interview begun the evening before.
        started = max(now - dt.timedelta(minutes=50), dt.datetime.fromisoformat(case["created_at"]))
        ended = max(now - dt.timedelta(minutes=20), started)
        body = {
            "kind": "interview_record",
            "fields": {
                "started_at": started.isoformat(timespec="minutes"),
                "ended_at": ended.isoformat(timespec="minutes"),
                "place": "崇文镇某养老院",
                "interviewee": {"name": "周某"},
                "interviewee_role": "party",
                "party": case["party"],
                "recorder": self.me["officer"],
                "rights_told": True,
                "content": "问：你是否知道本次询问的原因？答：知道。",
                "read_back": True,
            },
            "officers_present": [{"id": o, "shown": True} for o in case["officers"]],
            "signatures": [
                {"key": "officers", "name": self.me["name"], "method": "drawn", "image": PNG},
                {
                    "key": "interviewee",
                    "name": "周某",
                    "method": "refused",
                    "refusal_reason": "拒签",
                },
            ],
        }
        with self.client.post(
            f"/api/cases/{case['id']}/records/",
            json=body,
            headers=self.auth,
            name="record (API)",
            catch_response=True,
        ) as resp:
            if resp.status_code != 201:
                fail(resp, "201")

    @task(1)
    def upload(self) -> None:
        case = random.choice(TARGETS["cases"])
        data = jpeg(dt.datetime.now(SHANGHAI) - dt.timedelta(minutes=10))
        meta = {
            "filename": "现场照片.jpg",
            "filetype": "image/jpeg",
            "kind": "photo",
            "case": str(case["id"]),
            "place": "崇文镇某养老院",
            "informed": "told",
            "informed_how": "口头告知",
            "description": "现场照片",
        }
        tus = {**self.auth, "Tus-Resumable": "1.0.0"}
        with self.client.post(
            "/api/uploads/",
            headers={
                **tus,
                "Upload-Length": str(len(data)),
                "Upload-Metadata": ",".join(
                    f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items()
                ),
            },
            name="tus create",
            catch_response=True,
        ) as resp:
            if resp.status_code != 201:
                fail(resp, "201")
                return
            where = urllib.parse.urlsplit(resp.headers["Location"]).path
        with self.client.request(
            "PATCH",
            where,
            data=data,
            headers={
                **tus,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
            name="tus patch (photo)",
            catch_response=True,
        ) as resp:
            if resp.status_code != 204 or resp.headers.get("CaseTrail-Upload-State") != "done":
                fail(resp, "204 done")


class HelloUser(HttpUser):
    """The same-run reference: the same pace against a Django hello-world."""

    weight = 1
    wait_time = between(*THINK)

    @task
    def hello(self) -> None:
        self.client.get("/", name="hello-world")


def jpeg(taken: dt.datetime) -> bytes:
    """A small photo of its own (random pixels: each upload a new blob) with its EXIF time."""
    from PIL import Image

    image = Image.frombytes("RGB", (64, 48), os.urandom(64 * 48 * 3))
    exif = Image.Exif()
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x0132] = stamp
    exif.get_ifd(0x8769)[0x9003] = stamp  # DateTimeOriginal
    exif.get_ifd(0x8769)[0x9011] = "+08:00"  # OffsetTimeOriginal
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
