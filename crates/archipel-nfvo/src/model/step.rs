//! The steps of a lifecycle operation, as stored in the intent log and shown in the API.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One step of an operation. The names are stored (SQLite) and shown (`currentStep`, the
/// failure's `step`) as they are written here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// Before the first step: a failure there happened as the operation began.
    Begin,
    /// Reading the records an operation works on.
    Load,
    Networks,
    Extend,
    Allocate,
    Check,
    Modify,
    Start,
    /// Running a VNF package's lifecycle scripts inside a VNFC.
    Script,
    Delete,
}

impl Step {
    const ALL: [Step; 10] = [
        Step::Begin,
        Step::Load,
        Step::Networks,
        Step::Extend,
        Step::Allocate,
        Step::Check,
        Step::Modify,
        Step::Start,
        Step::Script,
        Step::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Begin => "begin",
            Step::Load => "load",
            Step::Networks => "networks",
            Step::Extend => "extend",
            Step::Allocate => "allocate",
            Step::Check => "check",
            Step::Modify => "modify",
            Step::Start => "start",
            Step::Script => "script",
            Step::Delete => "delete",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step name that is none of [`Step`]'s.
#[derive(Debug, thiserror::Error)]
#[error("unknown step {0:?}")]
pub struct UnknownStep(pub String);

impl FromStr for Step {
    type Err = UnknownStep;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Step::ALL
            .into_iter()
            .find(|step| step.as_str() == s)
            .ok_or_else(|| UnknownStep(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_match_serde() {
        for step in Step::ALL {
            assert_eq!(step.to_string().parse::<Step>().unwrap(), step);
            let json = serde_json::to_string(&step).unwrap();
            assert_eq!(json, format!("\"{step}\""));
        }
        let names: Vec<String> = Step::ALL.iter().map(Step::to_string).collect();
        let expected = [
            "begin", "load", "networks", "extend", "allocate", "check", "modify", "start",
            "script", "delete",
        ];
        assert_eq!(names, expected);
        assert!("Allocate".parse::<Step>().is_err());
    }
}
