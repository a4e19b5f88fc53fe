//! [`EventStream`]: events as a `futures_core::Stream`.
//!
//! The handler pushes into a queue shared with the stream and wakes the
//! task waiting on it; no channel crate is needed on a single thread. The
//! queue is unbounded: a stream that is never polled keeps every event it
//! received (drop it to stop receiving).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_core::{FusedStream, Stream};

use super::subscription::Subscription;

/// What the handler and the stream share.
pub struct Queue<T> {
    items: VecDeque<T>,
    waker: Option<Waker>,
    ended: bool,
}

/// A queue the client can end without knowing its item type.
pub trait End {
    /// Ends the stream: it yields what is queued (none of it when
    /// `discard`), then `None`.
    fn end(&self, discard: bool);
}

impl<T> End for RefCell<Queue<T>> {
    fn end(&self, discard: bool) {
        let (discarded, waker) = {
            let mut queue = self.borrow_mut();
            queue.ended = true;
            let discarded = if discard {
                std::mem::take(&mut queue.items)
            } else {
                VecDeque::new()
            };
            (discarded, queue.waker.take())
        };
        // Outside the borrow: dropping items runs their `Drop` (user code),
        // and waking may poll the stream at once with some executors.
        drop(discarded);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The shared queue, as the handler holds it.
pub type SharedQueue<T> = Rc<RefCell<Queue<T>>>;

/// Pushes `item` and wakes the task waiting for it.
pub trait Push<T> {
    /// Queues `item` unless the stream has ended.
    fn push(&self, item: T);
}

impl<T> Push<T> for RefCell<Queue<T>> {
    fn push(&self, item: T) {
        let waker = {
            let mut queue = self.borrow_mut();
            if queue.ended {
                drop(queue);
                drop(item);
                return;
            }
            queue.items.push_back(item);
            queue.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The events of one type, as a [`Stream`]: made by
/// [`Client::events`](super::Client::events) (items are
/// [`Event`](super::Event)s) and [`Client::json_events`](super::Client::json_events)
/// (items are `Result<T, Error>`).
///
/// It is subscribed while it lives (dropping it unsubscribes, and closes the
/// connection if it was the last handler) and ends when the client closes:
/// after the events received so far when the client closed itself, at once
/// after [`Client::close`](super::Client::close) or dropping the client.
#[must_use = "streams do nothing unless polled; dropping one unsubscribes"]
pub struct EventStream<T = super::Event> {
    queue: SharedQueue<T>,
    /// The event handler and the `close` callback; dropped with the stream.
    _guards: Vec<Subscription>,
}

impl<T> EventStream<T> {
    /// A stream with no subscription yet, and its queue.
    pub(super) fn new() -> (Self, SharedQueue<T>) {
        let queue = Rc::new(RefCell::new(Queue {
            items: VecDeque::new(),
            waker: None,
            ended: false,
        }));
        (
            Self {
                queue: queue.clone(),
                _guards: Vec::new(),
            },
            queue,
        )
    }

    /// The stream, kept subscribed by `guards`.
    pub(super) fn with_guards(mut self, guards: impl IntoIterator<Item = Subscription>) -> Self {
        self._guards.extend(guards);
        self
    }

    // Not `buffered`: `StreamExt::buffered` takes `self` by value, so
    // method resolution would pick it over an inherent `&self` method.
    /// How many items are queued, waiting to be polled.
    pub fn queued(&self) -> usize {
        self.queue.borrow().items.len()
    }
}

impl<T> Stream for EventStream<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut queue = self.queue.borrow_mut();
        if let Some(item) = queue.items.pop_front() {
            return Poll::Ready(Some(item));
        }
        if queue.ended {
            return Poll::Ready(None);
        }
        match &queue.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => queue.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let queue = self.queue.borrow();
        let queued = queue.items.len();
        (queued, queue.ended.then_some(queued))
    }
}

impl<T> FusedStream for EventStream<T> {
    fn is_terminated(&self) -> bool {
        let queue = self.queue.borrow();
        queue.ended && queue.items.is_empty()
    }
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let queue = self.queue.borrow();
        f.debug_struct("EventStream")
            .field("queued", &queue.items.len())
            .field("ended", &queue.ended)
            .finish()
    }
}
