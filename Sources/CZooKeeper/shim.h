// CZooKeeper: the ZooKeeper C client (libzookeeper_mt), multi-threaded flavour.
// THREADED selects the API whose calls return at once and whose completions run on the
// client's own completion thread; the Swift `ZooKeeper` target is built on that API only.
#ifndef CZOOKEEPER_SHIM_H
#define CZOOKEEPER_SHIM_H

#ifndef THREADED
#define THREADED
#endif
#include <zookeeper/zookeeper.h>

/// World-readable, world-writable ACL (`world:anyone`, all permissions).
static inline struct ACL_vector *czk_open_acl_unsafe(void) { return &ZOO_OPEN_ACL_UNSAFE; }
/// Read-only ACL for everyone.
static inline struct ACL_vector *czk_read_acl_unsafe(void) { return &ZOO_READ_ACL_UNSAFE; }
/// All permissions for the creator's authenticated identity.
static inline struct ACL_vector *czk_creator_all_acl(void) { return &ZOO_CREATOR_ALL_ACL; }

#endif
