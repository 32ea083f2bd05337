import Foundation
import Glibc

/// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+): the child closes every descriptor
/// from `lowest` up before it runs the program.
///
/// Test processes spawn children (ZooKeeper, brokers, the CLI) while other tests run in parallel,
/// and NIO opens its sockets without close-on-exec: a child that inherits them keeps those
/// connections and listeners open for as long as it lives. A server closing a connection then
/// sends no FIN (the child's copy keeps the socket open) and a shut-down listener goes on
/// accepting. Every spawn in the test kit passes 3 here, so a child gets stdin, stdout and stderr
/// only.
///
/// Swift's Glibc module does not declare the function (it is a GNU extension, hidden without
/// `_GNU_SOURCE`), so it is looked up in the C library at run time.
public func addCloseFrom(_ lowest: Int32, to actions: inout posix_spawn_file_actions_t) throws {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else {
        throw POSIXError(.ENOSYS)
    }
    let rc = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
}
