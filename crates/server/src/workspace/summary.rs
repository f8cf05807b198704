//! What the campaign list shows of a campaign's latest source — name, goal, owner and the
//! stages and phases its audience names — read loosely from the TOML (every stored version
//! was validated when it was saved, so nothing here reports errors: a field it cannot read
//! is simply left empty).
use touchpoint_core::vocab::{Phase, Stage};

/// The fields of a source the list shows and filters on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// `name`.
    pub name: String,
    /// `goal`.
    pub goal: String,
    /// `owner`, or empty.
    pub owner: String,
    /// `audience.stages`, in the source's order; empty when the campaign names none.
    pub stages: Vec<Stage>,
    /// `audience.phases`, in the source's order; empty when the campaign names none.
    pub phases: Vec<Phase>,
}

impl Summary {
    /// Read the summary of a campaign source.
    pub fn of(source: &str) -> Self {
        let Ok(table) = source.parse::<toml::Table>() else {
            return Self::default();
        };
        let field = |k: &str| {
            table
                .get(k)
                .and_then(toml::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let audience = table.get("audience").and_then(toml::Value::as_table);
        let names = |k: &str| -> Vec<String> {
            audience
                .and_then(|a| a.get(k))
                .and_then(toml::Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(toml::Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            name: field("name"),
            goal: field("goal"),
            owner: field("owner"),
            stages: names("stages")
                .iter()
                .filter_map(|n| Stage::from_name(n))
                .collect(),
            phases: names("phases")
                .iter()
                .filter_map(|n| Phase::from_name(n))
                .collect(),
        }
    }

    /// Whether the campaign targets accounts in `stage`: it names the stage, or names no
    /// stage but a phase of it, or names neither (a campaign for every stage). This is the
    /// list's reading of the audience, not the decision: signal phases such as advocacy can
    /// be held in other stages too, which only the decision (and its preview) knows.
    pub fn targets_stage(&self, stage: Stage) -> bool {
        if self.stages.is_empty() {
            self.phases.is_empty() || self.phases.iter().any(|p| p.stage() == stage)
        } else {
            self.stages.contains(&stage)
        }
    }

    /// Whether the campaign targets accounts in `phase`: it names the phase, or names no
    /// phase and either no stage or the phase's stage.
    pub fn targets_phase(&self, phase: Phase) -> bool {
        if self.phases.is_empty() {
            self.stages.is_empty() || self.stages.contains(&phase.stage())
        } else {
            self.phases.contains(&phase)
        }
    }

    /// The audience as the list's row shows it: `stages: …` and `phases: …` for what the
    /// source names, or nothing when it names neither (the row says "every stage").
    pub fn audience(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let join = |names: Vec<&str>| names.join(", ");
        if !self.stages.is_empty() {
            let noun = if self.stages.len() == 1 {
                "stage"
            } else {
                "stages"
            };
            let names = join(self.stages.iter().map(|s| s.as_str()).collect());
            lines.push(format!("{noun}: {names}"));
        }
        if !self.phases.is_empty() {
            let noun = if self.phases.len() == 1 {
                "phase"
            } else {
                "phases"
            };
            let names = join(self.phases.iter().map(|p| p.as_str()).collect());
            lines.push(format!("{noun}: {names}"));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_reads_name_goal_owner_stages_and_phases() {
        let s = Summary::of(
            "id = \"a\"\nname = \"A\"\ngoal = \"feedback\"\n[audience]\nstages = [\"loyalty\", \"service\"]\nphases = [\"renewal\"]\n",
        );
        assert_eq!((s.name.as_str(), s.goal.as_str()), ("A", "feedback"));
        assert_eq!(s.owner, "");
        assert_eq!(s.stages, vec![Stage::Loyalty, Stage::Service]);
        assert_eq!(s.phases, vec![Phase::Renewal]);
        assert_eq!(s.audience(), ["stages: loyalty, service", "phase: renewal"]);
        assert_eq!(Summary::of("not toml ["), Summary::default());
        assert!(Summary::default().audience().is_empty());
    }

    fn aimed(stages: &[Stage], phases: &[Phase]) -> Summary {
        Summary {
            stages: stages.to_vec(),
            phases: phases.to_vec(),
            ..Summary::default()
        }
    }

    #[test]
    fn a_campaign_targets_what_it_names_or_everything_when_it_names_nothing() {
        let everyone = aimed(&[], &[]);
        assert!(everyone.targets_stage(Stage::Lapsed) && everyone.targets_phase(Phase::Growth));

        let loyalty = aimed(&[Stage::Loyalty], &[]);
        assert!(loyalty.targets_stage(Stage::Loyalty));
        assert!(!loyalty.targets_stage(Stage::Service));
        assert!(
            loyalty.targets_phase(Phase::Expansion),
            "a phase of its stage"
        );
        assert!(!loyalty.targets_phase(Phase::Adoption));

        let renewal = aimed(&[], &[Phase::Renewal]);
        assert!(renewal.targets_stage(Stage::Loyalty), "the phase's stage");
        assert!(!renewal.targets_stage(Stage::Acquisition));
        assert!(renewal.targets_phase(Phase::Renewal));
        assert!(!renewal.targets_phase(Phase::Expansion));

        let both = aimed(&[Stage::Service], &[Phase::Growth]);
        assert!(both.targets_stage(Stage::Service) && both.targets_phase(Phase::Growth));
        assert!(!both.targets_phase(Phase::Adoption), "named phases win");
    }
}
