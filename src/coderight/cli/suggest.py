"""`coderight suggest`: code one note (readable report or JSON), or a batch of notes to JSON lines.

    coderight suggest NOTE.txt [--setting outpatient|inpatient] [--json]
    coderight suggest --input DIR|FILE.jsonl --output predictions.jsonl [--setting …]

A batch line of input is ``{"id": …, "text": …, "setting": …}``; a directory gives one note per
``*.txt`` file (id = file name without extension). A bad note (empty, binary, not UTF-8, huge)
gets an error record and the batch goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_BYTES = 1_000_000


def register(sub) -> None:
    p = sub.add_parser("suggest", help="suggest ICD-10-CM diagnosis codes (and queries) for clinical notes")
    p.add_argument("note", nargs="?", help="a note (text file); '-' reads standard input")
    p.add_argument("--setting", choices=("outpatient", "inpatient"), default=None,
                   help="coding setting (default outpatient; a batch line's own 'setting' wins)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--input", help="batch: a directory of .txt notes or a JSON-lines file")
    p.add_argument("--output", help="batch: predictions JSON-lines file to write")
    p.set_defaults(func=cmd_suggest)


def decode_note(raw: bytes) -> tuple[str | None, str | None]:
    """(text, error). Empty, binary, non-UTF-8 and huge notes are refused with a reason.

    >>> decode_note(b"")[1]
    'empty note'
    >>> decode_note(b"\\x00\\x01PK")[1]
    'binary content (NUL bytes), not a text note'
    >>> decode_note("caf\\u00e9".encode("latin-1"))[1].startswith("not UTF-8")
    True
    """
    if len(raw) > MAX_BYTES:
        return None, f"note too large ({len(raw)} bytes; limit {MAX_BYTES})"
    if b"\x00" in raw:
        return None, "binary content (NUL bytes), not a text note"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, f"not UTF-8 at byte {e.start}"
    return check_text(text)


def check_text(text) -> tuple[str | None, str | None]:
    if not isinstance(text, str):
        return None, "text is not a string"
    if not text.strip():
        return None, "empty note"
    if len(text) > MAX_BYTES:
        return None, f"note too large ({len(text)} characters; limit {MAX_BYTES})"
    if "\x00" in text:
        return None, "binary content (NUL bytes), not a text note"
    return text, None


def iter_inputs(path: Path) -> Iterator[tuple[str, str | None, str | None, str | None]]:
    """(id, text, setting, error) for each note of a directory or JSON-lines file."""
    if path.is_dir():
        for f in sorted(path.iterdir()):
            if f.is_file() and not f.name.startswith("."):
                try:
                    text, err = decode_note(f.read_bytes())
                except OSError as e:
                    text, err = None, f"unreadable: {e}"
                yield f.stem, text, None, err
        return
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                o = json.loads(raw)
                if not isinstance(o, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                yield f"line{n}", None, None, f"line {n}: not a JSON object ({e})"
                continue
            rid = str(o.get("id", f"line{n}"))
            text, err = check_text(o.get("text"))
            yield rid, text, o.get("setting"), err


def cmd_suggest(args) -> int:
    from ..codesets.codebook import Codebook
    from ..coding.encounter import Coder, code_encounter

    if args.input:
        if not args.output:
            print("coderight: --input needs --output", file=sys.stderr)
            return 2
        coder = Coder(Codebook())
        n = bad = 0
        with open(args.output, "w", encoding="utf-8") as out:
            for rid, text, setting, err in iter_inputs(Path(args.input)):
                n += 1
                if err is None:
                    try:
                        res = code_encounter(text, setting or args.setting or "outpatient", id=rid, coder=coder,
                                             with_em=True)
                        rec = res.to_record()
                        rec.update(_em_fields(res))
                    except Exception as e:  # noqa: BLE001 - one bad note must not stop the batch
                        rec = {"id": rid, "error": f"coding failed: {type(e).__name__}: {e}", "diagnoses": [], "queries": []}
                else:
                    rec = {"id": rid, "error": err, "diagnoses": [], "queries": []}
                if rec.get("error"):
                    bad += 1
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"{n} notes, {bad} errors → {args.output}", file=sys.stderr)
        return 0
    if not args.note:
        print("coderight: give a NOTE file or --input", file=sys.stderr)
        return 2
    raw = sys.stdin.buffer.read() if args.note == "-" else Path(args.note).read_bytes()
    text, err = decode_note(raw)
    if err:
        print(f"coderight: {args.note}: {err}", file=sys.stderr)
        return 1
    coder = Coder(Codebook())
    res = code_encounter(text, args.setting or "outpatient", id=Path(args.note).stem, coder=coder,
                         with_em=bool(args.json))
    if args.json:
        print(res.model_dump_json(indent=1))
        return 0
    print(report(res))
    return 0


def report(res) -> str:
    lines = [f"Diagnoses ({res.setting})"]
    if not res.diagnoses:
        lines.append("  (none supported by the documentation)")
    for d in res.diagnoses:
        ev = "; ".join(f'"{e.text}" @{e.start}' for e in d.evidence[:3])
        lines.append(f"  {d.rank:>2}. {d.code:<9} {d.title}  [{d.confidence:.2f}]")
        lines.append(f"      evidence: {ev}")
        for r in d.rationale:
            lines.append(f"      · {r}")
        for g in d.guideline:
            lines.append(f"      § {g}")
    if res.queries:
        lines.append("Queries")
        for q in res.queries:
            lines.append(f"  [{q.kind}] {q.question}")
            lines.append(f"      options: {' / '.join(q.options)}")
            if q.codes_at_stake:
                lines.append(f"      codes at stake: {', '.join(q.codes_at_stake)}")
            for b in q.basis:
                lines.append(f"      basis: {b}")
    if res.set_aside:
        lines.append("Set aside")
        for s in res.set_aside:
            lines.append(f"  {s.code:<9} \"{s.text}\": {s.reason}")
    lines.append("Data: " + ", ".join(f"{k} {v}" for k, v in res.data_versions.items()))
    return "\n".join(lines)


def _em_fields(res) -> dict:
    """The E/M level and procedures `code_encounter(..., with_em=True)` put beside the diagnoses
    (the codebook and engines are loaded once per process, with the `Coder`)."""
    em = res.em
    if isinstance(em, dict) and em.get("error") and not em.get("code"):
        return {"em": None, "procedures": [], "em_error": em["error"]}
    return {"em": em, "procedures": res.procedures}
