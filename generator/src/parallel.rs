//! Two pieces of work at once, for the steps that split in two (load, emit), and freeing
//! large values off the critical path.

use std::sync::Mutex;

/// The stack a second thread gets: a main thread's, since parsing, normalising and emitting
/// recurse as deep as a document nests (std's 2 MiB default overflows on deep schemas).
const STACK: usize = 8 << 20;

/// Runs `other` on a second thread while `here` runs on this one, and returns both results.
/// When no thread can be started, `other` runs here afterwards; a panic in it is resumed here.
pub fn join<A: Send, B>(other: impl FnOnce() -> A + Send, here: impl FnOnce() -> B) -> (A, B) {
    let slot = Mutex::new(Some(other));
    let take = || slot.lock().ok().and_then(|mut s| s.take());
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(scope, || take().map(|f| f()));
        let b = here();
        let a = match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => None,
        };
        // Not run on the thread (it could not start): run it here.
        let a = a.or_else(|| take().map(|f| f()));
        (
            a.expect("`other` runs exactly once: on the thread or here"),
            b,
        )
    })
}

/// Drops `value` on a thread of its own: freeing a large tree (a parsed document, a model) is
/// work nothing waits for. When no thread can be started, the closure, and with it the value,
/// is dropped here.
pub fn drop_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_results_come_back() {
        let (a, b) = join(|| 2 + 2, || "here");
        assert_eq!((a, b), (4, "here"));
    }

    #[test]
    fn the_second_thread_has_a_deep_stack() {
        fn depth(n: u32) -> u32 {
            let pad = std::hint::black_box([0u8; 512]);
            if n == 0 {
                u32::from(pad[0])
            } else {
                depth(n - 1) + 1
            }
        }
        // Over 3 MiB of frames: more than a default spawned thread's 2 MiB.
        let (a, _) = join(|| depth(6_000), || ());
        assert_eq!(a, 6_000);
    }
}
