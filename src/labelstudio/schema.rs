//! JSON Schemas (draft 2020-12) of the webhook bodies, one per action,
//! derived from the registry ([`crate::labelstudio::registry::ACTIONS`]) and the
//! serializer field lists ([`crate::labelstudio::serializers`]). Nothing here restates a
//! field or a key by hand except the field descriptions (Label Studio's own
//! `help_text`, checked against the field lists by the tests below).
//!
//! Shape of every schema:
//! - the root is `oneOf` two objects: `$defs/payload` (the body a webhook
//!   with `send_payload` true gets) and `$defs/action_only` (`{"action": A}`,
//!   what a webhook with `send_payload` false gets). The payload branch
//!   requires the instance key, so exactly one branch matches any body;
//! - every object (the body and each row) has `additionalProperties: false`
//!   and an `x-key-order` annotation: the keys in the order Label Studio
//!   writes them (JSON objects are unordered, the bytes are not). Ajv's strict
//!   mode wants unknown keywords declared: `new Ajv2020({ keywords: ["x-key-order"] })`;
//! - rows live in `$defs` under the serializer's name (`task`, `project`, ...).
//!
//! Field kinds: int → `integer`, float → `number`, bool → `boolean`,
//! str → `string`, uuid → `string` with the canonical lowercase pattern,
//! datetime → `string` with the `Z` (UTC) pattern, json → any value, foreign
//! key → `integer` (the related id), many-to-many → array of `integer`.
//! A nullable field also allows `null`. Declared read-only fields (the 8
//! project counts, `annotations_count`) are not required: DRF renders them
//! only when the row carries them.

use crate::labelstudio::registry::{Action, ACTIONS};
use crate::labelstudio::serializers::{Field, FieldKind, Serializer, SerializerId};
use serde_json::{json, Map, Value};
pub use crate::labelstudio::layout::{body_keys, BodyKey, Role, PROJECT_MAY_BE_ABSENT};

/// The meta-schema every schema declares.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The annotation keyword listing an object's keys in body order.
pub const KEY_ORDER: &str = "x-key-order";

/// A DRF datetime: UTC `isoformat()` with `Z`; microseconds only when non-zero.
pub const DATETIME_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?Z$";

/// DRF's `UUIDField` ('hex_verbose'): lowercase 8-4-4-4-12.
pub const UUID_PATTERN: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// The `$defs` name of a serializer's row schema.
pub fn def_name(id: SerializerId) -> &'static str {
    match id {
        SerializerId::Project => "project",
        SerializerId::Task => "task",
        SerializerId::Annotation => "annotation",
        SerializerId::LabelLink => "label_link",
        SerializerId::Label => "label",
        SerializerId::OnlyId => "only_id",
    }
}

/// What a field means, from Label Studio 1.23.2's model `help_text` where it
/// has one (the tests check this table against the serializer field lists).
pub fn field_doc(ser: SerializerId, field: &str) -> Option<&'static str> {
    FIELD_DOCS.iter().find(|(s, f, _)| *s == ser && *f == field).map(|(_, _, d)| *d)
}

use SerializerId as S;

#[rustfmt::skip]
static FIELD_DOCS: &[(SerializerId, &str, &str)] = &[
    (S::OnlyId, "id", "Primary key of the deleted object (the only field sent)."),

    (S::Project, "id", "Project id."),
    (S::Project, "task_number", "Number of tasks in the project. Computed by Label Studio when the project is loaded; present whenever Label Studio sends a project."),
    (S::Project, "finished_task_number", "Number of finished (labeled) tasks. See `task_number` for when it is present."),
    (S::Project, "total_predictions_number", "Number of predictions in the project. See `task_number`."),
    (S::Project, "total_annotations_number", "Number of annotations that are not cancelled (skipped). See `task_number`."),
    (S::Project, "num_tasks_with_annotations", "Number of tasks with at least one annotation. See `task_number`."),
    (S::Project, "useful_annotation_number", "Number of annotations that are neither cancelled nor ground truth. See `task_number`."),
    (S::Project, "ground_truth_number", "Number of ground-truth annotations. See `task_number`."),
    (S::Project, "skipped_annotations_number", "Number of cancelled (skipped) annotations. See `task_number`."),
    (S::Project, "title", "Project name."),
    (S::Project, "description", "Project description."),
    (S::Project, "label_config", "Labeling configuration, XML text."),
    (S::Project, "parsed_label_config", "The labeling configuration parsed into JSON: one entry per control tag."),
    (S::Project, "label_config_hash", "Hash of the labeling configuration; a 64-bit integer, often past 2^53 (parse it with a big-integer-safe JSON reader if you need it exactly)."),
    (S::Project, "expert_instruction", "Labeling instructions, HTML."),
    (S::Project, "show_instruction", "Show the instructions to the annotator before they start."),
    (S::Project, "show_skip_button", "Show a skip button and allow annotators to skip tasks."),
    (S::Project, "enable_empty_annotation", "Allow annotators to submit empty annotations."),
    (S::Project, "reveal_preannotations_interactively", "Reveal pre-annotations interactively."),
    (S::Project, "show_annotation_history", "Show the annotation history to the annotator."),
    (S::Project, "show_collab_predictions", "Annotators can see model predictions."),
    (S::Project, "evaluate_predictions_automatically", "Retrieve and display predictions when a task is loaded."),
    (S::Project, "token", "The project's token (used in invite links)."),
    (S::Project, "result_count", "Total number of results inside the project's annotations."),
    (S::Project, "color", "Project color, e.g. `#FFFFFF`."),
    (S::Project, "maximum_annotations", "Annotations per task after which the task is complete (`is_labeled`)."),
    (S::Project, "min_annotations_to_start_training", "Completed tasks after which model training starts."),
    (S::Project, "control_weights", "Weights of each control tag and label in agreement calculation."),
    (S::Project, "model_version", "Machine-learning model version used for predictions."),
    (S::Project, "data_types", "Data keys the labeling configuration reads, with their object tag types, e.g. `{\"text\": \"Text\"}`."),
    (S::Project, "is_draft", "The project is still being created."),
    (S::Project, "is_published", "The project is published to annotators."),
    (S::Project, "created_at", "When the project was created."),
    (S::Project, "updated_at", "When the project was last updated."),
    (S::Project, "sampling", "Task sampling: `Sequential sampling`, `Uniform sampling` or `Uncertainty sampling`."),
    (S::Project, "skip_queue", "What happens to skipped tasks: `REQUEUE_FOR_ME`, `REQUEUE_FOR_OTHERS` or `IGNORE_SKIPPED`."),
    (S::Project, "show_ground_truth_first", "Onboarding mode: ground-truth tasks come first in the labeling stream."),
    (S::Project, "annotator_evaluation_enabled", "Annotator evaluation is enabled."),
    (S::Project, "show_overlap_first", "Overlapping tasks come first in the labeling stream."),
    (S::Project, "overlap_cohort_percentage", "Percentage of tasks that get the full overlap (`maximum_annotations`)."),
    (S::Project, "task_data_login", "Task data credentials: login."),
    (S::Project, "task_data_password", "Task data credentials: password (sent as stored)."),
    (S::Project, "pinned_at", "When the project was pinned, or null."),
    (S::Project, "custom_task_lock_ttl", "Task lock time-to-live in seconds; null for the default."),
    (S::Project, "deleted_at", "When the project was soft-deleted, or null."),
    (S::Project, "purge_at", "When a soft-deleted project will be purged, or null."),
    (S::Project, "search_vector", "Full-text search data of the project, usually null."),
    (S::Project, "organization", "Id of the organization."),
    (S::Project, "created_by", "Id of the user who created the project."),
    (S::Project, "deleted_by", "Id of the user who deleted the project, or null."),

    (S::Task, "id", "Task id."),
    (S::Task, "data", "The task data as imported: keys as the labeling configuration reads them (`$text` reads `data.text`). A `$undefined$` key is renamed to the project's first data type key."),
    (S::Task, "meta", "Imported metadata of the task (input for ML backends)."),
    (S::Task, "created_at", "When the task was created."),
    (S::Task, "updated_at", "When the task was last updated."),
    (S::Task, "is_labeled", "The task has at least `maximum_annotations` annotations."),
    (S::Task, "allow_skip", "Whether the task can be skipped."),
    (S::Task, "overlap", "Number of distinct annotators that should process the task."),
    (S::Task, "inner_id", "Task number inside the project, from 1."),
    (S::Task, "total_annotations", "Annotations of the task, cancelled ones excluded."),
    (S::Task, "cancelled_annotations", "Cancelled (skipped) annotations of the task."),
    (S::Task, "total_predictions", "Predictions of the task."),
    (S::Task, "precomputed_agreement", "Average agreement score of the task."),
    (S::Task, "comment_count", "Comments on the task, across its annotations."),
    (S::Task, "unresolved_comment_count", "Unresolved comments on the task."),
    (S::Task, "last_comment_updated_at", "When the last comment was updated."),
    (S::Task, "project", "Id of the task's project."),
    (S::Task, "updated_by", "Id of the last user who updated the task."),
    (S::Task, "file_upload", "Id of the uploaded file the task came from."),
    (S::Task, "comment_authors", "Ids of the users who commented on the task."),

    (S::Annotation, "id", "Annotation id."),
    (S::Annotation, "result", "The labeling result: a list of regions/choices in Label Studio's result format."),
    (S::Annotation, "was_cancelled", "The annotator skipped the task."),
    (S::Annotation, "ground_truth", "The annotation is ground truth."),
    (S::Annotation, "created_at", "When the annotation was created."),
    (S::Annotation, "updated_at", "When the annotation was last updated."),
    (S::Annotation, "draft_created_at", "When the draft this annotation came from was created."),
    (S::Annotation, "lead_time", "Seconds spent annotating; always a float (`12.0`)."),
    (S::Annotation, "prediction", "The prediction viewed while annotating (`{}` when none)."),
    (S::Annotation, "result_count", "Number of results in the annotation."),
    (S::Annotation, "unique_id", "Unique id of the annotation (UUID)."),
    (S::Annotation, "import_id", "The annotation's original id at import, or null if it was not imported."),
    (S::Annotation, "last_action", "The last action of the annotation's history, e.g. `prediction` or `imported`."),
    (S::Annotation, "bulk_created", "The annotation was created in bulk."),
    (S::Annotation, "task", "Id of the annotated task."),
    (S::Annotation, "project", "Id of the project."),
    (S::Annotation, "completed_by", "Id of the user who created the annotation."),
    (S::Annotation, "updated_by", "Id of the last user who updated the annotation."),
    (S::Annotation, "parent_prediction", "Id of the prediction the annotation was created from."),
    (S::Annotation, "parent_annotation", "Id of the annotation this one was created from."),
    (S::Annotation, "last_created_by", "Id of the user who created the last history item."),

    (S::LabelLink, "id", "Label link id."),
    (S::LabelLink, "annotations_count", "Annotations using the label. Declared read-only; Label Studio's webhook rows never carry it, so it is absent from webhook bodies."),
    (S::LabelLink, "from_name", "Name of the control tag the label belongs to."),
    (S::LabelLink, "project", "Id of the project."),
    (S::LabelLink, "label", "Id of the label."),

    (S::Label, "id", "Label id."),
    (S::Label, "links", "Ids of the label's links (one per project and control tag)."),
    (S::Label, "created_at", "When the label was created."),
    (S::Label, "updated_at", "When the label was last updated."),
    (S::Label, "value", "The label value, as used in annotation results."),
    (S::Label, "title", "Label title."),
    (S::Label, "description", "Label description."),
    (S::Label, "approved", "The label is approved."),
    (S::Label, "created_by", "Id of the user who created the label."),
    (S::Label, "approved_by", "Id of the user who approved the label."),
    (S::Label, "organization", "Id of the organization."),
    (S::Label, "projects", "Ids of the projects the label is linked to."),
];

/// The schema of one field's value.
pub fn field_schema(ser: SerializerId, field: &Field) -> Value {
    let ty = |t: &str| if field.nullable { json!([t, "null"]) } else { json!(t) };
    let mut s = match field.kind {
        FieldKind::Int | FieldKind::ForeignKey => json!({ "type": ty("integer") }),
        FieldKind::Float => json!({ "type": ty("number") }),
        FieldKind::Bool => json!({ "type": ty("boolean") }),
        FieldKind::Str => json!({ "type": ty("string") }),
        FieldKind::Uuid => json!({ "type": ty("string"), "pattern": UUID_PATTERN }),
        FieldKind::DateTime => json!({ "type": ty("string"), "pattern": DATETIME_PATTERN }),
        // Any JSON value: the field is passed through as stored.
        FieldKind::Json => json!({}),
        FieldKind::ManyToMany => json!({ "type": "array", "items": { "type": "integer" } }),
    };
    let doc = field_doc(ser, field.name).unwrap_or("");
    let mut text = doc.to_string();
    if field.kind == FieldKind::Json {
        text.push_str(if field.nullable { " Any JSON value, or null." } else { " Any JSON value." });
    }
    if field.declared_read_only {
        text.push_str(" Optional: present only when Label Studio's row carries it.");
    }
    s["description"] = Value::String(text.trim().to_string());
    s
}

/// The schema of one row of `ser`.
pub fn row_schema(ser: &Serializer) -> Value {
    let mut props = Map::new();
    for f in ser.fields {
        props.insert(f.name.to_string(), field_schema(ser.id, f));
    }
    let order: Vec<&str> = ser.fields.iter().map(|f| f.name).collect();
    let required: Vec<&str> = ser.fields.iter().filter(|f| !f.declared_read_only).map(|f| f.name).collect();
    let optional: Vec<String> = ser.fields.iter().filter(|f| f.declared_read_only).map(|f| format!("`{}`", f.name)).collect();
    let mut description = if ser.id == SerializerId::OnlyId {
        "A deleted object as `OnlyIDWebhookSerializer` renders it: `{\"id\": n}`.".to_string()
    } else {
        format!("A {} row as Label Studio's `{}` renders it (DRF `fields='__all__'`).", ser.model, ser.class)
    };
    description.push_str(" Keys appear in the order of `x-key-order`.");
    if !optional.is_empty() {
        description.push_str(&format!(" Not required (declared read-only, rendered only when the row has them): {}.", optional.join(", ")));
    }
    json!({
        "title": ser.class,
        "description": description,
        "type": "object",
        KEY_ORDER: order,
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

fn value_schema(k: &BodyKey) -> Value {
    let ser = k.serializer.expect("a payload key other than action has a serializer");
    let row = json!({ "$ref": format!("#/$defs/{}", def_name(ser)) });
    if k.many {
        // Batches are never empty: an empty list sends nothing at all.
        json!({ "type": "array", "minItems": 1, "items": row })
    } else {
        row
    }
}

fn key_description(action: &Action, k: &BodyKey) -> String {
    let ser = k.serializer.map(|s| s.get());
    match k.role {
        Role::Action => format!("Always `\"{}\"`, the first key of every body.", action.action),
        Role::Instance if action.key == "project" && !action.organization_only => format!(
            "The project, as `{}` renders it (instance and event project are the same object here).",
            ser.map(|s| s.class).unwrap_or("")
        ),
        Role::Instance => {
            let ser = ser.expect("instance serializer");
            let batch = "one batch: never empty, at most WEBHOOK_BATCH_SIZE items";
            match (ser.id == SerializerId::OnlyId, k.many) {
                (true, true) => format!("A list ({batch}) of `{{\"id\": n}}` objects, one per deleted {}.", action.model),
                (true, false) => format!("`{{\"id\": n}}` of the deleted {}.", action.model),
                (false, true) => format!("A list ({batch}) of {} rows, each as `{}` renders it.", action.model, ser.class),
                (false, false) => format!("The {} row, as `{}` renders it.", action.model, ser.class),
            }
        }
        Role::Project => {
            let mut d = "The event's project, as `ProjectWebhookSerializer` renders it (with its 8 counts).".to_string();
            if !k.required {
                d.push_str(" Absent when Label Studio emits without a project (all tasks of a project deleted at once: organization webhooks only).");
            }
            d
        }
        Role::Nested => {
            let ser = ser.expect("nested serializer");
            if k.many {
                format!(
                    "A list of `{}` rows: the `{}` of each item of `{}`, in the same order (one per item, duplicates kept).",
                    ser.class, k.key, action.key
                )
            } else {
                format!("The instance's `{}`, as `{}` renders it.", k.key, ser.class)
            }
        }
    }
}

/// The JSON Schema of every body Label Studio sends for `action`.
pub fn schema(action: &Action) -> Value {
    let keys = body_keys(action);
    let mut props = Map::new();
    let mut defs = Map::new();
    for k in &keys {
        let mut v = match k.role {
            Role::Action => json!({ "const": action.action }),
            _ => value_schema(k),
        };
        v["description"] = Value::String(key_description(action, k));
        props.insert(k.key.to_string(), v);
        if let Some(ser) = k.serializer {
            defs.insert(def_name(ser).to_string(), row_schema(ser.get()));
        }
    }
    let order: Vec<&str> = keys.iter().map(|k| k.key).collect();
    let required: Vec<&str> = keys.iter().filter(|k| k.required).map(|k| k.key).collect();
    let optional: Vec<String> = keys.iter().filter(|k| !k.required).map(|k| format!("`{}`", k.key)).collect();
    let mut payload_description = format!(
        "The body a webhook with `send_payload` true receives. Keys appear in the order of `x-key-order`: {}.",
        order.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    );
    if !optional.is_empty() {
        payload_description.push_str(&format!(" Not always present: {}.", optional.join(", ")));
    }
    defs.insert(
        "payload".to_string(),
        json!({
            "description": payload_description,
            "type": "object",
            KEY_ORDER: order,
            "properties": props,
            "required": required,
            "additionalProperties": false,
        }),
    );
    defs.insert(
        "action_only".to_string(),
        json!({
            "description": format!("The body a webhook with `send_payload` false receives: `{{\"action\": \"{}\"}}` alone.", action.action),
            "type": "object",
            KEY_ORDER: ["action"],
            "properties": { "action": { "const": action.action } },
            "required": ["action"],
            "additionalProperties": false,
        }),
    );
    json!({
        "$schema": DRAFT_2020_12,
        "$id": format!("urn:ls-webhooks:label-studio-1.23.2:{}", action.action),
        "title": format!("{} webhook body (Label Studio 1.23.2)", action.action),
        "description": format!(
            "{} (\"{}\"): {} Either the full payload (`$defs/payload`) or the action alone (`$defs/action_only`).",
            action.action, action.name, action.description
        ),
        "oneOf": [ { "$ref": "#/$defs/payload" }, { "$ref": "#/$defs/action_only" } ],
        "$defs": defs,
    })
}

/// Every action's schema, keyed by action name.
pub fn schemas() -> Value {
    let mut all = Map::new();
    for a in ACTIONS.iter() {
        all.insert(a.action.to_string(), schema(a));
    }
    Value::Object(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labelstudio::{registry, serializers};

    fn s(action: &str) -> Value {
        schema(registry::find(action).unwrap())
    }

    fn strs(v: &Value) -> Vec<&str> {
        v.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect()
    }

    #[test]
    fn one_schema_per_action_with_draft_and_const() {
        let all = schemas();
        assert_eq!(all.as_object().unwrap().len(), 12);
        for a in ACTIONS.iter() {
            let sc = &all[a.action];
            assert_eq!(sc["$schema"], DRAFT_2020_12);
            assert_eq!(sc["$defs"]["payload"]["properties"]["action"]["const"], a.action);
            assert_eq!(sc["$defs"]["action_only"]["properties"]["action"]["const"], a.action);
            assert_eq!(strs(&sc["$defs"]["action_only"]["required"]), ["action"]);
            assert_eq!(sc["$defs"]["payload"]["additionalProperties"], false);
            assert_eq!(sc["$defs"]["action_only"]["additionalProperties"], false);
            // The payload branch requires the instance key: the two branches never both match.
            assert!(strs(&sc["$defs"]["payload"]["required"]).contains(&a.key), "{}", a.action);
            // Every $ref points into $defs.
            let text = sc.to_string();
            for part in text.split("\"$ref\":\"#/$defs/").skip(1) {
                let name = &part[..part.find('"').unwrap()];
                assert!(sc["$defs"].get(name).is_some(), "{}: dangling $ref {name}", a.action);
            }
        }
    }

    #[test]
    fn every_serializer_field_has_a_description_and_no_description_is_stale() {
        for ser in serializers::ALL.iter() {
            for f in ser.fields {
                let d = field_doc(ser.id, f.name);
                assert!(d.is_some_and(|d| !d.is_empty()), "{}.{} has no description in FIELD_DOCS", ser.class, f.name);
            }
        }
        for (ser, name, _) in FIELD_DOCS {
            assert!(ser.get().fields.iter().any(|f| f.name == *name), "FIELD_DOCS describes {name}, not a field of {:?}", ser);
            assert_eq!(FIELD_DOCS.iter().filter(|(s, n, _)| s == ser && n == name).count(), 1, "{name} described twice");
        }
    }

    #[test]
    fn body_key_order_follows_dict_update() {
        let order = |a: &str| strs(&s(a)["$defs"]["payload"][KEY_ORDER]).iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(order("PROJECT_CREATED"), ["action", "project"]);
        assert_eq!(order("PROJECT_UPDATED"), ["action", "project"]);
        assert_eq!(order("PROJECT_DELETED"), ["action", "project"]);
        assert_eq!(order("TASKS_CREATED"), ["action", "tasks", "project"]);
        assert_eq!(order("ANNOTATION_CREATED"), ["action", "annotation", "project", "task"]);
        assert_eq!(order("ANNOTATIONS_CREATED"), ["action", "annotation", "project", "task"]);
        assert_eq!(order("ANNOTATIONS_DELETED"), ["action", "annotations", "project"]);
        assert_eq!(order("LABEL_LINK_UPDATED"), ["action", "label_link", "project", "label"]);
        for a in ACTIONS.iter() {
            let sc = s(a.action);
            let p = &sc["$defs"]["payload"];
            let keys: Vec<&String> = p["properties"].as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), strs(&p[KEY_ORDER]).len(), "{}", a.action);
            for k in strs(&p[KEY_ORDER]) {
                assert!(p["properties"].get(k).is_some(), "{}: {k}", a.action);
            }
        }
    }

    #[test]
    fn project_key_presence() {
        // Organization-only: the only `project` is the instance (a full project or {id}).
        assert_eq!(s("PROJECT_CREATED")["$defs"]["payload"]["properties"]["project"]["$ref"], "#/$defs/project");
        assert_eq!(s("PROJECT_DELETED")["$defs"]["payload"]["properties"]["project"]["$ref"], "#/$defs/only_id");
        assert!(s("PROJECT_DELETED")["$defs"].get("project").is_none());
        // Project actions require it, except TASKS_DELETED (delete-all sends none).
        for a in ACTIONS.iter().filter(|a| !a.organization_only) {
            let req = strs(&s(a.action)["$defs"]["payload"]["required"]).contains(&"project");
            assert_eq!(req, a.action != "TASKS_DELETED", "{}", a.action);
            assert!(s(a.action)["$defs"]["payload"]["properties"].get("project").is_some());
        }
    }

    #[test]
    fn many_and_one_shapes() {
        let p = |a: &str, k: &str| s(a)["$defs"]["payload"]["properties"][k].clone();
        // ANNOTATIONS_CREATED: a list under the singular key, and a list of tasks.
        assert_eq!(p("ANNOTATIONS_CREATED", "annotation")["type"], "array");
        assert_eq!(p("ANNOTATIONS_CREATED", "annotation")["items"]["$ref"], "#/$defs/annotation");
        assert_eq!(p("ANNOTATIONS_CREATED", "task")["type"], "array");
        assert_eq!(p("ANNOTATIONS_CREATED", "task")["items"]["$ref"], "#/$defs/task");
        assert_eq!(p("ANNOTATION_CREATED", "annotation")["$ref"], "#/$defs/annotation");
        assert_eq!(p("ANNOTATION_CREATED", "task")["$ref"], "#/$defs/task");
        assert_eq!(p("TASKS_CREATED", "tasks")["items"]["$ref"], "#/$defs/task");
        assert_eq!(p("TASKS_CREATED", "tasks")["minItems"], 1);
        assert_eq!(p("TASKS_DELETED", "tasks")["items"]["$ref"], "#/$defs/only_id");
        assert_eq!(p("LABEL_LINK_CREATED", "label_link")["type"], "array");
        assert_eq!(p("LABEL_LINK_UPDATED", "label_link")["$ref"], "#/$defs/label_link");
        assert_eq!(p("LABEL_LINK_UPDATED", "label")["$ref"], "#/$defs/label");
        assert_eq!(p("LABEL_LINK_DELETED", "label_link")["$ref"], "#/$defs/only_id");
        for a in ACTIONS.iter() {
            assert_eq!(p(a.action, a.key).get("type").map(|t| t == "array").unwrap_or(false), a.many, "{}", a.action);
        }
    }

    #[test]
    fn field_kinds_nullability_and_required() {
        let task = row_schema(&serializers::TASK);
        let prop = |r: &Value, f: &str| r["properties"][f].clone();
        assert_eq!(prop(&task, "id")["type"], "integer");
        assert_eq!(prop(&task, "precomputed_agreement")["type"], json!(["number", "null"]));
        assert_eq!(prop(&task, "is_labeled")["type"], "boolean");
        assert_eq!(prop(&task, "allow_skip")["type"], json!(["boolean", "null"]));
        assert_eq!(prop(&task, "created_at")["type"], "string");
        assert_eq!(prop(&task, "created_at")["pattern"], DATETIME_PATTERN);
        assert_eq!(prop(&task, "last_comment_updated_at")["type"], json!(["string", "null"]));
        assert!(prop(&task, "data").get("type").is_none(), "json fields take any value");
        assert_eq!(prop(&task, "project")["type"], json!(["integer", "null"]));
        assert_eq!(prop(&task, "comment_authors")["items"]["type"], "integer");
        assert_eq!(task["additionalProperties"], false);
        assert_eq!(strs(&task["required"]).len(), serializers::TASK.fields.len());
        assert_eq!(strs(&task[KEY_ORDER]), serializers::TASK.fields.iter().map(|f| f.name).collect::<Vec<_>>());

        let ann = row_schema(&serializers::ANNOTATION);
        assert_eq!(prop(&ann, "unique_id")["pattern"], UUID_PATTERN);
        assert_eq!(prop(&ann, "lead_time")["type"], json!(["number", "null"]));

        // Declared read-only fields are described but not required.
        let project = row_schema(&serializers::PROJECT);
        let req = strs(&project["required"]);
        for f in serializers::PROJECT.fields {
            assert_eq!(req.contains(&f.name), !f.declared_read_only, "{}", f.name);
            assert!(project["properties"].get(f.name).is_some());
        }
        assert!(!req.contains(&"task_number") && req.contains(&"title") && req.contains(&"deleted_by"));
        let link = row_schema(&serializers::LABEL_LINK);
        assert!(!strs(&link["required"]).contains(&"annotations_count"));
        // Non-nullable foreign keys stay integers.
        assert_eq!(prop(&link, "project")["type"], "integer");
        assert_eq!(prop(&link, "label")["type"], "integer");

        let only = row_schema(&serializers::ONLY_ID);
        assert_eq!(strs(&only["required"]), ["id"]);
        assert_eq!(only["properties"].as_object().unwrap().len(), 1);
    }

    #[test]
    fn every_field_maps_to_its_kind() {
        for ser in serializers::ALL.iter() {
            for f in ser.fields {
                let fs = field_schema(ser.id, f);
                let types: Vec<String> = match &fs["type"] {
                    Value::String(t) => vec![t.clone()],
                    Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
                    _ => vec![],
                };
                let want = match f.kind {
                    FieldKind::Int | FieldKind::ForeignKey => "integer",
                    FieldKind::Float => "number",
                    FieldKind::Bool => "boolean",
                    FieldKind::Str | FieldKind::Uuid | FieldKind::DateTime => "string",
                    FieldKind::ManyToMany => "array",
                    FieldKind::Json => {
                        assert!(types.is_empty(), "{}.{}", ser.class, f.name);
                        continue;
                    }
                };
                assert_eq!(types[0], want, "{}.{}", ser.class, f.name);
                assert_eq!(types.contains(&"null".to_string()), f.nullable && f.kind != FieldKind::ManyToMany, "{}.{}", ser.class, f.name);
                assert!(!fs["description"].as_str().unwrap().is_empty());
            }
        }
    }
}
