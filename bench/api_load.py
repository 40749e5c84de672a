"""Load the coding service on loopback: requests per second and p95 latency for suggest and for
the worklist, N concurrent clients, on SQLite and on PostgreSQL.

Starts uvicorn (one worker) on 127.0.0.1 at a free port against a fresh database holding the
demo encounters plus synthetic copies, then drives `--clients` async httpx clients for
`--seconds` per scenario. Prints a table and writes bench/results/api_load.json.

    .venv/bin/python bench/api_load.py [--clients 16] [--seconds 10] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from coderight.api.app import ApiSettings, create_app
from coderight.codesets.codebook import Codebook
from coderight.demo import encounters_jsonl, load
from coderight.workflow.security import SYSTEM, Actor
from coderight.workflow.service import WorklistFilter

OUT = Path(__file__).resolve().parent / "results" / "api_load.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database(kind: str):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as d:
            yield f"sqlite:///{d}/bench.db"
    else:
        from coderight.store.testing import scratch_postgres

        with scratch_postgres("coderight_bench") as url:
            yield url


@contextmanager
def serve(app):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        t.join(timeout=15)


def more_encounters(n: int) -> str:
    """`n` synthetic copies of the demo notes under new source ids (worklist volume)."""
    base = [json.loads(x) for x in encounters_jsonl().splitlines() if x.strip()]
    out = []
    for i in range(n):
        d = dict(base[i % len(base)])
        d["source_id"] = f"BENCH-{i:05d}"
        d["patient_id"] = f"BENCH-P-{i % 400:04d}"
        out.append(json.dumps(d))
    return "\n".join(out)


async def drive(base: str, token: str, make_request, clients: int, seconds: float) -> dict:
    lat: list[float] = []
    errors = 0
    codes: dict[int, int] = {}
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"},
                                 timeout=60, limits=limits) as http:
        async def worker(k: int):
            nonlocal errors
            i = k
            while time.perf_counter() < stop:
                method, url = make_request(i)
                i += clients
                t0 = time.perf_counter()
                r = await http.request(method, url)
                lat.append(time.perf_counter() - t0)
                codes[r.status_code] = codes.get(r.status_code, 0) + 1
                if r.status_code >= 400:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(clients)))
        wall = time.perf_counter() - t0
    lat.sort()
    return {"requests": len(lat), "rps": round(len(lat) / wall, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 1),
            "p95_ms": round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1), "errors": errors,
            "status": {str(k): v for k, v in sorted(codes.items())}}


def run_backend(kind: str, codebook, clients: int, seconds: float, volume: int) -> dict:
    with database(kind) as url:
        app = create_app(ApiSettings(url), codebook=codebook)
        svc = app.state.service
        tokens = load(svc)["tokens"]
        svc.ingest(SYSTEM, more_encounters(volume), "jsonl")
        ids = [e.id for e in svc.worklist(Actor(None, "bench", "manager"), WorklistFilter(), "id", 200, 0)[0]]
        svc.suggest(Actor(None, "bench", "coder"), ids[0])  # warm the engines (reference data load)
        out = {}
        with serve(app) as base:
            filters = ["", "?setting=inpatient", "?order=risk", "?payer=Medicare%20Part%20B", "?status=new&limit=20",
                       "?specialty=family%20medicine&order=money"]
            out["worklist"] = asyncio.run(drive(base, tokens["coder"],
                                                lambda i: ("GET", "/worklist" + filters[i % len(filters)]),
                                                clients, seconds))
            out["suggest"] = asyncio.run(drive(base, tokens["coder"],
                                               lambda i: ("POST", f"/encounters/{ids[i % len(ids)]}/suggest"),
                                               clients, seconds))
        app.state.engine.dispose()
        return {"database": kind, "encounters": volume + 6, **out}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--volume", type=int, default=2000, help="synthetic encounters in the worklist")
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args(argv)
    codebook = Codebook()
    results = []
    for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
        r = run_backend(kind, codebook, args.clients, args.seconds, args.volume)
        results.append(r)
        for scen in ("worklist", "suggest"):
            m = r[scen]
            print(f"{kind:<11} {scen:<9} {args.clients} clients: {m['rps']:>7.1f} req/s  p50 {m['p50_ms']:>6.1f} ms  "
                  f"p95 {m['p95_ms']:>6.1f} ms  ({m['requests']} requests, {m['errors']} errors)", flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"benchmark": "api_load", "clients": args.clients, "seconds": args.seconds,
                               "server": "uvicorn, 1 worker, 127.0.0.1", "python": sys.version.split()[0],
                               "cpus": os.cpu_count(), "machine": platform.machine(),
                               "results": results}, indent=1))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
