import Foundation

/// Parses front-matter dates: `YYYY-MM-DD` (midnight in the site's time zone) or RFC 3339
/// (`2023-11-28T09:30:00Z`, `2023-11-28 09:30:00+09:00`, fractional seconds allowed).
public enum DateParser {
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        let bytes = Array(Bytes.trimmed(text, newlines: false).utf8)
        guard bytes.count >= 10, let year = number(bytes, 0, 4), bytes[4] == 45,
              let month = number(bytes, 5, 2), bytes[7] == 45, let day = number(bytes, 8, 2),
              (1...12).contains(month), (1...daysIn(month, year)).contains(day) else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        var zone = timeZone
        if bytes.count > 10 {
            guard bytes.count >= 19, bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
                  let hour = number(bytes, 11, 2), bytes[13] == 58, let minute = number(bytes, 14, 2),
                  bytes[16] == 58, let second = number(bytes, 17, 2),
                  hour < 24, minute < 60, second < 61 else { return nil }
            components.hour = hour
            components.minute = minute
            components.second = min(second, 59)
            var index = 19
            if index < bytes.count, bytes[index] == 46 {  // fractional seconds: ignored
                index += 1
                let start = index
                while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
                if index == start { return nil }
            }
            if index < bytes.count {
                if bytes[index] == 90 || bytes[index] == 122, index == bytes.count - 1 {
                    zone = TimeZone(secondsFromGMT: 0)!
                } else if bytes[index] == 43 || bytes[index] == 45, bytes.count == index + 6,
                          let hours = number(bytes, index + 1, 2), bytes[index + 3] == 58,
                          let minutes = number(bytes, index + 4, 2), hours < 24, minutes < 60 {
                    let sign = bytes[index] == 45 ? -1 : 1
                    guard let offsetZone = TimeZone(secondsFromGMT: sign * (hours * 3600 + minutes * 60)) else {
                        return nil
                    }
                    zone = offsetZone
                } else {
                    return nil
                }
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: components)
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int? {
        guard start + length <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<(start + length)] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Formats dates for templates and feeds in the site's time zone.
public struct DateFormatting: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                         "September", "October", "November", "December"]

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// "November 28, 2023".
    public func long(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(Self.months[parts.month! - 1]) \(parts.day!), \(parts.year!)"
    }

    public func year(_ date: Date) -> Int { calendar.component(.year, from: date) }

    /// RFC 3339 with the site's offset, e.g. "2023-11-28T00:00:00+09:00".
    public func rfc3339(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        let zone: String
        if offset == 0 {
            zone = "Z"
        } else {
            let sign = offset < 0 ? "-" : "+"
            zone = sign + pad(abs(offset) / 3600) + ":" + pad(abs(offset) % 3600 / 60)
        }
        return "\(pad(parts.year!, 4))-\(pad(parts.month!))-\(pad(parts.day!))T"
            + "\(pad(parts.hour!)):\(pad(parts.minute!)):\(pad(parts.second!))\(zone)"
    }

    /// "2023-11-28" for sitemaps.
    public func day(_ date: Date) -> String { String(rfc3339(date).prefix(10)) }

    private func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
