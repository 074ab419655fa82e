//! The ladder's table: every rung beside its baseline, with its target.

use std::fmt::Write;

/// A target a rung should meet, and whether it did.
#[derive(Debug, Clone)]
pub struct Target {
    pub text: String,
    pub met: bool,
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Rung {
    pub rung: &'static str,
    pub name: String,
    pub figure: f64,
    pub unit: &'static str,
    pub baseline: Option<(String, f64)>,
    pub target: Option<Target>,
}

impl Rung {
    pub fn new(
        rung: &'static str,
        name: impl Into<String>,
        figure: f64,
        unit: &'static str,
    ) -> Rung {
        Rung {
            rung,
            name: name.into(),
            figure,
            unit,
            baseline: None,
            target: None,
        }
    }

    /// The same rung, compared with a baseline figure.
    pub fn against(mut self, name: impl Into<String>, figure: f64) -> Rung {
        self.baseline = Some((name.into(), figure));
        self
    }

    /// The ratio to the baseline.
    pub fn ratio(&self) -> Option<f64> {
        self.baseline
            .as_ref()
            .map(|(_, baseline)| self.figure / baseline.max(f64::EPSILON))
    }

    /// The same rung, with a target: the ratio to its baseline at least `at_least`.
    pub fn target_ratio(mut self, at_least: f64) -> Rung {
        let met = self.ratio().is_some_and(|ratio| ratio >= at_least);
        self.target = Some(Target {
            text: format!("ratio >= {at_least}"),
            met,
        });
        self
    }

    /// The same rung, with a target stated in words.
    pub fn target(mut self, text: impl Into<String>, met: bool) -> Rung {
        self.target = Some(Target {
            text: text.into(),
            met,
        });
        self
    }
}

fn number(figure: f64) -> String {
    if figure >= 100.0 {
        format!("{figure:.0}")
    } else {
        format!("{figure:.1}")
    }
}

/// The rungs as a Markdown table.
pub fn table(rungs: &[Rung]) -> String {
    let mut out = String::from(
        "| rung | measurement | figure | baseline | ratio | target |\n|---|---|---:|---|---:|---|\n",
    );
    for rung in rungs {
        let (baseline, ratio) = match (&rung.baseline, rung.ratio()) {
            (Some((name, figure)), Some(ratio)) => (
                format!("{name} ({})", number(*figure)),
                format!("{ratio:.2}"),
            ),
            _ => ("-".to_string(), "-".to_string()),
        };
        let target = rung.target.as_ref().map_or("-".to_string(), |target| {
            format!(
                "{} {}",
                target.text,
                if target.met { "**met**" } else { "**not met**" }
            )
        });
        let _ = writeln!(
            out,
            "| {} | {} | {} {} | {baseline} | {ratio} | {target} |",
            rung.rung,
            rung.name,
            number(rung.figure),
            rung.unit
        );
    }
    out
}
