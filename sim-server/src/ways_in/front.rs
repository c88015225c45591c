//! The front of the HTTP surface, what every request passes first: the admin API's and the
//! tray's guard ([`admin_guard::refusal`]), the outage's refusal ([`outage::refusal`]), then
//! the answer, which is clipped when it is a 4xx ([`admin_guard::clip_errors`]).
//!
//! The answer comes from axum's router, except for the inquiry itself: `POST /xml/{message-id}`
//! goes straight to [`xml_http::answer`], the handler the router's `/xml/{message}` route also
//! calls. The router's matching, path parameters and boxed layers were a fifth of what the
//! simulator spent on a single inquiry in process (issue 16). A path the fast way does not take
//! as it stands (another method, a percent-encoded or nested name) goes through the router,
//! which answers it as before.

use super::{admin_guard, outage, xml_http};
use crate::simulator::Simulator;
use admin_guard::AdminAccess;
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use axum::Router;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The whole HTTP surface as one service (what `sim_server::router` hands out).
#[derive(Debug, Clone)]
pub struct Front {
    sim: Arc<Simulator>,
    access: Arc<AdminAccess>,
    router: Router,
}

impl Front {
    /// `router`: every route, with its state.
    pub fn new(sim: Arc<Simulator>, access: AdminAccess, router: Router) -> Self {
        Front {
            sim,
            access: Arc::new(access),
            router,
        }
    }

    /// Answers a plain `POST /xml/{message-id}` whose body the connection has read itself
    /// (`ways_in::connection`), as [`Front`]'s own way would: the outage's refusal, then the
    /// inquiry. (The admin guard never refuses an `/xml/` path.)
    pub(super) fn answer_plain_xml(
        &self,
        message: &str,
        path: &str,
        body: &[u8],
    ) -> xml_http::Answered {
        if let Some(res) = outage::refusal(&self.sim, path) {
            return xml_http::Answered::Other(res);
        }
        xml_http::answer_read(&self.sim, message, path, body)
    }

    /// The most request bytes `POST /xml/{message}` takes (a bulk submit may take more).
    pub(super) fn xml_request_limit(&self, message: &str) -> usize {
        self.sim.request_limit(message)
    }

    /// For `axum::serve`, as `Router::into_make_service`.
    pub fn into_make_service(self) -> axum::routing::IntoMakeService<Self> {
        axum::ServiceExt::<Request>::into_make_service(self)
    }
}

/// The message id of `POST /xml/{message-id}` when the fast way can take it as it stands.
pub(super) fn plain_xml_message<'a>(method: &Method, path: &'a str) -> Option<&'a str> {
    if method != Method::POST {
        return None;
    }
    let message = path.strip_prefix("/xml/")?;
    let plain = !message.is_empty() && !message.contains(['/', '%']);
    plain.then_some(message)
}

type Boxed = Pin<Box<dyn Future<Output = Response> + Send>>;

impl<B> tower::Service<axum::http::Request<B>> for Front
where
    B: HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: axum::http::Request<B>) -> Answer {
        let mut req: Request = req.map(Body::new);
        // The admin guard's own refusals were never clipped (it ran outside clip_errors).
        if let Some(res) = admin_guard::refusal(&self.access, &mut req) {
            return Answer::Done(Some(res));
        }
        if let Some(res) = outage::refusal(&self.sim, req.uri().path()) {
            return Answer::clipped(res);
        }
        if plain_xml_message(req.method(), req.uri().path()).is_some() {
            let sim = self.sim.clone();
            let (parts, body) = req.into_parts();
            return Answer::Xml(Box::pin(async move {
                // Checked above; the path is the journal's source as the client wrote it.
                let path = parts.uri.path();
                let message = plain_xml_message(&parts.method, path).unwrap_or_default();
                xml_http::answer(&sim, message, path, body).await
            }));
        }
        Answer::Routed(self.router.call(req))
    }
}

/// What [`Front`] answers: a plain state machine, so an answer that needs no clipping (every
/// 2xx) costs no allocation beyond the route's own.
pub enum Answer {
    /// Refused here, or already clipped.
    Done(Option<Response>),
    /// `POST /xml/{message-id}` being answered.
    Xml(Boxed),
    /// Any other route being answered.
    Routed(<Router as tower::Service<Request>>::Future),
    /// A 4xx answer being clipped ([`admin_guard::clip_errors`] reads its body).
    Clipping(Boxed),
}

impl Answer {
    fn clipped(res: Response) -> Self {
        if admin_guard::needs_clipping(&res) {
            Answer::Clipping(Box::pin(admin_guard::clip_errors(res)))
        } else {
            Answer::Done(Some(res))
        }
    }
}

impl Future for Answer {
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let res = match &mut *self {
                // Polled again after it answered: nothing more will come.
                Answer::Done(res) => {
                    return res.take().map_or(Poll::Pending, |r| Poll::Ready(Ok(r)))
                }
                Answer::Xml(answer) => std::task::ready!(answer.as_mut().poll(cx)),
                Answer::Routed(answer) => {
                    let Ok(res) = std::task::ready!(Pin::new(answer).poll(cx));
                    res
                }
                Answer::Clipping(clipping) => return clipping.as_mut().poll(cx).map(Ok),
            };
            *self = Answer::clipped(res);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_post_of_one_message_id_goes_the_fast_way() {
        let post = Method::POST;
        assert_eq!(
            plain_xml_message(&post, "/xml/OQSsiquc01req"),
            Some("OQSsiquc01req")
        );
        assert_eq!(plain_xml_message(&Method::GET, "/xml/OQSsiquc01req"), None);
        for path in [
            "/xml/",
            "/xml",
            "/xml/a/b",
            "/xml/OQS%73iquc01req",
            "/xmlx/a",
            "/",
        ] {
            assert_eq!(plain_xml_message(&post, path), None, "{path}");
        }
    }
}
