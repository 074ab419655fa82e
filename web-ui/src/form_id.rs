//! A form's id, and the ids of what its command creates or moves.
//!
//! Every form carries an id, made when the page was drawn (the hidden field
//! `command_id`). It is what makes a form safe to send twice: its command
//! goes out in a message with that id, and the store takes each message id
//! once (`send.rs`). But the id comes back from the browser, and whatever
//! comes back from a browser may have been chosen by whoever sent it. So it
//! is *untrusted input*, and it must never decide what happens to anybody
//! else's money.
//!
//! It would, if it were used as it is for the command's own ids. A deposit's
//! id is the key under which the account reserves it, once
//! (`accountTransaction-{account}+{deposit}`): a form that sent a deposit
//! under the id of a transfer's deposit, read off the inspector, would take
//! the transfer's place, and the transfer's money would never arrive. So the
//! ids a form's command carries (the deposit, withdrawal, transfer or
//! release id, the new account's id) are *derived* from the form's id: a
//! name-based UUID (version 5) under a namespace that belongs to the web UI
//! alone. The funds-transfer component derives its steps' ids under a
//! namespace of its own (`funds-transfer-component/src/step_ids.rs`), and
//! no form id can ever come out as one of them. Derived ids are the same
//! each time, so a form sent twice still carries the same command, which
//! the account then recognises.

use std::fmt;

use uuid::Uuid;

/// The web UI's namespace for the ids it derives. Any fixed UUID would do;
/// what matters is that nobody else derives ids under it.
const NAMESPACE: Uuid = Uuid::from_u128(0x9c1e_44b0_7d2a_4f63_8e5b_0a3c_6f17_d2e8);

/// The id a form was drawn with, as it came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormId(Uuid);

impl FormId {
    /// A new id, for a form about to be drawn.
    pub fn new() -> FormId {
        FormId(Uuid::new_v4())
    }

    /// The id of the hidden field, read back. It is a hidden field, so a bad
    /// one means the form was tampered with or is from an older page.
    pub fn parse(input: Option<&str>) -> Result<FormId, String> {
        input
            .and_then(|text| Uuid::parse_str(text.trim()).ok())
            .map(FormId)
            .ok_or_else(|| "This form is out of date. Please try again.".to_string())
    }

    /// The form id a page names after a form (`?command={id}`), which is the
    /// id of the message that carried its command.
    pub fn of_message(message_id: Uuid) -> FormId {
        FormId(message_id)
    }

    /// The id of the message that carries the form's command: the form's
    /// own id, so that the store takes the form once.
    pub fn message_id(self) -> Uuid {
        self.0
    }

    /// The id the form's command gives what it creates or moves: derived
    /// from the form's id, never equal to an id anyone else derives (see the
    /// module documentation).
    pub fn derived_id(self) -> Uuid {
        Uuid::new_v5(&NAMESPACE, self.0.as_bytes())
    }
}

impl Default for FormId {
    fn default() -> Self {
        FormId::new()
    }
}

impl fmt::Display for FormId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

#[cfg(test)]
mod tests {
    use super::FormId;

    #[test]
    fn a_form_id_must_be_a_uuid() {
        assert!(FormId::parse(Some("not-a-uuid")).is_err());
        assert!(FormId::parse(None).is_err());
        assert!(FormId::parse(Some(" 00000000-0000-4000-8000-000000000001 ")).is_ok());
    }

    #[test]
    fn the_derived_id_is_the_same_each_time_and_never_the_form_id() {
        let form = FormId::new();
        assert_eq!(form.derived_id(), form.derived_id());
        assert_ne!(form.derived_id(), form.message_id());
        assert_ne!(form.derived_id(), FormId::new().derived_id());
    }
}
