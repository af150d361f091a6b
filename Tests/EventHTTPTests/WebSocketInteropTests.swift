import Foundation
import Testing

/// A third-party client (Python `websockets`, from the venv of
/// Tests/python/venv.sh) against `WebSocketStream` on a real evhttp server.
@Suite struct WebSocketInteropTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a command; returns its exit status and standard output.
    func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func pythonWebsocketsClient() throws {
        let (status, python) = try run("/bin/bash", [Self.root.appendingPathComponent("Tests/python/venv.sh").path])
        #expect(status == 0)
        let server = LiveServer()
        defer { server.stop() }
        // The client offers permessage-deflate by default; we must decline it.
        let script = """
            import asyncio
            from websockets.asyncio.client import connect
            async def main():
                async with connect("ws://127.0.0.1:\(server.port)/ws") as ws:
                    print("extensions", ws.response.headers.get("Sec-WebSocket-Extensions"))
                    for i in range(3):
                        await ws.send(f"m{i}")
                        print(await ws.recv())
                    await (await ws.ping())
                    print("pong")
                print("closed", ws.close_code)
            asyncio.run(main())
            """
        let (exit, output) = try run(python.trimmingCharacters(in: .whitespacesAndNewlines), ["-c", script])
        #expect(exit == 0)
        #expect(output.split(separator: "\n") == ["extensions None", "echo:m0", "echo:m1", "echo:m2", "pong", "closed 1000"])
        #expect(server.waitClosed(1) == 1)
    }
}
