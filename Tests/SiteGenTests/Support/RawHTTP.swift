#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A deliberately dumb HTTP/1.1 client over a plain socket: the request target goes out byte for
/// byte (URLSession would clean up `/../` and `%2e%2e` before sending), and the answer comes back
/// raw. For the preview server's process tests.
struct RawHTTP {
    struct Reply {
        var status: Int
        /// Header names lowercased.
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int

    /// Sends `METHOD target HTTP/1.1` with the given headers and reads the reply until the server closes.
    func send(_ method: String = "GET", _ target: String, headers: [String: String] = [:],
              timeout: Double = 10) throws -> Reply {
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let socket = try Self.connect(port: port, timeout: timeout)
        defer { close(socket) }
        try Self.write(socket, Data(request.utf8))
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(socket, &buffer, buffer.count)
            if count < 0 { throw Failure(description: "read failed or timed out: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return try Self.parse(received, method: method)
    }

    func get(_ target: String, headers: [String: String] = [:]) throws -> Reply {
        try send("GET", target, headers: headers)
    }

    static func connect(port: Int, timeout: Double) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket failed") }
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "cannot connect to 127.0.0.1:\(port)")
        }
        return socket
    }

    static func write(_ socket: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(socket, bytes.baseAddress! + offset, bytes.count - offset)
                guard written > 0 else { throw Failure(description: "write failed") }
                offset += written
            }
        }
    }

    static func parse(_ data: Data, method: String) throws -> Reply {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "no complete header in \(data.count) bytes: \(String(decoding: data, as: UTF8.self))")
        }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line: \(head[0])")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Reply(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let line = rest.range(of: Data("\r\n".utf8)),
              let size = Int(String(decoding: rest[..<line.lowerBound], as: UTF8.self), radix: 16), size > 0 {
            let start = line.upperBound
            out.append(rest[start..<min(start + size, rest.endIndex)])
            rest = rest[min(start + size + 2, rest.endIndex)...]
        }
        return out
    }
}

/// A live-reload connection: reads the event stream as it arrives.
final class EventStreamReader {
    let socket: Int32
    private var received = ""

    init(port: Int, path: String = "/__sitegen/events") throws {
        socket = try RawHTTP.connect(port: port, timeout: 1)
        try RawHTTP.write(socket, Data("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8))
    }

    deinit { close(socket) }

    /// Everything received so far, as text (HTTP head and chunk framing included).
    var text: String { received }

    /// Waits for the next `event: NAME` and returns its data; consumes the stream up to it.
    func next(_ name: String, timeout: Double = 15) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let range = received.range(of: "event: \(name)\ndata: "),
               let end = received[range.upperBound...].firstIndex(of: "\n") {
                let data = String(received[range.upperBound..<end])
                received = String(received[end...])
                return data
            }
            guard Date() < deadline else {
                throw RawHTTP.Failure(description: "no '\(name)' event within \(timeout) s; got: \(received)")
            }
            let count = read(socket, &buffer, buffer.count)  // times out after 1 s (SO_RCVTIMEO)
            if count == 0 { throw RawHTTP.Failure(description: "event stream closed; got: \(received)") }
            if count > 0 { received += String(decoding: buffer[0..<count], as: UTF8.self) }
        }
    }
}
