//! The alarms the watch raises, as fault management reads and acknowledges them.

use super::Nfvo;
use crate::error::NfvoError;
use crate::model::Alarm;

impl Nfvo {
    /// Alarm `id`, and the NS instance it is about.
    pub fn alarm(&self, id: &str) -> Result<(String, Alarm), NfvoError> {
        for nsr in self.store().nsrs()? {
            if let Some(alarm) = nsr.alarms.iter().find(|a| a.id == id) {
                return Ok((nsr.id, alarm.clone()));
            }
        }
        Err(NfvoError::NotFound { what: "alarm", id: id.to_owned() })
    }

    /// Sets whether an operator acknowledged alarm `id`: 412 when `if_match` is given and is
    /// not its ETag (checked first, as SOL005 asks), 409 when it is so already, or while an
    /// operation works on its NS instance (which would write the instance back without it).
    pub fn acknowledge(
        &self,
        id: &str,
        acknowledged: bool,
        if_match: Option<&str>,
    ) -> Result<(String, Alarm), NfvoError> {
        let _gate = self.gate();
        let (nsr_id, held) = self.alarm(id)?;
        if let Some(tag) = if_match {
            let etag = held.etag();
            if !crate::model::if_match_holds(tag, &etag) {
                return Err(NfvoError::AlarmChanged { id: id.to_owned(), etag });
            }
        }
        self.check_idle(&nsr_id)?;
        let mut nsr = self.nsr(&nsr_id)?;
        let alarm = nsr.alarms.iter_mut().find(|a| a.id == id);
        let alarm =
            alarm.ok_or_else(|| NfvoError::NotFound { what: "alarm", id: id.to_owned() })?;
        if alarm.acknowledged == acknowledged {
            let state = if acknowledged { "ACKNOWLEDGED" } else { "UNACKNOWLEDGED" };
            return Err(NfvoError::AlarmState { id: id.to_owned(), state });
        }
        alarm.acknowledged = acknowledged;
        let alarm = alarm.clone();
        self.store().put_nsr(&nsr)?;
        tracing::info!(alarm = %id, nsr = %nsr_id, acknowledged, "alarm acknowledgement");
        Ok((nsr_id, alarm))
    }
}
