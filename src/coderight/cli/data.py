"""`coderight data sync|status`: import the official files into the compiled cache; show it."""

from __future__ import annotations

import json
import sys
import time

from ..codesets.codebook import sync
from ..codesets.registry import DATASETS
from ..settings import Settings


def register(sub) -> None:
    p = sub.add_parser("data", help="reference data: sync from CMS or a mirror, show status")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION")
    s = dsub.add_parser("sync", help="import the official files into the compiled cache")
    s.add_argument("--mirror", help="local directory or URL mirroring the CMS files "
                                     "(default: CODERIGHT_DATA_MIRROR, else the official CMS URLs)")
    s.add_argument("--only", nargs="*", choices=sorted(DATASETS), help="import only these datasets")
    s.set_defaults(func=cmd_sync)
    st = dsub.add_parser("status", help="what is loaded, which release, when")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def cmd_sync(args) -> int:
    settings = Settings.from_env()
    mirror = args.mirror or settings.data_mirror
    print(f"syncing into {settings.cache_dir} from {mirror or 'the official CMS locations'}")
    t0 = time.perf_counter()

    def progress(name):
        print(f"  {name} …", flush=True)

    built, failed = sync(settings.cache_dir, mirror, only=args.only, progress=progress)
    for info in built:
        print(f"  ok   {info.dataset:<22} {info.release}  [{info.form}]  {info.rows:,} rows")
    for name, err in failed:
        print(f"  FAIL {name:<22} {err}", file=sys.stderr)
    print(f"{len(built)} imported, {len(failed)} failed in {time.perf_counter() - t0:.1f} s")
    return 1 if failed else 0


def cmd_status(args) -> int:
    settings = Settings.from_env()
    from ..codesets.cache import CompiledCache

    manifest = CompiledCache(settings.cache_dir).manifest()
    if args.json:
        print(json.dumps({k: v.__dict__ for k, v in manifest.items()}, indent=1))
        return 0
    print(f"compiled cache: {settings.cache_dir}")
    for name in DATASETS:
        info = manifest.get(name)
        if info is None:
            print(f"  {name:<22} not loaded")
            continue
        print(f"  {name:<22} {info.release}  [{info.form}]  {info.rows:,} rows, built {info.built_at}")
        if info.notes:
            print(f"  {'':<22} {info.notes}")
    return 0
