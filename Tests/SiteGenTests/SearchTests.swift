import Foundation
import Testing
@testable import SiteGen
@testable import SiteGenBench

/// Search: how text becomes terms, the index and its shards, the JSON files, and the search page.
@Suite struct SearchTests {
    // MARK: Normalization

    /// The cases shared with the browser test of `search.js`.
    static func normalizationCases() throws -> [(word: String, term: String?)] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".ci/browser/normalization-cases.tsv")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }
            .map { line in
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
                let term = parts.count > 1 ? String(parts[1]) : ""
                return (String(parts[0]), term.isEmpty ? nil : term)
            }
    }

    @Test func wordsBecomeTermsAsTheSharedCasesSay() throws {
        let cases = try Self.normalizationCases()
        #expect(cases.count > 30)
        for (word, term) in cases {
            #expect(SearchText.term(word) == term, "\(word)")
        }
    }

    @Test func caseAndDiacriticsFold() {
        #expect(SearchText.fold("Séoul") == "seoul")
        #expect(SearchText.fold("ÅNGSTRÖM") == "angstrom")
        #expect(SearchText.terms(in: "SEOUL Seoul séoul") == ["seoul", "seoul", "seoul"])
    }

    @Test func stemmingJoinsTheFormsOfAWord() {
        for forms in [["trade", "trades", "traded", "trading"], ["sanction", "sanctions", "sanctioned"],
                      ["policy", "policies"], ["negotiate", "negotiated", "negotiating"], ["study", "studies", "studied"]] {
            #expect(Set(forms.map(SearchText.term)).count == 1, "\(forms)")
        }
        #expect(SearchText.stem("status") == "status")
        #expect(SearchText.stem("g20") == "g20", "words with digits are left alone")
    }

    @Test func hangulStaysAsWrittenAndIdeographsAreWordsOfTheirOwn() {
        #expect(SearchText.terms(in: "서울에서 열린 회담") == ["서울에서", "열린", "회담"])
        #expect(SearchText.fold("서울") == "서울")
        #expect(SearchText.terms(in: "北韓 policy") == ["北", "韓", "policy"])
    }

    @Test func punctuationApostrophesAndStopWords() {
        #expect(SearchText.terms(in: "The Korea's (peace) regime—and <script>alert(1)</script>")
                == ["korea", "peac", "regim", "script", "alert", "script"])
        #expect(SearchText.terms(in: "it's 'quoted'") == ["quot"])
        #expect(SearchText.terms(in: String(repeating: "a", count: 41)) == [])
    }

    @Test func theFastAnalysisFindsTheSameTermsAsTheReference() {
        let texts = ["Séoul and SEOUL, the Korea’s talks", "서울에서 北韓 ÅNGSTRÖM don't stop", "G20 2024 résumé x",
                     "Straße — “quoted” Œuvre’s trades traded",
                     "internationalization internationalizations internationalizationx administrations administration "
                        + "cooperative cooperatives abcdefgh abcdefghi abcdefghij bcdefghij 1234567890123456 1234567890123457"]
        let documents = texts.map { SearchDocument(title: "", url: "", body: $0) }
        let analysis = SearchAnalysis(documents)
        var found = [Set<String>](repeating: [], count: texts.count)
        analysis.forEachEntry { document, term, _, _ in found[document].insert(analysis.terms[term]) }
        for (id, text) in texts.enumerated() {
            #expect(found[id] == Set(SearchText.terms(in: text)), "\(text)")
            #expect(Int(analysis.lengths[id]) == SearchText.terms(in: text).count)
        }
    }

    /// The word rules of `SearchText`, one Unicode scalar at a time (the scanner works on bytes,
    /// 8 at a time for ASCII).
    static func referenceWords(_ text: String) -> [(word: [UInt8], isASCII: Bool)] {
        var words: [(word: [UInt8], isASCII: Bool)] = []
        var word: [UInt8] = [], apostrophe = false
        func end() {
            if !word.isEmpty, word.count <= WordScanner.bufferSize {
                words.append((word, word.allSatisfy { $0 < 0x80 }))
            }
            word = []
            apostrophe = false
        }
        for scalar in text.unicodeScalars {
            if SearchText.isIdeograph(scalar.value) {
                end()
                words.append((Array(String(scalar).utf8), false))
            } else if scalar.isASCII ? scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                                     : SearchText.isWordScalar(scalar) {
                word += Array(String(scalar).utf8).map { (65...90).contains($0) ? $0 + 32 : $0 }
                apostrophe = false
            } else if scalar == "'" || scalar == "\u{2019}", !word.isEmpty, !apostrophe {
                apostrophe = true
            } else {
                end()
            }
        }
        end()
        return words
    }

    @Test func theByteScannerSplitsWordsAsTheRulesSay() {
        var generator = SeededRandom(seed: 7)  // reproducible random texts
        let pieces = ["a", "Z", "q", "7", "0", " ", "  ", "'", "’", "''", "-", ".", "\n", "é", "É", "ß", "\u{301}",
                      "北", "서울", "Ω", "\u{2028}", "…", "\u{1F600}", "\u{10400}", "ab", "Trade", "g20",
                      "9", "x9Y", "@", "[", "`", "{", "/", ":", "\u{7F}"]
        for round in 0..<400 {
            var text = ""
            for _ in 0..<Int(generator.next() % 40) { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
            if round % 10 == 0 {  // words around the longest kept (`WordScanner.bufferSize` bytes)
                let length = WordScanner.bufferSize - 10 + Int(generator.next() % 20)
                text += " " + String(repeating: "x", count: length) + (round % 20 == 0 ? "é" : "") + " tail"
            }
            var found: [(word: [UInt8], isASCII: Bool)] = []
            SearchText.forEachWord(in: text) { word, isASCII in found.append((Array(word), isASCII)) }
            let expected = Self.referenceWords(text)
            #expect(found.map(\.word) == expected.map(\.word), "\(text.debugDescription)")
            #expect(found.map(\.isASCII) == expected.map(\.isASCII), "\(text.debugDescription)")
        }
        // Every length and alignment of an ASCII run, as the 8-byte steps see them.
        for offset in 0..<9 {
            for length in 1..<40 {
                let word = String((0..<length).map { Character(Unicode.Scalar(UInt8(65 + ($0 * 7) % 26))) })
                let text = String(repeating: " ", count: offset) + word + "'S" + (length % 2 == 0 ? "" : ",x9")
                var found: [[UInt8]] = []
                SearchText.forEachWord(in: text) { word, _ in found.append(Array(word)) }
                #expect(found == Self.referenceWords(text).map(\.word), "\(text)")
            }
        }
    }

    /// Prose-like texts: mostly ASCII words of 1…20 letters between ASCII separators, the common case
    /// `WordScanner.next` handles inline, mixed with what sends it to the general path (apostrophes,
    /// non-ASCII letters and separators, words near the buffer's size, the text's last 8 bytes).
    @Test func theScannersInlinePathAgreesWithTheRules() {
        let long = String(repeating: "Q", count: WordScanner.bufferSize - 3)
        let pieces = ["a", "an", "Trade", "talks", "Infrastructure", "ABCDEFGH", "abcdefghijklmnop", "g20", "2024",
                      " ", " ", " ", ". ", ", ", "\n", "-", "'", "'s ", "’", "é", "Séoul", "北", " \u{2028}",
                      long, "xy" + long, "\u{7F}", "@"]
        for text in piecedTexts(pieces, lengths: 0...120, count: 12, seed: 19) {
            var found: [(word: [UInt8], isASCII: Bool)] = []
            SearchText.forEachWord(in: text) { word, isASCII in found.append((Array(word), isASCII)) }
            let expected = Self.referenceWords(text)
            #expect(found.map(\.word) == expected.map(\.word), "\(text.debugDescription)")
            #expect(found.map(\.isASCII) == expected.map(\.isASCII), "\(text.debugDescription)")
        }
    }

    @Test func theTermTableGivesEverySpellingItsTerm() {
        var table = TermTable()
        var words: [String] = []
        for n in 0..<6_000 {  // enough to grow the table several times
            let stem = ["trade", "internationalization", "x", "policies", "seoul", "abcdefgh"][n % 6]
            words.append(n % 7 == 0 ? stem : "\(stem)\(n)")
            words.append(String(repeating: "k", count: 1 + n % 30))
        }
        words += ["Séoul", "서울에서", "the", "a", "1234567890123456", "1234567890123457", "12345678901234567"]
        for _ in 0..<2 {  // the second time every spelling is known
            for word in words {
                SearchText.forEachWord(in: word) { bytes, isASCII in
                    let id = table.id(bytes, isASCII: isASCII)
                    let term = SearchText.term(ofWord: bytes, isASCII: isASCII)
                    #expect((id < 0 ? nil : table.terms[Int(id)]) == term, "\(word)")
                }
            }
        }
        #expect(Set(table.terms).count == table.terms.count)
    }

    @Test func theSummaryTestByBytesAgreesWithCharacterComparison() {
        func reference(_ summary: String, _ body: String) -> Bool {
            let summary = summary.hasSuffix("…") ? String(summary.dropLast()) : summary
            return !summary.isEmpty && body.hasPrefix(summary)
        }
        let cases: [(String, String)] = [
            ("", "body"), ("…", "body"), ("Trade talks", "Trade talks stalled."), ("Trade talks…", "Trade talks stalled."),
            ("Trade talks", "Trade talk"), ("Trade", "Trade\u{301}s"), ("a\r", "a\r\nb"), ("a\r", "a\rb"),
            ("K", "\u{212A}elvin"), ("Kelvin", "Kelvin"), ("Kelvin…", "Kelvin"), ("Séoul", "Séoul talks"),
            ("Seoul", "Séoul"), ("Trade…", "Trade… more"), ("x", ""), ("Trade ", "Trade  x"), ("ab", "abé"),
        ]
        for (summary, body) in cases {
            let document = SearchDocument(title: "", url: "", summary: summary, body: body)
            #expect(document.summaryRepeatsBody == reference(summary, body), "\(summary.debugDescription)")
            if let fast = SearchDocument.asciiSummaryRepeatsBody(summary, body) {
                #expect(fast == reference(summary, body), "\(summary.debugDescription)")
            }
        }
        #expect(SearchDocument.asciiSummaryRepeatsBody("Trade talks…", "Trade talks stalled.") == true)
        #expect(SearchDocument.asciiSummaryRepeatsBody("a\r", "a\r\nb") == false)
    }

    @Test func termsAreOrderedAsTheBrowserComparesStrings() {
        let ascii = ["trade", "trad", "tra", "b", "a1", "a", "zz", "z9"]
        let other = ascii + ["é", "e", "서울", "\u{1F600}x", "\u{10400}", "\u{FF21}", "\u{E000}", "ｚ", "北"]
        for terms in [ascii, other, Array(other.prefix(12)), []] {
            let expected = terms.indices.sorted { terms[$0].utf16.lexicographicallyPrecedes(terms[$1].utf16) }
            #expect(SearchIndex.browserOrder(terms) == expected, "\(terms)")
        }
    }

    static func expectSame(_ a: SearchAnalysis, _ b: SearchAnalysis, _ note: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.terms == b.terms, "\(note)", sourceLocation: sourceLocation)
        #expect(a.lengths == b.lengths, "\(note)", sourceLocation: sourceLocation)
        #expect(entries(a) == entries(b), "\(note)", sourceLocation: sourceLocation)
    }

    /// Every entry of `analysis` as text (document, term, weight and flags), sorted.
    static func entries(_ analysis: SearchAnalysis) -> [String] {
        var entries: [String] = []
        analysis.forEachEntry { document, term, weight, flags in entries.append("\(document) \(term) \(weight) \(flags)") }
        return entries.sorted()
    }

    static func manyDocuments() -> [SearchDocument] {
        let words = ["trade", "Séoul", "sanctions", "harbor", "서울에서", "北韓", "talks", "policy", "studied", "G20"]
        return (0..<23).map { (n: Int) -> SearchDocument in
            let title: String = words[n % 10] + " " + words[(n * 3) % 10]
            let authors: [String] = n % 4 == 0 ? ["Ann Lee"] : ["Bo Kim", "Ann Lee"]
            let category: String = "Cat " + words[(n * 7) % 10]
            let summary: String = n % 3 == 0 ? "Summary \(n) trade" : ""
            var body: [String] = []
            for k in 0...(n % 6) { body.append(words[(k * n + 1) % 10]) }
            body.append("word\(n)")
            return SearchDocument(title: title, url: "/\(n)/", authorNames: authors, categoryNames: [category],
                                  summary: summary, body: body.joined(separator: " "))
        }
    }

    @Test func blocksOfAnySizeGiveTheSameAnalysis() {
        let documents = Self.manyDocuments()
        let single = SearchAnalysis(documents, chunkSize: 1000)
        #expect(single.terms.contains("word7") && single.lengths.count == documents.count)
        for size in [1, 2, 5, 22] {
            Self.expectSame(SearchAnalysis(documents, chunkSize: size), single, "blocks of \(size)")
        }
    }

    /// A body with more distinct words than a new source's counts have room for: the counts grow in the
    /// middle of the text and every term keeps its count, in order of first appearance.
    @Test func countsGrowInTheMiddleOfABody() {
        let distinct = 9_000
        let words = (0..<distinct).map { "w\($0)x" }
        let text = (words + words.prefix(5_000) + ["w0x"]).joined(separator: " ")
        let terms = BodyTerms.analyse(Array(text.utf8), source: TermSource())
        let counts = terms.counts
        #expect(counts.count == distinct)
        #expect(counts.map(\.term) == words)
        #expect(counts.enumerated().allSatisfy { index, entry in entry.count == (index == 0 ? 3 : index < 5_000 ? 2 : 1) })
        #expect(terms.words == distinct + 5_001)
    }

    /// Bodies whose terms were counted while parsing (`MarkdownBody.forSearch`), by several sources,
    /// some read back from the build cache's encoding, give the analysis of their whole plain text:
    /// the same terms in the same order, weights, flags and lengths.
    @Test func termsCountedWhileParsingGiveTheAnalysisOfTheText() throws {
        var documents = Self.manyDocuments()
        let long = (0..<400).map { "Paragraph \($0) on harbor policy, Séoul talks and 北韓." }.joined(separator: " ")
        documents.append(SearchDocument(title: "Long", url: "/long/", summary: "Paragraph 0 on harbor policy…", body: long))
        documents.append(SearchDocument(title: "Empty", url: "/empty/", summary: "Only a summary", body: ""))
        let sources = [TermSource(), TermSource(), TermSource()]
        var counted = documents
        for index in counted.indices {
            let plain = counted[index].text.plainTextBytes
            var body = MarkdownBody(html: [], plainText: plain).forSearch(summary: counted[index].summary)
            #expect(body.plainTextBytes.count <= max(plain.count, BodyTerms.keptPlainText(summary: counted[index].summary)))
            // What a search result shows of the body is all that is kept of its text.
            #expect(body.plainText == SearchManifest.excerpt(counted[index].body, limit: SearchManifest.snippetTextLimit))
            var terms = BodyTerms.analyse(plain, source: sources[index % 3])
            terms.summaryRepeats = body.terms!.summaryRepeats  // noted by forSearch, from the whole text
            body.terms = terms
            counted[index].text = body
        }
        #expect(counted[23].text.plainTextBytes.count < long.utf8.count, "the long body keeps only its start")
        let expected = SearchAnalysis(documents, chunkSize: 5)
        Self.expectSame(SearchAnalysis(counted, chunkSize: 5), expected, "counted while parsing")
        // Search results show the same (the summary, when it does not repeat the body, and the excerpt).
        for (kept, whole) in zip(counted, documents) {
            #expect(SearchManifest.fragment(kept) == SearchManifest.fragment(whole))
        }

        // Through the build cache's encoding: the terms of each source travel with the entries.
        var writer = CacheWriter()
        for document in counted { document.text.encode(into: &writer) }
        writer.termSources()
        var reader = CacheReader(writer.bytes)
        var decoded = counted
        for index in decoded.indices { decoded[index].text = try reader.body() }
        try reader.termSources()
        #expect(reader.atEnd)
        #expect(decoded.allSatisfy { $0.text.terms != nil && $0.text.terms!.source !== sources[0] })
        #expect(zip(decoded, counted).allSatisfy { $0.text == $1.text }, "the same terms, by text")
        Self.expectSame(SearchAnalysis(decoded, chunkSize: 7), expected, "read back from the cache")
        // Decoded and fresh bodies mixed in one analysis.
        var mixed = counted
        for index in stride(from: 0, to: mixed.count, by: 2) { mixed[index] = decoded[index] }
        Self.expectSame(SearchAnalysis(mixed, chunkSize: 3), expected, "mixed sources")
    }

    @Test func theMemoReanalysesOnlyWhatChanged() {
        var documents = Self.manyDocuments()
        let memo = SearchAnalysis.Memo()
        Self.expectSame(SearchAnalysis(documents, memo: memo, chunkSize: 4), SearchAnalysis(documents), "first")
        #expect(memo.count == 6)
        documents[9].text = MarkdownBody(html: "", plainText: "an edited body about fisheries")
        documents.append(SearchDocument(title: "New harbor", url: "/new/", body: "fresh words"))
        Self.expectSame(SearchAnalysis(documents, memo: memo, chunkSize: 4), SearchAnalysis(documents), "after edits")
        documents.removeLast(10)
        Self.expectSame(SearchAnalysis(documents, memo: memo, chunkSize: 4), SearchAnalysis(documents), "after removal")
        #expect(memo.count == 4)
    }

    @Test func theShardCountIsTakenFromAPreviousBuildOfTheSameIndexOnly() {
        let content = Fingerprint("index inputs")
        var previous: [String: Fingerprint] = ["search/manifest.json": content, "search/docs/0.json": Fingerprint("d")]
        for number in 0..<3 { previous["search/shards/\(number).json"] = SearchPipeline.shardFingerprint(content, number) }
        #expect(SearchPipeline.previousShardCount(content, previous) == 3)
        #expect(SearchPipeline.previousShardCount(Fingerprint("other inputs"), previous) == nil)
        #expect(SearchPipeline.previousShardCount(content, [:]) == nil)
        previous["search/manifest.json"] = nil
        #expect(SearchPipeline.previousShardCount(content, previous) == nil, "no manifest: not that index")
    }

    // MARK: Index and shards

    static let documents = [
        SearchDocument(title: "Sanctions on Seoul", url: "/a/", year: 2023, authors: [0], categories: [1],
                       authorNames: ["Ann Lee"], categoryNames: ["Trade & Economics"], body: "Trade talks stalled."),
        SearchDocument(title: "Harbor notes", url: "/b/", year: 2024, authors: [1, 0], categories: [0],
                       authorNames: ["Bo Kim", "Ann Lee"], categoryNames: ["Security"],
                       body: "A note on sanctions in Séoul and the harbor. 서울에서 열린 회담."),
        SearchDocument(title: "Unrelated", url: "/c/", year: 2024, authors: [1], categories: [],
                       authorNames: ["Bo Kim"], body: String(repeating: "Fisheries and weather. ", count: 20)),
    ]

    @Test func indexHoldsEveryFieldAndRanksTitleMatchesFirst() {
        let index = SearchIndex.build(Self.documents)
        let sanction = index.postings(of: "sanction") ?? []
        #expect(sanction.map(\.document) == [0, 1])
        #expect(sanction[0].score > sanction[1].score, "the title match scores higher")
        #expect(index.postings(of: "seoul")?.map(\.document) == [0, 1], "Séoul is found as seoul")
        #expect(index.postings(of: "lee")?.map(\.document) == [0, 1], "author names are indexed")
        #expect(index.postings(of: "economic")?.map(\.document) == [0], "category names are indexed")
        #expect(index.postings(of: "서울에서")?.map(\.document) == [1])
        #expect(index.postings(of: "the") == nil)
        #expect(index.terms == index.terms.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) })
        #expect(index.postings.allSatisfy { $0.allSatisfy { (1...63).contains($0.score) } })
    }

    /// The index writes its postings text in passes over the analysis; it must be the text of the
    /// postings scored one term at a time (ids far apart take several characters).
    @Test func postingsTextIsThatOfPostingsScoredTermByTerm() {
        let documents = (0..<2_000).map { n in
            SearchDocument(title: n % 700 == 0 ? "Rare harbor" : "Title \(n % 5)", url: "/\(n)/",
                           authorNames: n % 3 == 0 ? ["Ann Lee"] : [], summary: n % 90 == 0 ? "A summary" : "",
                           body: "trade " + String(repeating: "policy ", count: n % 4) + (n == 1_999 ? "last" : "word\(n % 11)"))
        }
        let analysis = SearchAnalysis(documents, chunkSize: 64)
        let index = SearchIndex.build(analysis)
        var grouped = [[(document: Int, weight: Int, flags: UInt8)]](repeating: [], count: analysis.terms.count)
        analysis.forEachEntry { document, term, weight, flags in grouped[term].append((document, weight, flags)) }
        let count = Double(documents.count)
        let average = Double(analysis.lengths.reduce(0) { $0 + Int($1) }) / count
        let (k1, b) = (SearchIndex.k1, SearchIndex.b)
        let scores = grouped.map { entries in
            let idf = log(1 + (count - Double(entries.count) + 0.5) / (Double(entries.count) + 0.5))
            return entries.map { entry in
                let tf = Double(entry.weight), norm = k1 * (1 - b + b * Double(analysis.lengths[entry.document]) / average)
                return idf * tf * (k1 + 1) / (tf + norm) + (entry.flags & SearchAnalysis.inTitle != 0 ? 1.5 * idf : 0)
                    + (entry.flags & SearchAnalysis.inAuthor != 0 ? idf : 0)
            }
        }
        let maxScore = scores.joined().max() ?? 0
        #expect(index.maxScore == maxScore && maxScore > 0)
        let order = SearchIndex.browserOrder(analysis.terms)
        #expect(index.terms == order.map { analysis.terms[$0] })
        #expect(index.postings(of: "last")?.map(\.document) == [1_999])
        #expect(index.postings(of: "harbor")?.map(\.document) == [0, 700, 1_400])
        for (position, term) in order.enumerated() {
            let postings = zip(grouped[term], scores[term]).map { entry, score in
                SearchIndex.Posting(document: Int32(entry.document), score: SearchIndex.quantize(score, max: index.maxScore))
            }
            #expect(String(decoding: index.postingText(at: position), as: UTF8.self) == PostingCodec.encode(postings),
                    "\(analysis.terms[term])")
        }
    }

    @Test func varIntsReadBackAcrossByteBoundaries() {
        let values = [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_151, 2_097_152, Int(Int32.max), 1 << 40]
        var bytes: [UInt8] = []
        for value in values { VarInt.append(value, to: &bytes) }
        #expect(bytes.count == 1 + 1 + 1 + 2 + 2 + 2 + 3 + 3 + 4 + 5 + 6)
        var position = 0
        let read = bytes.withUnsafeBufferPointer { bytes in values.map { _ in VarInt.read(bytes, &position) } }
        #expect(read == values && position == bytes.count)
    }

    @Test func weightsAndFlagsSurviveThePacking() {
        let title = String(repeating: "harbor ", count: 50)
        let documents = [SearchDocument(title: title, url: "/a/", authorNames: ["Harbor Lee"], body: "harbor trade"),
                         SearchDocument(title: "Trade", url: "/b/", categoryNames: ["Harbor"], body: "policy")]
        let analysis = SearchAnalysis(documents)
        #expect(Self.entries(analysis).filter { $0.hasPrefix("0 0 ") } == ["0 0 153 3"], "3 × 50 + 2 + 1, title and author")
        let harbor = analysis.terms.firstIndex(of: "harbor")!
        #expect(Self.entries(analysis).contains("1 \(harbor) 2 0"), "a category name weighs 2")
    }

    @Test func quantizedScoresKeepTheirOrder() {
        let levels = stride(from: 0.01, through: 40, by: 0.37).map { SearchIndex.quantize($0, max: 40) }
        #expect(levels == levels.sorted())
        #expect(SearchIndex.quantize(40, max: 40) == 63)
        let back = SearchIndex.dequantize(SearchIndex.quantize(7.5, max: 40), max: 40)
        #expect(abs(back - 7.5) / 7.5 < 0.05)
    }

    /// The quantizer that bisects precomputed level bounds gives what the formula gives: for random
    /// scores, for scores right at each bound and one ulp either side of it, and at the ends.
    @Test func quantizerAgreesWithTheFormula() {
        var state: UInt64 = 0xDEAD_BEEF_1234_5678
        func unit() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var mismatches = 0
        for maxScore in [0.0, 1e-6, 0.4, 1, 7.3, 40, 123.456, 1e6] {
            let logMax = log1p(maxScore)
            let quantizer = SearchIndex.Quantizer(logMax: logMax)
            var scores = [0, -1, maxScore, maxScore * 2, .infinity, .nan, Double.leastNonzeroMagnitude]
            scores += (0..<2_000).map { _ in unit() * maxScore }
            for level in 1..<63 {
                let bound = expm1((Double(level) + 0.5) / 63 * logMax)
                scores += [bound, bound.nextUp, bound.nextDown, bound * (1 + 1e-8), bound * (1 - 1e-8)]
            }
            for score in scores where quantizer.level(score) != SearchIndex.quantize(score, logMax: logMax) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test func postingsRoundTripThroughTheirText() {
        let documents: [Int32] = [0, 1, 2, 70, 1_100, 1_101, 20_000, 300_000]
        let postings = documents.enumerated().map { SearchIndex.Posting(document: $1, score: UInt8($0 * 8 + 1)) }
        let text = PostingCodec.encode(postings)
        #expect(PostingCodec.decode(text) == postings)
        #expect(!text.contains("\"") && !text.contains("\\") && !text.contains("<"))
        #expect(PostingCodec.encode([.init(document: 0, score: 5), .init(document: 1, score: 5)]) == "0505")
    }

    @Test func everyTermIsInTheShardItMapsTo() {
        var documents: [SearchDocument] = []
        for n in 0..<60 {
            documents.append(SearchDocument(title: "Title \(n) alpha\(n) beta\(n % 7)", url: "/\(n)/",
                                            body: "gamma\(n * 13) delta\(n % 5) Korea 한국\(n % 3) épée\(n)"))
        }
        let index = SearchIndex.build(documents)
        let shards = SearchShards(index, targetBytes: 300)
        let firstTerms = shards.firstTerms(index)
        #expect(shards.ranges.count > 10)
        #expect(shards.ranges.first?.lowerBound == 0 && shards.ranges.last?.upperBound == index.terms.count)
        for (position, term) in index.terms.enumerated() {
            let shard = SearchShards.shard(for: term, firstTerms: firstTerms)
            #expect(shards.ranges[shard].contains(position), "\(term) in shard \(shard)")
            #expect(shards.json(shard, index: index).contains("\"\(term)\""))
        }
        // A prefix's terms lie between the shard of the prefix and the shard of prefix + U+FFFF.
        for prefix in ["alpha", "gamma1", "한국", "epee"] {
            let from = SearchShards.shard(for: prefix, firstTerms: firstTerms)
            let to = SearchShards.shard(for: prefix + "\u{FFFF}", firstTerms: firstTerms)
            for (position, term) in index.terms.enumerated() where term.hasPrefix(prefix) {
                #expect((shards.ranges[from].lowerBound..<shards.ranges[to].upperBound).contains(position), "\(term)")
            }
        }
        #expect(SearchShards.shard(for: "", firstTerms: firstTerms) == 0)
    }

    @Test func shardJSONParsesBack() throws {
        let index = SearchIndex.build(Self.documents)
        let shards = SearchShards(index)
        #expect(shards.ranges.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(shards.json(0, index: index).utf8)) as? [String: [String]]
        #expect(object?["t"] == index.terms)
        #expect(object?["p"]?.map(PostingCodec.decode) == index.postings)
    }

    // MARK: JSON files

    /// JSON strings (clean runs found 16 bytes at a time) against a scalar-by-scalar reference, with
    /// every character that needs an escape, and 0xE2 characters that do not, at every offset.
    @Test func jsonTextAgreesWithAReferenceAtEveryOffset() throws {
        func reference(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                case 0..<0x20, 0x3C, 0x3E, 0x26, 0x2028, 0x2029: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        let pieces = ["a", "\"", "\\", "<", ">", "&", "\n", "\r", "\t", "\u{1}", "\u{1F}", "\u{2028}", "\u{2029}",
                      "\u{2026}", "\u{2019}", "é", "한", "xyzxyzxyzxyzxyz", " "]
        for text in piecedTexts(pieces, lengths: 0...48, count: 60, seed: 41) {
            var out: [UInt8] = []
            JSONText.append(text, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == reference(text), "\(text.debugDescription)")
        }
    }

    @Test func hostileTextIsEscapedInTheJSON() throws {
        let hostile = "</script><script>alert(\"x\")</script> & \\ \u{2028} \u{1} ok"
        let quoted = JSONText.quoted(hostile)
        #expect(!quoted.contains("<") && !quoted.contains(">") && !quoted.contains("&"))
        #expect(!quoted.contains("\u{2028}"))
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        #expect(parsed == [hostile])

        let document = SearchDocument(title: hostile, url: "/x/", date: "May 1, 2024", summary: "<b>bold</b>",
                                      body: "Body <img src=x onerror=alert(1)>")
        let fragment = SearchManifest.fragment(document)
        #expect(!fragment.contains("<"))
        let object = try JSONSerialization.jsonObject(with: Data(fragment.utf8)) as? [String: String]
        #expect(object?["t"] == hostile)
        #expect(object?["s"] == "<b>bold</b>")
        #expect(object?["b"] == "Body <img src=x onerror=alert(1)>")

        let derived = SearchDocument(title: "T", url: "/t/", summary: "First paragraph, cut…",
                                     body: "First paragraph, cut here.\nMore.")
        #expect(!SearchManifest.fragment(derived).contains("\"s\":"), "a summary the body starts with is left out")
    }

    @Test func fragmentBodyIsCutAtAWordBoundary() {
        let body = String(repeating: "word ", count: 1_000)
        let excerpt = SearchManifest.excerpt(body, limit: 23)
        #expect(excerpt == "word word word word")
        #expect(SearchManifest.excerpt("short text", limit: 23) == "short text")
    }

    @Test func riceCodesRoundTrip() {
        var writer = BitWriter()
        let values = [0, 1, 2, 7, 8, 100, 3, 0, 149]
        for value in values { writer.writeRice(value, k: 3) }
        var reader = BitReader(bytes: writer.finish())
        #expect(values.map { _ in reader.readRice(3) } == values)
        #expect(FacetPacking.bestRice([0, 0, 1, 0, 2]) == 0)
        #expect(FacetPacking.bestRice(Array(0..<150)) >= 5)
    }

    @Test func manifestCarriesFacetsForEveryDocument() throws {
        let index = SearchIndex.build(Self.documents)
        let shards = SearchShards(index)
        let authors = [SearchManifest.Facet(slug: "ann-lee", name: "Ann Lee"), SearchManifest.Facet(slug: "bo-kim", name: "Bo Kim")]
        let categories = [SearchManifest.Facet(slug: "security", name: "Security"),
                          SearchManifest.Facet(slug: "trade", name: "Trade & <Economics>")]
        let text = SearchManifest.json(index: index, firstTerms: shards.firstTerms(index), documents: Self.documents,
                                       authors: authors, categories: categories,
                                       links: .init(authors: "/authors/", categories: "/categories/"), version: "v1")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(manifest["count"] as? Int == 3)
        #expect((manifest["categories"] as? [[String]])?[1][1] == "Trade & <Economics>")
        #expect((manifest["years"] as? [[Int]]) == [[2023, 0], [2024, 1]])
        let facets = try #require(manifest["facets"] as? [String: Any])
        let data = try #require(Data(base64Encoded: facets["data"] as? String ?? ""))
        let unpacked = FacetPacking.unpack(data, count: 3, countBits: facets["countBits"] as! Int,
                                           authorRice: facets["authorRice"] as! Int,
                                           categoryRice: facets["categoryRice"] as! Int)
        // Listed most used first: Ann Lee (2 documents) before Bo Kim; Security and Trade have one each.
        #expect((manifest["authors"] as? [[String]])?.map { $0[0] } == ["ann-lee", "bo-kim"])
        let authorSlugs = ["ann-lee", "bo-kim"], categorySlugs = ["security", "trade"]
        let listedAuthors = (manifest["authors"] as? [[String]] ?? []).map { $0[0] }
        let listedCategories = (manifest["categories"] as? [[String]] ?? []).map { $0[0] }
        #expect(unpacked.map { $0.authors.map { listedAuthors[$0] } } == Self.documents.map { $0.authors.map { authorSlugs[$0] } })
        #expect(unpacked.map { $0.categories.map { listedCategories[$0] } }
                == Self.documents.map { $0.categories.map { categorySlugs[$0] } })
    }

    // MARK: Whole site

    /// The repository's own layouts, so the real search page and script are built.
    static func themeLayouts() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("layouts")
        var text = ""
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        for file in files.sorted() where file.hasSuffix(".mustache") || file.hasSuffix(".js") {
            text += "\n-- layouts/\(file) --\n" + (try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8))
        }
        return text
    }

    @Test func searchPageAndIndexWorkUnderABasePath() async throws {
        let site = try TestSite(try Self.themeLayouts() + annLee + """
        -- content/blog/first.md --
        \(article(title: "'<script>alert(1)</script> & Séoul'", date: "2023-11-28", categories: "[North Korea]",
                  body: "Talks in Seoul resumed. 서울에서 열린 회담."))
        -- content/blog/second.md --
        \(article(title: "Harbor Notes", date: "2024-02-01", body: "Nothing about the capital."))
        """)
        defer { site.remove() }
        try await site.buildOK(baseURL: "https://example.org/blog/")
        try site.expect("search/index.html", """
            data-manifest="/blog/search/manifest.json"
            <script src="/blog/assets/search.js" defer></script>
            <form class="search-form search-page-form" role="search" action="/blog/search/" method="get">
            <a href="/blog/blog/">The Peninsula</a> <span class="search-count">(2)</span>
            <a href="/blog/categories/north-korea/">North Korea</a>
            <a href="/blog/authors/ann-lee/">Ann Lee</a>
            <a href="/blog/categories/">Categories</a>
            id="search-results"
            """)
        #expect(site.exists("assets/search.js"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(site.read("search/manifest.json").utf8))
                                    as? [String: Any])
        #expect(manifest["count"] as? Int == 2)
        #expect((manifest["authors"] as? [[String]])?.first == ["ann-lee", "Ann Lee"])
        #expect(manifest["authorsURL"] as? String == "/blog/authors/")
        let shards = try #require(manifest["shards"] as? [String])
        let shard = SearchShards.shard(for: "seoul", firstTerms: shards)
        try site.expect("search/shards/\(shard).json", "\"seoul\"")
        // Ids count from the oldest article; fragments come in groups.
        let group = try #require(try JSONSerialization.jsonObject(with: Data(site.read("search/docs/0.json").utf8))
                                 as? [[String: String]])
        #expect(group.count == 2)
        let oldest = group[0]
        #expect(oldest["t"] == "<script>alert(1)</script> & Séoul")
        #expect(oldest["u"] == "/blog/blog/first/")
        try site.expect("search/docs/0.json", "! <script>")
        try site.expect("sitemap.xml", """
            ! search/
            <loc>https://example.org/blog/blog/first/</loc>
            """)
    }

    @Test func aThemeWithoutASearchLayoutGetsBrowseLinks() async throws {
        let site = try TestSite(annLee + "\n-- content/blog/a.md --\n" + article())
        defer { site.remove() }
        try await site.buildOK()
        try site.expect("search/index.html", """
            <title>Search | Test Site</title>
            <li><a href="/blog/">The Peninsula</a> (1)</li>
            <a href="/categories/security/">Security</a> (1)
            <a href="/authors/">Authors</a>
            """)
        #expect(site.exists("search/manifest.json") && site.exists("search/shards/0.json") && site.exists("search/docs/0.json"))
    }
}
