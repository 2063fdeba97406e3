//! The keys of a payload body, in the order Label Studio writes them:
//! `data = {"action": A}; data.update(payload)`, where the payload is
//! `{instance key: the rows, "project": the project row, nested keys...}`.
//! A key written twice keeps its first position and takes its last value
//! (PROJECT_UPDATED's `project` is the instance, then the project row).
//! The planner and the schema generator both read the body from here.

use crate::json::pyjson::dict_update;
use crate::labelstudio::registry::Action;
#[cfg(any(feature = "schemas", feature = "receiver"))]
use crate::labelstudio::serializers::SerializerId;

/// What a key of the body carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `action`: the action name, always first.
    Action,
    /// The instance rows, through the action's serializer.
    Instance,
    /// The project row (the event has a project).
    Project,
    /// `action.nested_fields[i]`, read from each instance row.
    Nested(usize),
}

/// The body's keys for `action`, given whether the event has a project.
pub fn body_layout(action: &Action, with_project: bool) -> Vec<(&'static str, Source)> {
    let mut payload = vec![(action.key, Source::Instance)];
    if with_project {
        dict_update(&mut payload, "project", Source::Project, PartialEq::eq);
    }
    for (i, n) in action.nested_fields.iter().enumerate() {
        dict_update(&mut payload, n.key, Source::Nested(i), PartialEq::eq);
    }
    with_action_first(vec![("action", Source::Action)], payload, PartialEq::eq)
}

/// `{"action": A}.update(payload)`, for any key type.
pub fn with_action_first<K, V>(mut body: Vec<(K, V)>, payload: Vec<(K, V)>, same: impl Fn(&K, &K) -> bool + Copy) -> Vec<(K, V)> {
    for (k, v) in payload {
        dict_update(&mut body, k, v, same);
    }
    body
}

/// Actions whose body may lack `project` although they are not
/// organization-only: Label Studio's "delete all tasks of a project"
/// (`DELETE /api/projects/{id}/tasks/`, `ProjectTaskListAPI.delete`) emits
/// TASKS_DELETED with no project, so only organization webhooks get it,
/// without the `project` key.
#[cfg(any(feature = "schemas", feature = "receiver"))]
pub const PROJECT_MAY_BE_ABSENT: &[&str] = &["TASKS_DELETED"];

/// What a key of the body carries.
#[cfg(any(feature = "schemas", feature = "receiver"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `action`: the action name, always first.
    Action,
    /// `ACTIONS[action]['key']`: the instance, one row or a list.
    Instance,
    /// `project`: the project of the event (`ProjectWebhookSerializer`).
    Project,
    /// A `nested-fields` key: the instance rows' related row(s).
    Nested,
}

/// One key of a payload body, in body order.
#[cfg(any(feature = "schemas", feature = "receiver"))]
#[derive(Debug, Clone, Copy)]
pub struct BodyKey {
    pub key: &'static str,
    pub role: Role,
    /// The serializer of the value (none for `action`).
    pub serializer: Option<SerializerId>,
    /// A list of rows rather than one row.
    pub many: bool,
    /// Present in every payload body of the action.
    pub required: bool,
}

/// The keys of the payload body of `action`, in the order Label Studio
/// writes them ([`body_layout`], with the project whenever the action
/// is not organization-only). PROJECT_UPDATED's `project` key is its instance.
#[cfg(any(feature = "schemas", feature = "receiver"))]
pub fn body_keys(action: &Action) -> Vec<BodyKey> {
    body_layout(action, !action.organization_only)
        .into_iter()
        .map(|(key, source)| {
            let (role, serializer, many) = match source {
                Source::Action => (Role::Action, None, false),
                Source::Instance => (Role::Instance, Some(action.serializer), action.many),
                Source::Project if key == action.key => (Role::Instance, Some(action.serializer), action.many),
                Source::Project => (Role::Project, Some(SerializerId::Project), false),
                Source::Nested(i) => (Role::Nested, Some(action.nested_fields[i].serializer), action.nested_fields[i].many),
            };
            let required = role != Role::Project || !PROJECT_MAY_BE_ABSENT.contains(&action.action);
            BodyKey { key, role, serializer, many, required }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labelstudio::registry::ACTIONS;

    fn layout(name: &str, with_project: bool) -> Vec<(&'static str, Source)> {
        body_layout(ACTIONS.iter().find(|a| a.action == name).unwrap(), with_project)
    }

    #[test]
    fn keys_in_label_studio_order() {
        use Source::*;
        assert_eq!(layout("TASKS_CREATED", true), vec![("action", Action), ("tasks", Instance), ("project", Project)]);
        assert_eq!(layout("TASKS_DELETED", false), vec![("action", Action), ("tasks", Instance)]);
        assert_eq!(layout("ANNOTATION_CREATED", true), vec![("action", Action), ("annotation", Instance), ("project", Project), ("task", Nested(0))]);
        // The instance key is `project`: first position, last value.
        assert_eq!(layout("PROJECT_UPDATED", true), vec![("action", Action), ("project", Project)]);
    }
}
