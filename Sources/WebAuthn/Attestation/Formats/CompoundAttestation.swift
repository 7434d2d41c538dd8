/// `compound` (WebAuthn L3 §8.9): several statements over the same credential; every one
/// must verify. Nesting compound inside compound is not allowed.
public enum CompoundAttestation: AttestationFormatVerifier {
    public static let identifier = "compound"

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        guard let statements = input.statement.arrayValue, statements.count >= 2, statements.count <= 8 else {
            throw .statement("compound: attStmt must be an array of 2 to 8 statements")
        }
        var components: [VerifiedAttestationStatement] = []
        for (index, entry) in statements.enumerated() {
            guard let format = entry[text: "fmt"]?.textValue, let statement = entry[text: "attStmt"], case .map = statement else {
                throw .statement("compound: statement \(index) needs fmt and attStmt")
            }
            guard format != identifier else { throw .statement("compound: statements cannot nest") }
            let nested = AttestationInput(statement: statement, authenticatorData: input.authenticatorData, credential: input.credential, clientDataHash: input.clientDataHash, options: input.options)
            components.append(VerifiedAttestationStatement(format: format, result: try AttestationFormats.verify(format: format, nested)))
        }
        // The strongest component decides the overall type; trust is assessed per component.
        let order: [AttestationType] = [.none, .self, .anonCA, .basic, .attCA]
        let strongest = components.max { (order.firstIndex(of: $0.result.type) ?? 0) < (order.firstIndex(of: $1.result.type) ?? 0) }
        return AttestationStatementResult(type: strongest?.result.type ?? .none, trustPath: strongest?.result.trustPath ?? [], components: components)
    }
}
