"""`coderight serve` (the REST API under uvicorn) and `coderight db upgrade`."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("serve", help="run the coding service (REST API, OpenAPI at /docs)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", help="database URL (default: CODERIGHT_DATABASE_URL, else sqlite:///coderight.db)")
    p.add_argument("--demo", action="store_true",
                   help="load the demo encounters and demo users (one per role) and print their tokens")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (PostgreSQL)")
    p.add_argument("--check", action="store_true",
                   help="start, answer /health and the demo worklist once, then stop (smoke test)")
    p.set_defaults(func=cmd_serve)

    d = sub.add_parser("db", help="the service database")
    dsub = d.add_subparsers(dest="db_command", metavar="ACTION")
    u = dsub.add_parser("upgrade", help="run the migrations to the latest schema")
    u.add_argument("--db", help="database URL (default: CODERIGHT_DATABASE_URL)")
    u.set_defaults(func=cmd_upgrade)
    d.set_defaults(func=lambda a: (d.print_help(), 2)[1])


def _url(args) -> str:
    from ..settings import Settings

    return args.db or Settings.from_env().database_url


def cmd_upgrade(args) -> int:
    from ..store.db import current_revision, make_engine, upgrade

    url = _url(args)
    upgrade(url)
    print(f"database at revision {current_revision(make_engine(url))}: {_safe(url)}")
    return 0


def _safe(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_serve(args) -> int:
    import logging
    import os

    import uvicorn

    from ..api.app import ApiSettings, create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    url = _url(args)
    app = create_app(ApiSettings(url))
    base = f"http://{args.host}:{args.port}"
    if args.demo:
        from .. import demo

        out = demo.load(app.state.service)
        counts = out["report"].to_dict()["counts"]
        print(f"demo encounters: {counts['created']} new, {counts['unchanged'] + counts['updated']} already there")
        print(f"demo users (password {demo.DEMO_PASSWORD!r}): " + ", ".join(demo.DEMO_USERS.values()))
        print("demo tokens (Authorization: Bearer …):")
        for role, tok in out["tokens"].items():
            print(f"  {role:<8} {tok}")
        coder = out["tokens"]["coder"]
        print(f"try:  curl -H 'Authorization: Bearer {coder}' {base}/worklist")
    else:
        coder = None
    print(f"coderight service on {base}  (OpenAPI: {base}/docs, health: {base}/health)")
    print(f"database: {_safe(url)}")
    sys.stdout.flush()
    if args.check:
        return _check(app, args.host, args.port, coder)
    if args.workers > 1:
        os.environ["CODERIGHT_DATABASE_URL"] = url
        uvicorn.run("coderight.api.app:from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="info")
    else:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def _check(app, host: str, port: int, token: str | None) -> int:
    """Serve in a thread, hit /health and the worklist, stop."""
    import threading
    import time

    import httpx
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    base = f"http://{host}:{port}"
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.1)
        h = httpx.get(f"{base}/health", timeout=10)
        print(f"GET /health -> {h.status_code} {h.json()}")
        ok = h.status_code == 200
        if token:
            w = httpx.get(f"{base}/worklist", headers={"Authorization": f"Bearer {token}"}, timeout=10)
            items = w.json().get("items", [])
            print(f"GET /worklist -> {w.status_code}, {w.json().get('total')} encounters; first: "
                  + ", ".join(f"{e['source_id']} ({e['setting']}, ${e['money_at_stake']:.0f})" for e in items[:3]))
            ok = ok and w.status_code == 200 and len(items) > 0
    finally:
        server.should_exit = True
        t.join(timeout=10)
    print("check " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1
