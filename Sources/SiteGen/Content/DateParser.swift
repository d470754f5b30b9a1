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
        let parts = fields(date)
        return "\(Self.months[parts.month - 1]) \(parts.day), \(parts.year)"
    }

    public func year(_ date: Date) -> Int { fields(date).year }

    /// RFC 3339 with the site's offset, e.g. "2023-11-28T00:00:00+09:00".
    public func rfc3339(_ date: Date) -> String {
        let parts = fields(date)
        var text = [UInt8]()
        text.reserveCapacity(25)
        func digits(_ value: Int, _ width: Int) {
            var divisor = width == 4 ? 1000 : 10
            while divisor > 0 {
                text.append(UInt8(48 + value / divisor % 10))
                divisor /= 10
            }
        }
        guard (0...9999).contains(parts.year) else { return paddedRFC3339(parts) }
        digits(parts.year, 4); text.append(0x2D); digits(parts.month, 2); text.append(0x2D); digits(parts.day, 2)
        text.append(0x54); digits(parts.hour, 2); text.append(0x3A); digits(parts.minute, 2); text.append(0x3A)
        digits(parts.second, 2)
        if parts.offset == 0 {
            text.append(0x5A)
        } else {
            text.append(parts.offset < 0 ? 0x2D : 0x2B)
            digits(abs(parts.offset) / 3600 % 100, 2); text.append(0x3A); digits(abs(parts.offset) % 3600 / 60, 2)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `rfc3339` of fields whose year has other than four digits (Foundation's fields: see `fields`).
    private func paddedRFC3339(_ parts: Fields) -> String {
        let zone: String
        if parts.offset == 0 {
            zone = "Z"
        } else {
            let sign = parts.offset < 0 ? "-" : "+"
            zone = sign + pad(abs(parts.offset) / 3600) + ":" + pad(abs(parts.offset) % 3600 / 60)
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))T"
            + "\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))\(zone)"
    }

    /// "2023-11-28" for sitemaps.
    public func day(_ date: Date) -> String { String(rfc3339(date).prefix(10)) }

    /// A date's calendar fields in the site's time zone, and the zone's offset from UTC then.
    struct Fields: Equatable {
        var year, month, day, hour, minute, second, offset: Int
    }

    /// The fields by integer arithmetic on the days since 1970 (a Gregorian calendar), for dates
    /// from 1600 to 9999; Foundation's calendar for others (it counts Julian dates before 1582).
    /// `Calendar.dateComponents` took ~1.5 µs a date, and feeds, sitemaps and list cards format
    /// about 60,000 dates at 10k articles.
    func fields(_ date: Date) -> Fields {
        let offset = timeZone.secondsFromGMT(for: date)
        let local = (date.timeIntervalSince1970 + Double(offset)).rounded(.down)
        // -11,676,096,000 is 1600-01-01 and 253,402,300,799 is 9999-12-31T23:59:59, in seconds since 1970.
        guard local >= -11_676_096_000, local <= 253_402_300_799 else { return foundationFields(date, offset: offset) }
        let seconds = Int(local)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        let (year, month, day) = Self.civil(days: days)
        return Fields(year: year, month: month, day: day, hour: second / 3600, minute: second % 3600 / 60,
                      second: second % 60, offset: offset)
    }

    func foundationFields(_ date: Date, offset: Int) -> Fields {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return Fields(year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!,
                      minute: parts.minute!, second: parts.second!, offset: offset)
    }

    /// The Gregorian date `days` days after 1970-01-01. Counts in 400-year cycles from 0000-03-01,
    /// so that February, with its leap day, ends each counted year.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days from 0000-03-01 to 1970-01-01
        let cycle = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfCycle = shifted - cycle * 146_097  // 0…146,096
        let yearOfCycle = (dayOfCycle - dayOfCycle / 1460 + dayOfCycle / 36_524 - dayOfCycle / 146_096) / 365
        let dayOfYear = dayOfCycle - (365 * yearOfCycle + yearOfCycle / 4 - yearOfCycle / 100)  // from March 1
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfCycle + cycle * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
