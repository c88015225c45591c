//! The one layer every request passes, outermost first: the admin API's and the tray's guard
//! ([`admin_guard::refusal`]), the outage's refusal ([`outage::refusal`]), then the route, whose 4xx
//! answers are clipped ([`admin_guard::clip_errors`]). One plain tower layer rather than three
//! `from_fn` middlewares: those cloned and boxed the routes below them on every request, which
//! the single inquiry paid for three times (issue 16).

use super::{admin_guard, outage};
use crate::simulator::Simulator;
use admin_guard::AdminAccess;
use axum::extract::Request;
use axum::response::Response;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// What the checks need.
#[derive(Debug, Clone)]
pub struct Front {
    sim: Arc<Simulator>,
    access: Arc<AdminAccess>,
}

impl Front {
    pub fn new(sim: Arc<Simulator>, access: AdminAccess) -> Self {
        Front {
            sim,
            access: Arc::new(access),
        }
    }
}

impl<S> tower::Layer<S> for Front {
    type Service = FrontService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FrontService {
            front: self.clone(),
            inner,
        }
    }
}

/// [`Front`] around a route.
#[derive(Debug, Clone)]
pub struct FrontService<S> {
    front: Front,
    inner: S,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> tower::Service<Request> for FrontService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Answer {
        // The admin guard's own refusals were never clipped (it ran outside clip_errors).
        if let Some(res) = admin_guard::refusal(&self.front.access, &mut req) {
            return Box::pin(std::future::ready(Ok(res)));
        }
        if let Some(res) = outage::refusal(&self.front.sim, req.uri().path()) {
            return Box::pin(async move { Ok(admin_guard::clip_errors(res).await) });
        }
        let answer = self.inner.call(req);
        Box::pin(async move {
            let res = answer.await?;
            Ok(admin_guard::clip_errors(res).await)
        })
    }
}
