//! The store every policy call runs in: memory and table limits that record
//! what was refused, so a memory bomb reads as one in the fault.

use wasmtime::{ResourceLimiter, Store};

use crate::config::Deadline;

/// Per-store data: the limits.
pub(crate) struct StoreState {
    memory_limit: usize,
    memory_denied: Option<usize>,
}

/// The most table elements an instance may have: policies use one small
/// table for indirect calls.
const TABLE_LIMIT: usize = 100_000;

impl StoreState {
    pub(crate) fn new(memory_limit: usize) -> Self {
        StoreState {
            memory_limit,
            memory_denied: None,
        }
    }

    /// Bytes asked for and the limit, if a memory grow was refused.
    pub(crate) fn memory_denied(&self) -> Option<(usize, usize)> {
        self.memory_denied.map(|asked| (asked, self.memory_limit))
    }

    pub(crate) fn reset(&mut self) {
        self.memory_denied = None;
    }
}

impl ResourceLimiter for StoreState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.memory_denied = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= TABLE_LIMIT)
    }
}

/// Makes a store ready for one call: limits on, deadline armed.
pub(crate) fn new_store(
    engine: &wasmtime::Engine,
    deadline: &Deadline,
    memory_limit: usize,
) -> Store<StoreState> {
    let mut store = Store::new(engine, StoreState::new(memory_limit));
    store.limiter(|state| state as &mut dyn ResourceLimiter);
    arm(&mut store, deadline);
    store
}

/// Sets the deadline of the next call.
pub(crate) fn arm(store: &mut Store<StoreState>, deadline: &Deadline) {
    match *deadline {
        Deadline::Fuel { units } => {
            // Only fails if fuel is off, which the engine's config rules out.
            let _ = store.set_fuel(units);
        }
        Deadline::Epoch { timeout, tick } => {
            let ticks = timeout.as_nanos().div_ceil(tick.as_nanos().max(1));
            store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX).max(1));
            store.epoch_deadline_trap();
        }
    }
    store.data_mut().reset();
}

/// Fuel used since the store was armed, under a fuel deadline.
pub(crate) fn fuel_used(store: &Store<StoreState>, deadline: &Deadline) -> Option<u64> {
    match *deadline {
        Deadline::Fuel { units } => store.get_fuel().ok().map(|left| units.saturating_sub(left)),
        Deadline::Epoch { .. } => None,
    }
}
