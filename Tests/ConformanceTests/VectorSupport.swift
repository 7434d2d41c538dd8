import Testing
import VectorTestSupport
import WebAuthn

extension Vector: CustomTestStringConvertible {
    public var testDescription: String { id }
}

/// Outcome of running one vector through the ceremony.
enum Outcome: Equatable, CustomStringConvertible {
    case valid
    case invalid(WebAuthnError.Code)

    var description: String {
        switch self {
        case .valid: "valid"
        case .invalid(let code): "invalid(\(code.rawValue))"
        }
    }
}

