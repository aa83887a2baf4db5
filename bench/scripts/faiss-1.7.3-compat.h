// Forced include (-include) for building faiss-node 0.5.1 (written against faiss 1.7.4) on
// Debian 12's libfaiss-dev 1.7.3, where idx_t still lives inside faiss::Index.
#pragma once
#include <faiss/Index.h>
namespace faiss {
using idx_t = Index::idx_t;
}
