//! A component: several consumers that run together and stop together.

use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{Consumer, ConsumerError, ConsumerSettings, Handler, Pause};
use crate::{Category, ConsumerGroup};

/// How every consumer of a component reads, as an operator configures it.
#[derive(Clone, Copy, Debug)]
pub struct ComponentSettings {
    /// This instance's place in a consumer group, when several instances
    /// share the work.
    pub consumer_group: Option<ConsumerGroup>,
    /// How long consumers sleep after an empty read.
    pub poll_interval: Duration,
    /// Whether consumers wake up on new-message signals.
    pub wake_on_new_messages: bool,
    /// How many entities each consumer handles at once (see
    /// [`super::lanes`]).
    pub lanes: u32,
}

/// The components' lanes unless an operator says otherwise. Each lane keeps
/// one entity's work in flight, and the more writes are in flight at once,
/// the more of them share a commit and a round trip (group commit), and the
/// more each category read brings back. On the benchmark ladder's transfers
/// (L5, 2 cores) the Postgres CPU per transfer fell from 4.9 ms with 1 lane
/// to 3.8 with 4, 2.2 with 32 and 2.1 with 64; 32 is where the curve has
/// flattened. A lane costs a future, not a thread or a connection: lanes
/// beyond the pool's connections wait their turn for one.
pub const DEFAULT_LANES: u32 = 32;

impl Default for ComponentSettings {
    fn default() -> Self {
        ComponentSettings {
            consumer_group: None,
            poll_interval: Duration::from_millis(100),
            wake_on_new_messages: true,
            lanes: DEFAULT_LANES,
        }
    }
}

impl ComponentSettings {
    /// Settings for a consumer of `category` with these choices applied.
    pub fn consumer(&self, category: Category) -> ConsumerSettings {
        let mut settings = ConsumerSettings::new(category);
        settings.consumer_group = self.consumer_group;
        settings.poll_interval = self.poll_interval;
        settings.wake_on_new_messages = self.wake_on_new_messages;
        settings.lanes = self.lanes;
        settings
    }
}

/// The running consumers of one component.
///
/// If any consumer fails, the others are stopped too, and the component
/// reports the failure: a half-running component (handling commands but no
/// longer its transactions, say) would be harder to notice than one that has
/// stopped, and the process supervisor will restart it.
#[derive(Debug)]
pub struct Component {
    stop: CancellationToken,
    consumers: JoinSet<Result<(), ConsumerError>>,
    /// One switch for all its consumers: pausing a component pauses each.
    pause: Pause,
}

impl Component {
    /// A component with no consumers yet, stopping when `shutdown` is
    /// cancelled.
    pub fn new(shutdown: &CancellationToken) -> Component {
        Component {
            stop: shutdown.child_token(),
            consumers: JoinSet::new(),
            pause: Pause::new(),
        }
    }

    /// Starts `consumer` in a task of its own.
    pub fn start<H: Handler + 'static>(&mut self, consumer: Consumer<H>) {
        let consumer = consumer.pausable(self.pause.clone());
        self.consumers.spawn(consumer.run(self.stop.clone()));
    }

    /// The switch that pauses and resumes every consumer of the component
    /// (see `pause.rs`).
    pub fn pause_switch(&self) -> Pause {
        self.pause.clone()
    }

    /// Waits for every consumer to stop, and returns the first failure.
    pub async fn run(mut self) -> Result<(), ConsumerError> {
        let mut outcome = Ok(());
        while let Some(finished) = self.consumers.join_next().await {
            let result = match finished {
                Ok(result) => result,
                // A consumer task panicked: a bug. Stop the rest and report.
                Err(join_error) => Err(ConsumerError::Panicked(join_error.to_string())),
            };
            if let Err(error) = result {
                self.stop.cancel();
                if outcome.is_ok() {
                    outcome = Err(error);
                }
            }
        }
        outcome
    }
}
