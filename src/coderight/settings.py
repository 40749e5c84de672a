"""Settings from the environment, read once at the rims (CLI, API, batch).

Engines never read the environment: they take a `Codebook` (or its parts) as an argument.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coderight"


@dataclass(frozen=True)
class Settings:
    data_mirror: str | None
    """Local directory or URL that mirrors the official CMS files (air-gapped departments)."""
    cache_dir: Path
    """Where the compiled, versioned reference-data cache lives."""
    database_url: str

    @classmethod
    def from_env(cls) -> Settings:
        cache = os.environ.get("CODERIGHT_CACHE_DIR")
        return cls(
            data_mirror=os.environ.get("CODERIGHT_DATA_MIRROR") or None,
            cache_dir=Path(cache).expanduser() if cache else _default_cache_dir(),
            database_url=os.environ.get("CODERIGHT_DATABASE_URL", "sqlite:///coderight.db"),
        )
