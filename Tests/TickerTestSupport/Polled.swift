import Foundation

/// Something a test watches until a condition holds (a client process's output).
public protocol Polled: AnyObject {}

extension Polled {
    /// Waits until `condition` holds (checked every 50 ms) or `timeout` passes.
    @discardableResult
    public func wait(timeout: Double, _ condition: (Self) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(self) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition(self)
    }
}
