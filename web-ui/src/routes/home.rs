//! The home page, and opening an account.

use account_component::client::AccountCommand;
use account_component::messages::commands::Open;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;
use views::directory::PageStart;

use super::{parse_id, watch};
use crate::AppState;
use crate::error::AppError;
use crate::form_id::FormId;
use crate::forms::{self, OpenInput};
use crate::pages::{self, HomePage, OpenForm, Watch};
use crate::presenters::home::{Listed, home_page};
use crate::presenters::parties;
use crate::send::{PostedForm, send};

/// How many transfers the home page lists.
const RECENT_TRANSFERS: i64 = 20;

/// How many accounts the home page lists at a time, and at most for a search.
pub const ACCOUNTS_PER_PAGE: i64 = 20;

/// Which accounts the home page lists: `?older={id}` and `?newer={id}`
/// continue from an account shown on the page before; `?search=` finds
/// accounts by the start of the holder's name, or by id.
#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    older: Option<String>,
    newer: Option<String>,
    search: Option<String>,
}

/// `GET /`: a page of accounts, the recent transfers, and the open form.
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let form = OpenForm {
        command_id: FormId::new().to_string(),
        holder_name: String::new(),
        error: None,
    };
    Ok(pages::render(&home(&state, &query, form).await?)?.into_response())
}

async fn home(
    state: &AppState,
    query: &HomeQuery,
    open_form: OpenForm,
) -> Result<HomePage, AppError> {
    // The token first, then the content (see `AccountWatch::of` for why).
    let watch = Watch {
        url: watch::HOME_URL.to_string(),
        token: watch::home_token(&state.views).await?,
        refresh_without_script: false,
    };
    let search = super::searched(query.search.as_deref());
    let listed = if let Some(text) = search {
        let found = state.views.find_accounts(text, ACCOUNTS_PER_PAGE).await?;
        Listed::Found(text.to_string(), found)
    } else {
        let start = match (query.older.as_deref(), query.newer.as_deref()) {
            (Some(id), _) => parse_id(id).map(PageStart::OlderThan),
            (None, Some(id)) => parse_id(id).map(PageStart::NewerThan),
            (None, None) => None,
        };
        let start = start.unwrap_or(PageStart::Newest);
        Listed::Page(state.views.accounts_page(start, ACCOUNTS_PER_PAGE).await?)
    };
    let transfers = state.views.recent_transfers(RECENT_TRANSFERS).await?;
    let names = state.views.holder_names(parties(&transfers)).await?;
    let mut page = home_page(listed, transfers, &names, open_form);
    page.watch = Some(watch);
    Ok(page)
}

/// `POST /accounts`: sends `Open`, with the new account's id derived from
/// the form's id (see `form_id.rs`).
pub async fn open_account(
    State(state): State<AppState>,
    Form(input): Form<OpenInput>,
) -> Result<Response, AppError> {
    let form_id = FormId::parse(input.command_id.as_deref());
    let name = forms::holder_name(input.holder_name.as_deref());
    let (form_id, holder_name) = match (form_id, name) {
        (Ok(id), Ok(name)) => (id, name),
        (id, name) => {
            let form = OpenForm {
                command_id: id.clone().unwrap_or_default().to_string(),
                holder_name: input.holder_name.unwrap_or_default(),
                error: name.err().or_else(|| id.err()),
            };
            let page = pages::render(&home(&state, &HomeQuery::default(), form).await?)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let account_id = form_id.derived_id();
    let open = Open {
        account_id,
        customer_id: Uuid::new_v4(),
        holder_name,
        time: state.clock.now(),
    };
    let page = format!("/accounts/{account_id}");
    let form = PostedForm {
        action: "/accounts".to_string(),
        fields: vec![
            ("command_id", form_id.to_string()),
            ("holder_name", open.holder_name.clone()),
        ],
    };
    send(
        &state.store,
        AccountCommand::open(&open)?,
        form_id,
        &page,
        form,
    )
    .await
}
