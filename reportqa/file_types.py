"""The file types a reader exists for (ingest/readers.py): the one list the settings, the CLI's
help and the README use. Kept apart from settings.py so the command line can show it (and
refuse a newcomer's mistakes) without loading pydantic."""

FILE_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".csv", ".xlsx")
