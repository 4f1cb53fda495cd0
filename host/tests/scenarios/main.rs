//! Every scenario file, one test each, at every level a policy runs: natively
//! (the SDK's harness), through its built component in the engine (which
//! must also agree with the native decision), and over the service's HTTP
//! API on SQLite and on PostgreSQL, where the lot gets to the scenario's
//! state the way a real one does. Both policies, `standard-lot` and
//! `pass-lot`.
//!
//! `cargo test -p boomgate-host --test scenarios -- <filter>` runs some:
//! tests are named `<target>::<policy>::<file>`, e.g.
//! `http-sqlite::standard-lot::exit-06-pass-lapsed-8-days.json`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use boomgate_engine::sdk::testing::{Native, Scenario, Suite, Target, file_name};
use boomgate_engine::sdk::{Decision, Policy};
use boomgate_engine::{ConfiguredPolicy, Engine, EngineConfig, LoadedPolicy};
use libtest_mimic::{Arguments, Failed, Trial};

#[path = "../it/harness.rs"]
#[allow(dead_code, reason = "shared with the `it` tests, which use all of it")]
mod harness;
mod http;

/// A policy under test: its scenarios and how to run it natively.
struct Subject {
    name: &'static str,
    suite: Suite,
    native: Box<dyn Target + Send + Sync>,
    component: &'static str,
}

fn policy<P: Policy + 'static>(name: &'static str, component: &'static str) -> Arc<Subject> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/scenarios")
        .join(name);
    Arc::new(Subject {
        name,
        suite: Suite::load(&dir).unwrap_or_else(|e| panic!("{e}")),
        native: Box::new(Native::<P>::default()),
        component,
    })
}

/// The component of a policy in one engine, configured once per settings.
struct Component {
    module: LoadedPolicy,
    configured: Mutex<HashMap<String, ConfiguredPolicy>>,
}

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(EngineConfig::default()).expect("engine"));

static COMPONENTS: LazyLock<Mutex<HashMap<&'static str, Arc<Component>>>> =
    LazyLock::new(Mutex::default);

fn component(path: &'static str) -> Arc<Component> {
    let mut all = COMPONENTS.lock().unwrap_or_else(|e| e.into_inner());
    all.entry(path)
        .or_insert_with(|| {
            let module = ENGINE
                .load(&boomgate_test_artifacts::read(path))
                .expect("the component loads");
            Arc::new(Component {
                module,
                configured: Mutex::default(),
            })
        })
        .clone()
}

impl Component {
    /// The component configured with `settings`.
    fn lot(&self, settings: &str) -> Result<ConfiguredPolicy, String> {
        let mut configured = self.configured.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lot) = configured.get(settings) {
            return Ok(lot.clone());
        }
        let lot = self
            .module
            .configure(settings)
            .map_err(|e| format!("  settings refused: {e}"))?;
        configured.insert(settings.to_owned(), lot.clone());
        Ok(lot)
    }
}

impl Target for Component {
    fn decide(&self, settings: &str, scenario: &Scenario) -> Result<Decision, String> {
        let lot = self.lot(settings)?;
        let evaluation = lot.evaluate_detailed(&scenario.input);
        match evaluation.fault {
            Some(fault) => Err(format!("  faulted: {fault}")),
            None => Ok(evaluation.decision),
        }
    }

    fn fee_text(&self, settings: &str, locale: &str) -> Result<Option<String>, String> {
        let lot = self.lot(settings)?;
        lot.fee_schedule(Some(locale))
            .map(Some)
            .map_err(|e| format!("  fee text in {locale}: {e}"))
    }
}

fn trial(
    target: &'static str,
    policy: &Arc<Subject>,
    index: usize,
    run: impl FnOnce(&Subject, &Scenario) -> Result<(), String> + Send + 'static,
) -> Trial {
    let (path, _) = &policy.suite.scenarios[index];
    let name = format!("{target}::{}::{}", policy.name, file_name(path));
    let policy = policy.clone();
    Trial::test(name, move || {
        let (_, scenario) = &policy.suite.scenarios[index];
        run(&policy, scenario)
            .map_err(|why| Failed::from(format!("{}\n{why}", scenario.description)))
    })
}

fn main() {
    let args = Arguments::from_args();
    let policies = [
        policy::<boomgate_standard_lot::StandardLot>(
            "standard-lot",
            boomgate_test_artifacts::STANDARD_LOT,
        ),
        policy::<boomgate_pass_lot::PassLot>("pass-lot", boomgate_test_artifacts::PASS_LOT),
    ];
    let mut trials = Vec::new();
    for policy in &policies {
        for index in 0..policy.suite.scenarios.len() {
            trials.push(trial("native", policy, index, |p, s| {
                p.suite.check(s, p.native.as_ref()).map(drop)
            }));
            trials.push(trial("component", policy, index, |p, s| {
                let wasm = p.suite.check(s, component(p.component).as_ref())?;
                let native = p.native.decide(&p.suite.settings(s), s)?;
                if native != wasm {
                    return Err(format!(
                        "the component and native code disagree:\n  wasm   {wasm:?}\n  native {native:?}"
                    ));
                }
                Ok(())
            }));
            for backend in [harness::Backend::Sqlite, harness::Backend::Postgres] {
                let target = match backend {
                    harness::Backend::Sqlite => "http-sqlite",
                    harness::Backend::Postgres => "http-postgres",
                };
                trials.push(trial(target, policy, index, move |p, s| {
                    let service = http::Service::on(backend);
                    let target = service.for_policy(p.name, component(p.component));
                    p.suite.check(s, &target).map(drop)
                }));
            }
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
