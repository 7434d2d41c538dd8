import Dispatch
import Foundation
import WebAuthn

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, copied into an array.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// A broken property: print why and abort, which libFuzzer reports as a crash with the input saved.
public func fuzzFail(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    let text = "FUZZ PROPERTY VIOLATED at \(file):\(line): \(message())\n"
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
    abort()
}

public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fuzzFail(message(), file: file, line: line) }
}

/// `FUZZ_VERBOSE=1 ./binary seed...` prints each harness's outcome: for checking that seeds get
/// as far as intended. Off during fuzzing.
public let fuzzVerbose = ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] != nil

public func fuzzLog(_ message: @autoclosure () -> String) {
    guard fuzzVerbose else { return }
    var bytes = Array((message() + "\n").utf8)
    _ = write(2, &bytes, bytes.count)
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var value: T?
}

/// Runs an async operation to completion from synchronous code (the fuzz entry point).
/// The operation runs on the global concurrent executor; the calling thread only waits.
public func runBlocking<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        box.value = await operation()
        done.signal()
    }
    done.wait()
    guard let value = box.value else { fuzzFail("async operation finished without a result") }
    return value
}

/// Fixed relying-party configuration shared by the ceremony harnesses. `Fuzz/seeds/gen_seeds.py`
/// rewrites the vectors' client data and authenticator data to these values, so the seed corpus
/// gets past the RP ID, origin and challenge checks and the fuzzer starts deep in the ceremony.
public enum FuzzFixtures {
    public static let rpID = "localhost"
    public static let origin = "https://localhost"
    /// The challenge the seeds carry: the bytes 0x00, 0x01, ..., 0x1F (base64url AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8).
    public static let challenge: [UInt8] = Array(0..<32)
    /// The evaluation time for certificates and SafetyNet timestamps (2023-11-14T22:13:20Z).
    public static let now = Date(timeIntervalSince1970: 1_700_000_000)

    public static let relyingParty = RelyingParty(
        id: rpID,
        origins: [origin, "https://localhost:8443", "http://localhost:8080"],
        topOrigins: ["https://top.localhost"],
        allowCrossOrigin: true,
        allowSubdomainOrigins: true)

    /// The stored credential of the authentication harness: an ES256 key whose private scalar
    /// is 0x01..0x20 (`gen_seeds.py` signs the assertion seeds with it). COSE_Key, map order 1, 3, -1, -2, -3.
    public static let credentialID: [UInt8] = Array("claviger-fuzz-credential".utf8)
    public static let credentialPublicKeyCOSE: [UInt8] = hexBytes(
        "a5010203262001215820" + "515c3d6eb9e396b904d3feca7f54fdcd0cc1e997bf375dca515ad0a6c3b4035f" + "225820" + "4536be3a50f318fbf9a5475902a221502bef0d57e08c53b2cc0a56f17d9f9354")
    public static let userHandle: [UInt8] = Array("fuzz-user".utf8)

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8? = nil
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: continue
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}
