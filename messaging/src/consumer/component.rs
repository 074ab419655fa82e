//! A component: several consumers that run together and stop together.

use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{Consumer, ConsumerError, ConsumerSettings, Handler};
use crate::{ConsumerGroup, MessageStore};

/// What a component's `start` function asks of whoever runs it: to start a
/// consumer of `settings.category` that hands its messages to `handler`.
///
/// A component's library says *which* consumers it has (the account
/// component: `account:command` and `accountTransaction`); whoever runs it
/// says *how* they run. The plain [`Component`] runs each as it is; the
/// layers crate's host wraps each in the layers a binary chose (lanes,
/// wake-ups, pause, metrics). Handlers are `Clone` so that a host may start
/// a consumer again (after a pause, say) with a handler of its own.
pub trait Consumers {
    /// Starts a consumer; `settings` are the component's own (category,
    /// identifier, correlation), to which the host adds the operator's.
    fn start<H: Handler + Clone + 'static>(&mut self, settings: ConsumerSettings, handler: H);
}

/// How every consumer of a component reads, as an operator configures it.
#[derive(Clone, Copy, Debug)]
pub struct ComponentSettings {
    /// This instance's place in a consumer group, when several instances
    /// share the work.
    pub consumer_group: Option<ConsumerGroup>,
    /// How long consumers sleep after an empty read.
    pub poll_interval: Duration,
}

impl Default for ComponentSettings {
    fn default() -> Self {
        ComponentSettings {
            consumer_group: None,
            poll_interval: Duration::from_millis(100),
        }
    }
}

impl ComponentSettings {
    /// A component's own consumer `settings` with the operator's choices
    /// applied.
    pub fn applied_to(&self, mut settings: ConsumerSettings) -> ConsumerSettings {
        settings.consumer_group = self.consumer_group;
        settings.poll_interval = self.poll_interval;
        settings
    }
}

/// The running consumers of one component, each run plainly.
///
/// If any consumer fails, the others are stopped too, and the component
/// reports the failure: a half-running component (handling commands but no
/// longer its transactions, say) would be harder to notice than one that has
/// stopped, and the process supervisor will restart it.
#[derive(Debug)]
pub struct Component {
    store: MessageStore,
    settings: ComponentSettings,
    stop: CancellationToken,
    consumers: JoinSet<Result<(), ConsumerError>>,
}

impl Component {
    /// A component with no consumers yet, reading `store` as `settings` say,
    /// and stopping when `shutdown` is cancelled.
    pub fn new(
        store: MessageStore,
        settings: ComponentSettings,
        shutdown: &CancellationToken,
    ) -> Component {
        Component {
            store,
            settings,
            stop: shutdown.child_token(),
            consumers: JoinSet::new(),
        }
    }

    /// Waits for every consumer to stop, and returns the first failure.
    pub async fn run(self) -> Result<(), ConsumerError> {
        run_together(self.consumers, &self.stop).await
    }
}

impl Consumers for Component {
    fn start<H: Handler + Clone + 'static>(&mut self, settings: ConsumerSettings, handler: H) {
        let settings = self.settings.applied_to(settings);
        let consumer = Consumer::new(self.store.clone(), settings, handler);
        self.consumers.spawn(consumer.run(self.stop.clone()));
    }
}

/// Waits for every task of `consumers`; the first to fail cancels `stop`,
/// which stops the others, and its error is the answer.
pub async fn run_together(
    mut consumers: JoinSet<Result<(), ConsumerError>>,
    stop: &CancellationToken,
) -> Result<(), ConsumerError> {
    let mut outcome = Ok(());
    while let Some(finished) = consumers.join_next().await {
        let result = match finished {
            Ok(result) => result,
            // A consumer task panicked: a bug. Stop the rest and report.
            Err(join_error) => Err(ConsumerError::Panicked(join_error.to_string())),
        };
        if let Err(error) = result {
            stop.cancel();
            if outcome.is_ok() {
                outcome = Err(error);
            }
        }
    }
    outcome
}
