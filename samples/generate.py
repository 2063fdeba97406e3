"""Writes samples/events/*.json: one realistic event per action.

These are the built-in sample data of the CLI demo, the browser preview and
the generated event reference. Rows are shaped as Label Studio 1.23.2's
database holds them. Run: python3 samples/generate.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ORG = 1
PROJECT_ID = 12

LABEL_CONFIG = (
    '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="sentiment" toName="text">\n'
    '    <Choice value="Positive"/>\n    <Choice value="Negative"/>\n  </Choices>\n</View>'
)

project = {
    "id": PROJECT_ID,
    "task_number": 3, "finished_task_number": 1, "total_predictions_number": 1,
    "total_annotations_number": 1, "num_tasks_with_annotations": 1, "useful_annotation_number": 1,
    "ground_truth_number": 0, "skipped_annotations_number": 0,
    "title": "Café reviews — sentiment", "description": "Classify short reviews",
    "label_config": LABEL_CONFIG,
    "parsed_label_config": {"sentiment": {"type": "Choices", "to_name": ["text"], "inputs": [{"type": "Text", "value": "text", "valueType": None}], "labels": ["Positive", "Negative"], "labels_attrs": {"Positive": {"value": "Positive"}, "Negative": {"value": "Negative"}}}},
    "label_config_hash": 8755930484223552274,
    "expert_instruction": "<p>Pick the overall sentiment.</p>",
    "show_instruction": False, "show_skip_button": True, "enable_empty_annotation": True,
    "reveal_preannotations_interactively": False, "show_annotation_history": False,
    "show_collab_predictions": True, "evaluate_predictions_automatically": False,
    "token": "4f1c2a9e-6a41-4b57-9d0e-2b7b2f1f8c11", "result_count": 1, "color": "#FFFFFF",
    "maximum_annotations": 1, "min_annotations_to_start_training": 0,
    "control_weights": {"sentiment": {"overall": 1.0, "type": "Choices", "labels": {"Positive": 1.0, "Negative": 1.0}}},
    "model_version": "", "data_types": {"text": "Text"}, "is_draft": False, "is_published": False,
    "created_at": "2026-11-26T09:12:03.114852+00:00", "updated_at": "2026-11-26T09:40:51.503210+00:00",
    "sampling": "Sequential sampling", "skip_queue": "REQUEUE_FOR_OTHERS",
    "show_ground_truth_first": False, "annotator_evaluation_enabled": False, "show_overlap_first": False,
    "overlap_cohort_percentage": 100, "task_data_login": None, "task_data_password": None,
    "pinned_at": None, "custom_task_lock_ttl": None, "deleted_at": None, "purge_at": None,
    "search_vector": None, "organization_id": ORG, "created_by_id": 1, "deleted_by_id": None,
}


def task(tid, text, **extra):
    row = {
        "id": tid, "data": {"text": text}, "meta": {}, "created_at": "2026-11-26T09:15:00.000000+00:00",
        "updated_at": "2026-11-26T09:15:00.000000+00:00", "is_labeled": False, "allow_skip": True,
        "overlap": 1, "inner_id": tid - 40, "total_annotations": 0, "cancelled_annotations": 0,
        "total_predictions": 0, "precomputed_agreement": None, "comment_count": 0,
        "unresolved_comment_count": 0, "last_comment_updated_at": None, "project_id": PROJECT_ID,
        "updated_by_id": None, "file_upload_id": 3, "comment_authors": [],
    }
    row.update(extra)
    return row


tasks = [
    task(41, "The croissants were flaky and warm 🥐"),
    task(42, "Service was slow; the “flat white” was cold.", meta={"source": "import", "score": 0.1}),
    task(43, "Déjà vu: same great espresso as last year"),
]

result = [{
    "id": "r1xQ3k", "type": "choices", "value": {"choices": ["Positive"]},
    "origin": "manual", "to_name": "text", "from_name": "sentiment",
}]


def annotation(aid, task_row, **extra):
    row = {
        "id": aid, "result": result, "was_cancelled": False, "ground_truth": False,
        "created_at": "2026-11-26T09:31:44.021337+00:00", "updated_at": "2026-11-26T09:31:44.021337+00:00",
        "draft_created_at": "2026-11-26T09:30:02.000000+00:00", "lead_time": 12.0, "prediction": {},
        "result_count": 1, "unique_id": "2f9a9d52-1f63-4a4e-a2bb-8e3e3a0b6c1d", "import_id": None,
        "last_action": "submitted", "bulk_created": False, "task": task_row, "project_id": PROJECT_ID,
        "completed_by_id": 1, "updated_by_id": 1, "parent_prediction_id": None,
        "parent_annotation_id": None, "last_created_by_id": None,
    }
    row.update(extra)
    return row


labelled = dict(tasks[0], is_labeled=True, total_annotations=1, updated_at="2026-11-26T09:31:44.190512+00:00")
label = {
    "id": 5, "links": [9], "created_at": "2026-11-26T09:20:00+00:00", "updated_at": "2026-11-26T09:20:00+00:00",
    "value": {"choices": ["Positive"]}, "title": "Positive", "description": None, "approved": True,
    "created_by_id": 1, "approved_by_id": 1, "organization_id": ORG, "projects": [PROJECT_ID],
}
link = {"id": 9, "from_name": "sentiment", "project_id": PROJECT_ID, "label": label}


def webhooks(action):
    return [
        {"id": 1, "organization": ORG, "project": PROJECT_ID, "url": "https://ml.example.com/label-studio/hook",
         "send_payload": True, "send_for_all_actions": True, "headers": {"Authorization": "Bearer sample-token"},
         "is_active": True, "actions": []},
        {"id": 2, "organization": ORG, "project": None, "url": "https://audit.example.org/events",
         "send_payload": True, "send_for_all_actions": False, "headers": {"X-Source": "label-studio"},
         "is_active": True, "actions": [action]},
        {"id": 3, "organization": ORG, "project": PROJECT_ID, "url": "https://ping.example.net/notify",
         "send_payload": False, "send_for_all_actions": True, "headers": {}, "is_active": True, "actions": []},
        {"id": 4, "organization": ORG, "project": None, "url": "https://old.example.com/hook",
         "send_payload": True, "send_for_all_actions": True, "headers": {}, "is_active": False, "actions": []},
    ]


EVENTS = {
    "PROJECT_CREATED": {"project": None, "instance": project},
    "PROJECT_UPDATED": {"project": project, "instance": project},
    "PROJECT_DELETED": {"project": None, "instance": {"id": PROJECT_ID}},
    "TASKS_CREATED": {"project": project, "instance": tasks},
    "TASKS_DELETED": {"project": project, "instance": [{"id": 42}, {"id": 43}]},
    "ANNOTATION_CREATED": {"project": project, "instance": annotation(17, labelled)},
    "ANNOTATIONS_CREATED": {"project": project, "instance": [
        annotation(18, dict(tasks[1], is_labeled=True, total_annotations=1, total_predictions=1), lead_time=None, parent_prediction_id=4, last_action="imported", result=[dict(result[0], value={"choices": ["Negative"]})]),
        annotation(19, dict(tasks[2], is_labeled=True, total_annotations=1, total_predictions=1), lead_time=None, parent_prediction_id=5, last_action="imported"),
    ]},
    "ANNOTATION_UPDATED": {"project": project, "instance": annotation(17, labelled, lead_time=31.5, updated_at="2026-11-26T09:35:10.774100+00:00", last_action="updated")},
    "ANNOTATIONS_DELETED": {"project": project, "instance": [{"id": 17}]},
    "LABEL_LINK_CREATED": {"project": project, "instance": [dict(link, label_id=5, label=5)]},
    "LABEL_LINK_UPDATED": {"project": project, "instance": link},
    "LABEL_LINK_DELETED": {"project": project, "instance": {"id": 9}},
}


def main():
    out = os.path.join(HERE, "events")
    os.makedirs(out, exist_ok=True)
    for action, parts in EVENTS.items():
        event = {"action": action, "organization": ORG, **parts, "webhooks": webhooks(action)}
        with open(os.path.join(out, f"{action}.json"), "w", encoding="utf-8") as f:
            json.dump(event, f, indent=2, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
