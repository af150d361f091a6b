import CLibEvent
import Glibc

/// Owner of one libevent `event_base`. Every libevent call of the server is
/// made on the thread running `run()`; other threads reach it only through
/// `LoopEvent.activate()` on an event made in advance.
final class EventLoop {
    let base: OpaquePointer

    init() {
        // Must precede the base so that event_active from other threads is safe.
        evthread_use_pthreads()
        event_set_log_callback(nil)
        base = event_base_new()
    }

    deinit { event_base_free(base) }

    /// Runs until `stop()`; returns on the loop thread.
    func run() { event_base_dispatch(base) }

    /// Leaves `run()` after the current callbacks (loop thread only).
    func stop() { event_base_loopbreak(base) }

    /// A one-shot timer.
    func after(_ seconds: Double, _ body: @escaping () -> Void) -> LoopEvent {
        let e = LoopEvent(loop: self, fd: -1, events: 0) { _ in body() }
        e.add(timeout: seconds)
        return e
    }

    /// A repeating timer.
    func every(_ seconds: Double, _ body: @escaping () -> Void) -> LoopEvent {
        let e = LoopEvent(loop: self, fd: -1, events: Int16(EV_PERSIST)) { _ in body() }
        e.add(timeout: seconds)
        return e
    }
}

/// Owner of one libevent `event*`: a timer, a socket watcher or a signal.
/// Freed in `deinit`; the owner keeps it alive while it may fire.
final class LoopEvent {
    private var event: OpaquePointer?
    private let callback: (Int16) -> Void

    init(loop: EventLoop, fd: Int32, events: Int16, _ callback: @escaping (Int16) -> Void) {
        self.callback = callback
        event = event_new(loop.base, fd, events, { _, what, ctx in
            Unmanaged<LoopEvent>.fromOpaque(ctx!).takeUnretainedValue().callback(what)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { if let event { event_free(event) } }

    /// Arms the event, with an optional timeout in seconds.
    func add(timeout: Double? = nil) {
        if let timeout {
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
            event_add(event, &tv)
        } else {
            event_add(event, nil)
        }
    }

    func remove() { event_del(event) }

    /// Makes the event fire on its loop; safe from any thread.
    func activate() { event_active(event, Int32(EV_TIMEOUT), 0) }
}
