//! Event bytes in, a plan or a typed error out; never a panic.
//!
//! On Ok, nothing is half built: every delivery's body is ASCII, parses as
//! JSON, and is already in CPython's `json.dumps` form (re-dumping it gives
//! the same bytes); every target is accounted for (delivered or skipped);
//! and the batch-by-batch API gives exactly the same deliveries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ls_webhooks::{build_deliveries_bytes, Batches, ErrorCode};

fuzz_target!(|data: &[u8]| {
    let whole = build_deliveries_bytes(data);
    let text = std::str::from_utf8(data);
    match &whole {
        Err(e) => {
            // A typed error: one of the four codes, with a message.
            assert!(matches!(
                e.code,
                ErrorCode::UnknownAction | ErrorCode::OrganizationOnlyAction | ErrorCode::InvalidEvent | ErrorCode::InvalidRow
            ));
            assert!(!e.message.is_empty());
            if text.is_err() {
                assert_eq!(e.code, ErrorCode::InvalidEvent);
            }
        }
        Ok(plan) => {
            // The reader checks UTF-8 inside strings only; accepted bytes must be UTF-8 throughout.
            assert!(text.is_ok(), "accepted bytes that are not UTF-8");
            for d in &plan.deliveries {
                assert!(d.body.is_ascii(), "non-ASCII body: {:?}", &d.body[..d.body.len().min(200)]);
                let again = ls_webhooks::python_json_dumps(&d.body).unwrap_or_else(|e| panic!("body does not parse back: {e}: {}", &*d.body));
                assert_eq!(again, &*d.body, "body is not in json.dumps form");
                assert!(plan.targets.contains(&d.webhook_id));
                assert_eq!(d.method, "POST");
            }
            for s in &plan.skipped {
                assert!(plan.targets.contains(&s.webhook_id));
                assert!(!plan.deliveries.iter().any(|d| d.webhook_id == s.webhook_id));
            }
        }
    }

    // Batch by batch: same targets, same deliveries, or the same error.
    let Ok(text) = text else { return };
    match (Batches::new(text.to_owned()), &whole) {
        (Err(e), Err(w)) => assert_eq!(&e, w),
        (Err(e), Ok(_)) => panic!("Batches::new failed where build succeeded: {e}"),
        (Ok(batches), whole) => {
            let targets = batches.targets().to_vec();
            let skipped = batches.skipped().to_vec();
            let mut got = Vec::new();
            let mut err = None;
            for b in batches {
                match b {
                    Ok(b) => got.extend(b.deliveries),
                    Err(e) => {
                        err = Some(e);
                        break;
                    }
                }
            }
            match (whole, err) {
                (Ok(plan), None) => {
                    assert_eq!(plan.targets, targets);
                    assert_eq!(plan.skipped, skipped);
                    assert_eq!(plan.deliveries, got);
                }
                (Err(w), Some(e)) => assert_eq!(w, &e),
                (w, e) => panic!("build and Batches disagree: {w:?} vs {e:?}"),
            }
        }
    }
});
