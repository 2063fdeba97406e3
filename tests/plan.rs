//! The whole pipeline, natively: event text in, deliveries out.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use ls_webhooks::{build_deliveries, build_deliveries_bytes, ErrorCode, Plan, SkipReason};

fn sample(action: &str) -> String {
    std::fs::read_to_string(format!("{}/samples/events/{action}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn plan(event: &str) -> Plan {
    build_deliveries(event).unwrap_or_else(|e| panic!("{e}"))
}

fn err(event: &str) -> ls_webhooks::Error {
    build_deliveries(event).expect_err("expected an error")
}

/// Top-level keys of a body, in order.
fn keys(body: &str) -> Vec<String> {
    common::ordered_entries(body).into_iter().map(|(k, _)| k).collect()
}

const HOOKS: &str = r#"[
  {"id": 1, "organization": 1, "project": 12, "url": "https://a.example/1", "send_payload": true,
   "send_for_all_actions": true, "headers": {}, "is_active": true, "actions": []},
  {"id": 2, "organization": 1, "project": null, "url": "https://b.example/2", "send_payload": true,
   "send_for_all_actions": true, "headers": {"X-Key": "k"}, "is_active": true, "actions": []},
  {"id": 3, "organization": 1, "project": 12, "url": "https://c.example/3", "send_payload": false,
   "send_for_all_actions": true, "headers": {}, "is_active": true, "actions": []}
]"#;

fn ids_event(action: &str, n: usize, extra: &str) -> String {
    let rows: Vec<String> = (1..=n).map(|i| format!("{{\"id\": {i}}}")).collect();
    format!(
        r#"{{"action": "{action}", "organization": 1, "project": {project}, "instance": [{}], "webhooks": {HOOKS}{extra}}}"#,
        rows.join(", "),
        project = PROJECT
    )
}

const PROJECT: &str = r##"{"id": 12, "task_number": 1, "finished_task_number": 0, "total_predictions_number": 0,
  "total_annotations_number": 0, "num_tasks_with_annotations": 0, "useful_annotation_number": 0,
  "ground_truth_number": 0, "skipped_annotations_number": 0, "title": "P", "description": "", "label_config": "<View></View>",
  "parsed_label_config": {}, "label_config_hash": 9007199254740993, "expert_instruction": "", "show_instruction": false,
  "show_skip_button": true, "enable_empty_annotation": true, "reveal_preannotations_interactively": false,
  "show_annotation_history": false, "show_collab_predictions": true, "evaluate_predictions_automatically": false,
  "token": "t", "result_count": 0, "color": "#FFFFFF", "maximum_annotations": 1, "min_annotations_to_start_training": 0,
  "control_weights": {}, "model_version": "", "data_types": {"text": "Text", "image": "Image"}, "is_draft": false,
  "is_published": false, "created_at": "2026-11-26T10:00:00+02:00", "updated_at": "2026-11-26T08:00:00.000001Z",
  "sampling": "Sequential sampling", "skip_queue": "REQUEUE_FOR_OTHERS", "show_ground_truth_first": false,
  "annotator_evaluation_enabled": false, "show_overlap_first": false, "overlap_cohort_percentage": 100,
  "task_data_login": null, "task_data_password": null, "pinned_at": null, "custom_task_lock_ttl": null,
  "deleted_at": null, "purge_at": null, "search_vector": null, "organization_id": 1, "created_by_id": 1, "deleted_by_id": null}"##;

const PROJECT_RENDERED: &str = r##"{"id": 12, "task_number": 1, "finished_task_number": 0, "total_predictions_number": 0, "total_annotations_number": 0, "num_tasks_with_annotations": 0, "useful_annotation_number": 0, "ground_truth_number": 0, "skipped_annotations_number": 0, "title": "P", "description": "", "label_config": "<View></View>", "parsed_label_config": {}, "label_config_hash": 9007199254740993, "expert_instruction": "", "show_instruction": false, "show_skip_button": true, "enable_empty_annotation": true, "reveal_preannotations_interactively": false, "show_annotation_history": false, "show_collab_predictions": true, "evaluate_predictions_automatically": false, "token": "t", "result_count": 0, "color": "#FFFFFF", "maximum_annotations": 1, "min_annotations_to_start_training": 0, "control_weights": {}, "model_version": "", "data_types": {"text": "Text", "image": "Image"}, "is_draft": false, "is_published": false, "created_at": "2026-11-26T08:00:00Z", "updated_at": "2026-11-26T08:00:00.000001Z", "sampling": "Sequential sampling", "skip_queue": "REQUEUE_FOR_OTHERS", "show_ground_truth_first": false, "annotator_evaluation_enabled": false, "show_overlap_first": false, "overlap_cohort_percentage": 100, "task_data_login": null, "task_data_password": null, "pinned_at": null, "custom_task_lock_ttl": null, "deleted_at": null, "purge_at": null, "search_vector": null, "organization": 1, "created_by": 1, "deleted_by": null}"##;

fn task(id: u64, data: &str) -> String {
    format!(
        r#"{{"id": {id}, "data": {data}, "meta": null, "created_at": "2026-11-26T23:17:32.937907+00:00",
        "updated_at": "2026-11-27T01:17:32+02:00", "is_labeled": false, "allow_skip": null, "overlap": 1,
        "inner_id": {id}, "total_annotations": 0, "cancelled_annotations": 0, "total_predictions": 0,
        "precomputed_agreement": 0, "comment_count": 0, "unresolved_comment_count": 0,
        "last_comment_updated_at": null, "project": 12, "updated_by": null, "file_upload": null, "comment_authors": []}}"#
    )
}

fn task_rendered(id: u64, data: &str) -> String {
    format!(
        r#"{{"id": {id}, "data": {data}, "meta": null, "created_at": "2026-11-26T23:17:32.937907Z", "updated_at": "2026-11-26T23:17:32Z", "is_labeled": false, "allow_skip": null, "overlap": 1, "inner_id": {id}, "total_annotations": 0, "cancelled_annotations": 0, "total_predictions": 0, "precomputed_agreement": 0.0, "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": null, "project": 12, "updated_by": null, "file_upload": null, "comment_authors": []}}"#
    )
}

#[test]
fn every_action_of_the_samples() {
    for a in ls_webhooks::ACTIONS.iter() {
        let p = plan(&sample(a.action));
        assert_eq!(p.action, a.action);
        // Hook 4 is inactive; project hooks 1 and 3 only hear project events;
        // organization hook 2 is subscribed to exactly this action.
        let want_targets: Vec<i64> = if a.organization_only { vec![2] } else { vec![1, 2, 3] };
        assert_eq!(p.targets, want_targets, "{}", a.action);
        assert_eq!(p.deliveries.len(), want_targets.len(), "{}", a.action);
        for d in &p.deliveries {
            let body_keys = keys(&d.body);
            if d.webhook_id == 3 {
                assert_eq!(&*d.body, format!(r#"{{"action": "{}"}}"#, a.action));
                continue;
            }
            let mut want = vec!["action".to_string(), a.key.to_string()];
            if !a.organization_only && a.key != "project" {
                want.push("project".into());
            }
            want.extend(a.nested_fields.iter().map(|n| n.key.to_string()));
            assert_eq!(body_keys, want, "{}", a.action);
            assert!(d.body.is_ascii());
        }
    }
}

#[test]
fn task_payload_exact_bytes() {
    let data = r#"{"text": "caf\u00e9 😀 \"q\" \\ / \u2028", "n": 1.0, "big": 8755930484223552274, "f": 1e16, "z": -0.0, "s": 1e-7}"#;
    let event = format!(
        r#"{{"action": "TASKS_CREATED", "organization": 1, "project": {PROJECT}, "instance": [{}], "webhooks": {HOOKS}}}"#,
        task(5, data)
    );
    let p = plan(&event);
    let data_rendered = r#"{"text": "caf\u00e9 \ud83d\ude00 \"q\" \\ / \u2028", "n": 1.0, "big": 8755930484223552274, "f": 1e+16, "z": -0.0, "s": 1e-07}"#;
    let want = format!(
        r#"{{"action": "TASKS_CREATED", "tasks": [{}], "project": {PROJECT_RENDERED}}}"#,
        task_rendered(5, data_rendered)
    );
    assert_eq!(&*p.deliveries[0].body, want);
    assert_eq!(p.deliveries[0].headers, vec![("Content-Type".to_string(), "application/json".to_string())]);
    assert_eq!(
        p.deliveries[1].headers,
        vec![("X-Key".to_string(), "k".to_string()), ("Content-Type".to_string(), "application/json".to_string())]
    );
    // Same body object for both payload targets: built once.
    assert!(p.deliveries[0].body.shares(&p.deliveries[1].body));
    assert_eq!(&*p.deliveries[2].body, r#"{"action": "TASKS_CREATED"}"#);
    // Bytes in, same plan out.
    assert_eq!(build_deliveries_bytes(event.as_bytes()).unwrap(), p);
}

#[test]
fn batching_edges() {
    let count = |p: &Plan| p.deliveries.iter().map(|d| d.batch).collect::<Vec<_>>();
    let p = plan(&ids_event("TASKS_DELETED", 5000, ""));
    assert_eq!(count(&p), vec![0, 0, 0]);
    assert_eq!(keys(&p.deliveries[0].body), vec!["action", "tasks", "project"]);
    let p = plan(&ids_event("TASKS_DELETED", 5001, ""));
    assert_eq!(count(&p), vec![0, 0, 0, 1, 1, 1]);
    assert!(p.deliveries[3].body.starts_with(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 5001}], "project": {"id": 12, "#));
    let first = &p.deliveries[0].body;
    assert!(first.contains(r#"{"id": 5000}], "project""#) && !first.contains("5001"));
    // Empty list: nothing at all. Targets are still the matching webhooks.
    let p = plan(&ids_event("TASKS_DELETED", 0, ""));
    assert!(p.deliveries.is_empty());
    assert_eq!(p.targets, vec![1, 2, 3]);
    // Small batch size: batch by batch, targets in order.
    let p = plan(&ids_event("ANNOTATIONS_DELETED", 5, r#", "options": {"batchSize": 2}"#));
    assert_eq!(count(&p), vec![0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert_eq!(p.deliveries.iter().map(|d| d.webhook_id).collect::<Vec<_>>(), vec![1, 2, 3, 1, 2, 3, 1, 2, 3]);
    assert!(p.deliveries[6].body.starts_with(r#"{"action": "ANNOTATIONS_DELETED", "annotations": [{"id": 5}], "project""#));
    // No instance at all: the action alone, to everyone.
    let p = plan(&format!(r#"{{"action": "TASKS_CREATED", "organization": 1, "project": {PROJECT}, "webhooks": {HOOKS}}}"#));
    assert_eq!(p.deliveries.len(), 3);
    assert!(p.deliveries.iter().all(|d| &*d.body == r#"{"action": "TASKS_CREATED"}"#));
}

#[test]
fn organization_vs_project_webhooks_and_filters() {
    // No project (e.g. all tasks of a project deleted): organization webhooks only, no project key.
    let p = plan(&format!(r#"{{"action": "TASKS_DELETED", "organization": 1, "instance": [{{"id": 1}}], "webhooks": {HOOKS}}}"#));
    assert_eq!(p.targets, vec![2]);
    assert_eq!(&*p.deliveries[0].body, r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1}]}"#);
    // Another project: only the organization webhook.
    let other = PROJECT.replacen(r#""id": 12"#, r#""id": 13"#, 1);
    let p = plan(&format!(r#"{{"action": "TASKS_DELETED", "organization": 1, "project": {other}, "instance": [{{"id": 1}}], "webhooks": {HOOKS}}}"#));
    assert_eq!(p.targets, vec![2]);
    // Another organization: nobody, and nothing is rendered.
    let p = plan(&format!(r#"{{"action": "TASKS_DELETED", "organization": 2, "instance": [{{"bad": 1}}], "webhooks": {HOOKS}}}"#));
    assert!(p.targets.is_empty() && p.deliveries.is_empty());
    // Filtered and inactive webhooks.
    let hooks = r#"[{"id": 7, "organization": 1, "project": null, "url": "https://x.example", "send_for_all_actions": false, "actions": ["TASKS_DELETED"]},
                    {"id": 8, "organization": 1, "project": null, "url": "https://y.example", "send_for_all_actions": false, "actions": ["TASKS_CREATED"]},
                    {"id": 9, "organization": 1, "project": null, "url": "https://z.example", "is_active": false}]"#;
    let p = plan(&format!(r#"{{"action": "TASKS_DELETED", "organization": 1, "instance": [1, 2], "webhooks": {hooks}}}"#));
    assert_eq!(p.targets, vec![7]);
    assert_eq!(&*p.deliveries[0].body, r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1}, {"id": 2}]}"#);
}

#[test]
fn send_payload_false_everywhere_serializes_nothing() {
    let hooks = r#"[{"id": 1, "organization": 1, "url": "https://x.example", "send_payload": false}]"#;
    // The row is broken, but no target wants a payload, so it is never rendered (as in Label Studio).
    let p = plan(&format!(r#"{{"action": "ANNOTATION_CREATED", "organization": 1, "project": {PROJECT}, "instance": {{"id": 1}}, "webhooks": {hooks}}}"#));
    assert_eq!(&*p.deliveries[0].body, r#"{"action": "ANNOTATION_CREATED"}"#);
}

#[test]
fn rows_are_rendered_even_when_every_payload_target_is_skipped() {
    // As in Label Studio: the payload is serialized before any request is tried.
    let hooks = r#"[{"id": 1, "organization": 1, "url": "ftp://x.example"}]"#;
    let event = |row: &str| format!(r#"{{"action": "PROJECT_DELETED", "organization": 1, "instance": {row}, "webhooks": {hooks}}}"#);
    let p = plan(&event(r#"{"id": 1}"#));
    assert!(p.deliveries.is_empty() && p.skipped.len() == 1);
    assert_eq!(err(&event(r#"{"id": "x"}"#)).path, "instance.id");
}

#[test]
fn custom_payload_emit() {
    let hooks = r#"[{"id": 1, "organization": 1, "url": "https://x.example"}, {"id": 2, "organization": 1, "url": "https://y.example", "send_payload": false}]"#;
    let with = |payload: &str, project: &str| {
        plan(&format!(r#"{{"action": "PROJECT_UPDATED", "organization": 1, "project": {project}, "payload": {payload}, "webhooks": {hooks}}}"#))
    };
    let p = with(r#"{"b": 1.0, "a": [1, {"z": "é"}]}"#, PROJECT);
    assert_eq!(&*p.deliveries[0].body, format!(r#"{{"action": "PROJECT_UPDATED", "b": 1.0, "a": [1, {{"z": "\u00e9"}}], "project": {PROJECT_RENDERED}}}"#));
    assert_eq!(&*p.deliveries[1].body, r#"{"action": "PROJECT_UPDATED"}"#);
    // An existing "project" key is replaced in place; an "action" key replaces the action.
    let p = with(r#"{"project": 1, "x": 2, "action": "custom"}"#, PROJECT);
    assert_eq!(&*p.deliveries[0].body, format!(r#"{{"action": "custom", "project": {PROJECT_RENDERED}, "x": 2}}"#));
    // Without a project: the payload alone; an empty payload: the action alone.
    assert_eq!(&*with(r#"{"x": 2}"#, "null").deliveries[0].body, r#"{"action": "PROJECT_UPDATED", "x": 2}"#);
    assert_eq!(&*with("{}", PROJECT).deliveries[0].body, r#"{"action": "PROJECT_UPDATED"}"#);
}

#[test]
fn undefined_key_moves_to_the_first_data_type() {
    let event = format!(
        r#"{{"action": "TASKS_CREATED", "organization": 1, "project": {PROJECT}, "instance": [{}, {}], "webhooks": {HOOKS}}}"#,
        task(1, r#"{"$undefined$": "plain text", "meta_info": 1}"#),
        task(2, r#"{"text": "kept"}"#)
    );
    let body = plan(&event).deliveries[0].body.clone();
    assert!(body.contains(&task_rendered(1, r#"{"meta_info": 1, "text": "plain text"}"#)), "{}", &*body);
    assert!(body.contains(&task_rendered(2, r#"{"text": "kept"}"#)));
}

#[test]
fn float_and_int_kinds_and_datetimes() {
    let annotation = |lead: &str, created: &str| {
        format!(
            r#"{{"id": 3, "result": [{{"value": {{"x": 1.0, "y": 10}}}}], "was_cancelled": false, "ground_truth": false,
            "created_at": "{created}", "updated_at": "2026-11-26T23:17:32.000000+00:00", "draft_created_at": null,
            "lead_time": {lead}, "prediction": {{}}, "result_count": 1, "unique_id": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            "import_id": null, "last_action": null, "bulk_created": false, "task": {}, "project": 12,
            "completed_by": 1, "updated_by": 1, "parent_prediction": null, "parent_annotation": null, "last_created_by": null}}"#,
            task(9, r#"{"text": "t"}"#)
        )
    };
    let body = |lead: &str, created: &str| {
        let event = format!(
            r#"{{"action": "ANNOTATION_CREATED", "organization": 1, "project": {PROJECT}, "instance": {}, "webhooks": {HOOKS}}}"#,
            annotation(lead, created)
        );
        plan(&event).deliveries[0].body.to_string()
    };
    let b = body("12", "2026-11-26T18:17:32.5-05:00");
    assert!(b.starts_with(r#"{"action": "ANNOTATION_CREATED", "annotation": {"id": 3, "result": [{"value": {"x": 1.0, "y": 10}}], "was_cancelled": false, "ground_truth": false, "created_at": "2026-11-26T23:17:32.500000Z", "updated_at": "2026-11-26T23:17:32Z", "draft_created_at": null, "lead_time": 12.0, "prediction": {}, "result_count": 1, "unique_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "import_id": null, "last_action": null, "bulk_created": false, "task": 9, "project": 12, "completed_by": 1,"#), "{b}");
    assert!(b.ends_with(&format!(r#""project": {PROJECT_RENDERED}, "task": {}}}"#, task_rendered(9, r#"{"text": "t"}"#))));
    assert!(body("12.5", "2026-11-26T23:17:32Z").contains(r#""lead_time": 12.5,"#));
    assert!(body("1e-7", "2026-11-26T23:17:32Z").contains(r#""lead_time": 1e-07,"#));
    assert!(body("null", "2026-11-26T23:17:32Z").contains(r#""lead_time": null,"#));
}

#[test]
fn skipped_targets_do_not_stop_the_others() {
    let hooks = r#"[
      {"id": 1, "organization": 1, "url": "https://ok.example", "headers": {"X-Bad": "a\r\nb"}},
      {"id": 2, "organization": 1, "url": "ftp://files.example"},
      {"id": 3, "organization": 1, "url": "http://10.1.2.3/hook"},
      {"id": 4, "organization": 1, "url": "https://ok.example/4", "headers": {"content-type": "text/plain", "X-A": "1"}}
    ]"#;
    let event = format!(r#"{{"action": "PROJECT_DELETED", "organization": 1, "instance": {{"id": 5}}, "webhooks": {hooks}}}"#);
    let p = plan(&event);
    assert_eq!(p.targets, vec![1, 2, 3, 4]);
    assert_eq!(p.deliveries.len(), 1);
    assert_eq!(p.deliveries[0].webhook_id, 4);
    assert_eq!(p.deliveries[0].headers, vec![("content-type".to_string(), "text/plain".to_string()), ("X-A".to_string(), "1".to_string())]);
    let reasons: Vec<_> = p.skipped.iter().map(|s| (s.webhook_id, s.reason)).collect();
    assert_eq!(reasons, vec![(Some(1), SkipReason::InvalidHeader), (Some(2), SkipReason::InvalidUrl), (Some(3), SkipReason::SsrfBlocked)]);
    // With SSRF protection off (as a capture harness runs it), the private address is sent.
    let p = plan(&event.replacen("\"webhooks\"", "\"options\": {\"ssrfProtection\": false}, \"webhooks\"", 1));
    assert_eq!(p.deliveries.iter().map(|d| d.webhook_id).collect::<Vec<_>>(), vec![3, 4]);
}

#[test]
fn each_error_code_with_its_path() {
    let base = |rest: &str| format!(r#"{{"organization": 1, "webhooks": {HOOKS}, {rest}}}"#);
    let cases: Vec<(String, ErrorCode, &str)> = vec![
        (base(r#""action": "TASK_CREATED""#), ErrorCode::UnknownAction, "action"),
        (base(&format!(r#""action": "PROJECT_CREATED", "project": {PROJECT}, "instance": {PROJECT}"#)), ErrorCode::OrganizationOnlyAction, "project"),
        ("{\"action\": \"TASKS_CREATED\",".to_string(), ErrorCode::InvalidEvent, "action"),
        ("[1]".to_string(), ErrorCode::InvalidEvent, ""),
        (base(r#""action": 5"#), ErrorCode::InvalidEvent, "action"),
        (base(r#""action": "TASKS_DELETED", "instance": [], "payload": {}"#), ErrorCode::InvalidEvent, "payload"),
        (base(r#""action": "TASKS_DELETED", "instance": {"id": 1}"#), ErrorCode::InvalidEvent, "instance"),
        (base(r#""action": "PROJECT_DELETED", "instance": [{"id": 1}]"#), ErrorCode::InvalidEvent, "instance"),
        (base(r#""action": "PROJECT_DELETED", "instances": []"#), ErrorCode::InvalidEvent, "instances"),
        (base(r#""action": "PROJECT_DELETED", "options": {"batchSize": 0}"#), ErrorCode::InvalidEvent, "options.batchSize"),
        (r#"{"action": "PROJECT_DELETED", "organization": 1, "webhooks": {"id": 1}}"#.to_string(), ErrorCode::InvalidEvent, "webhooks"),
        (
            format!(
                r#"{{"action": "TASKS_CREATED", "organization": 1, "project": {PROJECT}, "webhooks": {HOOKS}, "instance": [{}, {}, {}, {}]}}"#,
                task(1, "{}"), task(2, "{}"), task(3, "{}"), task(4, "{}").replace(r#""created_at": "2026-11-26T23:17:32.937907+00:00","#, "")
            ),
            ErrorCode::InvalidRow,
            "instance[3].created_at",
        ),
        (
            format!(r#"{{"action": "ANNOTATIONS_CREATED", "organization": 1, "project": {PROJECT}, "webhooks": {HOOKS}, "instance": [{{"id": 1, "task": 4}}]}}"#),
            ErrorCode::InvalidRow,
            "instance[0].was_cancelled",
        ),
    ];
    for (event, code, path) in cases {
        let e = err(&event);
        assert_eq!((e.code, e.path.as_str()), (code, path), "{e}");
    }
    // A nested field given only as an id.
    let ann = sample("ANNOTATION_CREATED").replace(r#""task": {"#, r#""task": 41, "x": {"#);
    let e = err(&ann);
    assert_eq!((e.code, e.path.as_str()), (ErrorCode::InvalidRow, "instance.task"), "{e}");
    // Not UTF-8.
    assert_eq!(build_deliveries_bytes(b"{\"action\": \"\xff\"}").unwrap_err().code, ErrorCode::InvalidEvent);
}

#[test]
fn warnings_say_what_a_missing_part_does() {
    let hook = r#"[{"id": 1, "organization": 1, "url": "https://a.example/"}]"#;
    let codes = |event: String| plan(&event).warnings.iter().map(|w| w.code).collect::<Vec<_>>();
    assert_eq!(codes(format!(r#"{{"action": "TASKS_CREATED", "organization": 1, "webhooks": {hook}}}"#)), vec!["NO_INSTANCE", "NO_PROJECT"]);
    assert_eq!(codes(format!(r#"{{"action": "TASKS_DELETED", "organization": 1, "instance": [], "webhooks": {hook}}}"#)), vec!["EMPTY_INSTANCE", "NO_PROJECT"]);
    assert_eq!(codes(format!(r#"{{"action": "PROJECT_DELETED", "organization": 1, "instance": {{"id": 1}}, "webhooks": {hook}}}"#)), Vec::<&str>::new());
    let p = plan(&format!(r#"{{"action": "TASKS_DELETED", "organization": 1, "webhooks": {hook}}}"#));
    assert_eq!(&*p.deliveries[0].body, r#"{"action": "TASKS_DELETED"}"#);
    assert!(p.warnings[0].message.contains(r#"{"action": "TASKS_DELETED"} alone"#), "{}", p.warnings[0].message);
}
