//! A switch that holds a component's consumers still, and lets them go on.
//!
//! Autonomy is the point of the whole design: a component that stops does
//! not make anything else fail. Its commands wait in the store, the pages
//! say *pending*, and when it runs again it reads on from its recorded
//! position and catches up. With every component in its own process that is
//! shown by stopping the process. With the whole bank in one process (`cargo
//! run`) there is no process to stop, so each component has this switch
//! instead, and the operations page turns it.
//!
//! Pausing stops a component's consumers the way shutting down would: each
//! finishes the message in its hands, records its position, and stops.
//! Resuming starts them again, and they read on from the position they
//! recorded ([`LayeredComponent`](crate::LayeredComponent) does both).
//! Nothing else changes: the same loop, the same position, the same
//! messages afterwards. What it buys: the all-in-one bank can show
//! autonomy. What it costs: nothing while it is not used.

use std::sync::Arc;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The switch. Clones share it: every consumer of a component holds one,
/// and whoever pauses or resumes holds another.
#[derive(Clone, Debug)]
pub struct Pause {
    paused: Arc<watch::Sender<bool>>,
}

impl Default for Pause {
    fn default() -> Self {
        Pause::new()
    }
}

impl Pause {
    /// A switch that lets consumers run.
    pub fn new() -> Pause {
        Pause {
            paused: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Holds the consumers still after the batch they are handling.
    pub fn pause(&self) {
        self.paused.send_replace(true);
    }

    /// Lets them read again.
    pub fn resume(&self) {
        self.paused.send_replace(false);
    }

    pub fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }

    /// Returns once the switch is (or is already) on.
    pub async fn until_paused(&self) {
        let mut paused = self.paused.subscribe();
        // The sender lives as long as `self`, so the wait cannot fail.
        let _ = paused.wait_for(|paused| *paused).await;
    }

    /// Returns at once when not paused; otherwise waits until resumed.
    /// `false` when `shutdown` came first.
    pub async fn until_resumed(&self, shutdown: &CancellationToken) -> bool {
        let mut paused = self.paused.subscribe();
        tokio::select! {
            resumed = paused.wait_for(|paused| !paused) => resumed.is_ok(),
            () = shutdown.cancelled() => false,
        }
    }
}
