"""The bench corpus: report files copied until they hold the sentences asked for, and
seeded questions in the style of the benchmarks built from their words.

When more sentences are asked for than the given reports hold, the files are repeated with
every number (except years) rewritten by a seeded random variation, so repeated files have
different content ids and texts.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportqa.errors import BadInput

TEXT_SUFFIXES = (".txt", ".md")
# Below this many sentences the corpus takes files round-robin from every source folder, so a
# quick run still sees every kind of report; above it, files are taken in order.
SMALL_CORPUS = 20_000

Log = Callable[[str], None]

# ---- corpus ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def vary_numbers(text: str, rng: random.Random) -> str:
    """Every number but years rewritten by a random factor in [0.75, 1.25], keeping its format."""

    def repl(m: re.Match) -> str:
        whole, frac = m.group(1), m.group(2) or ""
        if not frac and "," not in whole and len(whole) == 4 and 1900 <= int(whole) <= 2099:
            return m.group(0)  # a year: keep it, so questions "in <year>" stay meaningful
        value = float(whole.replace(",", "") + frac)
        new = value * rng.uniform(0.75, 1.25)
        decimals = len(frac) - 1 if frac else 0
        step = 10 ** -decimals
        if round(new, decimals) == value:
            new = value + step
        if decimals:
            digits = f"{new:,.{decimals}f}" if "," in whole else f"{new:.{decimals}f}"
        else:
            n = int(round(new))
            digits = f"{n:,}" if "," in whole else str(n)
            if whole.startswith("0") and len(whole) > 1:
                digits = digits.zfill(len(whole))
        return digits

    return _NUMBER.sub(repl, text)



def source_files(roots: list[Path]) -> list[tuple[str, Path]]:
    """[(source name, file)]: the .txt/.md reports under each root (recursively, READMEs aside).
    The source name is the first folder below the root, so sources can be interleaved."""
    files: list[tuple[str, Path]] = []
    for root in roots:
        if not root.is_dir():
            raise BadInput(f"corpus folder {root} does not exist (pass --corpus DIR with .txt/.md reports)")
        for f in sorted(root.rglob("*")):
            if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES and not f.stem.lower().startswith("readme"):
                rel = f.relative_to(root).parts
                files.append((rel[0] if len(rel) > 1 else root.name, f))
    if not files:
        raise BadInput(f"no .txt or .md reports under {', '.join(map(str, roots))}")
    return files


def _interleave(files: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """Round-robin over the sources, so a small corpus still has every kind of report."""
    by_source: dict[str, list[tuple[str, Path]]] = {}
    for item in files:
        by_source.setdefault(item[0], []).append(item)
    out: list[tuple[str, Path]] = []
    queues = list(by_source.values())
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


@dataclass
class Corpus:
    folder: Path
    origin: str
    target: int
    files: int = 0
    bytes: int = 0
    copies: int = 0
    estimated_sentences: int = 0
    source_files: int = 0
    source_sentences: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)       # search texts of the source files
    prose: list[str] = field(default_factory=list)       # their prose sentences (for questions)
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # (table row label, header years)

    def summary(self) -> dict:
        return {
            "origin": self.origin, "target_sentences": self.target, "files": self.files,
            "megabytes": round(self.bytes / 1e6, 2), "copies": self.copies,
            "estimated_sentences": self.estimated_sentences, "source_files": self.source_files,
            "source_sentences": self.source_sentences, "source_sentences_by_kind": self.by_source,
        }


def build_corpus(target: int, folder: Path, rng: random.Random, log: Log, roots: list[Path]) -> Corpus:
    """Write files holding at least `target` sentences (as split by the ingest pipeline)."""
    from ingest.pipeline import content_id
    from ingest.readers import read_document
    from ingest.sentences import split_sentences
    from reportqa.models import split_row
    from reportqa.settings import Settings

    files = source_files(roots)
    origin = ", ".join(str(r) for r in roots)
    long_words = Settings().long_sentence_words
    corpus = Corpus(folder=folder, origin=origin, target=target)
    # Count each source file's sentences exactly once (the copies only differ in digits).
    counted: list[tuple[str, Path, str, int]] = []
    total = 0
    ordered = _interleave(files) if target < SMALL_CORPUS else files
    for name, path in ordered:
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace")
        doc = read_document(path, data, content_id(data))
        sentences = split_sentences("bench", doc.text, doc.page_starts, long_words)
        if not sentences:
            continue
        counted.append((name, path, text, len(sentences)))
        total += len(sentences)
        corpus.by_source[name] = corpus.by_source.get(name, 0) + len(sentences)
        for s in sentences:
            corpus.texts.append(s.search_text)
            if s.kind == "sentence":
                corpus.prose.append(s.text)
            elif s.kind == "table_row" and s.table_header:
                cells = [c.strip() for c in split_row(s.text)]
                years = [y for h in s.table_header for y in _YEAR.findall(h)]
                if cells and cells[0] and years and any(ch.isalpha() for ch in cells[0]):
                    corpus.rows.append((cells[0], years))
        if total >= target and target < SMALL_CORPUS:
            break  # a small corpus: enough files already
    corpus.source_files, corpus.source_sentences = len(counted), total
    log(f"corpus: {len(counted)} source files with {total:,} sentences from {origin}")

    written = 0
    copy = 0
    while written < target:
        for name, path, text, n in counted:
            if written >= target:
                break
            body = text if copy == 0 else vary_numbers(text, rng)
            out = folder / f"c{copy:03d}" / name / path.name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(body, encoding="utf-8")
            corpus.files += 1
            corpus.bytes += len(body.encode("utf-8"))
            written += n
        copy += 1
    corpus.copies, corpus.estimated_sentences = copy, written
    log(f"corpus: wrote {corpus.files:,} files ({copy} copies), about {written:,} sentences")
    return corpus


# ---- questions ------------------------------------------------------------------------------

_STOP = frozenset(
    """a an the and or of in on at to for from by with as is are was were be been being this that these
    those it its their there which who whom whose what when where why how than then also such other
    into over under after before during between about against per not no nor but if so can could would
    should may might will shall has have had do does did our we they he she his her them us you your
    all any each more most some same both only own very one two three four five six seven eight nine ten
    million billion thousand percent year years total company group note table million""".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


def _phrases(sentence: str) -> list[str]:
    """Runs of 1-3 consecutive content words (lower-cased)."""
    words = [w.lower().strip("'-") for w in _WORD.findall(sentence)]
    runs: list[list[str]] = []
    cur: list[str] = []
    for w in words:
        if w in _STOP or len(w) < 3:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        runs.append(cur)
    out = []
    for run in runs:
        for size in (3, 2, 1):
            for i in range(0, max(len(run) - size + 1, 0)):
                out.append(" ".join(run[i:i + size]))
    return out


def make_questions(corpus: Corpus, n: int, rng: random.Random) -> list[str]:
    """Varied, seeded questions in the style of the benchmarks, built from corpus words."""
    years_seen = [y for s in corpus.prose for y in _YEAR.findall(s)] or ["2019", "2020", "2021", "2022"]
    templates_year = (
        "What was the {p} in {y}?", "How many {p} were there in {y}?", "What was the total {p} in {y}?",
        "How much was the {p} in {y}?", "What percentage of {p} was reported in {y}?",
        "How did the {p} change from {y0} to {y}?",
    )
    templates_plain = (
        "How many {p}?", "How many {p} were reported?", "What was the {p}?", "Which {p} was the largest?",
        "How many years after {p}?", "How much {p} was recorded?",
    )
    questions: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(questions) < n and attempts < n * 50:
        attempts += 1
        if corpus.rows and rng.random() < 0.3:
            label, years = rng.choice(corpus.rows)
            label = " ".join(label.split()[:6]).strip(" :")
            q = f"What was the {label} in {rng.choice(years)}?"
        else:
            if not corpus.prose:
                break
            s = rng.choice(corpus.prose)
            phrases = _phrases(s)
            if not phrases:
                continue
            p = rng.choice(phrases)
            years = _YEAR.findall(s)
            if years or rng.random() < 0.5:
                y = rng.choice(years or years_seen)
                y0 = str(int(y) - 1)
                q = rng.choice(templates_year).format(p=p, y=y, y0=y0)
            else:
                q = rng.choice(templates_plain).format(p=p)
        if q not in seen:
            seen.add(q)
            questions.append(q)
    return questions
