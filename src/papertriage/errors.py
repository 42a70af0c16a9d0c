"""The project's own error types. Core code raises these; only the CLI prints them."""

from __future__ import annotations


class PapertriageError(Exception):
    """Base class: a failure the user can act on, shown as one line."""


class InputError(PapertriageError):
    """A file, page or response that is malformed or not in a format we read."""

    def __init__(self, origin: str, message: str, where: str | None = None) -> None:
        self.origin = origin
        self.where = where
        self.detail = message
        place = f"{origin}:{where}" if where else origin
        super().__init__(f"{place}: {message}")


class UnknownFormatError(InputError):
    """Content that none of the importers recognises."""


class NotFoundError(PapertriageError):
    """A paper id (or other key) that is not in the store."""


class BadIdError(PapertriageError):
    """Text that is not any form of arXiv id."""


class StoreError(PapertriageError):
    """The store file cannot be opened or used (not SQLite, newer schema, locked)."""


class StoreBusyError(StoreError):
    """Another process holds the store's write lock (a long import or fetch)."""


class StoreImportingError(StoreBusyError):
    """The first import into the store holds it (store.db.rollback_journal): it can't
    even be read until that ends."""


class ConfigError(PapertriageError):
    """A config file with an unknown key, a wrong type or invalid YAML."""


class BadValueError(PapertriageError):
    """An option value that is not of its kind: a date, a sort order."""

    def __init__(self, option: str | None, message: str) -> None:
        self.option = option
        self.detail = message
        super().__init__(f"{option}: {message}" if option else message)


class QueryError(PapertriageError):
    """A filter query that cannot be understood."""


class FetchError(PapertriageError):
    """A network source answered with an error or could not be reached."""


class TagError(PapertriageError):
    """A tag name that cannot be stored."""


class OutputFileError(PapertriageError):
    """The output file cannot be written."""


class ServiceError(FetchError):
    """The service answered with an error status, or could not be reached."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{message}: GET {url}")


class UnexpectedResponse(FetchError):
    """The service answered, but not with what we expected (HTML, truncated, an error feed)."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(f"{message}: GET {url}")


class BusyError(FetchError):
    """Another fetch holds the lock."""


class PlanError(PapertriageError):
    """Options that do not make a fetch (a query for a source that takes none, ...)."""


class DeliveryError(PapertriageError):
    """A digest that could not be mailed or posted (SMTP or webhook refused or failed)."""
