import Prometheus

/// Prometheus metrics: ceremonies by outcome, code and tier; latency histograms per step.
public final class CeremonyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                                      .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                      .milliseconds(500), .seconds(1), .seconds(2.5)]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// - Parameters: ceremony `registration` / `authentication`; step `options` / `verify`;
    ///   code `ok` or the failure code; tier of the credential when known.
    // Immutable values of Strings; Prometheus does not mark the type Sendable.
    nonisolated(unsafe) static let ceremonies = MetricNameDescriptor(namespace: "claviger", subsystem: nil, metricName: "ceremonies", unitName: "total",
                                                 helpText: "WebAuthn ceremonies by step, outcome, code and tier")
    nonisolated(unsafe) static let duration = MetricNameDescriptor(namespace: "claviger", subsystem: nil, metricName: "ceremony_duration", unitName: "seconds",
                                               helpText: "Time to answer a ceremony step")

    func record(ceremony: String, step: String, code: String, tier: Int?, duration: Duration) {
        let outcome = code == "ok" ? "success" : "failure"
        registry.makeCounter(descriptor: Self.ceremonies,
                             labels: [("ceremony", ceremony), ("step", step), ("outcome", outcome), ("code", code), ("tier", tier.map(String.init) ?? "none")])
            .increment()
        registry.makeDurationHistogram(descriptor: Self.duration,
                                       labels: [("ceremony", ceremony), ("step", step)], buckets: Self.buckets)
            .record(duration)
    }

    func exposition() -> [UInt8] { registry.emitToBuffer() }
}
