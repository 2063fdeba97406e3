"""A throwaway PostgreSQL server on loopback for the capture harness (stdlib only).

initdb into a temp dir, pg_ctl start on 127.0.0.1:<free port> (trust authentication, loopback
only), stop and remove on close. Debian keeps the server binaries in /usr/lib/postgresql/<v>/bin
(not on PATH); the newest one found there wins over PATH. As root, initdb and postgres refuse to
run, so they run as the `postgres` user (Debian's package creates it) through runuser.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time

from lsharness import free_port


def pg_bin(name):
    dirs = sorted(glob.glob('/usr/lib/postgresql/*/bin'), key=lambda d: int(d.split('/')[-2]), reverse=True)
    for d in dirs:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    p = shutil.which(name)
    if p:
        return p
    raise RuntimeError('PostgreSQL binary %r not found (Debian: apt-get install postgresql)' % name)



class PgServer:
    def __init__(self, user='postgres', dbname='labelstudio'):
        self.base = tempfile.mkdtemp(prefix='ls-capture-pg-')
        self.data = os.path.join(self.base, 'data')
        self.port = free_port()
        self.user = user
        self.dbname = dbname
        self.prefix = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam('postgres')
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
            self.prefix = ['runuser', '-u', 'postgres', '--']

    def _run(self, args, **kw):
        return subprocess.run(self.prefix + args, check=True, capture_output=True, **kw)

    def start(self):
        self._run([pg_bin('initdb'), '-D', self.data, '-U', self.user, '--auth=trust', '-E', 'UTF8',
                   '--locale=C.UTF-8'])
        opts = "-c listen_addresses=127.0.0.1 -c port=%d -k %s -c fsync=off -c full_page_writes=off" % (
            self.port, self.base)
        self._run([pg_bin('pg_ctl'), '-D', self.data, '-o', opts, '-l', os.path.join(self.base, 'log'), '-w',
                   'start'])
        self.psql('postgres', 'CREATE DATABASE "%s"' % self.dbname)
        return self

    def psql(self, db, sql):
        return subprocess.run([pg_bin('psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p',
                               str(self.port), '-U', self.user, '-d', db, '-c', sql],
                              check=True, capture_output=True, text=True).stdout

    def dump(self, out, *args):
        subprocess.run([pg_bin('pg_dump'), '--no-owner', '--no-privileges', '-h', '127.0.0.1', '-p', str(self.port),
                        '-U', self.user, '-f', out] + list(args) + [self.dbname], check=True, capture_output=True)

    def env(self):
        """Label Studio's settings for this server (DJANGO_DB=default reads POSTGRE_*)."""
        return {'DJANGO_DB': 'default', 'POSTGRE_NAME': self.dbname, 'POSTGRE_USER': self.user,
                'POSTGRE_PASSWORD': 'unused-trust-auth', 'POSTGRE_HOST': '127.0.0.1', 'POSTGRE_PORT': str(self.port),
                'LS_CAPTURE_PG_DUMP': pg_bin('pg_dump')}

    def stop(self):
        try:
            self._run([pg_bin('pg_ctl'), '-D', self.data, '-m', 'fast', '-w', 'stop'])
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.base, ignore_errors=True)
