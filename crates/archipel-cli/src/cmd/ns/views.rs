//! How NSDs, network services and operations print as table rows; as YAML or JSON they print
//! exactly as the REST API answers them.

use archipel_nfvo::api::dto::{AlarmInfo, NsInstance, NsLcmOpOcc, NsdInfo, VnfPkgInfo};

use crate::output::Tabular;

impl Tabular for NsdInfo {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "VERSION", "VENDOR", "USAGE"];
    fn row(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.nsd_name.clone().unwrap_or_default(),
            self.nsd_version.clone().unwrap_or_default(),
            self.nsd_designer.clone().unwrap_or_default(),
            self.nsd_usage_state.clone(),
        ]
    }
}

impl Tabular for VnfPkgInfo {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "ONBOARDING", "USAGE"];
    fn row(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.vnf_product_name.clone().unwrap_or_default(),
            self.onboarding_state.clone(),
            self.usage_state.clone(),
        ]
    }
}

impl Tabular for NsInstance {
    const HEADERS: &'static [&'static str] =
        &["ID", "NAME", "NSD", "STATUS", "HEALTH", "VNFCS", "ERROR"];
    fn row(&self) -> Vec<String> {
        let vnfcs: usize = self.vnf_instance.iter().map(|v| v.vnfc_instances.len()).sum();
        let error =
            self.error.as_ref().map(|e| format!("{}: {}", e.step, e.reason)).unwrap_or_default();
        vec![
            self.id.clone(),
            self.ns_instance_name.clone(),
            self.nsd_name.clone(),
            self.status.clone(),
            self.health.state.clone(),
            vnfcs.to_string(),
            error,
        ]
    }
}

impl Tabular for NsLcmOpOcc {
    const HEADERS: &'static [&'static str] = &["ID", "NS", "OPERATION", "STATE", "STEP", "STARTED"];
    fn row(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.ns_instance_id.clone(),
            self.lcm_operation_type.clone(),
            self.operation_state.clone(),
            self.current_step.clone().unwrap_or_default(),
            self.start_time.clone(),
        ]
    }
}

impl Tabular for AlarmInfo {
    const HEADERS: &'static [&'static str] =
        &["ID", "NS", "VNFC", "SITE", "SEVERITY", "ACK", "RAISED", "CAUSE"];
    fn row(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.managed_object_id.clone(),
            self.root_cause_faulty_resource.vnfc_instance_name.clone(),
            self.root_cause_faulty_resource.vim_id.clone(),
            self.perceived_severity.clone(),
            self.ack_state.clone(),
            self.alarm_raised_time.clone(),
            self.probable_cause.clone(),
        ]
    }
}
