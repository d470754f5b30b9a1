import ArgumentParser
import Foundation

// Exit status: 0 success, 1 content or template errors, 2 usage errors.
do {
    var command = try SiteGenCommand.parseAsRoot()
    if var asyncCommand = command as? AsyncRunnable {
        try await asyncCommand.runAsync()
    } else {
        try command.run()
    }
} catch {
    let code = SiteGenCommand.exitCode(for: error)
    if code == .success {
        print(SiteGenCommand.fullMessage(for: error))
        exit(0)
    }
    if error is ExitCode {
        exit(code.rawValue)
    }
    let message = SiteGenCommand.fullMessage(for: error)
    if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    exit(code == .validationFailure ? 2 : code.rawValue == 64 ? 2 : code.rawValue)
}

/// Commands whose work is async; dispatched here because calling `run()` on an existential
/// `AsyncParsableCommand` picks the synchronous requirement.
protocol AsyncRunnable {
    mutating func runAsync() async throws
}

extension Build: AsyncRunnable {
    mutating func runAsync() async throws { try await run() }
}

extension Check: AsyncRunnable {
    mutating func runAsync() async throws { try await run() }
}

extension Serve: AsyncRunnable {
    mutating func runAsync() async throws { try await run() }
}
