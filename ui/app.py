"""The web chat (Gradio): Chat, Documents and Evaluation tabs over one report store.

`build_app` wires components to small handlers; the handlers call qa/, ingest/ and
eval/ through `Backend`, and ui/render.py turns results into (escaped) HTML.

Error policy (ui/errors.py `clean_errors`, on every handler): a ReportQAError becomes
`gr.Error(message)`; anything else is logged
and shown as a generic message. Handlers raise *before* returning outputs, so a
failed question never touches the chat history held in gr.State.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import gradio as gr

from reportqa.errors import BadInput, ReportQAError
from reportqa.models import Answer, DocumentInfo
from reportqa.settings import Settings
from ui import documents, evaluation, render, turn, viewer
from ui.backend import MB, Backend, outputs_dir, safe_name, uploads_dir  # noqa: F401 (re-exported for tests)

__all__ = ["Backend", "build_app", "parse_auth", "queue_options", "safe_name", "serve"]
from ui.errors import INTERNAL_ERROR, clean_errors, raise_clean
from ui.sessions import Sessions

log = logging.getLogger(__name__)

CSS_PATH = Path(__file__).with_name("style.css")

# Questions the bundled example reports (examples/reports) can answer, one of each kind.
EXAMPLE_QUESTIONS = [
    "How many victims did the authorities rescue?",
    "How many trafficking cases did police handle in 2021?",
    "How many shelter beds did Cambodia have at the end of 2021?",
    "What was the percentage change in hotline calls from 2020 to 2021?",
    "Who urged officials to keep up the pressure on traffickers?",
]


def queue_options(settings: Settings) -> dict:
    """The Gradio queue's limits: requests waiting, and requests answered at once."""
    return {"max_size": settings.queue_size, "default_concurrency_limit": settings.concurrency}


# A click on "ask as a standalone question" puts that question in a hidden box and presses
# a hidden button (one listener on the transcript, so re-rendered turns need nothing).
REASK_JS = """
element.addEventListener('click', (event) => {
  const link = event.target.closest('.rq-reask');
  if (!link) return;
  event.preventDefault();
  const box = document.querySelector('#rq-reask-q textarea, #rq-reask-q input');
  if (!box) return;
  box.value = link.dataset.question;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  setTimeout(() => document.querySelector('#rq-reask-btn').click(), 100);
});
"""


# Clicks inside the transcript: "See on page" opens the source panel (through a hidden box and
# button, like the re-ask link), "Copy receipt" copies that turn's receipt. New turns keep the
# transcript scrolled to its end, so the newest answer sits just above the question box.
VIEW_JS = """
element.addEventListener('click', (event) => {
  const see = event.target.closest('.rq-see');
  if (see) {
    event.preventDefault();
    const box = document.querySelector('#rq-view-ref textarea, #rq-view-ref input');
    if (!box) return;
    box.value = see.dataset.ref;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => document.querySelector('#rq-view-btn').click(), 100);
    return;
  }
  const copy = event.target.closest('.rq-copy');
  if (copy) {
    const pre = document.getElementById(copy.dataset.target);
    const text = pre ? pre.textContent : '';
    const done = () => { copy.textContent = 'Copied'; setTimeout(() => { copy.textContent = 'Copy receipt'; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => {});
    } else {
      const area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand('copy'); area.remove(); done();
    }
  }
});
new MutationObserver(() => {
  const box = element.querySelector('.rq-transcript');
  if (box) box.scrollTop = box.scrollHeight;
}).observe(element, { childList: true, subtree: true });
"""


def note_html(message: str) -> str:
    """One inline line under the question box (instead of a toast and red pills)."""
    return f'<div class="rq-note" role="alert">{render.esc(message)}</div>' if message else ""


def _doc_choices(docs: list[DocumentInfo]) -> list[tuple[str, str]]:
    return [(f"{d.title} ({Path(d.source).name})", d.doc_id) for d in docs]


def build_app(settings: Settings, qa=None, ingestor=None) -> gr.Blocks:
    """The Gradio app over the store in `settings.data_dir` (queue configured, not launched).

    `qa` and `ingestor` may be passed in (tests, or to share them); by default they are
    created on first use and share one embedding model.
    """
    backend = Backend(settings, qa, ingestor)
    sessions = Sessions(settings)

    @clean_errors
    def answer_or_raise(question: str, documents: list[str] | None, history: list | None = None) -> Answer:
        return backend.ask(question, documents, history)

    def ask(question: str, documents: list[str] | None = None, session_id: str | None = None) -> dict:
        """Answer a question from the ingested reports.

        `documents` optionally restricts the answer to some documents (content ids or
        file stems). With `session_id`, the question is the next turn of that session's
        conversation (follow-ups such as "And in 2021?" are resolved against it; the
        server keeps a bounded, expiring history per session). Returns the Answer as
        JSON: text, kind, value, citations with character offsets (start, end, context,
        context_start), for computed answers the formula and operands, and `understood`.
        """
        if not session_id:
            return answer_or_raise(question, documents).model_dump(mode="json")
        try:
            sid = Sessions.check_id(session_id)
        except Exception as e:  # noqa: BLE001 - a bad id leaves as a clean gr.Error
            raise_clean(e)
        with sessions.lock(sid):
            answer = answer_or_raise(question, documents, sessions.history(sid))
            sessions.append(sid, answer)
        return answer.model_dump(mode="json")

    def answer_turn(question: str, documents: list[str] | None, history: list[dict], receipts: list[str],
                    thread: list):
        """Append one answered turn; a question the library refuses (empty, too long, unknown
        document) gives one inline note under the box and changes nothing else."""
        if not (question or "").strip():
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), note_html("Type a question first.")
        try:
            answer = backend.ask(question, documents, thread)
        except ReportQAError as e:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), note_html(str(e))
        except Exception:  # noqa: BLE001 - anything else: logged, a generic line shown
            log.exception("unexpected error answering a question")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), note_html(INTERNAL_ERROR)
        history = [*(history or []), answer.model_dump(mode="json")]
        receipts = [*(receipts or []), json.dumps(backend.receipt(answer), indent=2, ensure_ascii=False)]
        return history, receipts, transcript(history, receipts), "", ""

    def on_ask(question: str, documents: list[str] | None, history: list[dict], receipts: list[str]):
        return answer_turn(question, documents, history, receipts, list(history or []))

    def on_reask(question: str, documents: list[str] | None, history: list[dict], receipts: list[str]):
        """The "ask as a standalone question" link: the resolved question, not merged again."""
        return answer_turn(question, documents, history, receipts, [])

    def transcript(history: list[dict], receipts: list[str] | None = None) -> str:
        return turn.render_transcript([Answer.model_validate(h) for h in history or []], receipts or [])

    def on_clear():
        return [], [], turn.render_transcript([]), viewer.EMPTY_PANEL, ""

    def on_view(ref: str, history: list[dict]) -> str:
        try:
            docs = {d.doc_id: d for d in backend.documents()}
        except ReportQAError:
            docs = {}
        return viewer.source_panel(settings, list(history or []), ref or "", docs)

    @clean_errors
    def docs_view(selected: list[str] | None = None):
        docs = backend.documents()
        ids = {d.doc_id for d in docs}
        kept = [s for s in (selected or []) if s in ids]
        return (
            documents.documents_html(docs, backend.details(docs)),
            gr.Dropdown(choices=_doc_choices(docs), value=kept),
            documents.summary_line(docs),
        )

    @clean_errors
    def on_upload(files, selected: list[str] | None, progress=gr.Progress()):
        paths = [str(f) for f in (files if isinstance(files, list) else [files]) if f]
        if not paths:
            raise gr.Error("Choose one or more files to upload.", print_exception=False)
        total = len(paths)
        progress((0, total), desc="Reading and embedding", unit="files")
        results = backend.upload(paths, lambda i: progress((min(i, total), total), desc="Adding", unit="files"))
        return (documents.ingest_lines(results), *docs_view(selected), None)

    @clean_errors
    def on_remove(doc_id: str | None, selected: list[str] | None):
        if not doc_id:
            raise gr.Error("Pick a document to remove.", print_exception=False)
        info = backend.remove(doc_id)
        status = (f'<ul class="rq-ingest-lines"><li><b>removed</b> {render.esc(info.title)} '
                  f"({info.sentences:,} sentences)</li></ul>")
        return (status, *docs_view(selected))

    with gr.Blocks(title="reportqa", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        history = gr.State([])
        receipts = gr.State([])
        gr.Markdown("## reportqa — grounded answers from your reports\n"
                    "Every figure comes with the sentence it was read from.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=420):
                        chat = gr.HTML(turn.render_transcript([]), elem_id="rq-transcript", js_on_load=REASK_JS + VIEW_JS)
                        with gr.Row(elem_id="rq-ask-row"):
                            question = gr.Textbox(
                                show_label=False, placeholder="Ask a question, e.g. How many victims did the "
                                "authorities rescue?  (Enter asks)", lines=1, max_lines=4, scale=5,
                                elem_id="rq-question", max_length=settings.max_question_chars, submit_btn=False,
                            )
                            ask_btn = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="rq-ask")
                        ask_note = gr.HTML("", elem_id="rq-ask-note")
                        with gr.Row():
                            gr.Examples(EXAMPLE_QUESTIONS, inputs=[question], label="Example questions")
                        clear_btn = gr.Button("Clear conversation", size="sm", elem_id="rq-clear")
                    with gr.Column(scale=1, min_width=320, elem_id="rq-viewer-col"):
                        doc_filter = gr.Dropdown(
                            label="Ask only these documents", info="Leave empty to ask all documents.",
                            multiselect=True, choices=[], value=[], elem_id="rq-doc-filter",
                        )
                        view_panel = gr.HTML(viewer.EMPTY_PANEL, elem_id="rq-viewer")
                # Driven by the links and buttons in the transcript (REASK_JS, VIEW_JS).
                reask_q = gr.Textbox(elem_id="rq-reask-q", elem_classes=["rq-hidden"], container=False,
                                     show_label=False)
                reask_btn = gr.Button("reask", elem_id="rq-reask-btn", elem_classes=["rq-hidden"])
                view_ref = gr.Textbox(elem_id="rq-view-ref", elem_classes=["rq-hidden"], container=False,
                                      show_label=False)
                view_btn = gr.Button("view", elem_id="rq-view-btn", elem_classes=["rq-hidden"])
            with gr.Tab("Documents", id="documents"):
                docs_summary = gr.Markdown("", elem_id="rq-docs-summary")
                docs_list = gr.HTML(documents.documents_html([], {}), elem_id="rq-docs", js_on_load=documents.REMOVE_JS)
                upload = gr.File(
                    label=(f"Add reports ({', '.join(t.lstrip('.') for t in settings.allowed_extensions)}; "
                           f"up to {settings.upload_max_mb:g} MB each)"),
                    file_count="multiple", file_types=list(settings.allowed_extensions), elem_id="rq-upload",
                    height=140,
                )
                upload_status = gr.HTML("", elem_id="rq-upload-status")
                remove_ref = gr.Textbox(elem_id="rq-remove-ref", elem_classes=["rq-hidden"], container=False,
                                        show_label=False)
                remove_btn = gr.Button("remove", elem_id="rq-remove-btn", elem_classes=["rq-hidden"])
            with gr.Tab("Evaluation", id="evaluation") as eval_tab:
                eval_refresh, eval_outputs = evaluation.build_tab(settings, backend, outputs_dir(settings))

        docs_outputs = [docs_list, doc_filter, docs_summary]
        # The Ask button is off while an answer is on its way (and back on whatever happened).
        busy = dict(fn=lambda: gr.Button(interactive=False, value="Asking…"), outputs=[ask_btn], queue=False,
                    api_visibility="private")
        idle = dict(fn=lambda: gr.Button(interactive=True, value="Ask"), outputs=[ask_btn], queue=False,
                    api_visibility="private")
        ask_args = dict(fn=on_ask, inputs=[question, doc_filter, history, receipts],
                        outputs=[history, receipts, chat, question, ask_note], api_visibility="private",
                        show_progress="minimal")
        ask_btn.click(**busy).then(**ask_args).then(**idle)
        question.submit(**busy).then(**ask_args).then(**idle)
        reask_btn.click(on_reask, inputs=[reask_q, doc_filter, history, receipts],
                        outputs=[history, receipts, chat, reask_q, ask_note], api_visibility="private")
        view_btn.click(on_view, inputs=[view_ref, history], outputs=[view_panel], api_visibility="private")
        clear_btn.click(on_clear, outputs=[history, receipts, chat, view_panel, ask_note], api_visibility="private",
                        queue=False)
        # Writers share one concurrency slot: uploads and removals wait in line instead of failing.
        # One progress bar, on the status line (not one overlay per output).
        upload.upload(on_upload, inputs=[upload, doc_filter],
                      outputs=[upload_status, *docs_outputs, upload], concurrency_limit=1,
                      concurrency_id="store-writer", api_visibility="private", show_progress_on=[upload_status])
        remove_btn.click(on_remove, inputs=[remove_ref, doc_filter], outputs=[upload_status, *docs_outputs],
                         concurrency_limit=1, concurrency_id="store-writer", api_visibility="private",
                         show_progress_on=[upload_status])
        demo.load(docs_view, inputs=[doc_filter], outputs=docs_outputs, api_visibility="private")
        # Which gold files can run depends on what is stored: asked again each time the tab opens.
        eval_tab.select(eval_refresh, outputs=eval_outputs, api_visibility="private")
        gr.api(ask, api_name="ask")

    # A full queue makes the browser say "This application is currently busy. Please try again."
    demo.queue(**queue_options(settings))
    demo.rq_backend = backend  # for tests and serve(): warm-up and inspection
    return demo


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """'USER:PASS' as a (user, password) pair; None when not given."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise BadInput("--auth must look like USER:PASS")
    return user, password


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | tuple[str, str] | None = None,
          ) -> None:
    """Build the app and serve it until interrupted (loopback only unless `host` says otherwise)."""
    if isinstance(auth, str):
        auth = parse_auth(auth)
    # Gradio's upload cache is served too: keep it inside the data folder (read when the app is built).
    os.environ.setdefault("GRADIO_TEMP_DIR", str(Path(settings.data_dir).resolve() / "ui-cache"))
    demo = build_app(settings)
    backend: Backend = demo.rq_backend
    print("reportqa: loading the embedding model and the store…", flush=True)
    backend.qa  # load the model now, not on the first question  # noqa: B018
    served = [uploads_dir(settings), outputs_dir(settings)]
    for folder in served:
        folder.mkdir(parents=True, exist_ok=True)
    if host not in ("127.0.0.1", "localhost", "::1") and auth is None:
        log.warning("serving on %s without --auth: anyone who can reach this port can read and change the store",
                    host)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        # Only these folders may be served as files (plus Gradio's own upload cache); never the repo.
        allowed_paths=[str(p) for p in served],
        max_file_size=int(settings.upload_max_mb * MB),
        css_paths=[CSS_PATH],
        footer_links=["api"],
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        enable_monitoring=False,
        show_error=False,
        quiet=True,  # Gradio's "set share=True" advice means nothing here; one line of our own instead
        prevent_thread_lock=True,
    )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{demo.server_port or port}"
    print(f"reportqa is ready: open {url}", flush=True)
    demo.block_thread()
