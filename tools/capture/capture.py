#!/usr/bin/env python3
"""Drive a real Label Studio 1.23.2 through its HTTP API (and, where it has no API, its own
models and emit functions from a Django shell), record every webhook emission and the
requests received, and write one fixture per scenario to tests/fixtures/label-studio-1.23.2/.

    python3 tools/capture/capture.py --venv /opt/ls-venv [--only NAME,NAME] [--out DIR]

See tests/fixtures/label-studio-1.23.2/README.md.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsharness import LabelStudio, Receiver, Session, run_scenarios, write_fixture  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'label-studio-1.23.2')

CONFIG = ('<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text">'
          '<Choice value="pos"/><Choice value="n\u00e9g \U0001F600"/></Choices></View>')

HOSTILE_TEXT = ('na\u00efve caf\u00e9 \u2014 \u65e5\u672c\u8a9e \U0001F600\U0001F984 ctl:\x01\x08\x0c\x1f\x7f '
                'seps:\u2028\u2029 "quoted" back\\slash /slash/ tab\t nl\n cr\r end')


def deep(n):
    v = {'leaf': [1.0, 'x']}
    for i in range(n):
        v = {'d%d' % i: v} if i % 2 else [v]
    return v


HOSTILE_OBJ = {
    'zeta': 'last-first',
    '10': 'integer-like key',
    '1': 'another integer-like key',
    '': 'empty key',
    'Alpha \U0001F600': HOSTILE_TEXT,
    'floats': [1.0, 0.1, 1e-07, 1e16, -0.0, 12.5, 1e22, 1.5e300, 5e-324, 123456789.125, 2.5e-05],
    'ints': [9007199254740993, 8755930484223552274, -9007199254740993, 0, -1, 2 ** 64 + 1],
    'empty_obj': {},
    'empty_list': [],
    'nothing': None,
    'nul_char': 'a\x00b',
    'bools': [True, False],
    'deep': deep(40),
}

RESULT = [{'id': 'r1', 'from_name': 'sentiment', 'to_name': 'text', 'type': 'choices',
           'value': {'choices': ['pos']}}]


def hostile_result():
    r = json.loads(json.dumps(RESULT))
    r[0]['value']['extra'] = HOSTILE_OBJ
    r[0]['score'] = 1e-07
    return r


class Capture:
    def __init__(self, args):
        self.args = args
        self.out = args.out
        self.rx = Receiver()
        self.ls = None
        self.written = []
        self.counter = 0

    # -- helpers ---------------------------------------------------------------------
    def start(self, batch_size=None):
        t = time.time()
        self.ls = LabelStudio(self.args.venv, batch_size=batch_size).start()
        self.settings = {'WEBHOOK_BATCH_SIZE': batch_size or 5000, 'SSRF_PROTECTION_ENABLED': False}
        print('label-studio up on port %d in %.0fs (batch size %s)' % (self.ls.port, time.time() - t,
                                                                       batch_size or 'default'), flush=True)

    def stop(self):
        if self.ls:
            self.ls.stop()
            if not self.args.keep:
                self.ls.cleanup()
            self.ls = None

    def begin(self, name, description):
        self.name = name
        self.description = description
        self.sess = Session(self.ls, self.rx)
        self.emissions = []
        self.notes = []
        self.ls.shell('from webhooks.models import Webhook\nWebhook.objects.all().delete()\n')
        self.ls.read_emissions()
        self.rx.drain()

    def end(self, compact=False):
        path = os.path.join(self.out, self.name + '.json')
        write_fixture(path, self.name, self.description, self.settings, self.emissions, self.sess.sources,
                      compact=compact, notes=self.notes or None)
        nd = sum(len(e['deliveries']) for e in self.emissions)
        print('  %-34s %3d emissions %4d deliveries' % (self.name, len(self.emissions), nd), flush=True)
        self.written.append((self.name, len(self.emissions), nd, self.sess.raw_headers[:3]))

    def call(self, method, path, body=None, trigger=None, record=True, **kw):
        res = self.ls.api(method, path, body, **kw)
        ems = self.sess.collect(trigger or '%s %s' % (method, path))
        if record:
            self.emissions.extend(ems)
        return res

    def upload(self, path, filename, content, trigger):
        res = self.ls.upload(path, filename, content)
        self.emissions.extend(self.sess.collect(trigger))
        return res

    def shell(self, code, trigger, record=True):
        out = self.ls.shell(code)
        ems = self.sess.collect(trigger, source='shell')
        if record:
            self.emissions.extend(ems)
        return out

    def hook(self, tag, project, **kw):
        self.counter += 1
        body = {'project': project, 'url': self.rx.url('%d-%s' % (self.counter, tag))}
        body.update(kw)
        return self.call('POST', '/api/webhooks/', body, record=False)['id']

    def org_hook(self, tag, send_payload=True, send_for_all_actions=True, headers=None, is_active=True,
                 actions=()):
        self.counter += 1
        url = self.rx.url('%d-%s' % (self.counter, tag))
        code = (
            'from webhooks.models import Webhook\n'
            'w = Webhook.objects.create(organization_id=1, project=None, url=%r, send_payload=%r,\n'
            '    send_for_all_actions=%r, headers=%r, is_active=%r)\n'
            'w.set_actions(%r)\nprint(w.id)\n'
        ) % (url, send_payload, send_for_all_actions, headers or {}, is_active, list(actions))
        return int(self.ls.shell(code).strip().splitlines()[-1])

    def project(self, title='Capture project', config=CONFIG, record=False, **kw):
        body = {'title': title, 'label_config': config}
        body.update(kw)
        return self.call('POST', '/api/projects/', body, record=record)['id']

    def task(self, pid, data, record=True, **kw):
        body = {'project': pid, 'data': data}
        body.update(kw)
        return self.call('POST', '/api/tasks/', body, record=record,
                         trigger='POST /api/tasks/ (one task)')['id']

    def import_tasks(self, pid, tasks, record=True, trigger=None):
        return self.call('POST', '/api/projects/%d/import' % pid, tasks, record=record,
                         trigger=trigger or 'POST /api/projects/%d/import (%d tasks)' % (pid, len(tasks)))

    def task_ids(self, pid):
        out = self.ls.shell('from tasks.models import Task\nprint(list(Task.objects.filter(project_id=%d)'
                            '.order_by("id").values_list("id", flat=True)))\n' % pid)
        return json.loads(out.strip().splitlines()[-1])

    def dm(self, action, pid, ids, extra=None, trigger=None):
        body = {'selectedItems': {'all': False, 'included': ids}, 'project': pid}
        if extra:
            body.update(extra)
        return self.call('POST', '/api/dm/actions?id=%s&project=%d' % (action, pid), body,
                         trigger=trigger or 'POST /api/dm/actions?id=%s (%d tasks selected)' % (action, len(ids)))

    def annotate(self, tid, body=None, record=True):
        b = {'result': RESULT, 'lead_time': 12, 'was_cancelled': False, 'ground_truth': False}
        b.update(body or {})
        return self.call('POST', '/api/tasks/%d/annotations/' % tid, b, record=record,
                         trigger='POST /api/tasks/%d/annotations/' % tid)['id']

    def predict(self, tid, score=0.5, model_version='v1'):
        return self.call('POST', '/api/predictions/', {'task': tid, 'result': RESULT, 'score': score,
                                                        'model_version': model_version}, record=False)['id']

    # -- scenarios -------------------------------------------------------------------
    def sc_project_lifecycle(self):
        self.begin('project-lifecycle', 'PROJECT_CREATED, PROJECT_UPDATED (PATCH and PUT) and PROJECT_DELETED '
                   'through the API, seen by organization webhooks (all actions / filtered / send_payload false, '
                   'inserted from a Django shell: no API for them in 1.23.2) and by a project webhook.')
        self.org_hook('org-all')
        self.org_hook('org-filtered', send_for_all_actions=False, actions=['PROJECT_CREATED', 'PROJECT_DELETED'])
        self.org_hook('org-nopayload', send_payload=False)
        pid = self.project(title='Proj \u00e9\U0001F600 "q" \\', record=True,
                           description=HOSTILE_TEXT, expert_instruction='<b>read</b>\u2028me')
        self.hook('proj-all', pid)
        self.call('PATCH', '/api/projects/%d/' % pid, {'title': 'Renamed \u65e5\u672c', 'color': '#FF0000',
                                                       'maximum_annotations': 2})
        self.call('PATCH', '/api/projects/%d/' % pid, {'show_skip_button': False, 'description': ''})
        self.call('DELETE', '/api/projects/%d/' % pid)
        self.end()

    def sc_tasks_created(self):
        self.begin('tasks-created', 'TASKS_CREATED from POST /api/tasks/ (one task, with meta) and from imports '
                   '(JSON body and an uploaded JSON file), to a project webhook for all actions and one filtered '
                   'on TASKS_CREATED; the project counts change between emissions.')
        pid = self.project()
        self.hook('all', pid)
        self.hook('tasks-only', pid, send_for_all_actions=False, actions=['TASKS_CREATED'])
        self.hook('annotations-only', pid, send_for_all_actions=False, actions=['ANNOTATION_CREATED'])
        self.task(pid, {'text': 'one task'})
        self.task(pid, {'text': 'with meta', 'n': 1}, meta={'source': 'capture', 'weight': 1.0})
        self.import_tasks(pid, [{'text': 'a'}, {'data': {'text': 'b', 'x': 0.1}}, {'text': 'c', 'z': [], 'a': {}}])
        self.upload('/api/projects/%d/import' % pid, 'tasks.json',
                    json.dumps([{'text': 'from file 1'}, {'text': 'from file 2', 'big': 9007199254740993}]).encode(),
                    'POST /api/projects/%d/import (uploaded tasks.json, 2 tasks)' % pid)
        self.end()

    def sc_annotations(self):
        self.begin('annotations', 'ANNOTATION_CREATED (integral lead_time 12), ANNOTATION_UPDATED (PATCH, PUT), '
                   'ANNOTATIONS_DELETED (DELETE /api/annotations/{id}/) and TASKS_DELETED for one task '
                   '(DELETE /api/tasks/{id}/), nested task rows included.')
        pid = self.project()
        self.hook('all', pid)
        self.hook('nopayload', pid, send_payload=False)
        t1 = self.task(pid, {'text': 'annotate me'}, record=False)
        t2 = self.task(pid, {'text': 'delete me'}, record=False)
        aid = self.annotate(t1)
        self.call('PATCH', '/api/annotations/%d/' % aid, {'lead_time': 12.5, 'result': hostile_result()})
        self.call('PUT', '/api/annotations/%d/' % aid, {'lead_time': 30, 'result': RESULT, 'ground_truth': True})
        a2 = self.annotate(t1, {'was_cancelled': True, 'result': [], 'lead_time': 0.1})
        self.call('DELETE', '/api/annotations/%d/' % a2)
        self.call('DELETE', '/api/tasks/%d/' % t2)
        self.end()

    def sc_predictions(self):
        self.begin('predictions-to-annotations', 'ANNOTATIONS_CREATED from the data-manager action '
                   'predictions_to_annotations: 3 predictions on 2 tasks (one task twice, so the nested task '
                   'list repeats it), plus a second run with nothing left to convert.')
        pid = self.project()
        self.hook('all', pid)
        t1 = self.task(pid, {'text': 'p1'}, record=False)
        t2 = self.task(pid, {'text': 'p2'}, record=False)
        t3 = self.task(pid, {'text': 'p3 no prediction'}, record=False)
        self.predict(t1, 0.9, 'v1')
        self.predict(t2, 0.1, 'v1')
        self.predict(t1, 1.0, 'v2')
        self.dm('predictions_to_annotations', pid, [t1, t2, t3])
        self.dm('predictions_to_annotations', pid, [t1, t2, t3], trigger='POST /api/dm/actions?id='
                'predictions_to_annotations again (nothing left)')
        self.end()

    def sc_dm_delete(self):
        self.begin('dm-delete-actions', 'Data-manager delete_tasks_annotations and delete_tasks (ids passed as '
                   '[{"id": n}] rows), including selections that delete nothing (empty-list emissions).')
        pid = self.project()
        self.hook('all', pid)
        ids = [self.task(pid, {'text': 't%d' % i}, record=False) for i in range(5)]
        a1 = self.annotate(ids[0], record=False)
        self.annotate(ids[0], record=False)
        self.annotate(ids[1], record=False)
        self.dm('delete_tasks_annotations', pid, ids[:3])
        self.dm('delete_tasks_annotations', pid, ids[3:], trigger='POST /api/dm/actions?id=delete_tasks_annotations'
                ' (tasks without annotations)')
        self.dm('delete_tasks', pid, ids[:2])
        try:
            self.dm('delete_tasks', pid, [], trigger='POST /api/dm/actions?id=delete_tasks (selectedItems '
                    '{"all": false, "included": []}: LS deletes every remaining task)')
        except RuntimeError as e:
            self.notes.append('delete_tasks with nothing selected was refused: %s' % str(e)[:300])
        self.dm('delete_tasks', pid, ids[2:], trigger='POST /api/dm/actions?id=delete_tasks (3 already-deleted ids: empty list)')
        del a1
        self.end()

    def sc_delete_all(self):
        self.begin('delete-all-tasks', 'DELETE /api/projects/{id}/tasks/ emits TASKS_DELETED with project None '
                   '(rows {"id": n}): only organization webhooks are targets and the body has no project key; '
                   'the project webhook gets nothing. Organization webhook inserted from a Django shell.')
        pid = self.project()
        self.hook('proj-all', pid)
        self.org_hook('org-all')
        self.org_hook('org-nopayload', send_payload=False)
        self.import_tasks(pid, [{'text': 'x%d' % i} for i in range(4)])
        self.call('DELETE', '/api/projects/%d/tasks/' % pid)
        self.call('DELETE', '/api/projects/%d/tasks/' % pid, trigger='DELETE /api/projects/%d/tasks/ '
                  '(again, project now empty)' % pid)
        self.end()

    def sc_webhook_kinds(self):
        self.begin('webhook-kinds', 'Target selection: organization vs project webhooks (two projects), '
                   'send_for_all_actions, filtered actions (matching and not), send_payload false, inactive '
                   'webhooks (project and organization).')
        pa = self.project(title='Project A')
        pb = self.project(title='Project B')
        self.org_hook('org-all')
        self.org_hook('org-inactive', is_active=False)
        self.org_hook('org-tasks', send_for_all_actions=False, actions=['TASKS_CREATED'])
        self.hook('a-all', pa)
        self.hook('a-filtered-tasks', pa, send_for_all_actions=False, actions=['TASKS_CREATED', 'PROJECT_UPDATED'])
        self.hook('a-filtered-other', pa, send_for_all_actions=False, actions=['ANNOTATION_UPDATED'])
        self.hook('a-nopayload', pa, send_payload=False)
        self.hook('a-inactive', pa, is_active=False)
        self.hook('a-no-actions', pa, send_for_all_actions=False)
        self.hook('b-all', pb)
        self.task(pa, {'text': 'in A'})
        self.task(pb, {'text': 'in B'})
        self.call('PATCH', '/api/projects/%d/' % pa, {'title': 'Project A2'})
        t = self.task(pa, {'text': 'annotated'}, record=False)
        self.annotate(t)
        self.end()

    def sc_headers(self):
        self.begin('headers', 'Webhook headers: Content-Type override (either case), latin-1 and non-latin-1 '
                   'values, a CR/LF value, a leading-space value, empty value, odd key order. Requests that '
                   'cannot be sent are dropped by run_webhook_sync\'s error handler while the others go out.')
        pid = self.project()
        self.hook('plain', pid)
        self.hook('ct-override', pid, headers={'Content-Type': 'text/plain', 'X-Token': 's3cr\u00e9t'})
        self.hook('ct-lower', pid, headers={'z-last': 'z', 'content-type': 'application/x-www-form-urlencoded',
                                            'A_First': 'a', 'X-Empty': ''})
        self.hook('non-latin1', pid, headers={'X-Emoji': 'tok\U0001F600', 'X-Ok': '1'})
        self.hook('crlf', pid, headers={'X-Bad': 'a\r\nInjected: yes'})
        self.hook('leading-space', pid, headers={'X-Space': ' padded'})
        self.hook('ten', pid, headers={'H%d' % i: 'v%d' % i for i in range(10)})
        self.task(pid, {'text': 'header test'})
        self.call('PATCH', '/api/projects/%d/' % pid, {'title': 'Header project'})
        self.end()

    def sc_label_links(self):
        self.begin('label-links-api', 'LABEL_LINK_CREATED (POST /api/labels/, a QuerySet of links), '
                   'LABEL_LINK_UPDATED (PATCH /api/label_links/{id}/, nested label with links and projects) '
                   'and LABEL_LINK_DELETED (DELETE /api/label_links/{id}/) through the API.')
        pid = self.project()
        p2 = self.project(title='Second project')
        self.hook('all', pid)
        self.org_hook('org-all')
        labels = [{'project': pid, 'from_name': 'sentiment', 'title': 'Label \U0001F600 %d' % i,
                   'value': {'choices': ['x%d' % i], 'w': 1.0}} for i in range(2)]
        # LS 1.23.2 bug: the links QuerySet is already evaluated, so batching slices it into a list and
        # `batch.count()` (in a debug f-string) raises TypeError: HTTP 500, nothing sent, labels rolled back.
        n0 = len(self.emissions)
        self.call('POST', '/api/labels/', labels, trigger='POST /api/labels/ (2 labels) -> HTTP 500', expect=(500,))
        for em in self.emissions[n0:]:
            em['error'] = 'TypeError: list.count() takes exactly one argument (0 given) (HTTP 500, nothing sent)'
        self.notes.append('POST /api/labels/ answers HTTP 500 in 1.23.2 when any webhook matches '
                          'LABEL_LINK_CREATED: the emission is recorded with "error"; the links for the '
                          'PATCH/DELETE below were then created from a Django shell (no emission).')
        self.ls.shell('''
from labels_manager.models import Label, LabelLink
from projects.models import Project
from users.models import User
u = User.objects.first()
for i, pid in enumerate((%d, %d)):
    lab = Label.objects.create(title='Shell label \\U0001F600 %%d' %% i, value={'choices': ['x%%d' %% i], 'w': 1.0},
                               created_by=u, organization_id=1)
    LabelLink.objects.create(project_id=pid, label=lab, from_name='sentiment')
    if i == 0:
        LabelLink.objects.create(project_id=%d, label=lab, from_name='sentiment')
''' % (pid, pid, p2))
        links = self.ls.api('GET', '/api/label_links/?project=%d' % pid)
        links = links.get('results', links) if isinstance(links, dict) else links
        lid = sorted(l['id'] for l in links if l['project'] == pid)[0]
        self.call('PATCH', '/api/label_links/%d/' % lid, {'from_name': 'sentiment \u00e9'})
        self.call('DELETE', '/api/label_links/%d/' % lid)
        self.end()

    def sc_label_links_shell(self):
        self.begin('label-links-shell', 'Label-link actions emitted from a Django shell with '
                   'emit_webhooks_for_instance_sync: LABEL_LINK_CREATED with a list, LABEL_LINK_UPDATED with a '
                   'link whose label has hostile values and links to two projects, LABEL_LINK_DELETED with {"id"}.')
        pid = self.project()
        p2 = self.project(title='Other project')
        self.hook('all', pid)
        self.org_hook('org-all')
        code = '''
import json
from labels_manager.models import Label, LabelLink
from projects.models import Project
from organizations.models import Organization
from users.models import User
from webhooks.utils import emit_webhooks_for_instance_sync
org = Organization.objects.get(id=1)
user = User.objects.first()
p = Project.objects.get(id=%d); p2 = Project.objects.get(id=%d)
value = json.loads(%r)
lab = Label.objects.create(title='shell label \\U0001F600', value=value, description=%r, created_by=user,
                           organization=org, approved=True, approved_by=user)
l1 = LabelLink.objects.create(project=p, label=lab, from_name='sentiment')
l2 = LabelLink.objects.create(project=p2, label=lab, from_name='sentiment')
emit_webhooks_for_instance_sync(org, p, 'LABEL_LINK_CREATED', [l1])
l1 = LabelLink.objects.get(id=l1.id)
emit_webhooks_for_instance_sync(org, p, 'LABEL_LINK_UPDATED', l1)
emit_webhooks_for_instance_sync(org, p, 'LABEL_LINK_DELETED', {'id': l1.id})
emit_webhooks_for_instance_sync(org, p, 'LABEL_LINK_CREATED', [])
''' % (pid, p2, json.dumps(HOSTILE_OBJ), HOSTILE_TEXT)
        self.shell(code, 'shell: emit_webhooks_for_instance_sync(org, project, LABEL_LINK_*, ...)')
        self.end()

    def sc_custom_emit(self):
        self.begin('custom-emit', 'emit_webhooks_sync(organization, project, action, payload) from a Django '
                   'shell: with a project, without one, empty payload, send_payload false, and an '
                   'organization-only action with a project (raises ValueError, nothing sent).')
        pid = self.project()
        self.hook('all', pid)
        self.hook('nopayload', pid, send_payload=False)
        self.org_hook('org-all')
        code = '''
import json
from projects.models import Project
from organizations.models import Organization
from webhooks.utils import emit_webhooks_sync
org = Organization.objects.get(id=1)
p = Project.objects.get(id=%d)
payload = json.loads(%r)
emit_webhooks_sync(org, p, 'TASKS_CREATED', payload)
emit_webhooks_sync(org, None, 'PROJECT_CREATED', {'custom': 'no project', 'n': 1.0})
emit_webhooks_sync(org, p, 'ANNOTATION_CREATED', {})
emit_webhooks_sync(org, p, 'ANNOTATION_UPDATED', {'project': 'caller value', 'z': 1})
try:
    emit_webhooks_sync(org, p, 'PROJECT_DELETED', {'x': 1})
except ValueError as e:
    print('ValueError', e)
''' % (pid, json.dumps({'custom': HOSTILE_OBJ, 'z': 1, 'a': 2}))
        out = self.shell(code, 'shell: emit_webhooks_sync(...)')
        for em in self.emissions:
            if em['event']['action'] == 'PROJECT_DELETED':
                em['error'] = 'ValueError: There is no project webhooks for organization-only action'
        if 'ValueError' not in out:
            self.notes.append('expected ValueError not raised')
        self.end()

    def sc_undefined(self):
        self.begin('undefined-key', 'Task data with the key "$undefined$": plain-text import (one task per '
                   'line), POST /api/tasks/ with {"$undefined$": ..., other keys}, and an annotation on such a '
                   'task; in a project whose config has a data key ($text) and in one without data types.')
        pid = self.project()
        p0 = self.project(title='No data types', config='<View></View>')
        self.hook('all', pid)
        self.hook('all-nodt', p0)
        self.upload('/api/projects/%d/import' % pid, 'lines.txt', 'first line \u00e9\nsecond \U0001F600\n'.encode(),
                    'POST /api/projects/%d/import (uploaded lines.txt, 2 lines)' % pid)
        t = self.task(pid, {'$undefined$': 'moved', 'keep': 1, 'after': {'a': 1}})
        self.annotate(t)
        self.task(p0, {'$undefined$': 'stays', 'k': 2})
        t0 = self.task(p0, {'$undefined$': 'stored raw', 'k': 3}, record=False)
        self.upload('/api/projects/%d/import' % p0, 'lines.txt', b'only line\n',
                    'POST /api/projects/%d/import (uploaded lines.txt, no data types)' % p0)
        self.notes.append('Import and POST /api/tasks/ already move "$undefined$" to the first data key before '
                          'saving when the project has data types, so the rows above no longer carry it; the '
                          'webhook serializer\'s own move is exercised by the emissions below, whose stored data '
                          'still has "$undefined$" while the project now has data types.')
        try:
            self.call('PATCH', '/api/projects/%d/' % p0, {'label_config': CONFIG},
                      trigger='PATCH /api/projects/%d/ (label_config gains $text)' % p0)
            self.annotate(t0)
        except RuntimeError as e:
            self.notes.append('changing the label config of the project was refused: %s' % str(e)[:200])
        self.shell('''
from organizations.models import Organization
from projects.models import Project
from tasks.models import Task, Annotation
from users.models import User
from webhooks.utils import emit_webhooks_for_instance_sync
org = Organization.objects.get(id=1)
p = Project.objects.get(id=%d)
u = User.objects.first()
t = Task.objects.create(project=p, data={'$undefined$': 'shell raw \\u00e9', 'a': {'b': 1}, 'z': 0.5})
emit_webhooks_for_instance_sync(org, p, 'TASKS_CREATED', [t, Task.objects.get(id=t.id)])
a = Annotation.objects.create(task=Task.objects.get(id=t.id), project=p, completed_by=u, result=[], lead_time=3)
emit_webhooks_for_instance_sync(org, p, 'ANNOTATION_CREATED', Annotation.objects.get(id=a.id))
''' % pid, 'shell: Task.objects.create(data={"$undefined$": ...}) + emit_webhooks_for_instance_sync (task listed twice)')
        self.end()

    def sc_hostile(self):
        self.begin('hostile-data', 'Hostile values everywhere: project text fields, task data and meta '
                   '(non-ASCII, astral, control chars, U+2028, quotes, backslashes, odd key order, floats 1.0 '
                   '0.1 1e-07 1e16 -0.0 12.5, ints above 2^53, empty containers, depth-40 nesting), annotation '
                   'result and integral lead_time.')
        pid = self.project(title='H\u00f8stile \U0001F984 "x" \\ ', description=HOSTILE_TEXT,
                           expert_instruction='\u2028\u2029\x7f', record=True)
        self.org_hook('org-all')
        self.hook('all', pid)
        data = {'text': HOSTILE_TEXT}
        data.update(HOSTILE_OBJ)
        t = self.task(pid, data, meta={'m': HOSTILE_OBJ, '0': -0.0})
        self.import_tasks(pid, [{'text': 'imp \U0001F600', 'f': 1e16, 'i': 8755930484223552274, 'neg': -0.0},
                                {'data': {'z': 1, 'text': '\u2028', 'a': {'y': [], 'b': {}}}}])
        aid = self.annotate(t, {'result': hostile_result(), 'lead_time': 12})
        self.call('PATCH', '/api/annotations/%d/' % aid, {'lead_time': 1e16})
        self.call('PATCH', '/api/projects/%d/' % pid, {'description': HOSTILE_TEXT[::-1]})
        self.end()

    def sc_batching(self):
        self.begin('batching-size-3', 'WEBHOOK_BATCH_SIZE=3: imports of 3 (exactly one batch), 4 (3+1) and 7 '
                   '(3+3+1) tasks, predictions_to_annotations of 4 (3+1, nested task lists per batch), '
                   'data-manager delete of 6 (3+3), delete-all of the rest (project None). Each batch goes to '
                   'every target before the next batch.')
        pid = self.project()
        self.hook('all', pid)
        self.hook('nopayload', pid, send_payload=False)
        self.org_hook('org-all')
        self.import_tasks(pid, [{'text': 'a%d' % i} for i in range(3)])
        self.import_tasks(pid, [{'text': 'b%d' % i} for i in range(4)])
        self.import_tasks(pid, [{'text': 'c%d' % i} for i in range(7)])
        ids = self.task_ids(pid)
        for i in ids[:3]:
            self.predict(i)
        self.predict(ids[0], 0.2, 'v2')
        self.dm('predictions_to_annotations', pid, ids[:3])
        self.dm('delete_tasks', pid, ids[:6])
        self.call('DELETE', '/api/projects/%d/tasks/' % pid)
        self.end()

    def sc_big_import(self):
        n = self.args.big
        self.begin('import-%d' % n, 'One import of %d tasks at the default WEBHOOK_BATCH_SIZE (5000): two '
                   'TASKS_CREATED batches (5000 + %d) to the project webhook. Written compact (no indentation) '
                   'to stay under 5 MB.' % (n, n - 5000))
        pid = self.project()
        self.hook('all', pid, send_for_all_actions=False, actions=['TASKS_CREATED'])
        self.org_hook('org-ids', send_for_all_actions=False, actions=['TASKS_DELETED'])
        self.import_tasks(pid, [{'text': str(i)} for i in range(n)])
        self.end(compact=True)
        # same project and webhooks, second fixture
        self.name = 'delete-all-%d' % n
        self.description = ('DELETE /api/projects/{id}/tasks/ on the %d-task project at the default batch size: '
                            'TASKS_DELETED with project None in two batches (5000 + %d) to the organization '
                            'webhook (inserted from a Django shell) filtered on TASKS_DELETED.' % (n, n - 5000))
        self.sess = Session(self.ls, self.rx)
        self.emissions = []
        self.notes = []
        self.call('DELETE', '/api/projects/%d/tasks/' % pid)
        self.end(compact=True)


RUN_DEFAULT = ['project_lifecycle', 'tasks_created', 'annotations', 'predictions', 'dm_delete', 'delete_all',
               'webhook_kinds', 'headers', 'label_links', 'label_links_shell', 'custom_emit', 'undefined',
               'hostile', 'big_import']
RUN_SMALL = ['batching']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--venv', default=os.environ.get('LS_VENV', os.path.join(os.path.dirname(__file__), '.venv')))
    ap.add_argument('--out', default=OUT)
    ap.add_argument('--only', default='')
    ap.add_argument('--big', type=int, default=5003)
    ap.add_argument('--keep', action='store_true', help='keep the temp data dirs (server.log, emissions.jsonl)')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    only = set(x.strip().replace('-', '_') for x in args.only.split(',') if x.strip())
    t0 = time.time()
    cap = Capture(args)
    run_scenarios(cap, ((3, RUN_SMALL), (None, RUN_DEFAULT)), only)
    print('done in %.0fs' % (time.time() - t0))
    if cap.written:
        print('sample raw header order:', json.dumps(cap.written[0][3][:1]))


if __name__ == '__main__':
    main()
