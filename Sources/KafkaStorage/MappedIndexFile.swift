import Glibc

/// A memory-mapped index file of fixed-size entries: the storage under `OffsetIndex` and
/// `TimeIndex` (Kafka's `AbstractIndex`).
///
/// A new index is created at `maxIndexSize` (rounded down to whole entries) and filled as the
/// segment grows; `trimToValidSize` shrinks the file to its entries when the segment stops being
/// active (roll, clean shutdown), which is why an index read back after a crash may end in zeroed,
/// never-written entries: `entries` stops at the first entry that is all zeros past the first,
/// and recovery rebuilds the indexes of unflushed segments anyway.
///
/// Isolation: not thread-safe; owned by one `LogSegment`, used under its log's lock.
final class MappedIndexFile {
    private(set) var path: String
    let entrySize: Int
    /// The open file; nil once closed. A flush outside the log's lock holds it too (an `fsync`
    /// of the descriptor writes the mapping's dirty pages as well).
    private(set) var channel: FileChannel?
    /// Non-nil whenever `mappedLength > 0` and the file is open (`map()`); the entry accessors
    /// force-unwrap it on that invariant: they run under the log lock, which closes an index only
    /// with its log, and a closed log refuses reads and appends first (`Log.ensureOpen`).
    private var mapping: UnsafeMutableRawPointer?
    private(set) var mappedLength: Int
    /// Entries written (the valid prefix of the mapping).
    private(set) var entries: Int

    /// Opens `path`, creating it at `maxIndexSize` when missing or empty.
    init(path: String, entrySize: Int, maxIndexSize: Int, isValidEntry: (UnsafeRawPointer, Int) -> Bool) throws {
        self.path = path
        self.entrySize = entrySize
        let channel = try FileChannel(path: path)
        self.channel = channel
        let existing = try channel.length()
        let newlyCreated = existing == 0
        let length = newlyCreated ? max(entrySize, maxIndexSize - maxIndexSize % entrySize) : existing - existing % entrySize
        if newlyCreated || length != existing {
            guard ftruncate(channel.descriptor, off_t(length)) == 0 else { throw Self.ioError(path, "ftruncate") }
        }
        mappedLength = length
        entries = 0
        mapping = nil
        try map()
        if !newlyCreated, let base = mapping {
            var count = length / entrySize
            // Stop at the first entry the owner rejects (zero fill after a crash, out of order).
            for index in 0..<count where !isValidEntry(UnsafeRawPointer(base + index * entrySize), index) {
                count = index
                break
            }
            entries = count
        }
    }

    deinit {
        if let mapping { munmap(mapping, mappedLength) }
    }

    var maxEntries: Int { mappedLength / entrySize }
    var isFull: Bool { entries >= maxEntries }
    /// Bytes of valid entries (the file size after `trimToValidSize`).
    var sizeInBytes: Int { entries * entrySize }

    func entry(_ index: Int) -> UnsafeRawPointer {
        // Invariant, not input: callers search within `0..<entries`.
        precondition(index >= 0 && index < entries, "index entry \(index) out of 0..<\(entries)")
        return UnsafeRawPointer(mapping! + index * entrySize)
    }

    /// Appends one entry written by `body` into the next slot.
    func append(_ body: (UnsafeMutableRawPointer) -> Void) throws {
        guard !isFull else { throw StorageError.indexFull(path: path) }
        body(mapping! + entries * entrySize)
        entries += 1
    }

    /// Forgets entries from `count` on (zeroing them, so a crash cannot resurrect them).
    func truncate(toEntries count: Int) {
        guard count < entries else { return }
        memset(mapping! + count * entrySize, 0, (entries - count) * entrySize)
        entries = max(0, count)
    }

    /// Resizes the file and the mapping to `newSize` bytes (rounded down to whole entries, never
    /// below the valid entries).
    func resize(to newSize: Int) throws {
        let length = max(sizeInBytes, newSize - newSize % entrySize)
        guard length != mappedLength else { return }
        guard let channel else { throw StorageError.closed(path: path) }
        unmap()
        guard ftruncate(channel.descriptor, off_t(max(length, 0))) == 0 else { throw Self.ioError(path, "ftruncate") }
        mappedLength = length
        try map()
    }

    func trimToValidSize() throws { try resize(to: sizeInBytes) }

    /// Writes dirty pages to disk.
    func flush() throws {
        guard let mapping, mappedLength > 0 else { return }
        guard msync(mapping, mappedLength, MS_SYNC) == 0 else { throw Self.ioError(path, "msync") }
    }

    func close() throws {
        try trimToValidSize()
        unmap()
        channel = nil
    }

    func renameTo(_ newPath: String) throws {
        guard rename(path, newPath) == 0 else { throw Self.ioError(path, "rename to \(newPath)") }
        path = newPath
    }

    private func map() throws {
        guard mappedLength > 0 else {
            mapping = nil
            return
        }
        guard let channel else { throw StorageError.closed(path: path) }
        let pointer = mmap(nil, mappedLength, PROT_READ | PROT_WRITE, MAP_SHARED, channel.descriptor, 0)
        guard let pointer, pointer != MAP_FAILED else { throw Self.ioError(path, "mmap") }
        mapping = pointer
    }

    private func unmap() {
        if let mapping { munmap(mapping, mappedLength) }
        mapping = nil
    }

    static func ioError(_ path: String, _ operation: String) -> StorageError {
        .io(path: path, operation: operation, message: String(cString: strerror(errno)))
    }
}

extension UnsafeRawPointer {
    @inline(__always) func loadBigEndian<T: FixedWidthInteger>(fromByteOffset offset: Int = 0, as: T.Type) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always) func storeBigEndian<T: FixedWidthInteger>(_ value: T, toByteOffset offset: Int = 0) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }
}
