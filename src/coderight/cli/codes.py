"""`coderight code show|search` and `coderight index lookup`."""

from __future__ import annotations

import json

from ..codesets.codebook import Codebook
from ..codesets.errors import CodesetError, UnknownCode


def register(sub) -> None:
    p = sub.add_parser("code", help="look up ICD-10-CM codes")
    csub = p.add_subparsers(dest="code_command", metavar="ACTION")
    s = csub.add_parser("show", help="title, billable, effective notes, 7th characters, validity")
    s.add_argument("code")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)
    q = csub.add_parser("search", help="ranked search over titles, inclusion terms and the index")
    q.add_argument("text", nargs="+")
    q.add_argument("-n", type=int, default=15)
    q.set_defaults(func=cmd_search)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    ip = sub.add_parser("index", help="the ICD-10-CM Alphabetic Index")
    isub = ip.add_subparsers(dest="index_command", metavar="ACTION")
    lk = isub.add_parser("lookup", help='walk the index: "term, subterm, subterm"')
    lk.add_argument("path", nargs="+")
    lk.set_defaults(func=cmd_index_lookup)
    ip.set_defaults(func=lambda a: (ip.print_help(), 2)[1])


def cmd_show(args) -> int:
    cb = Codebook()
    tab = cb.icd10cm
    try:
        code = tab.get(args.code)
    except UnknownCode:
        try:  # a malformed 7th character deserves its own reason
            tab.validate(args.code)
        except CodesetError as why:
            e = why
        print(f"coderight: {e}")
        return 1
    notes = tab.effective_notes(code.code)
    seventh = tab.seventh_characters(code.code)
    validity = _validity(cb, code.code)
    if args.json:
        print(json.dumps({
            "code": code.code, "title": code.title, "billable": code.billable, "kind": code.kind,
            "release": tab.release, "ancestors": tab.ancestors(code.code),
            "notes": [{"kind": n.kind, "text": n.text, "origin": n.origin} for n in notes],
            "seventh_characters": ({"defined_at": seventh[0], "values": dict(seventh[1])}
                                   if seventh else None),
            "validity": validity,
        }, indent=1))
        return 0
    print(f"{code.code}  {code.title}")
    print(f"  {'billable' if code.billable else 'not billable'} ({code.kind}); ICD-10-CM {tab.release}")
    chain = [f"{a} {tab.get(a).title}" for a in reversed(tab.ancestors(code.code))]
    for depth, line in enumerate(chain):
        print(f"  {'  ' * depth}└ {line}")
    if not code.billable and tab.children(code.code):
        kids = tab.children(code.code)
        print(f"  more specific: {', '.join(kids[:12])}{' …' if len(kids) > 12 else ''}")
    if notes:
        print("  notes in effect:")
        for n in notes:
            src = "" if n.origin == code.code else f" (from {n.origin})"
            print(f"    {n.label}{src}: {n.text}")
    if seventh and (tab.requires_seventh(code.code) or code.kind != "code" or len(code.code) < 8):
        print(f"  7th characters (defined at {seventh[0]}):")
        for ch, text in seventh[1]:
            print(f"    {ch}  {text}")
    if validity:
        print(f"  validity: {validity['summary']}")
    return 0


def _validity(cb: Codebook, code: str) -> dict | None:
    try:
        if not cb.has("icd10cm_validity"):
            return None
        v = cb.dataset("icd10cm_validity")
    except (KeyError, CodesetError):
        return None
    try:
        return v.describe(code)
    except Exception:  # noqa: BLE001 - validity is an extra on `code show`, never fatal
        return None


def cmd_search(args) -> int:
    from ..codesets.search import search_codes

    cb = Codebook()
    for hit in search_codes(cb, " ".join(args.text), limit=args.n):
        flag = "" if hit.billable else " (header)"
        print(f"{hit.score:6.2f}  {hit.code:<9} {hit.title}{flag}   [{hit.via}]")
    return 0


def cmd_index_lookup(args) -> int:
    cb = Codebook()
    path = " ".join(args.path)
    idx = cb.dataset("icd10cm_index")
    result = idx.lookup(path)
    print(result.describe() if hasattr(result, "describe") else result)
    return 0
