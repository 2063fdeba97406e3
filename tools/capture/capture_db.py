#!/usr/bin/env python3
"""Capture Label Studio 1.23.2 webhook deliveries together with a copy of its database taken right
after each emission, on SQLite and on PostgreSQL, for tests/node/database.test.mjs (issue 13).

    python3 tools/capture/capture_db.py --venv VENV [--backend sqlite,postgresql] [--only NAME,NAME]

Reuses the scenarios of capture.py. The recording hook (hook/ls_capture_hook) takes the snapshot
inside the emitting process (snapshot.py); this driver pairs each emission with the requests
received and its snapshot, and writes tests/fixtures/label-studio-1.23.2-db/ (see its README).
"""
import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import capture as C  # noqa: E402
from lsharness import LS_VERSION, LabelStudio, Session, run_scenarios  # noqa: E402
from pgserver import PgServer, pg_bin  # noqa: E402

OUT = os.path.join(C.ROOT, 'tests', 'fixtures', 'label-studio-1.23.2-db')
SCENARIOS = ['project_lifecycle', 'tasks_created', 'annotations', 'predictions', 'dm_delete', 'delete_all',
             'label_links', 'label_links_shell', 'undefined', 'hostile', 'webhook_kinds', 'headers']
SMALL = ['batching']  # WEBHOOK_BATCH_SIZE=3: a server of its own
PG_NO_NUL = {'annotations', 'hostile-data', 'label-links-shell'}  # scenarios using capture.HOSTILE_OBJ


class DbSession(Session):
    """Keeps each emission's sequence id (the snapshot is named after it) and what was passed."""

    def _emission(self, trigger, source, e, reqs):
        em = super()._emission(trigger, source, e, reqs)
        em['_seq'] = e['seq']
        em['_fn'] = e.get('fn')
        em['_passed'] = (e.get('instance_info') or {}).get('passed')
        return em


C.Session = DbSession


def selection_of(ev):
    """What eventsFromDatabase needs to rebuild this emission: the action, organization, project and ids."""
    inst = ev.get('instance')
    if isinstance(inst, list):
        ids = [r['id'] for r in inst]
    elif isinstance(inst, dict):
        ids = [inst['id']]
    else:
        ids = None
    sel = {'action': ev['action'], 'organization': ev['organization'],
           'project': ev['project']['id'] if ev.get('project') else None, 'ids': ids,
           'batchSize': ev['options']['batchSize']}
    return sel


class DbCapture(C.Capture):
    def __init__(self, args, backend):
        super().__init__(args)
        self.backend = backend
        self.out = os.path.join(args.out, backend)
        os.makedirs(self.out, exist_ok=True)
        self.pg = None

    def begin(self, name, description):
        super().begin(name, description)
        if self.backend == 'postgresql' and self.name in PG_NO_NUL:
            self.notes.append('PostgreSQL run: HOSTILE_OBJ without its "nul_char" ("a\\u0000b") entry: jsonb cannot '
                              'hold \\u0000 and Label Studio answers HTTP 500 ("unsupported Unicode escape sequence").')

    def start(self, batch_size=None):
        t = time.time()
        ls = LabelStudio(self.args.venv, batch_size=batch_size)
        self.snap_dir = os.path.join(ls.data_dir, 'snapshots')
        os.makedirs(self.snap_dir)
        ls.env['LS_CAPTURE_SNAPSHOT_DIR'] = self.snap_dir
        # Loopback only: no version check against PyPI, no Sentry reports (its headers are not recorded anyway).
        ls.env['LATEST_VERSION_CHECK'] = 'false'
        ls.env['SENTRY_DSN'] = ''
        if self.backend == 'postgresql':
            self.pg = PgServer().start()
            ls.env.update(self.pg.env())
        self.ls = ls.start()
        self.tag = '' if batch_size is None else 'bs%d-' % batch_size
        self.schema = None
        if self.pg:
            # The schema once (it does not change after the migrations); snapshots are data-only.
            tmp = os.path.join(self.snap_dir, 'schema.sql')
            self.pg.dump(tmp, '--schema-only')
            with open(tmp, 'rb') as fh:
                self.schema = fh.read()
        self.settings = {'WEBHOOK_BATCH_SIZE': batch_size or 5000, 'SSRF_PROTECTION_ENABLED': False}
        print('[%s] label-studio up on port %d in %.0fs (batch size %s)' % (
            self.backend, self.ls.port, time.time() - t, batch_size or 'default'), flush=True)

    def stop(self):
        super().stop()
        if self.pg:
            self.pg.stop()
            self.pg = None

    def _ends(self):
        out = {}
        with open(self.ls.emit_log, 'rb') as fh:
            for line in fh:
                r = json.loads(line)
                if r.get('kind') == 'end':
                    out[r['seq']] = r
        return out

    def end(self, compact=False):
        ends = self._ends()
        emissions = []
        files = []  # (name in the bundle, bytes)
        for i, em in enumerate(self.emissions):
            seq, fn, passed = em.pop('_seq'), em.pop('_fn'), em.pop('_passed')
            end = ends.get(seq, {})
            ev = em['event']
            out = {'trigger': em['trigger'], 'action': ev['action']}
            if fn == 'emit_webhooks_sync':
                out['custom_payload'] = True  # the caller's own payload: nothing to read back
            else:
                out['selection'] = selection_of(ev)
                out['passed'] = passed
            if 'snapshot_error' in end:
                raise RuntimeError('snapshot failed: %s' % end['snapshot_error'])
            if end.get('snapshot'):
                name = '%02d%s' % (i, '.sqlite3' if self.backend == 'sqlite' else '.sql')
                with open(os.path.join(self.snap_dir, end['snapshot']), 'rb') as fh:
                    files.append((name, fh.read()))
                out['snapshot'] = name
                out['snapshot_method'] = end['snapshot_method']
                out['in_atomic_block'] = end['in_atomic_block']
            for k in ('deliveries', 'not_delivered', 'error'):
                if k in em:
                    out[k] = em[k]
            emissions.append(out)
        doc = {'scenario': self.name, 'description': self.description, 'backend': self.backend,
               'label_studio': LS_VERSION, 'settings': self.settings}
        if self.schema is not None:
            doc['schema'] = 'schema.sql'
            files.insert(0, ('schema.sql', self.schema))
        if self.notes:
            doc['notes'] = self.notes
        doc['emissions'] = emissions
        files.insert(0, ('emissions.json', json.dumps(doc, ensure_ascii=True, allow_nan=False, indent=1)
                         .encode('ascii') + b'\n'))
        path = os.path.join(self.out, '%s%s.tar.br' % (self.tag, self.name))
        with open(path, 'wb') as fh:
            fh.write(brotli(tar(files)))
        nd = sum(len(e.get('deliveries', [])) for e in emissions)
        print('  [%s] %-30s %3d emissions %4d deliveries %7d bytes' % (
            self.backend, self.name, len(emissions), nd, os.path.getsize(path)), flush=True)


def tar(files):
    """A reproducible ustar archive (mtime 0, owner 0) of [(name, bytes)]."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tf:
        for name, data in files:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 0
            ti.mode = 0o644
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def brotli(data):
    """Brotli at quality 11 with a 16 MiB window, so the near-identical snapshots of a scenario share
    their bytes. Python's standard library has no brotli; Node's zlib does (and reads it in the test)."""
    js = ('const z=require("zlib");const b=require("fs").readFileSync(0);process.stdout.write(z.brotliCompressSync(b,'
          '{params:{[z.constants.BROTLI_PARAM_QUALITY]:11,[z.constants.BROTLI_PARAM_LGWIN]:24,'
          '[z.constants.BROTLI_PARAM_SIZE_HINT]:b.length}}))')
    return subprocess.run(['node', '-e', js], input=data, check=True, capture_output=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--venv', default=os.environ.get('LS_VENV', os.path.join(HERE, '.venv')))
    ap.add_argument('--out', default=OUT)
    ap.add_argument('--backend', default='sqlite,postgresql')
    ap.add_argument('--only', default='')
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('--big', type=int, default=5003)
    args = ap.parse_args()
    only = set(x.strip().replace('-', '_') for x in args.only.split(',') if x.strip())
    t0 = time.time()
    for backend in [b.strip() for b in args.backend.split(',') if b.strip()]:
        if backend == 'postgresql':
            pg_bin('initdb')  # fail early and clearly
        if backend == 'postgresql':
            # jsonb cannot hold \u0000: Label Studio on PostgreSQL answers 500 for the hostile values' NUL.
            C.HOSTILE_OBJ.pop('nul_char', None)
        cap = DbCapture(args, backend)
        run_scenarios(cap, ((3, SMALL), (None, SCENARIOS)), only)
    print('done in %.0fs' % (time.time() - t0))


if __name__ == '__main__':
    main()
