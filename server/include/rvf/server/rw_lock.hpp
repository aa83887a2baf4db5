// rvf/server/rw_lock.hpp — a writer-preferring readers–writer lock (SharedMutex requirements, so
// std::shared_lock / std::unique_lock work with it).
//
// Why not std::shared_mutex: on glibc it is a reader-preferring pthread_rwlock, and a server
// with a steady stream of queries would keep an ingest waiting forever (writer starvation).
// Here a waiting writer blocks new readers; readers already inside finish first.
#pragma once
#include <pthread.h>

namespace rvf::server {

class RwLock {
public:
    RwLock() {
        pthread_rwlockattr_t a;
        pthread_rwlockattr_init(&a);
        pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&l_, &a);
        pthread_rwlockattr_destroy(&a);
    }
    ~RwLock() { pthread_rwlock_destroy(&l_); }
    RwLock(const RwLock &) = delete;
    RwLock &operator=(const RwLock &) = delete;

    void lock() { pthread_rwlock_wrlock(&l_); }
    bool try_lock() { return pthread_rwlock_trywrlock(&l_) == 0; }
    void unlock() { pthread_rwlock_unlock(&l_); }
    /// Not recursive: a thread holding a shared lock must not take it again (a writer waiting in
    /// between would deadlock both).
    void lock_shared() { pthread_rwlock_rdlock(&l_); }
    bool try_lock_shared() { return pthread_rwlock_tryrdlock(&l_) == 0; }
    void unlock_shared() { pthread_rwlock_unlock(&l_); }

private:
    pthread_rwlock_t l_;
};

} // namespace rvf::server
