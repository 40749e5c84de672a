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
    lk.add_argument("--book", default="main", choices=["main", "eindex", "neoplasm", "drug"],
                    help="main index, external cause index, or the neoplasm / drug table")
    lk.add_argument("--column", help="table column: e.g. 'malignant primary', 'accidental'")
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
    """Valid fiscal years (checked on each FY's first and last day), added/deleted dates, sources."""
    from datetime import date

    try:
        v = cb.dataset("icd10cm_validity")
    except CodesetError:
        return None  # not synced: `code show` still works from the bundled tabular
    years, unknown, sources = [], [], set()
    for fy in range(2016, 2028):
        states = [v.check(code, d) for d in (date(fy - 1, 10, 1), date(fy, 9, 30))]
        if any(s.name == "VALID" for s, _ in states):
            years.append(fy)
            sources.update(src for s, src in states if s.name == "VALID")
        elif all(s.name == "UNKNOWN" for s, _ in states):
            unknown.append(fy)
    added, deleted = v.added_deleted(code)
    runs: list[list[int]] = []
    for y in years:
        if runs and runs[-1][1] == y - 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    spans = ", ".join(f"FY{a}" if a == b else f"FY{a}–FY{b}" for a, b in runs) or "none of FY2016–FY2027"
    summary = f"valid {spans}"
    if added:
        summary += f"; added {added.isoformat()}"
    if deleted:
        summary += f"; deleted after {deleted.isoformat()} (last valid day)"
    if unknown:
        summary += f"; not covered by loaded data: FY{unknown[0]}–FY{unknown[-1]}"
    return {"valid_fiscal_years": years, "added": added.isoformat() if added else None,
            "last_valid_day": deleted.isoformat() if deleted else None, "uncovered_fiscal_years": unknown,
            "sources": sorted(sources), "summary": summary}


def cmd_search(args) -> int:
    from ..codesets.search import search_codes

    cb = Codebook()
    for hit in search_codes(cb, " ".join(args.text), limit=args.n):
        flag = "" if hit.billable else " (header)"
        print(f"{hit.score:6.2f}  {hit.code:<9} {hit.title}{flag}   [{hit.via}]")
    return 0


def cmd_index_lookup(args) -> int:
    cb = Codebook()
    text = " ".join(args.path)
    idx = cb.dataset("icd10cm_index")
    print(f"ICD-10-CM Alphabetic Index {idx.release} [{idx.form}]")
    if args.book in ("neoplasm", "drug"):
        fn = idx.neoplasm if args.book == "neoplasm" else idx.drug
        res = fn(text, args.column) if args.column else fn(text)
        path = ", ".join(res.entry.path) if res.entry else text
        print(f"  {path} → {res.column}: {res.code or 'no code in this column'}")
        for n in res.notes:
            print(f"  note: {n}")
        if res.code:
            obj = cb.icd10cm.find(res.code)
            if obj is not None:
                print(f"  tabular: {obj.code} {obj.title}"
                      f"{' (billable)' if obj.billable else ': not billable, needs more characters'}")
        return 0 if res.code else 1
    r = idx.lookup(text, book=args.book)
    print("  walked: " + " → ".join(r.trail))
    for s in r.see:
        print(f"  see: {s}")
    for s in r.see_also:
        print(f"  see also: {s}")
    for n in r.notes:
        print(f"  note: {n}")
    if r.unmatched:
        print(f"  not found under the last term: {', '.join(r.unmatched)}")
    if not r.code:
        print("  no code at this entry: add a subterm")
        return 1
    manif = f" [{', '.join(r.manif)}]" if r.manif else ""
    print(f"  code: {r.code}{manif}")
    stem = r.code.rstrip("-").rstrip(".")
    obj = cb.icd10cm.find(stem)
    if obj is None:
        print(f"  tabular: {stem} not found in ICD-10-CM {cb.icd10cm.release}")
        return 1
    if r.requires_more_characters or not obj.billable:
        kids = cb.icd10cm.descendants(obj.code, billable_only=True)
        print(f"  tabular: {obj.code} {obj.title}: not billable, verify in the tabular and choose "
              f"among {len(kids)} codes, e.g. {', '.join(kids[:6])}")
    else:
        print(f"  tabular: {obj.code} {obj.title} (billable)")
    return 0
