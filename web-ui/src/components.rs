//! The components that run in this process, which the operations page can
//! pause and resume.
//!
//! In the all-in-one bank (`cargo run`) the account and funds-transfer
//! components run beside the web UI, so the operations page can show the
//! seed's main lesson in a browser: pause the account component, make a
//! deposit, and the page says *pending* while the component's lag grows;
//! resume it, and it catches up and the page shows the outcome by itself.
//! Nothing else notices: the UI still takes commands, the other component
//! still runs. When the components run as processes of their own (compose,
//! or the binaries one by one), this list is empty and the page says how to
//! do the same with `docker compose stop`.

use std::fmt;
use std::sync::Arc;

/// A switch that holds a component still and lets it go on. The UI only
/// turns it; whoever runs the component in this process gives it (the
/// pause layer's switch, in the all-in-one bank).
pub trait PauseSwitch: Send + Sync + fmt::Debug {
    /// Holds the component's consumers still.
    fn pause(&self);
    /// Lets them read again.
    fn resume(&self);
    /// Whether they are held still.
    fn is_paused(&self) -> bool;
}

/// A component running in this process, and its switch.
#[derive(Clone, Debug)]
pub struct RunningComponent {
    /// Its name, as its binary is named: `account-component`.
    pub name: &'static str,
    pub pause: Arc<dyn PauseSwitch>,
}

/// The components running in this process (none in the separate-process
/// layout).
#[derive(Clone, Debug, Default)]
pub struct InProcess {
    components: Arc<Vec<RunningComponent>>,
}

impl InProcess {
    /// These components.
    pub fn new(components: Vec<RunningComponent>) -> InProcess {
        InProcess {
            components: Arc::new(components),
        }
    }

    /// The bank's two components, by their binaries' names, with their
    /// switches: what the all-in-one bank runs beside the UI.
    pub fn bank(
        account_component: Arc<dyn PauseSwitch>,
        funds_transfer_component: Arc<dyn PauseSwitch>,
    ) -> InProcess {
        InProcess::new(vec![
            RunningComponent {
                name: "account-component",
                pause: account_component,
            },
            RunningComponent {
                name: "funds-transfer-component",
                pause: funds_transfer_component,
            },
        ])
    }

    /// Each of them, in the order given.
    pub fn all(&self) -> &[RunningComponent] {
        &self.components
    }

    /// The one with this name.
    pub fn named(&self, name: &str) -> Option<&RunningComponent> {
        self.components
            .iter()
            .find(|component| component.name == name)
    }
}
