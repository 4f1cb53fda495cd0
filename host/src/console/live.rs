//! Live lists: one Server-Sent Events stream per page, whose events are
//! named after the element they replace and carry its new HTML. A stream
//! re-renders its fragments when the service accepts a change (debounced)
//! and every few seconds (what time alone changes, other hosts' changes),
//! and sends only the fragments that changed. When the session ends, it
//! sends `logout` and stops. Pages without the script refresh themselves.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use maud::Markup;

use super::Viewer;
use crate::api::error::ApiError;
use crate::domain::logins;
use crate::service::AppState;

/// How often a stream re-renders with no change seen.
const REPOLL: Duration = Duration::from_secs(3);
/// How long a stream lets changes gather before it re-renders.
const DEBOUNCE: Duration = Duration::from_millis(150);

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/console/live/{page}", get(live))
}

/// The pages with live parts.
#[derive(Debug, Clone, Copy)]
pub enum Page {
    Congestion,
    Desk,
}

impl Page {
    fn parse(name: &str) -> Option<Page> {
        match name {
            "congestion" => Some(Page::Congestion),
            "desk" => Some(Page::Desk),
            _ => None,
        }
    }

    /// The page's live fragments, by the id of the element each replaces.
    async fn render(
        self,
        state: &AppState,
        viewer: &Viewer,
    ) -> Result<Vec<(&'static str, Markup)>, ApiError> {
        match self {
            Page::Congestion => Ok(vec![(
                "congestion",
                super::congestion::fragment(state, viewer).await?,
            )]),
            Page::Desk => super::desk::fragments(state, viewer).await,
        }
    }
}

async fn live(State(state): State<AppState>, viewer: Viewer, Path(page): Path<String>) -> Response {
    let Some(page) = Page::parse(&page) else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    Sse::new(events(state, viewer, page))
        .keep_alive(KeepAlive::default())
        .into_response()
}

struct Feed {
    state: AppState,
    viewer: Viewer,
    page: Page,
    changes: tokio::sync::watch::Receiver<u64>,
    sent: HashMap<&'static str, String>,
    queue: Vec<Event>,
    first: bool,
    done: bool,
}

fn events(
    state: AppState,
    viewer: Viewer,
    page: Page,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let feed = Feed {
        changes: state.live.watch(),
        state,
        viewer,
        page,
        sent: HashMap::new(),
        queue: Vec::new(),
        first: true,
        done: false,
    };
    stream::unfold(feed, |mut feed| async move {
        loop {
            if let Some(event) = feed.queue.pop() {
                return Some((Ok(event), feed));
            }
            if feed.done {
                return None;
            }
            if !feed.first {
                tokio::select! {
                    _ = feed.changes.changed() => {}
                    () = tokio::time::sleep(REPOLL) => {}
                }
                tokio::time::sleep(DEBOUNCE).await;
                feed.changes.borrow_and_update();
            }
            feed.first = false;
            match logins::session_person(&feed.state, &feed.viewer.secret).await {
                Ok(Some(_)) => {}
                Ok(None) => {
                    feed.done = true;
                    feed.queue.push(
                        Event::default()
                            .event("logout")
                            .data("/console/login?ended=1"),
                    );
                    continue;
                }
                // The database does not answer: try again on the next tick.
                Err(_) => continue,
            }
            let Ok(fragments) = feed.page.render(&feed.state, &feed.viewer).await else {
                continue;
            };
            for (id, html) in fragments {
                let html = html.into_string();
                if feed.sent.get(id) != Some(&html) {
                    feed.queue
                        .insert(0, Event::default().event(id).data(html.clone()));
                    feed.sent.insert(id, html);
                }
            }
        }
    })
}
