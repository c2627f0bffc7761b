"""A small error hierarchy; the CLI and UI turn these into clean messages."""


class ReportQAError(Exception):
    """Base class: the message is meant for a person, not a traceback."""


class BadInput(ReportQAError):
    """A file or question that cannot be used as given."""


class UnsupportedFile(BadInput):
    """A file whose type we do not read."""


class StoreBusy(ReportQAError):
    """Another process holds the writer lock on the data directory."""


class UnknownDocument(ReportQAError):
    """A document id or file stem that is not in the store."""


class StoreError(ReportQAError):
    """The store cannot be opened or is inconsistent."""
