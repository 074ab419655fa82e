//! The layers the bank's processes put on the plain path, in one place.
//!
//! The components, the aggregator and the web UI are written on the plain
//! path of `messaging`: one write at a time, one message after another.
//! Every binary of the bank (`bank/src/bin/`, and `bank serve`) opens its
//! databases and runs its parts through the functions here, so a reader sees
//! in one file everything that is added for speed and for operators, each
//! explained where it is defined (`messaging-layers`).

use std::collections::HashMap;
use std::sync::Arc;

use aggregator::updates::Source;
use messaging::MessageStore;
use messaging::consumer::Waiting;
use messaging_layers::metrics::ConsumerMeter;
use messaging_layers::wake_ups::WakeUps;
use messaging_layers::{ConsumerLayers, Pause};
use views::ViewDatabase;

/// The name every metric of the bank starts with.
pub const METRICS_NAMESPACE: &str = "bank";

/// The message store, with the store layers on (on Postgres: group commit,
/// notifications after the commit, pings only for idle connections).
pub async fn message_store(
    url: &str,
    max_connections: u32,
) -> Result<MessageStore, messaging::StoreError> {
    messaging_layers::connect(url, max_connections).await
}

/// The view database, its pool pinging only the connections that sat idle.
pub async fn view_database(url: &str, max_connections: u32) -> Result<ViewDatabase, sqlx::Error> {
    ViewDatabase::connect_checking_with(
        url,
        max_connections,
        Some(messaging_layers::idle_ping::ping_if_idle),
    )
    .await
}

/// The consumer layers of the bank's components: 32 lanes and wake-ups
/// (and metrics, which every layered component has).
pub fn consumer_layers() -> ConsumerLayers {
    ConsumerLayers::default()
}

/// The aggregator's layers: wake-ups for each subscription, and each source
/// on the metrics list, from where the views have it.
pub async fn aggregator_layers(store: &MessageStore, views: &ViewDatabase) -> aggregator::Layers {
    let mut meters = HashMap::new();
    for source in Source::ALL {
        let position = aggregator::subscriptions::applied(views, source)
            .await
            .unwrap_or_default();
        let settings = aggregator::batch::consumer_settings(source);
        match ConsumerMeter::register(store, &settings, position) {
            Ok(meter) => {
                meters.insert(source, meter);
            }
            Err(error) => tracing::warn!(%error, "the aggregator's {source:?} has no metrics"),
        }
    }
    let waiting_store = store.clone();
    aggregator::Layers {
        waiting: Some(Arc::new(
            move |category, poll_interval| -> Box<dyn Waiting> {
                Box::new(WakeUps::new(waiting_store.clone(), category, poll_interval))
            },
        )),
        applied: Some(Arc::new(move |source, position, count| {
            if let Some(meter) = meters.get(&source) {
                meter.handled(position, count);
            }
        })),
    }
}

/// A component's pause switch, as the web UI's operations page turns it.
#[derive(Clone, Debug)]
pub struct Switch(pub Pause);

impl web_ui::components::PauseSwitch for Switch {
    fn pause(&self) {
        self.0.pause();
    }

    fn resume(&self) {
        self.0.resume();
    }

    fn is_paused(&self) -> bool {
        self.0.is_paused()
    }
}
