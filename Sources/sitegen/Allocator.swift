import CSiteGenSupport
import CTCMalloc
import Foundation

/// The process's memory allocator. The executable links gperftools' tcmalloc (see Package.swift):
/// listed before the C library, its `malloc` and `free` serve every allocation of the process (Swift's
/// runtime, Foundation, cmark-gfm).
enum Allocator {
    /// What serves `malloc`: "tcmalloc 2.10", or the file of whichever library does when tcmalloc's does
    /// not (the C library's, when a linker dropped tcmalloc or an LD_PRELOAD put another one first).
    /// Printed with `sitegen build --timings`, which a test reads.
    static var description: String {
        guard let file = sitegen_malloc_library() else { return "unknown" }
        let library = String(cString: file)
        // tc_version also makes the executable use a symbol of the library, so that a linker that drops
        // unused libraries (--as-needed) keeps it.
        guard library.contains("tcmalloc"), let version = tc_version(nil, nil, nil) else {
            return (library as NSString).lastPathComponent
        }
        return String(cString: version).replacingOccurrences(of: "gperftools ", with: "tcmalloc ")
    }
}
