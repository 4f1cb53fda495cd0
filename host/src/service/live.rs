//! What wakes the console's live lists: a counter every change the service
//! accepts moves (a robot's event, a heartbeat, a call, a payment, an
//! agent's act). Pages that show live lists re-render when it moves, and on
//! a timer for what time alone changes (a hold passing the congestion
//! threshold, a robot falling silent) and for changes other hosts made;
//! they send only what changed.

use tokio::sync::watch;

/// The change counter.
pub struct Live {
    changes: watch::Sender<u64>,
}

impl Default for Live {
    fn default() -> Live {
        Live {
            changes: watch::channel(0).0,
        }
    }
}

impl Live {
    /// Something changed.
    pub fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that sees the counter move.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }
}
