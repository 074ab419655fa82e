//! A component's consumers with the consumer layers on.

use std::sync::Arc;

use messaging::consumer::{ConsumerError, Consumers, PositionStore, run_together};
use messaging::{ComponentSettings, Consumer, ConsumerSettings, Handler, MessageStore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::lanes::Lanes;
use crate::metrics::{ConsumerMeter, Metered};
use crate::pause::Pause;
use crate::wake_ups::WakeUps;

/// The consumer layers a binary puts on.
#[derive(Clone, Copy, Debug)]
pub struct ConsumerLayers {
    /// How many entities each consumer handles at once (`lanes.rs`); 1 is
    /// the plain way, one message after another.
    pub lanes: u32,
    /// Whether consumers are woken by new messages (`wake_ups.rs`), rather
    /// than only finding them at the next poll.
    pub wake_ups: bool,
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

impl Default for ConsumerLayers {
    fn default() -> Self {
        ConsumerLayers {
            lanes: DEFAULT_LANES,
            wake_ups: true,
        }
    }
}

/// The running consumers of one component, each with the consumer layers
/// on: lanes and wake-ups as the binary chose, each on the metrics list,
/// and all held still by one pause switch.
///
/// Like the core's `Component`, if any consumer fails, the others are
/// stopped too, and the component reports the failure.
#[derive(Debug)]
pub struct LayeredComponent {
    store: MessageStore,
    settings: ComponentSettings,
    layers: ConsumerLayers,
    stop: CancellationToken,
    consumers: JoinSet<Result<(), ConsumerError>>,
    /// One switch for all its consumers: pausing a component pauses each.
    pause: Pause,
}

impl LayeredComponent {
    /// A component with no consumers yet, reading `store` as `settings` say,
    /// with `layers` on, stopping when `shutdown` is cancelled.
    pub fn new(
        store: MessageStore,
        settings: ComponentSettings,
        layers: ConsumerLayers,
        shutdown: &CancellationToken,
    ) -> LayeredComponent {
        LayeredComponent {
            store,
            settings,
            layers,
            stop: shutdown.child_token(),
            consumers: JoinSet::new(),
            pause: Pause::new(),
        }
    }

    /// The switch that pauses and resumes every consumer of the component.
    pub fn pause_switch(&self) -> Pause {
        self.pause.clone()
    }

    /// Waits for every consumer to stop, and returns the first failure.
    pub async fn run(self) -> Result<(), ConsumerError> {
        run_together(self.consumers, &self.stop).await
    }
}

impl Consumers for LayeredComponent {
    fn start<H: Handler + Clone + 'static>(&mut self, settings: ConsumerSettings, handler: H) {
        let running = Running {
            store: self.store.clone(),
            settings: self.settings.applied_to(settings),
            layers: self.layers,
            pause: self.pause.clone(),
        };
        self.consumers
            .spawn(running.run(handler, self.stop.clone()));
    }
}

/// One consumer with its layers, as a task.
struct Running {
    store: MessageStore,
    settings: ConsumerSettings,
    layers: ConsumerLayers,
    pause: Pause,
}

impl Running {
    /// Runs the consumer until `stop`, stopping it while paused and starting
    /// it again when resumed.
    async fn run<H: Handler + Clone + 'static>(
        self,
        handler: H,
        stop: CancellationToken,
    ) -> Result<(), ConsumerError> {
        let meter = self.meter(&stop).await?;
        let Some(meter) = meter else { return Ok(()) };
        let handler = Metered::new(handler, Arc::new(meter));
        loop {
            if !self.pause.until_resumed(&stop).await {
                return Ok(());
            }
            let paused = stop.child_token();
            let watching = tokio::spawn({
                let (pause, paused) = (self.pause.clone(), paused.clone());
                async move {
                    pause.until_paused().await;
                    paused.cancel();
                }
            });
            let consumer = self.consumer(handler.clone());
            let ended = consumer.run(paused).await;
            watching.abort();
            ended?;
            if stop.is_cancelled() {
                return Ok(());
            }
        }
    }

    /// The consumer, with its layers on.
    fn consumer<H: Handler>(&self, handler: H) -> Consumer<H> {
        let mut consumer = Consumer::new(self.store.clone(), self.settings.clone(), handler)
            .handling_batches_with(Arc::new(Lanes(self.layers.lanes)));
        if self.layers.wake_ups {
            consumer = consumer.waiting_with(Box::new(WakeUps::new(
                self.store.clone(),
                self.settings.category.clone(),
                self.settings.poll_interval,
            )));
        }
        consumer
    }

    /// The consumer on the metrics list, from its recorded position; `None`
    /// if `stop` came first.
    async fn meter(
        &self,
        stop: &CancellationToken,
    ) -> Result<Option<ConsumerMeter>, ConsumerError> {
        let store_error = |source| ConsumerError::Store {
            consumer: self.settings.name(),
            source,
        };
        let positions = PositionStore::of(&self.store, &self.settings).map_err(store_error)?;
        let recorded = messaging::consumer::retry_transient(stop, || positions.get())
            .await
            .map_err(store_error)?;
        let Some(recorded) = recorded else {
            return Ok(None);
        };
        let meter = ConsumerMeter::register(&self.store, &self.settings, recorded.unwrap_or(0))
            .map_err(store_error)?;
        Ok(Some(meter))
    }
}
