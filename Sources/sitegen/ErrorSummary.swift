import SiteGen

extension Terminal {
    /// A full disk or a read-only folder fails every file of the build the same way: show the first
    /// few of those errors and one line for the rest, not thousands of identical lines.
    static func collapsingWriteErrors(_ errors: [Diagnostic], keep: Int = 5) -> [String] {
        let isWrite = { (error: Diagnostic) in
            error.message.hasPrefix("cannot write ") || error.message.hasPrefix("cannot copy to ")
        }
        let writes = errors.filter(isWrite)
        guard writes.count > keep * 2 else { return errors.map(\.description) }
        var lines = errors.filter { !isWrite($0) }.map(\.description)
        lines += writes.prefix(keep).map(\.description)
        let reason = writes.last?.message.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        lines.append("sitegen: error: \(writes.count - keep) more files could not be written (\(reason))")
        return lines
    }
}
