//! [`TrapCell`]: the engine's `RefCell`, without the panic paths.

use core::cell::{Ref, RefCell, RefMut};

/// A `RefCell` whose borrows stop the module (a wasm `unreachable` trap,
/// which JavaScript sees as a `RuntimeError`) when they conflict, instead of
/// panicking.
///
/// A conflict is a bug the engine rules out by design: it holds no borrow
/// while JavaScript runs, so a handler that calls back in (`close()` during
/// a feed) never meets one. What the trap saves is the cost of a path never
/// taken: each of `RefCell`'s panicking borrows adds a call to the panic
/// code and a source location to the module; the engine's seventeen came to
/// 0.27 KB of gzipped wasm (SIZE.md).
pub(super) struct TrapCell<T>(RefCell<T>);

impl<T> TrapCell<T> {
    /// A cell holding `value`.
    pub(super) const fn new(value: T) -> Self {
        Self(RefCell::new(value))
    }

    /// Borrows the value; traps if it is mutably borrowed.
    pub(super) fn borrow(&self) -> Ref<'_, T> {
        match self.0.try_borrow() {
            Ok(value) => value,
            Err(_) => conflict(),
        }
    }

    /// Borrows the value mutably; traps if it is borrowed.
    pub(super) fn borrow_mut(&self) -> RefMut<'_, T> {
        match self.0.try_borrow_mut() {
            Ok(value) => value,
            Err(_) => conflict(),
        }
    }
}

/// Two borrows met: stop.
#[cold]
#[inline(never)]
fn conflict() -> ! {
    core::arch::wasm32::unreachable()
}
