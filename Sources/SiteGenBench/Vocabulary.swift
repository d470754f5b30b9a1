/// Words and names the corpus is made of: policy prose, fictional people, category names.
enum Vocabulary {
    static let words = """
    alliance analysis assessment border budget cabinet capacity ceasefire coalition commerce committee \
    community compliance conference consensus constitution cooperation council crisis currency defence \
    delegation democracy deployment deterrence development dialogue diplomacy district doctrine economy \
    election embassy energy enforcement envoy exchange export faction famine finance framework frontier \
    governance government growth harbor humanitarian identity incentive industry inflation influence \
    infrastructure initiative institution intelligence interest investment island justice labor \
    leadership legislation leverage logistics maritime market military ministry mission monitoring \
    negotiation network nuclear observer operation opposition partnership peninsula pipeline policy \
    population port pressure program province public reform refugee region regime reserve resolution \
    resource restraint revenue rights risk sanction security settlement shipping sovereignty stability \
    strategy summit supply surveillance tariff technology territory tension threat trade transparency \
    treaty trust uncertainty union verification village vote welfare \
    careful steady gradual broad narrow modest significant limited regional national global domestic \
    bilateral multilateral economic political strategic practical durable fragile credible uneven \
    quickly slowly rarely often clearly quietly openly carefully partly largely \
    argues suggests shows requires reflects shapes limits raises reduces expands signals tests weakens \
    strengthens complicates sustains undermines clarifies encourages delays accelerates \
    the the the a a of of of to to in in and and and that for with on as by from this which its their
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static let firstNames = ["Ji-woo", "Min-seo", "Daniel", "Maria", "Samuel", "Elena", "Tobias", "Ingrid", "Jonah",
                             "Lucia", "Hana", "Omar", "Priya", "Kenji", "Amara", "Felix", "Sofia", "Mateo", "Yuna",
                             "Chloé", "Noah", "Aisha", "Lars", "Mei", "Rafael"]
    static let lastNames = ["Han", "Kwon", "Okafor", "Lindqvist", "Park", "Rossi", "Ngata", "Halvorsen",
                            "Whitcombe", "Ferrante", "Seo", "Haddad", "Raman", "Sato", "Mensah", "Brandt"]
    static let categories = ["North Korea", "Security", "Trade & Economics", "Diplomacy", "Human Rights",
                             "Technology", "Energy", "Climate", "Maritime Affairs", "Alliances", "Sanctions",
                             "Nuclear Policy", "Cyber", "Migration", "Public Opinion", "Elections", "Finance",
                             "Supply Chains", "China", "Japan", "Russia", "Southeast Asia", "Development",
                             "Health", "Culture"]
    static let hangul = ["통일", "한반도", "평화", "외교", "안보", "경제", "인권"]
}
