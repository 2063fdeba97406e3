//! The one error type: a stable code, the path of the offending field, and a
//! sentence for people.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// `action` is not one of the 12 actions.
    UnknownAction,
    /// An organization-only action was given a project (Label Studio raises
    /// "There is no project webhooks for organization-only action").
    OrganizationOnlyAction,
    /// The event itself is malformed: not JSON, wrong types, bad options,
    /// `instance` and `payload` both given, a list where one row is expected.
    InvalidEvent,
    /// A row cannot be rendered by its serializer: a missing field, a value
    /// of the wrong kind, a nested field given only as an id.
    InvalidRow,
    /// A received body is not one Label Studio sends (`parseWebhook`).
    InvalidBody,
    /// An argument of the receiver's functions is unusable (a secret that is
    /// not one, a tolerance that is not a number).
    InvalidArgument,
    /// Verifying a signed delivery: a Standard Webhooks header is absent.
    MissingHeader,
    /// Verifying: a header is there but unreadable (a timestamp that is not a number).
    InvalidHeader,
    /// Verifying: the timestamp is further from now than the tolerance.
    TimestampOutOfTolerance,
    /// Verifying: no signature matches (another secret, or a changed body, id or timestamp).
    SignatureMismatch,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnknownAction => "UNKNOWN_ACTION",
            ErrorCode::OrganizationOnlyAction => "ORGANIZATION_ONLY_ACTION",
            ErrorCode::InvalidEvent => "INVALID_EVENT",
            ErrorCode::InvalidRow => "INVALID_ROW",
            ErrorCode::InvalidBody => "INVALID_BODY",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::MissingHeader => "MISSING_HEADER",
            ErrorCode::InvalidHeader => "INVALID_HEADER",
            ErrorCode::TimestampOutOfTolerance => "TIMESTAMP_OUT_OF_TOLERANCE",
            ErrorCode::SignatureMismatch => "SIGNATURE_MISMATCH",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    pub code: ErrorCode,
    /// Where in the event, e.g. `instance[3].created_at`; empty for the whole event.
    pub path: String,
    pub message: String,
    /// For malformed JSON (and bytes that are not UTF-8): where in the text, so no
    /// caller has to read it back out of the message.
    pub location: Option<Location>,
}

/// A place in the event's text: a byte offset, and the 1-based line and column
/// (columns count characters) a person would look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl Error {
    pub fn new(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error { code, path: path.into(), message: message.into(), location: None }
    }

    pub fn at(mut self, location: Location) -> Error {
        self.location = Some(location);
        self
    }

    pub fn event(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidEvent, path, message)
    }

    pub fn row(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidRow, path, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.code.as_str(), self.message)
        } else {
            write!(f, "{} at {}: {}", self.code.as_str(), self.path, self.message)
        }
    }
}

impl std::error::Error for Error {}

/// A path built only when an error needs it: `instance[3].task.data`.
#[derive(Clone, Copy)]
pub enum Path<'p> {
    Root(&'static str),
    Index(&'p Path<'p>, usize),
    Key(&'p Path<'p>, &'p str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(name) => f.write_str(name),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Key(parent, key) => {
                let p = parent.to_string();
                if p.is_empty() {
                    f.write_str(key)
                } else {
                    write!(f, "{p}.{key}")
                }
            }
        }
    }
}

impl<'p> Path<'p> {
    pub fn key(&'p self, key: &'p str) -> Path<'p> {
        Path::Key(self, key)
    }

    pub fn index(&'p self, i: usize) -> Path<'p> {
        Path::Index(self, i)
    }
}
