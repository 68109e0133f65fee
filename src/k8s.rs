//! Kubernetes API objects, as `kubectl get -o json|yaml` and `kubectl cluster-info dump` write
//! them: only the fields the analysis needs, tolerant of everything else and of any kind.

use serde::Deserialize;

/// Any object, or a list of them (`List`, `PodList`, `EventList`...).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Object {
    pub kind: Option<String>,
    pub metadata: Metadata,
    pub spec: Option<Spec>,
    pub status: Option<Status>,
    /// Set on lists.
    pub items: Option<Vec<Object>>,
    // Event fields live at the top level of the object.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub count: Option<u64>,
    pub involved_object: Option<ObjectRef>,
    /// `events.k8s.io/v1` events name their object `regarding` and their text `note`.
    pub regarding: Option<ObjectRef>,
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Metadata {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub deletion_timestamp: Option<String>,
    pub finalizers: Vec<String>,
    pub owner_references: Vec<ObjectRef>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectRef {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Spec {
    pub unschedulable: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Status {
    pub phase: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub conditions: Vec<Condition>,
    pub container_statuses: Vec<ContainerStatus>,
    pub init_container_statuses: Vec<ContainerStatus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerStatus {
    pub name: String,
    pub restart_count: u64,
    pub state: ContainerState,
    pub last_state: ContainerState,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContainerState {
    pub waiting: Option<StateDetail>,
    pub terminated: Option<StateDetail>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StateDetail {
    pub reason: Option<String>,
    pub message: Option<String>,
    pub exit_code: Option<i64>,
}
