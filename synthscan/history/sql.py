"""The history in any database SQLAlchemy reaches (``postgresql://...``, ``sqlite:///...``).

SQLAlchemy is imported here only: it is not a dependency of synthscan's core install. The
tables are the same as in the SQLite file (``records``), declared with SQLAlchemy's types so
that each database gets its own integer key.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, InputError, OutputError
from .records import (
    COMPONENT_COLUMNS,
    SCAN_COLUMNS,
    STORE_VERSION,
    check_version,
    not_a_store,
)

Rows = list[dict[str, Any]]


def sqlalchemy_module() -> Any:
    try:
        import sqlalchemy
    except ImportError:
        raise ConfigError("a history store given as a database URL needs SQLAlchemy — pip "
                          "install sqlalchemy (or 'synthscan[sql]'), or give a file path for "
                          "an SQLite store", key="history") from None
    return sqlalchemy


def _tables(sa: Any) -> tuple[Any, Any, Any, Any]:
    kinds = {"INTEGER": sa.Integer, "REAL": sa.Float, "TEXT": sa.Text}
    meta = sa.MetaData()
    info = sa.Table("synthscan_meta", meta, sa.Column("key", sa.Text, primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))
    scans = sa.Table("synthscan_scans", meta,
                     sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                     *(sa.Column(c, kinds[t]) for c, t, _ in SCAN_COLUMNS[1:]))
    comps = sa.Table("synthscan_components", meta,
                     sa.Column("scan_id", sa.Integer, sa.ForeignKey("synthscan_scans.id"),
                               primary_key=True, autoincrement=False),
                     sa.Column("component", sa.Text, primary_key=True),
                     *(sa.Column(c, kinds[t]) for c, t, _ in COMPONENT_COLUMNS[2:]))
    return meta, info, scans, comps


def _engine(sa: Any, url: str) -> Any:
    try:
        return sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"history store URL cannot be used ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0]}) — check the URL and install its database "
                          "driver", key="history") from None


def hide_password(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, tail = url.partition("@")
    if not sep:
        return url
    scheme, _, user = head.partition("://")
    return f"{scheme}://{user.split(':')[0]}@{tail}"


def append_sql(url: str, row: dict[str, Any], components: Rows) -> int:
    sa = sqlalchemy_module()
    meta, info, scans, comps = _tables(sa)
    engine = _engine(sa, url)
    try:
        with engine.begin() as con:
            meta.create_all(con)
            version = con.execute(sa.select(info.c.value).where(info.c.key == "store_version"))
            found = version.scalar()
            check_version(hide_password(url), found)
            if found is None:
                con.execute(info.insert().values(key="store_version", value=str(STORE_VERSION)))
            scan_id = int(con.execute(scans.insert().values(**row)).inserted_primary_key[0])
            if components:
                con.execute(comps.insert(), [{**c, "scan_id": scan_id} for c in components])
    except sa.exc.SQLAlchemyError as exc:
        raise OutputError(f"{hide_password(url)}: the history store cannot be written "
                          f"({type(exc).__name__}) — check the database and its permissions",
                          source=hide_password(url)) from None
    finally:
        engine.dispose()
    return scan_id


def read_sql(url: str, limit: int | None) -> tuple[Rows, dict[int, Rows]]:
    sa = sqlalchemy_module()
    _, info, scans, comps = _tables(sa)
    engine = _engine(sa, url)
    try:
        with engine.connect() as con:
            if not sa.inspect(con).has_table("synthscan_scans"):
                raise not_a_store(hide_password(url), "it holds no synthscan tables")
            check_version(hide_password(url), con.execute(
                sa.select(info.c.value).where(info.c.key == "store_version")).scalar())
            query = sa.select(scans).order_by(scans.c.id.desc())
            if limit is not None:
                query = query.limit(limit)
            rows = [dict(r) for r in con.execute(query).mappings()][::-1]
            first = rows[0]["id"] if rows else 0
            by_id: dict[int, Rows] = {}
            for r in con.execute(sa.select(comps).where(comps.c.scan_id >= first)
                                 .order_by(comps.c.scan_id, comps.c.component)).mappings():
                by_id.setdefault(r["scan_id"], []).append(dict(r))
    except sa.exc.SQLAlchemyError as exc:
        raise InputError(f"{hide_password(url)}: the history store cannot be read "
                         f"({type(exc).__name__}) — check the URL and the database",
                         source=hide_password(url)) from None
    finally:
        engine.dispose()
    return rows, by_id
