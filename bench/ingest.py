"""Ingest benchmark: tus upload over HTTP vs. a plain read + SHA-256 + SM3 + write of the same file.

Starts the real server (gunicorn, 1 sync worker by default, its own SQLite file and var/ folder in
a temporary directory), generates WAV files (valid audio of any size: a header and noise) of the
given sizes, uploads each through tus in chunks with http.client, and reports:

* the baseline: read the file in 1 MiB blocks, SHA-256 + SM3 each block, write a copy, fsync;
* the upload: POST + PATCHes until the server answers that the record is made (the server streams
  to its part file, hashes as it goes, probes the media, moves the file into the blob store,
  ledgers the blob and the record);
* throughput of both, their ratio, and the peak resident memory (VmHWM) of the server processes.

    .venv/bin/python bench/ingest.py                 # 100 MiB and 1 GiB
    .venv/bin/python bench/ingest.py --sizes 100     # MiB
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import http.client
import os
import platform
import shutil
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from casetrail.evidence.tests.server import Server, free_port, prepare, server_env

MIB = 1024 * 1024


def make_wav(path: Path, size: int) -> None:
    """A valid PCM WAV of exactly ``size`` bytes filled with pseudo-random noise."""
    data_len = size - 44
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 2, 48000, 48000 * 4, 4, 16)
    header += b"data" + struct.pack("<I", data_len)
    block = os.urandom(MIB)
    with path.open("wb") as fh:
        fh.write(header)
        left = data_len
        i = 0
        while left > 0:
            n = min(MIB, left)
            # vary each block so nothing downstream can shortcut repeated content
            fh.write(
                hashlib.sha256(i.to_bytes(8, "big")).digest() + block[32:n] if n > 32 else block[:n]
            )
            left -= n
            i += 1


def baseline(src: Path, dst: Path) -> float:
    start = time.perf_counter()
    sha, sm3 = hashlib.sha256(), hashlib.new("sm3")
    with src.open("rb") as inp, dst.open("wb") as out:
        while block := inp.read(MIB):
            sha.update(block)
            sm3.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - start
    dst.unlink()
    return elapsed


class Window:
    """A file slice as an http.client body."""

    def __init__(self, fh, length: int) -> None:  # type: ignore[no-untyped-def]
        self.fh, self.left = fh, length

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n < 0 else min(n, self.left)
        data = self.fh.read(n)
        self.left -= len(data)
        return data


def request(port: int, method: str, url: str, headers: dict[str, str], body=None):  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600, blocksize=MIB)
    conn.request(method, url, body=body, headers=headers)
    r = conn.getresponse()
    r.read()
    conn.close()
    return r


def upload(port: int, token: str, path: Path, chunk: int) -> tuple[float, str]:
    size = path.stat().st_size
    ended = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    meta = {
        "filename": path.name,
        "kind": "audio",
        "recorded_end": ended,
        "informed": "no_party",
    }
    auth = {"Authorization": f"Token {token}", "Tus-Resumable": "1.0.0"}
    encoded = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())
    start = time.perf_counter()
    r = request(
        port,
        "POST",
        "/api/uploads/",
        {**auth, "Upload-Length": str(size), "Upload-Metadata": encoded},
    )
    assert r.status == 201, r.status
    url = r.getheader("Location").split(str(port), 1)[1]
    offset = 0
    with path.open("rb") as fh:
        while offset < size:
            n = min(chunk, size - offset)
            r = request(
                port,
                "PATCH",
                url,
                {
                    **auth,
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                    "Content-Length": str(n),
                },
                Window(fh, n),
            )
            assert r.status == 204, (r.status, r.getheader("Upload-Offset"))
            offset = int(r.getheader("Upload-Offset"))
    elapsed = time.perf_counter() - start
    return elapsed, r.getheader("CaseTrail-Upload-State") or ""


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1024", help="file sizes in MiB, comma-separated")
    parser.add_argument("--chunk", type=int, default=64, help="PATCH size in MiB")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--dir", default=None, help="working directory (default: a temp dir)")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="casetrail-bench-"))
    var = work / "var"
    var.mkdir(parents=True, exist_ok=True)
    env = server_env(var)
    token = prepare(var, env)
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    print(f"machine: {os.cpu_count()} CPUs, {cpu}; Python {platform.python_version()}")
    rows = []
    port = free_port()
    with Server(var, env, port, workers=args.workers) as server:
        pids = server.worker_pids()
        base_rss = max(vm_hwm(p) for p in pids)
        # Warm-up: the first upload loads PyAV, Pillow and the ORM paths; measure steady state.
        warm = work / "warm-up.wav"
        make_wav(warm, 4 * MIB)
        upload(port, token, warm, args.chunk * MIB)
        warm.unlink()
        for mib in (int(s) for s in args.sizes.split(",")):
            src = work / f"bench-{mib}MiB.wav"
            make_wav(src, mib * MIB)
            b = baseline(src, work / "copy.bin")
            u, state = upload(port, token, src, args.chunk * MIB)
            peak = max(vm_hwm(p) for p in server.worker_pids())
            rows.append((mib, b, u, state, peak))
            src.unlink()
            print(
                f"{mib} MiB: baseline {mib / b:.0f} MiB/s, tus upload {mib / u:.0f} MiB/s, "
                f"ratio {b / u:.2f}, record {state}, server peak RSS {peak / MIB:.0f} MiB"
            )
    print(f"server RSS after start-up: {base_rss / MIB:.0f} MiB")
    print()
    print(
        "| file | plain read+SHA-256+SM3+write | tus upload over HTTP | ratio | server peak RSS |"
    )
    print("|---|---|---|---|---|")
    for mib, b, u, _, peak in rows:
        print(
            f"| {mib} MiB | {mib / b:.0f} MiB/s | {mib / u:.0f} MiB/s | {b / u:.2f} | {peak / MIB:.0f} MiB |"
        )
    if not args.dir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
