//! How long a client may take: to send its headers, each piece of a body, a whole request, and
//! an upload (a minimum throughput), so slow clients cannot hold connections, sessions or
//! scratch files.

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use hyper::body::{Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To send a request's headers once the connection is open or the previous response sent.
    pub header: Duration,
    /// The longest wait for the next piece of a request body; also the grace period before an
    /// upload must reach `upload_min_bytes_per_sec`.
    pub body: Duration,
    /// To answer a request, uploads excepted (their body is bounded by the throughput instead).
    pub request: Duration,
    /// The average an upload must keep once `body` has passed since it started.
    pub upload_min_bytes_per_sec: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header: Duration::from_secs(10),
            body: Duration::from_secs(10),
            request: Duration::from_secs(30),
            upload_min_bytes_per_sec: 32 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the request body arrives below {0} bytes per second")]
struct TooSlow(u64);

/// A request body that fails once, after the grace period, it has averaged less than the
/// minimum rate since the request arrived. A client that stops sending altogether is ended by
/// the body timeout, which wakes the reader.
struct MinThroughput {
    inner: Body,
    started: Instant,
    received: u64,
    grace: Duration,
    min_bytes_per_sec: u64,
}

impl HttpBody for MinThroughput {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let frame = ready!(Pin::new(&mut this.inner).poll_frame(cx));
        if let Some(Ok(frame)) = &frame {
            this.received += frame.data_ref().map_or(0, |data| data.len() as u64);
            let elapsed = this.started.elapsed();
            let due = u128::from(this.min_bytes_per_sec) * elapsed.as_millis() / 1000;
            if elapsed > this.grace && u128::from(this.received) < due {
                return Poll::Ready(Some(Err(axum::Error::new(TooSlow(this.min_bytes_per_sec)))));
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Middleware for upload routes: their body must keep up the minimum throughput.
pub async fn min_throughput(State(timeouts): State<Timeouts>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request = request.map(|inner| {
        Body::new(MinThroughput {
            inner,
            started,
            received: 0,
            grace: timeouts.body,
            min_bytes_per_sec: timeouts.upload_min_bytes_per_sec,
        })
    });
    next.run(request).await
}
