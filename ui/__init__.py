"""The web interface (Gradio): chat, documents and evaluation over one report store."""

from reportqa import offline  # noqa: F401  (every ui module imports gradio: keep it offline)
