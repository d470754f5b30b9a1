import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import SiteGen

/// `sitegen serve`: builds the site into memory, serves it over HTTP, watches the site folder and
/// rebuilds incrementally on every change, telling open browser tabs to reload.
///
/// Two services run in one group: the HTTP server (Hummingbird) and the `Rebuilder` (initial build,
/// then one incremental rebuild per batch of changes from the `Watcher`). They share only the
/// `SnapshotStore` (what is served) and the `ReloadHub` (live-reload connections). SIGINT and SIGTERM
/// shut both down: the rebuilder closes the live-reload connections first, so the server can finish.
public struct PreviewServer: Sendable {
    public struct Configuration: Sendable {
        public var source: URL
        public var host: String
        /// 0 picks a free port; the printed URL names it.
        public var port: Int
        public var options: BuildOptions
        /// `--base-url`; by default `http://HOST:PORT/`, so that every link works locally.
        public var baseURL: String?

        public init(source: URL, host: String = "127.0.0.1", port: Int = 1313,
                    options: BuildOptions = BuildOptions(), baseURL: String? = nil) {
            self.source = source.standardizedFileURL
            self.host = host
            self.port = port
            self.options = options
            self.baseURL = baseURL
        }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public let configuration: Configuration
    public let console: PreviewConsole

    public init(_ configuration: Configuration, console: PreviewConsole = .standard) {
        self.configuration = configuration
        self.console = console
    }

    /// Runs until SIGINT or SIGTERM. Throws `Failure` when the folder cannot be watched or the
    /// address cannot be bound.
    public func run() async throws {
        let watcher: Watcher
        do {
            watcher = try Watcher(source: configuration.source)
        } catch {
            throw Failure(description: "cannot watch \(configuration.source.path): \(error)")
        }
        let store = SnapshotStore()
        let hub = ReloadHub(version: Rebuilder.version(0))
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "sitegen-preview")
        logger.logLevel = .critical
        let configuration = self.configuration
        let app = Application(
            responder: PreviewResponder(store: store, hub: hub),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                    serverName: nil),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? configuration.port)
                portSink.finish()
            },
            logger: logger)
        let rebuilder = Rebuilder(configuration: configuration, watcher: watcher, store: store, hub: hub,
                                  ports: ports, console: console)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [app, rebuilder], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            watcher.stop()
            throw Failure(description: "cannot serve on \(configuration.host):\(configuration.port): \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("EADDRINUSE") { return "the address is already in use" }
        return text
    }
}

/// Where the preview's terminal lines go: progress to standard output, diagnostics to standard error.
public struct PreviewConsole: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// Unbuffered, so that a parent process reading a pipe sees each line as it happens.
    public static let standard = PreviewConsole(
        out: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) },
        err: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
}

/// The site being served. Requests that arrive before the first build wait for it; requests that an
/// early snapshot cannot answer (`PreviewSite.isCurrent(for:)`) wait for the settled one.
actor SnapshotStore {
    private var site: PreviewSite?
    private var waiting: [CheckedContinuation<PreviewSite, Never>] = []
    private var waitingSettled: [CheckedContinuation<PreviewSite, Never>] = []

    func current() async -> PreviewSite {
        if let site { return site }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// The snapshot being served, if there is one yet.
    func latest() -> PreviewSite? { site }

    /// The snapshot that may answer `target`.
    func current(for target: String) async -> PreviewSite {
        let site = await current()
        if site.isCurrent(for: target) { return site }
        return await withCheckedContinuation { waitingSettled.append($0) }
    }

    /// Swaps in a snapshot; requests from now on see it whole.
    func publish(_ site: PreviewSite) {
        self.site = site
        for continuation in waiting { continuation.resume(returning: site) }
        waiting = []
        guard site.settled else { return }
        for continuation in waitingSettled { continuation.resume(returning: site) }
        waitingSettled = []
    }
}

/// Adapts Hummingbird requests to `PreviewSite.respond` and serves the live-reload event stream.
struct PreviewResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let store: SnapshotStore
    let hub: ReloadHub

    func respond(to request: Request, context: Context) async throws -> Response {
        let target = request.head.path ?? "/"
        if request.method == .get, target == LiveReload.eventsPath || target.hasPrefix(LiveReload.eventsPath + "?") {
            return await events()
        }
        let site = await store.current(for: target)
        let answer = site.respond(to: PreviewRequest(
            method: request.method.rawValue, target: target,
            ifNoneMatch: request.headers[values: .ifNoneMatch].joined(separator: ", ").nilIfEmpty))
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    func events() async -> Response {
        let stream = await hub.subscribe()
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                for await text in stream { try await writer.write(ByteBuffer(string: text)) }
                try await writer.finish(nil)
            })
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
