//! The two body wrappers the serving loop puts around every exchange: the request body gets a
//! deadline for its whole length ([`DeadlineBody`]: a client sending one byte a second is cut
//! off, not waited for), and the response body tells the connection's [`Activity`] when it
//! has been written or dropped ([`TrackedBody`]: that is when the idle timeout starts).
use super::activity::Activity;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error a request body gives when its deadline passes before its end arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTimeout(pub Duration);

/// The [`BodyTimeout`] somewhere in `error`'s chain of sources, if any: how a handler that
/// read the body tells a late body from a broken one.
pub fn body_timeout(error: &(dyn std::error::Error + 'static)) -> Option<BodyTimeout> {
    let mut at = Some(error);
    while let Some(e) = at {
        if let Some(t) = e.downcast_ref::<BodyTimeout>() {
            return Some(*t);
        }
        at = e.source();
    }
    None
}

/// A request body that fails with [`BodyTimeout`] once `deadline` has passed.
pub struct DeadlineBody<B> {
    inner: B,
    deadline: Instant,
    timeout: Duration,
    /// Created on the first wait, so a body that is already complete costs no timer.
    sleep: Option<Pin<Box<Sleep>>>,
    expired: bool,
}

impl<B> DeadlineBody<B> {
    /// `inner` must end within `timeout` from now.
    pub fn new(inner: B, timeout: Duration) -> Self {
        Self {
            inner,
            deadline: Instant::now() + timeout,
            timeout,
            sleep: None,
            expired: false,
        }
    }
}

impl<B> Body for DeadlineBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.expired {
            return Poll::Ready(Some(Err(BodyTimeout(this.timeout).into())));
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                this.expired = true;
                Poll::Ready(Some(Err(BodyTimeout(this.timeout).into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        !self.expired && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Marks one request as in flight on its connection until dropped.
pub struct InFlight(Arc<Activity>);

impl InFlight {
    /// A request has started on the connection of `activity`.
    pub fn start(activity: Arc<Activity>) -> Self {
        activity.update(super::activity::Phase::on_request);
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = Instant::now();
        self.0.update(|p| p.on_response_done(now));
    }
}

/// A response body that keeps its request [`InFlight`] until hyper has written and dropped
/// it.
pub struct TrackedBody<B> {
    inner: B,
    _in_flight: InFlight,
}

impl<B> TrackedBody<B> {
    /// `inner`, holding `in_flight` until dropped.
    pub fn new(inner: B, in_flight: InFlight) -> Self {
        Self {
            inner,
            _in_flight: in_flight,
        }
    }
}

impl<B> Body for TrackedBody<B>
where
    B: Body + Unpin,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_found_through_wrapping_errors() {
        #[derive(Debug, thiserror::Error)]
        #[error("reading the body")]
        struct Outer(#[source] BoxError);
        let e = Outer(Box::new(BodyTimeout(Duration::from_millis(300))));
        assert_eq!(
            body_timeout(&e),
            Some(BodyTimeout(Duration::from_millis(300)))
        );
        let other = Outer("connection reset".into());
        assert_eq!(body_timeout(&other), None);
    }

    /// A body whose end never comes.
    struct Stalled;

    impl Body for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Pending
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_fails_at_its_deadline() {
        // The paused clock jumps straight to the deadline: no real waiting, no race.
        let body = DeadlineBody::new(Stalled, Duration::from_secs(15));
        let started = Instant::now();
        let err = http_body_util::BodyExt::collect(body)
            .await
            .expect_err("the body times out");
        assert_eq!(
            body_timeout(err.as_ref()),
            Some(BodyTimeout(Duration::from_secs(15)))
        );
        assert_eq!(started.elapsed(), Duration::from_secs(15));
    }
}
