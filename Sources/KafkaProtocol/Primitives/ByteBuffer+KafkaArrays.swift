import NIOCore

/// Kafka's arrays over `ByteBuffer`.
///
/// - `ARRAY`: int32 element count `n ≥ 0`, then `n` elements; a nullable array uses `-1` for null.
/// - `COMPACT_ARRAY`: unsigned varint `n + 1`, then `n` elements; `0` is null.
///
/// A count that could not possibly fit in the bytes left (every Kafka element takes at least one
/// byte) is reported as truncated before anything is allocated, so a hostile count cannot make the
/// decoder reserve gigabytes. Element readers are closures with typed throws; element types that
/// are whole structs conform to ``KafkaCodable`` and have shorthand overloads.
extension ByteBuffer {
    // MARK: Reading

    /// `ARRAY` (non-nullable): a negative count is malformed.
    public mutating func readArray<Element>(
        _ field: String = "array",
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element] {
        let count = try readInt32(field)
        guard count >= 0 else { throw .malformed("\(field): array length \(count) is negative") }
        return try readElements(count: Int(count), field, readElement)
    }

    /// `ARRAY` that may be null (`-1`).
    public mutating func readNullableArray<Element>(
        _ field: String = "nullable array",
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element]? {
        let count = try readInt32(field)
        if count == -1 { return nil }
        guard count >= 0 else { throw .malformed("\(field): array length \(count) is negative") }
        return try readElements(count: Int(count), field, readElement)
    }

    /// `COMPACT_ARRAY` (non-nullable): a null (`0`) is malformed.
    public mutating func readCompactArray<Element>(
        _ field: String = "compact array",
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element] {
        guard let count = try readCompactLength(field) else {
            throw .malformed("\(field): null where a non-nullable compact array is required")
        }
        return try readElements(count: count, field, readElement)
    }

    /// `COMPACT_ARRAY` that may be null (`0`).
    public mutating func readCompactNullableArray<Element>(
        _ field: String = "compact nullable array",
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element]? {
        guard let count = try readCompactLength(field) else { return nil }
        return try readElements(count: count, field, readElement)
    }

    /// An array that is `COMPACT_ARRAY` in flexible versions and `ARRAY` otherwise.
    public mutating func readArray<Element>(
        _ field: String = "array",
        flexible: Bool,
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element] {
        try flexible ? readCompactArray(field, readElement) : readArray(field, readElement)
    }

    public mutating func readNullableArray<Element>(
        _ field: String = "nullable array",
        flexible: Bool,
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element]? {
        try flexible ? readCompactNullableArray(field, readElement) : readNullableArray(field, readElement)
    }

    @usableFromInline
    mutating func readElements<Element>(
        count: Int,
        _ field: String,
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element] {
        guard count <= readableBytes else {
            throw .truncated("\(field): \(count) elements announced, \(readableBytes) bytes left")
        }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try readElement(&self))
        }
        return elements
    }

    // MARK: Writing

    public mutating func writeArray<Element>(_ elements: [Element], _ writeElement: (inout ByteBuffer, Element) -> Void) {
        writeInt32(Int32(elements.count))
        for element in elements { writeElement(&self, element) }
    }

    public mutating func writeNullableArray<Element>(_ elements: [Element]?, _ writeElement: (inout ByteBuffer, Element) -> Void) {
        guard let elements else { return writeInt32(-1) }
        writeArray(elements, writeElement)
    }

    public mutating func writeCompactArray<Element>(_ elements: [Element], _ writeElement: (inout ByteBuffer, Element) -> Void) {
        writeCompactLength(elements.count)
        for element in elements { writeElement(&self, element) }
    }

    public mutating func writeCompactNullableArray<Element>(_ elements: [Element]?, _ writeElement: (inout ByteBuffer, Element) -> Void) {
        guard let elements else { return writeUnsignedVarint(0) }
        writeCompactArray(elements, writeElement)
    }

    public mutating func writeArray<Element>(_ elements: [Element], flexible: Bool, _ writeElement: (inout ByteBuffer, Element) -> Void) {
        flexible ? writeCompactArray(elements, writeElement) : writeArray(elements, writeElement)
    }

    public mutating func writeNullableArray<Element>(_ elements: [Element]?, flexible: Bool, _ writeElement: (inout ByteBuffer, Element) -> Void) {
        flexible ? writeCompactNullableArray(elements, writeElement) : writeNullableArray(elements, writeElement)
    }

    // MARK: Arrays of structs

    /// An `ARRAY` of a struct type at the given API version.
    public mutating func readArray<Element: KafkaCodable>(
        of type: Element.Type, version: Int16, _ field: String = "array"
    ) throws(KafkaProtocolError) -> [Element] {
        try readArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try Element(from: &buffer, version: version)
        }
    }

    public mutating func readNullableArray<Element: KafkaCodable>(
        of type: Element.Type, version: Int16, _ field: String = "nullable array"
    ) throws(KafkaProtocolError) -> [Element]? {
        try readNullableArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try Element(from: &buffer, version: version)
        }
    }

    public mutating func writeArray<Element: KafkaCodable>(_ elements: [Element], version: Int16) {
        writeArray(elements) { buffer, element in element.write(into: &buffer, version: version) }
    }

    public mutating func writeNullableArray<Element: KafkaCodable>(_ elements: [Element]?, version: Int16) {
        writeNullableArray(elements) { buffer, element in element.write(into: &buffer, version: version) }
    }

    // MARK: Arrays of primitives

    /// `[]int32`.
    public mutating func readInt32Array(_ field: String = "int32 array") throws(KafkaProtocolError) -> [Int32] {
        try readArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in try buffer.readInt32(field) }
    }

    public mutating func writeInt32Array(_ values: [Int32]) {
        writeArray(values) { buffer, value in buffer.writeInt32(value) }
    }

    /// `[]int64`.
    public mutating func readInt64Array(_ field: String = "int64 array") throws(KafkaProtocolError) -> [Int64] {
        try readArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in try buffer.readInt64(field) }
    }

    public mutating func writeInt64Array(_ values: [Int64]) {
        writeArray(values) { buffer, value in buffer.writeInt64(value) }
    }

    /// `[]string`.
    public mutating func readStringArray(_ field: String = "string array") throws(KafkaProtocolError) -> [String] {
        try readArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in try buffer.readKafkaString(field) }
    }

    /// `[]string` that may be null.
    public mutating func readNullableStringArray(_ field: String = "string array") throws(KafkaProtocolError) -> [String]? {
        try readNullableArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in try buffer.readKafkaString(field) }
    }

    public mutating func writeStringArray(_ values: [String]) {
        writeArray(values) { buffer, value in buffer.writeKafkaString(value) }
    }

    public mutating func writeNullableStringArray(_ values: [String]?) {
        writeNullableArray(values) { buffer, value in buffer.writeKafkaString(value) }
    }
}

// MARK: Arrays of structs, in any version (the generated codecs' shorthand)

extension ByteBuffer {
    /// An array of a struct type that is `COMPACT_ARRAY` in flexible versions and `ARRAY` otherwise.
    public mutating func readArray<Element: KafkaCodable>(
        of type: Element.Type, version: Int16, flexible: Bool, _ field: String = "array"
    ) throws(KafkaProtocolError) -> [Element] {
        try readArray(field, flexible: flexible) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try Element(from: &buffer, version: version)
        }
    }

    public mutating func readNullableArray<Element: KafkaCodable>(
        of type: Element.Type, version: Int16, flexible: Bool, _ field: String = "nullable array"
    ) throws(KafkaProtocolError) -> [Element]? {
        try readNullableArray(field, flexible: flexible) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try Element(from: &buffer, version: version)
        }
    }

    public mutating func readCompactArray<Element: KafkaCodable>(
        of type: Element.Type, version: Int16, _ field: String = "compact array"
    ) throws(KafkaProtocolError) -> [Element] {
        try readCompactArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try Element(from: &buffer, version: version)
        }
    }

    public mutating func readCompactNullableArray<Element: KafkaCodable>(
        of type: Element.Type, version: Int16, _ field: String = "compact nullable array"
    ) throws(KafkaProtocolError) -> [Element]? {
        try readCompactNullableArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try Element(from: &buffer, version: version)
        }
    }

    public mutating func writeArray<Element: KafkaCodable>(_ elements: [Element], version: Int16, flexible: Bool) {
        writeArray(elements, flexible: flexible) { buffer, element in element.write(into: &buffer, version: version) }
    }

    public mutating func writeNullableArray<Element: KafkaCodable>(_ elements: [Element]?, version: Int16, flexible: Bool) {
        writeNullableArray(elements, flexible: flexible) { buffer, element in element.write(into: &buffer, version: version) }
    }

    public mutating func writeCompactArray<Element: KafkaCodable>(_ elements: [Element], version: Int16) {
        writeCompactArray(elements) { buffer, element in element.write(into: &buffer, version: version) }
    }

    public mutating func writeCompactNullableArray<Element: KafkaCodable>(_ elements: [Element]?, version: Int16) {
        writeCompactNullableArray(elements) { buffer, element in element.write(into: &buffer, version: version) }
    }
}
