//! The bad-input table of docs/bad-input.md, natively: each row's input, its
//! code and path, and what comes back. Rows marked JS in the table are tested
//! in tests/node/bad-input.test.mjs; `every_row_of_the_table_is_tested`
//! checks that the table and the two test files name the same rows.
#![cfg(not(target_arch = "wasm32"))]

use ls_webhooks::{build_deliveries, build_deliveries_bytes, Batches, ErrorCode, SkipReason};

const TASK: &str = r#"{"id": 41, "data": {"text": "warm \ud83e\udd50"}, "meta": {}, "created_at": "2026-11-26T09:15:00.000000+00:00", "updated_at": "2026-11-26T09:15:00+00:00", "is_labeled": false, "allow_skip": true, "overlap": 1, "inner_id": 1, "total_annotations": 0, "cancelled_annotations": 0, "total_predictions": 0, "precomputed_agreement": null, "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": null, "project_id": 12, "updated_by_id": null, "file_upload_id": 3, "comment_authors": []}"#;

const ANNOTATION: &str = r#"{"id": 17, "result": [{"id": "r1", "type": "choices", "value": {"choices": ["Positive"]}}], "was_cancelled": false, "ground_truth": false, "created_at": "2026-11-26T09:31:44.021337+00:00", "updated_at": "2026-11-26T09:31:44.021337+00:00", "draft_created_at": null, "lead_time": 12.0, "prediction": {}, "result_count": 1, "unique_id": "2f9a9d52-1f63-4a4e-a2bb-8e3e3a0b6c1d", "import_id": null, "last_action": "submitted", "bulk_created": false, "task": TASK_ROW, "project_id": 12, "completed_by_id": 1, "updated_by_id": 1, "parent_prediction_id": null, "parent_annotation_id": null, "last_created_by_id": null}"#;

/// Organization webhooks: 1 and 4 fine, 2 with a CR/LF header value, 3 not http.
const HOOKS: &str = r#"[
  {"id": 1, "organization": 1, "project": null, "url": "https://a.example/hook", "send_payload": true, "send_for_all_actions": true, "headers": {"X-Key": "k"}, "is_active": true, "actions": []},
  {"id": 2, "organization": 1, "project": null, "url": "https://b.example/hook", "send_payload": true, "send_for_all_actions": true, "headers": {"X-Ok": "fine", "X-Bad": "a\r\nInjected: 1"}, "is_active": true, "actions": []},
  {"id": 3, "organization": 1, "project": null, "url": "ftp://c.example/hook", "send_payload": true, "send_for_all_actions": true, "headers": {}, "is_active": true, "actions": []},
  {"id": 4, "organization": 1, "project": null, "url": "http://d.example:8080/x", "send_payload": false, "send_for_all_actions": true, "headers": {}, "is_active": true, "actions": []}
]"#;

fn tasks(n: usize) -> String {
    let rows: Vec<String> = (0..n).map(|i| TASK.replace("\"id\": 41", &format!("\"id\": {}", 41 + i))).collect();
    format!("[{}]", rows.join(", "))
}

fn event(action: &str, instance: &str) -> String {
    format!(r#"{{"action": "{action}", "organization": 1, "instance": {instance}, "webhooks": {HOOKS}}}"#)
}

fn good() -> String {
    event("TASKS_CREATED", &tasks(4))
}

fn annotation(task: &str) -> String {
    ANNOTATION.replace("TASK_ROW", task)
}

/// Checks that `text` fails with `code` at `path`, both ways (whole plan and
/// batch by batch) and through the bytes entry point; returns the message.
#[track_caller]
fn fails(text: &str, code: ErrorCode, path: &str) -> String {
    let e = build_deliveries(text).expect_err("expected an error, got a plan");
    assert_eq!((e.code, e.path.as_str()), (code, path), "{e}");
    assert!(!e.message.is_empty());
    assert_eq!(build_deliveries_bytes(text.as_bytes()).unwrap_err(), e);
    // Batch by batch: the error comes from new() or from the batch holding the row,
    // and nothing follows it.
    match Batches::new(text.to_string()) {
        Err(b) => assert_eq!(b, e),
        Ok(mut batches) => {
            let b = loop {
                match batches.next() {
                    Some(Ok(_)) => continue,
                    Some(Err(b)) => break b,
                    None => panic!("Batches gave every batch where build failed with {e}"),
                }
            };
            assert_eq!(b, e);
            assert!(batches.next().is_none(), "a batch after the error");
        }
    }
    e.message
}

#[test]
fn b00_the_base_event_is_good() {
    let plan = build_deliveries(&good()).unwrap();
    assert_eq!(plan.targets, vec![1, 2, 3, 4]);
    assert_eq!(plan.deliveries.iter().map(|d| d.webhook_id).collect::<Vec<_>>(), vec![1, 4]);
}

#[test]
fn b01_malformed_json() {
    let text = good();
    let cut = &text[..text.find("\"created_at\"").unwrap()];
    // The path is the last value read before the text ended.
    let m = fails(cut, ErrorCode::InvalidEvent, "instance[0].meta");
    assert!(m.starts_with("malformed JSON") && m.contains("line 1 column"), "{m}");
    let m = fails(&text.replace("\"organization\": 1,", "\"organization\": 1,,"), ErrorCode::InvalidEvent, "organization");
    assert!(m.starts_with("malformed JSON"), "{m}");
    // Where, as fields: no caller reads it back out of the message.
    let e = build_deliveries("{\n  \"action\": \"TASKS_CREATED\",\n  \"organization\": 1,,\n}").unwrap_err();
    assert_eq!(e.location, Some(ls_webhooks::error::Location { offset: 51, line: 3, column: 21 }), "{e}");
    assert!(e.message.ends_with("at line 3 column 21 (byte 51)"), "{e}");
    assert_eq!(build_deliveries("{\"action\": 1}").unwrap_err().location, None);
    fails("{'action': 'TASKS_CREATED'}", ErrorCode::InvalidEvent, "");
    fails(&format!("{text} x"), ErrorCode::InvalidEvent, "");
    fails("", ErrorCode::InvalidEvent, "");
    // Raw control characters inside a string are not JSON.
    fails(&text.replace("warm ", "warm\u{1}"), ErrorCode::InvalidEvent, "instance[0].data.text");
}

#[test]
fn b21_a_byte_order_mark_is_skipped_and_offsets_stay_the_inputs() {
    let text = format!("\u{feff}{}", good());
    assert_eq!(build_deliveries(&text).unwrap(), build_deliveries(&good()).unwrap());
    assert_eq!(build_deliveries_bytes(text.as_bytes()).unwrap(), build_deliveries(&good()).unwrap());
    let e = build_deliveries("\u{feff}{\"action\": ,}").unwrap_err();
    assert_eq!(e.location.map(|l| l.offset), Some(14)); // counted from the start of the input, BOM included
    // CPython's json.loads refuses it; so does the writer that mirrors it.
    assert!(ls_webhooks::python_json_dumps("\u{feff}{}").is_err());
}

#[test]
fn b02_not_utf8() {
    let mut bytes = good().into_bytes();
    let at = bytes.iter().position(|&b| b == b'w').unwrap();
    bytes[at] = 0xff;
    let e = build_deliveries_bytes(&bytes).unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (ErrorCode::InvalidEvent, ""));
    assert!(e.message.contains("not valid UTF-8"), "{e}");
    // Where, as fields (as for malformed JSON), so no caller re-checks the bytes.
    let loc = e.location.expect("a location");
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = std::str::from_utf8(&before[before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..]).unwrap().chars().count() + 1;
    assert_eq!((loc.offset, loc.line, loc.column), (at, line, column));
}

#[test]
fn b03_nan_and_infinity_literals_in_json_text() {
    let text = good();
    for lit in ["NaN", "Infinity", "-Infinity"] {
        let m = fails(&text.replacen("\"text\": \"warm \\ud83e\\udd50\"", &format!("\"x\": {lit}"), 1), ErrorCode::InvalidEvent, "instance[0].data.x");
        assert!(m.starts_with("malformed JSON"), "{m}");
    }
    // A number past the float range is valid JSON, but CPython's json.dumps(allow_nan=False) refuses the inf it reads.
    fails(&text.replacen("\"text\": \"warm \\ud83e\\udd50\"", "\"x\": 1e999", 1), ErrorCode::InvalidRow, "instance[0].data");
    fails(&text.replacen("\"precomputed_agreement\": null", "\"precomputed_agreement\": -1e400", 1), ErrorCode::InvalidRow, "instance[0].precomputed_agreement");
}

#[test]
fn b04_nested_too_deeply() {
    let deep = "[".repeat(1000) + &"]".repeat(1000);
    let m = fails(&good().replacen("{\"text\": \"warm \\ud83e\\udd50\"}", &deep, 1), ErrorCode::InvalidEvent, &format!("instance[0].data{}", "[0]".repeat(997)));
    assert!(m.contains("nesting deeper than 1000"), "{m}");
    // Just within the limit it builds.
    let ok = "[".repeat(997) + &"]".repeat(997);
    build_deliveries(&good().replacen("{\"text\": \"warm \\ud83e\\udd50\"}", &ok, 1)).unwrap();
}

#[test]
fn b05_wrong_top_level_types() {
    for text in ["[]", "\"TASKS_CREATED\"", "null", "42", "true"] {
        let m = fails(text, ErrorCode::InvalidEvent, "");
        assert_eq!(m, "the event must be a JSON object");
    }
    let text = good();
    fails(&text.replace("\"organization\": 1,", "\"organization\": \"1\","), ErrorCode::InvalidEvent, "organization");
    fails(&text.replace("\"organization\": 1,", "\"organization\": 1.5,"), ErrorCode::InvalidEvent, "organization");
    fails(&text.replace("\"organization\": 1,", "\"organization\": 99999999999999999999,"), ErrorCode::InvalidEvent, "organization");
    fails(&text.replace("\"organization\": 1,", ""), ErrorCode::InvalidEvent, "organization");
    fails(&text.replace("\"action\": \"TASKS_CREATED\"", "\"action\": 4"), ErrorCode::InvalidEvent, "action");
    fails(&text.replace("\"action\": \"TASKS_CREATED\", ", ""), ErrorCode::InvalidEvent, "action");
    fails(&event("TASKS_CREATED", "[]").replace(HOOKS, "{}"), ErrorCode::InvalidEvent, "webhooks");
    fails(&format!("{}, \"options\": []}}", &text[..text.len() - 1]), ErrorCode::InvalidEvent, "options");
    fails(&format!("{}, \"options\": {{\"batchSize\": 0}}}}", &text[..text.len() - 1]), ErrorCode::InvalidEvent, "options.batchSize");
    fails(&format!("{}, \"options\": {{\"batchsize\": 5}}}}", &text[..text.len() - 1]), ErrorCode::InvalidEvent, "options.batchsize");
    fails(&format!("{}, \"instances\": []}}", &text[..text.len() - 1]), ErrorCode::InvalidEvent, "instances");
    fails(&format!("{}, \"project\": 12}}", &text[..text.len() - 1]), ErrorCode::InvalidEvent, "project");
    fails(&format!("{}, \"project\": {{\"title\": \"P\"}}}}", &text[..text.len() - 1]), ErrorCode::InvalidRow, "project.id");
}

#[test]
fn b06_unknown_action() {
    let m = fails(&event("TASK_CREATED", "[]"), ErrorCode::UnknownAction, "action");
    assert!(m.contains("TASKS_CREATED"), "the message lists the actions: {m}");
    fails(&event("tasks_created", "[]"), ErrorCode::UnknownAction, "action");
}

#[test]
fn b07_organization_only_action_with_a_project() {
    let text = format!(r#"{{"action": "PROJECT_CREATED", "organization": 1, "project": {{"id": 12}}, "instance": {{"id": 12}}, "webhooks": {HOOKS}}}"#);
    let m = fails(&text, ErrorCode::OrganizationOnlyAction, "project");
    assert!(m.contains("There is no project webhooks for organization-only action"), "{m}");
    // PROJECT_DELETED too; a null project is no project.
    fails(&text.replace("PROJECT_CREATED", "PROJECT_DELETED"), ErrorCode::OrganizationOnlyAction, "project");
    build_deliveries(&text.replace("\"project\": {\"id\": 12}", "\"project\": null").replace("PROJECT_CREATED", "PROJECT_DELETED")).unwrap();
}

#[test]
fn b08_instance_and_payload_both_given() {
    let text = good();
    fails(&format!("{}, \"payload\": {{\"a\": 1}}}}", &text[..text.len() - 1]), ErrorCode::InvalidEvent, "payload");
    fails(&event("TASKS_CREATED", "null").replace("\"instance\": null", "\"payload\": [1]"), ErrorCode::InvalidEvent, "payload");
}

#[test]
fn b09_list_and_row_mixed_up() {
    let m = fails(&event("TASKS_CREATED", TASK), ErrorCode::InvalidEvent, "instance");
    assert!(m.contains("must be a list of rows"), "{m}");
    fails(&event("TASKS_DELETED", "41"), ErrorCode::InvalidEvent, "instance");
    let m = fails(&event("ANNOTATION_CREATED", &format!("[{}]", annotation(TASK))), ErrorCode::InvalidEvent, "instance");
    assert!(m.contains("not a list"), "{m}");
}

#[test]
fn b10_a_row_missing_a_field() {
    let rows = tasks(4);
    let fourth = rows.rfind("\"created_at\": \"2026-11-26T09:15:00.000000+00:00\", ").unwrap();
    let mut text = rows.clone();
    text.replace_range(fourth..fourth + "\"created_at\": \"2026-11-26T09:15:00.000000+00:00\", ".len(), "");
    let m = fails(&event("TASKS_CREATED", &text), ErrorCode::InvalidRow, "instance[3].created_at");
    assert!(m.contains("TaskWebhookSerializer"), "{m}");
    assert!(!m.contains("also lacks"), "{m}");
    // Every missing field of the row is named at once; the path is the first one's.
    let m = fails(&event("TASKS_CREATED", r#"[{"id": 1, "data": {}, "meta": {}}]"#), ErrorCode::InvalidRow, "instance[0].created_at");
    assert!(m.ends_with(r#"the row also lacks "updated_at", "is_labeled", "overlap", "total_annotations", "cancelled_annotations", "total_predictions", "comment_count", "unresolved_comment_count", "comment_authors""#), "{m}");
    // A nullable field may be left out (it renders null).
    build_deliveries(&event("TASKS_CREATED", &rows.replace("\"last_comment_updated_at\": null, ", ""))).unwrap();
    // Row that is not an object.
    fails(&event("TASKS_CREATED", "[\"task\"]"), ErrorCode::InvalidRow, "instance[0]");
    fails(&event("TASKS_DELETED", "[{\"pk\": 1}]"), ErrorCode::InvalidRow, "instance[0].id");
}

#[test]
fn b11_a_field_of_the_wrong_kind() {
    let with = |from: &str, to: &str| event("TASKS_CREATED", &tasks(1).replace(from, to));
    let m = fails(&with("\"created_at\": \"2026-11-26T09:15:00.000000+00:00\"", "\"created_at\": \"yesterday\""), ErrorCode::InvalidRow, "instance[0].created_at");
    assert!(m.contains("not an ISO 8601 datetime"), "{m}");
    fails(&with("\"created_at\": \"2026-11-26T09:15:00.000000+00:00\"", "\"created_at\": \"2026-02-30T10:00:00Z\""), ErrorCode::InvalidRow, "instance[0].created_at");
    fails(&with("\"created_at\": \"2026-11-26T09:15:00.000000+00:00\"", "\"created_at\": 1764148500"), ErrorCode::InvalidRow, "instance[0].created_at");
    let m = fails(&with("\"overlap\": 1", "\"overlap\": 1.5"), ErrorCode::InvalidRow, "instance[0].overlap");
    assert!(m.contains("float 1.5"), "{m}");
    fails(&with("\"overlap\": 1", "\"overlap\": 1.0"), ErrorCode::InvalidRow, "instance[0].overlap");
    fails(&with("\"overlap\": 1", "\"overlap\": \"one\""), ErrorCode::InvalidRow, "instance[0].overlap");
    fails(&with("\"overlap\": 1", "\"overlap\": \"1_000\""), ErrorCode::InvalidRow, "instance[0].overlap");
    // An int that went through a JS number past 2^53: the error says how to keep it exact.
    let m = fails(&with("\"overlap\": 1", "\"overlap\": 8.755930484223553e+18"), ErrorCode::InvalidRow, "instance[0].overlap");
    assert!(m.contains("BigInt or a decimal string"), "{m}");
    fails(&with("\"is_labeled\": false", "\"is_labeled\": 0"), ErrorCode::InvalidRow, "instance[0].is_labeled");
    fails(&with("\"comment_authors\": []", "\"comment_authors\": [1, \"two\"]"), ErrorCode::InvalidRow, "instance[0].comment_authors[1]");
    fails(&with("\"file_upload_id\": 3", "\"file_upload_id\": {\"name\": \"f\"}"), ErrorCode::InvalidRow, "instance[0].file_upload.id");
    // A decimal string is an int, exactly (DRF renders int(value); node-postgres gives int8 as text).
    let plan = build_deliveries(&with("\"overlap\": 1", "\"overlap\": \"0008755930484223553000\"").replace("\"comment_authors\": []", "\"comment_authors\": [1, \"2\"]")).unwrap();
    assert!(plan.deliveries[0].body.contains("\"overlap\": 8755930484223553000,"), "{}", &*plan.deliveries[0].body);
    assert!(plan.deliveries[0].body.contains("\"comment_authors\": [1, 2]"));
    // An int field takes ints of any size; a float field takes an int.
    build_deliveries(&with("\"overlap\": 1", "\"overlap\": 123456789012345678901234567890")).unwrap();
    build_deliveries(&with("\"precomputed_agreement\": null", "\"precomputed_agreement\": 1")).unwrap();
    // CPython's 4300-digit limit on ints.
    let m = fails(&with("\"overlap\": 1", &format!("\"overlap\": {}", "9".repeat(4301))), ErrorCode::InvalidRow, "instance[0].overlap");
    assert!(m.contains("4300"), "{m}");
    let one = annotation(TASK);
    fails(&event("ANNOTATION_CREATED", &one.replace("\"2f9a9d52-1f63-4a4e-a2bb-8e3e3a0b6c1d\"", "\"not-a-uuid\"")), ErrorCode::InvalidRow, "instance.unique_id");
}

#[test]
fn b12_a_nested_field_given_only_an_id() {
    let m = fails(&event("ANNOTATION_CREATED", &annotation("41")), ErrorCode::InvalidRow, "instance.task");
    assert!(m.contains("full row"), "{m}");
    let many = format!("[{}, {}]", annotation(TASK), annotation("{\"id\": 41}"));
    // ANNOTATIONS_CREATED: the second annotation's task has only an id: its task row is incomplete.
    fails(&event("ANNOTATIONS_CREATED", &many), ErrorCode::InvalidRow, "instance[1].task.data");
    let many = format!("[{}, {}]", annotation(TASK), annotation("41"));
    fails(&event("ANNOTATIONS_CREATED", &many), ErrorCode::InvalidRow, "instance[1].task");
    let link = r#"{"id": 4, "from_name": "label", "project_id": 12, "label": 9}"#;
    fails(&event("LABEL_LINK_UPDATED", link), ErrorCode::InvalidRow, "instance.label");
    // The same annotation with its task row builds.
    build_deliveries(&event("ANNOTATION_CREATED", &annotation(TASK))).unwrap();
}

#[test]
fn b13_header_with_cr_lf_and_b14_non_http_url_are_skipped_the_others_delivered() {
    let plan = build_deliveries(&good()).unwrap();
    assert_eq!(plan.targets, vec![1, 2, 3, 4]);
    let skipped: Vec<(Option<i64>, SkipReason)> = plan.skipped.iter().map(|s| (s.webhook_id, s.reason)).collect();
    assert_eq!(skipped, vec![(Some(2), SkipReason::InvalidHeader), (Some(3), SkipReason::InvalidUrl)]);
    assert!(plan.skipped[0].message.contains("X-Bad"), "{}", plan.skipped[0].message);
    let delivered: Vec<i64> = plan.deliveries.iter().map(|d| d.webhook_id).collect();
    assert_eq!(delivered, vec![1, 4]);
    assert!(plan.deliveries[0].body.starts_with("{\"action\": \"TASKS_CREATED\", \"tasks\": [{\"id\": 41,"));
    assert_eq!(plan.deliveries[0].headers, vec![("X-Key".into(), "k".into()), ("Content-Type".into(), "application/json".into())]);
    assert_eq!(&*plan.deliveries[1].body, "{\"action\": \"TASKS_CREATED\"}");
    // No header value with CR or LF ever leaves, in any form.
    for (value, ok) in [("a\\nb", false), ("a\\rb", false), ("a\\r\\n", false), ("\\nb", false), ("a b", true), ("caf\\u00e9", true)] {
        let text = good().replace("a\\r\\nInjected: 1", value);
        let plan = build_deliveries(&text).unwrap();
        assert_eq!(plan.deliveries.iter().any(|d| d.webhook_id == 2), ok, "{value}");
        for d in &plan.deliveries {
            assert!(d.headers.iter().all(|(n, v)| !n.contains(['\r', '\n']) && !v.contains(['\r', '\n'])));
        }
    }
    // Other URLs that are not http(s) with a host.
    for url in ["file:///etc/passwd", "javascript:alert(1)", "https://", "http:/a.example", "gopher://a.example", "//a.example/x", "https://a.example:65536/"] {
        let plan = build_deliveries(&good().replace("ftp://c.example/hook", url)).unwrap();
        assert_eq!(plan.skipped.iter().find(|s| s.webhook_id == Some(3)).map(|s| s.reason), Some(SkipReason::InvalidUrl), "{url}");
        assert!(!plan.deliveries.iter().any(|d| d.webhook_id == 3), "{url}");
    }
}

/// Webhook 3's verdict when its URL is `url` (`None`: delivered), and that the others still go out.
fn url_verdict(url: &str, ssrf: bool) -> Option<SkipReason> {
    let text = format!("{}, \"options\": {{\"ssrfProtection\": {ssrf}}}}}", good().trim_end_matches('}'));
    let text = text.replace("\"ftp://c.example/hook\"", &serde_json::to_string(url).unwrap());
    let plan = build_deliveries(&text).unwrap();
    assert!(plan.deliveries.iter().any(|d| d.webhook_id == 1) && plan.deliveries.iter().any(|d| d.webhook_id == 4), "{url}");
    let skipped = plan.skipped.iter().find(|s| s.webhook_id == Some(3)).map(|s| s.reason);
    assert_eq!(skipped.is_none(), plan.deliveries.iter().any(|d| d.webhook_id == 3), "{url}");
    skipped
}

#[test]
fn b17_reserved_address_in_any_form_is_ssrf_blocked() {
    for url in ["http://127.0.0.1/", "http://2130706433/", "http://0x7f000001/", "http://127.1/", "http://0177.0.0.1/", "http://0x7f.1/",
        "http://0/", "http://127。0。0。1/", "http://①②⑦.0.0.1/", "http://ⓛocalhost/", "http://localhost/", "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/", "http://0xa9fea9fe/", "http://%31%32%37.0.0.1/", "http://1.1.1.1@127.0.0.1/",
        "http:\\\\127.0.0.1\\", "http://<broadcast>/"] {
        assert_eq!(url_verdict(url, true), Some(SkipReason::SsrfBlocked), "{url}");
    }
    // Public literals and names still go out; with protection off, loopback does too.
    for url in ["http://1.1.1.1/", "http://93.184.215.14/", "http://16843009/", "http://example.com/"] {
        assert_eq!(url_verdict(url, true), None, "{url}");
    }
    assert_eq!(url_verdict("http://2130706433:8080/", false), None);
}

#[test]
fn b18_url_fetch_reads_elsewhere_or_cannot_send_is_invalid_url() {
    for url in ["http://1.1.1.1./", "http://ｅｘａｍｐｌｅ.com/", "http://☃.net/", "http://a.example:0/", "http://a%2fb.example.com/",
        "http://1.1.1.1:65536/"] {
        assert_eq!(url_verdict(url, false), Some(SkipReason::InvalidUrl), "{url}");
    }
}

#[test]
fn b19_header_fetch_refuses_is_invalid_header() {
    for (name, value) in [("X Space", "v"), ("X(paren)", "v"), ("X-Nul", "a\\u0000b")] {
        let text = good().replace("\"X-Ok\": \"fine\", \"X-Bad\": \"a\\r\\nInjected: 1\"", &format!("\"{name}\": \"{value}\""));
        let plan = build_deliveries(&text).unwrap();
        let s = plan.skipped.iter().find(|s| s.webhook_id == Some(2)).unwrap_or_else(|| panic!("{name}: not skipped"));
        assert_eq!(s.reason, SkipReason::InvalidHeader);
        assert!(s.message.contains("fetch"), "{}", s.message);
    }
}

#[test]
fn b20_a_webhook_row_that_cannot_be_read_is_skipped_the_others_delivered() {
    let text = good();
    for (bad, path, id) in [
        (text.replace("\"project\": null, \"url\": \"https://a.example", "\"project\": \"12\", \"url\": \"https://a.example"), "webhooks[0].project", Some(1)),
        (text.replace("\"url\": \"https://a.example/hook\", ", ""), "webhooks[0].url", Some(1)),
        (text.replace("\"send_payload\": true", "\"send_payload\": \"yes\""), "webhooks[0].send_payload", Some(1)),
        (text.replace("\"headers\": {\"X-Key\": \"k\"}", "\"headers\": [\"X-Key\"]"), "webhooks[0].headers", Some(1)),
        (text.replace("{\"id\": 1, \"organization\": 1,", "{\"id\": \"one\", \"organization\": 1,"), "webhooks[0].id", None),
        (event("TASKS_CREATED", &tasks(2)).replace(HOOKS, &format!("[1, {}", &HOOKS.trim_start()[1..])), "webhooks[0]", None),
    ] {
        let plan = build_deliveries(&bad).unwrap_or_else(|e| panic!("{path}: {e}"));
        let s = &plan.skipped[0];
        assert_eq!((s.webhook_id, s.reason, s.path.as_deref()), (id, SkipReason::InvalidWebhook, Some(path)), "{}", s.message);
        // The other webhooks are matched and sent as before.
        assert!(plan.deliveries.iter().any(|d| d.webhook_id == 4), "{path}");
        assert!(!plan.targets.is_empty(), "{path}");
    }
}

#[test]
fn b15_nothing_partially_built_batch_by_batch() {
    // Batch size 2: the bad row is in the second batch. The whole plan is an error;
    // batch by batch, the first batch comes, then the error, then nothing.
    let rows = tasks(4);
    let bad = rows.rfind("\"overlap\": 1").unwrap();
    let mut text = rows.clone();
    text.replace_range(bad..bad + "\"overlap\": 1".len(), "\"overlap\": \"one\"");
    let text = format!("{}, \"options\": {{\"batchSize\": 2}}}}", event("TASKS_CREATED", &text).trim_end_matches('}'));
    let e = build_deliveries(&text).unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (ErrorCode::InvalidRow, "instance[3].overlap"));
    let mut batches = Batches::new(text).unwrap();
    assert_eq!(batches.batch_count(), 2);
    let first = batches.next().unwrap().unwrap();
    assert_eq!(first.deliveries.len(), 2);
    assert_eq!(batches.next().unwrap().unwrap_err(), e);
    assert!(batches.next().is_none());
}

#[test]
fn b16_large_string_natively() {
    // 16 MB of non-ASCII text in one field (48 MB once escaped): builds, and the body is exact.
    let big = "é".repeat(8 << 20);
    let text = event("TASKS_CREATED", &tasks(1).replace("warm \\ud83e\\udd50", &big));
    let plan = build_deliveries(&text).unwrap();
    let body = &plan.deliveries[0].body;
    assert_eq!(body.matches("\\u00e9").count(), 8 << 20);
    assert!(body.is_ascii());
}

/// The table and the tests name the same rows: every row id of
/// docs/bad-input.md appears in this file or in the Node test, and back.
#[test]
fn every_row_of_the_table_is_tested() {
    let root = env!("CARGO_MANIFEST_DIR");
    let doc = std::fs::read_to_string(format!("{root}/docs/bad-input.md")).unwrap();
    let rust = std::fs::read_to_string(format!("{root}/tests/bad_input.rs")).unwrap();
    let js = std::fs::read_to_string(format!("{root}/tests/node/bad-input.test.mjs")).unwrap();
    let ids = |text: &str, rust_style: bool| -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        let b = text.as_bytes();
        for i in 0..b.len().saturating_sub(2) {
            let (lead, a, c) = (b[i], b[i + 1], b[i + 2]);
            let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
            let lead_ok = if rust_style { lead == b'b' || lead == b'j' } else { lead == b'B' || lead == b'J' };
            if boundary && lead_ok && a.is_ascii_digit() && c.is_ascii_digit() && !b.get(i + 3).is_some_and(u8::is_ascii_digit) {
                out.insert(format!("{}{}{}", (lead as char).to_ascii_uppercase(), a as char, c as char));
            }
        }
        out
    };
    // Table rows start with "| B01 |" or "| J01 |".
    let table: std::collections::BTreeSet<String> =
        doc.lines().filter_map(|l| l.strip_prefix("| ")).filter(|l| l.len() > 3).map(|l| l[..3].to_string()).filter(|id| ids(id, false).contains(id)).collect();
    assert!(table.len() >= 20, "{table:?}");
    let tested: std::collections::BTreeSet<String> = ids(&rust, true).into_iter().chain(ids(&js, false)).filter(|id| id != "B00").collect();
    let untested: Vec<_> = table.difference(&tested).collect();
    let unlisted: Vec<_> = tested.difference(&table).collect();
    assert!(untested.is_empty(), "rows of docs/bad-input.md without a test: {untested:?}");
    assert!(unlisted.is_empty(), "tests of rows not in docs/bad-input.md: {unlisted:?}");
}
