"""Tables computed once and kept on their own server for the steps that read them (the customer table of
:func:`cxlib.customers.score_customers`): :func:`materialize` stores a query's result, :func:`add_column`
adds a column to a stored result.
"""

from __future__ import annotations

import pandas as pd

from .aggregate import is_table

__all__ = ["add_column", "materialize"]


def materialize(table, *, replaces=None):
    """``table`` computed once into a temporary table on its own server (a costly query read by several
    steps: the customer table of :func:`cxlib.customers.score_customers`), returned as a table; the
    server keeps it until the connection closes and, on DuckDB, spills it to ``temp_directory`` beyond
    its memory limit (on Spark: a session view, cached). ``replaces``: an earlier result of
    ``materialize`` that ``table`` was computed from and nothing reads any more, dropped once the new one
    exists (its memory and spill files freed at once); kept on Spark, where the new cached view is defined
    on it (a cache evicted later is recomputed from the definition). Ibis's ``cache()`` is not used: Ibis 12 drops its tables with a ``DROP TABLE IF
    EXISTS`` missing the name (a syntax error at exit). A DataFrame is returned as it is.

    Examples
    --------
    >>> from cxlib.data import as_table
    >>> int(materialize(as_table(pd.DataFrame({"x": [1, 2]}))).x.sum().execute())
    3
    """
    import uuid

    if not is_table(table):
        return table
    backend, name = table._find_backend(use_default=True), f"cx_tmp_{uuid.uuid4().hex}"
    if backend.name == "pyspark":   # no temporary tables there: a session view, cached at once
        out = backend.create_view(name, table, overwrite=True)
        backend.raw_sql(f"CACHE TABLE {name}")
    else:
        out = backend.create_table(name, table, temp=True)
    old = replaces.get_name().rsplit(".", 1)[-1] if is_table(replaces) else ""   # DuckDB: temp.main.<name>
    if old.startswith("cx_tmp_") and backend.name != "pyspark":   # only what materialize made; on Spark the
        backend.raw_sql(f'DROP TABLE "{old}"')   # new view is defined on the old one, which must stay
    return out


def _in_place(table, name: str, value) -> bool:
    """On DuckDB, ``value`` added to a table :func:`materialize` made as a new column ``name``, in place
    (``ALTER TABLE`` and ``UPDATE``): False (nothing done) elsewhere, or when ``value`` does not compile to
    one expression over that table alone."""
    import ibis
    import sqlglot

    if table.get_backend().name != "duckdb" or not table.get_name().rsplit(".", 1)[-1].startswith("cx_tmp_"):
        return False
    tree = sqlglot.parse_one(str(ibis.to_sql(table.select(**{name: value}), dialect="duckdb")), read="duckdb")
    src, exp = tree.args.get("from_"), sqlglot.exp
    if sorted(k for k, v in tree.args.items() if v) != ["expressions", "from_"] \
            or not isinstance(src.this, exp.Table) or len(tree.expressions) != 1 \
            or tree.expressions[0].find(exp.Window, exp.AggFunc, exp.Subquery) is not None:
        return False   # (a window, a reduction over the table, a subquery: no UPDATE takes them)
    from ibis.backends.sql.datatypes import DuckDBType

    target = exp.table_(src.this.name, db=src.this.args.get("db"), catalog=src.this.args.get("catalog"),
                        quoted=True).sql("duckdb")
    column, alias = (exp.to_identifier(n, quoted=True).sql("duckdb") for n in (name, src.this.alias))
    con = table.get_backend().con
    con.execute("BEGIN TRANSACTION")   # both or neither: a failed UPDATE leaves no empty column behind
    try:
        con.execute(f"ALTER TABLE {target} ADD COLUMN {column} {DuckDBType.to_string(value.type())}")
        con.execute(f"UPDATE {target} AS {alias} SET {column} = {tree.expressions[0].this.sql('duckdb')}")
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return True


def add_column(table, name: str, value):
    """``table`` (a result of :func:`materialize`) with the column ``name`` holding ``value`` (an expression on
    ``table``), stored. On DuckDB the column is added in place (``ALTER TABLE``, ``UPDATE``): for 2.5M rows of
    the 30-column customer table 0.4 s of CPU where a copy of every column took 4.9 s (25M rows: ~29 s of the
    report's 100M-response run). Elsewhere, a copy with the column (:func:`materialize`, ``replaces=table``).
    A DataFrame gets the column as a copy (``value`` then a Series or a scalar). The returned table replaces
    ``table`` (changed in place, or dropped once copied): read the returned one. A value no ``UPDATE`` takes
    (a window, a reduction over the table) is copied, and a failed ``UPDATE`` leaves ``table`` as it was.

    Examples
    --------
    >>> from cxlib.data import as_table
    >>> t = materialize(as_table(pd.DataFrame({"x": [1.0, 2.0]})))
    >>> float(add_column(t, "y", t.x * 2).y.sum().execute())
    6.0
    """
    if not is_table(table):
        return table.assign(**{name: value})
    if name in table.columns or not _in_place(table, name, value):
        return materialize(table.mutate(**{name: value}), replaces=table)
    backend, short = table.get_backend(), table.get_name().rsplit(".", 1)[-1]
    return backend.table(short, database=("temp", "main"))
