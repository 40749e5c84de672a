"""`coderight em NOTE.txt [--billed 99214] [--setting office|hospital|ed] [--payer medicare|commercial] [--json]`

Prints the supported E/M level first (with the basis: MDM or time), then each MDM element with
its evidence, the comparison with what was billed, and the procedures, supplies and modifiers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("em", help="E/M level by MDM or time, procedures and modifiers, against what was billed")
    p.add_argument("note", help="a note (text file); '-' reads standard input")
    p.add_argument("--billed", help="the E/M code billed (e.g. 99214)")
    p.add_argument("--setting", choices=("office", "hospital", "ed"), default="office")
    p.add_argument("--payer", choices=("medicare", "commercial"), default="medicare")
    p.add_argument("--locality", help="PFS locality MAC-LL for pricing (default national)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.set_defaults(func=cmd_em)


def _codebook():
    from ..codesets.codebook import Codebook
    from ..settings import Settings

    return Codebook(Settings.from_env().cache_dir)


def cmd_em(args) -> int:
    from ..coding.em_suggest import suggest_em_and_procedures

    text = sys.stdin.read() if args.note == "-" else Path(args.note).read_text(encoding="utf-8")
    r = suggest_em_and_procedures(text, args.setting, args.billed, args.payer, _codebook(), locality=args.locality)
    if args.json:
        print(json.dumps(r.to_dict(), indent=1, default=str))
        return 0
    print(report(r))
    return 0


def report(r) -> str:
    em = r.em
    out = []
    if em.code and em.separately_billable:
        mods = ("-" + "-".join(em.modifiers)) if em.modifiers else ""
        out.append(f"Supported: {em.code}{mods}  {em.label}  (basis: {em.basis}; MDM {em.mdm_level}"
                   + (f"; time {em.time_minutes} min" if em.time_minutes is not None else "") + ")")
    else:
        out.append("Supported: no separately billable E/M")
    for p in em.prolonged:
        out.append(f"  + {p['code']} x{p['units']}  {p['label']}")
    b = em.billed
    if b:
        line = f"Billed {b['billed']}: {b['status']}"
        if b.get("levels"):
            line += f" by {b['levels']} level(s)"
        if b.get("delta") is not None:
            line += f"; {b['severity']}: ${b['delta']:+.2f} ({b.get('fee_schedule', 'PFS')}"
            line += ", facility)" if b.get("facility_pricing") else ", non-facility)"
        out.append(line)
    out.append("")
    for e in em.elements:
        out.append(f"{e.name.upper()}: {e.level_name} — {e.reason}")
        for it in e.items:
            flag = "" if it.counted else " [not counted: " + it.note + "]"
            ev = it.evidence[0].text.strip().replace("\n", " ") if it.evidence else ""
            out.append(f"  - {it.kind}{flag}\n      \"{ev[:160]}\"")
    if em.time_evidence:
        out.append(f"TIME: {em.time_minutes} min — \"{em.time_evidence[0].text.strip()[:160]}\"")
    out.append("")
    out.append("Why: " + "; ".join(em.rationale))
    if r.procedures:
        out.append("")
        out.append("PROCEDURES")
        for p in r.procedures:
            mods = ("-" + "-".join(p.modifiers)) if p.modifiers else ""
            ev = p.evidence[0].text.strip().replace("\n", " ")[:120] if p.evidence else ""
            out.append(f"  {p.code}{mods} x{p.units}  {p.label}  [{p.rule}] {p.rationale}\n      \"{ev}\"")
    if r.findings:
        out.append("")
        out.append("CLAIM EDITS")
        for f in r.findings:
            out.append(f"  {f.get('rule')} ({f.get('severity')}): {f.get('message')}")
    return "\n".join(out)
