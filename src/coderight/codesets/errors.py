"""Errors of the reference-data layer. Every message names the file (and line) or the code."""

from __future__ import annotations


class CodesetError(Exception):
    """Base class for reference-data errors."""


class SourceMissing(CodesetError):
    """A source file the import needs is not in the mirror (or could not be downloaded)."""

    def __init__(self, dataset: str, wanted: str, where: str, detail: str = ""):
        self.dataset, self.wanted, self.where = dataset, wanted, where
        msg = f"{dataset}: source file {wanted!r} not found in {where}"
        super().__init__(msg + (f" ({detail})" if detail else ""))


class ImportFailure(CodesetError):
    """A source file is present but malformed. Names the file and, where known, the line."""

    def __init__(self, file: str, reason: str, line: int | None = None):
        self.file, self.reason, self.line = file, reason, line
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"import failed: {where}: {reason}")


class CacheMissing(CodesetError):
    """The compiled cache has no entry for a dataset: run `coderight data sync`."""

    def __init__(self, dataset: str, cache_dir: str):
        self.dataset = dataset
        super().__init__(
            f"reference data {dataset!r} is not in the compiled cache at {cache_dir}; "
            "run `coderight data sync` (set CODERIGHT_DATA_MIRROR for an offline mirror)"
        )


class UnknownCode(CodesetError, KeyError):
    """A code that is not in the code set. Carries the nearest valid codes."""

    def __init__(self, code: str, codeset: str, nearest: list[str] | None = None):
        self.code, self.codeset, self.nearest = code, codeset, nearest or []
        msg = f"{code!r} is not in {codeset}"
        if self.nearest:
            msg += "; nearest valid codes: " + ", ".join(self.nearest)
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


class InvalidCode(CodesetError, ValueError):
    """A code that cannot exist: malformed, or a 7th character that its category does not define."""
