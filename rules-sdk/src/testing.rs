//! Testing a policy natively: a [`Harness`] that configures and runs a policy
//! exactly as its module does, and [`Scenario`] files (settings, input and
//! the expected decision, as JSON data) that the same runner checks against
//! the native policy and the host checks against the built module.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::Policy;
use crate::decision::{Decision, Display, Effect, Gate, Light};
use crate::fees::{Quote, Stay};
use crate::input::Input;
use crate::money::Money;
use crate::settings::{self, SettingsError};

/// A policy configured natively through the same steps as its module:
/// parse, check, store, and decode the stored form for every call.
pub struct Harness<P: Policy> {
    settings: P::Settings,
    config: Vec<u8>,
}

impl<P: Policy> Harness<P> {
    /// Configures `P` with settings JSON.
    pub fn new(settings_json: &str) -> Result<Self, SettingsError> {
        let config = crate::configure::<P>(settings_json)?;
        let settings = settings::decode(&config).map_err(|e| SettingsError::new("", e))?;
        Ok(Harness { settings, config })
    }

    /// The parsed settings.
    pub fn settings(&self) -> &P::Settings {
        &self.settings
    }

    /// The stored form of the settings, as the host keeps it.
    pub fn config(&self) -> &[u8] {
        &self.config
    }

    /// Decides one event.
    pub fn evaluate(&self, input: &Input) -> Decision {
        P::evaluate(&self.settings, input)
    }

    /// The fee text in `locale`, or in the settings' own locale.
    pub fn fee_schedule(&self, locale: Option<&str>) -> Result<String, String> {
        let locale = crate::pick_locale::<P>(&self.settings, locale)?;
        Ok(P::fee_schedule(&self.settings, locale))
    }

    /// Prices a stay.
    pub fn fee_quote(&self, stay: &Stay) -> Quote {
        P::fee_quote(&self.settings, stay)
    }

    /// What an agent tells callers about the lot.
    pub fn lot_info(&self, locale: Option<&str>) -> Result<crate::LotInfo, String> {
        let locale = crate::pick_locale::<P>(&self.settings, locale)?;
        Ok(P::lot_info(&self.settings, locale))
    }

    /// What the policy needs the host to tell it.
    pub fn needs(&self) -> crate::Needs {
        P::needs(&self.settings)
    }

    /// The prompts agents push, in `locale`.
    pub fn prompts(&self, locale: Option<&str>) -> Result<Vec<crate::Prompt>, String> {
        let locale = crate::pick_locale::<P>(&self.settings, locale)?;
        Ok(P::prompts(&self.settings, locale))
    }
}

/// One scenario: settings, an input and the decision expected for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the scenario shows, e.g. the PRODUCT.md row it checks.
    pub description: String,
    /// A JSON merge patch (RFC 7386) applied to the policy's base settings.
    #[serde(default)]
    pub settings: Value,
    /// The event and vehicle facts.
    pub input: Input,
    /// The decision expected.
    pub expect: Expected,
    /// The fee text expected, by locale tag (`zh-CN`), where a target can
    /// render it.
    #[serde(default)]
    pub fee_text: std::collections::BTreeMap<String, String>,
}

/// The decision a scenario expects: every field but the trace, which only has
/// to contain the listed fragments.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// `open` or `hold`.
    pub gate: Gate,
    /// The reason code.
    pub reason: String,
    /// What the robot says.
    pub voice: String,
    /// What the robot shows.
    pub display: Display,
    /// The light.
    pub light: Light,
    /// What is due now; must be given, `null` for nothing.
    #[serde(deserialize_with = "required")]
    pub fee: Option<Money>,
    /// The effects, in order.
    pub effects: Vec<Effect>,
    /// Fragments that must each appear in some trace line.
    #[serde(default)]
    pub trace_contains: Vec<String>,
}

fn required<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
    Option::<Money>::deserialize(d)
}

impl Expected {
    /// Compares `decision` with what is expected; the error lists every field
    /// that differs.
    pub fn check(&self, decision: &Decision) -> Result<(), String> {
        let mut wrong = Vec::new();
        let mut field = |name: &str, want: String, got: String| {
            if want != got {
                wrong.push(format!("  {name}: expected {want}, got {got}"));
            }
        };
        let j = |v: &dyn erased::Json| v.json();
        field("gate", j(&self.gate), j(&decision.gate));
        field("reason", self.reason.clone(), decision.reason.clone());
        field("voice", self.voice.clone(), decision.voice.clone());
        field("display", j(&self.display), j(&decision.display));
        field("light", j(&self.light), j(&decision.light));
        field("fee", j(&self.fee), j(&decision.fee));
        field("effects", j(&self.effects), j(&decision.effects));
        for fragment in &self.trace_contains {
            if !decision
                .trace
                .iter()
                .any(|line| line.contains(fragment.as_str()))
            {
                wrong.push(format!("  trace: no line contains `{fragment}`"));
            }
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}\n  trace was: {:?}",
                wrong.join("\n"),
                decision.trace
            ))
        }
    }
}

mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|e| format!("<{e}>"))
        }
    }
}

impl Scenario {
    /// Reads one scenario file.
    pub fn load(path: &Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("`{}`: {e}", path.display()))
    }

    /// Reads every `*.json` scenario in `dir` (but `settings.json`, the base
    /// settings), sorted by file name.
    pub fn load_dir(dir: &Path) -> Result<Vec<(PathBuf, Scenario)>, String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter(|p| p.file_name().is_some_and(|n| n != "settings.json"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| Scenario::load(&p).map(|s| (p, s)))
            .collect()
    }

    /// The settings JSON for this scenario: `base` with the scenario's patch.
    pub fn settings_json(&self, base: &Value) -> String {
        let mut settings = base.clone();
        if !self.settings.is_null() {
            merge_patch(&mut settings, &self.settings);
        }
        settings.to_string()
    }
}

/// Applies a JSON merge patch (RFC 7386) to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Where a scenario runs: natively, through a built module, over a
/// service's HTTP API. One [`Suite`] runs the same files on each.
pub trait Target {
    /// Decides the scenario's input under `settings` (the suite's base
    /// settings with the scenario's patch applied, as JSON).
    fn decide(&self, settings: &str, scenario: &Scenario) -> Result<Decision, String>;

    /// The fee text under `settings` in `locale`, or none where this target
    /// does not render it.
    fn fee_text(&self, settings: &str, locale: &str) -> Result<Option<String>, String> {
        let _ = (settings, locale);
        Ok(None)
    }
}

/// A policy run natively, configured exactly as its module configures it.
pub struct Native<P>(core::marker::PhantomData<fn() -> P>);

impl<P> Default for Native<P> {
    fn default() -> Self {
        Native(core::marker::PhantomData)
    }
}

impl<P: Policy> Target for Native<P> {
    fn decide(&self, settings: &str, scenario: &Scenario) -> Result<Decision, String> {
        let harness =
            Harness::<P>::new(settings).map_err(|e| format!("  settings refused: {e}"))?;
        Ok(harness.evaluate(&scenario.input))
    }

    fn fee_text(&self, settings: &str, locale: &str) -> Result<Option<String>, String> {
        let harness =
            Harness::<P>::new(settings).map_err(|e| format!("  settings refused: {e}"))?;
        harness.fee_schedule(Some(locale)).map(Some)
    }
}

/// A folder of scenario files and the base settings (`settings.json`) they
/// patch.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The folder.
    pub dir: PathBuf,
    /// The base settings.
    pub base: Value,
    /// Every scenario, by file, sorted by file name.
    pub scenarios: Vec<(PathBuf, Scenario)>,
}

impl Suite {
    /// Reads `dir/settings.json` and every other `*.json` in `dir`.
    pub fn load(dir: &Path) -> Result<Suite, String> {
        let base_path = dir.join("settings.json");
        let base: Value = serde_json::from_str(
            &std::fs::read_to_string(&base_path)
                .map_err(|e| format!("cannot read `{}`: {e}", base_path.display()))?,
        )
        .map_err(|e| format!("`{}`: {e}", base_path.display()))?;
        Ok(Suite {
            dir: dir.to_owned(),
            base,
            scenarios: Scenario::load_dir(dir)?,
        })
    }

    /// The settings JSON of `scenario`.
    pub fn settings(&self, scenario: &Scenario) -> String {
        scenario.settings_json(&self.base)
    }

    /// Runs one scenario on `target`; the error says every field that
    /// differs from the expected decision, and the trace.
    pub fn check(&self, scenario: &Scenario, target: &dyn Target) -> Result<Decision, String> {
        let settings = self.settings(scenario);
        let decision = target.decide(&settings, scenario)?;
        scenario.expect.check(&decision)?;
        let mut wrong = Vec::new();
        for (locale, want) in &scenario.fee_text {
            match target.fee_text(&settings, locale)? {
                Some(got) if got != *want => wrong.push(format!(
                    "  fee text ({locale}): expected {want:?}, got {got:?}"
                )),
                _ => {}
            }
        }
        if !wrong.is_empty() {
            return Err(wrong.join("\n"));
        }
        Ok(decision)
    }

    /// Runs every scenario on `target` and returns how many ran; the error
    /// lists every scenario that failed and why.
    pub fn run(&self, target: &dyn Target) -> Result<usize, String> {
        let mut failures = Vec::new();
        for (path, scenario) in &self.scenarios {
            if let Err(why) = self.check(scenario, target) {
                failures.push(format!(
                    "{} ({}):\n{why}",
                    file_name(path),
                    scenario.description
                ));
            }
        }
        if failures.is_empty() {
            Ok(self.scenarios.len())
        } else {
            Err(format!(
                "{} of {} scenarios failed:\n{}",
                failures.len(),
                self.scenarios.len(),
                failures.join("\n")
            ))
        }
    }
}

/// A scenario's file name, as failures name it.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Runs every scenario in `dir` against `P` natively, with `dir/settings.json`
/// as the base settings, and returns how many ran; the error lists every
/// scenario that failed and why.
pub fn run_dir<P: Policy>(dir: &Path) -> Result<usize, String> {
    Suite::load(dir)?.run(&Native::<P>::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut v = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut v, &json!({"b": {"c": null, "e": 4}, "f": [1]}));
        assert_eq!(v, json!({"a": 1, "b": {"d": 3, "e": 4}, "f": [1]}));
    }

    #[test]
    fn expectations_need_the_fee_stated() {
        let e = serde_json::from_value::<Expected>(json!({
            "gate": "open", "reason": "paid", "voice": "", "display": {"kind": "smile"},
            "light": "green", "effects": []
        }))
        .unwrap_err();
        assert!(e.to_string().contains("missing field `fee`"), "{e}");
    }

    #[test]
    fn check_lists_every_difference() {
        let expected: Expected = serde_json::from_value(json!({
            "gate": "open", "reason": "paid", "voice": "一路平安", "display": {"kind": "smile"},
            "light": "green", "fee": null, "effects": [{"kind": "close_session"}],
            "trace_contains": ["paid"]
        }))
        .unwrap();
        let got = Decision::hold("payment_required").voice("一路平安");
        let why = expected.check(&got).unwrap_err();
        assert!(
            why.contains("gate: expected \"open\", got \"hold\""),
            "{why}"
        );
        assert!(
            why.contains("reason: expected paid, got payment_required"),
            "{why}"
        );
        assert!(
            why.contains("effects: expected [{\"kind\":\"close_session\"}], got []"),
            "{why}"
        );
        assert!(why.contains("trace: no line contains `paid`"), "{why}");
        assert!(!why.contains("voice"), "{why}");
    }
}
