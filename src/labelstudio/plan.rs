//! Payload assembly and batching: `emit_webhooks_for_instance_sync`,
//! `_process_webhook_batch`, `emit_webhooks_sync` and `run_webhook_sync`.
//!
//! For each batch, every target in order gets one POST. The body of a batch
//! is built once and shared by every target that sends payloads; targets with
//! `send_payload` false share one `{"action": ...}` body.

use crate::error::{Error, Path};
use crate::labelstudio::event::{self, Event, Instance, Options, OptionsPatch};
use crate::labelstudio::layout::{self, Source};
use crate::json::pyjson;
use crate::json::reader::{Doc, Kind, Value};
use crate::labelstudio::registry::Action;
use crate::labelstudio::render::{Context, Renderer};
use crate::labelstudio::serializers::SerializerId;
use crate::json::swar;
use crate::labelstudio::targets::{self, Scope, SkipReason, Unmatched};
use crate::signing::{self, Key};
use std::sync::Arc;

/// The exact bytes of one POST body (always ASCII), shared between targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body(Arc<String>);

impl Body {
    fn new(bytes: Vec<u8>) -> Body {
        // The Python writer only emits ASCII (ensure_ascii): checked eight
        // bytes at a time (std's `is_ascii` goes by `usize`, 4 bytes in wasm32).
        if swar::all_ascii(&bytes) {
            // SAFETY: every byte is ASCII, so the bytes are valid UTF-8.
            return Body(Arc::new(unsafe { String::from_utf8_unchecked(bytes) }));
        }
        debug_assert!(false, "the Python writer emitted non-ASCII bytes");
        Body(Arc::new(String::from_utf8_lossy(&bytes).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when both are the same allocation (a body built once, sent twice).
    pub fn shares(&self, other: &Body) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub webhook_id: i64,
    pub url: String,
    pub method: &'static str,
    /// The webhook's headers, then `Content-Type: application/json` unless it has
    /// one; with `options.signing`, then `webhook-id`, `webhook-timestamp` and
    /// `webhook-signature`.
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Which batch (0-based) of a list instance this POST carries.
    pub batch: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// `None` only for a webhook row whose id cannot be read.
    pub webhook_id: Option<i64>,
    pub reason: SkipReason,
    pub message: String,
    /// For `INVALID_WEBHOOK`: the offending field, e.g. `webhooks[2].project`.
    pub path: Option<String>,
}

/// Something about the event that is allowed but rarely meant: it changes what is sent
/// without being an error (Label Studio would do the same, silently).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// `NO_INSTANCE`, `EMPTY_INSTANCE`, `NO_PROJECT`, or `UNSIGNED` (signing is
    /// on, but no secret covers some target).
    pub code: &'static str,
    pub message: String,
}

/// What Label Studio does, silently, with an event that lacks a part.
fn warnings(event: &Event<'_>) -> Vec<Warning> {
    let action = event.action.action;
    let mut out = Vec::new();
    match &event.instance {
        Instance::Absent => out.push(Warning {
            code: "NO_INSTANCE",
            message: format!("no \"instance\" (or \"payload\"): every target gets {{\"action\": \"{action}\"}} alone"),
        }),
        Instance::Many(rows) if rows.is_empty() => out.push(Warning {
            code: "EMPTY_INSTANCE",
            message: "\"instance\" is an empty list: Label Studio sends nothing at all".into(),
        }),
        _ => {}
    }
    if event.project.is_none() && !event.action.organization_only {
        out.push(Warning {
            code: "NO_PROJECT",
            message: format!("no \"project\": only organization webhooks can get {action}, and its bodies have no \"project\" key"),
        });
    }
    out
}

/// Everything Label Studio would POST for one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub action: &'static str,
    /// `get_active_webhooks`: the ids of the webhooks that match, in order.
    pub targets: Vec<i64>,
    pub deliveries: Vec<Delivery>,
    /// Targets that match but whose request cannot be made.
    pub skipped: Vec<Skipped>,
    /// The event's other webhooks, and why they are not targets.
    pub unmatched: Vec<Unmatched>,
    /// Parts the event lacks, and what that does to the deliveries.
    pub warnings: Vec<Warning>,
    pub options: Options,
}

/// Where each key of the body comes from, in body order.
#[derive(Clone, Copy)]
enum Part<'d> {
    Action,
    Instance,
    Project,
    Nested(usize),
    Entry(Value<'d>),
}

struct Target {
    id: i64,
    url: String,
    send_payload: bool,
    headers: Vec<(String, String)>,
    /// With `options.signing`: this target's key (none when no secret covers it).
    key: Option<Key>,
}

/// A parsed event, ready to produce its batches one by one.
pub struct Planner<'d> {
    event: Event<'d>,
    targets: Vec<Target>,
    target_ids: Vec<i64>,
    skipped: Vec<Skipped>,
    unmatched: Vec<Unmatched>,
    /// Body keys (rendered) and their sources, with dict-update semantics applied.
    parts: Vec<(Vec<u8>, Part<'d>)>,
    /// Whether any target sends payloads (`webhooks.filter(send_payload=True).exists()`).
    any_payload: bool,
    project_fragment: Option<Vec<u8>>,
    action_only: Body,
    renderer: Renderer<'d>,
}

/// Builds the whole plan for the event in `text`; `options` replace the event's own.
pub fn build(text: &str, options: &OptionsPatch) -> Result<Plan, Error> {
    build_doc(&event::parse_doc(text)?, options)
}

/// Builds the plan for an event given as UTF-8 bytes.
pub fn build_bytes(bytes: &[u8], options: &OptionsPatch) -> Result<Plan, Error> {
    build_doc(&event::parse_doc_bytes(bytes)?, options)
}

fn build_doc(doc: &Doc<'_>, options: &OptionsPatch) -> Result<Plan, Error> {
    let mut planner = Planner::new(event::read_with(doc, options)?)?;
    let mut deliveries = Vec::new();
    for k in 0..planner.batch_count() {
        deliveries.extend(planner.batch(k)?);
    }
    Ok(planner.finish(deliveries))
}

/// Room for one more row of `len` input bytes. When the hint fell short,
/// grow by a quarter rather than let the Vec double.
fn reserve_for(out: &mut Vec<u8>, len: usize) {
    let want = 2 * len + 1024;
    if out.capacity() - out.len() < want {
        out.reserve_exact(want.max(out.len() / 4));
    }
}

/// The rows of batch `k`.
fn batch_rows<'a, 'd>(event: &'a Event<'d>, k: usize) -> &'a [Value<'d>] {
    match &event.instance {
        Instance::Many(rows) => {
            let size = event.options.batch_size;
            let start = (k * size).min(rows.len());
            &rows[start..((k + 1) * size).min(rows.len())]
        }
        Instance::One(row) => std::slice::from_ref(row),
        _ => &[],
    }
}

fn key(name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(name.len() + 2);
    pyjson::write_str(&mut k, name);
    k
}

impl<'d> Planner<'d> {
    pub fn new(event: Event<'d>) -> Result<Planner<'d>, Error> {
        let action = event.action;
        let scope = Scope {
            organization: event.organization,
            project: event.project_id,
            action: action.action,
            organization_only: action.organization_only,
        };
        let (candidates, unmatched) = targets::select(&event.webhooks, scope);
        let target_ids = candidates.iter().map(|w| w.id).collect();
        let any_payload = candidates.iter().any(|w| w.send_payload);
        let mut targets = Vec::new();
        // A webhook row that cannot be read is skipped on its own; the others still count.
        let mut skipped: Vec<Skipped> = event
            .invalid_webhooks
            .iter()
            .map(|w| Skipped {
                webhook_id: w.id,
                reason: SkipReason::InvalidWebhook,
                message: w.error.message.clone(),
                path: Some(w.error.path.clone()),
            })
            .collect();
        let signing = event.options.signing.as_ref();
        for w in candidates {
            let key = signing.and_then(|s| s.key_for(w.id)).cloned();
            let checked = targets::check(w, event.options.ssrf_protection).and_then(|headers| match &key {
                Some(_) => targets::no_signing_headers(headers),
                None => Ok(headers),
            });
            match checked {
                Ok(headers) => targets.push(Target { id: w.id, url: w.url.clone(), send_payload: w.send_payload, headers, key }),
                Err((reason, message)) => skipped.push(Skipped { webhook_id: Some(w.id), reason, message, path: None }),
            }
        }

        // data = {'action': action}; data.update(payload)
        let same = |a: &Vec<u8>, b: &Vec<u8>| a == b;
        let parts = match &event.instance {
            Instance::Payload(p) => {
                let mut payload: Vec<(Vec<u8>, Part)> = pyjson::dict_entries(*p).into_iter().map(|(k, v)| (k, Part::Entry(v))).collect();
                if event.project.is_some() && !payload.is_empty() && any_payload {
                    pyjson::dict_update(&mut payload, key("project"), Part::Project, same);
                }
                layout::with_action_first(vec![(key("action"), Part::Action)], payload, same)
            }
            _ => layout::body_layout(action, event.project.is_some())
                .into_iter()
                .map(|(name, source)| {
                    let part = match source {
                        Source::Action => Part::Action,
                        Source::Instance => Part::Instance,
                        Source::Project => Part::Project,
                        Source::Nested(i) => Part::Nested(i),
                    };
                    (key(name), part)
                })
                .collect(),
        };

        let mut action_only = vec![b'{'];
        pyjson::write_key(&mut action_only, 0, &key("action"));
        pyjson::write_str(&mut action_only, action.action);
        action_only.push(b'}');

        Ok(Planner {
            event,
            targets,
            target_ids,
            skipped,
            unmatched,
            parts,
            any_payload,
            project_fragment: None,
            action_only: Body::new(action_only),
            renderer: Renderer::default(),
        })
    }

    pub fn action(&self) -> &'static Action {
        self.event.action
    }

    pub fn targets(&self) -> &[i64] {
        &self.target_ids
    }

    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    pub fn unmatched(&self) -> &[Unmatched] {
        &self.unmatched
    }

    pub fn warnings(&self) -> Vec<Warning> {
        let mut out = warnings(&self.event);
        let unsigned: Vec<String> = match self.event.options.signing {
            Some(_) => self.targets.iter().filter(|t| t.key.is_none()).map(|t| t.id.to_string()).collect(),
            None => Vec::new(),
        };
        if !unsigned.is_empty() {
            out.push(Warning {
                code: "UNSIGNED",
                message: format!("no signing secret covers webhook {}: sent unsigned", unsigned.join(", ")),
            });
        }
        out
    }

    pub fn options(&self) -> &Options {
        &self.event.options
    }

    /// How many POST rounds: one per batch of a list, none for an empty
    /// list, and no round at all when no webhook matches.
    pub fn batch_count(&self) -> usize {
        if self.target_ids.is_empty() {
            return 0;
        }
        match &self.event.instance {
            Instance::Many(rows) => rows.len().div_ceil(self.event.options.batch_size),
            _ => 1,
        }
    }

    fn rows(&self, k: usize) -> &[Value<'d>] {
        batch_rows(&self.event, k)
    }

    /// The deliveries of batch `k`, in target order.
    pub fn batch(&mut self, k: usize) -> Result<Vec<Delivery>, Error> {
        let has_payload = match &self.event.instance {
            Instance::Payload(p) => !p.is_empty(),
            Instance::Absent => false,
            _ => !self.rows(k).is_empty(),
        };
        // Label Studio serializes as soon as any matching webhook sends payloads,
        // before it tries (and may fail) to send: a bad row fails the event even
        // when every such webhook is then skipped.
        let body = if has_payload && self.any_payload {
            Some(Body::new(self.payload_body(k)?))
        } else {
            None
        };
        let signing = self.event.options.signing.as_ref();
        let timestamp = match signing {
            Some(s) => Some(s.timestamp.or_else(crate::host::now).ok_or_else(|| {
                Error::event("options.signing.timestamp", "no clock to stamp the signatures with: give options.signing.timestamp")
            })?),
            None => None,
        };
        // Each distinct body is hashed once for the ids, however many targets get it.
        let mut digests: Vec<(Body, signing::BodyDigest)> = Vec::new();
        Ok(self
            .targets
            .iter()
            .map(|t| {
                let body = match (&body, t.send_payload) {
                    (Some(b), true) => b.clone(),
                    _ => self.action_only.clone(),
                };
                let mut headers = t.headers.clone();
                if let (Some(key), Some(signing), Some(ts)) = (&t.key, signing, timestamp) {
                    let digest = || match digests.iter().find(|(b, _)| b.shares(&body)) {
                        Some((_, d)) => *d,
                        None => {
                            let d = signing::body_digest(body.as_bytes());
                            digests.push((body.clone(), d));
                            d
                        }
                    };
                    let id = signing::delivery_id(signing.id.as_deref(), self.event.action.action, t.id, k, digest);
                    let signature = key.sign(&id, ts, body.as_bytes());
                    headers.extend([(signing::ID.into(), id), (signing::TIMESTAMP.into(), ts.to_string()), (signing::SIGNATURE.into(), signature)]);
                }
                Delivery { webhook_id: t.id, url: t.url.clone(), method: "POST", headers, body, batch: k }
            })
            .collect())
    }

    fn project_fragment(&mut self) -> Result<Vec<u8>, Error> {
        if let Some(f) = &self.project_fragment {
            return Ok(f.clone());
        }
        let mut out = Vec::new();
        if let Some(p) = self.event.project {
            let ctx = self.context();
            self.renderer.row(&mut out, SerializerId::Project.get(), p, &ctx, &Path::Root("project"))?;
        }
        self.project_fragment = Some(out.clone());
        Ok(out)
    }

    fn context(&self) -> Context<'d> {
        Context { project: self.event.project, project_id: self.event.project_id }
    }

    fn payload_body(&mut self, k: usize) -> Result<Vec<u8>, Error> {
        let action = self.event.action;
        let ctx = self.context();
        let size = self.event.options.batch_size;
        let project = match self.parts.iter().any(|(_, p)| matches!(p, Part::Project)) {
            true => self.project_fragment()?,
            false => Vec::new(),
        };
        let rows = batch_rows(&self.event, k);
        // Allocated once, at about its final size: see `python_size_hint`.
        let input: usize = rows.iter().map(|r| r.text_len()).sum();
        let hint = rows.first().map_or(input, |r| r.doc().python_size_hint(input));
        let mut out = Vec::with_capacity(4096 + hint + hint / 32);
        out.push(b'{');
        for (n, (name, part)) in self.parts.iter().enumerate() {
            pyjson::write_key(&mut out, n, name);
            match part {
                Part::Action => pyjson::write_str(&mut out, action.action),
                Part::Entry(v) => pyjson::transcode(&mut out, *v).map_err(|e| {
                    Error::event(format!("payload.{}", String::from_utf8_lossy(&name[1..name.len() - 1])), e.to_string())
                })?,
                Part::Project => out.extend_from_slice(&project),
                Part::Instance => {
                    let ser = action.serializer.get();
                    let root = Path::Root("instance");
                    if action.many {
                        let renderer = &mut self.renderer;
                        pyjson::write_list(&mut out, rows.iter(), |out, i, row| {
                            reserve_for(out, row.text_len());
                            renderer.row(out, ser, *row, &ctx, &root.index(k * size + i))
                        })?;
                    } else if let Some(row) = rows.first() {
                        self.renderer.row(&mut out, ser, *row, &ctx, &root)?;
                    }
                }
                Part::Nested(i) => {
                    let nested = &action.nested_fields[*i];
                    let ser = nested.serializer.get();
                    let root = Path::Root("instance");
                    let one = |row: Value<'d>, path: &Path<'_>| -> Result<Value<'d>, Error> {
                        match row.get(nested.key) {
                            Some(v) if v.kind() == Kind::Object => Ok(v),
                            _ => Err(Error::row(
                                path.key(nested.key).to_string(),
                                format!(
                                    "{} sends the {} row next to the {}: give \"{}\" as the full row, not an id",
                                    action.action, nested.key, action.model, nested.key
                                ),
                            )),
                        }
                    };
                    if nested.many {
                        let renderer = &mut self.renderer;
                        pyjson::write_list(&mut out, rows.iter(), |out, j, row| {
                            let path = root.index(k * size + j);
                            let v = one(*row, &path)?;
                            reserve_for(out, v.text_len());
                            renderer.row(out, ser, v, &ctx, &path.key(nested.key))
                        })?;
                    } else if let Some(row) = rows.first() {
                        let v = one(*row, &root)?;
                        self.renderer.row(&mut out, ser, v, &ctx, &root.key(nested.key))?;
                    }
                }
            }
        }
        out.push(b'}');
        Ok(out)
    }

    pub fn finish(self, deliveries: Vec<Delivery>) -> Plan {
        let warnings = self.warnings();
        Plan {
            action: self.event.action.action,
            targets: self.target_ids,
            deliveries,
            skipped: self.skipped,
            unmatched: self.unmatched,
            warnings,
            options: self.event.options,
        }
    }
}
