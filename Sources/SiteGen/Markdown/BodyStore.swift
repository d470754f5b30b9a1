import Foundation

/// Article bodies (HTML and plain text) written to a scratch file while parsing and read back when a
/// page, a feed or the search index needs them, so that a build holds the bodies of a few articles at a
/// time instead of every one (about 23 MB per 1,000 articles). The file is unlinked as soon as it is
/// created and vanishes with the process; what is read back comes from the page cache.
public final class BodyStore: @unchecked Sendable {
    /// Where a text is in the file.
    public struct Slice: Sendable, Equatable {
        var offset: Int
        var count: Int
    }

    private let descriptor: Int32
    private var end = 0
    private let lock = NSLock()

    /// A store in `folder` (created if needed), else in the temporary folder; nil when neither works.
    public init?(folder: URL) {
        var descriptor: Int32 = -1
        for candidate in [folder.path, NSTemporaryDirectory()] {
            try? FileManager.default.createDirectory(atPath: candidate, withIntermediateDirectories: true)
            var template = Array((candidate.hasSuffix("/") ? candidate : candidate + "/").utf8CString.dropLast())
                + Array("sitegen-bodies-XXXXXX".utf8CString)
            descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if descriptor >= 0 { template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
            if descriptor >= 0 { break }
        }
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Appends `text`; nil when the file cannot take it (the caller keeps the text in memory).
    func write(_ text: String) -> Slice? {
        var text = text
        return text.withUTF8 { bytes -> Slice? in
            lock.lock()
            let offset = end
            end += bytes.count
            lock.unlock()
            var done = 0
            while done < bytes.count {
                let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return nil }
                done += count
            }
            return Slice(offset: offset, count: bytes.count)
        }
    }

    /// Appends the bytes at `slice` to `bytes` (no String made: for the build cache).
    func append(_ slice: Slice, to bytes: inout [UInt8]) {
        guard slice.count > 0 else { return }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: slice.count))
        bytes.withUnsafeMutableBufferPointer { buffer in
            readFully(slice.offset, slice.count, into: buffer.baseAddress! + start)
        }
    }

    /// The text at the start of `slice`: at most `maximum` bytes, cut back to whole Unicode scalars.
    func prefix(_ slice: Slice, maximum: Int) -> String {
        guard maximum < slice.count else { return read(slice) }
        var bytes = [UInt8](repeating: 0, count: maximum)
        bytes.withUnsafeMutableBufferPointer { readFully(slice.offset, maximum, into: $0.baseAddress!) }
        return Self.wholeScalars(bytes)
    }

    /// `bytes` (a prefix of valid UTF-8) without a last scalar that was cut.
    static func wholeScalars(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "" }
        var lead = bytes.count - 1
        while lead > 0, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        let first = bytes[lead]
        let length = first < 0x80 ? 1 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2
        return String(decoding: bytes[..<(lead + length <= bytes.count ? bytes.count : lead)], as: UTF8.self)
    }

    private func readFully(_ offset: Int, _ count: Int, into target: UnsafeMutablePointer<UInt8>) {
        var done = 0
        while done < count {
            let read = pread(descriptor, target + done, count - done, off_t(offset + done))
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { fatalError("sitegen: cannot read back an article body: \(String(cString: strerror(errno)))") }
            done += read
        }
    }

    /// The text at `slice`. The file is this process's own and was written whole, so a failing read
    /// means the machine is failing: the build stops rather than write a page with a missing body.
    func read(_ slice: Slice) -> String {
        String(unsafeUninitializedCapacity: slice.count) { buffer in
            if slice.count > 0 { readFully(slice.offset, slice.count, into: buffer.baseAddress!) }
            return slice.count
        }
    }
}

/// The HTML and plain text of a Markdown document: in memory, or in a `BodyStore` until needed.
public struct MarkdownBody: Sendable, Equatable {
    enum Storage: Sendable {
        case inline(html: String, plainText: String)
        case stored(BodyStore, html: BodyStore.Slice, plainText: BodyStore.Slice)
    }

    var storage: Storage

    public init(html: String, plainText: String) { storage = .inline(html: html, plainText: plainText) }

    public var html: String {
        switch storage {
        case .inline(let html, _): return html
        case .stored(let store, let html, _): return store.read(html)
        }
    }

    public var plainText: String {
        switch storage {
        case .inline(_, let plainText): return plainText
        case .stored(let store, _, let plainText): return store.read(plainText)
        }
    }

    /// The plain text's first `maximum` bytes at most, cut back to whole Unicode scalars.
    public func plainTextPrefix(maximum: Int) -> String {
        switch storage {
        case .inline(_, let plainText):
            guard plainText.utf8.count > maximum else { return plainText }
            return BodyStore.wholeScalars(Array(plainText.utf8.prefix(maximum)))
        case .stored(let store, _, let plainText):
            return store.prefix(plainText, maximum: maximum)
        }
    }

    /// Appends the HTML's and the plain text's UTF-8 (each with its length) the way
    /// `CacheWriter.string` does, without making Strings of stored bodies.
    func encode(into writer: inout CacheWriter) {
        switch storage {
        case .inline(let html, let plainText):
            writer.string(html)
            writer.string(plainText)
        case .stored(let store, let html, let plainText):
            writer.int(html.count)
            store.append(html, to: &writer.bytes)
            writer.int(plainText.count)
            store.append(plainText, to: &writer.bytes)
        }
    }

    /// Moves the texts into `store` (they stay in memory if it cannot take them).
    mutating func move(to store: BodyStore) {
        guard case .inline(let html, let plainText) = storage,
              let htmlSlice = store.write(html), let plainSlice = store.write(plainText) else { return }
        storage = .stored(store, html: htmlSlice, plainText: plainSlice)
    }

    public static func == (a: MarkdownBody, b: MarkdownBody) -> Bool { a.html == b.html && a.plainText == b.plainText }
}
