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
use axum::extract::{Path, Query, State};
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
/// The least time between two renders of one stream, however busy the
/// service: a lot's stream of robot events does not re-render it for each.
const MIN_INTERVAL: Duration = Duration::from_millis(1000);

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

    /// The page's live fragments, by the id of the element each replaces
    /// (the desk's, for the case it shows).
    async fn render(
        self,
        state: &AppState,
        viewer: &Viewer,
        case: Option<&str>,
    ) -> Result<Vec<(&'static str, Markup)>, ApiError> {
        match self {
            Page::Congestion => Ok(vec![(
                "congestion",
                super::congestion::fragment(state, viewer).await?,
            )]),
            Page::Desk => super::desk::fragments(state, viewer, case).await,
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct LiveQuery {
    /// The desk's case.
    case: Option<String>,
}

/// A page's stream. Without a live session it is a stream too, of one
/// `logout` event: an `EventSource` given a redirect would just die.
async fn live(
    State(state): State<AppState>,
    viewer: Result<Viewer, Response>,
    Path(page): Path<String>,
    Query(q): Query<LiveQuery>,
) -> Response {
    let Some(page) = Page::parse(&page) else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let headers = [("x-accel-buffering", "no")];
    let Ok(viewer) = viewer else {
        let gone = stream::iter([Ok::<_, Infallible>(
            Event::default()
                .event("logout")
                .data("/console/login?ended=1"),
        )]);
        return (headers, Sse::new(gone)).into_response();
    };
    let events = events(state, viewer, page, q.case);
    (headers, Sse::new(events).keep_alive(KeepAlive::default())).into_response()
}

struct Feed {
    state: AppState,
    viewer: Viewer,
    page: Page,
    case: Option<String>,
    rendered: Option<tokio::time::Instant>,
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
    case: Option<String>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let feed = Feed {
        changes: state.live.watch(),
        state,
        viewer,
        page,
        case,
        rendered: None,
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
                if let Some(at) = feed.rendered {
                    tokio::time::sleep_until(at + MIN_INTERVAL).await;
                }
                feed.changes.borrow_and_update();
            }
            feed.first = false;
            feed.rendered = Some(tokio::time::Instant::now());
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
            let case = feed.case.clone();
            let rendering = feed.page.render(&feed.state, &feed.viewer, case.as_deref());
            let Ok(fragments) = rendering.await else {
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
