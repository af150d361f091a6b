import CLibEvent
import Glibc

/// Owner of one libevent `event_base`. Every libevent call of a server is made
/// on the thread running `run()`; other threads reach it only through
/// `LoopEvent.activate()` on an event made in advance (`wakeUp`).
///
/// Loop thread only, except `LoopEvent.activate()`.
public final class EventLoop {
    let base: OpaquePointer

    public init() {
        // Must precede the base so that event_active from other threads is safe.
        evthread_use_pthreads()
        EventLog.install()
        base = event_base_new()
    }

    deinit { event_base_free(base) }

    /// Runs until `stop()`; returns on the loop thread.
    public func run() { event_base_dispatch(base) }

    /// Leaves `run()` after the current callbacks (loop thread only).
    public func stop() { event_base_loopbreak(base) }

    /// A one-shot timer, armed.
    public func after(_ seconds: Double, _ body: @escaping () -> Void) -> LoopEvent {
        let e = LoopEvent(loop: self, fd: -1, events: 0) { _ in body() }
        e.add(timeout: seconds)
        return e
    }

    /// A repeating timer, armed.
    public func every(_ seconds: Double, _ body: @escaping () -> Void) -> LoopEvent {
        let e = LoopEvent(loop: self, fd: -1, events: Int16(EV_PERSIST)) { _ in body() }
        e.add(timeout: seconds)
        return e
    }

    /// An event that runs `body` on the loop when another thread calls
    /// `activate()` on it. Not armed: it fires only when activated.
    public func wakeUp(_ body: @escaping () -> Void) -> LoopEvent {
        LoopEvent(loop: self, fd: -1, events: 0) { _ in body() }
    }

    /// Runs `body` on the loop each time signal `number` arrives. Armed.
    public func onSignal(_ number: Int32, _ body: @escaping () -> Void) -> LoopEvent {
        let e = LoopEvent(loop: self, fd: number, events: Int16(EV_SIGNAL | EV_PERSIST)) { _ in body() }
        e.add()
        return e
    }

    /// What a socket watcher waits for.
    public enum Readiness: Sendable { case readable, writable }

    /// Watches `fd` until it is ready (`persistent`: every time it is), or
    /// `timeout` seconds pass; `body` gets true when the socket became ready,
    /// false on the timeout. Armed.
    public func watch(_ fd: Int32, for readiness: Readiness, persistent: Bool = false, timeout: Double? = nil,
                      _ body: @escaping (_ ready: Bool) -> Void) -> LoopEvent {
        var events = Int16(readiness == .readable ? EV_READ : EV_WRITE)
        if persistent { events |= Int16(EV_PERSIST) }
        let e = LoopEvent(loop: self, fd: fd, events: events) { what in body(what & Int16(EV_TIMEOUT) == 0) }
        e.add(timeout: timeout)
        return e
    }
}

/// Owner of one libevent `event*`: a timer, a socket watcher, a signal or a
/// wake-up. Freed in `deinit`, which also disarms it: whoever holds it decides
/// how long it may fire.
public final class LoopEvent {
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
    public func add(timeout: Double? = nil) {
        if let timeout {
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
            event_add(event, &tv)
        } else {
            event_add(event, nil)
        }
    }

    public func remove() { event_del(event) }

    /// Makes the event fire on its loop; safe from any thread.
    public func activate() { event_active(event, Int32(EV_TIMEOUT), 0) }
}
