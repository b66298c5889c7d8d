import Foundation
import Tern
import TernAdmin

/// Starts and stops the admin interface for a pipeline, from synchronous host code: the server
/// itself runs on Swift's concurrency pool.
final class AdminHost: @unchecked Sendable {
    // @unchecked: `server` is written once before `start` returns (the semaphore orders it).
    var server: AdminServer? = nil

    /// nil when the configuration has no `[admin] listen`. The token comes from `[admin] token`
    /// or the environment variable `[admin] token_env` names; with neither, the host refuses to start.
    static func start(_ config: HostConfiguration, pipeline: Pipeline) throws -> AdminHost? {
        guard let listen = config.adminListen else { return nil }
        let token: String
        if let t = config.adminToken {
            token = t
        } else if let t = ProcessInfo.processInfo.environment[config.adminTokenEnvironment], !t.isEmpty {
            token = t
        } else {
            throw EngineError(
                "[admin] listen is set, but there is no token: set $\(config.adminTokenEnvironment) (at least 16 characters), or [admin] token_env or token")
        }
        let control = try EngineControl(killSwitch: pipeline.risk.killSwitch)
        pipeline.engine.control = control
        let service = try AdminService(
            control: control, setup: pipeline.setup, token: token, limitsText: pipeline.limitsText, instrumentsText: pipeline.instrumentsText,
            log: { line in printError(line) })
        let host = AdminHost()
        let done = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        Task.detached {
            do {
                host.server = try await AdminServer.start(listen: listen, service: service)
            } catch {
                failure.error = error
            }
            done.signal()
        }
        done.wait()
        if let e = failure.error { throw EngineError("\(e)") }
        return host
    }

    var address: String { server?.address ?? "?" }

    /// Keeps serving for `seconds` (status and metrics of the finished run), then stops.
    func stop(after seconds: Double) {
        if seconds > 0 {
            printError("admin: serving the finished run for \(seconds) s (Ctrl-C to stop)")
            Thread.sleep(forTimeInterval: seconds)
        }
        guard let server else { return }
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await server.stop()
            done.signal()
        }
        done.wait()
    }
}

final class ErrorBox: @unchecked Sendable {
    var error: (any Error)? = nil
}
