"""Structure benchmark: does the reader find a table cell with its real row and column?

Independent of answering. For each table-cell question of a realworld benchmark, the data
file `eval/structure_gold.jsonl` names the row label and column label(s) a reader needs
(annotated by hand from the document's page; see its first line). A question is *found*
when some stored cell of that document has the gold value, a row path containing the row
label and a column path containing every column label (case and spacing ignored).

The documents are read by the same stages as `reportqa ingest` (reader, tables, sentences:
`ingest.prepare.prepare_document`) without embedding, so the cells are the store's.

Also printed: the "whole sentences" share (the benchmark's prose evidence strings that lie
inside one stored sentence, whitespace normalised) and the reading speed in pages per second.

    python -m eval.structure /work/shared/benchmarks/realworld_train [--family justice] [--show]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from ingest.prepare import prepare_document
from reportqa.manifest import StoredDocument
from reportqa.models import Cell
from reportqa.settings import Settings

GOLD = Path(__file__).with_name("structure_gold.jsonl")
FAMILIES = ("justice", "economy", "social", "world")
PROSE_TYPES = ("prose-span", "prose-paraphrase", "prose-arithmetic", "word-number", "conflict")


def norm(s: str) -> str:
    """Lower case, one space, typographic dashes and quotes folded: labels compare as a reader reads."""
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u2010", "-").replace("\u2013", "-")
    s = s.replace("\u2014", "-").replace("\u2212", "-").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip().lower()


def flat(s: str) -> str:
    """`norm` without table pipes and dot leaders: a table row compares with its evidence line."""
    s = re.sub(r"(?:\s*\.){3,}", " ", s.replace("\\|", " ").replace("|", " "))
    return norm(s)


def _values(answer) -> list[float]:
    return [float(a) for a in answer] if isinstance(answer, list) else [float(answer)]


def _value_matches(cell: Cell, gold: list[float], tolerance: float) -> bool:
    def near(v: float, g: float) -> bool:
        return abs(abs(v) - abs(g)) <= tolerance + 1e-6 * max(1.0, abs(g))

    if len(gold) > 1 or cell.value is None:  # a range or a figure inside a text cell ("between 9.3% and 13.1%")
        nums = [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", cell.text)]
        return all(any(near(n, g) for n in nums) for g in gold)
    return any(near(cell.value, g) for g in gold)


def cell_found(cells: list[Cell], ann: dict) -> Cell | None:
    """The first cell that has the gold value under the annotated row and columns."""
    gold = _values(ann["answer"])
    row = norm(ann["row"])
    cols = [norm(c) for c in ann.get("columns", [])]
    for c in cells:
        if not _value_matches(c, gold, float(ann.get("tolerance") or 0)):
            continue
        rp = norm(" › ".join(c.row_path))
        cp = norm(" › ".join(c.column_path))
        if row in rp and all(col in cp for col in cols):
            return c
    return None


def read_docs(root: Path, families: list[str], settings: Settings) -> tuple[dict[str, StoredDocument], float]:
    """Every document of the families, read as ingest reads it; and the pages per second over PDFs."""
    out: dict[str, StoredDocument] = {}
    pages, seconds = 0, 0.0
    for fam in families:
        for path in sorted((root / fam / "docs").iterdir()):
            t0 = time.perf_counter()
            try:
                stored = prepare_document(path, settings)
            except Exception as exc:  # report and go on: one bad file is one row of the table
                print(f"  {fam}/{path.name}: not read ({exc})", file=sys.stderr)
                continue
            took = time.perf_counter() - t0
            print(f"  {fam}/{path.name}: {took:.1f} s", file=sys.stderr, flush=True)
            if path.suffix.lower() == ".pdf":
                seconds += took
                pages += stored.document.pages or 0
            out[path.stem] = stored
    return out, (pages / seconds if seconds else 0.0)


def all_cells(stored: StoredDocument) -> list[Cell]:
    """The cells of every table row the store holds for the document."""
    return [c for s in stored.sentences for c in s.cells if not c.header]


def whole_sentences(root: Path, families: list[str], docs: dict[str, StoredDocument]) -> tuple[int, int, list[str]]:
    """Prose evidence strings lying inside one stored sentence: (inside, total, the misses)."""
    inside = total = 0
    misses = []
    for fam in families:
        for line in open(root / fam / "gold.jsonl", encoding="utf-8"):
            q = json.loads(line)
            if q["type"] not in PROSE_TYPES or q["doc_id"] not in docs:
                continue
            sents = [flat(s.text) for s in docs[q["doc_id"]].sentences]
            evs = q["evidence"] if isinstance(q["evidence"], list) else [q["evidence"]]
            for ev in evs:
                ev_n = flat(ev)
                if not ev_n:
                    continue
                total += 1
                if any(ev_n in s for s in sents):
                    inside += 1
                else:
                    misses.append(f"{q['id']}: {ev[:90]}")
    return inside, total, misses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", type=Path, help="the realworld benchmark folder (holds justice/, economy/, ...)")
    ap.add_argument("--family", action="append", choices=FAMILIES, help="only these families (repeatable)")
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--show", action="store_true", help="print each miss with the cells holding its value")
    ap.add_argument("--save", type=Path, help="also write the documents as read (JSON lines) to this file")
    ap.add_argument("--load", type=Path, help="score documents saved by --save instead of reading them again")
    args = ap.parse_args(argv)
    families = args.family or list(FAMILIES)
    settings = Settings(data_dir="/nonexistent-structure-benchmark", parse_frames=False)
    if args.load:
        docs = {d.document.stem: d for d in map(StoredDocument.model_validate_json, open(args.load, encoding="utf-8"))}
        pps = 0.0
    else:
        docs, pps = read_docs(args.root, families, settings)
    if args.save:
        with open(args.save, "w", encoding="utf-8") as f:
            for d in docs.values():
                f.write(d.model_dump_json() + "\n")

    anns = [json.loads(x) for x in open(args.gold, encoding="utf-8") if x.strip() and not x.startswith("#")]
    anns = [a for a in anns if a["family"] in families]
    per_doc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in anns:
        stored = docs.get(a["doc_id"])
        cells = all_cells(stored) if stored else []
        hit = cell_found(cells, a)
        per_doc[a["doc_id"]][1] += 1
        per_doc[a["doc_id"]][0] += hit is not None
        if hit is None and args.show:
            gold = _values(a["answer"])
            near = [c for c in cells if _value_matches(c, gold, float(a.get("tolerance") or 0))]
            print(f"MISS {a['id']} row={a['row']!r} cols={a.get('columns')} value={a['answer']}")
            for c in near[:4]:
                print(f"     p{c.page} {c.text!r} row={c.row_path} col={c.column_path}")
    print(f"{'document':55} found")
    for doc, (f, n) in sorted(per_doc.items()):
        print(f"{doc[:55]:55} {f}/{n}")
    found = sum(f for f, _ in per_doc.values())
    total = sum(n for _, n in per_doc.values())
    print(f"table cells found with row and column: {found}/{total} = {100 * found / max(total, 1):.1f} %")
    inside, n_ev, misses = whole_sentences(args.root, families, docs)
    if args.show:
        for m in misses:
            print(f"SPLIT {m}")
    print(f"prose evidence inside one sentence: {inside}/{n_ev} = {100 * inside / max(n_ev, 1):.1f} %")
    print(f"PDF reading speed: {pps:.2f} pages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
