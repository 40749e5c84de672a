"""Where each official reference file comes from, and how to get it.

A `Source` names one official file: where CMS/CDC publish it and where it sits in a mirror
(a directory or URL laid out like `../shared/data`, see its SOURCES.md). Mirror patterns are
globs so that a mirror may hold several releases (NCCI quarters, fiscal years) side by side.

Resolution order: an explicit mirror (argument or CODERIGHT_DATA_MIRROR), else the official URL.
"""

from __future__ import annotations

import fnmatch
import hashlib
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceMissing


@dataclass(frozen=True)
class Source:
    dataset: str
    mirror_glob: str
    """Path (glob) relative to the mirror root, e.g. ``ncci-ptp/ncci_ptp_practitioner_*.csv.gz``."""
    official_url: str
    """Where the publisher puts it; used only when no mirror is configured."""
    publisher: str = "CMS"
    optional: bool = False


class SourceResolver:
    """Finds source files in a local mirror directory, a mirror URL, or at the official URL.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "pos").mkdir(); _ = (d / "pos" / "place_of_service_codes_2024-06.csv").write_text("x")
    >>> r = SourceResolver(str(d))
    >>> [p.name for p in r.find(Source("pos", "pos/place_of_service_codes_*.csv", "https://x"))]
    ['place_of_service_codes_2024-06.csv']
    """

    def __init__(self, mirror: str | None, download_dir: Path | None = None):
        self.mirror = mirror
        self.download_dir = download_dir or Path(tempfile.mkdtemp(prefix="coderight-dl-"))

    @property
    def where(self) -> str:
        return f"mirror {self.mirror}" if self.mirror else "the official CMS locations"

    def _is_url(self) -> bool:
        return bool(self.mirror) and urllib.parse.urlparse(self.mirror).scheme in ("http", "https", "file")

    def find(self, source: Source) -> list[Path]:
        """All files matching the source, newest name last. Raises SourceMissing if none."""
        if self.mirror and not self._is_url():
            root = Path(self.mirror).expanduser()
            if not root.is_dir():
                raise SourceMissing(source.dataset, source.mirror_glob, self.where, "mirror directory does not exist")
            hits = sorted(p for p in root.glob(source.mirror_glob) if p.is_file())
            if not hits:
                raise SourceMissing(source.dataset, source.mirror_glob, self.where)
            return hits
        if self.mirror:  # URL mirror: the exact glob cannot be listed, so ask for an index file
            return [self._download_from_url_mirror(source)]
        return [self._download(source.official_url, source)]

    def find_one(self, source: Source) -> Path:
        return self.find(source)[-1]

    def _download_from_url_mirror(self, source: Source) -> Path:
        base = self.mirror.rstrip("/") + "/"
        index_url = urllib.parse.urljoin(base, "MANIFEST.txt")
        try:
            names = self._fetch_text(index_url).split()
        except OSError as e:
            raise SourceMissing(source.dataset, source.mirror_glob, self.where, f"no MANIFEST.txt: {e}") from e
        hits = sorted(n for n in names if fnmatch.fnmatch(n, source.mirror_glob))
        if not hits:
            raise SourceMissing(source.dataset, source.mirror_glob, self.where)
        return self._download(urllib.parse.urljoin(base, hits[-1]), source)

    @staticmethod
    def _fetch_text(url: str) -> str:
        from urllib.request import urlopen  # only a sync downloads: keep it off the start-up path

        with urlopen(url, timeout=60) as resp:  # noqa: S310 (mirror or CMS URL)
            return resp.read().decode("utf-8")

    def _download(self, url: str, source: Source) -> Path:
        name = Path(urllib.parse.urlparse(url).path).name or source.dataset
        target = self.download_dir / name
        if target.exists():
            return target
        self.download_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        from urllib.request import urlopen

        try:
            with urlopen(url, timeout=120) as resp, open(tmp, "wb") as out:  # noqa: S310
                shutil.copyfileobj(resp, out)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise SourceMissing(source.dataset, url, self.where, str(e)) from e
        tmp.replace(target)
        return target


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
