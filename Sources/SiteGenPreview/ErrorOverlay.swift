import Foundation
import SiteGen

/// The page the preview shows instead of any HTML page while the site has errors: every error in
/// compiler form (`file:line:col: error: message`, with its note), the same lines the terminal
/// prints. It carries the live-reload script, so fixing the file brings the page back by itself.
public enum ErrorOverlay {
    public static func page(errors: [Diagnostic], version: String) -> Data {
        let count = errors.count
        let items = errors.map { diagnostic -> String in
            var item = "<li><code class=\"where\">\(escape("\(diagnostic.file):\(diagnostic.line):\(diagnostic.column)"))</code>"
                + " <span class=\"severity\">\(diagnostic.severity.rawValue):</span> \(escape(diagnostic.message))"
            if let hint = diagnostic.hint { item += "<div class=\"note\">note: \(escape(hint))</div>" }
            return item + "</li>"
        }
        let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Build failed: \(count) error\(count == 1 ? "" : "s") | sitegen preview</title>
        <style>
        body { margin: 0; background: #1e1e24; color: #f2f2f2; font: 15px/1.5 system-ui, sans-serif; }
        main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem; }
        h1 { color: #ff8080; font-size: 1.4rem; margin: 0 0 .5rem; }
        p { color: #c8c8d0; }
        ol { padding: 0; list-style: none; }
        li { background: #2b2b33; border-left: 4px solid #ff6b6b; padding: .75rem 1rem; margin: 0 0 .75rem;
             font: 14px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; }
        .where { color: #9cdcfe; }
        .severity { color: #ff8080; font-weight: bold; }
        .note { color: #c8c8d0; margin-top: .25rem; }
        </style>
        </head>
        <body>
        <main>
        <h1>The site has \(count) error\(count == 1 ? "" : "s")</h1>
        <p>sitegen keeps serving the last good build for everything else. Fix the file and this page reloads by itself.</p>
        <ol class="sitegen-errors">
        \(items.joined(separator: "\n"))
        </ol>
        </main>
        </body>
        </html>

        """
        return LiveReload.inject(into: Data(html.utf8), version: version)
    }

    static func escape(_ text: String) -> String { HTML.escape(text) }
}
