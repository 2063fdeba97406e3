"""Wraps Label Studio's webhook emit functions and logs, BEFORE the original runs,
what a host would hold at that moment: action, organization, project row (with the
8 counts), instance rows (as Label Studio is about to serialize them), payload for the
custom emit, all webhooks of the organization, and the batch size.

One JSON object per line in $LS_CAPTURE_LOG; a matching {"kind": "end"} line follows
once the original returned (all deliveries of the emission are then done).
"""
import copy
import datetime
import decimal
import json
import os
import threading
import time
import traceback
import uuid

_lock = threading.Lock()
_seq = [0]


def _conv(v):
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, decimal.Decimal):
        return float(v)
    return copy.deepcopy(v)


def dump_row(obj, nested=None):
    """Every concrete field by attname, as the in-memory instance holds it, plus M2M id lists."""
    d = {}
    for f in obj._meta.concrete_fields:
        d[f.attname] = _conv(getattr(obj, f.attname))
    for f in obj._meta.many_to_many:
        if obj.pk is None:
            continue
        d[f.name] = [o.pk for o in getattr(obj, f.name).all()]
    model = obj._meta.model_name
    if model == 'label':
        d['links'] = [o.pk for o in obj.links.all()]
    return d


def dump_project(project):
    from projects.models import Project

    if project is None:
        return None
    pid = project if isinstance(project, int) else project.id
    p = Project.objects.with_counts().filter(id=pid)[0]
    d = dump_row(p)
    for k in (
        'task_number', 'finished_task_number', 'total_predictions_number', 'total_annotations_number',
        'num_tasks_with_annotations', 'useful_annotation_number', 'ground_truth_number',
        'skipped_annotations_number',
    ):
        d[k] = getattr(p, k)
    return d


def dump_webhooks(org_id):
    from webhooks.models import Webhook, WebhookAction

    out = []
    for w in Webhook.objects.filter(organization_id=org_id).order_by('id'):
        out.append({
            'id': w.id,
            'organization': w.organization_id,
            'project': w.project_id,
            'url': w.url,
            'send_payload': w.send_payload,
            'send_for_all_actions': w.send_for_all_actions,
            'headers': copy.deepcopy(w.headers),
            'is_active': w.is_active,
            'actions': sorted(WebhookAction.objects.filter(webhook=w).values_list('action', flat=True)),
        })
    return out


def _instance_row(obj, meta):
    if isinstance(obj, dict):
        return copy.deepcopy(obj)
    if obj._meta.model_name == 'project':
        # ProjectWebhookSerializer re-reads the row with counts: record that
        return dump_project(obj)
    row = dump_row(obj)
    for key, val in (meta.get('nested-fields') or {}).items():
        rel = getattr(obj, val['field'])
        row[key] = dump_row(rel) if rel is not None else None
    return row


def dump_instance(action, instance):
    from django.db.models.query import QuerySet
    from webhooks.models import WebhookAction

    meta = WebhookAction.ACTIONS[action]
    info = {'passed': type(instance).__name__}
    if instance is None:
        return None, info
    if instance and isinstance(instance, list) and isinstance(instance[0], int):
        info['passed'] = 'list[int]'
        info['ids'] = list(instance)
        instance = meta['model'].objects.filter(id__in=instance)
    if isinstance(instance, QuerySet):
        info.setdefault('passed', 'QuerySet')
        return [_instance_row(o, meta) for o in instance], info
    if isinstance(instance, (list, tuple)):
        if instance and isinstance(instance[0], dict):
            info['passed'] = 'list[dict]'
        return [_instance_row(o, meta) for o in instance], info
    return _instance_row(instance, meta), info


def _org_id(org):
    return org if isinstance(org, int) else getattr(org, 'id', org)


def _write(rec):
    path = os.environ.get('LS_CAPTURE_LOG')
    if not path:
        return
    line = json.dumps(rec, allow_nan=False, ensure_ascii=True)
    with _lock:
        with open(path, 'a', encoding='ascii') as fh:
            fh.write(line + '\n')


def _next_seq():
    with _lock:
        _seq[0] += 1
        return '%d-%d' % (os.getpid(), _seq[0])


def _end(seq):
    """The "end" line; with $LS_CAPTURE_SNAPSHOT_DIR, a database snapshot taken first (snapshot.py)."""
    rec = {'kind': 'end', 'seq': seq}
    from ls_capture_hook import snapshot

    if snapshot.enabled():
        try:
            rec.update(snapshot.take(seq))
        except Exception:
            rec['snapshot_error'] = traceback.format_exc()
    rec['t'] = time.time()
    return rec


def install(utils):
    from django.conf import settings

    orig_instance = utils.emit_webhooks_for_instance_sync
    orig_custom = utils.emit_webhooks_sync

    def emit_webhooks_for_instance_sync(organization, project, action, instance=None):
        seq = _next_seq()
        try:
            inst, info = dump_instance(action, instance)
            rec = {
                'kind': 'emit', 'seq': seq, 't': time.time(), 'fn': 'emit_webhooks_for_instance_sync',
                'action': action, 'organization': _org_id(organization),
                'project': dump_project(project), 'instance': inst, 'instance_info': info,
                'webhooks': dump_webhooks(_org_id(organization)),
                'batch_size': settings.WEBHOOK_BATCH_SIZE,
            }
        except Exception:
            rec = {'kind': 'emit', 'seq': seq, 't': time.time(), 'action': action, 'error': traceback.format_exc()}
        _write(rec)
        try:
            return orig_instance(organization, project, action, instance)
        finally:
            _write(_end(seq))

    def emit_webhooks_sync(organization, project, action, payload):
        seq = _next_seq()
        try:
            rec = {
                'kind': 'emit', 'seq': seq, 't': time.time(), 'fn': 'emit_webhooks_sync',
                'action': action, 'organization': _org_id(organization),
                'project': dump_project(project), 'payload': copy.deepcopy(payload),
                'webhooks': dump_webhooks(_org_id(organization)),
                'batch_size': settings.WEBHOOK_BATCH_SIZE,
            }
        except Exception:
            rec = {'kind': 'emit', 'seq': seq, 't': time.time(), 'action': action, 'error': traceback.format_exc()}
        _write(rec)
        try:
            return orig_custom(organization, project, action, payload)
        finally:
            _write(_end(seq))

    utils.emit_webhooks_for_instance_sync = emit_webhooks_for_instance_sync
    utils.emit_webhooks_sync = emit_webhooks_sync
