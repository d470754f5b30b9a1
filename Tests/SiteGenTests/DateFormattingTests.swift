import Foundation
import Testing
@testable import SiteGen

/// `DateFormatting` computes calendar fields by integer arithmetic; Foundation's calendar is the reference.
@Suite struct DateFormattingTests {
    static let zones = ["UTC", "Asia/Seoul", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                        "Pacific/Chatham", "America/St_Johns", "Europe/London"]

    /// What the fields were before: Foundation's calendar in the zone.
    static func reference(_ date: Date, _ zone: TimeZone) -> DateFormatting.Fields {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return .init(year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!,
                     second: parts.second!, offset: zone.secondsFromGMT(for: date))
    }

    static func referenceRFC3339(_ fields: DateFormatting.Fields) -> String {
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let zone = fields.offset == 0 ? "Z"
            : (fields.offset < 0 ? "-" : "+") + pad(abs(fields.offset) / 3600) + ":" + pad(abs(fields.offset) % 3600 / 60)
        return "\(pad(fields.year, 4))-\(pad(fields.month))-\(pad(fields.day))T\(pad(fields.hour)):\(pad(fields.minute)):\(pad(fields.second))\(zone)"
    }

    @Test func fieldsAgreeWithFoundationsCalendar() {
        var generator = SystemRandomNumberGenerator()
        // Edges: the range's ends, leap days, century years, 1970, and instants just before midnight.
        var instants: [Double] = [-11_676_096_000, 253_402_300_799, 0, -1, -0.5, 951_782_400, 951_868_799.999,
                                  4_107_542_400, 4_107_628_800, -2_203_891_200, 1_709_164_799, 1_709_164_800]
        for _ in 0..<3_000 { instants.append(Double.random(in: -11_676_096_000...253_402_300_799, using: &generator).rounded()) }
        for _ in 0..<500 { instants.append(Double.random(in: -2e9...4e9, using: &generator)) }  // fractional seconds
        for name in Self.zones {
            let zone = TimeZone(identifier: name)!
            let formatting = DateFormatting(timeZone: zone)
            for instant in instants {
                let date = Date(timeIntervalSince1970: instant)
                let expected = Self.reference(date, zone)
                #expect(formatting.fields(date) == expected, "\(name) \(instant)")
                #expect(formatting.rfc3339(date) == Self.referenceRFC3339(expected), "\(name) \(instant)")
            }
        }
    }

    @Test func datesOutsideTheFastRangeUseFoundation() {
        let formatting = DateFormatting(timeZone: TimeZone(identifier: "UTC")!)
        for instant in [-12_000_000_000.0, -62_135_596_800, 300_000_000_000] {
            let date = Date(timeIntervalSince1970: instant)
            let expected = Self.reference(date, TimeZone(identifier: "UTC")!)
            #expect(formatting.fields(date) == expected, "\(instant)")
            #expect(formatting.rfc3339(date) == Self.referenceRFC3339(expected), "\(instant)")
        }
        #expect(formatting.long(Date(timeIntervalSince1970: 1_701_129_600)) == "November 28, 2023")
        #expect(formatting.day(Date(timeIntervalSince1970: 1_701_129_600)) == "2023-11-28")
    }

    @Test func civilDatesCountFrom1970() {
        #expect(DateFormatting.civil(days: 0) == (1970, 1, 1))
        #expect(DateFormatting.civil(days: -1) == (1969, 12, 31))
        #expect(DateFormatting.civil(days: 11_016) == (2000, 2, 29))
        #expect(DateFormatting.civil(days: -135_140) == (1600, 1, 1))
    }
}
