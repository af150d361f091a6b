import CLibEvent
import Glibc

/// Owner of one libevent `event_base`. Every libevent call of a server is made
/// on the thread running `run()`; other threads reach it only through a
/// `WakeUp` made in advance.
///
/// libevent's own locking stays off (no `evthread_use_pthreads`): each loop
/// has one thread, so locks would only cost time on every `event_add` and
/// buffer operation of the hot path. Cross-thread wake-ups go through an
/// eventfd instead.
///
/// Loop thread only, except `WakeUp.signal()`.
public final class EventLoop {
    let base: OpaquePointer

    public init() {
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

    /// Something another thread can ask the loop to do: `body` runs on the
    /// loop after `signal()`.
    public func wakeUp(_ body: @escaping () -> Void) -> WakeUp { WakeUp(loop: self, body) }

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

    /// Arms the event, with an optional timeout in seconds (clamped by
    /// `clampedTimeout`: a wait computed from outside input, a token's `exp`,
    /// must never trap in the conversion to `timeval`).
    public func add(timeout: Double? = nil) {
        if let timeout {
            let t = Self.clampedTimeout(timeout)
            var tv = timeval(tv_sec: Int(t), tv_usec: Int((t - t.rounded(.down)) * 1_000_000))
            event_add(event, &tv)
        } else {
            event_add(event, nil)
        }
    }

    public func remove() { event_del(event) }

    /// The longest wait a timer is armed for: a year (anything later is re-decided long before).
    public static let longestTimeout: Double = 366 * 24 * 3600

    /// `seconds` as a wait libevent can take: negative or NaN is 0, more
    /// than `longestTimeout` (or infinite) is `longestTimeout`.
    public static func clampedTimeout(_ seconds: Double) -> Double {
        guard seconds > 0 else { return 0 } // also NaN
        return min(seconds, longestTimeout)
    }
}

/// Owner of an eventfd that wakes its loop from any thread: the one way in
/// from outside (shutdown requests), without libevent's locks.
public final class WakeUp: @unchecked Sendable {
    private let fd: Int32
    private var watcher: LoopEvent?

    /// `@unchecked Sendable`: other threads only call `signal()`, a write(2)
    /// to the eventfd; everything else happens on the loop thread.
    init(loop: EventLoop, _ body: @escaping () -> Void) {
        fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        watcher = loop.watch(fd, for: .readable, persistent: true) { [fd] _ in
            var count: UInt64 = 0
            _ = read(fd, &count, 8)
            body()
        }
    }

    deinit {
        watcher = nil
        close(fd)
    }

    /// Asks the loop to run the body; safe from any thread.
    public func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }
}
