"""Opening the store: where it lives, file checks, pragmas, migrations, transactions.

The hot path uses the stdlib ``sqlite3`` connection directly; sqlite-utils is
loaded only to apply migrations (and by users, on the same plain file).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable

from ..atomicfile import parent_dir, private_dir
from ..errors import StoreBusyError, StoreError, StoreImportingError
from . import migrations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

# Paths are handled as text with os.path here: the quick commands (list, filter, show)
# open the store through this module, and pathlib (with urllib.parse and ipaddress)
# would be a tenth of their start-up. A path's text is what str(Path(...)) gives.
StrPath = str | os.PathLike[str]

DB_FILENAME = "papers.db"
BUSY_TIMEOUT_S = 60.0
# How long a write that waits for a running import or fetch waits for it (it checks
# again every so often): a day, i.e. until it ends.
LONG_WAIT_S = 86_400.0
# How long opening a store waits for the first import into it (rollback_journal).
JOURNAL_WAIT_S = 2.0
# Papers rows are ~1.5 KB (the abstract): 4 KB pages hold two and waste a third of the
# file; 16 KB pages hold ten. Also fewer page splits on import (benchmarks/README.md).
PAGE_SIZE = 16384


def default_home() -> Path:
    from pathlib import Path

    return Path(_home_text())


def _home_text() -> str:
    home = os.environ.get("PAPERTRIAGE_HOME")
    if home:
        return path_text(home, expand=False)
    from ..userdirs import user_dir

    return path_text(user_dir("data"), expand=False)


def db_path(explicit: StrPath | None = None) -> Path:
    """--db, else $PAPERTRIAGE_DB, else $PAPERTRIAGE_HOME/papers.db, else the user data dir."""
    from pathlib import Path

    return Path(db_file(explicit))


def db_file(explicit: StrPath | None = None) -> str:
    """db_path as text."""
    if explicit:
        return path_text(explicit)
    env = os.environ.get("PAPERTRIAGE_DB")
    if env:
        return path_text(env)
    return path_text(os.path.join(_home_text(), DB_FILENAME), expand=False)


def path_text(value: StrPath, expand: bool = True) -> str:
    """str(Path(value)) (with expanduser()), without pathlib on POSIX: "." and empty
    parts and a trailing slash dropped, two leading slashes kept, three made one."""
    text = os.fspath(value)
    if os.name != "posix":
        from pathlib import Path

        return str(Path(text).expanduser() if expand else Path(text))
    text = _normal(text)
    if expand and text.startswith("~"):  # as pathlib: after the "." parts are gone
        first, _, rest = text.partition("/")
        text = _normal(os.path.expanduser(first) + ("/" + rest if rest else ""))
    return text


def _normal(text: str) -> str:
    root = "/" if text.startswith("/") else ""
    if text.startswith("//") and not text.startswith("///"):
        root = "//"
    parts = [p for p in text.split("/") if p and p != "."]
    return root + "/".join(parts) if root or parts else "."


def _check_file(path: StrPath) -> None:
    # Only stat() here. Opening and closing the file ourselves (to read its header) would
    # drop every POSIX lock this process's other connections hold on it (close() releases
    # them all), and another process could then checkpoint and delete the WAL under those
    # connections: a corrupt store. The header is checked through SQLite in connect().
    if os.path.isdir(path):
        raise StoreError(f"{path}: is a directory, not a papertriage store")


def _not_sqlite(path: StrPath) -> StoreError:
    return StoreError(f"{path}: not a SQLite database (use --db to pick another file)")


def _create_private(path: StrPath) -> None:
    """Create the store file readable by its owner only."""
    private_dir(parent_dir(path))
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def connect(path: StrPath, readonly: bool = False) -> sqlite3.Connection:
    """The store at `path`, created if missing (not `readonly`); `readonly` opens it as
    it is, without the journal set-up (the writes fail), for a read-only directory."""
    _check_file(path)
    if not os.path.exists(path):
        if readonly:
            raise StoreError(
                f"{path}: no store here yet (run `papertriage import` or `fetch` first)"
            )
        _create_private(path)
    empty = os.stat(path).st_size == 0
    # A rollback journal beside the store: the first import into it is writing it
    # (rollback_journal), or one was killed (its journal is hot: the first read here
    # recovers it). The first holds the store for its whole length: wait briefly, not
    # BUSY_TIMEOUT_S, and say why.
    first_import = not readonly and os.path.exists(f"{os.fspath(path)}-journal")
    try:
        if readonly:
            conn = _connect_readonly(path)
        else:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open store: {exc}") from None
    try:
        conn.isolation_level = None  # explicit transactions only, see transaction()
        conn.row_factory = sqlite3.Row
        wait = JOURNAL_WAIT_S if first_import else BUSY_TIMEOUT_S
        conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        conn.execute("PRAGMA schema_version")  # reads the header: not SQLite fails here
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and not {"papers", "_sqlite_migrations"} <= tables:
            # another program's database: adding our tables to it would damage it
            raise StoreError(
                f"{path}: a SQLite database, but not a papertriage store (use --db to pick another file)"
            )
        if readonly:
            return conn
        if empty:  # only a new file can take a page size (before WAL mode writes it)
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = OFF")
        if first_import:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    except StoreError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if first_import and code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise StoreImportingError(
                f"{path}: the first import into this store is writing it; try again when it ends"
            ) from None
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            raise _not_sqlite(path) from None
        raise StoreError(f"{path}: cannot open store: {exc}") from exc
    return conn


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            [migrations.MIGRATION_SET],
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    return [r[0] for r in rows]


def open_db(
    explicit: str | os.PathLike[str] | None = None, migrate: bool = True, create: bool = True
) -> sqlite3.Connection:
    """Open (creating if needed, unless not `create`) and migrate the store. Refuses a
    newer schema."""
    path = db_file(explicit)
    if not create and is_new(path):
        demo = path_text(os.path.join(_home_text(), "demo.db"), expand=False)
        sample = (
            f"the demo store is another file: add --db {demo}"
            if os.path.exists(demo) and path != demo
            else "`papertriage demo` builds an offline sample"
        )
        empty = "an empty file, " if os.path.exists(path) else ""
        raise StoreError(
            f"{path}: {empty}no store here yet (`papertriage fetch` or `import` creates it; {sample})"
        )
    if not os.path.exists(path):
        check_writable(path)
    # In a read-only directory the store can still be read (its writes fail).
    readonly = os.path.exists(path) and not writable_dir(path)
    conn = connect(path, readonly=readonly)
    try:
        applied = applied_migrations(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable SQLite database: {exc}") from exc
    known = migrations.names()
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise StoreError(
            f"{path}: written by a newer papertriage (schema step {unknown[-1]}); upgrade papertriage to use it"
        )
    if migrate and len(applied) < len(known):
        if readonly:
            raise StoreError(
                f"{path}: this store needs an upgrade (schema step {known[-1]}), but its "
                f"directory {parent_dir(path)} is read-only; run papertriage once where it can write"
            )
        try:
            _migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: could not upgrade the store: {exc}") from exc
    return conn


def is_new(path: StrPath) -> bool:
    """No store at path yet: no file, or an empty one (with no write-ahead log beside it)."""
    if not os.path.exists(path):
        return True
    if not os.path.isfile(path) or os.stat(path).st_size:
        return False
    wal = f"{os.fspath(path)}-wal"
    return not (os.path.exists(wal) and os.stat(wal).st_size)


def missing_dirs(path: Path) -> list[Path]:
    """The folders above path that do not exist yet, deepest first."""
    out = []
    for parent in path.parents:
        if parent.exists():
            break
        out.append(parent)
    return out


def discard_new(conn: sqlite3.Connection, path: Path, was_file: bool, dirs: list[Path]) -> bool:
    """Undo the creation of a store by a command that failed: if it holds no paper and
    none of the user's data, delete it, its -wal/-shm files and the folders `dirs` made
    for it (an empty file that was there, `was_file`, is left empty). Closes conn.
    False, the store kept, if anything is in it (written meanwhile by another process)."""
    try:
        held = conn.execute(
            "SELECT (SELECT count(*) FROM papers) + (SELECT count(*) FROM tags)"
            " + (SELECT count(*) FROM notes) + (SELECT count(*) FROM decisions)"
        ).fetchone()[0]
    except sqlite3.Error:
        held = 1
    conn.close()  # first: closing checkpoints the log into the file
    if not held:
        _remove(path, truncate=was_file)
        for folder in dirs:
            try:
                folder.rmdir()
            except OSError:
                break
    return not held


def _remove(path: Path, truncate: bool) -> None:
    for extra in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    if truncate:
        os.truncate(path, 0)
    else:
        path.unlink(missing_ok=True)


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply the pending steps under the write lock, all in one transaction.

    Several processes may open a new (or old) store at the same moment: BEGIN IMMEDIATE
    makes the others wait, and they then find the steps applied instead of applying them
    twice or failing with 'database is locked' (sqlite-utils' own deferred BEGIN would
    upgrade a read lock to a write lock, which SQLite refuses without waiting)."""
    with transaction(conn):
        if len(applied_migrations(conn)) < len(migrations.names()):
            migrations.apply(conn)  # each step nests as a savepoint


class transaction:  # noqa: N801 (used as a function: `with transaction(conn):`)
    """One write transaction. BEGIN IMMEDIATE takes the write lock up front, so a
    concurrent writer waits on busy_timeout instead of failing with 'database is locked'.
    With `wait`, it waits that many seconds at most, then raises StoreBusyError. Inside
    the caller's own transaction it is that one. (A class, not @contextmanager: the
    quick commands start without contextlib.)"""

    def __init__(self, conn: sqlite3.Connection, wait: float | None = None) -> None:
        self.conn, self.wait, self.own = conn, wait, False

    def __enter__(self) -> sqlite3.Connection:
        conn = self.conn
        if conn.in_transaction:
            return conn
        if self.wait is None:
            conn.execute("BEGIN IMMEDIATE")
        elif not try_begin(conn, self.wait):
            raise StoreBusyError(f"{store_file(conn)}: another process is writing the store")
        self.own = True
        return conn

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if not self.own:
            return
        self.own = False
        if kind is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:  # some errors (I/O, disk full) rolled back already
            self.conn.execute("ROLLBACK")


class rollback_journal:  # noqa: N801 (used as a function: `with rollback_journal(conn):`)
    """The rollback journal instead of the write-ahead log, for the transaction inside:
    the first bulk import into a store that holds no papers yet.

    In WAL mode every page of one long transaction is written twice, to the log and
    then, by the checkpoint after the commit, to the file: for a 1M-paper import a
    2.9 GB log, a serial copy of it at the end and twice the disk while it runs. With
    the rollback journal the pages go straight to the file and the journal holds only
    what the store had before (its schema), just as safe: a killed import's journal is
    rolled back by the next opening (with synchronous FULL, which a rollback journal
    needs against a power cut where the WAL needs NORMAL: the same time at 1M). The price: while it runs other processes cannot
    read the store, so it is taken only where there is nothing to read yet (connect()
    then says so within JOURNAL_WAIT_S), and only if no other connection has the store
    open; otherwise the WAL stays. WAL mode is set again afterwards (or, if that can't
    be done now, by the next connect())."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn, self.on = conn, False

    def __enter__(self) -> bool:
        conn = self.conn
        if conn.in_transaction or store_file(conn) is None:
            return False
        before = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError:  # another connection has the store open
            mode = "wal"
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(before)}")
        self.on = mode == "delete"
        if self.on:  # NORMAL is safe with a WAL; with a rollback journal only FULL is
            conn.execute("PRAGMA synchronous = FULL")
        return self.on

    def __exit__(self, *_: object) -> None:
        if self.on and not self.conn.in_transaction:
            self.on = False
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:  # busy: connect() sets it on the next opening
                pass
            self.conn.execute("PRAGMA synchronous = NORMAL")  # as connect() sets it


def try_begin(conn: sqlite3.Connection, wait: float) -> bool:
    """BEGIN IMMEDIATE if the write lock comes within `wait` seconds; False if another
    process held it all that time (the connection's own wait is kept for later)."""
    before = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute(f"PRAGMA busy_timeout = {max(0, int(wait * 1000))}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (
            sqlite3.SQLITE_BUSY,
            sqlite3.SQLITE_LOCKED,
        ):
            return False
        raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(before)}")
    return True


def wait_for_writer(conn: sqlite3.Connection, wait: float, on_wait: Callable[[], None]) -> None:
    """For a long writer (import, fetch) that would otherwise give up after
    BUSY_TIMEOUT_S: if another process keeps the write lock for `wait` seconds, call
    `on_wait` (to say so) and from then on wait until it ends (LONG_WAIT_S)."""
    if try_begin(conn, wait):
        conn.execute("ROLLBACK")
        return
    on_wait()
    conn.execute(f"PRAGMA busy_timeout = {int(LONG_WAIT_S * 1000)}")


def store_file(conn: sqlite3.Connection) -> Path | None:
    """The file the connection's main database is (None: in memory)."""
    from pathlib import Path

    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


class snapshot:  # noqa: N801 (used as a function: `with snapshot(conn):`)
    """One read snapshot for everything read inside (the caller's transaction, if it has
    one): a command that reads a chunk at a time sees one state of the store throughout."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn, self.own = conn, False

    def __enter__(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")
            self.own = True
        return self.conn

    def __exit__(self, *_: object) -> None:
        if self.own and self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self.own = False


def open_readonly(path: StrPath) -> sqlite3.Connection | None:
    """The store at `path` opened read-only, as it is (no migration), or None where
    there is no readable SQLite store (for a dry run, which must not create one)."""
    if not os.path.exists(path):
        return None
    try:
        conn = _connect_readonly(path)
        conn.row_factory = sqlite3.Row
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        return None
    return conn


def _connect_readonly(path: StrPath) -> sqlite3.Connection:
    """Read-only, also where the directory cannot be written.

    Even a reader of a WAL store needs its -shm file, which SQLite cannot create in a
    read-only directory ("unable to open database file"). There, the store is opened
    as immutable: no one can be changing it, as a writer would need to create the
    -wal file in that same directory. Where the -wal and -shm exist, plain read-only."""
    from urllib.parse import quote

    target = quote(os.path.realpath(path))
    modes = ["mode=ro"] if writable_dir(path) else ["mode=ro", "mode=ro&immutable=1"]
    for n, mode in enumerate(modes, start=1):
        conn = sqlite3.connect(
            f"file:{target}?{mode}", uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA schema_version")
        except sqlite3.OperationalError:
            conn.close()
            if n == len(modes):
                raise
            continue
        return conn
    raise AssertionError("unreachable")


def _nearest_dir(path: StrPath) -> str:
    """The store's directory, or the nearest existing one above it (to create it in)."""
    folder = parent_dir(path)
    while not os.path.exists(folder) and folder != parent_dir(folder):
        folder = parent_dir(folder)
    return folder


def writable_dir(path: StrPath) -> bool:
    """Whether SQLite can create files next to `path` (the -wal, -shm, a new store)."""
    return os.access(_nearest_dir(path), os.W_OK)


def check_writable(path: StrPath) -> None:
    """A StoreError unless the store at `path` can be created and written."""
    if not writable_dir(path):
        raise StoreError(
            f"{path}: cannot write in {_nearest_dir(path)} (read-only; "
            "the store and its journal live there; --db picks another file)"
        )


def schema_version(conn: sqlite3.Connection) -> int:
    return len(applied_migrations(conn))
