//! Work done off the event path. Every event needs a never-used instance,
//! and creating one and tearing it down (resetting its memory in the pool)
//! costs more than the decision itself; neither has to happen while a robot
//! waits. A background thread drops used stores and prepares fresh instances
//! ahead of the next event. If it falls behind, the event path does the work
//! itself: the janitor only ever moves latency, never isolation.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;

use wasmtime::Store;

use crate::error::EngineError;
use crate::policy::Loaded;
use crate::store::StoreState;

enum Job {
    Retire(Store<StoreState>),
    Refill(Weak<Loaded>),
}

pub(crate) struct Janitor {
    tx: Option<SyncSender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Janitor {
    /// A janitor holding at most `queue` jobs; beyond, the event path drops
    /// its own stores. Each queued store holds a pooled slot until it is
    /// dropped, so the queue must leave room in the pool for the events in
    /// flight (see [`Janitor::queue_for`]).
    pub(crate) fn start(queue: usize) -> Result<Janitor, EngineError> {
        let (tx, rx) = sync_channel(queue.max(1));
        let thread = std::thread::Builder::new()
            .name("boomgate-janitor".into())
            .spawn(move || work(rx))
            .map_err(|e| EngineError(format!("cannot start the janitor thread: {e}")))?;
        Ok(Janitor {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// How many jobs may wait, for a pool of `slots` instances of which
    /// `spares` may be held ready: a quarter of what remains, so that a
    /// janitor falling behind a burst never starves events of a slot.
    pub(crate) fn queue_for(slots: usize, spares: usize) -> usize {
        (slots.saturating_sub(spares) / 4).max(1)
    }

    /// Drops `store` in the background (or here, if the queue is full).
    pub(crate) fn retire(&self, store: Store<StoreState>) {
        if let Some(tx) = &self.tx {
            match tx.try_send(Job::Retire(store)) {
                Ok(()) => {}
                Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => drop(job),
            }
        }
    }

    /// Asks for `policy`'s spare instances to be topped up.
    pub(crate) fn refill(&self, policy: &Arc<Loaded>) -> bool {
        match &self.tx {
            Some(tx) => tx.try_send(Job::Refill(Arc::downgrade(policy))).is_ok(),
            None => false,
        }
    }
}

impl Drop for Janitor {
    fn drop(&mut self) {
        // Closing the channel ends the thread once it has drained its queue.
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            // The janitor itself may drop the last reference to the engine
            // (through a policy it was refilling); it cannot wait for itself.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

fn work(rx: Receiver<Job>) {
    while let Ok(job) = rx.recv() {
        match job {
            Job::Retire(store) => drop(store),
            Job::Refill(policy) => {
                if let Some(policy) = policy.upgrade() {
                    policy.refill();
                }
            }
        }
    }
}
