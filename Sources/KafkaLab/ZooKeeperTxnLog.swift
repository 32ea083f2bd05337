import Foundation

/// Reads ZooKeeper's transaction logs (`<dataDir>/version-2/log.<first zxid in hex>`), the
/// ensemble's exact history of every znode created, changed and deleted, in zxid order with the
/// leader's millisecond clock. The lab reads it instead of watching znodes: watches fire once
/// and may merge changes; the log misses nothing.
///
/// On-disk format (`FileTxnLog`, big-endian, Jute):
/// - a file header: magic `ZKLG`, format version (2), database id (a long, 0);
/// - then entries: an Adler-32 checksum as a long, the entry as a Jute buffer (4-byte length,
///   then the `TxnHeader` — session id, cxid, zxid, time, type — the type's record, and since
///   ZooKeeper 3.6 a digest of the tree), then the end-of-record byte `B`;
/// - the rest of the file is preallocated zeros: an entry length of 0 ends the log.
///
/// A torn last entry (a server killed while writing) ends the file quietly; a checksum mismatch
/// elsewhere is reported, naming the file and offset.
public enum ZooKeeperTxnLog {
    static let magic: Int32 = 0x5A4B_4C47 // "ZKLG"

    public struct Failure: Error, CustomStringConvertible {
        public let file: String
        public let offset: Int
        public let reason: String
        public var description: String { "\(file) at byte \(offset): \(reason)" }
    }

    /// Every transaction of every log file in `directory` (a dataDir, its `version-2`, or a
    /// directory of `log.*` files), in zxid order.
    public static func read(directory: String) throws -> [ZooKeeperTxn] {
        var directory = URL(fileURLWithPath: directory)
        let nested = directory.appendingPathComponent("version-2")
        if FileManager.default.fileExists(atPath: nested.path) { directory = nested }
        let logs = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("log.") }
            .compactMap { name in UInt64(name.dropFirst(4), radix: 16).map { (zxid: $0, name: name) } }
            .sorted { $0.zxid < $1.zxid }
        var transactions: [ZooKeeperTxn] = []
        for log in logs {
            let path = directory.appendingPathComponent(log.name).path
            transactions += try read(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
        }
        // Logs overlap when a server restarted; keep one copy of each zxid.
        var seen = Set<Int64>()
        return transactions.sorted { $0.zxid < $1.zxid }.filter { seen.insert($0.zxid).inserted }
    }

    /// The transactions of one log file's bytes.
    public static func read(bytes: [UInt8], file: String = "<log>") throws -> [ZooKeeperTxn] {
        var reader = JuteReader(bytes[...])
        guard (try? reader.readInt()) == magic else {
            throw Failure(file: file, offset: 0, reason: "not a ZooKeeper transaction log (no ZKLG magic)")
        }
        _ = try? reader.readInt()
        _ = try? reader.readLong()
        var transactions: [ZooKeeperTxn] = []
        while reader.remaining > 0 {
            let start = reader.position
            guard let checksum = try? reader.readLong(), let entry = try? reader.readBuffer(), !entry.isEmpty,
                  (try? reader.readBool()) != nil
            else { break }
            guard UInt64(bitPattern: checksum) == UInt64(adler32(entry)) else {
                throw Failure(file: file, offset: start, reason: "checksum mismatch")
            }
            do {
                transactions.append(try transaction(entry))
            } catch {
                throw Failure(file: file, offset: start, reason: "\(error)")
            }
        }
        return transactions
    }

    /// One entry: its header, then its record (a multi's is a vector of nested records).
    static func transaction(_ entry: [UInt8]) throws -> ZooKeeperTxn {
        var reader = JuteReader(entry[...])
        let sessionId = try reader.readLong()
        let cxid = try reader.readInt()
        let zxid = try reader.readLong()
        let time = try reader.readLong()
        let type = try reader.readInt()
        var operations: [ZooKeeperTxn.Operation]
        if type == ZooKeeperTxn.OpCode.multi {
            operations = try reader.readVector { outer in
                let nestedType = try outer.readInt()
                let nested = try outer.readBuffer() ?? []
                var inner = JuteReader(nested[...])
                return try ZooKeeperTxn.operation(type: nestedType, &inner)
            }
        } else {
            operations = [try ZooKeeperTxn.operation(type: type, &reader)]
        }
        return ZooKeeperTxn(sessionId: sessionId, cxid: cxid, zxid: zxid, time: time, operations: operations)
    }

    /// Adler-32 (RFC 1950), the checksum `FileTxnLog` writes before each entry.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < bytes.count {
            // 5552 bytes is the most that can be summed before the 32-bit sums must be reduced.
            let end = min(index + 5552, bytes.count)
            while index < end {
                a += UInt32(bytes[index])
                b += a
                index += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }
}
