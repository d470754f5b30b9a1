import CSiteGenSupport
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM during a build: remove this process's unfinished staging folder and
/// exit with 128 + the signal number. The live output folder is never touched: before the swap it
/// still holds the previous site, after the swap the new one. SIGKILL cannot be caught; the next build
/// removes what a killed one left behind (`OutputFolder.removeLeftovers`).
///
/// The signal handler (C, async-signal-safe) only writes the signal number to a pipe; a thread
/// reading the pipe does the clean-up.
public struct Interruption: Sendable {
    /// Held by the clean-up thread until it exits, and by `uninstall()` for good: a build cannot finish
    /// while a clean-up runs, and a clean-up cannot start after the build finished.
    private static let cleanup = NSLock()

    /// Catches SIGINT and SIGTERM until `uninstall()`; an interrupt abandons the build into `folder`.
    public static func install(cleaning folder: OutputFolder) -> Interruption {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return Interruption() }
        let readEnd = ends[0]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) != 1 {
                if errno != EINTR { return }
            }
            cleanup.lock()  // never released: the process exits below
            folder.abandon()
            FileHandle.standardError.write(Data(
                "sitegen: interrupted; the unfinished build was removed, the output folder holds a complete site\n".utf8))
            _exit(128 + Int32(byte))
        }
        sitegen_catch_interrupts(ends[1])
        return Interruption()
    }

    /// Restores the default signal behaviour. Waits for a clean-up that has started (it exits).
    public func uninstall() {
        Self.cleanup.lock()  // kept: no clean-up may start once the build has finished
        sitegen_default_interrupts()
    }

    /// Blocks for good if an interrupt is being handled (its thread exits the process), so that a build
    /// failing because its staging folder was just removed does not report that as errors.
    public static func waitIfInterrupted() {
        cleanup.lock()
        cleanup.unlock()
    }
}
