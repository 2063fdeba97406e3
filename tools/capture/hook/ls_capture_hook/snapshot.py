"""Database snapshots for the capture harness (issue 13): a consistent copy of Label Studio's
database taken inside the emitting process, right after an emission returned (sending webhooks
writes nothing, so this is the state the emission's serializers read).

Enabled by $LS_CAPTURE_SNAPSHOT_DIR; recorder.py calls take(seq) and records what it returns
in the emission's "end" line.

* SQLite: the backup API through Django's own connection (`connection.connection.backup(dst)`).
  While that connection has a transaction open (an atomic block), SQLite would answer "busy" and
  Python's backup() retries forever, so `connection.connection.serialize()` is used instead: it
  is the database as this connection sees it, uncommitted rows included.
* PostgreSQL: `pg_dump --data-only` (the schema is dumped once by the driver, capture_db.py) when
  no transaction is open. Inside an atomic block pg_dump (another session) would not see the
  uncommitted rows, so the same data-only format is written from the emitting connection itself:
  `COPY <table> TO STDOUT` for every table of the public schema.
"""
import os
import subprocess
import time


def _dir():
    return os.environ.get('LS_CAPTURE_SNAPSHOT_DIR')


def enabled():
    return bool(_dir())


def take(seq):
    from django.db import connection

    connection.ensure_connection()
    t0 = time.time()
    vendor = connection.vendor
    in_tx = bool(connection.in_atomic_block)
    if vendor == 'sqlite':
        out = os.path.join(_dir(), '%s.sqlite3' % seq)
        raw = connection.connection
        if raw.in_transaction:
            with open(out, 'wb') as fh:
                fh.write(raw.serialize())
            method = 'serialize'
        else:
            import sqlite3

            dst = sqlite3.connect(out)
            try:
                raw.backup(dst)
            finally:
                dst.close()
            method = 'backup'
    elif vendor == 'postgresql':
        out = os.path.join(_dir(), '%s.sql' % seq)
        if not in_tx:
            s = connection.settings_dict
            env = dict(os.environ, PGPASSWORD=s.get('PASSWORD') or '')
            subprocess.run([os.environ.get('LS_CAPTURE_PG_DUMP', 'pg_dump'), '--data-only', '--disable-triggers',
                            '--no-owner', '--no-privileges', '-h', s['HOST'], '-p', str(s['PORT']), '-U', s['USER'],
                            '-f', out, s['NAME']], env=env, check=True, capture_output=True)
            method = 'pg_dump'
        else:
            _copy_dump(connection, out)
            method = 'copy-in-transaction'
    else:
        raise RuntimeError('no snapshot for database vendor %s' % vendor)
    return {'snapshot': os.path.basename(out), 'snapshot_method': method, 'in_atomic_block': in_tx,
            'snapshot_seconds': round(time.time() - t0, 3)}


def _copy_dump(connection, out):
    """pg_dump --data-only's plain format, written from this (possibly mid-transaction) connection."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname")
        tables = [r[0] for r in cur.fetchall()]
        with open(out, 'w', encoding='utf-8') as fh:
            fh.write("SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
                     "SET session_replication_role = replica;\n\n")
            for t in tables:
                cur.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                            "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum", ['public."%s"' % t])
                cols = ', '.join('"%s"' % r[0] for r in cur.fetchall())
                fh.write('COPY public."%s" (%s) FROM stdin;\n' % (t, cols))
                sql = 'COPY public."%s" (%s) TO STDOUT' % (t, cols)
                raw = cur.cursor
                if hasattr(raw, 'copy'):  # psycopg 3 (what label-studio 1.23.2 installs)
                    with raw.copy(sql) as cp:
                        for chunk in cp:
                            fh.write(bytes(chunk).decode('utf-8'))
                else:  # psycopg2
                    import io

                    buf = io.StringIO()
                    raw.copy_expert(sql, buf)
                    fh.write(buf.getvalue())
                fh.write('\\.\n\n')
            fh.write('SET session_replication_role = DEFAULT;\n')
