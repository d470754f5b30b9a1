/// The version `sitegen --version` prints. Raise it with each release.
enum SiteGenVersion {
    static let current = "0.1.0"
}
