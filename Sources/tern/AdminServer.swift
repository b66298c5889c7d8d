import Tern

/// The admin interface (loopback HTTP): status, kill-switch trip and reset, limits, Prometheus
/// metrics. Not built yet: `start` returns nil, and a configuration that asks for it is refused.
final class AdminServer {
    let address: String
    init(address: String) { self.address = address }
    static func start(_ config: HostConfiguration, pipeline: Pipeline) throws -> AdminServer? {
        guard config.adminListen == nil else { throw EngineError("[admin] listen: the admin interface is not built yet") }
        return nil
    }
    func stop() {}
}
