"""Reading the files CMS and CDC publish: plain, gzipped, or a member of a zip; UTF-8 or the
Windows code page their older files use; CSV with a header whose required columns are checked.

Every failure is an `ImportFailure` naming the file (and the line, for CSV rows).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .errors import ImportFailure


def read_bytes(path: Path, member_re: str | tuple[str, ...] = ()) -> tuple[bytes, str]:
    """The file's bytes, un-gzipped, or the newest zip member matching one of `member_re`.

    Returns (data, name for messages: ``file`` or ``file!member``).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv.gz"
    >>> _ = p.write_bytes(gzip.compress(b"a,b\\n"))
    >>> read_bytes(p)[0]
    b'a,b\\n'
    >>> _ = p.write_bytes(gzip.compress(b"a,b\\n")[:12])
    >>> read_bytes(p)
    Traceback (most recent call last):
    coderight.codesets.errors.ImportFailure: import failed: ...x.csv.gz: unreadable or truncated file: ...
    """
    name = str(path)
    patterns = (member_re,) if isinstance(member_re, str) else tuple(member_re)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for pat in patterns or (".",):
                    hits = sorted(n for n in z.namelist() if re.search(pat, Path(n).name, re.I))
                    if hits:
                        return z.read(hits[-1]), f"{name}!{hits[-1]}"
            raise ImportFailure(name, f"zip holds no member matching {' or '.join(patterns)}")
        raw = Path(path).read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return raw, name
    except ImportFailure:
        raise
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise ImportFailure(name, f"unreadable or truncated file: {e}") from e


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the code page of older CMS text files."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_text(path: Path, member_re: str | tuple[str, ...] = ()) -> tuple[str, str]:
    raw, name = read_bytes(path, member_re)
    return decode(raw), name


def csv_rows(text: str, name: str, required: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(line number, the required columns' values, stripped) for each non-empty row.

    The header must hold every required column; a row with the wrong number of fields fails.

    >>> list(csv_rows("code,desc,x\\nA1,One,\\n\\nB2,Two,z\\n", "f.csv", ("code", "desc")))
    [(2, ['A1', 'One']), (4, ['B2', 'Two'])]
    >>> list(csv_rows("code,desc\\nA1\\n", "f.csv", ("code", "desc")))
    Traceback (most recent call last):
    coderight.codesets.errors.ImportFailure: import failed: f.csv, line 2: 1 fields, expected 2
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailure(name, f"header lacks column(s) {', '.join(missing)}; has {header}", 1)
    ix = [header.index(c) for c in required]
    for row in reader:
        if not any(v.strip() for v in row):
            continue
        if len(row) != len(header):
            raise ImportFailure(name, f"{len(row)} fields, expected {len(header)}", reader.line_num)
        yield reader.line_num, [row[i].strip() for i in ix]
