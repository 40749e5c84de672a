"""`Codebook`: every reference dataset, loaded lazily from the compiled cache.

One object is handed to the engines; it pickles as its cache path only, so a Spark or process
worker re-loads the data once, not per task.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..settings import Settings
from .cache import CompiledCache, DatasetInfo
from .errors import CacheMissing
from .registry import DATASETS, module_for
from .sources import SourceResolver


class Codebook:
    def __init__(self, cache_dir: Path | str | None = None):
        self.cache = CompiledCache(Path(cache_dir) if cache_dir else Settings.from_env().cache_dir)
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()

    # pickling: ship the path, not the data
    def __getstate__(self) -> dict:
        return {"cache_dir": str(self.cache.root)}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["cache_dir"])

    def dataset(self, name: str) -> Any:
        got = self._loaded.get(name)
        if got is not None:
            return got
        with self._lock:
            if name not in self._loaded:
                mod = module_for(name)
                try:
                    if not self.is_current(name):
                        raise CacheMissing(name, str(self.cache.root))
                    payload = self.cache.read(name)
                except CacheMissing:
                    if not getattr(mod, "BUNDLED", False):
                        raise
                    info, payload = mod.build(SourceResolver(None))
                    info.compiler = getattr(mod, "COMPILER_VERSION", 1)
                    self.cache.write(info, payload)
                self._loaded[name] = mod.load(payload)
            return self._loaded[name]

    def is_current(self, name: str) -> bool:
        """Compiled, and by the importer version this code expects."""
        info = self.cache.manifest().get(name)
        want = getattr(module_for(name), "COMPILER_VERSION", 1)
        return info is not None and info.compiler == want and self.cache.has(name)

    def has(self, name: str) -> bool:
        return name in self._loaded or self.cache.has(name) or getattr(module_for(name), "BUNDLED", False)

    def versions(self) -> dict[str, str]:
        """Release of every compiled dataset: recorded in every result for reproducibility."""
        return {k: v.release for k, v in sorted(self.cache.manifest().items())}

    def info(self) -> dict[str, DatasetInfo]:
        return self.cache.manifest()

    # Named accessors: the vocabulary the engines use.
    @property
    def icd10cm(self):
        return self.dataset("icd10cm")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in DATASETS:
            raise AttributeError(name)
        return self.dataset(name)


def sync(cache_dir: Path, mirror: str | None, only: list[str] | None = None,
         progress=None) -> tuple[list[DatasetInfo], list[tuple[str, Exception]]]:
    """Import every dataset (or `only` these) into the compiled cache.

    Each dataset is written atomically; a failure on one is reported and leaves that dataset's
    previous compiled version in place. Returns (built, failures).
    """
    cache = CompiledCache(cache_dir)
    resolver = SourceResolver(mirror, download_dir=Path(cache_dir) / "downloads")
    built, failed = [], []
    for name in only or list(DATASETS):
        mod = module_for(name)
        if progress:
            progress(name)
        try:
            info, payload = mod.build(resolver)
            info.compiler = getattr(mod, "COMPILER_VERSION", 1)
        except Exception as e:  # noqa: BLE001 - reported per dataset, never swallowed
            failed.append((name, e))
            continue
        cache.write(info, payload)
        built.append(info)
    return built, failed
