import FlyingFox
import FlyingSocks
import Foundation
import Synchronization
import TernEngine

/// `AdminService` over HTTP/1.1 on a loopback address (FlyingFox). Connections are served on
/// Swift's concurrency pool, never on the engine's threads; the metrics are also refreshed every
/// 250 ms so the latency tap is drained while nobody scrapes.
public final class AdminServer: Sendable {
    public let service: AdminService
    /// The address it listens on (`127.0.0.1:PORT`; the port is the real one when 0 was asked).
    public let address: String
    let server: HTTPServer
    let running: Task<Void, any Error>
    let refresher: Task<Void, Never>

    init(service: AdminService, address: String, server: HTTPServer, running: Task<Void, any Error>, refresher: Task<Void, Never>) {
        self.service = service
        self.address = address
        self.server = server
        self.running = running
        self.refresher = refresher
    }

    /// Listens on `listen` (`127.0.0.1:9100`, `localhost:9100` or `[::1]:9100`; port 0 picks a
    /// free one). Only loopback addresses are accepted.
    public static func start(listen: String, service: AdminService) async throws -> AdminServer {
        let (host, port) = try parse(listen)
        let server: HTTPServer
        let handler = ClosureHTTPHandler { request in await respond(service, request) }
        if host == "::1" {
            server = HTTPServer(address: try sockaddr_in6.inet6(ip6: host, port: port), timeout: 5, logger: .disabled, handler: handler)
        } else {
            server = HTTPServer(address: try sockaddr_in.inet(ip4: host, port: port), timeout: 5, logger: .disabled, handler: handler)
        }
        let failure = Mutex<(any Error)?>(nil)
        let running = Task {
            do {
                try await server.run()
            } catch {
                failure.withLock { $0 = error }
                throw error
            }
        }
        // Listening, or the reason it cannot (address in use, …), within 5 s.
        var bound: String? = nil
        for _ in 0..<500 {
            switch await server.listeningAddress {
            case .ip4(let ip, let p)?: bound = "\(ip):\(p)"
            case .ip6(let ip, let p)?: bound = "[\(ip)]:\(p)"
            default: break
            }
            if bound != nil { break }
            if let e = failure.withLock({ $0 }) { throw AdminError("admin: cannot listen on \(listen): \(describe(e))") }
            try? await Task.sleep(for: .milliseconds(10))
        }
        guard let bound else {
            running.cancel()
            throw AdminError("admin: not listening on \(listen) after 5 s")
        }
        let refresher = Task {
            while !Task.isCancelled {
                service.metrics.refresh()
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        return AdminServer(service: service, address: bound, server: server, running: running, refresher: refresher)
    }

    public func stop() async {
        refresher.cancel()
        await server.stop(timeout: 1)
        running.cancel()
    }

    /// `host:port` → (host, port), loopback only (`HostConfiguration.listenAddress`'s rule).
    static func parse(_ listen: String) throws -> (String, UInt16) {
        guard let (host, port) = HostConfiguration.listenAddress(listen) else {
            throw AdminError("admin listen \(String(reflecting: listen)): expected HOST:PORT on a loopback address (127.0.0.0/8, localhost, [::1])")
        }
        return (host == "[::1]" ? "::1" : host, UInt16(port))
    }

    static func respond(_ service: AdminService, _ request: HTTPRequest) async -> HTTPResponse {
        let peer: String
        switch request.remoteAddress {
        case .ip4(let ip, let port)?: peer = "\(ip):\(port)"
        case .ip6(let ip, let port)?: peer = "[\(ip)]:\(port)"
        case .unix(let path)?: peer = path
        case nil: peer = "unknown"
        }
        let body: [UInt8]
        do {
            body = [UInt8](try await request.bodyData)
        } catch {
            return HTTPResponse(statusCode: .badRequest, body: Data("{\"error\": \"unreadable body\"}\n".utf8))
        }
        let answer = await service.handle(
            AdminRequest(method: request.method.rawValue, path: request.path, authorization: request.headers[.authorization], body: body, peer: peer))
        return HTTPResponse(
            statusCode: HTTPStatusCode(answer.status, phrase: phrase(answer.status)), headers: [.contentType: answer.contentType],
            body: Data(answer.body.utf8))
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? SocketError, case .failed(_, let errno, let message) = e {
            return errno == EADDRINUSE ? "the address is in use (\(message))" : message
        }
        return "\(error)"
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}
