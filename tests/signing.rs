//! Standard Webhooks signing (`options.signing`), natively: the three headers
//! after Label Studio's own, the bodies untouched, ids stable, secrets never shown.
#![cfg(all(not(target_arch = "wasm32"), feature = "receiver"))]

use ls_webhooks::signing::{self, Key};
use ls_webhooks::{build_deliveries, ErrorCode, Plan, SkipReason};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER: &str = "whsec_c2Vjb25kIHNlY3JldCBvZiB0aGUgdGVzdHM=";

/// The sample event with `options` spliced in.
fn event(options: &str) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/events/TASKS_CREATED.json")).unwrap();
    let at = text.rfind('}').unwrap();
    format!("{}, \"options\": {options}}}", &text[..at])
}

fn plan(options: &str) -> Plan {
    build_deliveries(&event(options)).unwrap_or_else(|e| panic!("{e}"))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

#[test]
fn signing_adds_three_headers_after_label_studios_and_leaves_bodies_alone() {
    let plain = plan("{}");
    let signed = plan(&format!(r#"{{"signing": {{"secret": "{SECRET}", "id": "evt-1", "timestamp": 1700000000}}}}"#));
    assert_eq!(plain.deliveries.len(), signed.deliveries.len());
    let key = Key::parse(SECRET).unwrap();
    for (p, s) in plain.deliveries.iter().zip(&signed.deliveries) {
        assert_eq!(p.body.as_str(), s.body.as_str(), "bodies are byte-identical");
        assert_eq!(&s.headers[..p.headers.len()], &p.headers[..], "Label Studio's headers first, unchanged");
        let added: Vec<&str> = s.headers[p.headers.len()..].iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(added, ["webhook-id", "webhook-timestamp", "webhook-signature"]);
        let id = header(&s.headers, "webhook-id").unwrap();
        assert_eq!(id, format!("evt-1_{}_{}", s.webhook_id, s.batch));
        assert_eq!(header(&s.headers, "webhook-timestamp"), Some("1700000000"));
        let sig = header(&s.headers, "webhook-signature").unwrap();
        assert_eq!(sig, key.sign(id, 1700000000, s.body.as_bytes()));
        let get = |n: &str| header(&s.headers, n).map(str::to_owned);
        assert_eq!(signing::verify(get, s.body.as_bytes(), std::slice::from_ref(&key), 300, 1700000100), Ok(()));
    }
    assert!(signed.warnings.is_empty(), "{:?}", signed.warnings);
}

#[test]
fn ids_are_stable_for_the_same_event_and_differ_between_deliveries() {
    let opts = format!(r#"{{"signing": {{"secret": "{SECRET}"}}}}"#);
    let (a, b) = (plan(&opts), plan(&opts));
    let ids = |p: &Plan| p.deliveries.iter().map(|d| header(&d.headers, "webhook-id").unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b), "a rebuilt event carries the same ids");
    let mut unique = ids(&a);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), a.deliveries.len(), "one id per delivery");
    // Without a fixed timestamp, the clock stamps it.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let ts: i64 = header(&a.deliveries[0].headers, "webhook-timestamp").unwrap().parse().unwrap();
    assert!((now - ts).abs() <= 5, "{ts} vs {now}");
}

#[test]
fn per_webhook_secrets_and_unsigned_targets() {
    let p = plan(&format!(r#"{{"signing": {{"secrets": {{"2": "{OTHER}"}}, "timestamp": 1}}}}"#));
    for d in &p.deliveries {
        assert_eq!(header(&d.headers, "webhook-signature").is_some(), d.webhook_id == 2, "webhook {}", d.webhook_id);
    }
    let w = p.warnings.iter().find(|w| w.code == "UNSIGNED").expect("an UNSIGNED warning");
    let others: Vec<String> = p.targets.iter().filter(|id| **id != 2).map(|id| id.to_string()).collect();
    assert!(others.len() >= 2 && w.message.contains(&others.join(", ")), "{}", w.message);

    let p = plan(&format!(r#"{{"signing": {{"secret": "{SECRET}", "secrets": {{"2": "{OTHER}"}}, "timestamp": 1}}}}"#));
    for d in &p.deliveries {
        let key = Key::parse(if d.webhook_id == 2 { OTHER } else { SECRET }).unwrap();
        let get = |n: &str| header(&d.headers, n).map(str::to_owned);
        assert_eq!(signing::verify(get, d.body.as_bytes(), &[key], 300, 1), Ok(()), "webhook {}", d.webhook_id);
    }
}

#[test]
fn a_webhook_header_that_collides_is_skipped_not_overwritten() {
    let text = event(&format!(r#"{{"signing": {{"secret": "{SECRET}"}}}}"#)).replace(r#""X-Source": "label-studio""#, r#""Webhook-Signature": "mine""#);
    let p = build_deliveries(&text).unwrap();
    let skip = p.skipped.iter().find(|s| s.webhook_id == Some(2)).expect("webhook 2 skipped");
    assert_eq!(skip.reason, SkipReason::InvalidHeader);
    assert!(p.deliveries.iter().all(|d| d.webhook_id != 2));
    // Unsigned, the same header is Label Studio's business: sent as is.
    let p = build_deliveries(&text.replace(&format!(r#""signing": {{"secret": "{SECRET}"}}"#), "")).unwrap();
    assert!(p.deliveries.iter().any(|d| d.webhook_id == 2 && header(&d.headers, "Webhook-Signature") == Some("mine")));
}

#[test]
fn bad_signing_options_are_typed_errors_that_never_repeat_the_secret() {
    for (options, path) in [
        (r#"{"signing": {"secret": "whsec_%%%hunter2%%%"}}"#, "options.signing.secret"),
        (r#"{"signing": {"secret": 7}}"#, "options.signing.secret"),
        (r#"{"signing": {}}"#, "options.signing.secret"),
        (r#"{"signing": {"secrets": {"x": "whsec_aGk="}}}"#, "options.signing.secrets.x"),
        (r#"{"signing": {"secrets": {"2": "whsec_%%%hunter2%%%"}}}"#, "options.signing.secrets.2"),
        (r#"{"signing": {"secret": "whsec_aGk=", "id": "has space"}}"#, "options.signing.id"),
        (r#"{"signing": {"secret": "whsec_aGk=", "timestamp": -1}}"#, "options.signing.timestamp"),
        (r#"{"signing": {"secret": "whsec_aGk=", "timestamp": 1.5}}"#, "options.signing.timestamp"),
        (r#"{"signing": {"secret": "whsec_aGk=", "sekret": 1}}"#, "options.signing.sekret"),
        (r#"{"signing": "whsec_aGk="}"#, "options.signing"),
    ] {
        let e = build_deliveries(&event(options)).expect_err(options);
        assert_eq!((e.code, e.path.as_str()), (ErrorCode::InvalidEvent, path), "{options}: {e}");
        assert!(!e.message.contains("hunter2") && !e.message.contains("aGk="), "{options}: {e}");
    }
    let p = plan(&format!(r#"{{"signing": {{"secret": "{SECRET}"}}}}"#));
    assert!(!format!("{p:?}").contains(&SECRET[6..]), "Debug of a plan shows no secret");
}

#[test]
fn options_given_apart_from_the_event_replace_its_own() {
    use ls_webhooks::{build_deliveries_with, OptionsPatch};
    let text = event(r#"{"batchSize": 2, "ssrfProtection": true}"#);
    let patch = OptionsPatch::parse(&format!(r#"{{"signing": {{"secret": "{SECRET}", "timestamp": 5}}, "ssrfProtection": false}}"#)).unwrap();
    let p = build_deliveries_with(&text, &patch).unwrap();
    assert!(!p.options.ssrf_protection, "the given option wins");
    assert_eq!(p.options.batch_size, 2, "the event's other options stay");
    assert!(p.deliveries.iter().all(|d| header(&d.headers, "webhook-timestamp") == Some("5")));
    let e = OptionsPatch::parse(r#"{"signing": {"secret": "whsec_%%hunter2"}}"#).unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (ErrorCode::InvalidEvent, "options.signing.secret"));
    assert!(!e.message.contains("hunter2"));
    assert_eq!(OptionsPatch::parse("[1]").unwrap_err().path, "options");
    assert_eq!(OptionsPatch::parse("{").unwrap_err().path, "options");
}
