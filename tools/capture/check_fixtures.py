#!/usr/bin/env python3
"""Sanity-check the captured fixtures (stdlib only, no Label Studio needed).

1. Shape: the keys and types described in tests/fixtures/label-studio-1.23.2/README.md.
2. Every delivery body parses with json.loads and json.dumps(json.loads(body), allow_nan=False) == body
   (unless the emission carries "body_roundtrip": false with a note).
3. Independent model check: rebuild every emission's deliveries from its `event` with a small Python
   re-implementation of the rules in ../shared/reference/label-studio-1.23.2-webhooks.md (field lists,
   kinds, $undefined$, targets, batching, headers) and compare with what was captured, byte for byte.
   A mismatch means the event lacks information, or the rules are wrong: both must be fixed.

    python3 tools/capture/check_fixtures.py [FIXTURE_DIR_OR_FILES...] [--shape-only]
"""
import copy
import datetime
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'tests', 'fixtures', 'label-studio-1.23.2')
ACTIONS = {
    # action: (key, many, serializer, organization_only, nested {key: (serializer, many)})
    'PROJECT_CREATED': ('project', False, 'project', True, {}),
    'PROJECT_UPDATED': ('project', False, 'project', False, {}),
    'PROJECT_DELETED': ('project', False, 'only_id', True, {}),
    'TASKS_CREATED': ('tasks', True, 'task', False, {}),
    'TASKS_DELETED': ('tasks', True, 'only_id', False, {}),
    'ANNOTATION_CREATED': ('annotation', False, 'annotation', False, {'task': ('task', False)}),
    'ANNOTATIONS_CREATED': ('annotation', True, 'annotation', False, {'task': ('task', True)}),
    'ANNOTATION_UPDATED': ('annotation', False, 'annotation', False, {'task': ('task', False)}),
    'ANNOTATIONS_DELETED': ('annotations', True, 'only_id', False, {}),
    'LABEL_LINK_CREATED': ('label_link', True, 'label_link', False, {}),
    'LABEL_LINK_UPDATED': ('label_link', False, 'label_link', False, {'label': ('label', False)}),
    'LABEL_LINK_DELETED': ('label_link', False, 'only_id', False, {}),
}
COUNTS = ['task_number', 'finished_task_number', 'total_predictions_number', 'total_annotations_number',
          'num_tasks_with_annotations', 'useful_annotation_number', 'ground_truth_number',
          'skipped_annotations_number']
DT, FL, FK, RAW, OPT = 'dt', 'float', 'fk', 'raw', 'optional'
SPECS = {
    'project': [('id', RAW)] + [(c, RAW) for c in COUNTS] + [
        ('title', RAW), ('description', RAW), ('label_config', RAW), ('parsed_label_config', RAW),
        ('label_config_hash', RAW), ('expert_instruction', RAW), ('show_instruction', RAW),
        ('show_skip_button', RAW), ('enable_empty_annotation', RAW), ('reveal_preannotations_interactively', RAW),
        ('show_annotation_history', RAW), ('show_collab_predictions', RAW),
        ('evaluate_predictions_automatically', RAW), ('token', RAW), ('result_count', RAW), ('color', RAW),
        ('maximum_annotations', RAW), ('min_annotations_to_start_training', RAW), ('control_weights', RAW),
        ('model_version', RAW), ('data_types', RAW), ('is_draft', RAW), ('is_published', RAW),
        ('created_at', DT), ('updated_at', DT), ('sampling', RAW), ('skip_queue', RAW),
        ('show_ground_truth_first', RAW), ('annotator_evaluation_enabled', RAW), ('show_overlap_first', RAW),
        ('overlap_cohort_percentage', RAW), ('task_data_login', RAW), ('task_data_password', RAW),
        ('pinned_at', DT), ('custom_task_lock_ttl', RAW), ('deleted_at', DT), ('purge_at', DT),
        ('search_vector', RAW), ('organization', FK), ('created_by', FK), ('deleted_by', FK)],
    'task': [('id', RAW), ('data', RAW), ('meta', RAW), ('created_at', DT), ('updated_at', DT),
             ('is_labeled', RAW), ('allow_skip', RAW), ('overlap', RAW), ('inner_id', RAW),
             ('total_annotations', RAW), ('cancelled_annotations', RAW), ('total_predictions', RAW),
             ('precomputed_agreement', FL), ('comment_count', RAW), ('unresolved_comment_count', RAW),
             ('last_comment_updated_at', DT), ('project', FK), ('updated_by', FK), ('file_upload', FK),
             ('comment_authors', RAW)],
    'annotation': [('id', RAW), ('result', RAW), ('was_cancelled', RAW), ('ground_truth', RAW),
                   ('created_at', DT), ('updated_at', DT), ('draft_created_at', DT), ('lead_time', FL),
                   ('prediction', RAW), ('result_count', RAW), ('unique_id', RAW), ('import_id', RAW),
                   ('last_action', RAW), ('bulk_created', RAW), ('task', FK), ('project', FK),
                   ('completed_by', FK), ('updated_by', FK), ('parent_prediction', FK),
                   ('parent_annotation', FK), ('last_created_by', FK)],
    'label_link': [('id', RAW), ('annotations_count', OPT), ('from_name', RAW), ('project', FK), ('label', FK)],
    'label': [('id', RAW), ('links', RAW), ('created_at', DT), ('updated_at', DT), ('value', RAW),
              ('title', RAW), ('description', RAW), ('approved', RAW), ('created_by', FK),
              ('approved_by', FK), ('organization', FK), ('projects', RAW)],
}
NESTED_KEYS = {'task', 'label'}


class Fail(Exception):
    pass


def render_dt(v):
    if v is None:
        return None
    d = datetime.datetime.fromisoformat(v)
    if d.tzinfo is None:
        raise Fail('naive datetime %r' % v)
    s = d.astimezone(datetime.timezone.utc).isoformat()
    return s[:-6] + 'Z' if s.endswith('+00:00') else s


def render(kind, row, project):
    if kind == 'only_id':
        return {'id': row['id']}
    spec = SPECS[kind]
    known = set()
    out = {}
    for name, k in spec:
        rk = name + '_id' if k == FK else name
        known.add(rk)
        if k == OPT:
            if name in row:
                out[name] = row[name]
            continue
        if rk not in row:
            raise Fail('%s row lacks %s' % (kind, rk))
        v = row[rk]
        if k == DT:
            v = render_dt(v)
        elif k == FL and v is not None:
            v = float(v)
        elif name == 'data' and kind == 'task':
            v = copy.deepcopy(v)
            dt = (project or {}).get('data_types') or {}
            if isinstance(v, dict) and '$undefined$' in v and dt:
                v[next(iter(dt))] = v.pop('$undefined$')
        out[name] = v
    extra = set(row) - known - NESTED_KEYS
    if extra:
        raise Fail('%s row has fields the reference does not list: %s' % (kind, sorted(extra)))
    return out


def targets(ev):
    pid = ev['project']['id'] if ev.get('project') else None
    return [w for w in ev['webhooks'] if w['organization'] == ev['organization']
            and (w['project'] is None or w['project'] == pid) and w['is_active']
            and (w['send_for_all_actions'] or ev['action'] in w['actions'])]


def build(ev):
    """Returns [(webhook, body_str)] in send order (the reference page's rules)."""
    a = ev['action']
    key, many, ser, org_only, nested = ACTIONS[a]
    proj = ev.get('project')
    if proj and org_only:
        raise Fail('organization-only action with a project')
    tg = targets(ev)
    if not tg:
        return []
    any_payload = any(w['send_payload'] for w in tg)
    out = []

    def send(payload):
        for w in tg:
            data = {'action': a}
            if w['send_payload'] and payload:
                data.update(payload)
            out.append((w, json.dumps(data, allow_nan=False)))

    if 'payload' in ev:
        payload = copy.deepcopy(ev['payload'])
        if proj and payload and any_payload:
            payload['project'] = render('project', proj, proj)
        send(payload)
        return out
    inst = ev.get('instance')
    if isinstance(inst, list):
        bs = ev['options']['batchSize']
        batches = [inst[i:i + bs] for i in range(0, len(inst), bs)]
    else:
        batches = [inst]
    for batch in batches:
        payload = {}
        if batch and any_payload:
            if many:
                payload[key] = [render(ser, r, proj) for r in batch]
            else:
                payload[key] = render(ser, batch, proj)
            if proj and payload:
                payload['project'] = render('project', proj, proj)
            for nk, (nser, nmany) in nested.items():
                if nmany:
                    payload[nk] = [render(nser, r[nk], proj) for r in batch]
                else:
                    payload[nk] = render(nser, batch[nk], proj)
        send(payload)
    return out


def expect_headers(w):
    h = dict(w['headers'])
    if not any(k.lower() == 'content-type' for k in h):
        h['Content-Type'] = 'application/json'
    return h


def check_shape(doc, fn):
    errs = []
    for k, t in (('scenario', str), ('description', str), ('source', str), ('label_studio', str),
                 ('settings', dict), ('emissions', list)):
        if not isinstance(doc.get(k), t):
            errs.append('%s: top-level %s missing or not %s' % (fn, k, t.__name__))
    if doc.get('source') not in ('api', 'shell'):
        errs.append('%s: bad source' % fn)
    if doc.get('label_studio') != '1.23.2':
        errs.append('%s: bad label_studio' % fn)
    for i, em in enumerate(doc.get('emissions', [])):
        where = '%s emission %d' % (fn, i)
        ev = em.get('event')
        if not isinstance(em.get('trigger'), str) or not isinstance(ev, dict):
            errs.append(where + ': trigger/event')
            continue
        if ev.get('action') not in ACTIONS:
            errs.append(where + ': unknown action')
        if not isinstance(ev.get('organization'), int):
            errs.append(where + ': organization')
        if not (ev.get('project') is None or isinstance(ev.get('project'), dict)):
            errs.append(where + ': project')
        if ('instance' in ev) == ('payload' in ev):
            errs.append(where + ': exactly one of instance/payload')
        if not isinstance(ev.get('webhooks'), list) or not isinstance(ev.get('options', {}).get('batchSize'), int):
            errs.append(where + ': webhooks/options')
        ids = [w.get('id') for w in ev.get('webhooks', [])]
        if ids != sorted(ids):
            errs.append(where + ': webhooks not in id order')
        for w in ev.get('webhooks', []):
            for k in ('id', 'organization', 'project', 'url', 'send_payload', 'send_for_all_actions', 'headers',
                      'is_active', 'actions'):
                if k not in w:
                    errs.append(where + ': webhook lacks ' + k)
        for d in em.get('deliveries', []):
            if set(d) != {'webhookId', 'url', 'headers', 'body'}:
                errs.append(where + ': delivery keys %s' % sorted(d))
                continue
            try:
                parsed = json.loads(d['body'])
            except ValueError as e:
                errs.append(where + ': body does not parse: %s' % e)
                continue
            if em.get('body_roundtrip', True) and json.dumps(parsed, allow_nan=False) != d['body']:
                errs.append(where + ': json.dumps(json.loads(body)) != body')
        if not isinstance(em.get('deliveries'), list):
            errs.append(where + ': deliveries')
    return errs


def first_diff(a, b):
    i = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return 'at %d: expected ...%r... got ...%r...' % (i, a[max(0, i - 60):i + 60], b[max(0, i - 60):i + 60])


def check_model(doc, fn):
    errs = []
    for i, em in enumerate(doc['emissions']):
        where = '%s emission %d (%s, %s)' % (fn, i, em['trigger'], em['event']['action'])
        ev = em['event']
        if em.get('error') and not em['deliveries']:
            continue  # Label Studio raised inside the emission: nothing was sent
        try:
            exp = build(ev)
        except Fail as e:
            if em.get('error'):
                continue
            errs.append('%s: %s' % (where, e))
            continue
        except Exception as e:  # noqa: BLE001
            errs.append('%s: model crashed: %r' % (where, e))
            continue
        if em.get('error'):
            errs.append('%s: LS raised (%s) but the model did not' % (where, em['error']))
            continue
        skipped = set(em.get('not_delivered', []))
        exp = [(w, b) for (w, b) in exp if w['id'] not in skipped]
        got = em['deliveries']
        if len(exp) != len(got):
            errs.append('%s: expected %d deliveries, captured %d' % (where, len(exp), len(got)))
            continue
        for j, ((w, body), d) in enumerate(zip(exp, got)):
            if w['id'] != d['webhookId'] or w['url'] != d['url']:
                errs.append('%s delivery %d: webhook %s expected, got %s' % (where, j, w['id'], d['webhookId']))
                break
            eh = expect_headers(w)
            if list(eh.items()) != list(d['headers'].items()):
                errs.append('%s delivery %d: headers %r != %r' % (where, j, eh, d['headers']))
            if body != d['body']:
                errs.append('%s delivery %d: body differs %s' % (where, j, first_diff(body, d['body'])))
                break
    return errs


def main(argv):
    shape_only = '--shape-only' in argv
    paths = [a for a in argv if not a.startswith('--')] or [DEFAULT_DIR]
    files = []
    for p in paths:
        files += sorted(glob.glob(os.path.join(p, '*.json'))) if os.path.isdir(p) else [p]
    if not files:
        print('no fixtures found')
        return 1
    errs = []
    for f in files:
        fn = os.path.basename(f)
        with open(f, encoding='utf-8') as fh:
            doc = json.load(fh)
        e = check_shape(doc, fn)
        if not e and not shape_only:
            e = check_model(doc, fn)
        n = sum(len(em['deliveries']) for em in doc.get('emissions', []))
        print('%-4s %-36s %3d emissions %5d deliveries' % ('ok' if not e else 'FAIL', fn,
                                                            len(doc.get('emissions', [])), n))
        errs += e
    for e in errs[:50]:
        print('  ' + e)
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
