"""The web interface (Gradio): chat, documents and evaluation over one report store."""
