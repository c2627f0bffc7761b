"""Peak memory and time of each hostile file, and a question's latency after it (issue 37).

    python -m eval.bench_hostile [--out DIR]

Each file is ingested, under the default limits, in a child process of its own (a fresh
store holding one good report first), and a question about the good report is asked
after it: the child's peak RSS (ru_maxrss) is what the file cost, the answer's latency
shows the store stays quick. The acceptance: every file under 2 GB, every answer right.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from eval.hostile_files import GOOD, write_cases, write_heavy

REPO = Path(__file__).resolve().parents[1]
QUESTION = "How many people did the shelter take in in 2022?"
LIMIT_MB = 2048

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from reportqa import offline
offline.apply()
from ingest.pipeline import Ingestor
from qa.service import QA
from reportqa.settings import Settings
data, good, path = sys.argv[1:4]
settings = Settings(data_dir=Path(data))
ing = Ingestor(settings)
ing.ingest([Path(good)])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
(result,) = ing.ingest([Path(path)])
ingest_s = time.perf_counter() - started
started = time.perf_counter()
answer = QA(settings).answer(sys.argv[4])
ask_s = time.perf_counter() - started
print(json.dumps({"status": result.status, "reason": result.reason, "warnings": result.warnings,
                  "ingest_s": round(ingest_s, 1), "ask_s": round(ask_s, 2), "value": answer.value,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "before_mb": base // 1024}))
"""


def measure(path: Path, good: Path, work: Path) -> dict:
    """One file in a child process: its outcome, peak RSS, ingest time and a question's latency."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    data = Path(tempfile.mkdtemp(dir=work, prefix="store-"))
    out = subprocess.run([sys.executable, "-c", _CHILD, str(data), str(good), str(path), QUESTION],
                         capture_output=True, text=True, cwd=REPO, env=env, timeout=1800)
    if out.returncode != 0:
        return {"status": "crashed", "reason": out.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="Write the rows as JSON here too.")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--small", action="store_true", help="Only the small hostile files.")
    which.add_argument("--heavy", action="store_true", help="Only the heavy files (the memory cases of issue 37).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        work = Path(tmp)
        good = work / "good.md"
        good.write_text(GOOD, encoding="utf-8")
        cases = ([] if args.heavy else write_cases(work / "small")) + ([] if args.small else write_heavy(work / "heavy"))
        rows = []
        print(f"{'file':24} {'size':>9} {'outcome':8} {'peak MB':>8} {'ingest s':>9} {'ask s':>6} answer  note")
        for case in cases:
            r = measure(case.path, good, work)
            r["file"], r["bytes"] = case.name, case.path.stat().st_size
            rows.append(r)
            note = (r.get("reason") or "; ".join(r.get("warnings") or []))[:90]
            print(f"{case.name:24} {r['bytes']:>9,} {r['status']:8} {r.get('peak_mb', 0):>8,} "
                  f"{r.get('ingest_s', 0):>9} {r.get('ask_s', 0):>6} {str(r.get('value')):7} {note}", flush=True)
        worst = max(r.get("peak_mb", 0) for r in rows)
        wrong = [r["file"] for r in rows if r.get("value") != 412]
        print(f"largest peak: {worst:,} MB (limit {LIMIT_MB:,}); answers wrong after: {wrong or 'none'}")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "bench_hostile.json").write_text(json.dumps(rows, indent=1))
        sys.exit(0 if worst < LIMIT_MB and not wrong else 1)


if __name__ == "__main__":
    main()
