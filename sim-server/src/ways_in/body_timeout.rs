//! A request body's read timeout (`--body-timeout`): a body that leaves the server waiting
//! longer than the timeout for its next bytes fails, so a slow client cannot hold a connection.
//!
//! The timer is armed only while the body waits: a body already in the server's buffer (the
//! usual inquiry, sent whole with its headers) is read without touching the runtime's timer.
//! tower-http's `RequestBodyTimeout` armed and cleared a timer on every frame, and added a
//! layer of boxed services around every route (issue 16).

use axum::body::HttpBody;
use hyper::body::{Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The error a body that timed out reads as.
#[derive(Debug)]
pub struct BodyTimedOut(Duration);

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no body data was received for {} s (the body timeout)",
            self.0.as_secs_f64()
        )
    }
}

impl std::error::Error for BodyTimedOut {}

/// `body` with a limit on each wait for its next frame.
#[derive(Debug)]
pub struct BodyTimeout<B> {
    body: B,
    timeout: Duration,
    /// Running while the body waits; dropped as soon as a frame arrives.
    waiting: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<B> BodyTimeout<B> {
    pub fn new(body: B, timeout: Duration) -> Self {
        BodyTimeout {
            body,
            timeout,
            waiting: None,
        }
    }
}

impl<B> HttpBody for BodyTimeout<B>
where
    B: HttpBody + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = B::Data;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            this.waiting = None;
            return Poll::Ready(frame.map(|r| r.map_err(Into::into)));
        }
        let timeout = this.timeout;
        let waiting = this
            .waiting
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if waiting.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut(timeout)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A body whose bytes never come.
    struct Silent;

    impl HttpBody for Silent {
        type Data = bytes::Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn a_body_in_hand_is_read_and_a_silent_one_times_out() {
        let whole = BodyTimeout::new(
            http_body_util::Full::new(bytes::Bytes::from_static(b"<XmlMsg/>")),
            Duration::from_secs(1),
        );
        let read = whole.collect().await.map(|c| c.to_bytes());
        assert_eq!(read.ok().as_deref(), Some(&b"<XmlMsg/>"[..]));

        let started = std::time::Instant::now();
        let silent = BodyTimeout::new(Silent, Duration::from_millis(50));
        let err = silent.collect().await.err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("no body data was received for 0.05 s (the body timeout)")
        );
        assert!(started.elapsed() >= Duration::from_millis(50));
    }
}
