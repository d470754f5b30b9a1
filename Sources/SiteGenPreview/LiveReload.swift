import Foundation

/// Live reload: the script that the preview (never `sitegen build`) injects into every HTML
/// response, and the Server-Sent Events it listens to at `/__sitegen/events`.
///
/// Each served page carries the snapshot version it was served from. On connecting, the server sends
/// `hello` with the current version; a page with another version reloads at once (it missed a rebuild
/// while loading, or while the server was away). After that, `reload` with a new version tells every
/// open tab that the site changed, or that the error overlay appeared or cleared. If the connection
/// breaks, the script connects again.
public enum LiveReload {
    public static let eventsPath = "/__sitegen/events"
    /// The marker in the script; the build-output test checks that no built file contains it.
    public static let marker = "sitegen-live-reload"

    /// The `<script>` element for a page rendered from snapshot `version`.
    public static func script(version: String) -> String {
        """
        <script id="\(marker)">(() => {
          const version = "\(version)";
          let source;
          const connect = () => {
            source = new EventSource("\(eventsPath)");
            source.addEventListener("hello", (event) => { if (event.data !== version) location.reload(); });
            source.addEventListener("reload", (event) => { if (event.data !== version) location.reload(); });
            source.onerror = () => { if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000); };
          };
          connect();
        })();</script>
        """
    }

    /// The page with the script inserted before the last `</body>`, or appended when there is none.
    public static func inject(into html: Data, version: String) -> Data {
        let script = Data(script(version: version).utf8)
        var page = html
        if let close = page.range(of: Data("</body>".utf8), options: .backwards) {
            page.insert(contentsOf: script, at: close.lowerBound)
        } else {
            page.append(script)
        }
        return page
    }

    /// One Server-Sent Event: `event: NAME` and one `data:` line.
    public static func event(_ name: String, data: String) -> String {
        "event: \(name)\ndata: \(data)\n\n"
    }

    /// Sent when a connection opens: reconnect after 1 s, and the current version.
    public static func opening(version: String) -> String {
        "retry: 1000\n\n" + event("hello", data: version)
    }

    /// A comment line that keeps idle connections open and finds closed ones.
    public static let keepAlive = ": ping\n\n"
}

/// The open live-reload connections and the current snapshot version. A new connection first gets
/// `hello` with the version; `reload` sets a new version and sends it to every connection; `close`
/// ends them all (so that a graceful shutdown does not wait for open browser tabs).
public actor ReloadHub {
    public private(set) var version: String
    private var subscribers: [Int: AsyncStream<String>.Continuation] = [:]
    private var nextID = 0
    private var closed = false

    public init(version: String) { self.version = version }

    public var count: Int { subscribers.count }

    /// A new connection's events, starting with `LiveReload.opening`.
    public func subscribe() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(16))
        continuation.yield(LiveReload.opening(version: version))
        guard !closed else {
            continuation.finish()
            return stream
        }
        let id = nextID
        nextID += 1
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.remove(id) } }
        return stream
    }

    /// Sets the version that new connections are greeted with (before the new snapshot is served).
    public func announce(_ version: String) { self.version = version }

    /// Tells every open tab to reload to `version`.
    public func reload(_ version: String) {
        self.version = version
        broadcast(LiveReload.event("reload", data: version))
    }

    public func keepAlive() { broadcast(LiveReload.keepAlive) }

    public func close() {
        closed = true
        for continuation in subscribers.values { continuation.finish() }
        subscribers = [:]
    }

    private func broadcast(_ text: String) {
        for continuation in subscribers.values { continuation.yield(text) }
    }

    private func remove(_ id: Int) { subscribers[id] = nil }
}
