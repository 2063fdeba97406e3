"""Capture harness plumbing: a real Label Studio server, a loopback receiver, the emission log.

Used by capture.py (the scenarios). Runs with any python3 (stdlib only); Label Studio itself
runs in the venv given by --venv / $LS_VENV.
"""
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
HOOK_DIR = os.path.join(HERE, 'hook')
LS_VERSION = '1.23.2'
TRANSPORT_HEADERS = {'host', 'user-agent', 'accept', 'accept-encoding', 'connection', 'content-length',
                     # added by sentry-sdk's trace propagation (random ids), not by the webhook code
                     'sentry-trace', 'baggage'}


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --------------------------------------------------------------------------- receiver
class Receiver:
    """HTTP server on 127.0.0.1 recording every request: path, headers as received (order,
    case; values decoded latin-1 as http.client sent them), raw body bytes."""

    def __init__(self):
        self.records = []
        self.lock = threading.Lock()
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def _handle(self):
                n = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(n) if n else b''
                item = {
                    't': time.time(),
                    'method': self.command,
                    'path': self.path,
                    'headers': list(self.headers.items()),
                    'body': body,
                }
                with rec.lock:
                    rec.records.append(item)
                out = b'ok'
                self.send_response(200)
                self.send_header('Content-Type', 'text/plain')
                self.send_header('Content-Length', str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.pos = 0

    def url(self, tag):
        return 'http://127.0.0.1:%d/hook/%s' % (self.port, tag)

    def drain(self):
        with self.lock:
            new = self.records[self.pos:]
            self.pos = len(self.records)
        return new

    def close(self):
        self.server.shutdown()


# --------------------------------------------------------------------------- server
class LabelStudio:
    def __init__(self, venv, batch_size=None, log=print):
        self.venv = venv
        self.batch_size = batch_size
        self.log = log
        self.data_dir = tempfile.mkdtemp(prefix='ls-capture-')
        self.port = free_port()
        self.token = 'capturetoken0123456789abcdef'
        self.username = 'capture@example.com'
        self.emit_log = os.path.join(self.data_dir, 'emissions.jsonl')
        self.emit_pos = 0
        self.proc = None
        env = dict(os.environ)
        for k in ('USERNAME', 'PASSWORD', 'USER_TOKEN', 'DJANGO_SETTINGS_MODULE', 'LABEL_STUDIO_USERNAME',
                  'LABEL_STUDIO_PASSWORD', 'LABEL_STUDIO_USER_TOKEN', 'WEBHOOK_BATCH_SIZE', 'REDIS_LOCATION'):
            env.pop(k, None)
        env.update({
            'PYTHONPATH': HOOK_DIR + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else ''),
            'LABEL_STUDIO_BASE_DATA_DIR': self.data_dir,
            'SSRF_PROTECTION_ENABLED': 'false',
            'LS_CAPTURE_LOG': self.emit_log,
            'DEBUG': 'false',
            'LOG_LEVEL': 'WARNING',
            'PYTHONUNBUFFERED': '1',
        })
        if batch_size is not None:
            env['WEBHOOK_BATCH_SIZE'] = str(batch_size)
        self.env = env

    def start(self):
        cmd = [os.path.join(self.venv, 'bin', 'label-studio'), 'start', '--no-browser',
               '--data-dir', self.data_dir, '--host', 'http://127.0.0.1:%d' % self.port,
               '--internal-host', '127.0.0.1', '-p', str(self.port),
               '--username', self.username, '--password', 'capture-pass-123',
               '--user-token', self.token, '--enable-legacy-api-token']
        self.server_log = open(os.path.join(self.data_dir, 'server.log'), 'wb')
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=self.server_log, stderr=subprocess.STDOUT,
                                     cwd=self.data_dir, start_new_session=True)
        deadline = time.time() + 300
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('label-studio exited; see %s/server.log' % self.data_dir)
            try:
                st, _, _ = self.request('GET', '/api/version', auth=False)
                if st == 200:
                    st, _, body = self.request('GET', '/api/current-user/whoami')
                    if st == 200:
                        self.user = json.loads(body)
                        return self
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError('label-studio did not come up')

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.server_log.close()

    def cleanup(self):
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- HTTP API
    def request(self, method, path, body=None, auth=True, headers=None, raw=None, content_type=None):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=600)
        h = dict(headers or {})
        if auth:
            h['Authorization'] = 'Token ' + self.token
        data = None
        if raw is not None:
            data = raw
            h['Content-Type'] = content_type
        elif body is not None:
            data = json.dumps(body, allow_nan=False).encode('utf-8')
            h['Content-Type'] = 'application/json'
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        out = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), out

    def api(self, method, path, body=None, expect=(200, 201, 204), **kw):
        st, _, out = self.request(method, path, body, **kw)
        if st not in expect:
            raise RuntimeError('%s %s -> %s: %s' % (method, path, st, out[:2000]))
        if out and out[:1] in (b'{', b'['):
            return json.loads(out)
        return out

    def upload(self, path, filename, content, mime='text/plain'):
        boundary = 'capture-boundary-7d1f'
        raw = (('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\nContent-Type: %s\r\n\r\n'
                % (boundary, filename, mime)).encode() + content + ('\r\n--%s--\r\n' % boundary).encode())
        return self.api('POST', path, raw=raw, content_type='multipart/form-data; boundary=' + boundary)

    # -- Django shell (same DB, same settings, same recording hook)
    def shell(self, code):
        py = os.path.join(self.venv, 'bin', 'python')
        r = subprocess.run([py, os.path.join(HOOK_DIR, 'ls_shell.py')], input=code.encode('utf-8'),
                           env=self.env, cwd=self.data_dir, capture_output=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError('shell failed:\n%s\n%s' % (r.stdout.decode(errors='replace'),
                                                        r.stderr.decode(errors='replace')[-4000:]))
        return r.stdout.decode('utf-8')

    def read_emissions(self):
        if not os.path.exists(self.emit_log):
            return []
        with open(self.emit_log, 'rb') as fh:
            fh.seek(self.emit_pos)
            data = fh.read()
        # only complete lines
        cut = data.rfind(b'\n') + 1
        self.emit_pos += cut
        return [json.loads(line) for line in data[:cut].decode('ascii').splitlines() if line.strip()]


# --------------------------------------------------------------------------- pairing
def expected_targets(ev):
    """Webhook ids Label Studio selects (section 3 of the reference page)."""
    out = []
    pid = ev['project']['id'] if ev.get('project') else None
    for w in ev['webhooks']:
        if w['organization'] != ev['organization']:
            continue
        if not (w['project'] is None or w['project'] == pid):
            continue
        if not w['is_active']:
            continue
        if w['send_for_all_actions'] or ev['action'] in w['actions']:
            out.append(w['id'])
    return out


class Session:
    """Collects the emissions of one scenario and pairs each with the requests received."""

    def __init__(self, ls, rx):
        self.ls = ls
        self.rx = rx
        self.sources = set()
        self.raw_headers = []  # (path, [(name, value)...]) of every request, transport headers included

    def collect(self, trigger, source='api'):
        deadline = time.time() + 60
        recs = self.ls.read_emissions()
        emits = [r for r in recs if r['kind'] == 'emit']
        ends = {r['seq']: r['t'] for r in recs if r['kind'] == 'end'}
        while any(e['seq'] not in ends for e in emits) and time.time() < deadline:
            time.sleep(0.2)
            more = self.ls.read_emissions()
            emits += [r for r in more if r['kind'] == 'emit']
            ends.update({r['seq']: r['t'] for r in more if r['kind'] == 'end'})
        time.sleep(0.05)
        reqs = self.rx.drain()
        out = []
        for e in emits:
            t0, t1 = e['t'], ends.get(e['seq'], float('inf'))
            mine = [q for q in reqs if t0 <= q['t'] <= t1]
            out.append(self._emission(trigger, source, e, mine))
        used = sum(len(o['deliveries']) for o in out)
        if used != len(reqs):
            raise RuntimeError('%d received requests not attributed to an emission (trigger %s)'
                               % (len(reqs) - used, trigger))
        return out

    def _emission(self, trigger, source, e, reqs):
        if 'error' in e:
            raise RuntimeError('recorder failed: ' + e['error'])
        ev = {'action': e['action'], 'organization': e['organization'], 'project': e['project']}
        if e['fn'] == 'emit_webhooks_sync':
            ev['payload'] = e['payload']
        else:
            ev['instance'] = e['instance']
        ev['webhooks'] = e['webhooks']
        ev['options'] = {'batchSize': e['batch_size']}
        by_url = {}
        for w in e['webhooks']:
            by_url[urllib.parse.urlsplit(w['url']).path] = w
        deliveries = []
        for q in reqs:
            w = by_url.get(q['path'].split('?')[0])
            if w is None:
                raise RuntimeError('request to unknown path %s' % q['path'])
            deliveries.append({
                'webhookId': w['id'],
                'url': w['url'],
                'headers': {k: v for k, v in q['headers'] if k.lower() not in TRANSPORT_HEADERS},
                'body': q['body'].decode('utf-8'),
            })
        em = {'trigger': trigger, 'event': ev, 'deliveries': deliveries}
        self.sources.add(source)
        self.raw_headers.extend((q['path'], q['headers']) for q in reqs)
        got = {d['webhookId'] for d in deliveries}
        nd = [i for i in expected_targets(ev) if i not in got]
        if nd:
            em['not_delivered'] = nd
        return em


def write_fixture(path, scenario, description, settings, emissions, sources, compact=False, notes=None):
    doc = {
        'scenario': scenario,
        'description': description,
        'source': 'shell' if 'shell' in sources else 'api',
        'label_studio': LS_VERSION,
        'settings': settings,
    }
    if notes:
        doc['notes'] = notes
    doc['emissions'] = emissions
    with open(path, 'w', encoding='ascii') as fh:
        if compact:
            json.dump(doc, fh, ensure_ascii=True, allow_nan=False, separators=(',', ':'))
        else:
            json.dump(doc, fh, ensure_ascii=True, allow_nan=False, indent=1)
        fh.write('\n')
    return doc


def run_scenarios(cap, rounds, only):
    """Runs `cap`'s scenarios (`sc_<name>`), one server per round: `rounds` is
    [(WEBHOOK_BATCH_SIZE or None, [names])]; `only` (a set, maybe empty) picks names."""
    for batch, names in rounds:
        names = [n for n in names if not only or n in only]
        if not names:
            continue
        cap.start(batch)
        try:
            for n in names:
                getattr(cap, 'sc_' + n)()
        finally:
            cap.stop()
