//! Who receives an event: `get_active_webhooks`, then the checks a request
//! goes through before it leaves Label Studio (URL and SSRF validation,
//! `requests`' header validation). A webhook that fails a check is skipped
//! with a reason; Label Studio logs the exception and goes on with the next.

use crate::json::pyjson;
use crate::labelstudio::ssrf::check_url;
use serde::Serialize;

/// A configured webhook, in the shape of Label Studio's `/api/webhooks/`.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: i64,
    pub organization: i64,
    pub project: Option<i64>,
    pub url: String,
    pub send_payload: bool,
    pub send_for_all_actions: bool,
    /// Header name and value as given; values that are not strings are kept
    /// as `None` text so the check below can refuse them like `requests`.
    pub headers: Vec<(String, HeaderValue)>,
    pub is_active: bool,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HeaderValue {
    Str(String),
    /// JSON null: `requests` drops the header (`merge_setting` removes None).
    Null,
    /// A number, bool, list or object: `requests` raises InvalidHeader.
    NotAString(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SkipReason {
    /// Label Studio would not send to it (not http(s), no host, a host urllib3
    /// or IDNA 2008 refuses, a bad port), `fetch` cannot parse it, or the two
    /// read a different destination from it.
    InvalidUrl,
    /// The host is an IPv6 literal: Label Studio resolves with
    /// `socket.gethostbyname`, which cannot, so the request never leaves.
    UnresolvableHost,
    /// `SSRF_PROTECTION_ENABLED` and the host, as Label Studio or as `fetch`
    /// reads it, is a reserved address.
    SsrfBlocked,
    /// A header name or value that `requests`/`http.client` or `fetch` refuse.
    InvalidHeader,
    /// The webhook row itself cannot be read (a field of the wrong type); the
    /// others are still matched and sent.
    InvalidWebhook,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::InvalidUrl => "INVALID_URL",
            SkipReason::UnresolvableHost => "UNRESOLVABLE_HOST",
            SkipReason::SsrfBlocked => "SSRF_BLOCKED",
            SkipReason::InvalidHeader => "INVALID_HEADER",
            SkipReason::InvalidWebhook => "INVALID_WEBHOOK",
        }
    }
}

/// Why a configured webhook is not a target of the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MissReason {
    /// `is_active` is false.
    Inactive,
    /// The webhook belongs to another organization.
    OtherOrganization,
    /// `send_for_all_actions` is false and the action is not among its `actions`.
    ActionNotSelected,
    /// A project webhook, and the action goes to organization webhooks only.
    OrganizationOnlyAction,
    /// A project webhook, and the event has no project.
    NoProject,
    /// A webhook of another project.
    OtherProject,
    /// The same id is listed earlier: Label Studio selects each webhook once.
    Duplicate,
}

impl MissReason {
    pub fn as_str(self) -> &'static str {
        match self {
            MissReason::Inactive => "INACTIVE",
            MissReason::OtherOrganization => "OTHER_ORGANIZATION",
            MissReason::ActionNotSelected => "ACTION_NOT_SELECTED",
            MissReason::OrganizationOnlyAction => "ORGANIZATION_ONLY_ACTION",
            MissReason::NoProject => "NO_PROJECT",
            MissReason::OtherProject => "OTHER_PROJECT",
            MissReason::Duplicate => "DUPLICATE",
        }
    }
}

/// A configured webhook that is not a target, and why (for people: Label
/// Studio says nothing about these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub webhook_id: i64,
    pub reason: MissReason,
    pub message: String,
}

/// What the event is, for matching webhooks.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub organization: i64,
    pub project: Option<i64>,
    pub action: &'a str,
    pub organization_only: bool,
}

/// `get_active_webhooks(organization, project, action)`: the webhooks of the
/// organization that are for this project or for the whole organization,
/// active, and subscribed to the action. Each once, in the order given. The
/// others come back with the first reason they fail on.
pub fn select<'w>(webhooks: &'w [Webhook], scope: Scope<'_>) -> (Vec<&'w Webhook>, Vec<Unmatched>) {
    let mut seen = Vec::new();
    let mut targets = Vec::new();
    let mut unmatched = Vec::new();
    for w in webhooks {
        let miss = |reason: MissReason, message: String| Unmatched { webhook_id: w.id, reason, message };
        let why = if !w.is_active {
            Some(miss(MissReason::Inactive, "inactive".into()))
        } else if w.organization != scope.organization {
            Some(miss(MissReason::OtherOrganization, format!("a webhook of organization {}", w.organization)))
        } else if !(w.send_for_all_actions || w.actions.iter().any(|a| a == scope.action)) {
            Some(miss(MissReason::ActionNotSelected, format!("not subscribed to {}", scope.action)))
        } else {
            match (w.project, scope.project) {
                (None, _) => None,
                (Some(_), _) if scope.organization_only => Some(miss(
                    MissReason::OrganizationOnlyAction,
                    format!("a project webhook; {} goes to organization webhooks only", scope.action),
                )),
                (Some(_), None) => Some(miss(MissReason::NoProject, "a project webhook; the event has no project".into())),
                (Some(p), Some(q)) if p != q => Some(miss(MissReason::OtherProject, format!("a webhook of project {p}"))),
                _ => None,
            }
        };
        match why {
            Some(u) => unmatched.push(u),
            None if seen.contains(&w.id) => unmatched.push(miss(MissReason::Duplicate, format!("webhook {} is listed twice", w.id))),
            None => {
                seen.push(w.id);
                targets.push(w);
            }
        }
    }
    (targets, unmatched)
}

/// Checks a webhook as the request would; `Ok` holds the headers to send.
pub fn check(webhook: &Webhook, ssrf_protection: bool) -> Result<Vec<(String, String)>, (SkipReason, String)> {
    check_url(&webhook.url, ssrf_protection)?;
    headers(&webhook.headers)
}

/// The headers `requests` would send from the webhook's own, plus
/// `Content-Type: application/json` unless the webhook sets one (any case).
/// Names merge case-insensitively like `CaseInsensitiveDict`: the first
/// position, the last name's case and value.
/// With signing on, a webhook may not set the headers signing adds: the
/// signature would be ambiguous, so the target is skipped rather than one
/// value silently replacing the other.
pub fn no_signing_headers(headers: Vec<(String, String)>) -> Result<Vec<(String, String)>, (SkipReason, String)> {
    match headers.iter().find(|(name, _)| crate::signing::HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))) {
        Some((name, _)) => Err((
            SkipReason::InvalidHeader,
            format!("header {name:?} is one that signing adds (options.signing): remove it from the webhook, or sign without it"),
        )),
        None => Ok(headers),
    }
}

pub fn headers(given: &[(String, HeaderValue)]) -> Result<Vec<(String, String)>, (SkipReason, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(given.len() + 1);
    for (name, value) in given {
        let value = match value {
            HeaderValue::Null => {
                out.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                continue;
            }
            HeaderValue::NotAString(v) => {
                return Err((SkipReason::InvalidHeader, format!("header {name:?}: value {v} must be a string")));
            }
            HeaderValue::Str(v) => v,
        };
        let bad_name = name.is_empty()
            || !name.is_ascii()
            || name.starts_with(|c: char| c.is_whitespace())
            || name.contains([':', '\r', '\n']);
        if bad_name {
            return Err((SkipReason::InvalidHeader, format!("invalid header name {name:?} (requests refuses it)")));
        }
        if value.starts_with(char::is_whitespace) || value.contains(['\r', '\n']) {
            return Err((SkipReason::InvalidHeader, format!("header {name:?}: value has leading whitespace or a line break (requests refuses it)")));
        }
        if value.chars().any(|c| c as u32 > 0xff) {
            return Err((SkipReason::InvalidHeader, format!("header {name:?}: value is not latin-1 (http.client cannot encode it)")));
        }
        // What requests sends but fetch's Headers refuse (a TypeError before any byte leaves).
        if !name.bytes().all(is_token_byte) {
            return Err((SkipReason::InvalidHeader, format!("invalid header name {name:?}: fetch (undici, browsers) takes only HTTP token characters")));
        }
        if value.contains('\0') {
            return Err((SkipReason::InvalidHeader, format!("header {name:?}: value has a NUL byte, which fetch (undici, browsers) refuses")));
        }
        pyjson::dict_update(&mut out, name.clone(), value.clone(), |a, b| a.eq_ignore_ascii_case(b));
    }
    if !out.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
        out.push(("Content-Type".into(), "application/json".into()));
    }
    Ok(out)
}

/// RFC 9110 `tchar`: what the Fetch standard's `Headers` accept in a name.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(id: i64, project: Option<i64>) -> Webhook {
        Webhook {
            id,
            organization: 1,
            project,
            url: format!("http://example.com/{id}"),
            send_payload: true,
            send_for_all_actions: true,
            headers: vec![],
            is_active: true,
            actions: vec![],
        }
    }

    #[test]
    fn selects_like_get_active_webhooks() {
        let mut hooks = vec![hook(1, None), hook(2, Some(10)), hook(3, Some(11)), hook(4, None), hook(5, None), hook(1, None)];
        hooks[3].is_active = false;
        hooks[4].send_for_all_actions = false;
        hooks[4].actions = vec!["TASKS_CREATED".into()];
        let mut other = hook(6, None);
        other.organization = 2;
        hooks.push(other);
        let scope = |organization, project, action| Scope { organization, project, action, organization_only: false };
        let ids = |(t, _): (Vec<&Webhook>, Vec<Unmatched>)| t.iter().map(|w| w.id).collect::<Vec<_>>();
        assert_eq!(ids(select(&hooks, scope(1, Some(10), "TASKS_CREATED"))), vec![1, 2, 5]);
        assert_eq!(ids(select(&hooks, scope(1, Some(10), "TASKS_DELETED"))), vec![1, 2]);
        assert_eq!(ids(select(&hooks, scope(1, None, "TASKS_CREATED"))), vec![1, 5]);
        assert_eq!(ids(select(&hooks, scope(2, None, "TASKS_CREATED"))), vec![6]);
        let (_, missed) = select(&hooks, scope(1, Some(10), "TASKS_DELETED"));
        let reasons: Vec<(i64, MissReason)> = missed.iter().map(|u| (u.webhook_id, u.reason)).collect();
        use MissReason::*;
        assert_eq!(reasons, vec![(3, OtherProject), (4, Inactive), (5, ActionNotSelected), (1, Duplicate), (6, OtherOrganization)]);
        let org_only = Scope { organization: 1, project: None, action: "PROJECT_CREATED", organization_only: true };
        assert_eq!(select(&hooks, org_only).1[0].reason, OrganizationOnlyAction);
        assert_eq!(select(&hooks, scope(1, None, "TASKS_CREATED")).1[0].reason, NoProject);
    }

    #[test]
    fn builds_headers_like_requests() {
        let s = |v: &str| HeaderValue::Str(v.into());
        let h = headers(&[("X-A".into(), s("1")), ("x-a".into(), s("2")), ("Drop".into(), s("x")), ("drop".into(), HeaderValue::Null)]).unwrap();
        assert_eq!(h, vec![("x-a".into(), "2".into()), ("Content-Type".into(), "application/json".into())]);
        let h = headers(&[("content-TYPE".into(), s("text/plain")), ("É".into(), s("x"))]);
        assert_eq!(h.unwrap_err().0, SkipReason::InvalidHeader);
        let h = headers(&[("content-TYPE".into(), s("text/plain; charset=é"))]).unwrap();
        assert_eq!(h, vec![("content-TYPE".into(), "text/plain; charset=é".into())]);
        for bad in [s("a\r\nb"), s(" lead"), s("€"), HeaderValue::NotAString("1".into())] {
            assert!(headers(&[("X".into(), bad)]).is_err());
        }
        assert!(headers(&[("Bad Name:".into(), s("x"))]).is_err());
        // requests sends these; fetch refuses them.
        for (name, value) in [("X Y", "x"), ("X(1)", "x"), ("X", "a\0b")] {
            let e = headers(&[(name.into(), s(value))]).unwrap_err();
            assert!(e.1.contains("fetch"), "{name:?}: {}", e.1);
        }
    }
}
