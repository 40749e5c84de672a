"""`coderight scrub FILE` and `coderight rules list|show ID`.

``scrub`` reads JSON, JSONL, CSV or an X12 837 (format sniffed, or ``--format``), runs the edit
catalog and prints a readable report (or ``--json`` / ``--jsonl``). Claims that cannot be read
go to ``--rejects FILE`` (JSONL, with position and reason) and are counted in the summary; the
batch goes on. ``--strict`` exits 1 when any claim has a reject-level finding or was rejected.
"""

from __future__ import annotations

import sys
import textwrap

import orjson

from ..claims.io import Rejected, read_path
from ..codesets.codebook import Codebook


def register(sub) -> None:
    s = sub.add_parser("scrub", help="check claims against the edit catalog (NCCI, MUE, MCE, validity, …)")
    s.add_argument("file", help="claims: .json, .jsonl, .csv or an X12 837P/837I file")
    s.add_argument("--format", choices=("json", "jsonl", "csv", "x12"), help="input format (default: sniffed)")
    out = s.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="one JSON document: results, rejects, summary")
    out.add_argument("--jsonl", action="store_true", help="one JSON result per line")
    s.add_argument("--rejects", metavar="FILE", help="write unreadable claims here (JSONL)")
    s.add_argument("--validate-x12", action="store_true", help="also validate an 837 with pyx12 (slower)")
    s.add_argument("--strict", action="store_true", help="exit 1 on reject-level findings or rejected claims")
    s.add_argument("--all", action="store_true", help="list clean claims in the report too")
    s.set_defaults(func=cmd_scrub)

    r = sub.add_parser("rules", help="the edit catalog, from the rules' own docstrings")
    rsub = r.add_subparsers(dest="rules_command", metavar="ACTION")
    ls = rsub.add_parser("list", help="every rule: id, family, severity, title")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_rules_list)
    sh = rsub.add_parser("show", help="one rule: description, source, fix, failing and passing examples")
    sh.add_argument("id")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=cmd_rules_show)
    r.set_defaults(func=lambda a: (r.print_help(), 2)[1])


def cmd_rules_list(args) -> int:
    from ..edits.rules import ALL_RULES

    rows = [r.describe() for r in ALL_RULES]
    if args.json:
        print(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return 0
    w = max(len(r["id"]) for r in rows)
    for r in rows:
        print(f"{r['id']:<{w}}  {r['family']:<10} {r['severity']:<16} {r['title']}")
    print(f"\n{len(rows)} rules. `coderight rules show ID` for the source, fix and examples.")
    return 0


def cmd_rules_show(args) -> int:
    from ..edits.rules import get

    try:
        d = get(args.id).describe()
    except KeyError as e:
        print(f"coderight: {e.args[0]}", file=sys.stderr)
        return 1
    if args.json:
        print(orjson.dumps(d, option=orjson.OPT_INDENT_2).decode())
        return 0
    print(f"{d['id']}  {d['title']}")
    print(f"  family: {d['family']}   severity: {d['severity']}")
    if d["description"]:
        print()
        print(textwrap.indent(d["description"], "  "))
    print(f"\n  Source: {d['source']}")
    print(f"  Fix:    {d['fix']}")
    for ex in d["fails"]:
        print(f"  Fails:  {ex}")
    for ex in d["passes"]:
        print(f"  Passes: {ex}")
    return 0


def cmd_scrub(args) -> int:
    from ..edits.engine import Engine

    engine = Engine(Codebook())
    rejects: list[Rejected] = []

    def claims():
        for x in read_path(args.file, args.format):
            if isinstance(x, Rejected):
                rejects.append(x)
            else:
                yield x

    if args.validate_x12 and (args.format == "x12" or open(args.file, "rb").read(3) == b"ISA"):
        from ..claims.x12 import read_837

        def claims():  # noqa: F811 - the validating reader replaces the plain one
            with open(args.file, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for x in read_837(text, args.file, validate=True):
                if isinstance(x, Rejected):
                    rejects.append(x)
                else:
                    yield x

    results = []
    n = clean = with_reject = 0
    at_risk = 0.0
    out = sys.stdout
    for res in engine.scrub_many(claims()):
        n += 1
        clean += res.clean
        with_reject += res.rejected
        at_risk += res.money_at_risk
        if args.jsonl:
            out.write(orjson.dumps(res.to_dict()).decode() + "\n")
        elif args.json:
            results.append(res.to_dict())
        elif args.all or not res.clean:
            _print_result(res, out)
    if args.rejects:
        with open(args.rejects, "wb") as f:
            for r in rejects:
                f.write(orjson.dumps(r.to_dict()) + b"\n")
    summary = {"claims": n, "clean": clean, "clean_rate": round(clean / n, 4) if n else None,
               "with_reject_findings": with_reject, "unreadable": len(rejects),
               "money_at_risk": round(at_risk, 2), "releases": engine.codebook.versions()}
    if args.json:
        out.write(orjson.dumps({"results": results, "rejects": [r.to_dict() for r in rejects],
                                "summary": summary}, option=orjson.OPT_INDENT_2).decode() + "\n")
    elif not args.jsonl:
        if rejects and not args.rejects:
            print("Unreadable claims:", file=out)
            for r in rejects:
                print(f"  {r.claim_id or '?'} at {r.position}: {r.reason}", file=out)
        rate = f"{100 * clean / n:.1f} %" if n else "n/a"
        print(f"{n} claims scrubbed: {clean} clean ({rate}), {with_reject} with reject-level findings, "
              f"{len(rejects)} unreadable{' (see ' + args.rejects + ')' if args.rejects and rejects else ''}; "
              f"money at risk ${at_risk:,.2f}", file=out)
    else:
        for r in rejects:
            print(f"coderight: unreadable claim {r.claim_id or '?'} at {r.position}: {r.reason}", file=sys.stderr)
    if args.strict and (with_reject or rejects):
        return 1
    return 0


def _print_result(res, out) -> None:
    status = "CLEAN" if res.clean else res.worst.upper()
    risk = f", ${res.money_at_risk:,.2f} at risk" if res.money_at_risk else ""
    print(f"claim {res.claim_id}: {status} ({len(res.findings)} findings{risk})", file=out)
    for f in res.findings:
        where = f"line {f.line}" if f.line else "claim"
        print(f"  [{f.severity}] {f.rule} {where}: {f.message}", file=out)
        print(f"      fix: {f.fix}", file=out)
        print(f"      source: {f.source}", file=out)
