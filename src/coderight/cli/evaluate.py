"""`coderight eval dx --gold FILE --pred FILE`: micro P/R/F1, MAP, per-family breakdown, errors."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("eval", help="evaluate predictions against a gold set")
    esub = p.add_subparsers(dest="eval_command", metavar="TASK")
    d = esub.add_parser("dx", help="diagnosis codes: micro P/R/F1, MAP, per family, error list")
    d.add_argument("--gold", required=True, help="gold TSV (CodiEsp devD, ACI-Bench Amazon) or JSONL")
    d.add_argument("--pred", required=True, help="predictions JSONL from `coderight suggest --input`")
    d.add_argument("--level", choices=("code", "category"), default="code")
    d.add_argument("--errors", type=int, default=20, help="error lines to print (0: none)")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_eval_dx)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def cmd_eval_dx(args) -> int:
    from ..coding.evaluate import errors, load_gold, load_predictions, score

    gold = load_gold(args.gold)
    pred, recs = load_predictions(args.pred)
    m = score(gold, pred, level=args.level)
    errs = errors(gold, pred, recs)
    if args.json:
        print(json.dumps({"metrics": m, "errors": errs}, indent=1))
        return 0
    print(f"documents {m['documents']}  level {m['level']}")
    print(f"micro precision {m['precision']:.4f}  recall {m['recall']:.4f}  F1 {m['f1']:.4f}  MAP {m['map']:.4f}")
    print(f"tp {m['tp']}  fp {m['fp']}  fn {m['fn']}")
    print("per family (chapter letter):")
    for k, f in m["families"].items():
        print(f"  {k}: P {f['precision']:.2f} R {f['recall']:.2f} F1 {f['f1']:.2f}  (tp {f['tp']} fp {f['fp']} fn {f['fn']})")
    if args.errors:
        print(f"errors (first {args.errors} of {len(errs)}):")
        for e in errs[: args.errors]:
            ev = f"  evidence: {e['evidence']}" if e.get("evidence") else ""
            print(f"  {e['id']}  {e['kind']:<14} {e['code']:<9} {e.get('title', '')[:50]}{ev}")
    return 0
