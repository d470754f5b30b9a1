import Foundation

/// Slugs: the URL-safe names of sections, articles, authors and categories.
public enum Slug {
    /// Derives a slug from a name: lowercase, diacritics folded ("Séoul" → "seoul"), every run of
    /// characters other than letters and digits becomes one "-". Letters of other scripts (Hangul) stay.
    public static func make(_ name: String) -> String {
        if let slug = makeASCII(name) { return slug }
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive],
                                  locale: Locale(identifier: "en_US_POSIX")).lowercased()
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if pendingDash && !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "\u{2019}" {
                continue  // "Korea's" → "koreas"
            } else {
                pendingDash = true
            }
        }
        return slug
    }

    /// The same rules for plain ASCII names, without Foundation's folding (hot: every category of
    /// every article, every heading), in one pass over the name's UTF-8; nil if it is not all ASCII.
    static func makeASCII(_ name: String) -> String? {
        var name = name
        var ascii = true
        let slug = name.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { slug in
                var count = 0
                var pendingDash = false
                for byte in bytes {
                    switch byte {
                    case 65...90, 97...122, 48...57:
                        if pendingDash && count > 0 { slug[count] = 45; count += 1 }
                        pendingDash = false
                        slug[count] = byte >= 65 && byte <= 90 ? byte + 32 : byte
                        count += 1
                    case 39: continue
                    case 128...:
                        ascii = false
                        return 0
                    default: pendingDash = true
                    }
                }
                return count
            }
        }
        return ascii ? slug : nil
    }

    /// Whether a slug given by hand is safe as one path component: letters, digits, '-', '_', '.',
    /// not starting with a dot, and no separators.
    public static func isValid(_ slug: String) -> Bool {
        guard !slug.isEmpty, !slug.hasPrefix("."), slug.count <= 200 else { return false }
        return slug.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                || scalar == "-" || scalar == "_" || scalar == "."
        }
    }
}
