//! `WebhookAction.ACTIONS` of Label Studio 1.23.2, as data.
//!
//! One entry per action: the payload key, whether the instance is a list,
//! the model and serializer, the organization-only flag, the project field
//! Label Studio reads the project from, and the nested fields added next to
//! the instance. `description` says when Label Studio 1.23.2 emits it.

use crate::labelstudio::serializers::SerializerId;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub action: &'static str,
    /// `ACTIONS[action]['name']`.
    pub name: &'static str,
    pub description: &'static str,
    pub key: &'static str,
    pub many: bool,
    pub model: &'static str,
    pub serializer: SerializerId,
    pub organization_only: bool,
    /// `project-field`: where Label Studio finds the project of the instance.
    pub project_field: Option<&'static str>,
    pub nested_fields: &'static [Nested],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Nested {
    /// The payload key, and the attribute read from each instance row.
    pub key: &'static str,
    pub serializer: SerializerId,
    pub many: bool,
}

use SerializerId as S;

pub static ACTIONS: [Action; 12] = [
    Action {
        action: "PROJECT_CREATED",
        name: "Project created",
        description: "A project is created (POST /api/projects/). Organization webhooks only; Label Studio 1.23.2 has no API to create those, so they exist only where inserted by other means.",
        key: "project",
        many: false,
        model: "Project",
        serializer: S::Project,
        organization_only: true,
        project_field: None,
        nested_fields: &[],
    },
    Action {
        action: "PROJECT_UPDATED",
        name: "Project updated",
        description: "A project's settings are changed (PATCH or PUT /api/projects/{id}/).",
        key: "project",
        many: false,
        model: "Project",
        serializer: S::Project,
        organization_only: false,
        project_field: Some("__self__"),
        nested_fields: &[],
    },
    Action {
        action: "PROJECT_DELETED",
        name: "Project deleted",
        description: "A project is deleted (DELETE /api/projects/{id}/). Organization webhooks only, with the id alone.",
        key: "project",
        many: false,
        model: "Project",
        serializer: S::OnlyId,
        organization_only: true,
        project_field: None,
        nested_fields: &[],
    },
    Action {
        action: "TASKS_CREATED",
        name: "Task created",
        description: "Tasks are created: one through POST /api/tasks/ or /api/projects/{id}/tasks/, many through an import (POST /api/projects/{id}/import) or a cloud storage sync.",
        key: "tasks",
        many: true,
        model: "Task",
        serializer: S::Task,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[],
    },
    Action {
        action: "TASKS_DELETED",
        name: "Task deleted",
        description: "Tasks are deleted: one (DELETE /api/tasks/{id}/), by the Data Manager's delete_tasks action, or all tasks of a project (DELETE /api/projects/{id}/tasks/: that path passes no project, so only organization webhooks get it, without a project key). Ids only.",
        key: "tasks",
        many: true,
        model: "Task",
        serializer: S::OnlyId,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[],
    },
    Action {
        action: "ANNOTATION_CREATED",
        name: "Annotation created",
        description: "An annotation is submitted (POST /api/tasks/{id}/annotations/). The task travels with it.",
        key: "annotation",
        many: false,
        model: "Annotation",
        serializer: S::Annotation,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[Nested { key: "task", serializer: S::Task, many: false }],
    },
    Action {
        action: "ANNOTATIONS_CREATED",
        name: "Annotations created",
        description: "The Data Manager's predictions_to_annotations action creates annotations in bulk: a list under the singular key `annotation`, and a list of tasks, one per annotation, under `task`.",
        key: "annotation",
        many: true,
        model: "Annotation",
        serializer: S::Annotation,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[Nested { key: "task", serializer: S::Task, many: true }],
    },
    Action {
        action: "ANNOTATION_UPDATED",
        name: "Annotation updated",
        description: "An annotation is updated (PATCH or PUT /api/annotations/{id}/). The task travels with it.",
        key: "annotation",
        many: false,
        model: "Annotation",
        serializer: S::Annotation,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[Nested { key: "task", serializer: S::Task, many: false }],
    },
    Action {
        action: "ANNOTATIONS_DELETED",
        name: "Annotation deleted",
        description: "Annotations are deleted: one (DELETE /api/annotations/{id}/), by converting one to a draft (POST /api/annotations/{id}/convert-to-draft), or by the Data Manager's delete_tasks_annotations action. Ids only.",
        key: "annotations",
        many: true,
        model: "Annotation",
        serializer: S::OnlyId,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[],
    },
    Action {
        action: "LABEL_LINK_CREATED",
        name: "Label link created",
        description: "Labels are added to a project (POST /api/labels/): a list of label links. In 1.23.2 that request fails with HTTP 500 whenever a webhook matches, so only code calling the emit directly sends it.",
        key: "label_link",
        many: true,
        model: "LabelLink",
        serializer: S::LabelLink,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[],
    },
    Action {
        action: "LABEL_LINK_UPDATED",
        name: "Label link updated",
        description: "A label link is updated (PATCH or PUT /api/label_links/{id}/). The label travels with it.",
        key: "label_link",
        many: false,
        model: "LabelLink",
        serializer: S::LabelLink,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[Nested { key: "label", serializer: S::Label, many: false }],
    },
    Action {
        action: "LABEL_LINK_DELETED",
        name: "Label link deleted",
        description: "A label link is deleted (DELETE /api/label_links/{id}/). Id only.",
        key: "label_link",
        many: false,
        model: "LabelLink",
        serializer: S::OnlyId,
        organization_only: false,
        project_field: Some("project"),
        nested_fields: &[],
    },
];

pub fn find(action: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.action == action)
}
