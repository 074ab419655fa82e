//! The home page, and opening an account.

use account_component::client::AccountCommand;
use account_component::messages::commands::Open;
use aggregator::projections::commands::key;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use messaging::StoreError;
use uuid::Uuid;

use super::{account_names, see_other, transfer_rows};
use crate::AppState;
use crate::error::AppError;
use crate::forms::{self, OpenInput};
use crate::pages::{self, AccountRow, HomePage, OpenForm};

/// `GET /`: every account, the recent transfers, and the open form.
pub async fn show(State(state): State<AppState>) -> Result<Response, AppError> {
    let form = OpenForm {
        command_id: Uuid::new_v4().to_string(),
        holder_name: String::new(),
        error: None,
    };
    Ok(pages::render(&home(&state, form).await?)?.into_response())
}

async fn home(state: &AppState, open_form: OpenForm) -> Result<HomePage, AppError> {
    let names = account_names(&state.views).await?;
    let accounts = state
        .views
        .accounts()
        .await?
        .into_iter()
        .map(|account| AccountRow {
            holder: account.holder_name.unwrap_or_default(),
            balance: account.balance.to_string(),
            status: account.status,
            id: account.account_id,
        })
        .collect();
    let transfers = transfer_rows(state.views.recent_transfers(20).await?, &names);
    Ok(HomePage {
        watch: None,
        notice: None,
        accounts,
        transfers,
        open_form,
    })
}

/// `POST /accounts`: sends `Open`, with the form's id as the account id and
/// as the message id, so a second submit of the same form is recognized.
pub async fn open_account(
    State(state): State<AppState>,
    Form(input): Form<OpenInput>,
) -> Result<Response, AppError> {
    let command_id = forms::command_id(input.command_id.as_deref());
    let name = forms::holder_name(input.holder_name.as_deref());
    let (account_id, holder_name) = match (command_id, name) {
        (Ok(id), Ok(name)) => (id, name),
        (id, name) => {
            let form = OpenForm {
                command_id: id
                    .as_ref()
                    .map_or_else(|_| Uuid::new_v4(), |id| *id)
                    .to_string(),
                holder_name: input.holder_name.unwrap_or_default(),
                error: name.err().or_else(|| id.err()),
            };
            let page = pages::render(&home(&state, form).await?)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let open = Open {
        account_id,
        customer_id: Uuid::new_v4(),
        holder_name,
        time: state.clock.now(),
    };
    let location = format!("/accounts/{account_id}?command={}", key::open(account_id));
    match AccountCommand::open(&open)?
        .with_message_id(account_id)
        .send(&state.store)
        .await
    {
        Ok(_) => Ok(see_other(&location)),
        Err(StoreError::DuplicateMessageId { .. }) => {
            Ok(see_other(&format!("{location}&duplicate=1")))
        }
        Err(error) => Err(error.into()),
    }
}
