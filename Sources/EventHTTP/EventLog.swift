import CLibEvent
import Glibc
import Logging

/// libevent's own log lines (warnings about sockets, evhttp's complaints),
/// routed to swift-log as Bitcoin Core's HTTP server does, instead of libevent's
/// default of writing to stderr.
///
/// `event_set_log_callback` takes a plain C function with no context, so the
/// logger sits in a process-wide slot guarded by a mutex.
public enum EventLog {
    private static let slot = LoggerSlot()

    /// Sends libevent's messages to `logger` from now on (any thread).
    public static func route(to logger: Logger) { slot.set(logger) }

    static func install() {
        event_set_log_callback { severity, message in
            guard let message else { return }
            EventLog.emit(severity: severity, LogRedaction.redact(String(cString: message)))
        }
    }

    private static func emit(severity: Int32, _ message: String) {
        guard let logger = slot.get() else { return }
        switch severity {
        case EVENT_LOG_DEBUG: logger.debug("libevent: \(message)")
        case EVENT_LOG_MSG: logger.info("libevent: \(message)")
        case EVENT_LOG_WARN: logger.warning("libevent: \(message)")
        default: logger.error("libevent: \(message)")
        }
    }
}

/// A logger shared across threads. `@unchecked Sendable`: every access holds the mutex.
private final class LoggerSlot: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var logger: Logger?

    init() { pthread_mutex_init(&lock, nil) }

    func set(_ l: Logger) { pthread_mutex_lock(&lock); logger = l; pthread_mutex_unlock(&lock) }

    func get() -> Logger? {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        return logger
    }
}
