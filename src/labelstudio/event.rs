//! The event a host hands over, read from JSON text: the action, the
//! organization, the project row, the instance rows (or a custom payload),
//! the configured webhooks and options. Rows stay unread slices here; the
//! serializers read them when a payload is built.

use crate::error::{Error, ErrorCode, Location};
use crate::json::pyjson;
use crate::json::reader::{Doc, Kind, ReadError, SyntaxError, Value};
use crate::labelstudio::registry::{self, Action};
use crate::labelstudio::targets::{HeaderValue, Webhook};
use crate::signing::{self, Key};

/// Label Studio's `WEBHOOK_BATCH_SIZE` default.
pub const DEFAULT_BATCH_SIZE: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyAs {
    String,
    Bytes,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `WEBHOOK_BATCH_SIZE`: rows per POST when the instance is a list.
    pub batch_size: usize,
    /// `SSRF_PROTECTION_ENABLED` (on by default in Label Studio).
    pub ssrf_protection: bool,
    /// For the JavaScript boundary: bodies as strings or UTF-8 bytes.
    pub body_as: BodyAs,
    /// This package's extension: Standard Webhooks signatures (off by default).
    pub signing: Option<Signing>,
}

/// `options.signing`: sign every delivery (see `crate::signing`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// The key of every webhook without one of its own.
    pub secret: Option<Key>,
    /// Keys of particular webhooks, by webhook id.
    pub secrets: Vec<(i64, Key)>,
    /// The host's id for the event: `webhook-id`s become `{id}_{webhook}_{batch}`.
    pub id: Option<String>,
    /// A fixed `webhook-timestamp` (seconds); else the clock when a batch is built.
    pub timestamp: Option<i64>,
}

impl Signing {
    pub fn key_for(&self, webhook_id: i64) -> Option<&Key> {
        self.secrets.iter().find(|(id, _)| *id == webhook_id).map(|(_, k)| k).or(self.secret.as_ref())
    }
}

impl Default for Options {
    fn default() -> Self {
        Options { batch_size: DEFAULT_BATCH_SIZE, ssrf_protection: true, body_as: BodyAs::String, signing: None }
    }
}

/// What the emit is about.
#[derive(Debug, Clone)]
pub enum Instance<'d> {
    /// No instance: every target gets `{"action": ...}`.
    Absent,
    One(Value<'d>),
    Many(Vec<Value<'d>>),
    /// `emit_webhooks(organization, project, action, payload)`.
    Payload(Value<'d>),
}

#[derive(Debug, Clone)]
pub struct Event<'d> {
    pub action: &'static Action,
    pub organization: i64,
    pub project: Option<Value<'d>>,
    pub project_id: Option<i64>,
    pub instance: Instance<'d>,
    pub webhooks: Vec<Webhook>,
    /// Webhook rows that cannot be read: each is skipped on its own, the others still count.
    pub invalid_webhooks: Vec<InvalidWebhook>,
    pub options: Options,
}

/// A webhook row that cannot be read, with its id when that much can be.
#[derive(Debug, Clone)]
pub struct InvalidWebhook {
    pub id: Option<i64>,
    pub error: Error,
}

const TOP_LEVEL: [&str; 7] = ["action", "organization", "project", "instance", "payload", "webhooks", "options"];

/// Parses the text of an event. Errors carry a code and the field's path.
pub fn parse_doc(text: &str) -> Result<Doc<'_>, Error> {
    Doc::parse(text).map_err(syntax_error)
}

/// The error for event bytes that are not UTF-8.
pub fn utf8_error(e: SyntaxError) -> Error {
    Error::event("", format!("the event is not valid UTF-8 (byte {})", e.offset)).at(Location { offset: e.offset, line: e.line, column: e.column })
}

fn syntax_error(e: SyntaxError) -> Error {
    Error::event(e.path, format!("malformed JSON: {} at line {} column {} (byte {})", e.message, e.line, e.column, e.offset))
        .at(Location { offset: e.offset, line: e.line, column: e.column })
}

/// As [`parse_doc`], keeping the text inside the document.
pub fn parse_doc_owned(text: String) -> Result<Doc<'static>, Error> {
    Doc::parse(text).map_err(syntax_error)
}

/// Parses event bytes, which must be UTF-8 (checked during the read).
pub fn parse_doc_bytes<'a>(bytes: impl Into<std::borrow::Cow<'a, [u8]>>) -> Result<Doc<'a>, Error> {
    Doc::parse_utf8(bytes).map_err(|e| match e {
        ReadError::Utf8(u) => utf8_error(u),
        ReadError::Syntax(s) => syntax_error(s),
    })
}

/// [`read`], then `options` (given apart from the event) over the event's own.
pub fn read_with<'d>(doc: &'d Doc<'_>, options: &OptionsPatch) -> Result<Event<'d>, Error> {
    let mut event = read(doc)?;
    options.apply(&mut event.options);
    Ok(event)
}

pub fn read<'d>(doc: &'d Doc<'_>) -> Result<Event<'d>, Error> {
    let root = doc.root();
    let entries: Vec<_> = root
        .entries()
        .ok_or_else(|| Error::event("", "the event must be a JSON object"))?
        .collect();
    for (key, _) in &entries {
        if !TOP_LEVEL.contains(&&**key) {
            return Err(Error::event(
                key.to_string(),
                format!("unknown event field {key:?} (expected one of {})", TOP_LEVEL.join(", ")),
            ));
        }
    }
    // Last occurrence wins, as in a Python dict.
    let get = |name: &str| entries.iter().rev().find(|(k, _)| k == name).map(|(_, v)| *v).filter(|v| !v.is_null());

    let action_value = get("action").ok_or_else(|| Error::event("action", "missing \"action\""))?;
    let action_name = action_value.as_str().ok_or_else(|| Error::event("action", "\"action\" must be a string"))?;
    let action = registry::find(&action_name).ok_or_else(|| {
        Error::new(ErrorCode::UnknownAction, "action", format!("unknown action {action_name:?}; Label Studio 1.23.2 has {}", registry::ACTIONS.iter().map(|a| a.action).collect::<Vec<_>>().join(", ")))
    })?;

    let organization = id_of(get("organization").ok_or_else(|| Error::event("organization", "missing \"organization\" (its id)"))?, "organization")?;

    let project = get("project");
    let project_id = match project {
        Some(p) if p.kind() == Kind::Object => {
            let id = p.get("id").ok_or_else(|| Error::row("project.id", "the project row has no \"id\""))?;
            Some(int_of(id, "project.id", ErrorCode::InvalidRow)?)
        }
        Some(_) => return Err(Error::event("project", "\"project\" must be the project row (an object) or null")),
        None => None,
    };
    if project.is_some() && action.organization_only {
        return Err(Error::new(
            ErrorCode::OrganizationOnlyAction,
            "project",
            format!("{} is organization-only: There is no project webhooks for organization-only action", action.action),
        ));
    }

    let instance = match (get("instance"), get("payload")) {
        (Some(_), Some(_)) => {
            return Err(Error::event("payload", "give \"instance\" (rows) or \"payload\" (a custom emit), not both"))
        }
        (None, Some(p)) if p.kind() == Kind::Object => Instance::Payload(p),
        (None, Some(_)) => return Err(Error::event("payload", "\"payload\" must be an object")),
        (None, None) => Instance::Absent,
        (Some(i), None) => match (action.many, i.elements()) {
            (true, Some(rows)) => Instance::Many(rows.collect()),
            (true, None) => {
                return Err(Error::event(
                    "instance",
                    format!("{} sends a list under {:?}: \"instance\" must be a list of rows", action.action, action.key),
                ))
            }
            (false, Some(_)) => {
                return Err(Error::event(
                    "instance",
                    format!("{} sends one {} under {:?}: \"instance\" must be one row, not a list", action.action, action.model, action.key),
                ))
            }
            (false, None) => Instance::One(i),
        },
    };

    let mut webhooks = Vec::new();
    let mut invalid_webhooks = Vec::new();
    if let Some(list) = get("webhooks") {
        let items = list.elements().ok_or_else(|| Error::event("webhooks", "\"webhooks\" must be a list"))?;
        for (i, w) in items.enumerate() {
            match webhook(w, i, organization) {
                Ok(h) => webhooks.push(h),
                Err(error) => {
                    let id = w.get("id").and_then(|v| id_of(v, "").ok());
                    invalid_webhooks.push(InvalidWebhook { id, error });
                }
            }
        }
    }

    let options = match get("options") {
        None => Options::default(),
        Some(o) => options(o)?,
    };

    Ok(Event { action, organization, project, project_id, instance, webhooks, invalid_webhooks, options })
}

fn int_of(v: Value<'_>, path: &str, code: ErrorCode) -> Result<i64, Error> {
    match v.as_number() {
        Some(n) if n.is_int => n.text.parse::<i64>().map_err(|_| Error::new(code, path, format!("{} is out of the 64-bit id range", n.text))),
        _ => Err(Error::new(code, path, "expected an integer id")),
    }
}

/// An id, or a row with an `id`.
fn id_of(v: Value<'_>, path: &str) -> Result<i64, Error> {
    if v.kind() == Kind::Object {
        let id = v.get("id").ok_or_else(|| Error::event(format!("{path}.id"), "expected an id or an object with \"id\""))?;
        return int_of(id, &format!("{path}.id"), ErrorCode::InvalidEvent);
    }
    int_of(v, path, ErrorCode::InvalidEvent)
}

fn webhook(w: Value<'_>, i: usize, organization: i64) -> Result<Webhook, Error> {
    let base = format!("webhooks[{i}]");
    if w.kind() != Kind::Object {
        return Err(Error::event(base, "a webhook must be an object"));
    }
    let field = |name: &str| w.get(name).filter(|v| !v.is_null());
    let path = |name: &str| format!("{base}.{name}");
    let boolean = |name: &str, default: bool| -> Result<bool, Error> {
        match field(name) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| Error::event(path(name), format!("\"{name}\" must be true or false"))),
        }
    };
    let id = id_of(field("id").ok_or_else(|| Error::event(path("id"), "a webhook needs its \"id\""))?, &path("id"))?;
    let organization = match field("organization") {
        Some(v) => id_of(v, &path("organization"))?,
        None => organization,
    };
    let project = match field("project") {
        Some(v) => Some(id_of(v, &path("project"))?),
        None => None,
    };
    let url = field("url")
        .and_then(|v| v.as_str())
        .ok_or_else(|| Error::event(path("url"), "a webhook needs its \"url\" (a string)"))?
        .into_owned();
    let mut headers = Vec::new();
    if let Some(h) = field("headers") {
        let entries = h.entries().ok_or_else(|| Error::event(path("headers"), "\"headers\" must be an object"))?;
        for (name, value) in entries {
            let value = match value.kind() {
                Kind::String => HeaderValue::Str(value.as_str().unwrap_or_default().into_owned()),
                Kind::Null => HeaderValue::Null,
                _ => HeaderValue::NotAString(value.text().to_owned()),
            };
            headers.push((name.into_owned(), value));
        }
    }
    let mut actions = Vec::new();
    if let Some(a) = field("actions") {
        let items = a.elements().ok_or_else(|| Error::event(path("actions"), "\"actions\" must be a list of action names"))?;
        for (j, item) in items.enumerate() {
            let name = item.as_str().ok_or_else(|| Error::event(format!("{base}.actions[{j}]"), "an action name must be a string"))?;
            actions.push(name.into_owned());
        }
    }
    Ok(Webhook {
        id,
        organization,
        project,
        url,
        send_payload: boolean("send_payload", true)?,
        send_for_all_actions: boolean("send_for_all_actions", true)?,
        headers,
        is_active: boolean("is_active", true)?,
        actions,
    })
}

fn options(o: Value<'_>) -> Result<Options, Error> {
    let mut opts = Options::default();
    OptionsPatch::read(o)?.apply(&mut opts);
    Ok(opts)
}

/// Options given apart from the event: the host's own settings (a CLI flag,
/// a signing secret that should not travel inside the event). Each option
/// given replaces the event's own; errors name it as `options.<name>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionsPatch {
    batch_size: Option<usize>,
    ssrf_protection: Option<bool>,
    body_as: Option<BodyAs>,
    signing: Option<Signing>,
}

impl OptionsPatch {
    /// From the JSON text of an options object (`{"ssrfProtection": false}`).
    pub fn parse(json: &str) -> Result<OptionsPatch, Error> {
        let doc = Doc::parse(json).map_err(|e| {
            let at = Location { offset: e.offset, line: e.line, column: e.column };
            Error::event("options", format!("the options are not JSON: {} at line {} column {}", e.message, e.line, e.column)).at(at)
        })?;
        OptionsPatch::read(doc.root())
    }

    fn read(o: Value<'_>) -> Result<OptionsPatch, Error> {
        let entries = o.entries().ok_or_else(|| Error::event("options", "\"options\" must be an object"))?;
        let mut patch = OptionsPatch::default();
        for (key, v) in entries {
            let path = format!("options.{key}");
            match &*key {
                "batchSize" => {
                    let n = v.as_number().filter(|n| n.is_int).and_then(|n| n.text.parse::<usize>().ok()).filter(|n| *n >= 1);
                    patch.batch_size = Some(n.ok_or_else(|| Error::event(path, "batchSize must be a positive integer"))?);
                }
                "ssrfProtection" => {
                    patch.ssrf_protection = Some(v.as_bool().ok_or_else(|| Error::event(path, "ssrfProtection must be true or false"))?);
                }
                "bodyAs" => {
                    patch.body_as = Some(match v.as_str().as_deref() {
                        Some("string") => BodyAs::String,
                        Some("bytes") => BodyAs::Bytes,
                        _ => return Err(Error::event(path, "bodyAs must be \"string\" or \"bytes\"")),
                    })
                }
                "signing" => patch.signing = Some(signing_options(v)?),
                _ => return Err(Error::event(path, format!("unknown option {key:?} (batchSize, bodyAs, signing, ssrfProtection)"))),
            }
        }
        Ok(patch)
    }

    pub fn apply(&self, to: &mut Options) {
        if let Some(n) = self.batch_size {
            to.batch_size = n;
        }
        if let Some(b) = self.ssrf_protection {
            to.ssrf_protection = b;
        }
        if let Some(b) = self.body_as {
            to.body_as = b;
        }
        if let Some(s) = &self.signing {
            to.signing = Some(s.clone());
        }
    }
}

/// `options.signing`. No message repeats a secret.
fn signing_options(o: Value<'_>) -> Result<Signing, Error> {
    let entries = o.entries().ok_or_else(|| Error::event("options.signing", "signing must be an object: {secret, secrets?, id?, timestamp?}"))?;
    let key = |v: Value<'_>, path: String| {
        let text = v.as_str().ok_or_else(|| Error::event(path.clone(), format!("{path} must be a string (whsec_ and the key in base64)")))?;
        Key::parse(&text).map_err(|why| Error::event(path.clone(), format!("{path} {why}")))
    };
    let mut signing = Signing { secret: None, secrets: Vec::new(), id: None, timestamp: None };
    for (name, v) in entries {
        let path = format!("options.signing.{name}");
        match &*name {
            "secret" => signing.secret = Some(key(v, path)?),
            "secrets" => {
                let per = v.entries().ok_or_else(|| Error::event(path.clone(), "secrets must map webhook ids to secrets"))?;
                for (id, secret) in per {
                    let at = format!("{path}.{id}");
                    let webhook: i64 = id.parse().map_err(|_| Error::event(at.clone(), format!("{id:?} is not a webhook id")))?;
                    let k = key(secret, at)?;
                    pyjson::dict_update(&mut signing.secrets, webhook, k, |a, b| a == b);
                }
            }
            "id" => {
                let id = v.as_str().ok_or_else(|| Error::event(path.clone(), "id must be a string"))?;
                signing::check_event_id(&id).map_err(|why| Error::event(path, format!("id {why}")))?;
                signing.id = Some(id.into_owned());
            }
            "timestamp" => {
                let ts = v.as_number().filter(|n| n.is_int).and_then(|n| n.text.parse::<i64>().ok()).filter(|t| *t >= 0);
                signing.timestamp = Some(ts.ok_or_else(|| Error::event(path, "timestamp must be whole seconds since the Unix epoch"))?);
            }
            _ => return Err(Error::event(path, format!("unknown signing option {name:?} (secret, secrets, id, timestamp)"))),
        }
    }
    if signing.secret.is_none() && signing.secrets.is_empty() {
        return Err(Error::event("options.signing.secret", "signing needs a secret (or per-webhook secrets)"));
    }
    Ok(signing)
}
