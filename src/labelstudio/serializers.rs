//! The webhook serializers of Label Studio 1.23.2 as field lists.
//!
//! Each list is what DRF's `ModelSerializer` with `fields = '__all__'` yields,
//! in its order: the primary key, the fields declared on the serializer, the
//! model's own fields in declaration order, then forward relations. The lists
//! were read off a running 1.23.2 (`Serializer().fields`), not guessed.
//!
//! Flags mirror DRF's behaviour for an attribute the row lacks
//! (`Field.get_attribute`): a field with `allow_null` renders `null`; a
//! *declared* read-only field is skipped (Label Studio's project rows carry
//! the 8 counts, its label-link rows never carry `annotations_count`); any
//! other missing field is an error in the row.

use serde::Serialize;

/// How a field's value is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// `IntegerField`/`BigIntegerField`: an int, verbatim at any size.
    Int,
    /// `FloatField`: `float(value)`, so `12` renders as `12.0`.
    Float,
    Bool,
    /// `CharField`, `ChoiceField`.
    Str,
    /// `UUIDField`: canonical lowercase `8-4-4-4-12`.
    Uuid,
    /// `DateTimeField`: UTC, `isoformat()`, `Z`.
    DateTime,
    /// `JSONField`: any JSON value, passed through (key order kept).
    Json,
    /// Foreign key: the related primary key. The row may name it `x` or
    /// `x_id`, as an id or as the related row.
    ForeignKey,
    /// Many-to-many: a list of related primary keys.
    ManyToMany,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldKind,
    /// DRF `allow_null`: may be null, and renders null when missing.
    pub nullable: bool,
    /// Declared on the serializer as read-only (not read from the model), so
    /// rendered only when the row has it and never required of a row.
    pub declared_read_only: bool,
    /// The database column name of a foreign key (`project_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<&'static str>,
}

const fn f(name: &'static str, kind: FieldKind) -> Field {
    Field { name, kind, nullable: false, declared_read_only: false, column: None }
}

const fn fk(name: &'static str, column: &'static str) -> Field {
    Field { name, kind: FieldKind::ForeignKey, nullable: true, declared_read_only: false, column: Some(column) }
}

impl Field {
    const fn null(mut self) -> Field {
        self.nullable = true;
        self
    }

    const fn not_null(mut self) -> Field {
        self.nullable = false;
        self
    }

    /// A field declared on the serializer (not on the model) as read-only.
    const fn declared(mut self) -> Field {
        self.declared_read_only = true;
        self
    }
}

use FieldKind::*;

/// Which serializer renders a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SerializerId {
    Project,
    Task,
    Annotation,
    LabelLink,
    Label,
    OnlyId,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Serializer {
    pub id: SerializerId,
    /// Label Studio's class, for readers who know it.
    pub class: &'static str,
    pub model: &'static str,
    pub fields: &'static [Field],
}

impl SerializerId {
    pub fn get(self) -> &'static Serializer {
        match self {
            SerializerId::Project => &PROJECT,
            SerializerId::Task => &TASK,
            SerializerId::Annotation => &ANNOTATION,
            SerializerId::LabelLink => &LABEL_LINK,
            SerializerId::Label => &LABEL,
            SerializerId::OnlyId => &ONLY_ID,
        }
    }
}

pub static ALL: [&Serializer; 6] = [&PROJECT, &TASK, &ANNOTATION, &LABEL_LINK, &LABEL, &ONLY_ID];

/// `webhooks.serializers_for_hooks.ProjectWebhookSerializer`
pub static PROJECT: Serializer = Serializer {
    id: SerializerId::Project,
    class: "ProjectWebhookSerializer",
    model: "Project",
    fields: &[
        f("id", Int),
        f("task_number", Int).declared(),
        f("finished_task_number", Int).declared(),
        f("total_predictions_number", Int).declared(),
        f("total_annotations_number", Int).declared(),
        f("num_tasks_with_annotations", Int).declared(),
        f("useful_annotation_number", Int).declared(),
        f("ground_truth_number", Int).declared(),
        f("skipped_annotations_number", Int).declared(),
        f("title", Str).null(),
        f("description", Str).null(),
        f("label_config", Str).null(),
        f("parsed_label_config", Json).null(),
        f("label_config_hash", Int).null(),
        f("expert_instruction", Str).null(),
        f("show_instruction", Bool),
        f("show_skip_button", Bool),
        f("enable_empty_annotation", Bool),
        f("reveal_preannotations_interactively", Bool),
        f("show_annotation_history", Bool),
        f("show_collab_predictions", Bool),
        f("evaluate_predictions_automatically", Bool),
        f("token", Str).null(),
        f("result_count", Int),
        f("color", Str).null(),
        f("maximum_annotations", Int),
        f("min_annotations_to_start_training", Int),
        f("control_weights", Json).null(),
        f("model_version", Str).null(),
        f("data_types", Json).null(),
        f("is_draft", Bool),
        f("is_published", Bool),
        f("created_at", DateTime),
        f("updated_at", DateTime),
        f("sampling", Str).null(),
        f("skip_queue", Str).null(),
        f("show_ground_truth_first", Bool),
        f("annotator_evaluation_enabled", Bool),
        f("show_overlap_first", Bool),
        f("overlap_cohort_percentage", Int),
        f("task_data_login", Str).null(),
        f("task_data_password", Str).null(),
        f("pinned_at", DateTime).null(),
        f("custom_task_lock_ttl", Int).null(),
        f("deleted_at", DateTime).null(),
        f("purge_at", DateTime).null(),
        f("search_vector", Str).null(),
        fk("organization", "organization_id"),
        fk("created_by", "created_by_id"),
        fk("deleted_by", "deleted_by_id"),
    ],
};

/// Where `data` and `project` sit in [`TASK`] (the `$undefined$` rule reads them).
pub const TASK_DATA: usize = 1;
pub const TASK_PROJECT: usize = 16;

/// `webhooks.serializers_for_hooks.TaskWebhookSerializer` (also resolves `$undefined$`).
pub static TASK: Serializer = Serializer {
    id: SerializerId::Task,
    class: "TaskWebhookSerializer",
    model: "Task",
    fields: &[
        f("id", Int),
        f("data", Json),
        f("meta", Json).null(),
        f("created_at", DateTime),
        f("updated_at", DateTime),
        f("is_labeled", Bool),
        f("allow_skip", Bool).null(),
        f("overlap", Int),
        f("inner_id", Int).null(),
        f("total_annotations", Int),
        f("cancelled_annotations", Int),
        f("total_predictions", Int),
        f("precomputed_agreement", Float).null(),
        f("comment_count", Int),
        f("unresolved_comment_count", Int),
        f("last_comment_updated_at", DateTime).null(),
        fk("project", "project_id"),
        fk("updated_by", "updated_by_id"),
        fk("file_upload", "file_upload_id"),
        f("comment_authors", ManyToMany),
    ],
};

/// `webhooks.serializers_for_hooks.AnnotationWebhookSerializer`
pub static ANNOTATION: Serializer = Serializer {
    id: SerializerId::Annotation,
    class: "AnnotationWebhookSerializer",
    model: "Annotation",
    fields: &[
        f("id", Int),
        f("result", Json).null(),
        f("was_cancelled", Bool),
        f("ground_truth", Bool),
        f("created_at", DateTime),
        f("updated_at", DateTime),
        f("draft_created_at", DateTime).null(),
        f("lead_time", Float).null(),
        f("prediction", Json).null(),
        f("result_count", Int),
        f("unique_id", Uuid).null(),
        f("import_id", Int).null(),
        f("last_action", Str).null(),
        f("bulk_created", Bool).null(),
        fk("task", "task_id"),
        fk("project", "project_id"),
        fk("completed_by", "completed_by_id"),
        fk("updated_by", "updated_by_id"),
        fk("parent_prediction", "parent_prediction_id"),
        fk("parent_annotation", "parent_annotation_id"),
        fk("last_created_by", "last_created_by_id"),
    ],
};

/// `labels_manager.serializers.LabelLinkSerializer`
pub static LABEL_LINK: Serializer = Serializer {
    id: SerializerId::LabelLink,
    class: "LabelLinkSerializer",
    model: "LabelLink",
    fields: &[
        f("id", Int),
        f("annotations_count", Int).declared(),
        f("from_name", Str),
        fk("project", "project_id").not_null(),
        fk("label", "label_id").not_null(),
    ],
};

/// `labels_manager.serializers.LabelSerializer`
pub static LABEL: Serializer = Serializer {
    id: SerializerId::Label,
    class: "LabelSerializer",
    model: "Label",
    fields: &[
        f("id", Int),
        f("links", ManyToMany),
        f("created_at", DateTime),
        f("updated_at", DateTime),
        f("value", Json),
        f("title", Str),
        f("description", Str).null(),
        f("approved", Bool),
        fk("created_by", "created_by_id").not_null(),
        fk("approved_by", "approved_by_id"),
        fk("organization", "organization_id").not_null(),
        f("projects", ManyToMany),
    ],
};

/// `webhooks.serializers_for_hooks.OnlyIDWebhookSerializer`: `{"id": n}`.
pub static ONLY_ID: Serializer = Serializer {
    id: SerializerId::OnlyId,
    class: "OnlyIDWebhookSerializer",
    model: "(any)",
    fields: &[f("id", Int)],
};

#[cfg(test)]
#[test]
fn task_indexes_name_the_right_fields() {
    assert_eq!(TASK.fields[TASK_DATA].name, "data");
    assert_eq!(TASK.fields[TASK_PROJECT].name, "project");
}

/// The key `TaskWebhookSerializer` moves to the first `data_types` key.
pub const DATA_UNDEFINED_NAME: &str = "$undefined$";
