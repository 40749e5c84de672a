"""The compiled, versioned reference-data cache.

Import parses the official files once and writes one pickle per dataset; a normal start only
loads pickles. Writes are atomic (temporary file + rename), and the manifest is rewritten
atomically after each dataset, so a failed import never leaves a half-written cache behind:
the previous compiled version stays in force.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import CacheMissing, CodesetError

# Bump when a compiled layout changes: old caches are then rebuilt, never misread.
CACHE_FORMAT = 1


@dataclass
class DatasetInfo:
    dataset: str
    release: str
    """Human release label: "FY2026 (April 2026)", "2024 Q3 (eff. 2024-07-01)", …"""
    form: str
    """What was loaded: "official XML", "derived CSV (lossy)", …"""
    source_files: list[str]
    source_sha256: list[str]
    rows: int
    built_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    notes: str = ""
    compiler: int = 1
    """The importer's COMPILER_VERSION: a cache built by an older importer is rebuilt."""
    format: int = CACHE_FORMAT


class CompiledCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _file(self, dataset: str) -> Path:
        return self.root / f"{dataset}.v{CACHE_FORMAT}.pickle"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def manifest(self) -> dict[str, DatasetInfo]:
        try:
            raw = json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise CodesetError(f"compiled cache manifest {self.manifest_path} is unreadable: {e}") from e
        return {k: DatasetInfo(**v) for k, v in raw.items() if v.get("format") == CACHE_FORMAT}

    def has(self, dataset: str) -> bool:
        return self._file(dataset).exists() and dataset in self.manifest()

    def write(self, info: DatasetInfo, payload: Any) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _atomic_write(self._file(info.dataset), pickle.dumps((info.dataset, payload), protocol=5))
        manifest = self.manifest()
        manifest[info.dataset] = info
        _atomic_write(self.manifest_path, json.dumps({k: asdict(v) for k, v in sorted(manifest.items())},
                                                     indent=1).encode())

    def read(self, dataset: str) -> Any:
        path = self._file(dataset)
        try:
            with open(path, "rb") as f:
                name, payload = pickle.load(f)
        except FileNotFoundError:
            raise CacheMissing(dataset, str(self.root)) from None
        except Exception as e:  # a damaged cache must say which file
            raise CodesetError(f"compiled cache file {path} is damaged ({e}); run `coderight data sync`") from e
        if name != dataset:
            raise CodesetError(f"compiled cache file {path} holds {name!r}, expected {dataset!r}")
        return payload


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
