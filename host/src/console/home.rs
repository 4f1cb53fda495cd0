//! The console's first page: the person's lots.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::i18n::Msg;
use super::{Viewer, failure};
use crate::api::auth::visible_lots;
use crate::service::AppState;

pub(super) async fn home(State(state): State<AppState>, viewer: Viewer) -> Response {
    let l = viewer.locale;
    let lots = match visible_lots(&state, &viewer.caller).await {
        Ok(lots) => lots,
        Err(e) => return failure(l, e),
    };
    let frame = viewer.frame();
    frame
        .page(
            l.t(Msg::Home),
            html! {
                h1 #welcome { (l.f(Msg::Welcome, &[("name", &viewer.person.name)])) }
                h2 { (l.t(Msg::Lots)) }
                ul #lots {
                    @for lot in &lots {
                        li { (lot.name) " " code { (lot.id) } " · " (lot.zone.name()) }
                    }
                }
            },
        )
        .into_response()
}
