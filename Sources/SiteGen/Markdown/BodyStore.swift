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

    /// The text at `slice`. The file is this process's own and was written whole, so a failing read
    /// means the machine is failing: the build stops rather than write a page with a missing body.
    func read(_ slice: Slice) -> String {
        String(unsafeUninitializedCapacity: slice.count) { buffer in
            var done = 0
            while done < slice.count {
                let count = pread(descriptor, buffer.baseAddress! + done, slice.count - done, off_t(slice.offset + done))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { fatalError("sitegen: cannot read back an article body: \(String(cString: strerror(errno)))") }
                done += count
            }
            return done
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

    /// Moves the texts into `store` (they stay in memory if it cannot take them).
    mutating func move(to store: BodyStore) {
        guard case .inline(let html, let plainText) = storage,
              let htmlSlice = store.write(html), let plainSlice = store.write(plainText) else { return }
        storage = .stored(store, html: htmlSlice, plainText: plainSlice)
    }

    public static func == (a: MarkdownBody, b: MarkdownBody) -> Bool { a.html == b.html && a.plainText == b.plainText }
}
