//! Loaded and configured policies, and evaluation: every call in a fresh,
//! isolated instance from the pool, under the engine's limits, answering with
//! a decision whatever the module does.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use boomgate_rules_sdk::{Decision, Input, LotInfo, Needs, Prompt, Quote, Stay};
use serde_json::Value;
use wasmtime::Store;
use wasmtime::component::{Instance, InstancePre};

use crate::bindings::v2::exports::boomgate::policy::policy as wit;
use crate::convert;
use crate::engine::{Engine, EngineInner};
use crate::error::{CallError, ConfigureError, FieldError};
use crate::exports::{v1, v2};
use crate::fault::{Fault, classify, fallback};
use crate::schema::SettingsSchema;
use crate::store::{StoreState, arm, fuel_used, new_store};

/// The largest compiled settings a module may return, in bytes.
pub const MAX_CONFIG_BYTES: usize = 64 << 10;

/// What a module says about itself, and what the host knows of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModuleInfo {
    /// The policy's name, e.g. `standard-lot`.
    pub name: String,
    /// The policy's version.
    pub version: String,
    /// The rules SDK it was built with.
    pub sdk_version: String,
    /// The `boomgate:policy` interface version it implements.
    pub interface_version: String,
    /// Locales it speaks, its default first.
    pub locales: Vec<String>,
    /// sha256 of the module, in hex.
    pub digest: String,
    /// Size of the module, in bytes.
    pub size: usize,
    /// The JSON Schema of its settings.
    pub settings_schema: Value,
}

/// Where a module's functions are, by the interface version it exports.
#[derive(Clone)]
pub(crate) enum Exports {
    V2(v2::Exports),
    V1(v1::Exports),
}

impl Exports {
    /// The exports of the newest interface version the component has.
    pub(crate) fn find(component: &wasmtime::component::Component) -> Result<Self, String> {
        match v2::Exports::find(component) {
            Ok(exports) => Ok(Exports::V2(exports)),
            Err(_) if component.get_export_index(None, v1::INTERFACE).is_some() => {
                v1::Exports::find(component).map(Exports::V1)
            }
            Err(why) => Err(why),
        }
    }

    /// The interface version, e.g. `0.2.0`.
    pub(crate) fn version(&self) -> &'static str {
        match self {
            Exports::V2(_) => "0.2.0",
            Exports::V1(_) => "0.1.0",
        }
    }

    pub(crate) fn typecheck(
        &self,
        store: &mut Store<StoreState>,
        instance: &Instance,
    ) -> Result<(), String> {
        match self {
            Exports::V2(e) => e.typecheck(store, instance),
            Exports::V1(e) => e.typecheck(store, instance),
        }
    }

    /// Who the module says it is.
    pub(crate) fn describe(
        &self,
        store: &mut Store<StoreState>,
        instance: &Instance,
    ) -> wasmtime::Result<wit::PolicyInfo> {
        Ok(match self {
            Exports::V2(e) => e.describe(store, instance)?.typed().call(store, ())?.0,
            Exports::V1(e) => {
                let (info,) = e.describe(store, instance)?.typed().call(store, ())?;
                convert::v1::policy_info(info)
            }
        })
    }

    fn evaluate(
        &self,
        store: &mut Store<StoreState>,
        instance: &Instance,
    ) -> wasmtime::Result<Evaluate> {
        Ok(match self {
            Exports::V2(e) => Evaluate::V2(e.evaluate(store, instance)?),
            Exports::V1(e) => Evaluate::V1(e.evaluate(store, instance)?),
        })
    }
}

/// A checked `evaluate` of an instance, of either version.
#[derive(Clone, Copy)]
enum Evaluate {
    V2(v2::Evaluate),
    V1(v1::Evaluate),
}

/// A compiled, validated policy module. Cheap to clone.
#[derive(Clone)]
pub struct LoadedPolicy {
    inner: Arc<Loaded>,
}

pub(crate) struct Loaded {
    engine: Engine,
    pre: InstancePre<StoreState>,
    exports: Exports,
    info: ModuleInfo,
    schema: SettingsSchema,
    /// Fresh instances, never called, ready for the next events.
    spares: Mutex<Vec<Spare>>,
    /// How many spares to keep: between the engine's `spares_per_policy`
    /// and `max_spares_per_policy`, following the load.
    target: AtomicUsize,
    /// When the target last moved, in milliseconds since `born`.
    moved_ms: AtomicU64,
    born: Instant,
    /// Whether a refill has been asked of the janitor and not yet done.
    refilling: AtomicBool,
}

/// A policy's reserve of fresh instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spares {
    /// Instances ready now.
    pub ready: usize,
    /// How many the janitor keeps ready, as the load has set it.
    pub target: usize,
}

/// A fresh instance in its own store, and its `evaluate` export.
struct Spare {
    store: Store<StoreState>,
    evaluate: Evaluate,
}

impl Spare {
    /// Arms the deadline and decides one event; the fuel used comes back
    /// with the answer.
    fn evaluate(
        &mut self,
        engine: &EngineInner,
        config: &[u8],
        input: &Input,
    ) -> Result<(wit::Decision, Option<u64>), Fault> {
        let deadline = &engine.config.deadline;
        arm(&mut self.store, deadline);
        let store = &mut self.store;
        let answer = match self.evaluate {
            Evaluate::V2(f) => {
                let lowered = convert::Lowered::new(input);
                f.typed()
                    .call(&mut *store, (config, lowered.input()))
                    .map(|(d,)| d)
            }
            Evaluate::V1(f) => f
                .typed()
                .call(&mut *store, (config, convert::v1::input(input)))
                .map(|(d,)| convert::v1::decision(d)),
        };
        answer
            .map(|d| (d, fuel_used(store, deadline)))
            .map_err(|e| classify(e, store.data(), false))
    }
}

impl Loaded {
    fn spares(&self) -> MutexGuard<'_, Vec<Spare>> {
        // A panic while holding the lock cannot leave the list inconsistent.
        self.spares
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A never-used instance in a new store, armed with the limits.
    fn fresh(&self) -> Result<Spare, Fault> {
        let engine = &self.engine.inner;
        let mut store = new_store(
            &engine.wasmtime,
            &engine.config.deadline,
            engine.config.memory_limit,
        );
        let made = self
            .pre
            .instantiate(&mut store)
            .and_then(|instance| self.exports.evaluate(&mut store, &instance));
        match made {
            Ok(evaluate) => Ok(Spare { store, evaluate }),
            Err(e) => Err(classify(e, store.data(), true)),
        }
    }

    /// Tops the spares up to the policy's target, or drops those beyond it
    /// (on the janitor's thread).
    pub(crate) fn refill(&self) {
        loop {
            let reached = self.top_up();
            self.refilling.store(false, Ordering::Release);
            // An event that took a spare after the last count, while this
            // refill ran, asked for none: count again.
            let target = self.target.load(Ordering::Relaxed);
            if !reached
                || self.spares().len() == target
                || self.refilling.swap(true, Ordering::AcqRel)
            {
                break;
            }
        }
    }

    /// One pass of [`Loaded::refill`]: whether it reached the target (it
    /// stops short when the engine's `max_spares` are all held, or an
    /// instance cannot be made).
    fn top_up(&self) -> bool {
        let engine = &self.engine.inner;
        let target = self.target.load(Ordering::Relaxed);
        while self.spares().len() < target {
            if !engine.take_spare_slot() {
                return false;
            }
            match self.fresh() {
                Ok(spare) => self.spares().push(spare),
                Err(_) => {
                    engine.release_spare_slots(1);
                    return false;
                }
            }
        }
        let surplus = {
            let mut spares = self.spares();
            let keep = spares.len().min(target);
            spares.split_off(keep)
        };
        engine.release_spare_slots(surplus.len());
        drop(surplus);
        true
    }

    /// A spare instance if one is ready; asks for more either way, having
    /// followed the load with the reserve's depth.
    fn take_spare(self: &Arc<Self>) -> Option<Spare> {
        let spare = self.spares().pop();
        let engine = &self.engine.inner;
        if spare.is_some() {
            engine.release_spare_slots(1);
        }
        self.follow_load(spare.is_some());
        if engine.config.spares_per_policy > 0
            && !self.refilling.swap(true, Ordering::AcqRel)
            && !engine.janitor.refill(self)
        {
            self.refilling.store(false, Ordering::Release);
        }
        spare
    }
}

/// How long the reserve must go without an event finding it empty before
/// it is made one shallower: slow enough to hold its depth between bursts.
const SPARES_CALM: Duration = Duration::from_secs(1);

impl Loaded {
    /// An event that found no spare ready doubles the reserve (up to the
    /// engine's `max_spares_per_policy`); each [`SPARES_CALM`] without one
    /// lowers it by one, down to `spares_per_policy`.
    fn follow_load(&self, found: bool) {
        let config = &self.engine.inner.config;
        let floor = config.spares_per_policy;
        if floor == 0 {
            return;
        }
        let target = self.target.load(Ordering::Relaxed);
        if found && target == floor {
            // The common case: a quiet lot at its floor reads no clock.
            return;
        }
        let now = u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX);
        let next = if !found {
            target
                .saturating_mul(2)
                .min(config.max_spares_per_policy.max(floor))
        } else if now.saturating_sub(self.moved_ms.load(Ordering::Relaxed))
            >= SPARES_CALM.as_millis() as u64
        {
            target.saturating_sub(1).max(floor)
        } else {
            return;
        };
        self.target.store(next, Ordering::Relaxed);
        self.moved_ms.store(now, Ordering::Relaxed);
    }
}

impl Drop for Loaded {
    fn drop(&mut self) {
        let n = self.spares().len();
        self.engine.inner.release_spare_slots(n);
    }
}

impl LoadedPolicy {
    pub(crate) fn new(
        engine: Engine,
        pre: InstancePre<StoreState>,
        exports: Exports,
        info: ModuleInfo,
        schema: SettingsSchema,
    ) -> Self {
        let floor = engine.inner.config.spares_per_policy;
        LoadedPolicy {
            inner: Arc::new(Loaded {
                engine,
                pre,
                exports,
                info,
                schema,
                spares: Mutex::new(Vec::new()),
                target: AtomicUsize::new(floor),
                moved_ms: AtomicU64::new(0),
                born: Instant::now(),
                refilling: AtomicBool::new(false),
            }),
        }
    }

    /// What the module says about itself.
    pub fn info(&self) -> &ModuleInfo {
        &self.inner.info
    }

    /// Checks settings JSON against the module's schema, then has the module
    /// read them. Errors name the field.
    pub fn configure(&self, settings: &str) -> Result<ConfiguredPolicy, ConfigureError> {
        let value: Value =
            serde_json::from_str(settings).map_err(|e| ConfigureError::Json(e.to_string()))?;
        self.inner
            .schema
            .check(&value)
            .map_err(ConfigureError::Invalid)?;
        let outcome = self.run(|store, instance| {
            Ok(match &self.inner.exports {
                Exports::V2(e) => {
                    e.configure(store, instance)?
                        .typed()
                        .call(store, (settings,))?
                        .0
                }
                Exports::V1(e) => e
                    .configure(store, instance)?
                    .typed()
                    .call(store, (settings,))?
                    .0
                    .map(|config| wit::Configured {
                        config,
                        needs: wit::Needs { history_minutes: 0 },
                    })
                    .map_err(convert::v1::settings_error),
            })
        });
        match outcome {
            Ok((Ok(configured), _)) if configured.config.len() > MAX_CONFIG_BYTES => {
                Err(ConfigureError::Fault(Fault::Contract(format!(
                    "compiled settings of {} bytes, over {MAX_CONFIG_BYTES}",
                    configured.config.len()
                ))))
            }
            Ok((Ok(configured), _)) => Ok(ConfiguredPolicy {
                inner: Arc::new(Configured {
                    policy: self.clone(),
                    config: configured.config,
                    needs: Needs {
                        history_minutes: configured.needs.history_minutes,
                    },
                    settings: value,
                }),
            }),
            Ok((Err(refused), _)) => Err(ConfigureError::Invalid(vec![FieldError {
                path: refused.path,
                message: refused.message,
            }])),
            Err(fault) => Err(ConfigureError::Fault(fault)),
        }
    }

    /// Runs `call` in a fresh instance armed with the engine's limits; the
    /// fuel it used comes back with its result.
    fn run<R>(
        &self,
        call: impl FnOnce(&mut Store<StoreState>, &Instance) -> wasmtime::Result<R>,
    ) -> Result<(R, Option<u64>), Fault> {
        let engine = &self.inner.engine.inner;
        let config = &engine.config;
        let mut store = new_store(&engine.wasmtime, &config.deadline, config.memory_limit);
        let outcome = match self.inner.pre.instantiate(&mut store) {
            Ok(instance) => call(&mut store, &instance)
                .map(|result| (result, fuel_used(&store, &config.deadline)))
                .map_err(|e| classify(e, store.data(), false)),
            Err(e) => Err(classify(e, store.data(), true)),
        };
        engine.janitor.retire(store);
        outcome
    }
}

/// A policy with its settings: ready to decide. Cheap to clone.
#[derive(Clone)]
pub struct ConfiguredPolicy {
    inner: Arc<Configured>,
}

struct Configured {
    policy: LoadedPolicy,
    config: Vec<u8>,
    needs: Needs,
    settings: Value,
}

/// A decision and how it was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The decision: the policy's, or the fallback if it faulted.
    pub decision: Decision,
    /// Why the fallback was given, if it was.
    pub fault: Option<Fault>,
    /// Work the policy did, under a fuel deadline.
    pub fuel: Option<u64>,
}

impl ConfiguredPolicy {
    /// The module.
    pub fn policy(&self) -> &LoadedPolicy {
        &self.inner.policy
    }

    /// The settings, as given.
    pub fn settings(&self) -> &Value {
        &self.inner.settings
    }

    /// What the policy needs the host to tell it beyond the event (0.1.0
    /// modules need nothing).
    pub fn needs(&self) -> Needs {
        self.inner.needs
    }

    /// Decides one event in a fresh instance. Never fails: a module that
    /// traps, runs out of fuel or memory, or answers against the contract
    /// yields the fallback decision (hold, `policy_fault`, escalate).
    pub fn evaluate(&self, input: &Input) -> Decision {
        self.evaluate_detailed(input).decision
    }

    /// [`evaluate`](Self::evaluate), telling whether the decision is a
    /// fallback and how much work the policy did.
    pub fn evaluate_detailed(&self, input: &Input) -> Evaluation {
        if let Err(why) = convert::check_input(input) {
            return self.faulted(Fault::Input(why), None);
        }
        let loaded = &self.inner.policy.inner;
        let engine = &loaded.engine.inner;
        let mut spare = match loaded.take_spare() {
            Some(spare) => spare,
            None => match loaded.fresh() {
                Ok(spare) => spare,
                Err(fault) => return self.faulted(fault, None),
            },
        };
        let outcome = spare.evaluate(engine, &self.inner.config, input);
        engine.janitor.retire(spare.store);
        self.finish(outcome, input)
    }

    /// Makes the spare instances ready now rather than in the background:
    /// after activating a policy, so its first event does not wait.
    pub fn prewarm(&self) {
        self.inner.policy.inner.refill();
    }

    /// The module's reserve of fresh instances (shared by every settings of
    /// it), as the load has shaped it.
    pub fn spares(&self) -> Spares {
        let loaded = &self.inner.policy.inner;
        Spares {
            ready: loaded.spares().len(),
            target: loaded.target.load(Ordering::Relaxed),
        }
    }

    fn finish(
        &self,
        outcome: Result<(wit::Decision, Option<u64>), Fault>,
        input: &Input,
    ) -> Evaluation {
        match outcome {
            Ok((answer, fuel)) => match convert::decision(answer, input) {
                Ok(decision) => Evaluation {
                    decision,
                    fault: None,
                    fuel,
                },
                Err(why) => self.faulted(Fault::Contract(why), fuel),
            },
            Err(fault) => self.faulted(fault, None),
        }
    }

    fn faulted(&self, fault: Fault, fuel: Option<u64>) -> Evaluation {
        let decision = fallback(
            &self.inner.policy.inner.engine.inner.config.fallback,
            &fault,
        );
        Evaluation {
            decision,
            fault: Some(fault),
            fuel,
        }
    }

    /// The fee schedule as text in `locale`, or in the settings' own locale.
    pub fn fee_schedule(&self, locale: Option<&str>) -> Result<String, CallError> {
        let exports = &self.inner.policy.inner.exports;
        let (answer, _) = self
            .inner
            .policy
            .run(|store, instance| {
                let config = &self.inner.config[..];
                Ok(match exports {
                    Exports::V2(e) => {
                        e.fee_schedule(store, instance)?
                            .typed()
                            .call(store, (config, locale))?
                            .0
                    }
                    Exports::V1(e) => {
                        e.fee_schedule(store, instance)?
                            .typed()
                            .call(store, (config, locale))?
                            .0
                    }
                })
            })
            .map_err(CallError::Fault)?;
        answer.map_err(CallError::Refused)
    }

    /// Prices a stay: the fee from entry to the stated exit, less what was
    /// paid.
    pub fn fee_quote(&self, stay: &Stay) -> Result<Quote, CallError> {
        let exports = &self.inner.policy.inner.exports;
        let (answer, _) = self
            .inner
            .policy
            .run(|store, instance| {
                let config = &self.inner.config[..];
                Ok(match exports {
                    Exports::V2(e) => {
                        let lowered = convert::LoweredStay::new(stay);
                        e.fee_quote(store, instance)?
                            .typed()
                            .call(store, (config, lowered.stay()))?
                            .0
                    }
                    Exports::V1(e) => e
                        .fee_quote(store, instance)?
                        .typed()
                        .call(store, (config, convert::v1::stay(stay)))?
                        .0
                        .map(convert::v1::quote),
                })
            })
            .map_err(CallError::Fault)?;
        let quote = answer.map_err(CallError::Refused)?;
        convert::quote(quote).map_err(|why| CallError::Fault(Fault::Contract(why)))
    }

    /// What an agent tells callers about the lot, in `locale` or in the
    /// settings' own locale.
    pub fn lot_info(&self, locale: Option<&str>) -> Result<LotInfo, CallError> {
        let exports = &self.inner.policy.inner.exports;
        let (answer, _) = self
            .inner
            .policy
            .run(|store, instance| {
                let config = &self.inner.config[..];
                Ok(match exports {
                    Exports::V2(e) => {
                        e.describe_lot(store, instance)?
                            .typed()
                            .call(store, (config, locale))?
                            .0
                    }
                    Exports::V1(e) => e
                        .describe_lot(store, instance)?
                        .typed()
                        .call(store, (config, locale))?
                        .0
                        .map(convert::v1::lot_info),
                })
            })
            .map_err(CallError::Fault)?;
        let info = answer.map_err(CallError::Refused)?;
        convert::lot_info(info).map_err(|why| CallError::Fault(Fault::Contract(why)))
    }

    /// The prompts agents push to the robot, in `locale` or in the
    /// settings' own locale. A 0.1.0 module has none to offer.
    pub fn prompts(&self, locale: Option<&str>) -> Result<Vec<Prompt>, CallError> {
        let Exports::V2(exports) = &self.inner.policy.inner.exports else {
            return Err(CallError::Unsupported(
                "a boomgate:policy@0.1.0 module offers no prompts".to_owned(),
            ));
        };
        let (answer, _) = self
            .inner
            .policy
            .run(|store, instance| {
                let config = &self.inner.config[..];
                Ok(exports
                    .prompts(store, instance)?
                    .typed()
                    .call(store, (config, locale))?
                    .0)
            })
            .map_err(CallError::Fault)?;
        let prompts = answer.map_err(CallError::Refused)?;
        convert::prompts(prompts).map_err(|why| CallError::Fault(Fault::Contract(why)))
    }

    /// An instance kept warm across calls, for batch work (replaying events
    /// against a candidate policy) and for measuring the call itself. The
    /// robot path uses [`evaluate`](Self::evaluate): a fresh instance per
    /// event, so no state leaks between events.
    pub fn warm(&self) -> WarmPolicy {
        WarmPolicy {
            policy: self.clone(),
            slot: None,
        }
    }
}

/// One instance reused across calls; replaced after any fault.
pub struct WarmPolicy {
    policy: ConfiguredPolicy,
    slot: Option<Spare>,
}

impl WarmPolicy {
    /// Decides one event in the warm instance.
    pub fn evaluate(&mut self, input: &Input) -> Decision {
        self.evaluate_detailed(input).decision
    }

    /// Decides one event in the warm instance, telling whether it faulted.
    pub fn evaluate_detailed(&mut self, input: &Input) -> Evaluation {
        if let Err(why) = convert::check_input(input) {
            return self.policy.faulted(Fault::Input(why), None);
        }
        let loaded = &self.policy.inner.policy.inner;
        let mut spare = match self.slot.take() {
            Some(spare) => spare,
            None => match loaded.fresh() {
                Ok(spare) => spare,
                Err(fault) => return self.policy.faulted(fault, None),
            },
        };
        let outcome = spare.evaluate(&loaded.engine.inner, &self.policy.inner.config, input);
        let evaluation = self.policy.finish(outcome, input);
        if evaluation.fault.is_none() {
            self.slot = Some(spare);
        } else {
            loaded.engine.inner.janitor.retire(spare.store);
        }
        evaluation
    }
}
