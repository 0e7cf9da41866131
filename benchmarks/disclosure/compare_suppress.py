"""The demo's suppression chosen by an older checkout and by this one, compared cell by cell.

Speed work on :func:`folge.disclosure.suppress` must not change what is hidden. This script

1. builds the default demo (``folge demo``), runs ingest → analyze → report once and keeps
   the :class:`~folge.disclosure.CellModel` the report builder hands to ``suppress``
   (``--model`` reuses a kept one);
2. runs ``suppress`` on that model with the reference code (``git show REF:...``: the
   ``analysis/folge`` tree of ``REF`` unpacked into a temporary folder and put first on
   ``PYTHONPATH`` of a child process) and with this checkout's code, each ``--repeat``
   times, recording wall and CPU time;
3. compares the two choices cell by cell (hidden or not, and the reason) and runs the
   full LP audit of this checkout's choice.

It exits 1 when any cell differs. Run it niced; it reports the load average.

    nice python benchmarks/disclosure/compare_suppress.py --ref main --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "benchmarks" / "_data" / "compare_suppress"


def capture(out: Path) -> Path:
    """Build and run the default demo; pickle the (model, protection, published) of its report."""
    import folge.disclosure as disclosure
    from folge.demo import DemoDesign, build_demo, run_pipeline

    seen = []
    original = disclosure.suppress

    def keep(model, protection, **kwargs):
        seen.append((model, protection, kwargs.get("published")))
        return original(model, protection, **kwargs)

    disclosure.suppress = keep
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = build_demo(Path(tmp) / "study", DemoDesign())
            run_pipeline(root)
    finally:
        disclosure.suppress = original
    if not seen:
        raise SystemExit("the demo's report never called folge.disclosure.suppress")
    out.parent.mkdir(parents=True, exist_ok=True)
    model, protection, published = seen[-1]
    model._cache = model._group_cache = None  # caches are rebuilt by whichever code loads it
    rules = {name: getattr(protection, name) for name in ("min_n", "level", "zeros", "marker")}
    out.write_bytes(pickle.dumps((model, rules, published)))
    return out


def run_one(model_path: Path, repeat: int, out: Path) -> None:
    """In this process: suppress the pickled model ``repeat`` times; write reasons and timings."""
    from folge.disclosure import Protection, suppress

    model, rules, published = pickle.loads(model_path.read_bytes())
    protection = Protection(**rules)
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = suppress(model, protection, published=published)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    import folge

    out.write_text(json.dumps({"reasons": [str(r) for r in result.reasons], "wall": walls, "cpu": cpus,
                               "rounds": result.rounds, "source": folge.__file__}), encoding="utf-8")


def _child(analysis: Path, model_path: Path, repeat: int, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(analysis), "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run([sys.executable, __file__, "--run-one", str(model_path), "--repeat", str(repeat),
                    "--out", str(out)], env=env, check=True, cwd=analysis)
    return json.loads(out.read_text(encoding="utf-8"))


def _unpack(ref: str, into: Path) -> Path:
    """``analysis/folge`` of ``ref`` (via ``git archive``) under ``into``; returns its ``analysis`` folder."""
    archive = into / "ref.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "archive", ref, "analysis/folge"], cwd=REPO, stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "analysis"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ref", default="main", help="the reference commit (default: main)")
    parser.add_argument("--repeat", type=int, default=1, help="suppressions timed per side (median reported)")
    parser.add_argument("--model", type=Path, default=None, help="a model pickled by an earlier run")
    parser.add_argument("--run-one", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one is not None:
        run_one(args.run_one, args.repeat, args.out)
        return 0

    model_path = (args.model or DATA / "demo-model.pickle").resolve()
    if args.model is None:
        start = time.perf_counter()
        capture(model_path)
        print(f"demo built and run, model kept in {model_path} ({time.perf_counter() - start:.0f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        old = _child(_unpack(args.ref, tmp), model_path, args.repeat, tmp / "old.json")
        new = _child(REPO / "analysis", model_path, args.repeat, tmp / "new.json")
    differ = [i for i, (a, b) in enumerate(zip(old["reasons"], new["reasons"])) if a != b]
    cells = len(new["reasons"])
    hidden = sum(r != "" for r in new["reasons"])
    with open("/proc/loadavg", encoding="ascii") as f:
        load = " ".join(f.read().split()[:3])
    for name, side in (("reference " + args.ref, old), ("this checkout", new)):
        print(f"{name:>22}: median {statistics.median(side['wall']):6.1f} s wall, "
              f"{statistics.median(side['cpu']):6.1f} s CPU over {len(side['wall'])} run(s) "
              f"({side['rounds']} rounds; code from {side['source']})")
    print(f"cells {cells}, hidden {hidden}, differing {len(differ) + abs(len(old['reasons']) - cells)}; "
          f"load average {load}")
    import numpy as np

    from folge.disclosure import Protection, audit

    model, rules, published = pickle.loads(model_path.read_bytes())
    final = audit(model, Protection(**rules), suppressed=np.asarray([r != "" for r in new["reasons"]]), published=published)
    print(f"full audit of this checkout's choice: passed {final.passed}, {final.attacked} attacked, "
          f"smallest interval {final.smallest_interval:g}")
    if differ:
        for i in differ[:10]:
            print(f"  cell {i} {dict(model.keys[i])}: {old['reasons'][i]!r} -> {new['reasons'][i]!r}")
    return 1 if differ or len(old["reasons"]) != cells or not final.passed else 0


if __name__ == "__main__":
    sys.exit(main())
