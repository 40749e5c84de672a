"""Command line for grouping: ``coderight drg group`` and ``coderight hcc score``.

The main CLI calls :func:`register` with its argparse subparsers; each command sets
``func(args) -> int``. Standalone: ``python -m coderight.grouping.cli drg group claims.jsonl``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson
import polars as pl


def register(subparsers) -> None:
    """Add ``drg group`` and ``hcc score`` / ``hcc gaps`` to a main CLI's subparsers."""
    drg = subparsers.add_parser("drg", help="MS-DRG grouping").add_subparsers(dest="drg_cmd", required=True)
    g = drg.add_parser("group", help="group inpatient claims (JSON lines) into MS-DRGs")
    g.add_argument("claims", help="claims.jsonl: one claim per line (principal_dx, secondary_dx, ...)")
    g.add_argument("-o", "--output", help="results file (.jsonl or .csv; default stdout jsonl)")
    g.add_argument("--rejects", help="rejects file (default <output>.rejects.jsonl or stderr)")
    g.add_argument("--table5", action="append", default=[], metavar="FY=PATH",
                   help="IPPS Table 5 for a fiscal year, e.g. 2026=FY2026_Table5.xlsx (repeatable; "
                        "default: the mirror's ipps/ file, else for FY2026 the carried official Table 5)")
    g.add_argument("--base-rate", type=float, metavar="DOLLARS",
                   help="dollars per unit of weight for the payment column (default: FY2026 national "
                        "operating + capital rate)")
    g.add_argument("--hospital-status", default="NOT_EXEMPT", choices=["EXEMPT", "NOT_EXEMPT", "UNKNOWN"],
                   help="POA/HAC exemption of the hospital (default NOT_EXEMPT)")
    g.set_defaults(func=cmd_drg_group)

    hcc = subparsers.add_parser("hcc", help="CMS-HCC risk adjustment").add_subparsers(dest="hcc_cmd", required=True)
    s = hcc.add_parser("score", help="risk scores for members")
    s.add_argument("members", help="members.csv: member_id, age, sex[, dual, orec, crec, new_enrollee, snp, lti]")
    s.add_argument("diagnoses", help="diagnoses.csv: member_id, dx[, bill_type, cpt]")
    s.add_argument("--year", type=int, default=2026, help="payment year 2024-2027 (default 2026)")
    s.add_argument("-o", "--output", help="scores .csv or .parquet (default stdout csv)")
    s.add_argument("--rejects", help="rejects .csv (default <output>.rejects.csv or stderr)")
    s.add_argument("--normalization", type=float, help="override the FFS normalization factor (final model)")
    s.add_argument("--no-filter", action="store_true", help="diagnoses are already risk-adjustment eligible")
    s.set_defaults(func=cmd_hcc_score)

    gp = hcc.add_parser("gaps", help="recapture and note-suggested HCC gaps")
    gp.add_argument("members")
    gp.add_argument("diagnoses", help="this year's claims diagnoses .csv")
    gp.add_argument("--prior", help="prior year's diagnoses .csv")
    gp.add_argument("--suggested", help="diagnoses suggested by the current notes .csv")
    gp.add_argument("--year", type=int, default=2026)
    gp.add_argument("-o", "--output")
    gp.set_defaults(func=cmd_hcc_gaps)


def _read_csv(path: str) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def _write(df: pl.DataFrame, path: str | None) -> None:
    if path is None:
        sys.stdout.write(df.write_csv())
    elif path.endswith(".parquet"):
        df.write_parquet(path)
    elif path.endswith(".jsonl") or path.endswith(".ndjson"):
        df.write_ndjson(path)
    else:
        df.write_csv(path)


def _iter_jsonl(path: str):
    with open(path, "rb") as f:
        for i, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                rec = orjson.loads(line)
                yield i, rec if isinstance(rec, dict) else "record is not a JSON object"
            except orjson.JSONDecodeError as e:
                yield i, f"invalid JSON: {e}"


def cmd_drg_group(args) -> int:
    from coderight.grouping.batch import group_records
    from coderight.grouping.drg import DrgGrouper
    from coderight.grouping.weights import PaymentRates, load_table5

    weights = {}
    for spec in args.table5:
        fy, _, path = spec.partition("=")
        weights[int(fy)] = load_table5(path, release=f"FY{fy} Table 5")
    rate = args.base_rate if args.base_rate is not None else PaymentRates().base_rate
    t0 = time.perf_counter()
    ok, rej = [], []
    with DrgGrouper(weights, hospital_status=args.hospital_status) as g:
        for kind, row in group_records(_iter_jsonl(args.claims), g):
            if kind == "ok":  # unadjusted payment = weight x base rate (no wage index, outliers ...)
                row["payment"] = round(row["weight"] * rate, 2) if row.get("weight") is not None else None
            (ok if kind == "ok" else rej).append(row)
    dt = time.perf_counter() - t0
    out = args.output
    if out is None:
        for r in ok:
            sys.stdout.buffer.write(orjson.dumps(r) + b"\n")
    elif out.endswith(".csv"):
        pl.DataFrame(ok, infer_schema_length=None).write_csv(out)
    else:
        Path(out).write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in ok))
    rpath = args.rejects or (f"{out}.rejects.jsonl" if out else None)
    if rpath:
        Path(rpath).write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rej))
    else:
        for r in rej:
            sys.stderr.buffer.write(orjson.dumps(r) + b"\n")
    sys.stderr.write(f"drg group: {len(ok)} grouped, {len(rej)} rejected, {len(ok) / max(dt, 1e-9):.0f} cases/s\n")
    return 0


def cmd_hcc_score(args) -> int:
    from coderight.grouping.hcc.filter import eligible_diagnoses
    from coderight.grouping.hcc.score import HccScorer

    t0 = time.perf_counter()
    members = _read_csv(args.members)
    dx = _read_csv(args.diagnoses)
    scorer = HccScorer(args.year, normalization=(
        {scorer_model(args.year): args.normalization} if args.normalization else None))
    if not args.no_filter:
        dx = eligible_diagnoses(dx, args.year)
    scores, rejects = scorer.score_frame(members, dx)
    _write(scores, args.output)
    rpath = args.rejects or (f"{Path(args.output).with_suffix('')}.rejects.csv" if args.output else None)
    if rpath:
        rejects.write_csv(rpath)
    elif rejects.height:
        sys.stderr.write(rejects.write_csv())
    dt = time.perf_counter() - t0
    sys.stderr.write(f"hcc score PY{args.year}: {scores.height} scored, {rejects.height} rejected, "
                     f"{scores.height / max(dt, 1e-9):.0f} members/s ({scorer.release})\n")
    return 0


def scorer_model(year: int) -> str:
    from coderight.grouping.hcc.years import payment_year

    return payment_year(year).blend[-1].model


def cmd_hcc_gaps(args) -> int:
    from coderight.grouping.hcc.gaps import capture_gaps
    from coderight.grouping.hcc.score import HccScorer

    gaps = capture_gaps(
        HccScorer(args.year), _read_csv(args.members), _read_csv(args.diagnoses),
        prior_dx=_read_csv(args.prior) if args.prior else None,
        suggested_dx=_read_csv(args.suggested) if args.suggested else None,
    )
    _write(gaps, args.output)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="coderight")
    register(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
