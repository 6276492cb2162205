"""Kill the real server (SIGKILL, gunicorn master and worker) in the middle of a PATCH, start it
again, and resume the upload over HTTP from the acknowledged offset: the blob is whole and right."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import json
import sqlite3
import time
from pathlib import Path

import pytest

from casetrail.evidence.tests.media_files import make_video
from casetrail.evidence.tests.server import Server, free_port, prepare, server_env

# Other processes (a server, workers) keep the real clock: so does this test process.
pytestmark = pytest.mark.real_clock


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def _req(
    port: int, method: str, url: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request per connection: gunicorn's sync workers close the connection after each."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, url, body=body, headers=headers)
    r = conn.getresponse()
    content = r.read()
    conn.close()
    return r, content


def test_it_resumes_an_upload_after_the_server_is_killed(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    env = server_env(var)
    token = prepare(var, env)
    data = make_video(
        tmp_path / "v.mp4", created=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), seconds=6
    ).read_bytes()
    assert len(data) > 3000
    auth = {"Authorization": f"Token {token}", "Tus-Resumable": "1.0.0"}
    port = free_port()
    server = Server(var, env, port)
    with server:
        meta = ",".join(
            f"{k} {_b64(v)}"
            for k, v in {
                "filename": "kill.mp4",
                "kind": "video",
                "informed": "told",
                "informed_how": "口头告知",
            }.items()
        )
        r, _ = _req(
            port,
            "POST",
            "/api/uploads/",
            {**auth, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
        )
        assert r.status == 201
        url = r.getheader("Location").replace(f"http://127.0.0.1:{port}", "")
        first = len(data) // 3
        patch = {**auth, "Content-Type": "application/offset+octet-stream"}
        r, _ = _req(port, "PATCH", url, {**patch, "Upload-Offset": "0"}, data[:first])
        assert r.status == 204 and r.getheader("Upload-Offset") == str(first)
        # Start the next PATCH, send half its body, then kill the server mid-request.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.putrequest("PATCH", url)
        for k, v in {
            **patch,
            "Upload-Offset": str(first),
            "Content-Length": str(len(data) - first),
        }.items():
            conn.putheader(k, v)
        conn.endheaders()
        conn.send(data[first : first + (len(data) - first) // 2])
        part = next((var / "uploads").glob("*.part"))
        for _ in range(200):  # the worker has written some of it
            if part.stat().st_size > first:
                break
            time.sleep(0.01)
        server.kill()
        conn.close()
    with Server(var, env, port):
        for attempt in range(50):  # as any tus client does: retry HEAD until the server answers
            try:
                r, _ = _req(port, "HEAD", url, auth)
                break
            except ConnectionError:
                if attempt == 49:
                    raise
                time.sleep(0.1)
        assert r.status == 200
        offset = int(r.getheader("Upload-Offset"))
        assert offset == first  # exactly the acknowledged bytes; the torn tail was cut away
        r, _ = _req(port, "PATCH", url, {**patch, "Upload-Offset": str(offset)}, data[offset:])
        assert r.status == 204, r.status
        assert r.getheader("CaseTrail-Upload-State") == "done"
        item = r.getheader("CaseTrail-Evidence")
        _, content = _req(port, "GET", f"/api/evidence/{item}/", auth)
        body = json.loads(content)
        assert body["blob"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert body["blob"]["sm3"] == hashlib.new("sm3", data).hexdigest()
    db = sqlite3.connect(var / "db.sqlite3")
    # One blob for these bytes (the demo's own media are other blobs).
    sha = hashlib.sha256(data).hexdigest()
    assert (
        db.execute("select count(*) from evidence_blob where sha256 = ?", [sha]).fetchone()[0] == 1
    )
    db.close()
